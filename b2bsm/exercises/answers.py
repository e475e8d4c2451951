"""Answers as plain data: exported from a student's kernel, validated and rebuilt by the grader.

A submission's kernel is untrusted, so nothing it holds crosses to the grader
as an object.  After each cell the sandboxed runner asks the kernel for
:func:`export_answers`: every ``answer_qN`` variable encoded as plain JSON
(exact built-in types only; numpy scalars become Python numbers; a pandas
DataFrame or Series becomes ``{"__table__": {"columns", "index", "data"}}``).
The export never calls a method of a student's own class: anything else is
recorded only by its type name.

On the grader's side ``b2bsm_teach.grade.state.read_state`` reads the runner's
state file with a size cap and strict types (``json`` only, no pickle, no eval; ``NaN`` and
``Infinity`` literals rejected), and :func:`rebuild` turns an exported value
back into the object the answer key expects (tables become DataFrames).
Markers are single-key objects whose key starts and ends with ``__``:

================================  ===========================================
``{"__ellipsis__": true}``        ``...`` (the unanswered placeholder)
``{"__float__": "nan"}``          ``nan``, ``"inf"``, ``"-inf"``
``{"__tuple__": [...]}``          a tuple
``{"__array__": [...]}``          a numpy array (nested lists)
``{"__table__": {...}}``          a DataFrame (``"series": true``: a Series)
``{"__dict__": {...}}``           a dict whose only key looks like a marker
``{"__unsupported__": "name"}``   an object of another type (cannot be graded)
``{"__too_big__": "what"}``       a value over the size limits
================================  ===========================================

Examples
--------
>>> import pandas as pd
>>> plain = encode(pd.DataFrame({"size": ["small", "large"], "firms": [70, 25]}))
>>> plain["__table__"]["data"]
[['small', 70], ['large', 25]]
>>> rebuild(plain).equals(pd.DataFrame({"size": ["small", "large"], "firms": [70, 25]}))
True
>>> rebuild(encode(...)) is ...
True
"""

from __future__ import annotations

import json
import math
import re
import sys

__all__ = [
    "EXPORT_MIME",
    "AnswerError",
    "encode",
    "export_answers",
    "publish",
    "rebuild",
    "validate",
]

#: The display MIME type the runner looks for in the export cell's outputs.
EXPORT_MIME = "text/x-b2bsm-answers"
#: Names exported from the kernel.
ANSWER_NAME = re.compile(r"answer_q[0-9]{1,3}")
MAX_ANSWERS = 100
MAX_TEXT = 100_000  # characters of one string
MAX_NODES = 200_000  # values in one answer (table cells count one each)
MAX_DEPTH = 20
MAX_EXPORT_CHARS = 8_000_000  # one whole export, as JSON text
MAX_INT_BITS = 256
MARKERS = (
    "__ellipsis__",
    "__float__",
    "__tuple__",
    "__array__",
    "__table__",
    "__dict__",
    "__unsupported__",
    "__too_big__",
)


class AnswerError(ValueError):
    """An exported value that the grader does not accept (the message says why)."""


class _TooBig(Exception):
    pass


# --------------------------------------------------------------------------
# Kernel side: encode
# --------------------------------------------------------------------------
def _float(value: float):
    if math.isnan(value):
        return {"__float__": "nan"}
    if math.isinf(value):
        return {"__float__": "inf" if value > 0 else "-inf"}
    return value


def _type_name(value) -> str:
    kind = type(value)  # never str(value) or repr(value): those run the student's code
    module = kind.__dict__.get("__module__", "builtins")
    name = type.__getattribute__(kind, "__qualname__")
    text = f"{module}.{name}" if isinstance(module, str) and module != "builtins" else str(name)
    return text[:100] if isinstance(text, str) else "object"


def encode(value, _budget: list[int] | None = None, _depth: int = 0):
    """One answer as plain JSON data (see the module docstring for the markers).

    Only exact built-in types, numpy scalars and arrays, and pandas DataFrames
    and Series are encoded; subclasses and other objects become
    ``{"__unsupported__": type name}`` without any of their code running.

    Examples
    --------
    >>> import numpy as np
    >>> encode([1, 2.5, "b", None, True, np.int64(3), float("nan")])
    [1, 2.5, 'b', None, True, 3, {'__float__': 'nan'}]
    >>> encode(np.array([[1, 2], [3, 4]]))
    {'__array__': [[1, 2], [3, 4]]}
    >>> class Sneaky(float): ...
    >>> encode(Sneaky(1.0))
    {'__unsupported__': 'b2bsm.exercises.answers.Sneaky'}
    """
    budget = [MAX_NODES] if _budget is None else _budget
    try:
        return _encode(value, budget, _depth)
    except _TooBig:
        if _budget is not None:
            raise
        return {"__too_big__": _type_name(value)}
    except Exception:  # a patched library; only this student's own answer suffers
        if _budget is not None:
            raise
        return {"__unsupported__": _type_name(value)}


def _encode(value, budget: list[int], depth: int):
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise _TooBig
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is int:
        if value.bit_length() > MAX_INT_BITS:
            raise _TooBig
        return value
    if kind is float:
        return _float(value)
    if kind is str:
        if len(value) > MAX_TEXT:
            raise _TooBig
        return value
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if kind is list:
        return [_encode(v, budget, depth + 1) for v in list.__iter__(value)]
    if kind is tuple:
        return {"__tuple__": [_encode(v, budget, depth + 1) for v in tuple.__iter__(value)]}
    if kind is dict:
        items = list(dict.items(value))
        if not all(type(k) is str for k, _ in items):
            return {"__unsupported__": "dict with keys that are not text"}
        out = {k: _encode(v, budget, depth + 1) for k, v in items}
        if len(out) == 1 and next(iter(out)) in MARKERS:
            return {"__dict__": out}
        return out
    np = sys.modules.get("numpy")
    if np is not None:
        if kind in (np.bool_,):
            return bool(value)
        if kind.__module__ == "numpy" and issubclass(kind, np.integer):
            return _encode(int(value), budget, depth)
        if kind.__module__ == "numpy" and issubclass(kind, np.floating):
            return _float(float(value))
        if kind is np.str_:
            return _encode(str.__str__(value), budget, depth)
        if kind is np.ndarray:
            if value.size > budget[0] or value.ndim > 4:
                raise _TooBig
            if value.dtype.kind not in "biufUO":
                return {"__unsupported__": f"numpy array of {value.dtype.str}"}
            return {"__array__": _encode(value.tolist(), budget, depth + 1)}
    pd = sys.modules.get("pandas")
    if pd is not None:
        if kind is pd.DataFrame or kind is pd.Series:
            return _table(value, pd, budget, depth)
        if value is pd.NA or value is pd.NaT:
            return None
    return {"__unsupported__": _type_name(value)}


def _table(value, pd, budget: list[int], depth: int):
    series = type(value) is pd.Series
    frame = value.to_frame() if series else value
    rows, cols = frame.shape
    if rows * max(cols, 1) + rows + cols > budget[0]:
        raise _TooBig
    columns = [_label(c, budget, depth) for c in frame.columns.tolist()]
    index = [_label(i, budget, depth) for i in frame.index.tolist()]
    data = [
        [_encode(cell, budget, depth + 2) for cell in row]
        for row in frame.astype(object).to_numpy().tolist()
    ]
    table = {"columns": columns, "index": index, "data": data}
    if series:
        table["series"] = True
    return {"__table__": table}


def _label(label, budget, depth):
    if type(label) is tuple:  # a MultiIndex level tuple
        return {"__tuple__": [_encode(v, budget, depth + 2) for v in label]}
    return _encode(label, budget, depth + 2)


def export_answers(namespace: dict) -> str:
    """Every ``answer_qN`` of a notebook namespace, and whose data it used, as JSON text.

    Run by the grading runner inside the student's kernel after each cell.
    ``worked_on`` is the id of the notebook's ``ex`` object (``None`` for the
    shipped data), read from the instance dictionary so that no property of a
    student's object runs.

    Examples
    --------
    >>> export_answers({"answer_q1": 7, "answer_q2": ..., "other": 1})
    '{"answers": {"answer_q1": 7, "answer_q2": {"__ellipsis__": true}}, "worked_on": null}'
    """
    names = sorted(k for k in dict.keys(namespace) if type(k) is str and ANSWER_NAME.fullmatch(k))
    answers = {}
    for name in names[:MAX_ANSWERS]:
        answers[name] = encode(dict.__getitem__(namespace, name))
    worked_on = None
    ex = dict.get(namespace, "ex")
    if type(ex).__name__ == "Exercises":
        own = getattr(ex, "__dict__", {})
        if type(own) is dict and "student_id" in own:
            sid = dict.__getitem__(own, "student_id")
            worked_on = {"id": sid if sid is None or type(sid) is str else None}
            if type(sid) is str:
                worked_on["id"] = sid[:200]
    text = json.dumps({"answers": answers, "worked_on": worked_on}, allow_nan=False)
    if len(text) > MAX_EXPORT_CHARS:
        for name in sorted(answers, key=lambda n: -len(json.dumps(answers[n]))):
            answers[name] = {"__too_big__": "answer"}
            text = json.dumps({"answers": answers, "worked_on": worked_on}, allow_nan=False)
            if len(text) <= MAX_EXPORT_CHARS:
                break
    return text


def publish(namespace: dict) -> None:
    """Display :func:`export_answers` under :data:`EXPORT_MIME` (for the runner to collect)."""
    from IPython.display import display

    display({EXPORT_MIME: export_answers(namespace)}, raw=True)


# --------------------------------------------------------------------------
# Grader side: validate and rebuild
# --------------------------------------------------------------------------
def _reject_constant(name: str):
    raise AnswerError(f"{name} is not allowed in an export (use the marker form)")


def loads(text: str | bytes):
    """Strict JSON: no ``NaN``/``Infinity`` literals, bounded integers."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except AnswerError:
        raise
    except (ValueError, RecursionError, TypeError) as exc:
        raise AnswerError(f"not valid JSON ({type(exc).__name__})") from None


def validate(value, _budget: list[int] | None = None, _depth: int = 0):
    """Check that ``value`` is plain exported data within the limits; return it unchanged.

    Raises
    ------
    AnswerError
        For a type JSON cannot produce, an over-long string, too many values or
        too deep a nesting.

    Examples
    --------
    >>> table = {"__table__": {"columns": ["a"], "index": [0], "data": [[1]]}}
    >>> validate(table) is table
    True
    >>> validate(object())
    Traceback (most recent call last):
    ...
    b2bsm.exercises.answers.AnswerError: an export holds a value of type object
    """
    budget = [MAX_NODES] if _budget is None else _budget
    budget[0] -= 1
    if budget[0] < 0:
        raise AnswerError("the answer holds too many values")
    if _depth > MAX_DEPTH + 4:
        raise AnswerError("the answer is nested too deeply")
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is int:
        if value.bit_length() > MAX_INT_BITS:
            raise AnswerError("a number in the answer is too large")
        return value
    if kind is float:
        if not math.isfinite(value):
            raise AnswerError("a non-finite number outside the marker form")
        return value
    if kind is str:
        if len(value) > MAX_TEXT:
            raise AnswerError("a text in the answer is too long")
        return value
    if kind is list:
        for item in value:
            validate(item, budget, _depth + 1)
        return value
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or len(key) > 1000:
                raise AnswerError("an object key in the answer is not short text")
            validate(item, budget, _depth + 1)
        return value
    raise AnswerError(f"an export holds a value of type {kind.__name__}")


def rebuild(value):
    """The Python object of a validated exported answer (tables become pandas objects).

    Raises
    ------
    AnswerError
        For an unsupported or oversized value (the message is feedback for the
        student) or a malformed marker.

    Examples
    --------
    >>> rebuild({"__tuple__": [1, {"__float__": "inf"}]})
    (1, inf)
    >>> try:
    ...     rebuild({"__unsupported__": "mymodule.Answer"})
    ... except AnswerError as exc:
    ...     print(str(exc)[:49])
    the answer is a mymodule.Answer, which the grader
    """
    if type(value) is list:
        return [rebuild(v) for v in value]
    if type(value) is not dict:
        return value
    if len(value) == 1:
        ((key, inner),) = value.items()
        if key in MARKERS:
            return _marker(key, inner)
    return {k: rebuild(v) for k, v in value.items()}


def _marker(key: str, inner):
    if key == "__ellipsis__":
        return ...
    if key == "__float__":
        if inner not in ("nan", "inf", "-inf"):
            raise AnswerError("malformed number marker")
        return float(inner)
    if key == "__tuple__":
        if type(inner) is not list:
            raise AnswerError("malformed tuple marker")
        return tuple(rebuild(v) for v in inner)
    if key == "__dict__":
        if type(inner) is not dict:
            raise AnswerError("malformed dict marker")
        return {k: rebuild(v) for k, v in inner.items()}
    if key == "__unsupported__":
        what = inner if type(inner) is str else "object"
        raise AnswerError(
            f"the answer is a {what[:100]}, which the grader cannot read: use a number, a "
            "string, a list or a pandas DataFrame"
        )
    if key == "__too_big__":
        raise AnswerError(
            "the answer is too large to be graded: give just the number, text or table asked for"
        )
    if key == "__array__":
        import numpy as np

        try:
            return np.array(rebuild(inner))
        except (ValueError, TypeError):
            raise AnswerError("malformed array") from None
    return _rebuild_table(inner)


def _rebuild_table(inner):
    import pandas as pd

    if type(inner) is not dict or not {"columns", "index", "data"} <= set(inner):
        raise AnswerError("malformed table")
    columns, index, data = inner["columns"], inner["index"], inner["data"]
    if not (type(columns) is list and type(index) is list and type(data) is list):
        raise AnswerError("malformed table")
    if len(data) != len(index) or any(
        type(row) is not list or len(row) != len(columns) for row in data
    ):
        raise AnswerError("malformed table: rows and labels do not line up")
    try:
        frame = pd.DataFrame(
            [[rebuild(cell) for cell in row] for row in data],
            columns=pd.Index([rebuild(c) for c in columns], tupleize_cols=True)
            if columns
            else None,
            index=pd.Index([rebuild(i) for i in index], tupleize_cols=True) if index else None,
        )
    except (ValueError, TypeError) as exc:
        raise AnswerError(f"malformed table ({type(exc).__name__})") from None
    if inner.get("series") is True:
        if frame.shape[1] != 1:
            raise AnswerError("malformed series")
        return frame.iloc[:, 0]
    return frame
