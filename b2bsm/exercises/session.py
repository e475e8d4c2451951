"""The student's side: ``start`` an exercise set, ``check`` answers, feedback that teaches."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from typing import Any

from b2bsm.exercises.questions import (
    Question,
    Verdict,
    as_number,
    as_table,
    numbers_match,
    tables_match,
)

#: Environment variables set by the grader (``python -m b2bsm.grade``).
GRADE_LOG_ENV = "B2BSM_GRADE_LOG"
STUDENT_ENV = "B2BSM_STUDENT_ID"


def variant_seed(student_id: str | None) -> int | None:
    """The dataset seed of a student: None (the shipped data) or a number derived from the id."""
    if student_id is None:
        return None
    if not isinstance(student_id, str) or not student_id.strip():
        raise ValueError(
            f"student_id must be your student id as text, e.g. 's1234567'; got {student_id!r}."
        )
    digest = hashlib.sha256(student_id.strip().lower().encode("utf-8")).hexdigest()
    return int(digest[:8], 16)


def load_set(set_id: str):
    """The module of an exercise set, e.g. ``load_set("02")``."""
    from b2bsm.exercises.sets import SETS

    if set_id not in SETS:
        raise ValueError(f"no exercise set {set_id!r}; available: {', '.join(sorted(SETS))}.")
    return importlib.import_module(SETS[set_id])


class Exercises:
    """An exercise set opened for one student (see :func:`start`)."""

    def __init__(self, set_id: str, student_id: str | None = None) -> None:
        self.set_id = set_id
        self.module = load_set(set_id)
        self.student_id = student_id
        self.seed = variant_seed(student_id)
        self.questions: dict[str, Question] = {q.id: q for q in self.module.QUESTIONS}
        self._data = None

    @property
    def data(self):
        """The student's dataset (the shipped one, or their seeded variant)."""
        if self._data is None:
            self._data = self.module.load_data(self.seed)
        return self._data

    def __repr__(self) -> str:
        who = "the shipped data" if self.seed is None else f"the variant of {self.student_id!r}"
        return f"<exercise set {self.set_id}: {len(self.questions)} questions on {who}>"

    def check(self, question: str, answer: Any = ...) -> None:
        """Check one answer and print a friendly verdict (never the answer itself).

        Use :meth:`evaluate` to get the verdict as an object instead.
        """
        print(render(self.evaluate(question, answer)))

    def evaluate(self, question: str, answer: Any) -> Verdict:
        q = self.questions.get(question)
        if q is None:
            known = ", ".join(self.questions)
            return Verdict(
                str(question),
                "invalid",
                0,
                0,
                f"There is no question {question!r} in "
                f"set {self.set_id}; the questions are {known}.",
            )
        if answer is ...:
            return Verdict(
                q.id,
                "not answered",
                0,
                q.points,
                "Not answered yet: replace the ... with your answer and run the cell again.",
            )
        if q.kind == "open":
            text = str(answer).strip()
            if len(text) < 20:
                return Verdict(
                    q.id,
                    "not answered",
                    0,
                    q.points,
                    "Write a few sentences (as a "
                    "string) to answer this question; your instructor grades it.",
                )
            return Verdict(
                q.id,
                "manual",
                0,
                q.points,
                "Saved. This open question needs manual grading by your instructor.",
            )
        try:
            if q.kind == "choice":
                return self._choice(q, answer)
            if q.kind == "number":
                return self._number(q, answer)
            return self._table(q, answer)
        except ValueError as exc:
            return Verdict(q.id, "invalid", 0, q.points, f"Cannot check this answer: {exc}")

    def _choice(self, q: Question, answer) -> Verdict:
        pick = str(answer).strip().lower()
        if pick not in q.choices:
            raise ValueError(f"choose one of {', '.join(q.choices)} (as a string, e.g. 'b').")
        why = q.explanations.get(pick, "")
        if pick == q.correct:
            return Verdict(q.id, "correct", q.points, q.points, f"Correct. {why}".strip())
        return Verdict(
            q.id,
            "wrong",
            0,
            q.points,
            f"Not quite. {why} Think again about which option fits.".replace("  ", " "),
        )

    def _number(self, q: Question, answer) -> Verdict:
        value = as_number(answer)
        if numbers_match(value, q.expected(self.data), q.tolerance):
            return Verdict(q.id, "correct", q.points, q.points, "Correct.")
        for mistake in q.mistakes:
            if numbers_match(value, mistake.value(self.data), q.tolerance):
                return Verdict(q.id, "wrong", 0, q.points, f"Not quite. {mistake.message}")
        return Verdict(q.id, "wrong", 0, q.points, f"Not quite. {q.hint}")

    def _table(self, q: Question, answer) -> Verdict:
        table = as_table(answer)
        problem = tables_match(table, q.expected(self.data), q.tolerance)
        if problem is None:
            return Verdict(q.id, "correct", q.points, q.points, "Correct.")
        for mistake in q.mistakes:
            if tables_match(table, mistake.value(self.data), q.tolerance) is None:
                return Verdict(q.id, "wrong", 0, q.points, f"Not quite. {mistake.message}")
        return Verdict(q.id, "wrong", 0, q.points, f"Not quite: {problem} {q.hint}")


def render(verdict: Verdict) -> str:
    marks = {
        "correct": "[correct]",
        "wrong": "[try again]",
        "not answered": "[not answered]",
        "invalid": "[cannot check]",
        "manual": "[saved]",
    }
    head = f"{verdict.question} {marks.get(verdict.status, '')}"
    if verdict.max_points:
        head += f" {verdict.points:g}/{verdict.max_points} points"
    return f"{head}\n{verdict.feedback}"


def start(set_id: str, student_id: str | None = None) -> Exercises:
    """Open an exercise set.

    Parameters
    ----------
    set_id : str
        The lesson number, e.g. ``"02"``.
    student_id : str, optional
        Your student id.  With it you work on your own variant of the dataset
        (equally faithful to the paper, different firms), so answers differ from
        student to student; without it, on the shipped data.

    Examples
    --------
    >>> from b2bsm.exercises import start
    >>> ex = start("02")
    >>> ex.check("q1", ...)
    q1 [not answered] 0/1 points
    Not answered yet: replace the ... with your answer and run the cell again.
    """
    return Exercises(set_id, student_id)


def grade_answers(set_id: str, namespace: dict[str, Any]) -> list[dict[str, Any]]:
    """Hidden check run by the grader: re-check every ``answer_<qid>`` in the namespace.

    The student's own ``check`` calls only give feedback; the grade comes from
    this independent re-check of the final answer variables, on the dataset of
    the student id the grader was given.  Writes one JSON line per question to
    the file named by ``$B2BSM_GRADE_LOG`` (if set) and returns the records.
    """
    ex = Exercises(set_id, os.environ.get(STUDENT_ENV) or None)
    used = namespace.get("ex")
    warning = ""
    if isinstance(used, Exercises) and used.seed != ex.seed:
        warning = (
            f"(The notebook worked on the data of student id {used.student_id!r}, but it is "
            f"graded as {ex.student_id!r}: set STUDENT_ID to your own id.) "
        )
    records = []
    for qid in ex.questions:
        name = f"answer_{qid}"
        if name not in namespace:
            verdict = Verdict(
                qid,
                "missing",
                0,
                ex.questions[qid].points,
                f"question not found: no variable {name} in the notebook.",
            )
        else:
            try:
                verdict = ex.evaluate(qid, namespace[name])
            except Exception as exc:  # a student's object can raise anything
                verdict = Verdict(
                    qid,
                    "invalid",
                    0,
                    ex.questions[qid].points,
                    f"Cannot check this answer: {type(exc).__name__}: {exc}"[:300],
                )
        if warning and verdict.status not in ("correct", "manual"):
            verdict.feedback = warning + verdict.feedback
        records.append({"set": set_id, **verdict.to_dict()})
    log = os.environ.get(GRADE_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            for record in records:
                fh.write(json.dumps(record) + "\n")
    return records
