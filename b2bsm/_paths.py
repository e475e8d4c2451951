"""Where the kit's shipped files live.

In a source checkout (``pip install -e .``, Binder) the data sit in the
repository's top-level ``data/`` folder.  In a wheel they are packaged as
``b2bsm/_data``.  :func:`data_dir` finds whichever exists.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


def data_dir() -> Path:
    """Return the folder that holds ``datapackage.json`` and the data files."""
    for candidate in (PACKAGE_DIR / "_data", REPO_ROOT / "data"):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise FileNotFoundError(
        "Cannot find the kit's data folder (datapackage.json). Reinstall the kit "
        "with `pip install -e .` from the repository root, or run "
        "`python -m b2bsm.data build` to regenerate the data files."
    )
