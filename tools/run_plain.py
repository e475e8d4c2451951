"""Run notebooks top to bottom in this Python, without Jupyter: IPython's shell only.

For environments that hold the kit's runtime requirements and nothing else (no
ipykernel, nbclient or nbformat): the hub image's install step, or CPython
with exactly the library versions of the in-browser edition's Pyodide release.
Each code cell runs in one IPython shell per notebook (so magics, ``display``
and top-level ``await`` work as in a kernel), with the notebook's folder as the
working directory and matplotlib's Agg backend.  Widgets get no front end;
their static fallback figures are drawn as in a headless kernel.

Usage::

    python tools/run_plain.py notebooks/*.ipynb exercises/*.ipynb

Prints one line per notebook; exits 1 if any cell of any notebook failed (the
line names the notebook, the cell and the error).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = cell["source"]
            cells.append("".join(source) if isinstance(source, list) else source)
    return cells


def run(path: Path) -> str | None:
    """Run one notebook; None if every cell ran, else what failed."""
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    here = Path.cwd()
    os.chdir(path.parent)
    try:
        for i, source in enumerate(code_cells(path)):
            result = shell.run_cell(source, store_history=True, silent=False)
            error = result.error_before_exec or result.error_in_exec
            if error is not None:
                return f"cell {i}: {type(error).__name__}: {error}"
    finally:
        os.chdir(here)
        import matplotlib.pyplot as plt

        plt.close("all")
    return None


def main(argv: list[str]) -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    paths = [Path(a).resolve() for a in argv]
    if not paths:
        print("usage: python tools/run_plain.py NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        start = time.perf_counter()
        problem = run(path)
        seconds = time.perf_counter() - start
        if problem:
            failed += 1
            print(f"FAILED {path.name} ({seconds:.1f} s): {problem}", flush=True)
        else:
            print(f"ok {path.name} ({seconds:.1f} s)", flush=True)
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
