"""Exercise sets: masters and exercises agree, the id is set in one place, checks teach.

The checking policy itself (precision, wrong methods rejected, variants that
vary, fair multiple choice) is tested in ``tests/test_checking_policy.py``.
"""

from __future__ import annotations

import functools
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from b2bsm._paths import REPO_ROOT
from b2bsm.exercises import grade_answers, start, variant_seed
from b2bsm.exercises.data import load_data, make_draft, shared_data
from b2bsm.exercises.questions import decimals
from b2bsm_teach.exercises.build import build, masters, question_markdown, student_version
from b2bsm_teach.exercises.sets import SETS, load_set

MASTERS = masters()
ID_LINE = 'STUDENT_ID = ""  # your student id, e.g. "s1234567"'


def test_every_registered_set_has_a_master_and_an_exercise_notebook():
    ids = {m.name[:2] for m in MASTERS}
    assert ids == set(SETS)
    for master in MASTERS:
        assert (REPO_ROOT / "exercises" / master.name).is_file()


def test_exercises_folder_is_what_the_build_writes(tmp_path):
    assert build(exercises=tmp_path) != []  # a fresh folder is written
    for master in MASTERS:
        built = (tmp_path / master.name).read_text(encoding="utf-8")
        shipped = (REPO_ROOT / "exercises" / master.name).read_text(encoding="utf-8")
        assert built == shipped, f"exercises/{master.name} is stale: run `make exercises`"
    assert build(exercises=tmp_path, check=True) == []


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.name)
def test_question_cells_are_the_set_modules_words(path):
    """One source of words: each question's markdown cell is generated from its module."""
    nb = nbformat.read(path, as_version=4)
    cells = {
        c.metadata["b2bsm"]["question"]: c.source
        for c in nb.cells
        if c.cell_type == "markdown" and "question" in c.metadata.get("b2bsm", {})
    }
    questions = load_set(path.name[:2]).QUESTIONS
    assert list(cells) == [q.id for q in questions]
    for q in questions:
        assert cells[q.id] == question_markdown(q), f"{path.name} {q.id}: run the build to sync"


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.name)
def test_the_student_id_is_set_once_in_the_first_code_cell(path):
    """After the Colab set-up cell (tests/test_colab.py), which does nothing elsewhere."""
    set_id = path.name[:2]
    for nb in (
        nbformat.read(path, as_version=4),
        nbformat.read(REPO_ROOT / "exercises" / path.name, as_version=4),
    ):
        code = [
            c.source
            for c in nb.cells
            if c.cell_type == "code" and "colab-setup" not in c.metadata.get("tags", [])
        ]
        first = code[0].splitlines()
        assert ID_LINE in first
        assert f'ex = start("{set_id}", STUDENT_ID)' in first
        assert not any(
            "STUDENT_ID" in source for source in code[1:] if "grade_answers" not in source
        )


def _solution_lines(master) -> set[str]:
    lines = set()
    for cell in master.cells:
        if "solution" in cell.metadata.get("tags", []):
            for line in cell.source.splitlines():
                line = line.strip()
                if len(line) >= 8 and re.search("[a-z]", line) and not line.startswith("#"):
                    lines.add(line)
    return lines


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.name)
def test_no_solution_text_leaks_into_the_exercise(path):
    master = nbformat.read(path, as_version=4)
    exercise = (REPO_ROOT / "exercises" / path.name).read_text(encoding="utf-8")
    leaked = [line for line in _solution_lines(master) if line in exercise]
    assert leaked == []
    assert "hidden-check" not in exercise and "grade_answers" not in exercise
    nb = nbformat.reads(exercise, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_build_refuses_a_solution_cell_without_an_answer_variable():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]})]
    with pytest.raises(ValueError, match="answer_qN"):
        student_version(nb)


@pytest.mark.parametrize("set_id", sorted(SETS))
def test_questions_are_well_formed(set_id):
    questions = load_set(set_id).QUESTIONS
    ids = [q.id for q in questions]
    assert ids == [f"q{i}" for i in range(1, len(ids) + 1)] and 4 <= len(ids) <= 8
    kinds = {q.kind for q in questions}
    assert "open" in kinds and "choice" in kinds and kinds & {"number", "table"}
    for q in questions:
        if q.kind == "choice":
            for option, why in q.explanations.items():
                if option != q.correct:
                    assert f"'{q.correct}'" not in why and f"({q.correct})" not in why


# --------------------------------------------------------------------------- feedback
@functools.cache
def opened(set_id: str, student: str | None = None):
    """One opened set per student per test session (set 07 fits models: reuse its fits)."""
    return start(set_id, student, quiet=True)


@pytest.mark.parametrize("set_id", sorted(SETS))
def test_every_listed_mistake_gets_its_own_message(set_id):
    """Each typical wrong method, answered as a student would, gets the feedback written for it."""
    ex = opened(set_id, "s4000001")
    for q in ex.questions.values():
        if q.kind not in ("number", "table"):
            continue
        params = q.params_for(ex.seed)
        values = q.mistake_values(ex.data, params)
        for mistake, value in zip(q.mistakes, values, strict=True):
            verdict = ex.evaluate(q.id, value)
            assert verdict.status == "wrong" and verdict.points == 0
            assert mistake.message in verdict.feedback, (set_id, q.id, verdict.feedback)
            assert verdict.student == "s4000001"


INVALID = [
    ("02", "q1", "9", "invalid", "no quotes"),
    ("02", "q1", [9, 10], "invalid", "needs a number"),
    ("02", "q1", float("nan"), "invalid", "NaN"),
    ("02", "q1", ..., "not answered", "Not answered yet"),
    ("02", "q5", "z", "invalid", "choose one of"),
    ("02", "q6", "short", "not answered", "few sentences"),
    ("06", "q1", 3, "invalid", "DataFrame"),
]


@pytest.mark.parametrize(("set_id", "qid", "answer", "status", "message"), INVALID)
def test_answers_that_cannot_be_checked_say_why(set_id, qid, answer, status, message):
    verdict = opened(set_id).evaluate(qid, answer)
    assert verdict.status == status
    assert message in verdict.feedback
    assert verdict.points == 0


@pytest.mark.parametrize("set_id", sorted(SETS))
def test_untouched_answers_score_zero_and_say_so(set_id):
    ex = opened(set_id)
    untouched = {f"answer_{qid}": ... for qid in ex.questions}
    records = grade_answers(set_id, untouched, student_id=None)
    assert [r["question"] for r in records] == list(ex.questions)
    assert all(r["points"] == 0 and r["status"] == "not answered" for r in records)
    missing = grade_answers(set_id, {}, student_id=None)
    assert all(r["status"] == "missing" and "answer_q" in r["feedback"] for r in missing)


def test_feedback_never_reveals_the_number():
    ex = opened("02", "s4000002")
    q = ex.questions["q2"]
    expected = q.reference(ex.data, q.params_for(ex.seed))
    for answer in (0.128, 7.2, 55.0, "x", ...):
        feedback = ex.evaluate("q2", answer).feedback
        assert f"{expected:.1f}" not in feedback and f"{expected:g}" not in feedback


def test_a_table_answer_is_checked_cell_by_cell():
    ex = opened("02")
    internal = ex.data[ex.data["use_internal"] >= "moderately"]
    counts = internal["size"].value_counts(sort=False)
    table = pd.DataFrame({"size": counts.index.astype(str), "firms": counts.to_numpy()})
    assert ex.evaluate("q4", table).status == "correct"
    wrong = table.assign(firms=100 * table["firms"] / table["firms"].sum())
    assert "percentages" in ex.evaluate("q4", wrong).feedback
    assert "lacks the column" in ex.evaluate("q4", table.rename(columns={"firms": "n"})).feedback
    assert ex.evaluate("q5", " C ").status == "correct"


def test_a_table_rounded_to_the_stated_precision_is_accepted():
    """Table 5 style percentages such as 56.25 may be given as 56.2 or 56.3."""
    ex = opened("05", "s4000003")
    q = ex.questions["q4"]
    reference = q.reference(ex.data, q.params_for(ex.seed))
    half_up = np.floor(reference["pct"] * 10 + 0.5) / 10
    half_down = np.ceil(reference["pct"] * 10 - 0.5) / 10
    for rounded in (half_up, half_down):
        assert ex.evaluate("q4", reference.assign(pct=rounded)).status == "correct"
    # 9/16 = 56.25 %: both 56.2 and 56.3 are the percentage rounded to 1 decimal
    assert decimals(1).matches(56.2, 100 * 9 / 16) and decimals(1).matches(56.3, 100 * 9 / 16)


def test_check_prints_and_handles_unknown_questions(capsys):
    ex = opened("02")
    ex.check("q1", ...)
    assert "not answered" in capsys.readouterr().out
    ex.check("q42", 1)
    assert "There is no question 'q42'" in capsys.readouterr().out


# --------------------------------------------------------------------------- data
def test_student_variants_differ_and_are_stable():
    assert variant_seed(None) is None
    assert variant_seed("s123") == variant_seed(" S123 ")
    a, b = start("02", "s123", quiet=True), start("02", "s456", quiet=True)
    assert not a.data.equals(b.data)
    # both variants keep the paper's margins
    assert a.data["size"].value_counts().equals(b.data["size"].value_counts())
    with pytest.raises(ValueError, match="no exercise set"):
        start("99")


def test_every_set_loads_its_data_from_the_public_module():
    for set_id in SETS:
        shipped = load_data(set_id, None)
        assert len(shipped) > 0
        assert shipped is not shared_data(set_id, None)  # a copy: edits never reach the key
    with pytest.raises(ValueError, match="no exercise set"):
        load_data("99", None)
    with pytest.raises(ValueError, match="non-negative"):
        load_data("08", -1)


def test_editing_ex_data_does_not_change_the_next_student_copy():
    first = load_data("08", 7)
    first.loc[:, "likes"] = 0
    assert load_data("08", 7)["likes"].sum() > 0


def test_audit_drafts_always_hold_two_to_four_impossible_percentages():
    from b2bsm.stats import grim_check

    for seed in range(300):
        draft = make_draft(seed)
        impossible = (~grim_check(draft["pct"], draft["n"])["possible"]).sum()
        assert 2 <= impossible <= 4, seed
        assert draft["pct"].between(0, 100).all() and (draft["pct"] > 0).all()
    assert make_draft(7).equals(make_draft(7))


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.name)
def test_stored_questions_are_readable_without_running_anything(path):
    """Issue 26 item 8: a static view shows the shipped-data wording, never a bare [field]."""
    for nb_path in (path, REPO_ROOT / "exercises" / path.name):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if "question" not in cell.metadata.get("b2bsm", {}):
                continue
            assert not re.search(r"\[[a-z_]+\]", cell.source), (nb_path.name, cell.source[:120])
            assert "{" not in cell.source.split("\n\n")[1], (nb_path.name, cell.source[:120])


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.name)
def test_stated_time_is_within_a_quarter_of_the_pacing_rule(path):
    """Issue 26 item 4: each set states the time tools/pacing.py computes (within 25 %)."""
    from tools.pacing import parts, stated_minutes

    rule, stated = parts(path)["minutes"], stated_minutes(path)
    assert stated is not None, f"{path.name} states no '**Estimated time:** N minutes'"
    assert abs(stated - rule) <= 0.25 * rule, (path.name, stated, round(rule))
