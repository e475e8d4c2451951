"""One view of the class: students (roster order) against the exercise sets they were graded in.

:class:`ClassView` reads the long gradebook's rows into an :class:`Entry` per
student and set (graded, to mark, not graded or missing) with each
question's row, and the maximum points of every question and set.  The set's
title and questions come from its answer key when it is installed
(:func:`set_info`).  The exports, the feedback files and the CLI's summary
read the class through it.

Examples
--------
>>> from b2bsm_teach.grade.gradebook import Row
>>> rows = [Row("s1", "02", "q1", 1, 2, "correct"), Row("s2", "02", "q1", 0, 2, "manual")]
>>> view = ClassView(rows)
>>> view.students, view.entry("s2", "02").status, view.entry("s3", "02").status
(['s1', 's2'], 'to mark', 'missing')
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from b2bsm_teach.grade.gradebook import TO_MARK, TOTAL, Row, question_order, with_totals
from b2bsm_teach.grade.roster import Roster, Student


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
