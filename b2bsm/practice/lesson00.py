"""Practice of lesson 00: the first answer a student checks (on the shipped survey).

>>> from b2bsm.practice import lesson00 as practice
>>> practice.check("p1", 48.0)
p1 [correct]
Correct.
"""

from __future__ import annotations

from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm.practice import practice_set
from b2bsm.practice._survey import survey

TITLE = "Lesson 00 practice"
__all__ = ["QUESTIONS", "TITLE", "check", "question"]

SMALL = "Small (< 50)"


def _small_pct(df, scale=100.0):
    return scale * float((df["size"] == SMALL).mean())


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt="What percentage of the 125 surveyed firms are **small** (fewer than 50 "
        "employees, column `size`)?",
        expected=_small_pct,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda df: _small_pct(df, scale=1.0),
                "That is a proportion between 0 and 1; the question asks for a percentage "
                "(multiply by 100).",
            ),
            Mistake(
                lambda df: int((df["size"] == SMALL).sum()),
                "That is the number of small firms; divide it by the number of firms surveyed "
                "to get a share.",
            ),
        ],
        hints=("A percentage is part / whole x 100; the whole is every surveyed firm.",),
    ),
]

check, question = practice_set(TITLE, QUESTIONS, survey)
