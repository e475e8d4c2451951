"""From the gradebook to the LMS and back to students: roster, exports, hand marking, feedback.

Most tests work on a small hand-written class (tests/fixtures/lms/, described in its
README) so they run in a second; one test runs the whole cycle of docs/instructors.md on
real notebooks graded by the real grader.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from b2bsm._paths import REPO_ROOT
from b2bsm_teach.grade import __main__ as cli
from b2bsm_teach.grade import exports, feedback, handmark
from b2bsm_teach.grade.roster import Roster, RosterError

FIXTURES = Path(__file__).parent / "fixtures" / "lms"
STUDENTS = ["s3000001", "s3000002", "s3000003", "s3000004", "s3000005"]


def _rows(path) -> list[list[str]]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _dicts(path) -> list[dict]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def klass(tmp_path):
    """The synthetic class: a gradebook, its answers and the roster in a fresh folder."""
    for name in ("long.csv", "long.answers.jsonl", "roster.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def _export(klass, *extra) -> Path:
    gradebook, roster = str(klass / "long.csv"), str(klass / "roster.csv")
    code = cli.main(["export", "--gradebook", gradebook, "--roster", roster, *extra])
    assert code == 0
    return klass / "exports"


# ---------------------------------------------------------------------------
# Roster
# ---------------------------------------------------------------------------
def test_roster_reads_lms_columns_and_normalises_ids():
    roster = Roster.read(FIXTURES / "roster.csv")
    assert roster.ids == STUDENTS  # "S3000001" is the same student as "s3000001"
    ada = roster.get("s3000001")
    assert ada.student_id == "S3000001" and ada.sis_login_id == "ada.lovelace"
    assert ada.names == ("Ada", "Lovelace") and ada.canvas_id == "5501"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name\nAda\n", "no student_id column"),
        ("student_id,name\ns1,Ada\n,Grace\n", "line 3: the student_id is empty"),
        ("student_id\ns1\n S1 \n", "lines 2 and 3: the same student id"),
    ],
)
def test_roster_errors_name_the_line_and_the_fix(tmp_path, text, message):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError, match=message):
        Roster.read(path)


def test_roster_report_finds_missing_unknown_and_duplicate_submissions(tmp_path):
    for name in ("S3000001.ipynb", "s3000002_02_survey.ipynb", "s3000002.ipynb", "notes.ipynb"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    report = Roster.read(FIXTURES / "roster.csv").check_submissions(tmp_path)
    assert report.missing == ["s3000003", "s3000004", "s3000005"]
    assert [name for name, _ in report.unknown] == ["notes.ipynb"]
    assert "roster id" in report.unknown[0][1]
    assert sorted(report.duplicates["s3000002"]) == ["s3000002.ipynb", "s3000002_02_survey.ipynb"]
    assert report.summary().startswith("roster: 5 students, 2 submitted; 3 missing")
    written = _dicts(report.write(tmp_path / "report.csv"))
    assert [r["status"] for r in written] == [
        "submitted",
        "several files",
        "missing",
        "missing",
        "missing",
        "unknown",
    ]


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------
def test_wide_export_matches_the_hand_checked_fixture(klass):
    out = _export(klass)
    assert _rows(out / "wide.csv") == _rows(FIXTURES / "expected_wide.csv")


def test_exports_are_the_same_from_the_roster_kept_beside_them(klass):
    out = _export(klass)
    first = _sha(out / "canvas_02.csv")
    assert cli.main(["export", "--gradebook", str(klass / "long.csv")]) == 0  # no --roster
    assert _sha(out / "canvas_02.csv") == first


def test_canvas_export_follows_the_documented_layout(klass):
    documented = _rows(FIXTURES / "canvas_documented.csv")
    out = _export(klass)
    identity = len(exports.CANVAS_IDENTITY)
    book = {(r["student"], r["set"]) for r in _dicts(klass / "long.csv")}
    for set_id, maximum in (("02", "6"), ("03", "3")):
        ours = _rows(out / f"canvas_{set_id}.csv")
        assert ours[0][:identity] == documented[0][:identity]  # same names, same order
        # one file per set: its one column (an assignment), named like a new assignment
        assert ours[0][identity:] == [exports.set_info(set_id).assignment]
        # the Points Possible row: label first, identity cells empty, the maximum
        assert ours[1][0] == documented[1][0] == "Points Possible"
        assert ours[1][1:identity] == documented[1][1:identity] == [""] * (identity - 1)
        assert ours[1][identity:] == [maximum]
        # only roster students with a grade in the set: never a blank that erases a score
        for row in ours[2:]:
            assert len(row) == len(ours[0])
            assert float(row[identity]) >= 0
            assert ("s" + row[2], set_id) in book
    rows = {r[2]: r for r in _rows(out / "canvas_02.csv")[2:]}
    ada = ["Lovelace, Ada", "5501", "3000001", "ada.lovelace", "Section A", "3"]
    assert rows["3000001"] == ada
    assert rows["3000002"][identity:] == ["2.5"]
    three = {r[2] for r in _rows(out / "canvas_03.csv")[2:]}
    assert "3000002" not in three and "3000005" not in three  # no set 03: not in its file
    assert not (out / "canvas.csv").exists() and not (out / "moodle.csv").exists()


def test_canvas_export_names_existing_assignments_by_id(klass):
    out = _export(klass, "--canvas-ids", "02=20871")
    documented = _rows(FIXTURES / "canvas_documented.csv")
    pattern = re.compile(r".+ \((\d+)\)")
    assert pattern.fullmatch(documented[0][5])  # "Weekly quiz 1 (20871)"
    assert pattern.fullmatch(_rows(out / "canvas_02.csv")[0][5]).group(1) == "20871"
    assert not pattern.fullmatch(_rows(out / "canvas_03.csv")[0][5])  # a new assignment


def test_canvas_ids_option_rejects_a_malformed_value(klass, capsys):
    code = cli.main(["export", "--gradebook", str(klass / "long.csv"), "--canvas-ids", "02"])
    assert code == 2
    assert "SET=ASSIGNMENT_ID" in capsys.readouterr().err


def test_moodle_export_follows_the_documented_layout(klass):
    documented = _rows(FIXTURES / "moodle_documented.csv")
    out = _export(klass)
    graded = {"02": {"3000001", "3000002"}, "03": {"3000001", "3000003"}}
    for set_id in ("02", "03"):
        ours = _rows(out / f"moodle_{set_id}.csv")
        header = ours[0]
        # the user fields Moodle maps on, spelled as Moodle's own export spells them
        for column in ("First name", "Last name", "ID number", "Email address"):
            assert column in documented[0] and column in header
        assert "Username" in header
        assert header[len(exports.MOODLE_IDENTITY) :] == [exports.set_info(set_id).assignment]
        assert len(set(header)) == len(header)
        # every row identifies a user and holds a number: Moodle's import makes an empty
        # cell or "-" an empty grade, so a student without a grade is not in the file at all
        rows = ours[1:]
        assert {r[header.index("ID number")] for r in rows} == graded[set_id]
        for row in rows:
            assert row[header.index("ID number")] and row[header.index("Email address")]
            for cell in row[len(exports.MOODLE_IDENTITY) :]:
                assert cell not in ("", "-") and float(cell) >= 0
    by_id = {r[2]: r for r in _rows(out / "moodle_02.csv")[1:]}
    assert by_id["3000002"][-1] == "2.5"
    assert by_id["3000001"][:2] == ["Ada", "Lovelace"]


def test_no_lms_file_can_erase_a_grade_the_lms_already_has(klass):
    """Issue 25: every cell an importer reads under a student is a number for that set.

    Canvas removes a score under a blank cell and Moodle nulls a grade under '' or '-'
    (their importers' rules, docs/grading-security.md): so the files list only graded
    students.  The class has 4 roster students x 2 sets with 4 gaps (no file, no set 03,
    not graded); before the fix those were 4 blank Canvas cells and 4 '-' Moodle cells.
    """
    out = _export(klass)
    files = sorted(out.glob("canvas*.csv")) + sorted(out.glob("moodle*.csv"))
    assert [f.name for f in files] == [
        "canvas_02.csv",
        "canvas_03.csv",
        "moodle_02.csv",
        "moodle_03.csv",
    ]
    erasing = 0
    for path in files:
        table = _rows(path)
        identity = len(exports.CANVAS_IDENTITY if path.name.startswith("canvas") else [0] * 5)
        body = table[2:] if path.name.startswith("canvas") else table[1:]
        erasing += sum(cell.strip() in ("", "-") for row in body for cell in row[identity:])
    assert erasing == 0
    not_graded = {r[2] for r in _rows(out / "canvas_02.csv")[2:]}
    assert "3000003" not in not_graded and "3000004" not in not_graded


def test_a_formula_in_a_student_cell_is_never_run_by_a_spreadsheet(klass):
    answers = klass / "long.answers.jsonl"
    text = answers.read_text(encoding="utf-8").replace("With only 9", "=HYPERLINK(1) With only 9")
    answers.write_text(text, encoding="utf-8")
    out = _export(klass)
    sheet = _dicts(out / "marking" / "02_q6.csv")
    assert sheet[0]["answer"].startswith("'=HYPERLINK")
    gradebook = _dicts(klass / "long.csv")
    assert all(not r["feedback"].startswith("=") for r in gradebook)


# ---------------------------------------------------------------------------
# Hand marking
# ---------------------------------------------------------------------------
def test_marking_sheet_lists_every_open_answer_with_the_rubric(klass):
    out = _export(klass)
    sheet = _dicts(out / "marking" / "02_q6.csv")
    assert list(sheet[0]) == handmark.SHEET_COLUMNS
    assert [r["student"] for r in sheet] == ["s3000001", "s3000002"]  # blind: ids, no names
    assert "ADA-OPEN-TEXT" in sheet[0]["answer"]
    assert (sheet[0]["points"], sheet[0]["max_points"]) == ("", "2")  # waits for a mark
    assert sheet[1]["points"] == "1.5" and sheet[1]["comment"].startswith("Good")  # merged
    page = (out / "marking" / "02_q6.md").read_text(encoding="utf-8")
    q6 = exports.set_info("02").questions.get("q6")
    rubric = getattr(q6, "rubric", "") if q6 else ""
    assert "## Rubric" in page
    if rubric:
        assert rubric.strip()[:60] in page
    assert (
        "python -m b2bsm_teach.grade merge exports/marking/02_q6.csv --gradebook long.csv" in page
    )


def _mark(sheet: Path, student: str, points: str, comment: str = "") -> None:
    rows = _dicts(sheet)
    for row in rows:
        if row["student"] == student:
            row["points"], row["comment"] = points, comment
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=handmark.SHEET_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_merge_updates_points_status_totals_and_every_export(klass, capsys):
    out = _export(klass)
    sheet = out / "marking" / "02_q6.csv"
    _mark(sheet, "s3000001", "2", "Right: n = 9 allows 33 % or 44 % only.")
    capsys.readouterr()
    code = cli.main(["merge", str(sheet), "--gradebook", str(klass / "long.csv")])
    printed = capsys.readouterr().out
    assert code == 0
    assert "merged 1 mark(s)" in printed and "1 unchanged" in printed
    rows = {(r["student"], r["set"], r["question"]): r for r in _dicts(klass / "long.csv")}
    q6 = rows[("s3000001", "02", "q6")]
    assert (q6["points"], q6["status"]) == ("2", "hand-graded")
    assert q6["feedback"].startswith("Right")
    total = rows[("s3000001", "02", "TOTAL")]
    assert (total["points"], total["max_points"], total["feedback"]) == ("5", "6", "")
    wide = {r["student_id"]: r for r in _dicts(out / "wide.csv")}
    assert (wide["S3000001"]["02 q6"], wide["S3000001"]["02 total"]) == ("2", "5")
    assert (wide["S3000001"]["total"], wide["S3000001"]["to_mark"]) == ("6", "0")
    canvas = {r["SIS User ID"]: r for r in _dicts(out / "canvas_02.csv")}
    assert canvas["3000001"][exports.set_info("02").assignment] == "5"
    moodle = {r["ID number"]: r for r in _dicts(out / "moodle_02.csv")}
    assert moodle["3000001"][exports.set_info("02").assignment] == "5"
    # merging the same sheet again changes nothing
    before = _sha(klass / "long.csv")
    assert cli.main(["merge", str(sheet), "--gradebook", str(klass / "long.csv")]) == 0
    assert _sha(klass / "long.csv") == before
    assert "merged 0 mark(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("points", "says"),
    [
        ("3", "3 is more than the maximum 2; enter a number from 0 to 2"),
        ("-1", "-1 is negative; enter a number from 0 to 2"),
        ("two", "'two' is not a number"),
        ("nan", "is not a number"),
    ],
)
def test_merge_rejects_invalid_points_naming_the_row_and_the_fix(klass, capsys, points, says):
    out = _export(klass)
    sheet = out / "marking" / "02_q6.csv"
    _mark(sheet, "s3000001", points)
    before = _sha(klass / "long.csv")
    capsys.readouterr()
    code = cli.main(["merge", str(sheet), "--gradebook", str(klass / "long.csv")])
    err = capsys.readouterr().err
    assert code == 1
    assert "nothing merged" in err and "02_q6.csv, line 2 (student s3000001)" in err
    assert says in err
    assert _sha(klass / "long.csv") == before  # all or nothing


def test_merge_rejects_rows_the_gradebook_does_not_have(klass):
    out = _export(klass)
    sheet = out / "marking" / "02_q6.csv"
    text = sheet.read_text(encoding="utf-8").replace("s3000001,02,q6", "s9999999,02,q6")
    sheet.write_text(text, encoding="utf-8")
    _mark(sheet, "s9999999", "1")
    with pytest.raises(handmark.MarkingError, match="has no row for set 02 question q6"):
        handmark.merge_marks([sheet], klass / "long.csv")


def test_merge_refuses_a_mark_for_an_answer_that_changed(klass):
    out = _export(klass)
    sheet = out / "marking" / "02_q6.csv"
    _mark(sheet, "s3000001", "2")
    answers = klass / "long.answers.jsonl"
    answers.write_text(
        answers.read_text(encoding="utf-8").replace("ADA-OPEN-TEXT", "a resubmission"),
        encoding="utf-8",
    )
    with pytest.raises(handmark.MarkingError, match="no longer the student's answer"):
        handmark.merge_marks([sheet], klass / "long.csv")


def test_merge_forgives_a_spreadsheet_that_dropped_leading_zeros(klass):
    out = _export(klass)
    sheet = out / "marking" / "02_q6.csv"
    _mark(sheet, "s3000001", "1,5", "Half right.")  # a decimal comma, too
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(",02,q6,", ",2,q6,"), "utf-8")
    result = handmark.merge_marks([sheet], klass / "long.csv")
    assert result.marked == 1
    row = next(
        r for r in _dicts(klass / "long.csv") if (r["student"], r["question"]) == ("s3000001", "q6")
    )
    assert (row["set"], row["points"]) == ("02", "1.5")


def test_writing_the_sheets_again_keeps_marks_typed_but_not_merged(klass):
    out = _export(klass)
    sheet = out / "marking" / "02_q6.csv"
    _mark(sheet, "s3000001", "1", "Partly.")
    _export(klass)  # e.g. after grading a late submission
    row = _dicts(sheet)[0]
    assert (row["student"], row["points"], row["comment"]) == ("s3000001", "1", "Partly.")


def test_grading_again_keeps_a_hand_mark_only_for_the_same_answer():
    old = exports.read_gradebook(FIXTURES / "long.csv")
    answers = exports.read_answers(FIXTURES / "long.answers.jsonl")
    rerun = [
        exports.Row("s3000002", "02", "q1", 1, 1, "correct", "Correct."),
        exports.Row("s3000002", "02", "q6", 0, 2, "manual", "needs manual grading"),
    ]
    same = {("s3000002", "02"): dict(answers[("s3000002", "02")])}
    rows, _, kept = exports.combine(old, answers, rerun, same)
    q6 = next(r for r in rows if (r.student, r.set, r.question) == ("s3000002", "02", "q6"))
    assert kept == 1 and (q6.points, q6.status) == (1.5, "hand-graded")
    assert not [r for r in rows if (r.student, r.set, r.question) == ("s3000002", "02", "q3")]
    assert [r for r in rows if (r.student, r.set) == ("s3000001", "03")]  # other sets stay
    changed = {("s3000002", "02"): {"q6": "a different text"}}
    rows, _, kept = exports.combine(old, answers, rerun, changed)
    q6 = next(r for r in rows if (r.student, r.set, r.question) == ("s3000002", "02", "q6"))
    assert kept == 0 and q6.status == "manual"


# ---------------------------------------------------------------------------
# Feedback
# ---------------------------------------------------------------------------
OWN_TEXT = {"s3000001": "ADA-OPEN-TEXT", "s3000002": "GRACE-OPEN-TEXT"}


def test_feedback_holds_each_students_own_work_and_nothing_else(klass, capsys):
    out = _export(klass)
    assert cli.main(["feedback", "--gradebook", str(klass / "long.csv")]) == 0
    assert "feedback: 4 student(s), 8 file(s)" in capsys.readouterr().out
    folder = out / "feedback"
    roster = Roster.read(FIXTURES / "roster.csv")
    rubrics = [q.rubric for s in ("02", "03") for q in exports.set_info(s).questions.values()]
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8")
        me = path.stem.casefold()
        for other in [*STUDENTS, "zz_intruder"]:
            if other != me:
                assert other not in text.casefold(), (path.name, other)
                assert roster.get(other) is None or roster.get(other).email not in text
        for student, marker in OWN_TEXT.items():
            assert (marker in text) == (student == me), (path.name, marker)
        for rubric in filter(None, rubrics):
            assert rubric.strip()[:50] not in text
    assert not (folder / "s3000005.md").exists()  # submitted nothing: no file
    assert not (folder / "zz_intruder.md").exists()  # not on the roster: author unknown
    ada = (folder / "S3000001.md").read_text(encoding="utf-8")
    assert "Lovelace, Ada" in ada and "3 / 6 points" in ada and "not marked yet" in ada
    assert "listwise deletion keeps only firms" in ada  # the grader's teaching feedback
    grace = (folder / "s3000002.md").read_text(encoding="utf-8")
    assert "1.5 / 2" in grace and "Say which count the authors should check." in grace
    turing = (folder / "s3000003.md").read_text(encoding="utf-8")
    assert "could not be graded" in turing and "| small | 60 |" in turing


def test_feedback_html_shows_answers_as_text(klass):
    _export(klass)
    paths = feedback.write_feedback(klass / "long.csv", klass / "fb", formats=("html",))
    page = next(p for p in paths if p.stem == "s3000001").read_text(encoding="utf-8")
    assert "<b>Recount</b>" not in page and "&lt;b&gt;Recount&lt;/b&gt;" in page
    md = feedback.render_markdown(
        exports.ClassView(exports.read_gradebook(klass / "long.csv")),
        exports.read_answers(klass / "long.answers.jsonl"),
        "s3000001",
    )
    assert "```text\nWith only 9" in md  # the answer sits in a code block, not as markup


# ---------------------------------------------------------------------------
# The grade command, with a grader that keeps the contract
# ---------------------------------------------------------------------------
class ContractGrader:
    """Stands in for b2bsm_teach.grade.grader.grade_folder: same signature, same files."""

    def __init__(self, set_id="02"):
        self.set_id, self.calls = set_id, []

    def __call__(
        self,
        folder,
        out,
        *,
        default_set=None,
        jobs=2,
        cell_timeout=60,
        timeout=300,
        progress=True,
        sandbox="auto",
        roster_ids=None,
    ):
        from b2bsm_teach.grade.roster import match_student

        self.calls.append({"sandbox": sandbox, "roster_ids": roster_ids})
        rows, answers = [], []
        for path in sorted(Path(folder).glob("*.ipynb")):
            student, _ = match_student(path.stem, roster_ids or [path.stem])
            if student is None:
                continue
            text = path.read_text(encoding="utf-8")
            rows += [
                [student, self.set_id, "q1", 1, 1, "correct", "Correct."],
                [student, self.set_id, "q6", 0, 2, "manual", "needs manual grading"],
            ]
            answers.append(
                {"student": student, "set": self.set_id, "file": path.name, "answers": {"q6": text}}
            )
        exports.write_gradebook([exports.Row(*r) for r in rows], out)
        with exports.answers_path(out).open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(a) + "\n" for a in answers)
        return rows


def test_grade_command_runs_the_roster_and_writes_every_export(tmp_path, monkeypatch, capsys):
    from b2bsm_teach.grade import grader

    subs = tmp_path / "submissions"
    subs.mkdir()
    for stem in ("S3000001", "s3000002_lesson02", "stranger"):
        (subs / f"{stem}.ipynb").write_text(f"open answer of {stem}", encoding="utf-8")
    fake = ContractGrader()
    monkeypatch.setattr(grader, "grade_folder", fake)
    out = tmp_path / "grades.csv"
    args = [str(subs), "--out", str(out), "--roster", str(FIXTURES / "roster.csv"), "--quiet"]
    assert cli.main(args) == 0
    printed = capsys.readouterr().out.splitlines()
    assert fake.calls == [{"sandbox": "auto", "roster_ids": STUDENTS}]
    assert printed[0].startswith("graded 2 submission(s) of set 02;")
    assert printed[1].startswith("roster: 5 students, 2 submitted; 3 missing")
    assert "1 file(s) match no roster id (stranger.ipynb)" in printed[1]
    assert printed[2].startswith("exports: ")
    assert printed[3].startswith("marking: 1 sheet(s)")
    ex = tmp_path / "exports"
    for name in ("wide.csv", "canvas_02.csv", "moodle_02.csv", "roster_report.csv", "roster.csv"):
        assert (ex / name).is_file(), name
    assert len(_dicts(ex / "marking" / "02_q6.csv")) == 2
    assert exports.read_answers(tmp_path / "grades.answers.jsonl")[("s3000001", "02")]
    # a second set graded later joins the same gradebook
    monkeypatch.setattr(grader, "grade_folder", ContractGrader("03"))
    assert cli.main(args) == 0
    sets = {r["set"] for r in _dicts(out)}
    assert sets == {"02", "03"}
    wide_header = _rows(ex / "wide.csv")[0]
    assert "02 total" in wide_header and "03 total" in wide_header


def test_grading_fails_when_no_submission_could_be_graded(tmp_path, monkeypatch, capsys):
    from b2bsm_teach.grade import grader

    def nothing_runs(folder, out, **kwargs):
        rows = [exports.Row("s3000001", "02", "TOTAL", 0, 0, "not graded", "no answer key")]
        exports.write_gradebook(rows, out)
        return [[*r.cells()] for r in rows]

    (tmp_path / "s3000001.ipynb").write_text("x", encoding="utf-8")
    monkeypatch.setattr(grader, "grade_folder", nothing_runs)
    code = cli.main([str(tmp_path), "--out", str(tmp_path / "grades.csv"), "--quiet"])
    assert code == 1
    assert "no submission could be graded" in capsys.readouterr().err


def test_unsandboxed_says_what_it_exposes(tmp_path, monkeypatch, capsys):
    from b2bsm_teach.grade import grader

    (tmp_path / "s3000001.ipynb").write_text("x", encoding="utf-8")
    fake = ContractGrader()
    monkeypatch.setattr(grader, "grade_folder", fake)
    out = tmp_path / "grades.csv"
    assert cli.main([str(tmp_path), "--out", str(out), "--unsandboxed", "--quiet"]) == 0
    assert fake.calls[0]["sandbox"] == "none"
    err = capsys.readouterr().err
    assert "sandbox" in err and "other submissions" in err and "network" in err


def test_a_missing_sandbox_stops_grading_with_the_fix(tmp_path, monkeypatch, capsys):
    import types

    from b2bsm_teach.grade import grader

    try:  # the grader's own exception once it exists; the contract's name until then
        from b2bsm_teach.grade.sandbox import SandboxUnavailable
    except ImportError:
        SandboxUnavailable = type("SandboxUnavailable", (RuntimeError,), {})
        module = types.ModuleType("b2bsm_teach.grade.sandbox")
        module.SandboxUnavailable = SandboxUnavailable
        monkeypatch.setitem(sys.modules, "b2bsm_teach.grade.sandbox", module)

    def no_sandbox(*args, **kwargs):
        raise SandboxUnavailable("bubblewrap cannot create a namespace here; install bubblewrap")

    monkeypatch.setattr(grader, "grade_folder", no_sandbox)
    (tmp_path / "s3000001.ipynb").write_text("x", encoding="utf-8")
    out = tmp_path / "grades.csv"
    assert cli.main([str(tmp_path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--unsandboxed" in err
    assert not out.exists()


def test_grading_in_a_student_release_fails_with_the_fix(tmp_path):
    """A copy without the answer-key modules (lessonNN.py) must fail, not print zeros.

    (A student release has no ``b2bsm_teach`` at all, so it cannot even start the grader.)
    """
    for package in ("b2bsm", "b2bsm_teach"):
        shutil.copytree(
            REPO_ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("lesson[0-9]*.py", "__pycache__"),
        )
    subs = tmp_path / "submissions"
    subs.mkdir()
    shutil.copy(REPO_ROOT / "exercises" / "02_survey_data_exercises.ipynb", subs / "s1.ipynb")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "b2bsm_teach.grade", "submissions", "--out", "grades.csv"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "grade from the instructor's copy of the kit" in proc.stderr.lower()
    assert "lesson02.py" in proc.stderr
    assert not (tmp_path / "grades.csv").exists()


# ---------------------------------------------------------------------------
# The whole cycle of docs/instructors.md, on real notebooks and the real grader
# ---------------------------------------------------------------------------
GUIDE = REPO_ROOT / "docs" / "instructors.md"


def _guide(start: str) -> list[str]:
    """The command of docs/instructors.md that starts with ``start``, as arguments after -m."""
    text = GUIDE.read_text(encoding="utf-8")
    lines = [
        line.strip()
        for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)
        for line in block.splitlines()
        if line.strip().startswith(start)
    ]
    assert len(lines) == 1, f"docs/instructors.md should show `{start} ...` once: {lines}"
    return shlex.split(lines[0])[2:]


def test_the_guide_shows_every_step_of_the_cycle():
    for start in (
        "python -m b2bsm_teach.exercises build",
        "python -m b2bsm_teach.exercises release",
        "python -m b2bsm_teach.grade submissions/02",
        "python -m b2bsm_teach.grade merge",
        "python -m b2bsm_teach.grade feedback",
    ):
        _guide(start)
    text = GUIDE.read_text(encoding="utf-8")
    assert "community.canvaslms.com" in text and "docs.moodle.org" in text


def _kit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``python -m <args>`` in the course folder, as the guide does."""
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, (args, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


def _submission(source: Path, student_id: str, *, answers=None, append=None):
    """A student's notebook: the id typed in, hidden checks gone, some answers changed."""
    import nbformat

    nb = nbformat.read(source, as_version=4)
    nb.cells = [c for c in nb.cells if "hidden-check" not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code" and re.search(r"^STUDENT_ID = ", cell.source, re.M):
            cell.source = re.sub(
                r"^STUDENT_ID = .*$", f"STUDENT_ID = {student_id!r}", cell.source, flags=re.M
            )
            break
    for qid, code in (answers or {}).items():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and re.search(rf"^answer_{qid} = ", cell.source, re.M):
                nb.cells.insert(i + 1, nbformat.v4.new_code_cell(code))
                break
        else:
            raise AssertionError(f"no answer_{qid} cell in {source.name}")
    if append:
        nb.cells.append(nbformat.v4.new_code_cell(append))
    return nb


def _expected_shown(set_id: str, qid: str, student: str) -> set[str]:
    """How the right answer of a number question could be printed, for this student's data."""
    from b2bsm_teach.exercises.sets import load_set

    value = float(_key_value(set_id, qid, student))
    shown = {f"{value:.{d}f}" for d in (1, 2, 3)}
    q = next(q for q in load_set(set_id).QUESTIONS if q.id == qid)
    precision = getattr(q, "precision", None)
    if precision is not None:
        shown.add(precision.canonical(value))
    return shown


def _key_value(set_id: str, qid: str, student: str):
    """The answer key's value of a question for a student's dataset."""
    from b2bsm.exercises.session import Exercises, variant_seed

    ex = Exercises(set_id, student)
    q = ex.questions[qid]
    params = getattr(q, "params", None)
    return q.expected(ex.data, params(variant_seed(student))) if params else q.expected(ex.data)


def _key_answers(set_id: str, open_q_text: str) -> dict[str, str]:
    """Code cells answering every question of a set right: the master's code for number and
    table questions (computed from ``ex.data``, so right on the graded run's hidden data too),
    the key's letter for choice questions, ``open_q_text`` for open ones."""
    import nbformat

    from b2bsm_teach.exercises.sets import load_set

    master = next((REPO_ROOT / "solutions").glob(f"{set_id}_*_exercises.ipynb"))
    solutions = {}
    for cell in nbformat.read(master, as_version=4).cells:
        if "solution" in cell.metadata.get("tags", []):
            for found in re.findall(r"(?m)^answer_(q\d+) =", cell.source):
                solutions[found] = cell.source
    cells = {}
    for q in load_set(set_id).QUESTIONS:
        if q.kind == "choice":
            cells[q.id] = f"answer_{q.id} = {q.correct!r}"
        elif q.kind == "open":
            cells[q.id] = f"answer_{q.id} = {open_q_text!r}"
        else:
            cells[q.id] = solutions[q.id]
    return cells


@pytest.mark.slow
def test_the_whole_cycle_of_the_instructor_guide(tmp_path):
    import nbformat

    from b2bsm_teach.exercises.sets import load_set

    key = {q.id: q for q in load_set("02").QUESTIONS}
    open_q = next(q.id for q in key.values() if q.kind == "open")
    choice = next(q for q in key.values() if q.kind == "choice")
    numbers = [q for q in key.values() if q.kind == "number"]
    auto = sum(q.points for q in key.values() if q.kind != "open")
    assert len(numbers) >= 2 and key[open_q].points == 2

    course = tmp_path / "course"
    course.mkdir()
    roster_ids = [f"s30000{n:02d}" for n in range(1, 15)]
    with (course / "roster.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student_id", "name", "email", "sis_login_id", "canvas_id", "section"])
        for n, sid in enumerate(roster_ids, start=1):
            writer.writerow([sid, f"Student{n}, Test", f"{sid}@uni.example", sid, 7000 + n, "A"])

    # 1. release: the students' copy has no answer key and no solutions
    _kit(*_guide("python -m b2bsm_teach.exercises release"), cwd=course)
    release = tmp_path / "b2bsm-students"  # the guide's ../b2bsm-students
    assert not (release / "solutions").exists()
    assert not list((release / "b2bsm" / "exercises" / "sets").glob("lesson*.py"))
    exercise = release / "exercises" / "02_survey_data_exercises.ipynb"

    # 2. collect: one notebook per student, named by the student id
    subs = course / "submissions" / "02"
    subs.mkdir(parents=True)
    grace = "GRACE-OPEN: nine firms give 33 % or 44 %, never 36 %; recount the refiners."
    nasty = '=HYPERLINK("http://x.example") <script>alert(1)</script> 36 % of 9 firms is 3.24.'
    one, two = numbers[0], numbers[1]
    wrong_letter = next(letter for letter in choice.choices if letter != choice.correct)

    def work(student, typed_id=None, **changes):
        """The release's exercise notebook, answered as the key says for ``student``'s data."""
        answers = _key_answers("02", open_q_text=f"My answer, {student}.")
        answers.update(changes.pop("answers", {}))
        return _submission(exercise, typed_id or student, answers=answers, **changes)

    cls = {
        "s3000001": work("s3000001"),
        "S3000002": work("s3000002", answers={open_q: f"answer_{open_q} = {grace!r}"}),
        "s3000003": _submission(exercise, "s3000003"),  # handed in untouched
        "s3000004": work(
            "s3000004",
            answers={
                one.id: f"answer_{one.id} = {_key_value('02', one.id, 's3000004') + 1000!r}",
                two.id: f"answer_{two.id} = {_key_value('02', two.id, 's3000004') + 1000!r}",
            },
        ),
        "s3000005": work("s3000005", append="raise RuntimeError('oops')"),
        "s3000006_02_survey_data_exercises": work("s3000006"),
        "s3000007": work("s3000007", answers={open_q: f"answer_{open_q} = {nasty!r}"}),
        "s3000009": work("s3000009", answers={one.id: f"del answer_{one.id}"}),
        "s3000010": work("s3000010", answers={choice.id: f"answer_{choice.id} = {wrong_letter!r}"}),
        "s3000011": work("s3000011", append="import sys\nsys.exit(3)"),
        "s3000012": work("s3000012", typed_id="s9999999"),  # worked on someone else's data
        "intruder": work("intruder"),
    }
    for stem, nb in cls.items():
        nbformat.write(nb, subs / f"{stem}.ipynb")
    (subs / "s3000008.ipynb").write_text("{not a notebook", encoding="utf-8")

    # 3. grade
    graded = _kit(*_guide("python -m b2bsm_teach.grade submissions/02"), cwd=course)
    summary = [line for line in graded.stdout.splitlines() if line.startswith("graded ")]
    assert len(summary) == 1 and "of set 02" in summary[0], graded.stdout
    assert (
        "roster: 14 students, 12 submitted; 2 missing (s3000013, s3000014); "
        "1 file(s) match no roster id (intruder.ipynb)" in graded.stdout
    )
    book = {(r["student"], r["question"]): r for r in _dicts(course / "grades.csv")}

    def total(student):
        return float(book[(student, "TOTAL")]["points"])

    def rows_of(student):
        return {
            q: (r["points"], r["status"], r["feedback"][:80])
            for (s, q), r in book.items()
            if s == student
        }

    for student in ("s3000001", "s3000002", "s3000006"):
        assert total(student) == auto, rows_of(student)
        assert book[(student, open_q)]["status"] == "manual"
    assert total("s3000003") == 0, rows_of("s3000003")
    assert total("s3000004") == auto - one.points - two.points, rows_of("s3000004")
    assert (
        book[("s3000004", one.id)]["status"] == "wrong" and book[("s3000004", one.id)]["feedback"]
    )
    assert total("s3000005") == total("s3000011") == auto  # broken endings keep their answers
    assert total("s3000009") == auto - one.points, rows_of("s3000009")
    assert total("s3000010") == auto - choice.points, rows_of("s3000010")
    assert total("s3000008") == 0
    assert total("s3000012") < auto  # graded on the data of the id in its file name
    assert not any(s == "s3000013" for s, _ in book)
    answers = exports.read_answers(course / "grades.answers.jsonl")
    assert "GRACE-OPEN" in answers[("s3000002", "02")][open_q]

    ex = course / "exports"
    full = sum(q.points for q in key.values())
    wide = {r["student_id"]: r for r in _dicts(ex / "wide.csv")}
    assert wide["Points possible"]["02 total"] == str(full)
    assert wide["s3000001"]["02 total"] == str(auto)
    assert wide["s3000001"]["02 status"] == "to mark"
    assert wide["s3000013"]["02 status"] == "missing"
    canvas = _rows(ex / "canvas_02.csv")
    assert canvas[0][:5] == _rows(FIXTURES / "canvas_documented.csv")[0][:5]
    assert canvas[1][:6] == ["Points Possible", "", "", "", "", str(full)]
    listed = {r[2] for r in canvas[2:]}
    assert "s3000013" not in listed and listed < set(roster_ids)  # only graded students
    moodle = {r["ID number"]: r for r in _dicts(ex / "moodle_02.csv")}
    assert set(moodle) == listed and "-" not in {r[canvas[0][5]] for r in moodle.values()}
    report = {r["student_id"]: r["status"] for r in _dicts(ex / "roster_report.csv")}
    assert report["s3000013"] == "missing" and report["s3000006"] == "submitted"

    # 4. hand-mark the open answers (the sheet the guide's merge command names)
    merge = _guide("python -m b2bsm_teach.grade merge")
    sheet = course / merge[2]
    assert sheet.name == f"02_{open_q}.csv"
    rows = _dicts(sheet)
    marked = {r["student"] for r in rows}
    assert {"s3000001", "s3000002", "s3000007"} <= marked and "s3000003" not in marked
    by_student = {r["student"]: r for r in rows}
    assert by_student["s3000007"]["answer"].startswith("'=HYPERLINK")
    assert "GRACE-OPEN" in by_student["s3000002"]["answer"]
    rubric_page = sheet.with_suffix(".md").read_text(encoding="utf-8")
    assert key[open_q].rubric.strip()[:60] in rubric_page
    for row in rows:
        row["points"] = "2" if row["student"] == "s3000001" else "1"
        row["comment"] = f"Comment for {row['student']}."
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=handmark.SHEET_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)

    # 5. merge: totals and every export follow
    merged = _kit(*merge, cwd=course)
    assert f"merged {len(rows)} mark(s)" in merged.stdout
    assert "0 open answer(s) still to mark" in merged.stdout
    book = {(r["student"], r["question"]): r for r in _dicts(course / "grades.csv")}
    assert book[("s3000001", open_q)]["status"] == "hand-graded"
    assert total("s3000001") == full and total("s3000002") == auto + 1
    wide = {r["student_id"]: r for r in _dicts(ex / "wide.csv")}
    assert (wide["s3000001"]["total"], wide["s3000001"]["to_mark"]) == (str(full), "0")
    canvas = {r[2]: r for r in _rows(ex / "canvas_02.csv")[2:]}
    assert canvas["s3000001"][5] == str(full) and "s3000013" not in canvas
    moodle = {r["ID number"]: r for r in _dicts(ex / "moodle_02.csv")}
    assert moodle["s3000002"][_rows(ex / "moodle_02.csv")[0][5]] == str(auto + 1)

    # 6. feedback: one file per student who handed in, their own work only
    done = _kit(*_guide("python -m b2bsm_teach.grade feedback"), cwd=course)
    assert "feedback: 12 student(s), 24 file(s) in exports/feedback" in done.stdout
    folder = ex / "feedback"
    assert not (folder / "s3000013.md").exists() and not (folder / "intruder.md").exists()
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        me = path.stem
        for other in roster_ids:
            if other != me:
                assert other not in text, (path.name, other)
        assert ("GRACE-OPEN" in text) == (me == "s3000002"), path.name
        assert "<script>" not in text, path.name  # escaped, in code blocks too: never run
        assert "Comment for" not in text or f"Comment for {me}." in text
        assert key[open_q].rubric.strip()[:60] not in text
    s4 = (folder / "s3000004.md").read_text(encoding="utf-8")
    assert book[("s3000004", one.id)]["feedback"][:40] in s4 and "Comment for s3000004." in s4
    # wrong answer: the key stays hidden in that question's part of the feedback (other parts
    # show the student's own answers, where the same number may stand for something else)
    part = s4.split(f"### {one.id}", 1)[1].split("\n### ", 1)[0]
    for value in _expected_shown("02", one.id, "s3000004"):
        assert not re.search(rf"(?<![\d.]){re.escape(value)}(?!\d)", part), value
