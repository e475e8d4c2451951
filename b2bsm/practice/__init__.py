"""Practice inside the lessons: predict, compute, then check your answer (ungraded).

Every lesson has a few "your turn" cells.  Their checks work like an exercise
set's ``ex.check``: a right answer is confirmed, a typical wrong method is
named, anything else gets a hint.  Unlike the exercise sets they need no
student id, run on the shipped data and count for nothing, so a lesson's worked
solution can sit right below the question.

Each lesson's practice questions live in ``b2bsm/practice/lessonNN.py``, a
module that lists :class:`~b2bsm.exercises.questions.Question` objects and
ends with ``check, question = practice_set(TITLE, QUESTIONS, load_data)``.
A lesson imports it under one short name::

    from b2bsm.practice import lesson02 as practice
    practice.question("p1")          # the prompt
    practice.check("p1", answer)     # the feedback

Examples
--------
>>> from b2bsm.exercises.questions import Mistake, Question, decimals
>>> q = Question(id="p1", kind="number", prompt="Mean of x?",
...              expected=lambda d: sum(d) / len(d), precision=decimals(1),
...              mistakes=[Mistake(lambda d: sum(d), "That is the sum; divide by the count.")])
>>> check, question = practice_set("Demo", [q], lambda: [1, 2, 3])
>>> check("p1", 2.0)
p1 [correct]
Correct.
>>> check("p1", 6)
p1 [try again]
Not quite. That is the sum; divide by the count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from b2bsm.exercises.questions import Question, Verdict

__all__ = ["PracticeSet", "practice_set"]


class PracticeSet:
    """Practice questions of one lesson, judged on the shipped data (no student id).

    Parameters
    ----------
    title : str
        Shown in error messages, e.g. ``"Lesson 02 practice"``.
    questions : sequence of Question
        Number, table or choice questions (ids ``p1``, ``p2``, ...).
    load_data : callable
        ``load_data()`` -> the dataset the lesson works on (the shipped one).

    See Also
    --------
    b2bsm.exercises.start : the graded exercise sets, which use the same questions and feedback.
    """

    def __init__(self, title: str, questions: Sequence[Question], load_data: Callable) -> None:
        from types import SimpleNamespace

        from b2bsm.exercises.session import Exercises, FullKey

        module = SimpleNamespace(TITLE=title, QUESTIONS=list(questions))

        for q in questions:
            if q.kind == "open" or q.params is not None:
                raise ValueError(
                    f"{title}: practice question {q.id} must be a number, table or choice "
                    "question that is the same for everyone (no params, not open)."
                )
        session = Exercises.__new__(Exercises)
        session.set_id, session.student_id, session.seed = title, None, None
        session._key = FullKey(title, None, load_data, module=module)
        session.questions, session.title = session._key.questions, title
        session._data, session._key_copy, session._wrong = None, None, {}
        self._session = session
        self.title = title

    def evaluate(self, question: str, answer: Any = ...) -> Verdict:
        """The verdict on ``answer`` as an object (``status``, ``feedback``)."""
        return self._session.evaluate(question, answer)

    def check(self, question: str, answer: Any = ...) -> None:
        """Print the feedback on ``answer`` to practice question ``question``."""
        verdict = self.evaluate(question, answer)
        marks = {"correct": "[correct]", "wrong": "[try again]", "not answered": "[not answered]"}
        print(f"{verdict.question} {marks.get(verdict.status, '[cannot check]')}")
        print(verdict.feedback)

    def question(self, question: str) -> None:
        """Print the prompt of practice question ``question``."""
        text = self._session.prompt(question)
        # practice counts for nothing: drop the "(1 point)" of the exercise sets
        print(text.replace(" (1 point)", "", 1))


def practice_set(title: str, questions: Sequence[Question], load_data: Callable):
    """``(check, question)`` functions for a lesson's practice module (see the module docs)."""
    found = PracticeSet(title, questions, load_data)
    return found.check, found.question
