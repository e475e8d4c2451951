"""The long gradebook and its answers file: read, write, fold runs together, lock.

The grader writes the *long* gradebook (``grades.csv``): one row per student,
exercise set and question (``student,set,question,points,max_points,status,
feedback``) plus a ``TOTAL`` row per student and set, and beside it the
answers each student exported (``grades.answers.jsonl``, one JSON object per
student and set).  Every other file (:mod:`b2bsm_teach.grade.exports`, the
marking sheets, the feedback) is derived from these two.

Examples
--------
>>> answers_path("marks/grades.csv").name
'grades.answers.jsonl'
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from b2bsm_teach.grade.cells import (
    fmt_points,
    plain_text,
    spreadsheet_safe,
    write_atomically,
    write_csv,
)

COLUMNS = ["student", "set", "question", "points", "max_points", "status", "feedback"]
TOTAL = "TOTAL"
#: Statuses of question rows that still wait for an instructor.
TO_MARK = ("manual",)


class GradebookError(ValueError):
    """A gradebook or answers file that cannot be read; the message says how to fix it."""


def question_order(qid: str) -> tuple:
    """Sort key putting q2 before q10 and TOTAL last.

    >>> sorted(["q10", "TOTAL", "q2"], key=question_order)
    ['q2', 'q10', 'TOTAL']
    """
    if qid == TOTAL:
        return (2, 0, "")
    match = re.fullmatch(r"[a-zA-Z]*(\d+)", qid)
    return (0, int(match.group(1)), qid) if match else (1, 0, qid)


@dataclass(frozen=True)
class Row:
    """One row of the long gradebook."""

    student: str
    set: str
    question: str
    points: float
    max_points: float
    status: str
    feedback: str = ""

    @property
    def is_total(self) -> bool:
        return self.question == TOTAL

    def cells(self) -> list[str]:
        return [
            spreadsheet_safe(self.student),
            self.set,
            self.question,
            fmt_points(self.points),
            fmt_points(self.max_points),
            self.status,
            spreadsheet_safe(self.feedback),
        ]


def _number(text: str, what: str, where: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise GradebookError(f"{where}: {what} {text!r} is not a number.") from None
    if not math.isfinite(value):
        raise GradebookError(f"{where}: {what} {text!r} is not a finite number.")
    return value


def read_gradebook(path) -> list[Row]:
    """Read a long gradebook written by ``python -m b2bsm_teach.grade``.

    Raises :class:`GradebookError` naming the file (and line) when it is not one.
    """
    path = Path(path)
    if not path.is_file():
        raise GradebookError(
            f"no gradebook at {path}; grade first: "
            f"python -m b2bsm_teach.grade SUBMISSIONS --out {path}"
        )
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise GradebookError(
                f"{path} is not a b2bsm gradebook: it lacks the column(s) {', '.join(missing)}. "
                "Pass the grades.csv that python -m b2bsm_teach.grade wrote."
            )
        rows = []
        for line, rec in enumerate(reader, start=2):
            where = f"{path}, line {line}"
            rows.append(
                Row(
                    student=plain_text(rec["student"] or ""),
                    set=(rec["set"] or "").strip(),
                    question=(rec["question"] or "").strip(),
                    points=_number(rec["points"], "points", where),
                    max_points=_number(rec["max_points"], "max_points", where),
                    status=(rec["status"] or "").strip(),
                    feedback=plain_text(rec["feedback"] or ""),
                )
            )
    return rows


@contextlib.contextmanager
def gradebook_lock(path):
    """Hold the gradebook's lock (``.<name>.lock`` beside it) for a read, fold and write.

    Two grading runs, or a run and a merge of marks, into one gradebook then
    take turns: the second reads what the first wrote, so both land.
    """
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f".{path.name}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_gradebook(rows: Iterable[Row], path) -> Path:
    """Write the long gradebook (with fresh TOTAL rows) atomically."""
    return write_csv(path, COLUMNS, (r.cells() for r in with_totals(rows)))


def with_totals(rows: Iterable[Row]) -> list[Row]:
    """Sorted rows with one recomputed TOTAL row per student and set.

    A submission that could not be graded at all has only a TOTAL row (status
    ``not graded``); that row is kept as it is.  What the grader noted about a
    run (stopped for its memory, cells interrupted, another student's data)
    leads the old TOTAL row's feedback and stays in the new one.

    >>> rows = [Row("s1", "02", "q2", 1, 2, "correct"), Row("s1", "02", "q1", 0, 1, "manual")]
    >>> [(r.question, r.points, r.max_points, r.feedback) for r in with_totals(rows)]
    [('q1', 0, 1, ''), ('q2', 1, 2, ''), ('TOTAL', 1.0, 3.0, '1 open answer(s) to mark')]
    >>> note = Row("s1", "02", "TOTAL", 1, 3, "total", "stopped at 4 GB; 1 open answer(s) to mark")
    >>> with_totals([*rows, note])[-1].feedback
    'stopped at 4 GB; 1 open answer(s) to mark'
    """
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.student, row.set), []).append(row)
    out: list[Row] = []
    for key in sorted(groups):
        own = sorted(
            (r for r in groups[key] if not r.is_total), key=lambda r: question_order(r.question)
        )
        if not own:
            out.extend(r for r in groups[key] if r.is_total)
            continue
        out.extend(own)
        pending = sum(r.status in TO_MARK for r in own)
        notes = [run_note(r.feedback) for r in groups[key] if r.is_total]
        parts = [*filter(None, notes[:1]), f"{pending} open answer(s) to mark" if pending else ""]
        out.append(
            Row(
                key[0],
                key[1],
                TOTAL,
                float(sum(r.points for r in own)),
                float(sum(r.max_points for r in own)),
                "total",
                "; ".join(p for p in parts if p),
            )
        )
    return out


_PENDING = re.compile(r"\s*\d+ open answer\(s\) (?:to mark|need manual grading)\s*$")


def run_note(feedback: str) -> str:
    """The grader's note on a run in a TOTAL row's feedback (without the count still to mark).

    >>> run_note("the kernel died after code cell 3; 1 open answer(s) need manual grading")
    'the kernel died after code cell 3'
    """
    parts = [p for p in str(feedback).split(";") if p.strip() and not _PENDING.fullmatch(p)]
    return ";".join(parts).strip()


def answers_path(gradebook) -> Path:
    """Where the grader writes the answers beside a gradebook: ``<stem>.answers.jsonl``.

    >>> answers_path("out/grades.csv").as_posix()
    'out/grades.answers.jsonl'
    """
    gradebook = Path(gradebook)
    return gradebook.with_name(f"{gradebook.stem}.answers.jsonl")


def read_answers(path) -> dict[tuple[str, str], dict]:
    """``(student, set) -> {"q1": answer, ...}`` from an answers file (empty when absent).

    Lines that are not JSON objects of the grader's form are skipped; a later
    line for the same student and set replaces an earlier one.
    """
    path = Path(path)
    found: dict[tuple[str, str], dict] = {}
    if not path.is_file():
        return found
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("answers"), dict):
                continue
            student, set_id = rec.get("student"), rec.get("set")
            if isinstance(student, str) and isinstance(set_id, str):
                found[(student, set_id)] = rec["answers"]
    return found


def write_answers(answers: dict[tuple[str, str], dict], path) -> Path:
    """Write an answers file (one JSON object per student and set) atomically."""

    def write(fh) -> None:
        for (student, set_id), ans in sorted(answers.items()):
            rec = {"student": student, "set": set_id, "answers": ans}
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")

    return write_atomically(path, write)


def combine(
    old_rows: list[Row],
    old_answers: dict,
    new_rows: list[Row],
    new_answers: dict,
) -> tuple[list[Row], dict, int]:
    """Fold a new grading run into an existing course gradebook.

    The new run replaces every (student, set) it graded; other rows stay, so
    one gradebook collects every set of the course.  A hand mark is kept when
    the student's open answer is the same text as the one that was marked.
    Returns the rows, the answers and how many hand marks were kept.

    A student whose new run is only ``duplicate`` rows (several files for one
    student) keeps the grade the gradebook already has for that set: a second
    file never erases the first one's grade.
    """
    old_keys = {(r.student, r.set) for r in old_rows}
    statuses: dict[tuple[str, str], set[str]] = {}
    for r in new_rows:
        statuses.setdefault((r.student, r.set), set()).add("" if r.is_total else r.status)
    statuses = {k: v - {""} or v for k, v in statuses.items()}
    blocked = {k for k, v in statuses.items() if v == {"duplicate"} and k in old_keys}
    new_rows = [r for r in new_rows if (r.student, r.set) not in blocked]
    new_answers = {k: v for k, v in new_answers.items() if k not in blocked}
    graded = {(r.student, r.set) for r in new_rows}
    marks = {
        (r.student, r.set, r.question): r
        for r in old_rows
        if r.status == "hand-graded" and (r.student, r.set) in graded
    }
    kept = 0
    rows = [r for r in old_rows if (r.student, r.set) not in graded]
    for row in new_rows:
        old = marks.get((row.student, row.set, row.question))
        before = old_answers.get((row.student, row.set), {}).get(row.question)
        now = new_answers.get((row.student, row.set), {}).get(row.question)
        same = old is not None and now is not None and before == now
        if same and row.status in TO_MARK:
            row = replace(row, points=old.points, status=old.status, feedback=old.feedback)
            kept += 1
        rows.append(row)
    answers = {k: v for k, v in old_answers.items() if k not in graded}
    answers.update(new_answers)
    return with_totals(rows), answers, kept


def answer_table(answer) -> tuple[list[str], list[list]] | None:
    """Columns and rows of an answer that is a table, else None.

    The grader exports a DataFrame as ``{"__table__": {"columns", "index", "data"}}``
    (see :mod:`b2bsm.exercises.answers`); a plain ``{column: [values]}`` also counts.

    >>> answer_table({"__table__": {"columns": ["size", "firms"], "index": [0, 1],
    ...                             "data": [["small", 60], ["large", 17]]}})
    (['size', 'firms'], [['small', 60], ['large', 17]])
    >>> answer_table(12.5) is None
    True
    """
    if isinstance(answer, dict) and isinstance(answer.get("__table__"), dict):
        table = answer["__table__"]
        columns = [str(c) for c in table.get("columns") or []]
        data = [list(r) if isinstance(r, list) else [r] for r in table.get("data") or []]
        index = table.get("index") or []
        if index and list(index) != list(range(len(index))) and len(index) == len(data):
            columns = ["", *columns]
            data = [[i, *r] for i, r in zip(index, data, strict=True)]
        if not columns and data:
            columns = [str(n) for n in range(len(data[0]))]
        return columns, data[:50]
    if (
        isinstance(answer, dict)
        and answer
        and all(isinstance(v, list) for v in answer.values())
        and len({len(v) for v in answer.values()}) == 1
    ):
        columns = [str(c) for c in answer]
        n = len(next(iter(answer.values())))
        return columns, [[answer[c][i] for c in answer] for i in range(min(n, 50))]
    return None


def answer_display(answer) -> str:
    """An exported answer as text a person reads (the grader's markers spelled out).

    >>> answer_display({"__float__": "nan"}), answer_display({"__tuple__": [1, 2]})
    ('nan', '[1, 2]')
    >>> answer_display({"__ellipsis__": True})
    '... (not answered)'
    >>> answer_display("  A few sentences. ")
    'A few sentences.'
    """
    if isinstance(answer, str):
        return answer.strip()
    if isinstance(answer, dict) and len(answer) == 1:
        ((key, value),) = answer.items()
        if key == "__ellipsis__":
            return "... (not answered)"
        if key == "__float__":
            return str(value)
        if key in ("__tuple__", "__array__", "__dict__"):
            return answer_display(value)
        if key == "__unsupported__":
            return f"(an object of type {value}, which cannot be checked)"
        if key == "__too_big__":
            return f"(too large to keep: {value})"
    return json.dumps(answer, ensure_ascii=False)
