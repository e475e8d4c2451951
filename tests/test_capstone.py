"""The capstone's rubric goes through the grader's own marking sheets and merge."""

from __future__ import annotations

import csv

import pytest

from b2bsm_teach.grade.exports import read_gradebook
from b2bsm_teach.grade.handmark import SHEET_COLUMNS, merge_marks, write_marking_sheets
from tools import capstone


def _roster(tmp_path, ids):
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name\n" + "".join(f"{i},Student {i}\n" for i in ids))
    return path


def test_rubric_rows_are_marked_and_merged(tmp_path):
    gradebook = tmp_path / "grades.csv"
    roster = _roster(tmp_path, ["s1", "S2 "])
    assert capstone.main(["rows", "--roster", str(roster), "--gradebook", str(gradebook)]) == 0
    sheets = write_marking_sheets(gradebook, tmp_path / "marking")
    assert len(sheets) == len(capstone.RUBRIC)
    for sheet in sheets:
        with sheet.path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0]) == SHEET_COLUMNS and {r["student"] for r in rows} == {"s1", "s2"}
        for r in rows:
            r["points"] = r["max_points"] if r["student"] == "s1" else "1"
            r["comment"] = "clear"
        with sheet.path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, SHEET_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    merge_marks([s.path for s in sheets], gradebook)
    totals = {
        r.student: r.points for r in read_gradebook(gradebook) if r.is_total and r.set == "capstone"
    }
    assert totals == {"s1": capstone.MAX_POINTS, "s2": len(capstone.RUBRIC)}
    # running it again keeps the marks and adds nothing
    assert capstone.add_rows(gradebook, ["s1", "s2"]) == 0
    kept = [r for r in read_gradebook(gradebook) if r.student == "s1" and not r.is_total]
    assert all(r.status == "hand-graded" for r in kept)


def test_a_mark_above_the_criterion_maximum_is_refused(tmp_path):
    from b2bsm_teach.grade.handmark import MarkingError

    gradebook = tmp_path / "grades.csv"
    capstone.add_rows(gradebook, ["s1"])
    sheet = write_marking_sheets(gradebook, tmp_path / "marking")[0]
    text = sheet.path.read_text(encoding="utf-8-sig").splitlines()
    head, row = text[0], next(csv.DictReader(text))
    row["points"] = str(capstone.RUBRIC[0][1] + 1)
    sheet.path.write_text(head + "\n" + ",".join(f'"{row[c]}"' for c in SHEET_COLUMNS) + "\n")
    with pytest.raises(MarkingError, match="more than the maximum"):
        merge_marks([sheet.path], gradebook)


def test_rubric_matches_the_brief():
    brief = (capstone.ROOT / "docs" / "capstone.md").read_text(encoding="utf-8")
    for qid, points, _ in capstone.RUBRIC:
        assert f"| {qid} |" in brief and f"| {points} |" in brief
    assert f"{capstone.MAX_POINTS} points" in brief
