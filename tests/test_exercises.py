"""Exercise sets: the build is up to date, self-checks teach, and nothing leaks."""

from __future__ import annotations

import functools
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from b2bsm._paths import REPO_ROOT
from b2bsm.exercises import grade_answers, start, variant_seed
from b2bsm.exercises.build import build, masters, student_version
from b2bsm.exercises.release import release
from b2bsm.exercises.sets import SETS

MASTERS = masters()


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
    ex = start(set_id)
    ids = list(ex.questions)
    assert ids == [f"q{i}" for i in range(1, len(ids) + 1)] and 4 <= len(ids) <= 8
    kinds = {q.kind for q in ex.questions.values()}
    assert "open" in kinds and "choice" in kinds and kinds & {"number", "table"}
    for q in ex.questions.values():
        if q.kind == "choice":
            for option, why in q.explanations.items():
                if option != q.correct:
                    assert f"'{q.correct}'" not in why and f"({q.correct})" not in why


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.name)
def test_master_shows_the_options_the_checker_grades(path):
    """A choice question's options live in its set module; the notebook must show the same."""
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for q in start(path.name[:2]).questions.values():
        for option, wording in (q.choices or {}).items():
            assert f"- {option}) {wording}" in text, f"{path.name} {q.id} option {option}"


# --------------------------------------------------------------------------- feedback
@functools.cache
def opened(set_id: str):
    """One opened set per test session (set 07 fits models, so reuse its cached fits)."""
    return start(set_id)


@pytest.fixture(scope="module")
def ex02():
    return opened("02")


# A wrong answer as a student would type it (shipped data), and words its feedback must contain.
WRONG = [
    ("01", "q1", 84.0, "wrong", "mean"),
    ("01", "q2", 0.378, "wrong", "proportion"),
    ("01", "q2", 62.2, "wrong", "HAS bought"),
    ("01", "q4", 0.0118, "wrong", "other way round"),
    ("02", "q2", 0.128, "wrong", "proportion"),
    ("02", "q2", 7.2, "wrong", "customers OR partners"),
    ("02", "q3", 116, "wrong", "pairwise deletion"),
    ("02", "q3", 125, "wrong", "did not drop anyone"),
    ("02", "q1", "9", "invalid", "no quotes"),
    ("02", "q1", [9, 10], "invalid", "needs a number"),
    ("02", "q1", float("nan"), "invalid", "NaN"),
    ("02", "q1", ..., "not answered", "Not answered yet"),
    ("02", "q5", "z", "invalid", "choose one of"),
    ("02", "q6", "short", "not answered", "few sentences"),
    ("03", "q1", 1.71, "wrong", "Yates"),
    ("03", "q2", 0.0817, "wrong", "one-sided"),
    ("04", "q1", 0.412, "wrong", "tau-c"),
    ("04", "q1", 0.578, "wrong", "Spearman"),
    ("04", "q3", 0.0012, "wrong", "unadjusted"),
    ("04", "q3", 0.0224, "wrong", "Bonferroni"),
    ("05", "q1", 6.9, "wrong", "Wald"),
    ("05", "q1", 0.0803, "wrong", "proportion"),
    ("05", "q2", 51.2, "wrong", "all 125 firms"),
    ("05", "q3", 0.0287, "wrong", "one-sided"),
    ("05", "q3", 0.0672, "wrong", "Wilcoxon"),
    ("06", "q1", 8, "wrong", "ARE possible"),
    ("06", "q2", 55.8, "wrong", "printed (impossible) value"),
    ("06", "q3", 0.11, "wrong", "1 degree of freedom"),
    ("06", "q3", 0.55, "wrong", "UPPER tail"),
    ("06", "q4", 6, "wrong", "DO fit"),
    ("07", "q1", 169.3, "wrong", "raw variance"),
    ("07", "q2", 6.45, "wrong", "mean"),
    ("07", "q3", 0.0956, "wrong", "log scale"),
    ("07", "q3", 1.109, "wrong", "Poisson"),
    ("07", "q4", 5.5, "wrong", "cluster=True"),
    ("08", "q1", 0.706, "wrong", "ddof=0"),
    ("08", "q2", 1.405, "wrong", "PER arm"),
    ("08", "q2", 1.238, "wrong", "one-sided"),
    ("08", "q3", 696, "wrong", "total"),
    ("08", "q3", 289, "wrong", "log(1.2)"),
    ("08", "q4", "a", "wrong", "false-positive"),
]


@pytest.mark.parametrize(("set_id", "qid", "answer", "status", "message"), WRONG)
def test_wrong_answers_get_feedback_that_teaches(set_id, qid, answer, status, message):
    verdict = opened(set_id).evaluate(qid, answer)
    assert verdict.status == status
    assert message in verdict.feedback
    assert verdict.points == 0


def test_every_set_has_teaching_feedback_for_a_wrong_number():
    assert {set_id for set_id, *_ in WRONG} == set(SETS)


@pytest.mark.parametrize("set_id", sorted(SETS))
def test_untouched_answers_score_zero_and_say_so(set_id):
    ex = opened(set_id)
    untouched = {f"answer_{qid}": ... for qid in ex.questions}
    records = grade_answers(set_id, untouched)
    assert [r["question"] for r in records] == list(ex.questions)
    assert all(r["points"] == 0 and r["status"] == "not answered" for r in records)
    missing = grade_answers(set_id, {})
    assert all(r["status"] == "missing" and "answer_q" in r["feedback"] for r in missing)


@pytest.mark.parametrize("set_id", sorted(SETS))
def test_expected_answers_exist_for_student_variants(set_id):
    """Every computed question has a finite answer on the shipped data and on two variants."""
    for student in (None, "s1", "s2"):
        ex = start(set_id, student) if student else opened(set_id)
        for q in ex.questions.values():
            if q.kind == "number":
                assert np.isfinite(float(q.expected(ex.data))), (set_id, student, q.id)
                assert ex.evaluate(q.id, q.expected(ex.data)).status == "correct"
            elif q.kind == "table":
                assert ex.evaluate(q.id, q.expected(ex.data)).status == "correct"


def test_audit_drafts_always_hold_two_to_four_impossible_percentages():
    from b2bsm.exercises.sets.lesson06 import make_draft
    from b2bsm.stats import grim_check

    for seed in range(300):
        draft = make_draft(seed)
        impossible = (~grim_check(draft["pct"], draft["n"])["possible"]).sum()
        assert 2 <= impossible <= 4, seed
        assert draft["pct"].between(0, 100).all()
    assert make_draft(7).equals(make_draft(7))


def test_feedback_never_reveals_the_number(ex02):
    expected = ex02.questions["q2"].expected(ex02.data)
    for answer in (0.128, 7.2, 55.0, "x", ...):
        feedback = ex02.evaluate("q2", answer).feedback
        assert f"{expected:.1f}" not in feedback and f"{expected:g}" not in feedback


def test_right_answers_and_table_answers(ex02):
    counts = ex02.data["size"].value_counts(sort=False)
    table = pd.DataFrame({"size": counts.index.astype(str), "firms": counts.to_numpy()})
    assert ex02.evaluate("q4", table).status == "correct"
    wrong = table.assign(firms=100 * table["firms"] / table["firms"].sum())
    assert "percentages" in ex02.evaluate("q4", wrong).feedback
    assert "lacks the column" in ex02.evaluate("q4", table.rename(columns={"firms": "n"})).feedback
    assert ex02.evaluate("q5", " B ").status == "correct"


def test_check_prints_and_handles_unknown_questions(ex02, capsys):
    ex02.check("q1", ...)
    assert "not answered" in capsys.readouterr().out
    ex02.check("q42", 1)
    assert "There is no question 'q42'" in capsys.readouterr().out


def test_student_variants_differ_and_are_stable():
    assert variant_seed(None) is None
    assert variant_seed("s123") == variant_seed(" S123 ")
    a, b = start("02", "s123"), start("02", "s456")
    assert not a.data.equals(b.data)
    # both variants keep the paper's margins
    assert a.data["size"].value_counts().equals(b.data["size"].value_counts())
    with pytest.raises(ValueError, match="student id as text"):
        start("02", 123)
    with pytest.raises(ValueError, match="no exercise set"):
        start("99")


# --------------------------------------------------------------------------- release
def test_release_has_no_solutions_and_refuses_a_non_empty_folder(tmp_path):
    out = tmp_path / "release"
    release(out)
    names = {p.name for p in out.iterdir()}
    assert {"notebooks", "exercises", "data", "b2bsm", "pyproject.toml"} <= names
    assert not any("solutions" in p.parts for p in out.rglob("*"))
    assert not any(
        re.search(r"answer_q\d+ = (?!\.\.\.)", p.read_text(errors="ignore"))
        for p in (out / "exercises").glob("*.ipynb")
    )
    with pytest.raises(FileExistsError, match="not empty"):
        release(out)
    release(out, force=True)
    assert (out / "exercises").is_dir()
