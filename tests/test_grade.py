"""The grader survives anything a broken submission does and never changes the students' files.

The class is built on the fly from the real set-02 exercise notebook and its
master; answers that vary with the student's data are taken from the master's
own solution cells, so the expectations hold for every student id.  (Hostile
submissions, which attack the grader on purpose: ``test_grade_hostile.py``.)
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from b2bsm._paths import REPO_ROOT
from b2bsm.exercises.ids import looks_like_id, normalise_id
from tests._random_ids import random_ids

MASTER = REPO_ROOT / "solutions" / "02_survey_data_exercises.ipynb"
EXERCISE = REPO_ROOT / "exercises" / "02_survey_data_exercises.ipynb"
SANDBOX = "auto" if shutil.which("bwrap") else "none"
#: The instructor's grading secret of these runs (fixed: the same hidden variants every run).
GRADING_SECRET = "test-grade-grading-secret-" + "7" * 32
ROLES = (
    "correct",
    "untouched",
    "partial",
    "wrongs",
    "raises",
    "loops",
    "exits",
    "shouts",
    "vandal",
    "renamed",
    "deleted",
    "notjson",
)


def _file_name_ids(count: int, seed: int) -> list[str]:
    """Random ids (``tests/_random_ids.py``) of the formats a file name carries as an id
    without a roster (upper case, dashes, e-mail addresses, digits), as typed."""
    chosen, keys = [], set()
    for raw in random_ids(20 * count, seed=seed):
        key = normalise_id(raw)
        if looks_like_id(key) and key not in keys:
            chosen.append(raw)
            keys.add(key)
        if len(chosen) == count:
            return chosen
    raise AssertionError(f"fewer than {count} usable ids from seed {seed}")


#: Each role's id as the student typed it: its file name and its notebook's STUDENT_ID.
TYPED = dict(zip(ROLES, _file_name_ids(len(ROLES), seed=20261204), strict=True))
#: The same ids as the grader reports them (normalised: NFKC, stripped, case-folded).
IDS = {role: normalise_id(raw) for role, raw in TYPED.items()}


def _points() -> dict[str, int]:
    from b2bsm.exercises.session import Exercises

    return {qid: int(q.points) for qid, q in Exercises("02", None).questions.items()}


def _with_student_id(nb, student):
    for cell in nb.cells:
        cell.source = re.sub(r"(?m)^STUDENT_ID = .*$", f'STUDENT_ID = "{student}"', cell.source)
    return nb


def _solution(qid: str) -> str:
    master = nbformat.read(MASTER, as_version=4)
    for cell in master.cells:
        if "solution" in cell.metadata.get("tags", []) and f"answer_{qid} =" in cell.source:
            return cell.source
    raise AssertionError(f"the master has no solution cell for {qid}")


def _answer(nb, qid, code=None):
    """Put the master's solution (or ``answer_qid = code``) into the question's answer cell."""
    for cell in nb.cells:
        if cell.cell_type == "code" and re.search(rf"(?m)^answer_{qid} = \.\.\.", cell.source):
            cell.source = _solution(qid) if code is None else f"answer_{qid} = {code}"
            return nb
    raise AssertionError(f"no placeholder for {qid}")


def _append(nb, code):
    nb.cells.insert(2, nbformat.v4.new_code_cell(code))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    master = nbformat.read(MASTER, as_version=4)
    exercise = nbformat.read(EXERCISE, as_version=4)

    def fresh(role):
        nb = nbformat.from_dict(json.loads(json.dumps(exercise)))
        return _with_student_id(nb, TYPED[role])

    master = _with_student_id(nbformat.from_dict(master), TYPED["correct"])
    master.cells = [c for c in master.cells if "hidden-check" not in c.metadata.get("tags", [])]
    subs = {
        "correct": master,
        "untouched": fresh("untouched"),
        "partial": _answer(_answer(fresh("partial"), "q1"), "q5"),
        "wrongs": _answer(_answer(fresh("wrongs"), "q2", "-5.0"), "q3", "116.5"),
        "raises": _append(
            _answer(_answer(fresh("raises"), "q1"), "q5"), "raise RuntimeError('oops')"
        ),
        "loops": _append(_answer(_answer(fresh("loops"), "q1"), "q5"), "while True:\n    pass"),
        "exits": _append(_answer(_answer(fresh("exits"), "q1"), "q5"), "import sys\nsys.exit(3)"),
        "shouts": _append(_answer(_answer(fresh("shouts"), "q1"), "q5"), "print('x' * 5_000_000)"),
        "vandal": _append(
            _answer(_answer(fresh("vandal"), "q1"), "q5"),
            "import os\nfor f in os.listdir('.'):\n    os.remove(f)",
        ),
    }
    renamed = _answer(fresh("renamed"), "q5")
    for cell in renamed.cells:
        cell.source = cell.source.replace("answer_q5", "my_answer")
    subs["renamed"] = renamed
    deleted = fresh("deleted")
    deleted.cells = [c for c in deleted.cells if "answer_q" not in c.source]
    subs["deleted"] = deleted
    for role, nb in subs.items():
        nbformat.write(nb, folder / f"{TYPED[role]}.ipynb")
    (folder / f"{TYPED['notjson']}.ipynb").write_text("{this is not a notebook", encoding="utf-8")
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    out = folder.parent / "grades.csv"
    script = (
        "import sys\n"
        "from b2bsm_teach.grade.grader import grade_folder\n"
        "grade_folder(sys.argv[1], sys.argv[2], jobs=2, cell_timeout=20, timeout=150,\n"
        "             sandbox=sys.argv[3])\n"
    )
    # A fixed grading secret, so that every run grades on the same hidden variants (a new
    # secret per run made the partial submissions' points depend on chance: issue 23's note).
    env = {**os.environ, "B2BSM_GRADING_SECRET": GRADING_SECRET}
    proc = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(out), SANDBOX],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    rows = []
    if out.is_file():
        with out.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    return {"proc": proc, "rows": rows, "folder": folder, "hashes": hashes, "points": _points()}


def _total(graded, role):
    return _row(graded, role, "TOTAL")


def _row(graded, role, qid):
    rows = graded["rows"]
    return next(r for r in rows if r["student"] == IDS[role] and r["question"] == qid)


@pytest.mark.slow
def test_the_run_completes_with_one_total_per_submission(graded):
    assert graded["proc"].returncode == 0, graded["proc"].stderr[-2000:]
    totals = [r for r in graded["rows"] if r["question"] == "TOTAL"]
    assert len(totals) == len(IDS)
    assert "grading" in graded["proc"].stderr  # the progress bar


@pytest.mark.slow
def test_submitted_files_are_never_modified(graded):
    now = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in graded["folder"].iterdir()}
    assert now == graded["hashes"]


@pytest.mark.slow
def test_correct_submission_gets_every_automatic_point(graded):
    from b2bsm.exercises.session import Exercises

    kinds = {qid: q.kind for qid, q in Exercises("02", None).questions.items()}
    automatic = sum(p for q, p in graded["points"].items() if kinds[q] != "open")
    total = _total(graded, "correct")
    assert float(total["points"]) == automatic
    assert int(total["max_points"]) == sum(graded["points"].values())
    for qid, kind in kinds.items():
        if kind == "open":
            assert _row(graded, "correct", qid)["feedback"] == "needs manual grading"
            assert _row(graded, "correct", qid)["status"] == "manual"


@pytest.mark.slow
def test_untouched_exercise_scores_zero(graded):
    assert float(_total(graded, "untouched")["points"]) == 0
    assert _row(graded, "untouched", "q1")["status"] == "not answered"


@pytest.mark.slow
def test_partial_and_wrong_answers(graded):
    expected = graded["points"]["q1"] + graded["points"]["q5"]
    assert float(_total(graded, "partial")["points"]) == expected
    for qid in ("q2", "q3"):
        row = _row(graded, "wrongs", qid)
        assert row["status"] == "wrong" and float(row["points"]) == 0
        assert row["feedback"].startswith("Not quite"), row


@pytest.mark.slow
@pytest.mark.parametrize("role", ["raises", "loops", "exits", "shouts", "vandal"])
def test_broken_submissions_still_get_their_points(graded, role):
    """Answers exported before the break count (q1 computed from the data, q5 a choice)."""
    for qid in ("q1", "q5"):
        assert _row(graded, role, qid)["status"] == "correct", (role, qid)
    expected = graded["points"]["q1"] + graded["points"]["q5"]
    assert float(_total(graded, role)["points"]) == expected


@pytest.mark.slow
def test_renamed_deleted_and_invalid_submissions(graded):
    assert "question not found" in _row(graded, "renamed", "q5")["feedback"]
    assert "question not found" in _row(graded, "deleted", "q1")["feedback"]
    assert float(_total(graded, "notjson")["points"]) == 0
    assert "not a valid notebook" in _row(graded, "notjson", "q1")["feedback"]
    assert _row(graded, "notjson", "q1")["status"] == "not graded"


@pytest.mark.slow
def test_a_cell_that_runs_too_long_is_reported(graded):
    assert "ran longer than 20 s and were interrupted" in _total(graded, "loops")["feedback"]


@pytest.mark.slow
def test_the_answers_file_holds_the_exported_answers(graded):
    from b2bsm.exercises.session import Exercises

    path = graded["folder"].parent / "grades.answers.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    by_student = {r["student"]: r for r in records}
    assert by_student[IDS["partial"]]["file"] == f"{TYPED['partial']}.ipynb"
    assert by_student[IDS["untouched"]]["answers"]["q1"] == {"__ellipsis__": True}
    kinds = {qid: q.kind for qid, q in Exercises("02", None).questions.items()}
    for qid, kind in kinds.items():
        if kind == "open":  # open answers are kept as text for hand marking
            assert isinstance(by_student[IDS["correct"]]["answers"][qid], str)
    assert IDS["notjson"] not in by_student  # not run, so no answers


# --------------------------------------------------------------------------
# The pieces, without running notebooks
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stem", "roster", "expected"),
    [
        ("S3000003", None, "s3000003"),
        ("s3000003 ", None, "s3000003"),
        ("ｓ３０００００３", None, "s3000003"),
        ("02_survey_data_exercises", None, None),
        ("Untitled1", None, None),
        ("Jane Doe_s3000003_attempt_2", ["s3000003", "s3000004"], "s3000003"),
        ("s3000003", ["S3000003"], "s3000003"),
        ("s3000003_and_s3000004", ["s3000003", "s3000004"], None),
        ("nobody", ["s3000003"], None),
    ],
)
def test_students_come_from_the_file_name_or_the_roster(stem, roster, expected):
    from b2bsm.exercises.ids import match_student

    student, problem = match_student(stem, roster)
    assert student == expected
    assert (problem is None) == (expected is not None)
    if problem:
        assert "rename" in problem or "roster" in problem


def test_normalise_id_refuses_what_is_not_an_id():
    from b2bsm.exercises.ids import normalise_id

    for bad in ("", "   ", None, 3000003):
        with pytest.raises(ValueError, match="text"):
            normalise_id(bad)


def test_answers_survive_the_round_trip_as_plain_data():
    import numpy as np
    import pandas as pd

    from b2bsm.exercises.answers import encode, rebuild, validate

    table = pd.DataFrame(
        {
            "size": pd.Categorical(["small", "large"], categories=["small", "large"]),
            "share": [0.5, float("nan")],
            "firms": np.array([3, 4], dtype="int64"),
        }
    )
    series = pd.Series([1.5, 2.5], index=["a", "b"], name="mean")
    values = [7, 2.5, "c", None, True, ..., np.float64(1.25), np.int32(4), [1, (2, 3)]]
    values += [table, series]
    for value in values:
        plain = json.loads(json.dumps(encode(value), allow_nan=False))
        back = rebuild(validate(plain))
        if isinstance(value, pd.DataFrame):
            assert back.astype(str).equals(value.astype(str))
            assert back["firms"].tolist() == [3, 4]
        elif isinstance(value, pd.Series):
            assert back.equals(series)
        else:
            assert back == value or (value is ... and back is ...), (value, back)


def test_the_export_never_runs_a_students_object():
    from b2bsm.exercises.answers import AnswerError, encode, export_answers, rebuild

    calls = []

    class Sneaky(float):
        def __repr__(self):
            calls.append("repr")
            return "1"

        def __float__(self):
            calls.append("float")
            return 1.0

    text = export_answers({"answer_q1": Sneaky(2.0), "answer_q2": object(), "other": 1})
    doc = json.loads(text)
    assert set(doc["answers"]) == {"answer_q1", "answer_q2"} and calls == []
    with pytest.raises(AnswerError, match="cannot read"):
        rebuild(doc["answers"]["answer_q1"])
    assert encode("x" * 200_000) == {"__too_big__": "str"}


def test_runner_state_files_are_read_strictly(tmp_path):
    from b2bsm_teach.grade.state import MAX_STATE_BYTES, read_state

    good = {
        "format": 1, "seq": 3, "cells": 2, "ran": 2, "errors": [], "timeouts": [1],
        "kernel": "finished", "done": True, "answers": {"answer_q1": 5, "evil": 1},
        "worked_on": {"id": "s1"},
    }  # fmt: skip
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(good), encoding="utf-8")
    b.write_text(json.dumps({**good, "seq": 9, "answers": {"answer_q1": 6}})[:-5])  # cut short
    state = read_state(a, b)
    assert state["seq"] == 3 and state["answers"] == {"answer_q1": 5}
    b.write_text(json.dumps({**good, "seq": 9}).replace("5", "NaN", 1))  # a NaN literal
    assert read_state(b) is None
    b.write_text(json.dumps({**good, "seq": 9, "errors": ["x"]}))
    assert read_state(b) is None
    b.unlink()
    b.symlink_to(a)
    assert read_state(b) is None
    with open(a, "wb") as fh:
        fh.truncate(MAX_STATE_BYTES + 1)
    assert read_state(a) is None


def test_gradebook_cells_are_never_formulas():
    from b2bsm_teach.grade.grader import escape_cell

    for text in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert escape_cell(text) == "'" + text
    assert escape_cell("s3000003") == "s3000003" and escape_cell(-1.0) == -1.0


def test_without_bubblewrap_the_grader_refuses_and_says_how_to_fix_it(monkeypatch, tmp_path):
    from b2bsm_teach.grade import sandbox
    from b2bsm_teach.grade.grader import grade_folder

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
        sandbox.Sandbox.create("auto")
    nbformat.write(nbformat.read(EXERCISE, as_version=4), tmp_path / "s1000001.ipynb")
    with pytest.raises(sandbox.SandboxUnavailable):
        grade_folder(tmp_path, tmp_path / "out" / "grades.csv", progress=False)
    assert not (tmp_path / "out" / "grades.csv").exists()
    text = sandbox.describe_unsandboxed()
    assert "other submissions" in text and "solution" in text and "network" in text


def test_the_sandbox_shows_neither_solutions_nor_submissions(tmp_path):
    from b2bsm_teach.grade.sandbox import _mounts

    args = _mounts([tmp_path, REPO_ROOT / "solutions", REPO_ROOT / "tests"], hide_key=True)
    sources = {args[i + 1] for i, a in enumerate(args) if a in ("--ro-bind", "--bind")}
    for source in sources:
        for hidden in (tmp_path, REPO_ROOT / "solutions", REPO_ROOT / "tests"):
            assert not str(hidden).startswith(source.rstrip("/") + "/") and source != str(hidden)
    assert "--bind" not in args  # nothing of the host is writable
    assert not any(a.endswith(".py") and "/sets/lesson" in a for a in args)
