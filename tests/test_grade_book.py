"""Nothing lost in the gradebook (issue 25): concurrent runs, run notes, marking sheets, leftovers.

These use the small hand-written class of tests/fixtures/lms/ and a stand-in for the
sandboxed grader, so they run in seconds; the real grader is covered by test_grade*.py.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from b2bsm_teach.grade import __main__ as cli
from b2bsm_teach.grade import exports, handmark
from b2bsm_teach.grade.roster import Roster

FIXTURES = Path(__file__).parent / "fixtures" / "lms"


def _dicts(path) -> list[dict]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def klass(tmp_path):
    for name in ("long.csv", "long.answers.jsonl", "roster.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


class SlowGrader:
    """Stands in for grader.grade_folder: one student per file, a run note, a pause."""

    def __init__(self, pause: float = 0.0, note: str = "") -> None:
        self.pause, self.note = pause, note

    def __call__(self, folder, out, **_kwargs):
        rows = []
        for path in sorted(Path(folder).glob("*.ipynb")):
            rows.append(exports.Row(path.stem, "02", "q1", 1, 1, "correct", "Correct."))
            if self.note:
                rows.append(exports.Row(path.stem, "02", "TOTAL", 1, 1, "total", self.note))
        time.sleep(self.pause)  # the other run reads and writes the gradebook meanwhile
        exports.write_gradebook(rows, out)
        exports.answers_path(out).write_text("", encoding="utf-8")
        return []


def _folder(root: Path, name: str, students: list[str]) -> Path:
    folder = root / name
    folder.mkdir()
    for student in students:
        (folder / f"{student}.ipynb").write_text("{}", encoding="utf-8")
    return folder


def test_two_runs_into_one_gradebook_at_once_both_land(tmp_path, monkeypatch):
    """Before the lock, the slower run wrote its fold of the gradebook it read at the start."""
    from b2bsm_teach.grade import grader

    monkeypatch.setattr(grader, "grade_folder", SlowGrader(pause=1.0))
    out = tmp_path / "grades.csv"
    first = _folder(tmp_path, "a", ["s1000001", "s1000002"])
    second = _folder(tmp_path, "b", ["s1000003"])
    codes = []

    def run(folder):
        codes.append(cli.main([str(folder), "--out", str(out), "--quiet"]))

    threads = [threading.Thread(target=run, args=(f,)) for f in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [0, 0]
    students = {r["student"] for r in _dicts(out)}
    assert students == {"s1000001", "s1000002", "s1000003"}


def test_run_notes_reach_the_command_line_gradebook(tmp_path, monkeypatch):
    from b2bsm_teach.grade import grader

    note = "the notebook used more than 4 GB of memory and was stopped"
    monkeypatch.setattr(grader, "grade_folder", SlowGrader(note=note))
    out = tmp_path / "grades.csv"
    folder = _folder(tmp_path, "subs", ["s1000001"])
    assert cli.main([str(folder), "--out", str(out), "--quiet"]) == 0
    total = [r for r in _dicts(out) if r["question"] == "TOTAL"]
    assert total[0]["feedback"].startswith(note)


def test_leftovers_of_a_killed_run_are_removed_by_the_next(tmp_path, monkeypatch):
    from b2bsm_teach.grade import grader

    dead = _dead_pid()
    out = tmp_path / "grades.csv"
    left = [tmp_path / f".grades.run-{dead}.csv", tmp_path / f".grades.run-{dead}.answers.jsonl"]
    running = tmp_path / f".grades.run-{os.getppid()}.csv"  # a run that is still going
    for path in [*left, running]:
        path.write_text("student answers", encoding="utf-8")
    work = Path(tempfile.mkdtemp(prefix=f"{grader.WORK_PREFIX}{dead}-"))
    (work / "s00001").mkdir()
    monkeypatch.setattr(grader, "grade_folder", SlowGrader())
    assert cli.main([str(_folder(tmp_path, "subs", ["s1"])), "--out", str(out), "--quiet"]) == 0
    assert not any(p.exists() for p in left)
    assert running.exists()
    assert work in grader.clean_leftovers()
    assert not work.exists()


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _write_sheet(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=handmark.SHEET_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _sheet_row(student, set_id, question, points, maximum):
    return {
        "student": student,
        "set": set_id,
        "question": question,
        "answer": "",
        "points": points,
        "max_points": maximum,
        "comment": "tampered",
    }


@pytest.mark.parametrize(
    ("name", "row", "says"),
    [
        ("marks.csv", ("s3000001", "02", "q1", "0", "1"), "line 2 (student s3000001): set 02"),
        ("marks.csv", ("s3000002", "02", "q2", "2", "2"), "automatically (status 'wrong')"),
        ("02_q6.csv", ("s3000001", "02", "q6", "nan", "2"), "line 2 (student s3000001)"),
        ("02_q6.csv", ("s3000001", "03", "q2", "2", "2"), "this sheet is for set 02 question q6"),
    ],
    ids=["correct-q1-to-0", "wrong-q2-to-full", "nan", "other-question"],
)
def test_a_tampered_marking_sheet_is_rejected_naming_the_row(klass, name, row, says):
    """Before the fix, the first two and the last were merged (q1 1 -> 0, q2 0 -> 2/2)."""
    sheet = klass / name
    _write_sheet(sheet, [_sheet_row(*row)])
    before = (klass / "long.csv").read_bytes()
    with pytest.raises(handmark.MarkingError, match="nothing merged") as caught:
        handmark.merge_marks([sheet], klass / "long.csv")
    assert says in str(caught.value)
    assert (klass / "long.csv").read_bytes() == before


def test_a_marking_sheet_changes_only_the_open_answers_it_names(klass):
    sheet = klass / "02_q6.csv"
    _write_sheet(sheet, [_sheet_row("s3000001", "02", "q6", "2", "2")])
    before = {(r["student"], r["set"], r["question"]): r for r in _dicts(klass / "long.csv")}
    result = handmark.merge_marks([sheet], klass / "long.csv")
    assert result.marked == 1
    after = {(r["student"], r["set"], r["question"]): r for r in _dicts(klass / "long.csv")}
    changed = {k for k in after if k[2] != "TOTAL" and after[k] != before[k]}
    assert changed == {("s3000001", "02", "q6")}


def test_the_kept_roster_copy_shows_formula_like_names_as_text(tmp_path):
    source = tmp_path / "roster.csv"
    source.write_text(
        'student_id,name,email\ns1,"=HYPERLINK(""http://x"")",a@x.example\ns2,-2+3,b@x.example\n',
        encoding="utf-8",
    )
    roster = Roster.read(source)
    kept = roster.write(tmp_path / "kept.csv")
    cells = [row["name"] for row in _dicts(kept)]
    assert cells == ['\'=HYPERLINK("http://x")', "'-2+3"]
    again = Roster.read(kept)
    assert [s.name for s in again.students] == ['=HYPERLINK("http://x")', "-2+3"]


# ---------------------------------------------------------------------------
# Identity and assignment
# ---------------------------------------------------------------------------
def _notebook(path: Path, set_id: str | None) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer_q1 = 1")])
    if set_id is not None:
        nb.metadata["b2bsm"] = {"exercise_set": set_id}
    nbformat.write(nb, path)


def test_the_run_decides_the_set_and_a_notebook_of_another_set_is_flagged(tmp_path):
    """Before: a set-01 notebook in a set-02 folder was graded as set 01, with no note."""
    from b2bsm_teach.grade.grader import intake

    folder = tmp_path / "set-02"
    folder.mkdir()
    _notebook(folder / "s3000001.ipynb", "02")
    _notebook(folder / "s3000002.ipynb", "01")
    _notebook(folder / "s3000003.ipynb", None)
    for default in (None, "02"):  # the folder's name, or --set
        subs = {s.student: s for s in intake(folder, default_set=default)}
        assert {s.set_id for s in subs.values()} == {"02"}
        assert subs["s3000001"].problem is None and subs["s3000003"].problem is None
        assert "is for exercise set 01, but this run grades set 02" in subs["s3000002"].problem
    with pytest.raises(ValueError, match="not an exercise set"):
        intake(folder, default_set="99")


@pytest.mark.parametrize(
    ("stem", "student"),
    [
        ("s3000003", "s3000003"),
        ("S3000003 ", "s3000003"),
        ("doejane_12345_678901_s3000003", "s3000003"),  # Canvas bulk download
        ("Jane Doe_4242_assignsubmission_file_s3000003", "s3000003"),  # Moodle
        ("s3000003\u200b", None),  # zero-width space
        ("s3000004\u202e3000003s", None),  # right-to-left override
        ("s3000003" + "x" * 230, None),  # an id inside a longer word
        ("xs3000003", None),
    ],
)
def test_roster_matching_is_exact_and_refuses_invisible_characters(stem, student):
    """Before: all of the last four mapped to a roster id."""
    from b2bsm.exercises.ids import match_student

    found, problem = match_student(stem, ["s3000003", "s3000004"])
    assert found == student
    assert (problem is None) == (student is not None)
    if "\u200b" in stem or "\u202e" in stem:
        assert "invisible or direction-changing" in problem


def test_a_second_file_never_erases_the_grade_a_student_has(tmp_path, monkeypatch, capsys):
    from b2bsm_teach.grade import grader

    out = tmp_path / "grades.csv"
    monkeypatch.setattr(grader, "grade_folder", SlowGrader())
    assert cli.main([str(_folder(tmp_path, "a", ["s1000001"])), "--out", str(out), "--quiet"]) == 0

    def duplicate(folder, out, **_kwargs):
        rows = [exports.Row("s1000001", "02", "q1", 0, 1, "duplicate", "2 files map to s1000001")]
        exports.write_gradebook(rows, out)
        return []

    monkeypatch.setattr(grader, "grade_folder", duplicate)
    capsys.readouterr()
    cli.main([str(_folder(tmp_path, "b", ["s1000001"])), "--out", str(out), "--quiet"])
    assert "several files" in capsys.readouterr().err
    row = next(r for r in _dicts(out) if r["question"] == "q1")
    assert (row["points"], row["status"]) == ("1", "correct")


# ---------------------------------------------------------------------------
# The class list stays private
# ---------------------------------------------------------------------------
def test_recovering_roster_ids_from_a_release_costs_cpu_days():
    """Before: salted SHA-256 tags, the whole 7-digit id space in 61-96 s (issue 25)."""
    from b2bsm.exercises.keys import id_tag

    salt = "a-release-salt-" + os.urandom(4).hex()
    guesses = [f"s{n:07d}" for n in range(5_000_000, 5_000_005)]
    started = time.process_time()
    tags = {id_tag(salt, guess) for guess in guesses}  # an attacker's guesses, one tag each
    per_guess = (time.process_time() - started) / len(guesses)
    assert len(tags) == len(guesses)
    assert per_guess * 10**7 >= 86_400, f"{per_guess * 1000:.1f} ms per guess"
    assert id_tag(salt, guesses[0]) in tags  # the same id gives the same tag
    assert id_tag("another salt", guesses[0]) not in tags
