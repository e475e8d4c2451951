"""Practice cells of lessons 01, 06, 07, 08 and 09: each check accepts the right answer and
names a typical wrong one; each lesson has at least three, stored unanswered, with a worked
solution right after.  (Lessons 00 and 02-05: tests/test_practice_survey.py.)
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import nbformat
import pytest

from b2bsm.exercises.questions import Precision

ROOT = Path(__file__).resolve().parents[1]
LESSONS = {
    "01": "01_b2b_vs_b2c.ipynb",
    "06": "06_auditing_published_tables.ipynb",
    "07": "07_content_engagement.ipynb",
    "08": "08_designing_engagement_experiments.ipynb",
    "09": "09_engagement_to_pipeline.ipynb",
}
CALL = re.compile(r'practice\.check\("(?P<id>p\d+)", answer_(?P=id)\)')


def _module(lesson: str):
    return importlib.import_module(f"b2bsm.practice.lesson{lesson}")


def _rounded(precision: Precision, value):
    return float(precision.canonical(value))


CASES = [(lesson, q.id) for lesson in sorted(LESSONS) for q in _module(lesson).QUESTIONS]


@pytest.mark.parametrize(("lesson", "qid"), CASES)
def test_right_answer_is_accepted_and_typical_slips_are_named(lesson, qid):
    module = _module(lesson)
    found = importlib.import_module("b2bsm.practice")
    q = {q.id: q for q in module.QUESTIONS}[qid]
    practice = found.PracticeSet(module.TITLE, module.QUESTIONS, module.load_data)
    data = module.load_data()
    if q.kind == "choice":
        assert practice.evaluate(qid, q.correct).status == "correct"
        wrong = next(letter for letter in q.choices if letter != q.correct)
        verdict = practice.evaluate(qid, wrong)
        assert verdict.status == "wrong" and q.explanations[wrong] in verdict.feedback
        return
    reference = q.reference(data)
    assert practice.evaluate(qid, _rounded(q.precision, reference)).status == "correct"
    assert q.mistakes, f"lesson {lesson} {qid}: list at least one typical mistake"
    for mistake, value in zip(q.mistakes, q.mistake_values(data), strict=True):
        assert value is not None
        verdict = practice.evaluate(qid, value)
        assert verdict.status == "wrong", (lesson, qid, mistake.message)
        assert mistake.message in verdict.feedback


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_lessons_ask_at_least_three_practice_questions_stored_unanswered(lesson):
    nb = nbformat.read(ROOT / "notebooks" / LESSONS[lesson], as_version=4)
    ids = []
    for i, cell in enumerate(nb.cells):
        if "practice" not in cell.metadata.get("tags", []):
            continue
        match = CALL.search(cell.source)
        assert match and re.search(rf"answer_{match['id']} = \.\.\.", cell.source), cell.source
        ids.append(match["id"])
        output = "".join(o.get("text", "") for o in cell.outputs)
        assert f"{match['id']} [not answered]" in output, f"cell {i}: store it unanswered"
        after = nb.cells[i + 1]
        assert after.cell_type == "markdown"
        assert after.source.startswith("<details><summary>Worked solution</summary>")
        assert after.source.rstrip().endswith("</details>")
        assert nb.cells[i - 1].cell_type == "markdown", f"cell {i}: prose before the question"
    assert len(ids) >= 3 and ids == sorted(set(ids), key=lambda s: int(s[1:]))
    assert ids == [q.id for q in _module(lesson).QUESTIONS]
