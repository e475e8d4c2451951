"""Questions, answers and teaching feedback: the pieces every exercise set is made of.

An exercise set (one module in :mod:`b2bsm.exercises.sets`) lists
:class:`Question` objects.  A question never stores its answer: ``expected``
computes it from the student's own dataset, so per-student variants get their
own correct answers.  ``mistakes`` recognise typical wrong answers and say
which step probably went wrong, without giving the answer away.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

KINDS = ("number", "table", "choice", "open")


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: ``value(data)`` computes it, ``message`` explains the slip."""

    value: Callable[[Any], Any]
    message: str


@dataclass(frozen=True)
class Question:
    """One exercise question.

    Attributes
    ----------
    id : str
        ``"q1"``, ``"q2"``, ... unique within the set.
    prompt : str
        What the student is asked (shown in feedback and the gradebook).
    kind : {"number", "table", "choice", "open"}
    points : int
    expected : callable, optional
        ``expected(data) -> answer`` for number and table questions.
    tolerance : float
        Absolute tolerance for numbers (and table cells).
    mistakes : list of Mistake
        Checked in order when the answer is wrong.
    choices : dict, optional
        For choice questions: option letter -> option text.
    explanations : dict, optional
        Option letter -> why that option is right or wrong (shown after answering;
        a wrong pick's explanation must not name the right option).
    correct : str, optional
        The right option of a choice question.
    hint : str
        A nudge shown with any wrong answer that matches no known mistake.
    """

    id: str
    prompt: str
    kind: str
    points: int = 1
    expected: Callable[[Any], Any] | None = None
    tolerance: float = 0.005
    mistakes: list[Mistake] = field(default_factory=list)
    choices: dict[str, str] | None = None
    explanations: dict[str, str] = field(default_factory=dict)
    correct: str | None = None
    hint: str = "Re-read the question and check each step of your calculation."

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"question {self.id}: kind must be one of {KINDS}; got {self.kind!r}.")
        if self.kind in ("number", "table") and self.expected is None:
            raise ValueError(f"question {self.id}: a {self.kind} question needs expected().")
        if self.kind == "choice" and (not self.choices or self.correct not in self.choices):
            raise ValueError(f"question {self.id}: a choice question needs choices and correct.")


@dataclass
class Verdict:
    """The outcome of checking one answer."""

    question: str
    status: str  # correct, wrong, not answered, invalid, manual
    points: float
    max_points: int
    feedback: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "feedback": self.feedback,
        }


# --------------------------------------------------------------------------
# Comparing answers
# --------------------------------------------------------------------------
def as_number(answer) -> float:
    """A student's numeric answer as a float, or a ValueError saying what is wrong."""
    if isinstance(answer, bool):
        raise ValueError("got True/False; this question needs a number.")
    if isinstance(answer, (pd.Series, pd.DataFrame, np.ndarray)):
        values = np.asarray(answer).ravel()
        if values.size != 1:
            raise ValueError(
                f"got {values.size} values; this question needs a single number "
                "(pick the one cell you need, e.g. with .iloc[0] or .loc[...])."
            )
        answer = values[0]
    if isinstance(answer, str):
        raise ValueError(
            f"got the text {answer[:40]!r}; this question needs a number (no quotes, no % sign)."
        )
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise ValueError(f"got a {type(answer).__name__}; this question needs a number.") from None
    if math.isnan(value):
        raise ValueError("got NaN (a missing value); check for missing data in your calculation.")
    return value


def numbers_match(answer: float, target, tolerance: float) -> bool:
    try:
        return abs(answer - float(target)) <= tolerance
    except (TypeError, ValueError):
        return False


def as_table(answer) -> pd.DataFrame:
    if isinstance(answer, pd.Series):
        return answer.to_frame()
    if not isinstance(answer, pd.DataFrame):
        raise ValueError(f"got a {type(answer).__name__}; this question needs a pandas DataFrame.")
    return answer


def tables_match(answer: pd.DataFrame, target: pd.DataFrame, tolerance: float) -> str | None:
    """None when the tables agree, else a short description of the first difference."""
    missing = [c for c in target.columns if c not in answer.columns]
    if missing:
        return f"your table lacks the column(s) {missing}; expected columns {list(target.columns)}."
    if len(answer) != len(target):
        return f"your table has {len(answer)} rows; expected {len(target)}."
    for col in target.columns:
        a = answer[col].reset_index(drop=True)
        t = target[col].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(t):
            a_num = pd.to_numeric(a, errors="coerce").astype(float)
            if a_num.isna().any() or (np.abs(a_num - t.astype(float)) > tolerance).any():
                return f"column {col!r} has values that differ from the expected ones."
        elif not (a.astype(str) == t.astype(str)).all():
            return f"column {col!r} has different entries (or a different row order)."
    return None
