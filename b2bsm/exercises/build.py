"""Build the student exercise notebooks from the solution masters.

The master of each set is ``solutions/NN_<lesson>_exercises.ipynb``.  In it:

* cells tagged ``solution`` hold a worked answer.  Their leading comment lines
  (the instructions) are kept; the code is replaced by one placeholder line per
  answer variable, ``answer_qN = ...  # <hint>``, with the hint taken from the
  cell's metadata ``{"b2bsm": {"hint": "..."}}``;
* cells tagged ``hidden-check`` are instructor-only and removed;
* every output and execution count is cleared.

The work is done with nbformat and nbconvert's preprocessors, not by editing
JSON by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from b2bsm._paths import REPO_ROOT

SOLUTION_TAG = "solution"
HIDDEN_TAG = "hidden-check"
PLACEHOLDER_NOTE = "replace ... with your answer"
_ANSWER = re.compile(r"^(answer_q\d+)\s*=", re.MULTILINE)


def masters(folder: Path | None = None) -> list[Path]:
    """The solution masters, ``solutions/*_exercises.ipynb``."""
    folder = Path(folder) if folder is not None else REPO_ROOT / "solutions"
    return sorted(folder.glob("*_exercises.ipynb"))


def placeholder(cell) -> str:
    """The student version of a ``solution`` cell: its instructions plus ``answer_qN = ...``."""
    lines = cell.source.splitlines()
    head = []
    for line in lines:
        if line.startswith("#"):
            head.append(line)
        else:
            break
    names = _ANSWER.findall(cell.source)
    if not names:
        raise ValueError(
            "a cell tagged 'solution' must assign its answer to a variable answer_qN; "
            f"this one does not:\n{cell.source[:200]}"
        )
    hint = cell.metadata.get("b2bsm", {}).get("hint", PLACEHOLDER_NOTE)
    body = [f"{name} = ...  # {hint}" for name in dict.fromkeys(names)]
    return "\n".join(head + body)


def student_version(master):
    """A student notebook (nbformat node) from a master notebook node."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, ClearOutputPreprocessor
    from traitlets.config import Config

    nb = nbformat.from_dict(master)  # a deep copy
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if SOLUTION_TAG in cell.metadata.get("tags", []):
            cell.source = placeholder(cell)
            cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != SOLUTION_TAG]
            cell.metadata["tags"].append("answer")
            cell.metadata.pop("b2bsm", None)
    config = Config()
    config.ClearMetadataPreprocessor.preserve_cell_metadata_mask = ["tags"]
    config.ClearMetadataPreprocessor.preserve_nb_metadata_mask = [
        "kernelspec",
        "language_info",
        "b2bsm",
    ]
    nb, _ = ClearOutputPreprocessor().preprocess(nb, {})
    nb, _ = ClearMetadataPreprocessor(config=config).preprocess(nb, {})
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: rebuilding gives identical files
    nbformat.validate(nb)
    return nb


def exercise_name(master: Path) -> str:
    return master.name


def build(
    solutions: Path | None = None, exercises: Path | None = None, check: bool = False
) -> list[Path]:
    """Write (or, with ``check``, compare) every exercise notebook; return the stale ones."""
    out_dir = Path(exercises) if exercises is not None else REPO_ROOT / "exercises"
    out_dir.mkdir(parents=True, exist_ok=True)
    stale = []
    for master in masters(solutions):
        nb = student_version(nbformat.read(master, as_version=4))
        text = nbformat.writes(nb) + "\n"
        target = out_dir / exercise_name(master)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(target)
            if not check:
                target.write_text(text, encoding="utf-8")
    return stale
