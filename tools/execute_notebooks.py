"""Re-execute notebooks in place so their stored outputs match the code.

Usage::

    python tools/execute_notebooks.py notebooks solutions      # folders or .ipynb files

Each notebook runs top to bottom in a fresh kernel from its own folder, with
warnings turned into errors (as in the test suite).  A notebook that raises or
warns is reported and left unchanged on disk; the command then exits 1.
"""

from __future__ import annotations

import os
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


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        record_timing=False,
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
