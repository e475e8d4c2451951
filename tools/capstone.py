"""Capstone project: put its rubric rows into the gradebook, so the grader's marking sheets and
``merge`` handle it like any open question (docs/capstone.md).

Usage (from the course folder, after the roster exists)::

    python tools/capstone.py rows --roster roster.csv --gradebook grades.csv
    python -m b2bsm_teach.grade export --gradebook grades.csv   # exports/marking/capstone_c*.csv
    # type points and comments into the sheets, then:
    python -m b2bsm_teach.grade merge exports/marking/capstone_c*.csv --gradebook grades.csv

``rows`` adds one row per student and rubric criterion (set ``capstone``, questions ``c1``
... ``c6``, status ``manual``) and keeps every row already there, marks included, so it can be
run again when the roster changes.  Every member of a team gets the team's mark in their own
row (type it once per member, or copy it down in the spreadsheet).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from b2bsm_teach.grade.exports import Row, read_gradebook, write_gradebook  # noqa: E402
from b2bsm_teach.grade.roster import normalise_id  # noqa: E402

SET_ID = "capstone"
#: The rubric: (question id, points, criterion). docs/capstone.md explains each level.
RUBRIC = [
    (
        "c1",
        3,
        "Question and data: a decision-relevant question, the team's variant named and checked",
    ),
    ("c2", 4, "Survey analysis: shares with Wilson intervals, N reported, a paired comparison"),
    ("c3", 4, "Engagement model: negative binomial with an offset, cluster-robust SEs, IRRs read"),
    ("c4", 3, "Experiment plan: a pre-registration with a power simulation"),
    ("c5", 3, "Honesty: limits stated, no causal claim from association, no overlap-as-test"),
    ("c6", 3, "Communication: a manager can act on it; figures labelled with alt text"),
]
MAX_POINTS = sum(points for _, points, _ in RUBRIC)


def roster_ids(path: Path) -> list[str]:
    """The normalised student ids of a roster CSV (column ``student_id``)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if "student_id" not in (reader.fieldnames or []):
            raise SystemExit(
                f"{path}: no student_id column; the roster format is in docs/instructors.md"
            )
        return [
            normalise_id(rec["student_id"]) for rec in reader if (rec["student_id"] or "").strip()
        ]


def add_rows(gradebook: Path, students: list[str]) -> int:
    """Add the capstone rows missing for ``students``; the number of rows added."""
    gradebook = Path(gradebook)
    rows = [r for r in read_gradebook(gradebook) if not r.is_total] if gradebook.exists() else []
    have = {(r.student, r.set, r.question) for r in rows}
    added = [
        Row(student, SET_ID, qid, 0.0, float(points), "manual", f"capstone: {criterion}")
        for student in students
        for qid, points, criterion in RUBRIC
        if (student, SET_ID, qid) not in have
    ]
    write_gradebook(rows + added, gradebook)
    return len(added)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rows = sub.add_parser("rows", help="add the capstone rubric rows to a gradebook")
    rows.add_argument("--roster", type=Path, required=True)
    rows.add_argument("--gradebook", type=Path, required=True)
    args = parser.parse_args(argv)
    students = roster_ids(args.roster)
    added = add_rows(args.gradebook, students)
    print(
        f"capstone: {added} row(s) added to {args.gradebook} for {len(students)} student(s), "
        f"{len(RUBRIC)} criteria, {MAX_POINTS} points; next: python -m b2bsm_teach.grade export "
        f"--gradebook {args.gradebook}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
