"""The full-key back end: judge answers with the reference functions of a set module.

The set modules (``TITLE``, ``QUESTIONS``: the answer key) are not part of
``b2bsm``; they live in the instructor package, which registers them here once
with :func:`register_answer_keys`.  Where that package is installed (the
instructor's copy of the kit and the public repository) it is found through the
entry point group ``b2bsm.answer_keys``; a student release and the grader's
sandbox have none, and check answers with a hashed key instead
(:mod:`b2bsm.exercises.keys`).

A provider of answer keys is any object with two methods: ``sets()``, the ids
of the sets it has, and ``module(set_id)``, the set module of one.

Examples
--------
>>> from types import SimpleNamespace
>>> from b2bsm.exercises.questions import Question, decimals
>>> q = Question(id="q1", kind="number", prompt="Mean?", expected=lambda d: sum(d) / len(d),
...              precision=decimals(1))
>>> key = FullKey("demo", None, lambda: [1, 2], module=SimpleNamespace(QUESTIONS=[q]))
>>> key.number("q1", 1.5)
('correct', None)
"""

from __future__ import annotations

import math
from typing import Any

from b2bsm.exercises.questions import Question, tables_match

#: The entry point group through which an installed instructor package offers its answer keys.
ENTRY_POINT_GROUP = "b2bsm.answer_keys"
_PROVIDERS: list[Any] = []
_DISCOVERED: list[bool] = []


def register_answer_keys(provider) -> None:
    """Make the set modules of ``provider`` the full answer keys (idempotent).

    ``provider.sets()`` lists set ids and ``provider.module(set_id)`` returns a
    set module.  The instructor package calls this once, when it is imported.
    """
    methods = (getattr(provider, name, None) for name in ("sets", "module"))
    if not all(callable(method) for method in methods):
        raise TypeError(
            f"an answer-key provider needs the methods sets() and module(set_id); got {provider!r}."
        )
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def _providers() -> list[Any]:
    """The registered providers, after loading the installed ones (once)."""
    if not _DISCOVERED:
        _DISCOVERED.append(True)
        from importlib.metadata import entry_points

        for point in entry_points(group=ENTRY_POINT_GROUP):
            try:
                register_answer_keys(point.load())
            except ModuleNotFoundError as exc:
                # Declared but not present here: a student release or the grader's sandbox.
                if not (exc.name and point.module.split(".")[0] == exc.name.split(".")[0]):
                    raise
    return list(_PROVIDERS)


def full_sets() -> list[str]:
    """The ids of the sets whose full answer key is available here."""
    return sorted({str(s) for provider in _providers() for s in provider.sets()})


def answer_key_module(set_id: str):
    """The set module (full answer key) of ``set_id``; an error that says why when there is none."""
    for provider in _providers():
        if str(set_id) in {str(s) for s in provider.sets()}:
            return provider.module(str(set_id))
    raise ModuleNotFoundError(
        f"the answer key of set {set_id} is not in this copy of the kit: it is a student "
        "release (or the instructor package is not installed). Grade from the instructor's "
        "copy of the kit."
    )


class FullKey:
    """Judge answers with the set module's reference functions (the instructor's copy)."""

    source = "full"

    def __init__(self, set_id: str, seed: int | None, data_fn, module=None) -> None:
        self.module = module if module is not None else answer_key_module(set_id)
        self.title = getattr(self.module, "TITLE", f"Exercise set {set_id}")
        self.seed = seed
        self._data_fn = data_fn
        self.questions: dict[str, Question] = {q.id: q for q in self.module.QUESTIONS}
        self._params: dict[str, Any] = {}
        self._cache: dict[str, Any] = {}
        self.unavailable: str | None = None

    def params(self, qid: str):
        if qid not in self._params:
            self._params[qid] = self.questions[qid].params_for(self.seed)
        found = self._params[qid]
        return None if found is None else dict(found)

    def text(self, qid: str) -> str:
        return self.questions[qid].text(self.params(qid))

    def _values(self, qid: str):
        if qid not in self._cache:
            q, data = self.questions[qid], self._data_fn()
            self._cache[qid] = (
                q.reference(data, self.params(qid)),
                q.mistake_values(data, self.params(qid)),
            )
        return self._cache[qid]

    def number(self, qid: str, value: float) -> tuple[str, str | None]:
        q = self.questions[qid]
        reference, mistakes = self._values(qid)
        if not _finite(reference):
            raise ValueError(
                "the reference answer cannot be computed on this dataset; tell your instructor "
                f"(set question {qid}, reference {reference!r})."
            )
        if q.precision.matches(value, reference):
            return "correct", None
        for mistake, mistake_value in zip(q.mistakes, mistakes, strict=True):
            if _finite(mistake_value) and q.precision.matches(value, mistake_value):
                return "mistake", mistake.message
        return "wrong", None

    def table(self, qid: str, table) -> tuple[str, str | None]:
        q = self.questions[qid]
        reference, mistakes = self._values(qid)
        problem = tables_match(table, reference, q.precision)
        if problem is None:
            return "correct", None
        for mistake, mistake_table in zip(q.mistakes, mistakes, strict=True):
            if (
                mistake_table is not None
                and tables_match(table, mistake_table, q.precision) is None
            ):
                return "mistake", mistake.message
        return "wrong", problem

    def choice(self, qid: str, pick: str) -> tuple[bool, str]:
        q = self.questions[qid]
        return pick == q.correct, q.explanations.get(pick, "")


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
