"""Pieces shared by the exercise sets: per-student question parameters that keep a question fair.

A question that varies with the student id (``params=``) picks *which* item,
tool, barrier or table it asks about from the id's seed.  :func:`varies` makes
such a ``params`` function: it walks the options in an order drawn from the
seed and keeps the first one on which the question can judge fairly, that is,
the reference answer is finite and every listed mistake and alternative method
gives an answer that differs from it beyond the stated precision.  So a
student is never asked a question whose wrong methods would be marked right,
and an option that cannot be computed on a student's data is skipped.

Examples
--------
>>> from b2bsm.exercises.questions import decimals
>>> params = varies(
...     lambda seed: [1.0, 2.0, 3.0],
...     [{"k": 0}, {"k": 1}, {"k": 2}],
...     expected=lambda data, p: data[p["k"]],
...     others=[lambda data, p: data[p["k"]] + 0.01],
...     precision=decimals(0),
...     salt=1,
... )
>>> params(None)["note"].startswith("(On your data no variant")  # no option is fair
True
>>> params = varies(lambda seed: [1.0, 2.0, 3.0], [{"k": 0}, {"k": 1}, {"k": 2}],
...                 expected=lambda data, p: data[p["k"]],
...                 others=[lambda data, p: data[p["k"]] + 1], precision=decimals(0), salt=1)
>>> sorted({params(seed)["k"] for seed in range(30)})
[0, 1, 2]
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from b2bsm.exercises.questions import MISTAKE_ERRORS, Precision, Question, tables_match

#: Appended to a question's prompt (as the ``note`` parameter) when no option of a
#: per-student question can tell every listed mistake apart on that student's data.
FALLBACK_NOTE = (
    "(On your data no variant of this question could tell every typical slip apart, so it "
    "uses the first variant whose answer can be computed; a wrong answer may get the "
    "general hint instead of a named slip.)"
)

# Results per dataset object: the checker and the hidden re-check reuse one
# dataset object per student, so repeated statistics (model fits, tables of
# tests) are computed once.  Keyed by the object's id and guarded by a weak
# reference, so a new object (a fresh copy) never sees another one's results.
_MEMO: dict[int, tuple[weakref.ref, dict]] = {}


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def memo(data, key, compute: Callable[[], Any]):
    """``compute()``, remembered for this dataset object under ``key``."""
    entry = _MEMO.get(id(data))
    if entry is None or entry[0]() is not data:
        if len(_MEMO) > 256:
            for k in [k for k, (ref, _) in _MEMO.items() if ref() is None]:
                del _MEMO[k]
        entry = (weakref.ref(data), {})
        _MEMO[id(data)] = entry
    store = entry[1]
    if key not in store:
        store[key] = compute()
    return store[key]


def per_dataset(fn: Callable) -> Callable:
    """Decorator: remember ``fn(data, *args, **kwargs)`` per dataset object and arguments.

    >>> import pandas as pd
    >>> calls = []
    >>> @per_dataset
    ... def total(df, column):
    ...     calls.append(column)
    ...     return int(df[column].sum())
    >>> df = pd.DataFrame({"x": [1, 2]})
    >>> total(df, "x"), total(df, "x"), calls
    (3, 3, ['x'])
    """

    @functools.wraps(fn)
    def wrapper(data, *args, **kwargs):
        key = (fn.__module__, fn.__qualname__, _freeze(args), _freeze(kwargs))
        return memo(data, key, lambda: fn(data, *args, **kwargs))

    return wrapper


def order(seed: int | None, salt: int, size: int) -> list[int]:
    """Indices ``0..size-1`` in an order drawn from the seed (None: the shipped data's order)."""
    rng = np.random.default_rng([salt, 0 if seed is None else int(seed) + 1])
    return [int(i) for i in rng.permutation(size)]


def finite(value) -> bool:
    """True for a finite number, or a table whose numeric cells are all finite."""
    if isinstance(value, pd.DataFrame):
        numbers = value.select_dtypes("number")
        return bool(np.isfinite(numbers.to_numpy(dtype=float)).all())
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def distinguishable(other, reference, precision: Precision) -> bool:
    """True when ``other`` (a wrong method's answer) is rejected as an answer for ``reference``."""
    if isinstance(reference, pd.DataFrame):
        if not isinstance(other, pd.DataFrame):
            return True
        return tables_match(other, reference, precision) is not None
    if not finite(other):
        return True
    return not precision.matches(float(other), float(reference))


def _value_or_none(fn, data, params):
    """A wrong method's answer, or None when it does not apply to this dataset."""
    try:
        return fn(data, params)
    except MISTAKE_ERRORS:
        return None


def computable(data, params, expected) -> bool:
    """True when the reference of ``params`` computes to a finite value on ``data``."""
    try:
        return finite(expected(data, params))
    except MISTAKE_ERRORS:
        return False


def fair_or_not(data, params, checks) -> bool:
    """True when every check is :func:`fair`; False when one is not or cannot be computed.

    A reference that raises on this dataset (e.g. a test on a table with an
    empty column) makes the option unusable for this student, not the set.
    """
    try:
        return all(fair(data, params, *check) for check in checks)
    except MISTAKE_ERRORS:
        return False


def fair(data, params, expected, others, precision: Precision, mistakes: int = 0) -> bool:
    """The reference is finite and every other method is distinguishable from it.

    The first ``mistakes`` of ``others`` are the question's listed mistakes: they
    must also be distinguishable from each other, so that a wrong answer gets
    the feedback of the slip that produced it.
    """
    reference = expected(data, params)
    if not finite(reference):
        return False
    values = [_value_or_none(fn, data, params) for fn in others]
    if not all(distinguishable(value, reference, precision) for value in values):
        return False
    listed = values[:mistakes]
    return all(
        distinguishable(a, b, precision) and distinguishable(b, a, precision)
        for i, a in enumerate(listed)
        for b in listed[i + 1 :]
        if finite(a) and finite(b)
    )


def varies(
    data: Callable[[int | None], Any],
    options: Sequence[dict[str, Any]],
    *,
    expected: Callable[[Any, dict], Any] | None = None,
    others: Sequence[Callable[[Any, dict], Any]] = (),
    precision: Precision | None = None,
    mistakes: int = 0,
    salt: int,
    also: Sequence[tuple] = (),
) -> Callable[[int | None], dict[str, Any]]:
    """A ``params(seed)`` function: the first option, in the seed's order, that judges fairly.

    Parameters
    ----------
    data : callable
        ``data(seed)`` -> the student's dataset.
    options : sequence of dict
        The question's possible parameters (e.g. one dict per tool).
    expected, others : callables ``fn(data, params)``
        The reference, and every mistake and alternative method (mistakes first).
    precision : Precision
        The precision the prompt states.
    mistakes : int
        How many of ``others`` are listed mistakes (they must differ from each other too).
    salt : int
        Distinct per question, so that questions pick independently.
    also : sequence of (expected, others, precision[, mistakes])
        Further questions that share these parameters (e.g. "the same table as
        q1") and must judge fairly too.

    The result is cached per seed, so questions that share it agree.  An option
    whose reference or a check raises on the student's data is skipped.  When no
    option is fair, the first option (in the seed's order) whose every reference
    computes is used, with :data:`FALLBACK_NOTE` in its ``note`` parameter (the
    prompt shows it); when not even that exists, a ValueError names the problem.
    """
    options = [dict(option) for option in options]
    checks = list(also)
    if expected is not None:
        checks.insert(0, (expected, others, precision, mistakes))
    memo: dict[int | None, dict[str, Any]] = {}

    def params(seed: int | None) -> dict[str, Any]:
        if seed in memo:
            return dict(memo[seed])
        df = data(seed)
        walk = order(seed, salt, len(options))
        chosen = next((options[i] for i in walk if fair_or_not(df, options[i], checks)), None)
        if chosen is None:
            usable = (
                options[i]
                for i in walk
                if all(computable(df, options[i], check[0]) for check in checks)
            )
            chosen = next(usable, None)
            if chosen is None or not checks:
                raise ValueError(
                    "no option of this question can be judged fairly on this dataset (every "
                    "option has a wrong method that gives the right answer, or no reference "
                    "can be computed); widen the options."
                )
            chosen = {**chosen, "note": FALLBACK_NOTE}
        if len(memo) > 256:
            memo.clear()
        memo[seed] = chosen
        return dict(chosen)

    return params


def fair_question(*, data, options, salt: int, **fields: Any) -> Question:
    """A :class:`Question` whose ``params`` pick a fair option with :func:`varies`.

    The question's own ``expected``, ``precision``, ``mistakes`` and
    ``alternatives`` are what :func:`varies` checks, so they are stated once:
    the listed mistakes come first (they must also differ from each other),
    then the alternatives.  ``data``, ``options`` and ``salt`` are passed on to
    :func:`varies`; every other keyword is a field of the question.

    >>> from b2bsm.exercises.questions import Mistake, decimals
    >>> q = fair_question(data=lambda seed: [1.0, 2.0], options=[{"k": 0}, {"k": 1}], salt=7,
    ...                   id="q1", kind="number", prompt="Value {k}?",
    ...                   expected=lambda data, p: data[p["k"]], precision=decimals(0),
    ...                   mistakes=[Mistake(lambda data, p: data[p["k"]] + 5, "off by five")])
    >>> sorted({q.params(seed)["k"] for seed in range(20)})
    [0, 1]
    """
    mistakes = list(fields.get("mistakes", ()))
    others = [m.value for m in mistakes] + list(fields.get("alternatives", ()))
    params = varies(
        data,
        options,
        expected=fields["expected"],
        others=others,
        mistakes=len(mistakes),
        precision=fields["precision"],
        salt=salt,
    )
    return Question(**fields, params=params)
