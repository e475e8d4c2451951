"""Build the student exercise notebooks from the solution masters, with one source of words.

The master of each set is ``solutions/NN_<lesson>_exercises.ipynb``.  In it:

* the markdown cell of each question carries the metadata
  ``{"b2bsm": {"question": "qN"}}``; its text is *generated* from the set
  module's ``prompt`` and precision (:func:`question_markdown`), so the words a
  student reads and the question the checker grades cannot drift apart
  (:func:`sync` rewrites these cells; ``build`` runs it first);
* cells tagged ``solution`` hold a worked answer.  Their leading comment lines
  (the instructions) are kept; the code is replaced by one placeholder line per
  answer variable, ``answer_qN = ...  # <hint>``, with the hint taken from the
  cell's metadata ``{"b2bsm": {"hint": "..."}}``;
* cells tagged ``hidden-check`` are instructor-only and removed;
* every output and execution count is cleared.

Building needs the full answer key (the set modules), so it runs in the
instructor's copy of the kit.  The work is done with nbformat and nbconvert's
preprocessors, not by editing JSON by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from b2bsm._paths import REPO_ROOT

SOLUTION_TAG = "solution"
HIDDEN_TAG = "hidden-check"
PLACEHOLDER_NOTE = "replace ... with your answer"
_ANSWER = re.compile(r"^(answer_q\d+)\s*=", re.MULTILINE)
_HEADING = re.compile(r"^##\s+(q\d+)\b")


def masters(folder: Path | None = None) -> list[Path]:
    """The solution masters, ``solutions/*_exercises.ipynb``."""
    folder = Path(folder) if folder is not None else REPO_ROOT / "solutions"
    return sorted(folder.glob("*_exercises.ipynb"))


def set_of(path: Path) -> str:
    """The set id of a master or exercise notebook: its metadata, else the file name's digits."""
    nb = nbformat.read(path, as_version=4)
    return str(nb.metadata.get("b2bsm", {}).get("exercise_set", Path(path).name[:2]))


# --------------------------------------------------------------------------
# One source for the words of each question
# --------------------------------------------------------------------------
def question_markdown(q) -> str:
    """The markdown cell of a question, generated from its set module entry.

    Parameters
    ----------
    q : Question
        A question of a set module.

    Examples
    --------
    >>> from b2bsm.exercises.questions import Question, decimals
    >>> q = Question(id="q1", kind="number", points=2, prompt="Mean of **x**?",
    ...              expected=len, precision=decimals(1))
    >>> print(question_markdown(q))
    ## q1 · 2 points
    <BLANKLINE>
    Mean of **x**? Give your answer to 1 decimal place.
    """
    from b2bsm.exercises.questions import question_text

    points = f"{q.points} point{'s' if q.points != 1 else ''}"
    params = q.params_for(None)  # the shipped data's wording: readable in any static view
    lines = [f"## {q.id} · {points}", "", question_text(q.kind, q.prompt, q.precision, params)]
    if q.params is not None:
        lines += [
            "",
            "This is the wording for the shipped practice data. Your own version (which item, "
            "tool or value it asks about) depends on your student id: run "
            f'`ex.question("{q.id}")` '
            "to see it; "
            f'`ex.params("{q.id}")` '
            "gives its values to use in your code.",
        ]
    if q.kind == "choice":
        lines += ["", *[f"- {letter}) {text}" for letter, text in q.choices.items()]]
        lines += ["", 'Answer with one letter as a string, e.g. `"a"`.']
    elif q.kind == "open":
        lines += ["", "Answer in a few sentences, as a string; your instructor grades this answer."]
    return "\n".join(lines)


def _question_cells(nb) -> dict[str, list[int]]:
    """Question id -> indices of the markdown cells that hold (or, untagged, look like) it."""
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        qid = cell.metadata.get("b2bsm", {}).get("question")
        if qid is None:
            match = _HEADING.match(cell.source)
            qid = match.group(1) if match else None
        if qid is not None:
            found.setdefault(qid, []).append(i)
    return found


def sync_notebook(nb, questions) -> list[str]:
    """Rewrite the question cells of a master from ``questions``; return the ids changed.

    A question cell is the markdown cell with metadata ``b2bsm.question`` (or,
    the first time, the one whose heading is ``## qN``).  Raises a ValueError
    that names the fix when a question has no cell, two cells, or a cell has
    no question.
    """
    cells = _question_cells(nb)
    ids = [q.id for q in questions]
    problems = [f"{qid}: no markdown cell" for qid in ids if qid not in cells]
    problems += [f"{qid}: {len(idx)} markdown cells" for qid, idx in cells.items() if len(idx) > 1]
    problems += [f"{qid}: a cell, but no such question" for qid in cells if qid not in ids]
    if problems:
        raise ValueError(
            "the master's question cells do not match the set module ("
            + "; ".join(problems)
            + "). Give every question exactly one markdown cell starting '## qN'."
        )
    changed = []
    for q in questions:
        cell = nb.cells[cells[q.id][0]]
        text = question_markdown(q)
        meta = cell.metadata.setdefault("b2bsm", {})
        if cell.source != text or meta.get("question") != q.id:
            cell.source = text
            meta["question"] = q.id
            changed.append(q.id)
    return changed


def question_drift(path: Path) -> list[str]:
    """The questions whose cell in the notebook ``path`` differs from the set module's words."""
    from b2bsm_teach.exercises.sets import load_set

    nb = nbformat.read(path, as_version=4)
    questions = load_set(set_of(path)).QUESTIONS
    cells = _question_cells(nb)
    drift = []
    for q in questions:
        idx = cells.get(q.id, [])
        if len(idx) != 1 or nb.cells[idx[0]].source != question_markdown(q):
            drift.append(q.id)
    drift += [qid for qid in cells if qid not in {q.id for q in questions}]
    return drift


def sync(solutions: Path | None = None, check: bool = False) -> list[Path]:
    """Rewrite (or, with ``check``, only compare) the question cells of every master.

    Returns the masters that were (or would be) changed.
    """
    from b2bsm_teach.exercises.sets import load_set

    stale = []
    for master in masters(solutions):
        nb = nbformat.read(master, as_version=4)
        changed = sync_notebook(nb, load_set(set_of(master)).QUESTIONS)
        if changed:
            stale.append(master)
            if not check:
                nbformat.validate(nb)
                master.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return stale


# --------------------------------------------------------------------------
# Student notebooks
# --------------------------------------------------------------------------
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


@dataclass
class BuildReport:
    """What :func:`build` did: notebooks written (or due), and masters whose words were synced."""

    notebooks: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    masters_synced: list[Path] = field(default_factory=list)
    out_dir: Path | None = None

    def summary(self, check: bool = False) -> str:
        """One line, e.g. ``built 8 exercise notebooks (2 changed) in exercises/``."""
        where = _shown(self.out_dir)
        n, k = len(self.notebooks), len(self.stale)
        s = "s" if n != 1 else ""
        if check:
            line = f"checked {n} exercise notebook{s} in {where}: {k} out of date"
            if self.masters_synced:
                line += f", {len(self.masters_synced)} master(s) with question words to sync"
            return line
        line = f"built {n} exercise notebook{s} ({k} changed) in {where}"
        if self.masters_synced:
            line += f"; question words synced in {len(self.masters_synced)} master(s)"
        return line


def _shown(path: Path | None) -> str:
    if path is None:
        return "exercises/"
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT)) + "/"
    except ValueError:
        return str(path) + "/"


def build(
    solutions: Path | None = None,
    exercises: Path | None = None,
    check: bool = False,
    report: BuildReport | None = None,
    sync_masters: bool = False,
) -> list[Path]:
    """Write every exercise notebook, with each question's words from its set module.

    The question cells are generated in memory, so the exercises always match
    the set modules.  With ``sync_masters`` (the command line's ``build``) the
    masters' question cells are rewritten too.  With ``check`` nothing is
    written.  Returns the exercise notebooks that were (or would be) rewritten;
    ``report`` (a :class:`BuildReport`) also lists the masters out of sync.
    """
    from b2bsm_teach.exercises.sets import load_set

    report = report if report is not None else BuildReport()
    out_dir = Path(exercises) if exercises is not None else REPO_ROOT / "exercises"
    report.out_dir = out_dir
    if not check:
        out_dir.mkdir(parents=True, exist_ok=True)
    for master in masters(solutions):
        nb = nbformat.read(master, as_version=4)
        if sync_notebook(nb, load_set(set_of(master)).QUESTIONS):
            report.masters_synced.append(master)
            if sync_masters and not check:
                nbformat.validate(nb)
                master.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        text = nbformat.writes(student_version(nb)) + "\n"
        target = out_dir / exercise_name(master)
        report.notebooks.append(target)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            report.stale.append(target)
            if not check:
                target.write_text(text, encoding="utf-8")
    return report.stale
