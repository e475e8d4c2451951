"""Re-execute notebooks in place so their stored outputs match the code.

Usage::

    python tools/execute_notebooks.py notebooks solutions      # folders or .ipynb files

Each notebook runs top to bottom in a fresh kernel from its own folder, with
warnings turned into errors (as in the test suite).  A notebook that raises or
warns is reported and left unchanged on disk; the command then exits 1.

The ids that libraries draw at random on each run (ipywidgets' model ids, the table ids of
pandas' Styler, object addresses) are renamed in an order that does not depend on them
(:func:`stable_ids`), and the pieces the kernel splits a print into are joined (nbclient's
``coalesce_streams``, the rule nbval compares by), so that re-running an unchanged notebook
rewrites it byte for byte and a diff shows only what changed. Only outputs that measure the
machine (lesson 08's loop-versus-vectorised timing) still differ between runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# Same rule as the test suite: warnings raised in a kernel are errors (see the module).
from tools.kernel_warnings import KERNEL_WARNINGS


def notebook_paths(args: list[str]) -> list[Path]:
    paths: list[Path] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            paths.extend(sorted(p.glob("*.ipynb")))
        elif p.suffix == ".ipynb" and p.is_file():
            paths.append(p)
        else:
            raise SystemExit(f"{arg}: not a notebook or a folder of notebooks")
    return paths


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MODEL_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")
#: An object's address in a default repr, ``<pandas.io.formats.style.Styler at 0x7f...>``.
ADDRESS = re.compile(r" at 0x([0-9a-f]{6,16})>")
#: pandas' Styler names its table ``T_`` + the first 5 hex digits of a random uuid4.
STYLER_ID = re.compile(r"\bT_([0-9a-f]{5})(?=[_\"' ])")


def _stable(label: str, kind: str, n: int, length: int) -> str:
    return hashlib.sha256(f"{label}:{kind}:{n}".encode()).hexdigest()[:length]


def _widget_order(nb) -> list[str]:
    """The stored widget models in an order that does not depend on their random ids: those
    the outputs show, in cell order, then the models each one refers to (breadth first, by
    field name), then any others by their content."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    views = [
        out.get("data", {}).get(WIDGET_VIEW, {}).get("model_id")
        for cell in nb.cells
        for out in cell.get("outputs", [])
    ]
    order = list(dict.fromkeys(m for m in views if m in state))
    for model in order:  # grows while it is walked: breadth first
        refs = MODEL_REF.findall(json.dumps(state[model], sort_keys=True))
        order.extend(r for r in dict.fromkeys(refs) if r in state and r not in order)
    blank = {m: MODEL_ID.sub("*", json.dumps(state[m], sort_keys=True)) for m in state}
    return order + sorted((m for m in state if m not in order), key=lambda m: blank[m])


def stable_ids(nb, label: str):
    """``nb`` with the ids libraries draw at random renamed, in an order that does not
    depend on them, to ids derived from ``label`` (the notebook's name) and that order:
    ipywidgets' model ids, the table ids of pandas' Styler, and object addresses in
    ``<... at 0x...>`` reprs.

    >>> import nbformat
    >>> def styled(uid):
    ...     html = {"text/html": f'<table id="T_{uid}">'}
    ...     cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", html)])
    ...     return nbformat.v4.new_notebook(cells=[cell])
    >>> first = stable_ids(styled("1a2b3"), "x").cells[0].outputs
    >>> first == stable_ids(styled("9f8e7"), "x").cells[0].outputs, first[0]["data"]["text/html"]
    (True, '<table id="T_1637c">')
    """
    renames = {m: _stable(label, "widget", n, 32) for n, m in enumerate(_widget_order(nb))}
    text = json.dumps(nb)
    if renames:
        text = MODEL_ID.sub(lambda m: renames.get(m[0], m[0]), text)
    nb = nbformat.from_dict(json.loads(text))
    tables: dict[str, str] = {}
    addresses: dict[str, str] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for mime in ("text/html", "text/plain"):
                if mime not in data:
                    continue
                value = data[mime]
                value = "".join(value) if isinstance(value, list) else value
                for uid in STYLER_ID.findall(value):
                    tables.setdefault(uid, _stable(label, "styler", len(tables), 5))
                value = STYLER_ID.sub(lambda m: "T_" + tables[m[1]], value)
                for address in ADDRESS.findall(value):
                    addresses.setdefault(address, _stable(label, "address", len(addresses), 12))
                data[mime] = ADDRESS.sub(lambda m: " at 0x" + addresses[m[1]] + ">", value)
    return nb


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        record_timing=False,
        coalesce_streams=True,  # one output per stream: the kernel splits prints at random
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "")
                if "Warning" in text or "Traceback" in text:
                    raise RuntimeError(f"stderr output in a cell:\n{text[:2000]}")
    nb = stable_ids(nb, path.name)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    os.environ["PYTHONWARNINGS"] = KERNEL_WARNINGS
    failed = 0
    for path in notebook_paths(argv or ["notebooks", "solutions"]):
        try:
            seconds = execute(path)
        except (CellExecutionError, RuntimeError) as exc:
            failed += 1
            print(f"FAILED {path}\n{exc}", file=sys.stderr)
            continue
        print(f"{seconds:6.1f} s  {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
