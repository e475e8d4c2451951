"""How a lesson is built: prose between code steps, small steps, practice cells that work.

* Prose between steps: in a lesson, no code cell directly follows another code cell, except
  the first code cell after the Colab set-up cell and a practice check (a cell tagged
  ``practice`` or one that only calls ``practice.check``).  Lesson 04 once lost its
  "correlation is not causation" section this way: its simulation cell survived, but as the
  second of two code cells in a row once the prose around it was cut.
* Small steps: the median code cell has at most 5 non-blank lines and none has more than 15,
  except a cell that draws a figure.
* Practice: every cell tagged ``practice`` is stored unanswered (``...`` and the feedback
  "[not answered]"), checks a question its lesson's practice module defines, and is followed
  by a markdown cell with a collapsible worked solution.
"""

from __future__ import annotations

import importlib
import itertools
import re
import statistics
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MEDIAN_LINES, MAX_LINES = 5, 15
CHECK_ONLY = re.compile(r"^\s*(#.*\n)*\s*practice\.check\([^\n]*\)\s*$")
PRACTICE_IMPORT = re.compile(r"from b2bsm\.practice import (\w+) as practice")


def _id(path: Path) -> str:
    return path.name


def _read(path):
    return nbformat.read(path, as_version=4)


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _lines(cell) -> int:
    return sum(
        1 for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")
    )


def _is_figure(cell) -> bool:
    return any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def code_after_code(nb) -> list[str]:
    """Code cells that follow a code cell with no prose between them (see the module docs)."""
    problems = []
    cells = [c for c in nb.cells if c.source.strip()]
    for before, cell in itertools.pairwise(cells):
        if cell.cell_type != "code" or before.cell_type != "code":
            continue
        if "colab-setup" in _tags(before) or "practice" in _tags(cell):
            continue
        if CHECK_ONLY.match(cell.source):
            continue
        first = cell.source.strip().splitlines()[0][:60]
        problems.append(f"code cell '{first}' follows a code cell: explain the step in between")
    return problems


def long_cells(nb) -> list[str]:
    """Code cells over the limit (figures excepted), and a median over the target."""
    code = [c for c in nb.cells if c.cell_type == "code" and "colab-setup" not in _tags(c)]
    code = [c for c in code if c.source.strip()]
    problems = [
        f"a code cell of {_lines(c)} lines ('{c.source.strip().splitlines()[0][:50]}'): "
        f"split it into steps of at most {MAX_LINES}"
        for c in code
        if _lines(c) > MAX_LINES and not _is_figure(c)
    ]
    if code and statistics.median(_lines(c) for c in code) > MEDIAN_LINES:
        median = statistics.median(_lines(c) for c in code)
        problems.append(f"the median code cell has {median} lines; the target is {MEDIAN_LINES}")
    return problems


def practice_problems(nb) -> list[str]:
    """Practice cells that are stored answered, check an unknown question or lack a solution."""
    problems = []
    module = None
    for cell in nb.cells:
        found = PRACTICE_IMPORT.search(cell.source) if cell.cell_type == "code" else None
        if found:
            module = importlib.import_module(f"b2bsm.practice.{found[1]}")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "practice" not in _tags(cell):
            continue
        where = f"practice cell {i}"
        if module is None:
            problems.append(f"{where}: the lesson never imports its practice module")
            continue
        if "= ..." not in cell.source:
            problems.append(f"{where}: store it unanswered, with `...` as the answer")
        shown = "".join(out.get("text", "") for out in cell.get("outputs", []))
        if "[not answered]" not in shown:
            problems.append(f"{where}: the stored output must show the unanswered state")
        known = {q.id for q in module.QUESTIONS}
        for qid in re.findall(r"practice\.check\(\"(\w+)\"", cell.source):
            if qid not in known:
                problems.append(f"{where}: {qid} is not a question of {module.__name__}")
        after = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        if after is None or after.cell_type != "markdown" or "<details>" not in after.source:
            problems.append(f"{where}: follow it with a <details> worked solution")
    return problems


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_prose_between_code_steps(path):
    assert code_after_code(_read(path)) == []


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_code_comes_in_small_steps(path):
    assert long_cells(_read(path)) == []


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_practice_cells_are_stored_unanswered_with_a_solution(path):
    assert practice_problems(_read(path)) == []


@pytest.mark.parametrize("path", [p for p in LESSONS if re.match(r"0[1-9]|1\d", p.name)], ids=_id)
def test_lessons_have_practice_spread_through_them(path):
    """At least three practice cells, not bunched together: one in each third of the lesson."""
    nb = _read(path)
    at = [i for i, c in enumerate(nb.cells) if "practice" in _tags(c)]
    assert len(at) >= 3, f"{_id(path)} has {len(at)} practice cells; give it at least three"
    thirds = {3 * i // len(nb.cells) for i in at}
    assert thirds == {0, 1, 2}, f"{_id(path)}: practice cells sit only in thirds {sorted(thirds)}"


def test_lesson_00_runs_a_real_check_wrong_then_right():
    nb = _read(ROOT / "notebooks" / "00_start_here.ipynb")
    shown = [
        "".join(out.get("text", "") for out in c.get("outputs", []))
        for c in nb.cells
        if c.cell_type == "code" and "practice.check(" in c.source
    ]
    assert len(shown) >= 2
    assert "[try again]" in shown[0] and "Not quite." in shown[0]
    assert "[correct]" in shown[-1]


def test_lesson_04_keeps_its_causation_section_before_the_simulation():
    nb = _read(ROOT / "notebooks" / "04_use_and_potential.ipynb")
    heading = next(
        i for i, c in enumerate(nb.cells) if "correlation is not causation" in c.source.lower()
    )
    simulation = next(i for i, c in enumerate(nb.cells) if "maturity = rng" in c.source)
    assert heading < simulation
    assert nb.cells[simulation - 1].cell_type == "markdown"


def test_the_structure_checks_can_fail():
    nb = nbformat.v4.new_notebook()
    setup = nbformat.v4.new_code_cell("pass", metadata={"tags": ["colab-setup"]})
    imports = nbformat.v4.new_code_cell("import numpy as np")
    step = nbformat.v4.new_code_cell("\n".join(f"x{i} = {i}" for i in range(16)))
    nb.cells = [setup, imports, step]
    assert len(code_after_code(nb)) == 1  # the step after the imports, with no prose
    assert any("16 lines" in p for p in long_cells(nb))
    check = nbformat.v4.new_code_cell('practice.check("p1", answer_p1)')
    nb.cells = [setup, imports, nbformat.v4.new_markdown_cell("Why."), step, check]
    assert code_after_code(nb) == []  # a bare practice check may follow its code
    answered = nbformat.v4.new_code_cell(
        'answer_p1 = 3\npractice.check("p9", answer_p1)', metadata={"tags": ["practice"]}
    )
    nb.cells = [
        nbformat.v4.new_code_cell("from b2bsm.practice import lesson02 as practice"),
        answered,
    ]
    found = " | ".join(practice_problems(nb))
    assert "unanswered" in found and "p9 is not a question" in found and "<details>" in found


GLOSSARY = ROOT / "docs" / "glossary.md"
GLOSSARY_LINK = re.compile(r"glossary\.md#([\w-]+)")


def missing_glossary_anchors(text: str, glossary: str) -> list[str]:
    """Anchors linked as ``glossary.md#anchor`` that the glossary does not define."""
    defined = set(re.findall(r'<a id="([\w-]+)"></a>', glossary))
    return sorted({a for a in GLOSSARY_LINK.findall(text) if a not in defined})


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_glossary_links_resolve(path):
    text = "\n".join(c.source for c in _read(path).cells if c.cell_type == "markdown")
    glossary = GLOSSARY.read_text(encoding="utf-8")
    assert missing_glossary_anchors(text, glossary) == [], "add the term to docs/glossary.md"


def test_glossary_check_can_fail():
    assert missing_glossary_anchors("see [x](glossary.md#nope)", '<a id="yes"></a>') == ["nope"]
