"""Give every notebook students open the Colab set-up cell for the repository in ``b2bsm.links``.

Usage (from the repository root)::

    python tools/colab_cell.py                # lessons, exercise notebooks and masters
    python tools/colab_cell.py --check        # exit 1 if a notebook lacks the current cell
    python tools/colab_cell.py notebooks/01_b2b_vs_b2c.ipynb   # only these notebooks

The cell (source: :func:`b2bsm.links.colab_setup_source`, tag ``colab-setup``)
is the first code cell of a lesson, an exercise notebook and its master.  On
Google Colab it pip-installs the kit from the repository with ``--no-deps``
(Colab's own numpy, pandas, ipywidgets ... stay as they are); anywhere else it
does nothing.  A new cell goes just
before the first code cell; a notebook stored executed keeps consecutive
execution counts (the cell counts as run: outside Colab it prints nothing).
``python -m b2bsm_teach.links set OWNER/NAME`` runs the same update for a fork.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from b2bsm import links  # noqa: E402
from b2bsm_teach.links import colab_paths, update_colab_cells  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="default: every notebook in notebooks/, exercises/, solutions/",
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    paths = args.notebooks or colab_paths(ROOT)
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"{path}: not a notebook")
    changed = update_colab_cells(paths, check=args.check)
    names = [
        str(p.resolve().relative_to(ROOT)) if p.resolve().is_relative_to(ROOT) else str(p)
        for p in changed
    ]
    if args.check:
        if changed:
            print(
                f"{len(changed)} notebook(s) lack the current Colab cell for "
                f"{links.REPOSITORY}: {', '.join(names)}. Run `python tools/colab_cell.py`.",
                file=sys.stderr,
            )
            return 1
        print(f"all {len(paths)} notebook(s) have the current Colab cell ({links.REPOSITORY})")
        return 0
    print(
        f"Colab cell for {links.REPOSITORY}@{links.BRANCH}: updated {len(changed)} of "
        f"{len(paths)} notebook(s)" + (f" ({', '.join(names)})" if names else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
