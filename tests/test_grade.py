"""The grader survives anything a student submits and never changes their files."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys

import nbformat
import pytest

from b2bsm._paths import REPO_ROOT

MASTER = REPO_ROOT / "solutions" / "02_survey_data_exercises.ipynb"
EXERCISE = REPO_ROOT / "exercises" / "02_survey_data_exercises.ipynb"


def _with_student_id(nb, student):
    for cell in nb.cells:
        cell.source = cell.source.replace("STUDENT_ID = None", f'STUDENT_ID = "{student}"')
    return nb


def _answer(nb, qid, code):
    for cell in nb.cells:
        if cell.cell_type == "code" and f"answer_{qid} = ..." in cell.source:
            cell.source = cell.source.replace(f"answer_{qid} = ...", f"answer_{qid} = {code}  #")
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
    fresh = lambda: nbformat.from_dict(json.loads(json.dumps(exercise)))  # noqa: E731
    subs = {
        "correct": _with_student_id(nbformat.from_dict(master), "correct"),
        "untouched": fresh(),
        "partial": _answer(_answer(fresh(), "q1", "9"), "q5", '"b"'),
        "wrongs": _answer(_answer(fresh(), "q2", "0.128"), "q3", "116"),
        "raises": _append(_answer(fresh(), "q5", '"b"'), "raise RuntimeError('oops')"),
        "loops": _append(_answer(fresh(), "q5", '"b"'), "while True:\n    pass"),
        "exits": _append(_answer(fresh(), "q5", '"b"'), "import sys\nsys.exit(3)"),
        "shouts": _append(_answer(fresh(), "q5", '"b"'), "print('x' * 5_000_000)"),
        "vandal": _append(
            _answer(fresh(), "q5", '"b"'),
            "import os\nfor f in os.listdir('.'):\n    os.remove(f)",
        ),
    }
    renamed = _answer(fresh(), "q5", '"b"')
    for cell in renamed.cells:
        cell.source = cell.source.replace("answer_q5", "my_answer")
    subs["renamed"] = renamed
    deleted = fresh()
    deleted.cells = [c for c in deleted.cells if "answer_q" not in c.source]
    subs["deleted"] = deleted
    for name, nb in subs.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "notjson.ipynb").write_text("{this is not a notebook", encoding="utf-8")
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    out = folder.parent / "grades.csv"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "b2bsm.grade",
            str(folder),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--cell-timeout",
            "8",
            "--timeout",
            "90",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {"proc": proc, "rows": rows, "folder": folder, "hashes": hashes}


def _total(graded, student):
    return _row(graded, student, "TOTAL")


def _row(graded, student, qid):
    rows = graded["rows"]
    return next(r for r in rows if r["student"] == student and r["question"] == qid)


def test_the_run_completes_with_one_total_per_submission(graded):
    assert graded["proc"].returncode == 0, graded["proc"].stderr[-2000:]
    totals = [r for r in graded["rows"] if r["question"] == "TOTAL"]
    assert len(totals) == 12
    assert "grading" in graded["proc"].stderr  # the progress bar


def test_submitted_files_are_never_modified(graded):
    now = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in graded["folder"].iterdir()}
    assert now == graded["hashes"]


def test_correct_submission_gets_every_automatic_point(graded):
    total = _total(graded, "correct")
    assert float(total["points"]) == 8 and int(total["max_points"]) == 10
    assert _row(graded, "correct", "q6")["feedback"] == "needs manual grading"


def test_untouched_exercise_scores_zero(graded):
    assert float(_total(graded, "untouched")["points"]) == 0
    assert _row(graded, "untouched", "q1")["status"] == "not answered"


def test_partial_and_wrong_answers(graded):
    assert float(_total(graded, "partial")["points"]) == 2
    assert "proportion" in _row(graded, "wrongs", "q2")["feedback"]
    assert "pairwise deletion" in _row(graded, "wrongs", "q3")["feedback"]


@pytest.mark.parametrize("student", ["raises", "loops", "exits", "shouts", "vandal"])
def test_broken_submissions_still_get_their_points(graded, student):
    assert _row(graded, student, "q5")["status"] == "correct", student
    assert float(_total(graded, student)["points"]) == 1


def test_renamed_deleted_and_invalid_submissions(graded):
    assert "question not found" in _row(graded, "renamed", "q5")["feedback"]
    assert "question not found" in _row(graded, "deleted", "q1")["feedback"]
    assert float(_total(graded, "notjson")["points"]) == 0
    assert "not a valid notebook" in _row(graded, "notjson", "q1")["feedback"]
