"""The gradebook in the layouts a course needs: long, wide, Canvas and Moodle.

The grader writes the *long* gradebook (``grades.csv``): one row per student,
exercise set and question (``student,set,question,points,max_points,status,
feedback``) plus a ``TOTAL`` row per student and set.  Everything else is
derived from it, keyed by the class roster when there is one:

``wide.csv``
    one row per student, one column per set and question, a total per set,
    the course total and what is still to mark; a ``Points possible`` row
    under the header gives every column's maximum.
``canvas_<set>.csv``
    Canvas's gradebook import layout, one file per exercise set: ``Student,
    ID, SIS User ID, SIS Login ID, Section``, the set's column (an
    assignment), and a ``Points Possible`` row.
``moodle_<set>.csv``
    a Moodle grade import file per set: user identity columns (``ID number``,
    ``Email address``, ``Username``, names) to map a user field on, then the
    set's column (a grade item).

An LMS file lists **only the students who have a grade in its set**.  A cell
without a grade is not harmless to an importer: Canvas reads a blank cell
under a student who already has a score as a change that removes the score,
and Moodle's CSV import turns an empty cell or ``-`` into an empty (null)
grade for that student (its ``gradeimport_csv`` loader).  A student who is
not in the file is not touched by either import, so one file per set with only
the graded students can never erase a grade the LMS already holds.  A
submission that could not be graded (``not graded``) is left out too: the
instructor decides what it is worth.  Sets a student did not submit count
zero in the wide file's course total.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from b2bsm_teach.grade.roster import Roster, Student

COLUMNS = ["student", "set", "question", "points", "max_points", "status", "feedback"]
TOTAL = "TOTAL"
#: Statuses of question rows that still wait for an instructor.
TO_MARK = ("manual",)
#: First characters that make a spreadsheet treat a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class GradebookError(ValueError):
    """A gradebook or answers file that cannot be read; the message says how to fix it."""


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------
def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text, never runs: a formula-like start gets a ``'``.

    Idempotent, so a gradebook can be read and written any number of times.

    >>> spreadsheet_safe("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> spreadsheet_safe(spreadsheet_safe("=1"))
    "'=1"
    >>> spreadsheet_safe("fine")
    'fine'
    """
    text = str(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def plain_text(text: str) -> str:
    """The text a :func:`spreadsheet_safe` cell stood for (to show to people).

    >>> plain_text("'=1+1")
    '=1+1'
    """
    text = str(text)
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def fmt_points(value: float) -> str:
    """Points as they are written: whole numbers without ``.0``.

    >>> fmt_points(8.0), fmt_points(1.5), fmt_points(2 / 3)
    ('8', '1.5', '0.6667')
    """
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def question_order(qid: str) -> tuple:
    """Sort key putting q2 before q10 and TOTAL last.

    >>> sorted(["q10", "TOTAL", "q2"], key=question_order)
    ['q2', 'q10', 'TOTAL']
    """
    if qid == TOTAL:
        return (2, 0, "")
    match = re.fullmatch(r"[a-zA-Z]*(\d+)", qid)
    return (0, int(match.group(1)), qid) if match else (1, 0, qid)


# ---------------------------------------------------------------------------
# The long gradebook
# ---------------------------------------------------------------------------
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


def write_csv(path, header: list[str], rows: Iterable[list]) -> Path:
    """Write a CSV atomically (a temporary file renamed), so a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for (student, set_id), ans in sorted(answers.items()):
                rec = {"student": student, "set": set_id, "answers": ans}
                fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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


# ---------------------------------------------------------------------------
# Exercise sets (titles and questions from the answer key, when present)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionInfo:
    id: str
    kind: str = ""
    points: float = 0
    prompt: str = ""
    rubric: str = ""
    question: object = None  # the set's Question, when the answer key is installed


@dataclass(frozen=True)
class SetInfo:
    id: str
    title: str
    questions: dict[str, QuestionInfo] = field(default_factory=dict)

    @property
    def short_title(self) -> str:
        """The title without its "Lesson NN ·" prefix."""
        return re.sub(r"^\s*lesson\s*\d+\s*[·:\-]\s*", "", self.title, flags=re.I).strip()

    @property
    def assignment(self) -> str:
        """The assignment / grade item name used in the LMS files.

        >>> SetInfo("02", "Lesson 02 · Meet the survey data").assignment
        'Exercises 02: Meet the survey data'
        """
        short = self.short_title
        plain = f"Exercises {self.id}"
        return f"{plain}: {short}" if short and short != plain else plain


@functools.lru_cache(maxsize=64)
def set_info(set_id: str) -> SetInfo:
    """Title and questions of a set from its module; a bare record when the key is absent.

    Exports must work from a gradebook alone, so a set whose module cannot be
    imported (a student release, a set renamed since grading) gets the title
    ``Exercises NN`` and no prompts.
    """
    try:
        from b2bsm_teach.exercises.sets import load_set

        module = load_set(set_id)
    except Exception:  # absent or broken answer key: name the set by its id
        return SetInfo(set_id, f"Exercises {set_id}")
    questions = {}
    for q in getattr(module, "QUESTIONS", []):
        questions[q.id] = QuestionInfo(
            id=q.id,
            kind=getattr(q, "kind", ""),
            points=getattr(q, "points", 0),
            prompt=getattr(q, "prompt", "") or "",
            rubric=getattr(q, "rubric", "") or "",
            question=q,
        )
    return SetInfo(set_id, getattr(module, "TITLE", f"Exercises {set_id}"), questions)


# ---------------------------------------------------------------------------
# One view of the class: students x sets
# ---------------------------------------------------------------------------
@dataclass
class Entry:
    """What one student has in one set."""

    status: str  # graded | to mark | not graded | missing
    points: float | None = None
    questions: dict[str, Row] = field(default_factory=dict)
    note: str = ""


@dataclass
class ClassView:
    """Students (roster order, then anyone else graded) against the sets in the gradebook."""

    rows: list[Row]
    roster: Roster | None = None
    sets: list[str] = field(init=False)
    questions: dict[str, list[str]] = field(init=False)
    max_points: dict[tuple[str, str], float] = field(init=False)
    students: list[str] = field(init=False)
    entries: dict[tuple[str, str], Entry] = field(init=False)

    def __post_init__(self) -> None:
        rows = with_totals(self.rows)
        self.sets = sorted({r.set for r in rows if r.set})
        self.questions, self.max_points = {}, {}
        for r in rows:
            if r.set and not r.is_total:
                qs = self.questions.setdefault(r.set, [])
                if r.question not in qs:
                    qs.append(r.question)
                key = (r.set, r.question)
                self.max_points[key] = max(self.max_points.get(key, 0.0), r.max_points)
        for set_id, qs in self.questions.items():
            qs.sort(key=question_order)
            self.max_points[(set_id, TOTAL)] = sum(self.max_points[(set_id, q)] for q in qs)
        for set_id in self.sets:  # a set where nobody could be graded: take the key's maximum
            if (set_id, TOTAL) not in self.max_points:
                info = set_info(set_id)
                self.questions[set_id] = sorted(info.questions, key=question_order)
                for q in info.questions.values():
                    self.max_points[(set_id, q.id)] = float(q.points)
                self.max_points[(set_id, TOTAL)] = float(
                    sum(q.points for q in info.questions.values())
                )
        graded = sorted({r.student for r in rows})
        on_roster = self.roster.ids if self.roster else []
        self.students = on_roster + [s for s in graded if s not in set(on_roster)]
        self.entries = {}
        for r in rows:
            entry = self.entries.setdefault((r.student, r.set), Entry("graded"))
            if r.is_total:
                entry.points = r.points
                if r.status == "not graded":
                    entry.status, entry.note = "not graded", r.feedback
            else:
                entry.questions[r.question] = r
        for entry in self.entries.values():
            if any(q.status in TO_MARK for q in entry.questions.values()):
                entry.status = "to mark"
            elif entry.questions and all(
                q.status == "not graded" for q in entry.questions.values()
            ):
                entry.status = "not graded"
                entry.note = next(iter(entry.questions.values())).feedback

    def entry(self, student: str, set_id: str) -> Entry:
        return self.entries.get((student, set_id), Entry("missing"))

    def on_roster(self, student: str) -> bool:
        return self.roster is None or self.roster.get(student) is not None

    def person(self, student: str) -> Student:
        """The roster row of a student, or a bare one built from the id."""
        found = self.roster.get(student) if self.roster else None
        return found or Student(key=student, student_id=student)

    def to_mark(self, student: str) -> int:
        return sum(
            q.status in TO_MARK
            for s in self.sets
            for q in self.entry(student, s).questions.values()
        )

    def lms_students(self) -> list[str]:
        """Students an LMS file lists: the roster's (others cannot be matched by the LMS)."""
        return [s for s in self.students if self.on_roster(s)]


# ---------------------------------------------------------------------------
# Wide, Canvas, Moodle
# ---------------------------------------------------------------------------
def write_wide(view: ClassView, path) -> Path:
    """One row per student: every set's questions, set totals, the course total.

    Columns: ``student_id``, ``name``, ``email``, ``section``, then per set
    ``"<set> <question>"`` ... ``"<set> total"``, ``"<set> status"``, then
    ``total``, ``max_points``, ``percent``, ``to_mark`` and ``note``.  The first
    row under the header (``Points possible``) holds each column's maximum.
    """
    header = ["student_id", "name", "email", "section"]
    for s in view.sets:
        header += [f"{s} {q}" for q in view.questions[s]] + [f"{s} total", f"{s} status"]
    header += ["total", "max_points", "percent", "to_mark", "note"]
    course_max = sum(view.max_points[(s, TOTAL)] for s in view.sets)
    possible = ["Points possible", "", "", ""]
    for s in view.sets:
        possible += [fmt_points(view.max_points[(s, q)]) for q in view.questions[s]]
        possible += [fmt_points(view.max_points[(s, TOTAL)]), ""]
    possible += ["", fmt_points(course_max), "100", "", ""]
    rows = [possible]
    for student in view.students:
        person = view.person(student)
        row = [
            spreadsheet_safe(person.student_id),
            spreadsheet_safe(person.name),
            spreadsheet_safe(person.email),
            spreadsheet_safe(person.section),
        ]
        total = 0.0
        for s in view.sets:
            entry = view.entry(student, s)
            for q in view.questions[s]:
                cell = entry.questions.get(q)
                row.append(fmt_points(cell.points) if cell is not None else "")
            if entry.status == "missing":
                row += ["", "missing"]
            else:
                total += entry.points or 0.0
                row += [fmt_points(entry.points or 0.0), entry.status]
        percent = 100 * total / course_max if course_max else 0.0
        note = "" if view.on_roster(student) else "not on the roster"
        row += [
            fmt_points(total),
            fmt_points(course_max),
            f"{percent:.1f}",
            str(view.to_mark(student)),
            note,
        ]
        rows.append(row)
    return write_csv(path, header, rows)


CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_column(info: SetInfo, canvas_ids: dict[str, str] | None = None) -> str:
    """A Canvas assignment column: ``"Name (assignment id)"`` for an existing one, else the name.

    >>> canvas_column(SetInfo("02", "Lesson 02 · Survey"), {"02": "1234"})
    'Exercises 02: Survey (1234)'
    >>> canvas_column(SetInfo("03", "Lesson 03 · Size"), {"02": "1234"})
    'Exercises 03: Size'
    """
    ident = (canvas_ids or {}).get(info.id)
    return f"{info.assignment} ({ident})" if ident else info.assignment


def graded_in(view: ClassView, set_id: str) -> list[str]:
    """Students of the LMS files who have a grade in ``set_id`` (the only rows an import gets)."""
    return [s for s in view.lms_students() if view.entry(s, set_id).status in ("graded", "to mark")]


def write_canvas(
    view: ClassView, path, canvas_ids: dict[str, str] | None = None, set_id: str | None = None
) -> Path:
    """The Canvas gradebook import file of one set (see docs/instructors.md for the layout).

    Only students with a grade in the set are listed: a blank cell would
    remove a score Canvas already has (see the module's notes).
    """
    sets = [set_id] if set_id is not None else view.sets
    infos = [set_info(s) for s in sets]
    header = CANVAS_IDENTITY + [canvas_column(i, canvas_ids) for i in infos]
    rows = [
        ["Points Possible", "", "", "", ""]
        + [fmt_points(view.max_points[(s, TOTAL)]) for s in sets]
    ]
    for student in graded_in(view, set_id) if set_id is not None else view.lms_students():
        p = view.person(student)
        first, last = p.names
        name = p.name or (f"{last}, {first}" if first and last else p.display_name)
        row = [
            spreadsheet_safe(name),
            spreadsheet_safe(p.canvas_id),
            spreadsheet_safe(p.sis_user_id or p.student_id),
            spreadsheet_safe(p.sis_login_id),
            spreadsheet_safe(p.section),
        ]
        for s in sets:
            row.append(_lms_points(view.entry(student, s)))
        rows.append(row)
    return write_csv(path, header, rows)


def _lms_points(entry: Entry) -> str:
    if entry.status not in ("graded", "to mark"):
        raise ValueError("an LMS file must hold only students with a grade in its set")
    return fmt_points(entry.points or 0.0)


MOODLE_IDENTITY = ["First name", "Last name", "ID number", "Email address", "Username"]


def write_moodle(view: ClassView, path, set_id: str | None = None) -> Path:
    """The Moodle grade import file of one set: identity columns to map a user field on.

    Only students with a grade in the set are listed: Moodle's import makes an
    empty cell or ``-`` an empty grade (see the module's notes).
    """
    sets = [set_id] if set_id is not None else view.sets
    header = MOODLE_IDENTITY + [set_info(s).assignment for s in sets]
    rows = []
    for student in graded_in(view, set_id) if set_id is not None else view.lms_students():
        p = view.person(student)
        first, last = p.names
        row = [
            spreadsheet_safe(first),
            spreadsheet_safe(last),
            spreadsheet_safe(p.sis_user_id or p.student_id),
            spreadsheet_safe(p.email),
            spreadsheet_safe(p.username),
        ]
        for s in sets:
            row.append(_lms_points(view.entry(student, s)))
        rows.append(row)
    return write_csv(path, header, rows)


def default_exports_dir(gradebook) -> Path:
    """Exports go in ``exports/`` beside the gradebook (the kit's .gitignore keeps it out).

    >>> default_exports_dir("marks/grades.csv").as_posix()
    'marks/exports'
    """
    return Path(gradebook).with_name("exports")


def write_exports(
    gradebook,
    exports_dir=None,
    roster: Roster | None = None,
    canvas_ids: dict[str, str] | None = None,
) -> tuple[list[Path], ClassView]:
    """Write wide.csv and, per set, canvas_<set>.csv and moodle_<set>.csv; returns paths and view.

    LMS files of earlier versions of the kit (``canvas.csv``, ``moodle.csv``,
    which held blanks) and of sets no longer in the gradebook are removed, so
    that no file in the folder can erase a grade on import.
    """
    exports_dir = Path(exports_dir) if exports_dir is not None else default_exports_dir(gradebook)
    view = ClassView(read_gradebook(gradebook), roster)
    paths = [write_wide(view, exports_dir / "wide.csv")]
    wanted = set()
    for set_id in view.sets:
        canvas = exports_dir / lms_file("canvas", set_id)
        moodle = exports_dir / lms_file("moodle", set_id)
        paths += [
            write_canvas(view, canvas, canvas_ids, set_id),
            write_moodle(view, moodle, set_id),
        ]
        wanted |= {canvas.name, moodle.name}
    for pattern in ("canvas*.csv", "moodle*.csv"):
        for old in exports_dir.glob(pattern):
            if old.name not in wanted and re.fullmatch(r"(canvas|moodle)(_\w+)?\.csv", old.name):
                old.unlink()
    return paths, view


def lms_file(lms: str, set_id: str) -> str:
    """The name of an LMS import file.

    >>> lms_file("canvas", "02")
    'canvas_02.csv'
    """
    return f"{lms}_{set_id}.csv"
