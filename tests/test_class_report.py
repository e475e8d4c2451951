"""The class mistake report, on a graded class of set 05 with planted mistakes."""

from __future__ import annotations

import csv

import pytest

from b2bsm_teach.exercises.sets import load_set
from b2bsm_teach.grade.__main__ import main
from b2bsm_teach.grade.exports import Row, write_gradebook
from b2bsm_teach.grade.report import class_report, most_missed

SET = "05"


def _class(tmp_path):
    """20 students: q3 has 6 Wilcoxon slips, 2 unpaired-test slips, 4 other wrong, 8 right;
    q4 has 5 group-size slips and 15 right; q1 is right for all but 2 unanswered."""
    questions = {q.id: q for q in load_set(SET).QUESTIONS}
    wilcoxon = next(m for m in questions["q3"].mistakes if "Wilcoxon" in m.message)
    unpaired = questions["q3"].mistakes[0]
    group = next(m for m in questions["q4"].mistakes if "answered the item" in m.message)
    rows = []
    for i in range(20):
        student = f"stu-{i:02d}"
        if i < 6:
            q3 = ("wrong", f"Not quite. {wilcoxon.message}")
        elif i < 8:
            q3 = ("wrong", f"Not quite. {unpaired.message}")
        elif i < 12:
            q3 = ("wrong", f"Not quite. {questions['q3'].hints[0]}")
        else:
            q3 = ("correct", "Correct.")
        q4 = ("wrong", f"Not quite. {group.message}") if i < 5 else ("correct", "Correct.")
        q1 = ("not answered", "Not answered yet.") if i < 2 else ("correct", "Correct.")
        for qid, (status, feedback) in (("q1", q1), ("q3", q3), ("q4", q4)):
            points = 2 if status == "correct" else 0
            rows.append(Row(student, SET, qid, points, 2, status, feedback))
    return write_gradebook(rows, tmp_path / "grades.csv"), wilcoxon


def test_the_report_counts_each_planted_mistake_and_orders_the_missed_questions(tmp_path):
    gradebook, wilcoxon = _class(tmp_path)
    lines = class_report(gradebook, SET)
    by = {(ln.question, ln.outcome, ln.message): ln for ln in lines}
    slip = by[("q3", "named mistake", wilcoxon.message)]
    assert (slip.students, slip.share) == (6, pytest.approx(0.3))
    assert "lesson 05" in slip.lesson_section and "McNemar" in slip.lesson_section
    assert by[("q3", "other wrong answer", "")].students == 4
    assert by[("q3", "correct", "")].share == pytest.approx(0.4)
    assert by[("q1", "not answered", "")].students == 2
    assert [q for q, _ in most_missed(lines)] == ["q3", "q4", "q1"]


def test_one_command_writes_the_csv_and_a_static_page(tmp_path, capsys):
    gradebook, wilcoxon = _class(tmp_path)
    out = tmp_path / "report"
    assert main(["report", "--gradebook", str(gradebook), "--set", "5", "--out", str(out)]) == 0
    assert "mistakes_05.csv" in capsys.readouterr().out
    with (out / "mistakes_05.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    shares = {(r["question"], r["message"]): float(r["share"]) for r in table}
    assert shares[("q3", wilcoxon.message)] == pytest.approx(0.3)
    page = (out / "mistakes_05.html").read_text(encoding="utf-8")
    assert "Wilcoxon" in page and "30%" in page and "<script" not in page
    assert "stu-0" not in page  # students are counted, never named


def test_a_set_that_was_not_graded_is_refused_with_a_reason(tmp_path, capsys):
    gradebook, _ = _class(tmp_path)
    assert main(["report", "--gradebook", str(gradebook), "--set", "03"]) == 2
    assert "no graded answer of set 03" in capsys.readouterr().err
