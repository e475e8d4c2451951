"""The gradebook in the layouts a course needs: long, wide, Canvas and Moodle.

The grader writes the *long* gradebook (``grades.csv``, see
:mod:`b2bsm_teach.grade.gradebook`): one row per student, exercise set and
question plus a ``TOTAL`` row per student and set.  The exports are derived
from it through a :class:`~b2bsm_teach.grade.class_view.ClassView`, keyed by
the class roster when there is one:

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

The gradebook's own functions (:mod:`b2bsm_teach.grade.gradebook`), its cells
(:mod:`b2bsm_teach.grade.cells`) and the class view
(:mod:`b2bsm_teach.grade.class_view`) live in modules of their own; every name
of theirs that callers use is importable from here as well.
"""

from __future__ import annotations

import re
from pathlib import Path

from b2bsm_teach.grade.cells import (
    FORMULA_START,
    fmt_points,
    plain_text,
    spreadsheet_safe,
    write_csv,
)
from b2bsm_teach.grade.class_view import ClassView, Entry, QuestionInfo, SetInfo, set_info
from b2bsm_teach.grade.gradebook import (
    COLUMNS,
    TO_MARK,
    TOTAL,
    GradebookError,
    Row,
    answer_display,
    answer_table,
    answers_path,
    combine,
    gradebook_lock,
    question_order,
    read_answers,
    read_gradebook,
    run_note,
    with_totals,
    write_answers,
    write_gradebook,
)
from b2bsm_teach.grade.roster import Roster, Student

#: Public names, wherever they are defined (callers import them from this module).
__all__ = [
    "CANVAS_IDENTITY",
    "COLUMNS",
    "FORMULA_START",
    "MOODLE_IDENTITY",
    "TOTAL",
    "TO_MARK",
    "ClassView",
    "Entry",
    "GradebookError",
    "QuestionInfo",
    "Row",
    "SetInfo",
    "answer_display",
    "answer_table",
    "answers_path",
    "canvas_column",
    "combine",
    "default_exports_dir",
    "fmt_points",
    "gradebook_lock",
    "graded_in",
    "lms_file",
    "plain_text",
    "question_order",
    "read_answers",
    "read_gradebook",
    "run_note",
    "set_info",
    "spreadsheet_safe",
    "with_totals",
    "write_answers",
    "write_canvas",
    "write_csv",
    "write_exports",
    "write_gradebook",
    "write_moodle",
    "write_wide",
]


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
    header = CANVAS_IDENTITY + [canvas_column(set_info(s), canvas_ids) for s in sets]
    possible = ["Points Possible", "", "", "", ""]
    possible += [fmt_points(view.max_points[(s, TOTAL)]) for s in sets]
    return write_csv(path, header, [possible, *_lms_rows(view, sets, set_id, _canvas_identity)])


def _canvas_identity(p: Student) -> list[str]:
    first, last = p.names
    name = p.name or (f"{last}, {first}" if first and last else p.display_name)
    return [name, p.canvas_id, p.sis_user_id or p.student_id, p.sis_login_id, p.section]


MOODLE_IDENTITY = ["First name", "Last name", "ID number", "Email address", "Username"]


def write_moodle(view: ClassView, path, set_id: str | None = None) -> Path:
    """The Moodle grade import file of one set: identity columns to map a user field on.

    Only students with a grade in the set are listed: Moodle's import makes an
    empty cell or ``-`` an empty grade (see the module's notes).
    """
    sets = [set_id] if set_id is not None else view.sets
    header = MOODLE_IDENTITY + [set_info(s).assignment for s in sets]
    return write_csv(path, header, _lms_rows(view, sets, set_id, _moodle_identity))


def _moodle_identity(p: Student) -> list[str]:
    first, last = p.names
    return [first, last, p.sis_user_id or p.student_id, p.email, p.username]


def _lms_rows(view: ClassView, sets: list[str], set_id: str | None, identity) -> list[list[str]]:
    """The student rows of an LMS file: ``identity(student)``'s cells, then each set's points.

    With ``set_id`` only the students graded in that set; else every student
    the LMS can match (each of them must then have a grade in every set).
    """
    students = graded_in(view, set_id) if set_id is not None else view.lms_students()
    return [
        [spreadsheet_safe(cell) for cell in identity(view.person(student))]
        + [_lms_points(view.entry(student, s)) for s in sets]
        for student in students
    ]


def _lms_points(entry: Entry) -> str:
    if entry.status not in ("graded", "to mark"):
        raise ValueError("an LMS file must hold only students with a grade in its set")
    return fmt_points(entry.points or 0.0)


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
