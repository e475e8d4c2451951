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

* the student's answer is rounded to the stated precision, and is accepted when
  that rounded value lies within half a unit of the stated precision of the
  exact reference (plus a floating-point margin);
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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

KINDS = ("number", "table", "choice", "open")
#: Floating-point margin added to every tolerance, as a fraction of the stated unit
#: (plus a few units in the last place of the reference, for large numbers).
MARGIN = 1e-9
#: Errors that make a typical-mistake computation not apply to a dataset.
MISTAKE_ERRORS = (ArithmeticError, ValueError, TypeError, KeyError, IndexError, LookupError)


# --------------------------------------------------------------------------
# Precision: what the prompt states, and the tolerance that follows from it
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Precision:
    """The precision an answer is asked for; build it with :func:`decimals` or :func:`significant`.

    Attributes
    ----------
    mode : {"decimals", "significant"}
    digits : int
        Decimal places, or significant figures.

    Examples
    --------
    >>> p = decimals(1)
    >>> p.describe(), p.canonical(56.25), p.accepted(56.25)
    ('to 1 decimal place', '56.2', ['56.2', '56.3'])
    >>> round(p.tolerance(56.25), 6)
    0.05
    >>> significant(2).canonical(0.1327), significant(2).describe()
    ('0.13', 'to 2 significant figures')
    """

    mode: str
    digits: int

    def __post_init__(self) -> None:
        if self.mode not in ("decimals", "significant"):
            raise ValueError(
                f"precision mode must be 'decimals' or 'significant'; got {self.mode!r}."
            )
        if isinstance(self.digits, bool) or not isinstance(self.digits, int):
            raise ValueError(f"precision digits must be a whole number; got {self.digits!r}.")
        low = 0 if self.mode == "decimals" else 1
        if not low <= self.digits <= 12:
            raise ValueError(
                f"{self.mode}({self.digits}) is out of range; use {low} to 12 "
                f"{'decimal places' if self.mode == 'decimals' else 'significant figures'}."
            )

    # -- the unit of the last stated digit ---------------------------------
    def _exponent(self, target: float) -> int:
        """Power of ten of the last stated digit of ``target``."""
        if self.mode == "decimals":
            return -self.digits
        if target == 0:
            return -300  # zero has no significant figures: only zero itself matches
        return math.floor(math.log10(abs(target))) - self.digits + 1

    def tolerance(self, target) -> float:
        """Half a unit of the stated precision around ``target``, plus a floating-point margin.

        For :func:`significant` the unit is that of the reference's last
        significant figure, so the tolerance scales with the reference.

        >>> decimals(0).tolerance(12) > 0.5
        True
        >>> significant(2).tolerance(6e-05) < 1e-05
        True
        """
        target = float(target)
        if not math.isfinite(target):
            return math.nan
        unit = 10.0 ** self._exponent(target)
        return 0.5 * unit + MARGIN * unit + 64 * math.ulp(target)

    def canonical(self, value) -> str:
        """``value`` rounded to the stated precision, as text (the form that is hashed).

        >>> decimals(2).canonical(-0.001), decimals(0).canonical(41.5)
        ('0.00', '42')
        >>> significant(2).canonical(6.04e-05), significant(3).canonical(1234.5)
        ('6.0e-05', '1230')
        """
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"cannot round {value!r} to a precision; a finite number is needed.")
        if self.mode == "decimals":
            text = f"{value:.{self.digits}f}"
        else:
            text = self._significant_text(value)
        if text.startswith("-") and float(text) == 0:
            text = text[1:]
        return text

    def _significant_text(self, value: float) -> str:
        if value == 0:
            return "0"
        mantissa = f"{value:.{self.digits - 1}e}"
        exponent = int(mantissa.split("e")[1])
        if -4 <= exponent < 6:  # ordinary notation for ordinary sizes: 0.13, 0.0044, 1200
            places = max(self.digits - 1 - exponent, 0)
            return f"{float(mantissa):.{places}f}"
        return mantissa

    def matches(self, answer, target) -> bool:
        """True when ``answer``, rounded to the stated precision, is within tolerance of ``target``.

        >>> decimals(1).matches(56.2, 56.25), decimals(1).matches(56.14, 56.25)
        (True, False)
        """
        try:
            target = float(target)
            rounded = float(self.canonical(answer))
        except (TypeError, ValueError):
            return False
        if not math.isfinite(target):
            return False
        return abs(rounded - target) <= self.tolerance(target)

    def accepted(self, target) -> list[str]:
        """Every canonical answer string that :meth:`matches` ``target`` (used for hashed keys).

        >>> significant(2).accepted(0.1327)
        ['0.13']
        >>> decimals(0).accepted(2.5)
        ['2', '3']
        """
        target = float(target)
        if not math.isfinite(target):
            raise ValueError(
                f"the reference answer is {target!r}, not a number: the question cannot be "
                "checked on this dataset (fix the question or the data, do not loosen it)."
            )
        tol = self.tolerance(target)
        exponents = [self._exponent(target)]
        if self.mode == "significant" and target != 0:
            exponents = [exponents[0] - 1, exponents[0], exponents[0] + 1]
        found = set()
        for exp in exponents:
            low = math.floor((target - tol) / 10.0**exp) - 1
            high = math.ceil((target + tol) / 10.0**exp) + 1
            for k in range(low, high + 1):
                value = k / 10.0**-exp if exp < 0 else k * 10.0**exp
                text = self.canonical(value)
                if self.matches(float(text), target):
                    found.add(text)
        return sorted(found, key=float)

    def describe(self) -> str:
        """The precision in words, as the prompt states it.

        >>> decimals(0).describe(), decimals(3).describe()
        ('as a whole number', 'to 3 decimal places')
        """
        if self.mode == "decimals":
            if self.digits == 0:
                return "as a whole number"
            return f"to {self.digits} decimal place{'s' if self.digits > 1 else ''}"
        return f"to {self.digits} significant figure{'s' if self.digits > 1 else ''}"

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "digits": self.digits}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Precision:
        return cls(str(spec["mode"]), int(spec["digits"]))


def decimals(n: int) -> Precision:
    """Answers stated to ``n`` decimal places (``decimals(0)``: whole numbers, e.g. counts).

    The tolerance is half a unit of the last place, ``0.5 * 10**-n``, plus a
    floating-point margin, so 56.25 given as 56.2 or 56.3 is accepted.

    >>> decimals(1).matches(56.3, 56.25), decimals(1).matches(56.4, 56.25)
    (True, False)
    """
    return Precision("decimals", n)


def significant(n: int) -> Precision:
    """Answers stated to ``n`` significant figures: a relative (log-scale) tolerance.

    Use it for p-values and other quantities that span orders of magnitude.

    >>> significant(2).matches(0.13, 0.1327), significant(2).matches(0.0044, 6e-05)
    (True, False)
    """
    return Precision("significant", n)


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

    ``message`` says which step probably went wrong, without giving the answer.
    """

    value: Callable[..., Any]
    message: str


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
