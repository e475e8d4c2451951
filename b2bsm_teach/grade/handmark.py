"""Hand marking of open answers: sheets out, marks back into the gradebook.

``write_marking_sheets`` writes, for every open question of every set in the
gradebook, ``marking/<set>_<question>.csv`` with every student's answer, an
empty ``points`` column and a ``comment`` column, and beside it
``<set>_<question>.md`` with the prompt and the rubric the set defines.
Marking is by student id only (no names), which keeps it blind.

``merge_marks`` reads marked sheets back, checks every mark (a number from 0
to the question's maximum, a row that exists in the gradebook, the same
answer that was marked) and only when every row is valid updates the
gradebook: the row's points, status ``hand-graded`` and the comment as its
feedback; totals are recomputed.  A blank ``points`` cell means "not marked
yet" and changes nothing.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from b2bsm_teach.grade.cells import fmt_points, plain_text, spreadsheet_safe, write_csv
from b2bsm_teach.grade.class_view import set_info
from b2bsm_teach.grade.gradebook import (
    TO_MARK,
    Row,
    answer_display,
    answers_path,
    gradebook_lock,
    question_order,
    read_answers,
    read_gradebook,
    write_gradebook,
)
from b2bsm_teach.grade.roster import normalise_id

SHEET_COLUMNS = ["student", "set", "question", "answer", "points", "max_points", "comment"]
HAND_GRADED = "hand-graded"


class MarkingError(ValueError):
    """Marked sheets that cannot be merged; the message lists every row to fix."""


def answer_text(answer) -> str:
    """An answer as the text a marker reads.

    >>> answer_text("  Because n = 9. ")
    'Because n = 9.'
    >>> answer_text(None)
    ''
    >>> answer_text([1, 2])
    '[1, 2]'
    """
    return "" if answer is None else answer_display(answer)


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def parse_points(text: str, maximum: float) -> float | None:
    """The points a marker typed: None when blank, else a number from 0 to ``maximum``.

    A decimal comma (``1,5``) is accepted.  Raises ValueError saying what to type.

    >>> parse_points("1,5", 2), parse_points(" ", 2), parse_points("2", 2)
    (1.5, None, 2.0)
    >>> parse_points("3", 2)
    Traceback (most recent call last):
    ...
    ValueError: 3 is more than the maximum 2; enter a number from 0 to 2
    """
    text = (text or "").strip()
    if not text:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a number; enter the points as a number from 0 to "
            f"{fmt_points(maximum)} (e.g. 1 or 1.5), or leave the cell blank"
        ) from None
    if not math.isfinite(value):
        raise ValueError(
            f"{text!r} is not a number; enter a number from 0 to {fmt_points(maximum)}"
        )
    if value < 0:
        raise ValueError(
            f"{fmt_points(value)} is negative; enter a number from 0 to {fmt_points(maximum)}"
        )
    if value > maximum + 1e-9:
        raise ValueError(
            f"{fmt_points(value)} is more than the maximum {fmt_points(maximum)}; "
            f"enter a number from 0 to {fmt_points(maximum)}"
        )
    return value


def _read_sheet(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [(h or "").strip() for h in reader.fieldnames or []]
        reader.fieldnames = header
        return header, list(enumerate(reader, start=2))


def open_questions(rows: list[Row]) -> list[tuple[str, str]]:
    """(set, question) pairs that are marked by hand: open in the key, or waiting to be marked."""
    found = {(r.set, r.question) for r in rows if r.status in (*TO_MARK, HAND_GRADED)}
    for set_id in {r.set for r in rows if r.set}:
        asked = {r.question for r in rows if r.set == set_id}
        for q in set_info(set_id).questions.values():
            if q.kind == "open" and q.id in asked:
                found.add((set_id, q.id))
    return sorted(found, key=lambda k: (k[0], question_order(k[1])))


@dataclass
class Sheet:
    """A marking sheet that was written."""

    path: Path
    rubric_path: Path
    answers: int
    marked: int


def write_marking_sheets(gradebook, out_dir) -> list[Sheet]:
    """Write one marking sheet (and its rubric) per open question in the gradebook.

    Marks already in the gradebook (merged earlier) and marks typed into an
    existing sheet for the same answer are carried over, so writing the sheets
    again never loses marking work.
    """
    gradebook, out_dir = Path(gradebook), Path(out_dir)
    rows = read_gradebook(gradebook)
    answers = read_answers(answers_path(gradebook))
    sheets = []
    for set_id, qid in open_questions(rows):
        info = set_info(set_id)
        question = info.questions.get(qid)
        path = out_dir / f"{set_id}_{qid}.csv"
        earlier: dict[str, dict] = {}
        if path.is_file():
            try:
                header, recs = _read_sheet(path)
            except (OSError, UnicodeDecodeError, csv.Error):
                header, recs = [], []
            if "student" in header:
                earlier = {plain_text(r.get("student") or "").strip(): r for _, r in recs}
        out_rows, marked = [], 0
        max_points = 0.0
        mine = [
            r
            for r in rows
            if r.set == set_id and r.question == qid and r.status in (*TO_MARK, HAND_GRADED)
        ]
        for row in sorted(mine, key=lambda r: r.student):
            text = answer_text(answers.get((row.student, set_id), {}).get(qid))
            points, comment = "", ""
            if row.status == HAND_GRADED:
                points, comment = fmt_points(row.points), row.feedback
            before = earlier.get(row.student) or {}
            typed = (before.get("points") or "").strip(), plain_text(before.get("comment") or "")
            same = before and _same_text(plain_text(before.get("answer") or ""), text)
            if same and (typed[0] or typed[1].strip()):
                points, comment = typed
            marked += bool(points)
            max_points = max(max_points, row.max_points)
            out_rows.append(
                [
                    spreadsheet_safe(row.student),
                    set_id,
                    qid,
                    spreadsheet_safe(text),
                    points,
                    fmt_points(row.max_points),
                    spreadsheet_safe(comment),
                ]
            )
        write_csv(path, SHEET_COLUMNS, out_rows)
        rubric_path = path.with_suffix(".md")
        rubric_path.write_text(
            _rubric_page(
                info.title, qid, question, max_points, _near(path, gradebook), gradebook.name
            ),
            encoding="utf-8",
        )
        sheets.append(Sheet(path, rubric_path, len(out_rows), marked))
    return sheets


def _near(path: Path, gradebook: Path) -> str:
    """``path`` as typed from the gradebook's folder (where the guide runs every command)."""
    try:
        return path.resolve().relative_to(gradebook.resolve().parent).as_posix()
    except ValueError:
        return path.as_posix()


def _rubric_page(title, qid, question, max_points, sheet, gradebook) -> str:
    prompt = question.prompt if question is not None and question.prompt else "(prompt not found)"
    rubric = question.rubric if question is not None else ""
    if not rubric:
        rubric = (
            "No rubric is defined for this question in its exercise set "
            "(`rubric=` of the Question); mark against your own criteria."
        )
    return (
        f"# Marking {title}, {qid} ({fmt_points(max_points)} points)\n\n"
        f"## The question\n\n{prompt.strip()}\n\n"
        f"## Rubric\n\n{rubric.strip()}\n\n"
        "## How to mark\n\n"
        f"Open `{Path(sheet).name}` in a spreadsheet. Type each answer's points in `points` "
        f"(a number from 0 to {fmt_points(max_points)}; halves are fine) and a sentence for "
        "the student in `comment`. Leave `points` blank for answers you have not marked yet. "
        "Keep the columns `student`, `set` and `question` as they are, save as CSV (UTF-8), "
        "then merge:\n\n"
        f"    python -m b2bsm_teach.grade merge {sheet} --gradebook {gradebook}\n"
    )


@dataclass
class MergeResult:
    """What a merge changed."""

    marked: int  # rows whose points or comment changed
    unchanged: int  # rows marked with the same points and comment as before
    blank: int  # rows left for later
    to_mark: int  # open answers in the whole gradebook still without a mark


def _lookup(index: dict, student: str, set_id: str, qid: str):
    """A gradebook row for a sheet row, forgiving a spreadsheet that dropped leading zeros."""
    found = index.get((student, set_id, qid))
    if found is not None:
        return found
    digits = student.isdigit()
    for (s, t, q), row in index.items():
        same_student = s == student or (
            digits and s.isdigit() and s.lstrip("0") == student.lstrip("0")
        )
        if q == qid and t.lstrip("0") == set_id.lstrip("0") and same_student:
            return row
    return None


def merge_marks(sheets, gradebook) -> MergeResult:
    """Merge marked sheets into ``gradebook`` (all or nothing).

    Raises :class:`MarkingError` listing every invalid row (file, line,
    student, what is wrong and what to type instead); the gradebook is then
    left unchanged.
    """
    gradebook = Path(gradebook)
    with gradebook_lock(gradebook):
        return _merge_marks(sheets, gradebook)


def _sheet_question(sheet: Path) -> tuple[str, str] | None:
    """``(set, question)`` of a sheet named as the grader names them (``02_q6.csv``), else None."""
    found = re.fullmatch(r"(\w+?)_(q\d+)", sheet.stem)
    return (found.group(1), found.group(2)) if found else None


def _merge_marks(sheets, gradebook: Path) -> MergeResult:
    rows = read_gradebook(gradebook)
    answers = read_answers(answers_path(gradebook))
    index = {(r.student, r.set, r.question): r for r in rows if not r.is_total}
    errors: list[str] = []
    updates: dict[tuple[str, str, str], tuple[float, str, str]] = {}
    blank = 0
    for sheet in [Path(s) for s in sheets]:
        if not sheet.is_file():
            errors.append(f"{sheet}: no such file; pass the marked sheet's path.")
            continue
        try:
            header, recs = _read_sheet(sheet)
        except (UnicodeDecodeError, csv.Error) as exc:
            errors.append(
                f"{sheet}: cannot be read as a UTF-8 CSV ({exc}); save it as 'CSV UTF-8'."
            )
            continue
        missing = [c for c in ("student", "set", "question", "points") if c not in header]
        if missing:
            errors.append(
                f"{sheet}: lacks the column(s) {', '.join(missing)}; keep the header that "
                "python -m b2bsm_teach.grade wrote (student, set, question, answer, points, "
                "max_points, comment)."
            )
            continue
        for line, rec in recs:
            student_text = plain_text(rec.get("student") or "").strip()
            set_id = (rec.get("set") or "").strip()
            qid = (rec.get("question") or "").strip()
            where = f"{sheet.name}, line {line} (student {student_text or '?'})"
            if not student_text and not (rec.get("points") or "").strip():
                continue  # an empty line a spreadsheet added
            try:
                student = normalise_id(student_text)
            except ValueError:
                errors.append(f"{where}: the student cell is empty; restore the student's id.")
                continue
            row = _lookup(index, student, set_id, qid)
            own = _sheet_question(sheet)
            if row is not None and own is not None and (row.set, row.question) != own:
                errors.append(
                    f"{where}: this sheet is for set {own[0]} question {own[1]}, but the row "
                    f"names set {set_id} question {qid}; a marking sheet marks its own question "
                    "only: delete the row, or mark it in that question's sheet."
                )
                continue
            if row is not None and row.status not in (*TO_MARK, HAND_GRADED):
                errors.append(
                    f"{where}: set {row.set} question {row.question} of this student is graded "
                    f"automatically (status {row.status!r}), not an open answer waiting for a "
                    "mark; a marking sheet changes open answers only: delete the row."
                )
                continue
            if row is None:
                errors.append(
                    f"{where}: the gradebook {gradebook.name} has no row for set {set_id} "
                    f"question {qid}; check the student/set/question cells, or write the sheet "
                    "again from this gradebook (python -m b2bsm_teach.grade export)."
                )
                continue
            try:
                points = parse_points(rec.get("points") or "", row.max_points)
            except ValueError as exc:
                errors.append(f"{where}: {exc}.")
                continue
            if points is None:
                blank += 1
                continue
            sheet_answer = plain_text(rec.get("answer") or "")
            current = answer_text(answers.get((row.student, row.set), {}).get(row.question))
            if sheet_answer.strip() and current and not _same_text(sheet_answer, current):
                errors.append(
                    f"{where}: the answer in the sheet is no longer the student's answer in the "
                    "gradebook (the class was graded again); write the sheets again with "
                    "python -m b2bsm_teach.grade export and mark the new answer."
                )
                continue
            key = (row.student, row.set, row.question)
            comment = plain_text(rec.get("comment") or "").strip()
            if key in updates and updates[key][:2] != (points, comment):
                errors.append(
                    f"{where}: this answer is marked twice with different points or comments "
                    f"(first in {updates[key][2]}); keep one mark."
                )
                continue
            updates[key] = (points, comment, where)
    if errors:
        shown = errors[:40]
        more = f"\n... and {len(errors) - 40} more" if len(errors) > 40 else ""
        raise MarkingError(
            f"nothing merged: {len(errors)} row(s) to fix\n" + "\n".join(shown) + more
        )
    marked = unchanged = 0
    new_rows = []
    for row in rows:
        key = (row.student, row.set, row.question)
        if key in updates and not row.is_total:
            points, comment, _ = updates[key]
            comment = comment or "Marked by hand."
            if row.status == HAND_GRADED and row.points == points and row.feedback == comment:
                unchanged += 1
            else:
                marked += 1
                row = replace(row, points=points, status=HAND_GRADED, feedback=comment)
        new_rows.append(row)
    if marked:
        write_gradebook(new_rows, gradebook)
    to_mark = sum(r.status in TO_MARK for r in new_rows)
    return MergeResult(marked, unchanged, blank, to_mark)
