"""Point a clone of the kit at another repository: ``python -m b2bsm_teach.links set OWNER/NAME``.

A lecturer who forks the kit runs, from the root of the fork::

    python -m b2bsm_teach.links show                      # the current settings
    python -m b2bsm_teach.links set acme/b2b-course       # every link now points at the fork
    python -m b2bsm_teach.links set acme/b2b-course --branch spring --hub https://hub.acme.edu

``set`` rewrites the settings in ``b2bsm/links.py``, the repository links in
``README.md`` and ``pyproject.toml``, and the Colab set-up cell of every lesson,
exercise notebook and master (:func:`update_colab_cells`).  The website
(``make site``) reads the settings when it is built, so it needs no edit; a
student release (``--repo``) is pointed at its own repository
(:func:`point_release_at`).

Notebooks are edited as JSON, byte-compatible with ``nbformat.write``, so this
works in an environment without the notebook tools (a bare ``pip install``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from b2bsm import links

ROOT = Path(__file__).resolve().parents[1]
LINKS_FILE = Path(links.__file__).resolve()
#: The files whose repository links follow the settings (relative to the repository root).
TEXT_FILES = ("README.md", "pyproject.toml")


def _settings_text(text: str, repo: str, branch: str, hub: str) -> str:
    for name, value in (("REPOSITORY", repo), ("BRANCH", branch), ("HUB_URL", hub)):
        text, count = re.subn(
            rf'(?m)^{name} = "[^"\n]*"$', f"{name} = {json.dumps(value)}", text, count=1
        )
        if count != 1:
            raise RuntimeError(f'b2bsm/links.py has no line `{name} = "..."` to rewrite')
    return text


def retarget(text: str, old: str, new: str, old_branch: str, new_branch: str) -> str:
    """``text`` with every GitHub, Binder, Colab and Pages link to ``old`` pointing at ``new``.

    Examples
    --------
    >>> retarget("[b](https://mybinder.org/v2/gh/a/k/main?urlpath=x)", "a/k", "b/k", "main", "v2")
    '[b](https://mybinder.org/v2/gh/b/k/v2?urlpath=x)'
    >>> retarget("https://github.com/a/k/blob/main/README.md", "a/k", "c/d", "main", "main")
    'https://github.com/c/d/blob/main/README.md'
    """
    o, n = re.escape(old), new
    ob, nb = re.escape(old_branch), new_branch
    rules = [
        (rf"(mybinder\.org/v2/gh/){o}/{ob}\b", rf"\g<1>{n}/{nb}"),
        (rf"(colab\.research\.google\.com/github/){o}/blob/{ob}/", rf"\g<1>{n}/blob/{nb}/"),
        (rf"(github\.com/){o}/(blob|tree)/{ob}/", rf"\g<1>{n}/\g<2>/{nb}/"),
        (
            rf"(github\.com/){o}/archive/refs/heads/{ob}\.zip",
            rf"\g<1>{n}/archive/refs/heads/{nb}.zip",
        ),
        (rf"(github\.com/){o}(?![\w.-])", rf"\g<1>{n}"),
    ]
    owner, name = old.split("/")
    new_owner, new_name = new.split("/")
    rules.append(
        (
            rf"https://{re.escape(owner.lower())}\.github\.io/{re.escape(name)}/",
            f"https://{new_owner.lower()}.github.io/{new_name}/",
        )
    )
    for pattern, replacement in rules:
        text = re.sub(pattern, replacement, text)
    return text


# --------------------------------------------------------------------------
# Notebooks as JSON, written exactly as nbformat writes them
# --------------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write_notebook(nb: dict, path: Path) -> None:
    """Write ``nb`` as ``nbformat.write`` does (sorted keys, indent 1, lines as lists)."""
    text = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False, separators=(",", ": "))
    path.write_text(text + "\n", encoding="utf-8")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def colab_cell(repo: str | None = None, branch: str | None = None) -> dict:
    """The Colab set-up cell as notebook JSON (tagged :data:`b2bsm.links.COLAB_TAG`)."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": links.COLAB_TAG,
        "metadata": {"tags": [links.COLAB_TAG]},
        "outputs": [],
        "source": _lines(links.colab_setup_source(repo, branch)),
    }


def _stored_executed(code: list[dict]) -> bool:
    counted = [c for c in code if _source(c).strip()]
    return bool(counted) and all(c.get("execution_count") for c in counted)


def _renumber(code: list[dict], start: int) -> None:
    """Number the code cells start, start + 1, ... (and their execute_result outputs)."""
    for number, cell in enumerate(code, start=start):
        cell["execution_count"] = number
        for out in cell.get("outputs", []):
            if out.get("execution_count"):
                out["execution_count"] = number


def set_colab_cell(nb: dict, repo: str | None = None, branch: str | None = None) -> bool:
    """Insert or update the Colab set-up cell of ``nb`` in place; True if ``nb`` changed.

    A new cell goes just before the first code cell.  In a notebook stored
    executed, it gets execution count 1 and the later cells are numbered 2, 3, ...,
    as if the notebook had been run with it (outside Colab it prints nothing), so
    the notebook stays "executed in order" without being re-run.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# T"},
    ...                 {"cell_type": "code", "execution_count": 1, "metadata": {},
    ...                  "outputs": [], "source": "x = 1"}]}
    >>> set_colab_cell(nb, repo="acme/course"), set_colab_cell(nb, repo="acme/course")
    (True, False)
    >>> [c.get("execution_count") for c in nb["cells"]]
    [None, 1, 2]
    """
    wanted = colab_cell(repo, branch)
    cells = nb["cells"]
    tagged = [c for c in cells if links.COLAB_TAG in c.get("metadata", {}).get("tags", [])]
    if len(tagged) > 1:
        raise ValueError(
            f"{len(tagged)} cells are tagged {links.COLAB_TAG!r}; delete all but the first"
        )
    if tagged:
        if _source(tagged[0]) == _source(wanted):
            return False
        tagged[0]["source"] = wanted["source"]
        return True
    code = [c for c in cells if c.get("cell_type") == "code"]
    at = cells.index(code[0]) if code else len(cells)
    if _stored_executed(code):
        _renumber(code, 2)
        wanted["execution_count"] = 1
    if not cells or any("id" not in c for c in cells):
        del wanted["id"]  # nbformat < 4.5 notebooks have no cell ids
    elif wanted["id"] in {c["id"] for c in cells}:
        raise ValueError(f"another cell already has the id {wanted['id']!r}")
    cells.insert(at, wanted)
    return True


def update_colab_cells(
    paths: list[Path], repo: str | None = None, branch: str | None = None, check: bool = False
) -> list[Path]:
    """Give each notebook the current Colab cell; the paths that changed (or would, with check)."""
    changed = []
    for path in paths:
        nb = read_notebook(path)
        if set_colab_cell(nb, repo, branch):
            changed.append(path)
            if not check:
                write_notebook(nb, path)
    return changed


def lesson_paths(root: Path = ROOT) -> list[Path]:
    return sorted((root / "notebooks").glob("*.ipynb"))


#: The folders whose notebooks students open on Colab (the masters, so that the exercise
#: notebooks built from them carry the same cell).
COLAB_FOLDERS = ("notebooks", "exercises", "solutions")


def colab_paths(root: Path = ROOT) -> list[Path]:
    """Every notebook that gets the Colab cell: lessons, exercise notebooks and their masters."""
    return [path for folder in COLAB_FOLDERS for path in sorted((root / folder).glob("*.ipynb"))]


def point_release_at(root: Path, repo: str, branch: str | None = None) -> list[Path]:
    """Point a student release in ``root`` at its own repository; the files it changed.

    The release's ``b2bsm/links.py`` names ``repo``, and the Colab cell of every
    notebook installs the kit from ``repo``.  Without this, a release opened on
    Colab would install the instructor's copy of the kit, answer key and all.
    """
    links.check_repository(repo)
    branch = branch or links.BRANCH
    changed = []
    settings = Path(root) / "b2bsm" / "links.py"
    text = settings.read_text(encoding="utf-8")
    new = _settings_text(text, repo, branch, links.HUB_URL)
    if new != text:
        settings.write_text(new, encoding="utf-8")
        changed.append(settings)
    return changed + update_colab_cells(colab_paths(Path(root)), repo, branch)


# --------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------
def _checkout_root() -> Path:
    if not (ROOT / "pyproject.toml").is_file() or not (ROOT / "notebooks").is_dir():
        raise SystemExit(
            "b2bsm.links set edits the files of a clone of the kit, but this b2bsm is an "
            f"installed package ({ROOT}). Run it from your clone: `cd your-fork && "
            "python -m pip install -e . && python -m b2bsm_teach.links set OWNER/NAME`."
        )
    return ROOT


def set_repository(repo: str, branch: str | None = None, hub: str | None = None) -> list[Path]:
    """Point the checkout at ``repo`` (and ``branch``/``hub``); the files it changed."""
    links.check_repository(repo)
    root = _checkout_root()
    old, old_branch = links.REPOSITORY, links.BRANCH
    branch = branch or old_branch
    hub = links.HUB_URL if hub is None else hub.rstrip("/")
    if hub and not re.match(r"^https?://[^\s/]+", hub):
        raise SystemExit(
            f"--hub must be the hub's address, e.g. https://hub.example.edu; got {hub!r}"
        )
    changed = []
    text = LINKS_FILE.read_text(encoding="utf-8")
    new = _settings_text(text, repo, branch, hub)
    if new != text:
        LINKS_FILE.write_text(new, encoding="utf-8")
        changed.append(LINKS_FILE)
    for name in TEXT_FILES:
        path = root / name
        text = path.read_text(encoding="utf-8")
        new = retarget(text, old, repo, old_branch, branch)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    changed += update_colab_cells(colab_paths(root), repo, branch)
    links.REPOSITORY, links.BRANCH, links.HUB_URL = repo, branch, hub
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m b2bsm_teach.links",
        description="Show or change the repository every launch link of the kit points at.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show", help="print the current settings")
    set_ = sub.add_parser("set", help="point README, lessons and settings at OWNER/NAME")
    set_.add_argument("repository", help="the GitHub repository, OWNER/NAME")
    set_.add_argument("--branch", help=f"branch students launch from (now {links.BRANCH!r})")
    set_.add_argument("--hub", help="JupyterHub address for nbgitpuller links ('' for none)")
    args = parser.parse_args(argv)
    if args.command == "show":
        print(f"repository {links.REPOSITORY}  branch {links.BRANCH}  hub {links.HUB_URL or '-'}")
        return 0
    try:
        links.check_repository(args.repository)
    except ValueError as exc:
        parser.error(str(exc))
    changed = set_repository(args.repository, args.branch, args.hub)
    names = ", ".join(str(p.relative_to(ROOT)) for p in changed) or "nothing (already set)"
    print(f"links now point at {args.repository} ({links.BRANCH}); changed: {names}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
