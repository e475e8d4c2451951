"""Questions, answers and teaching feedback: the pieces every exercise set is made of.

An exercise set (``b2bsm_teach/exercises/sets/lessonNN.py``) lists :class:`Question`
objects.  A question never stores its answer: ``expected`` computes it from the
student's own dataset, so per-student variants get their own correct answers.
``mistakes`` recognise typical wrong methods and say which step probably went
wrong, without giving the answer away.

Every number or table question states its precision (:func:`decimals` or
:func:`significant`); the tolerance follows from it, so the prompt a student
reads and the check that judges the answer cannot disagree.  The policy is
written down in ``docs/checking-policy.md``:

* an answer is accepted when it lies within half a unit of the stated precision
  of the exact reference (plus a floating-point margin), *or* when its rounding
  to the stated precision does; answers with more digits than asked are read
  exactly as written (decimal arithmetic on their shortest repr), never rounded
  in binary floating point first, so 0.695 for a reference of 0.69505 at two
  significant figures is accepted;
* :func:`significant` precision is relative (a log scale): half a unit in the
  last stated significant figure *of the reference*, so a p-value of 6e-05 and
  one of 0.0044 can never be confused.

Examples
--------
>>> decimals(1).matches(56.2, 56.25), decimals(1).matches(56.3, 56.25)
(True, True)
>>> significant(2).matches(0.13, 0.1327)
True
>>> significant(2).matches(0.0044, 6e-05)
False
>>> significant(2).matches(0.695, 0.69505), decimals(2).matches(2.785, 2.78459)
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from b2bsm.exercises.precision import (  # re-exported: the set modules import them from here
    MARGIN,
    Precision,
    decimals,
    exact_decimal,
    significant,
)

__all__ = [
    "KINDS",
    "MARGIN",
    "MISTAKE_ERRORS",
    "Mistake",
    "Precision",
    "Question",
    "Verdict",
    "as_number",
    "as_table",
    "call_with_params",
    "decimals",
    "exact_decimal",
    "numeric_column",
    "question_text",
    "significant",
    "table_shape_problem",
    "tables_match",
]

KINDS = ("number", "table", "choice", "open")
#: Errors that make a typical-mistake computation not apply to a dataset.
MISTAKE_ERRORS = (ArithmeticError, ValueError, TypeError, KeyError, IndexError, LookupError)


# --------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------
def call_with_params(fn: Callable, data, params: Mapping[str, Any] | None):
    """Call ``fn(data)``, or ``fn(data, params)`` when the question has parameters."""
    if params is None:
        return fn(data)
    return fn(data, params)


@dataclass(frozen=True)
class Mistake:
    """A typical wrong method: ``value(data)`` (or ``value(data, params)``) computes its answer.

    ``message`` says which step probably went wrong, without giving the answer;
    ``section`` names the lesson section that addresses the slip (for the class
    mistake report, ``python -m b2bsm_teach.grade report``).
    """

    value: Callable[..., Any]
    message: str
    section: str = ""


@dataclass(frozen=True, kw_only=True)
class Question:
    """One exercise question.

    Attributes
    ----------
    id : str
        ``"q1"``, ``"q2"``, ... unique within the set.
    kind : {"number", "table", "choice", "open"}
    points : int
    prompt : str
        Markdown: the one source of the question's words.  With ``params`` it
        may contain ``{name}`` fields, filled in per student.  The precision
        words are appended by :meth:`text`, so the prompt does not repeat them.
    expected : callable, optional
        ``expected(data)`` (or ``expected(data, params)``) -> the reference
        answer of a number or table question.
    precision : Precision, optional
        Required for number and table questions (applied per numeric cell).
    mistakes : list of Mistake
        Typical wrong methods with teaching feedback, tried in order.
    alternatives : list of callable
        Other plausible methods (no message); property tests check that each is
        distinguishable from the reference beyond the tolerance.
    params : callable, optional
        ``params(seed) -> dict``: the question varies with the student id
        (``seed`` is None for the shipped data).
    choices, correct, explanations : for choice questions
        Option letter -> text, the right letter, and letter -> why.
    hints : tuple of str
        Graduated: the concept first, then the method; never code.
    rubric : str
        Markdown rubric of an open question (what earns each point).

    Examples
    --------
    >>> q = Question(id="q1", kind="number", prompt="Mean of x?",
    ...              expected=lambda d: sum(d) / len(d), precision=decimals(1))
    >>> q.text()
    'Mean of x? Give your answer to 1 decimal place.'
    >>> q.reference([1, 2, 2])
    1.6666666666666667
    """

    id: str
    kind: str
    points: int = 1
    prompt: str = ""
    expected: Callable[..., Any] | None = None
    precision: Precision | None = None
    mistakes: Sequence[Mistake] = field(default_factory=list)
    alternatives: Sequence[Callable[..., Any]] = field(default_factory=list)
    params: Callable[[int | None], dict[str, Any]] | None = None
    choices: Mapping[str, str] | None = None
    correct: str | None = None
    explanations: Mapping[str, str] = field(default_factory=dict)
    hints: Sequence[str] = ()
    rubric: str = ""

    def __post_init__(self) -> None:
        where = f"question {self.id}"
        if self.kind not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}; got {self.kind!r}.")
        if not str(self.prompt).strip():
            raise ValueError(f"{where}: give the prompt (the words the student reads).")
        if isinstance(self.hints, str):
            raise ValueError(f"{where}: hints is a tuple of strings, e.g. hints=('concept', ...).")
        if self.kind in ("number", "table"):
            if self.expected is None:
                raise ValueError(f"{where}: a {self.kind} question needs expected().")
            if not isinstance(self.precision, Precision):
                raise ValueError(
                    f"{where}: a {self.kind} question needs precision=decimals(n) or "
                    "significant(n); the tolerance follows from it."
                )
        elif self.precision is not None:
            raise ValueError(f"{where}: only number and table questions take a precision.")
        if self.kind == "choice":
            if not self.choices or self.correct not in self.choices:
                raise ValueError(f"{where}: a choice question needs choices and a correct letter.")
            extra = set(self.explanations) - set(self.choices)
            if extra:
                raise ValueError(f"{where}: explanations for options that do not exist: {extra}.")
        for m in self.mistakes:
            if not isinstance(m, Mistake):
                raise ValueError(f"{where}: mistakes must be Mistake(fn, message) objects.")

    # -- per-student pieces ------------------------------------------------
    def params_for(self, seed: int | None) -> dict[str, Any] | None:
        """The question's parameters for a dataset seed (None when it has none)."""
        if self.params is None:
            return None
        values = self.params(seed)
        if not isinstance(values, Mapping):
            raise ValueError(f"question {self.id}: params(seed) must return a dict.")
        return dict(values)

    def text(self, params: Mapping[str, Any] | None = None) -> str:
        """The prompt with ``params`` filled in and the precision words appended."""
        return question_text(self.kind, self.prompt, self.precision, params)

    def reference(self, data, params: Mapping[str, Any] | None = None):
        """The reference answer on ``data`` (number or table questions)."""
        return call_with_params(self.expected, data, self._params_arg(params))

    def mistake_values(self, data, params: Mapping[str, Any] | None = None) -> list:
        """The answer of each listed mistake on ``data``; None where a mistake does not apply.

        A typical wrong method may fail on some dataset (an empty group, a
        model that does not fit); it then simply recognises no answer there.
        """
        values = []
        for m in self.mistakes:
            try:
                values.append(call_with_params(m.value, data, self._params_arg(params)))
            except MISTAKE_ERRORS:
                values.append(None)
        return values

    def _params_arg(self, params):
        if self.params is None:
            return None
        if params is None:
            raise ValueError(f"question {self.id} varies per student: pass its params.")
        return params


def question_text(
    kind: str, prompt: str, precision: Precision | None, params: Mapping[str, Any] | None = None
) -> str:
    """A prompt with ``{name}`` fields filled from ``params`` and the precision sentence added."""
    text = str(prompt).strip()
    if params is not None:
        try:
            text = text.format_map(params if isinstance(params, dict) else dict(params))
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"the prompt has a field the question's params do not fill ({exc}); "
                "write literal braces as {{ and }}."
            ) from None
    if precision is not None:
        what = "each number in your table" if kind == "table" else "your answer"
        text += f" Give {what} {precision.describe()}."
    note = params.get("note") if isinstance(params, Mapping) else None
    if isinstance(note, str) and note:
        text += f" {note}"
    return text


@dataclass
class Verdict:
    """The outcome of checking one answer, naming the student id it was checked against.

    ``student`` is the normalised id, or None for the shipped practice data.
    """

    question: str
    status: str  # correct, wrong, not answered, invalid, manual, missing
    points: float
    max_points: int
    feedback: str
    student: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "status": self.status,
            "points": self.points,
            "max_points": self.max_points,
            "feedback": self.feedback,
            "student": self.student,
        }


# --------------------------------------------------------------------------
# Reading answers
# --------------------------------------------------------------------------
def as_number(answer) -> float:
    """A student's numeric answer as a float, or a ValueError saying what is wrong.

    >>> as_number(3), as_number(np.float64(0.5))
    (3.0, 0.5)
    """
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
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"got a {type(answer).__name__}; this question needs a number.") from None
    if math.isnan(value):
        raise ValueError("got NaN (a missing value); check for missing data in your calculation.")
    if math.isinf(value):
        raise ValueError("got an infinite number; check for a division by zero.")
    return value


def as_table(answer) -> pd.DataFrame:
    """A student's table answer as a DataFrame (a Series becomes one column)."""
    if isinstance(answer, pd.Series):
        return answer.to_frame()
    if not isinstance(answer, pd.DataFrame):
        raise ValueError(f"got a {type(answer).__name__}; this question needs a pandas DataFrame.")
    return answer


def table_shape_problem(answer: pd.DataFrame, columns: Sequence[str], rows: int) -> str | None:
    """None when ``answer`` has the expected columns and row count, else what differs."""
    missing = [c for c in columns if c not in answer.columns]
    if missing:
        return f"your table lacks the column(s) {missing}; expected columns {list(columns)}."
    if len(answer) != rows:
        return f"your table has {len(answer)} rows; expected {rows}."
    return None


def numeric_column(answer_col: pd.Series) -> np.ndarray | None:
    """The column as floats, or None when some entry is not a number."""
    values = pd.to_numeric(answer_col, errors="coerce").astype(float).to_numpy()
    return None if np.isnan(values).any() else values


def tables_match(answer: pd.DataFrame, target: pd.DataFrame, precision: Precision) -> str | None:
    """None when the tables agree cell by cell at ``precision``, else the first difference.

    >>> t = pd.DataFrame({"item": ["a", "b"], "pct": [56.25, 10.0]})
    >>> tables_match(pd.DataFrame({"item": ["a", "b"], "pct": [56.2, 10.0]}), t, decimals(1))
    >>> tables_match(pd.DataFrame({"item": ["a", "b"], "pct": [56.0, 10.0]}), t, decimals(1))
    "column 'pct' has values that differ from the expected ones (row 1 is the first)."
    """
    problem = table_shape_problem(answer, list(target.columns), len(target))
    if problem:
        return problem
    for col in target.columns:
        a = answer[col].reset_index(drop=True)
        t = target[col].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t):
            values = numeric_column(a)
            if values is None:
                return f"column {col!r} has entries that are not numbers."
            for i, (v, ref) in enumerate(zip(values, t.astype(float), strict=True)):
                if not precision.matches(v, ref):
                    return (
                        f"column {col!r} has values that differ from the expected ones "
                        f"(row {i + 1} is the first)."
                    )
        elif not (a.astype(str) == t.astype(str)).all():
            return f"column {col!r} has different entries (or a different row order)."
    return None
