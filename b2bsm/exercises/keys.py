"""Hashed answer keys: self-checks in a student release without the answers.

A student release ships no set modules (``lessonNN.py``, the full answer key).
Instead :func:`write_keys` writes ``b2bsm/exercises/_keys/NN.json`` per set,
holding

* what is needed to show the questions: prompts, points, kinds, precision,
  options of choice questions, graduated hints and the teaching messages of
  typical mistakes (rubrics and reference code are left out);
* per dataset (the shipped data, and every student id on the roster, looked up
  by a salted hash of the id): salted SHA-256 hashes of every accepted answer
  string (``precision.accepted(reference)``) and of every string accepted for
  each typical mistake; table questions per cell;
* for choice questions, a hash that marks the correct option, and each option's
  explanation encrypted with a key derived from the salt, the question and that
  option, so it is opened only when the option is picked.

:class:`HashedKey` checks an answer by rounding it to the stated precision,
hashing it the same way and looking it up, which gives the same verdicts as the
full key.  The salt is random per release.  Hashing keeps answers from being
*read*; it cannot stop a student from *guessing* (trying every option of a
choice question, or every number at the stated precision, against the check):
see ``docs/checking-policy.md``.

Examples
--------
>>> digest("salt", "02", "q1", "shipped", "answer", "56.2") == digest(
...     "salt", "02", "q1", "shipped", "answer", "56.2")
True
>>> open_text(seal("Right: the share is small.", "salt", "02", "q5", "b"), "salt", "02", "q5", "b")
'Right: the share is small.'
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b2bsm.exercises.questions import (
    Precision,
    numeric_column,
    question_text,
    table_shape_problem,
)

FORMAT = 1
#: Length of a stored hash in hex digits (80 bits: no accidental collisions).
HASH_CHARS = 20
SHIPPED = "shipped"


# --------------------------------------------------------------------------
# Primitives
# --------------------------------------------------------------------------
def digest(salt: str, *parts: Any) -> str:
    """A salted SHA-256 of ``parts`` (joined unambiguously), shortened to ``HASH_CHARS``."""
    h = hashlib.sha256(salt.encode("utf-8"))
    for part in parts:
        text = str(part).encode("utf-8")
        h.update(len(text).to_bytes(4, "big"))
        h.update(text)
    return h.hexdigest()[:HASH_CHARS]


def _stream(length: int, salt: str, *parts: Any) -> bytes:
    seed = hashlib.sha256(("explain\x00" + digest(salt, "explain", *parts)).encode()).digest()
    return hashlib.shake_256(seed).digest(length)


def seal(text: str, salt: str, *parts: Any) -> str:
    """``text`` encrypted (XOR with a SHAKE-256 stream keyed by salt and ``parts``), base64."""
    raw = text.encode("utf-8")
    return base64.b64encode(
        bytes(a ^ b for a, b in zip(raw, _stream(len(raw), salt, *parts), strict=True))
    ).decode()


def open_text(sealed: str, salt: str, *parts: Any) -> str:
    """The text :func:`seal` encrypted with the same salt and parts."""
    raw = base64.b64decode(sealed)
    return bytes(a ^ b for a, b in zip(raw, _stream(len(raw), salt, *parts), strict=True)).decode(
        "utf-8"
    )


#: scrypt cost of one roster-id tag (RFC 7914 parameters; 16 MiB of memory per guess).
#: Measured on the kit's 2-core test machine: about 52 ms of CPU per tag, so trying every
#: 7-digit id (10**7 guesses) against a release costs about 6 CPU-days; a student's own
#: lookup costs one tag per set opened.  See docs/grading-security.md.
ID_TAG_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@functools.lru_cache(maxsize=8192)
def id_tag(salt: str, student_id: str | None) -> str:
    """The key's name for a dataset: ``"shipped"`` or a slow salted hash of the normalised id.

    A deliberately slow key derivation (scrypt, :data:`ID_TAG_SCRYPT`): the
    tags of a release must not give away the class list to whoever tries
    every possible id.
    """
    if student_id is None:
        return SHIPPED
    raw = hashlib.scrypt(
        ("student\x00" + student_id).encode("utf-8"),
        salt=("b2bsm-roster-id\x00" + salt).encode("utf-8"),
        maxmem=64 * 2**20,
        dklen=HASH_CHARS // 2 + 1,
        **ID_TAG_SCRYPT,
    )
    return raw.hex()[:HASH_CHARS]


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _cell_text(value) -> str:
    return "text:" + str(value)


# --------------------------------------------------------------------------
# Writing keys (instructor side: needs the set modules)
# --------------------------------------------------------------------------
def _plain(value):
    """``value`` as plain JSON (numpy scalars and tuples converted)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise ValueError(f"question params must be plain values (text, numbers); got {value!r}.")


def _number_hashes(salt, where, precision: Precision, value, label) -> list[str]:
    return [digest(salt, *where, label, text) for text in precision.accepted(value)]


def _table_hashes(salt, where, precision: Precision, table: pd.DataFrame, label) -> dict:
    cells = {}
    numeric = []
    for col in table.columns:
        column = table[col].reset_index(drop=True)
        if _is_numeric(column):
            numeric.append(str(col))
            cells[str(col)] = [
                [digest(salt, *where, label, col, i, t) for t in precision.accepted(v)]
                for i, v in enumerate(column.astype(float))
            ]
        else:
            cells[str(col)] = [
                [digest(salt, *where, label, col, i, _cell_text(v))]
                for i, v in enumerate(column.astype(str))
            ]
    return {
        "columns": [str(c) for c in table.columns],
        "rows": len(table),
        "numeric": numeric,
        "cells": cells,
    }


def _variant(set_id, module, salt, tag, seed, data) -> dict:
    """The hashed answers of every question of a set on one dataset."""
    entry: dict[str, Any] = {}
    for q in module.QUESTIONS:
        if q.kind not in ("number", "table"):
            if q.params is not None:
                entry[q.id] = {"params": _plain(q.params_for(seed))}
            continue
        params = q.params_for(seed)
        where = (set_id, q.id, tag)
        reference = q.reference(data, params)
        try:
            if q.kind == "number":
                item = {"accepted": _number_hashes(salt, where, q.precision, reference, "answer")}
            else:
                item = {"table": _table_hashes(salt, where, q.precision, reference, "answer")}
        except (TypeError, ValueError) as exc:
            who = "the shipped data" if seed is None else f"dataset seed {seed}"
            raise ValueError(
                f"set {set_id} {q.id} on {who}: the reference answer cannot be hashed ({exc}). "
                "Fix the question so its reference is finite on every dataset."
            ) from None
        mistakes = []
        for i, value in enumerate(q.mistake_values(data, params)):
            label = f"mistake{i}"
            if value is None:
                mistakes.append(None)
                continue
            try:
                if q.kind == "number":
                    mistakes.append(_number_hashes(salt, where, q.precision, value, label))
                else:
                    mistakes.append(_table_hashes(salt, where, q.precision, value, label))
            except (TypeError, ValueError):
                mistakes.append(None)  # this mistake gives no number on this dataset
        item["mistakes"] = mistakes
        if params is not None:
            item["params"] = _plain(params)
        entry[q.id] = item
    return entry


def _public_question(set_id, q, salt, *, answers: bool = True) -> dict:
    """What a key shows of a question; ``answers=False`` leaves out which choice is right."""
    item: dict[str, Any] = {
        "id": q.id,
        "kind": q.kind,
        "points": q.points,
        "prompt": q.prompt,
        "hints": list(q.hints),
        "has_params": q.params is not None,
    }
    if q.precision is not None:
        item["precision"] = q.precision.to_dict()
    if q.mistakes:
        item["mistakes"] = [m.message for m in q.mistakes]
    if q.kind == "choice":
        item["choices"] = dict(q.choices)
    if q.kind == "choice" and answers:
        item["correct"] = digest(salt, set_id, q.id, "correct", q.correct)
        item["explanations"] = {
            letter: seal(text, salt, set_id, q.id, letter)
            for letter, text in q.explanations.items()
        }
    return item


def build_keys(
    set_ids: Iterable[str],
    student_ids: Iterable[str] = (),
    salt: str | None = None,
    *,
    modules: dict[str, Any] | None = None,
    data_loader=None,
    progress=None,
) -> dict[str, dict[str, Any]]:
    """The hashed keys of several sets (set id -> key) for the shipped data and each student.

    Needs the full key, so it runs in the instructor's copy: ``modules`` maps set
    ids to set modules (default: ``load_set``) and ``data_loader(set_id, seed)``
    gives the data (default: the public ``load_data``).  Students are the outer
    loop, so each student's dataset is generated once for all sets;
    ``progress(done, total)`` is called after each student.
    """
    from b2bsm.exercises.session import load_data, load_set, variant_seed
    from b2bsm.grade.ids import normalise_id

    set_ids = list(set_ids)
    modules = modules or {}
    modules = {s: modules[s] if s in modules else load_set(s) for s in set_ids}
    data_loader = data_loader or load_data
    salt = salt or secrets.token_hex(16)
    keys = {}
    for set_id, module in modules.items():
        keys[set_id] = {
            "format": FORMAT,
            "set": set_id,
            "title": getattr(module, "TITLE", f"Exercise set {set_id}"),
            "salt": salt,
            "questions": [_public_question(set_id, q, salt) for q in module.QUESTIONS],
            "variants": {
                SHIPPED: _variant(set_id, module, salt, SHIPPED, None, data_loader(set_id, None))
            },
        }
    student_ids = list(student_ids)
    for done, raw in enumerate(student_ids, start=1):
        sid = normalise_id(raw)
        tag = id_tag(salt, sid)
        seed = variant_seed(sid)
        for set_id, module in modules.items():
            variants = keys[set_id]["variants"]
            if tag not in variants:
                data = data_loader(set_id, seed)
                variants[tag] = _variant(set_id, module, salt, tag, seed, data)
        if progress is not None:
            progress(done, len(student_ids))
    return keys


def build_key(
    set_id: str,
    student_ids: Iterable[str] = (),
    salt: str | None = None,
    *,
    module=None,
    data_loader=None,
) -> dict[str, Any]:
    """The hashed key of one set; ``data_loader(seed)`` gives its data (see :func:`build_keys`)."""
    loader = None if data_loader is None else (lambda _set_id, seed: data_loader(seed))
    modules = None if module is None else {set_id: module}
    return build_keys([set_id], student_ids, salt, modules=modules, data_loader=loader)[set_id]


def grading_key(set_id: str, student_ids: Iterable[str] = (), *, module=None) -> dict[str, Any]:
    """A key that holds the questions and each student's parameters, and no answer at all.

    This is what the grader shows inside a submission's sandbox instead of the
    answer key: the student's notebook can open the set (``start``), read its
    own parameters (``ex.params``) and prompts, and load its data, but nothing
    in the key (no hash, no correct letter, no explanation) says what the
    answers are, so ``ex.check`` answers "checked by the grader".  The verdicts
    are computed outside the sandbox with the full key.

    Examples
    --------
    >>> key = grading_key("02", ["s1234567"])
    >>> key["purpose"], sorted(key["variants"]["shipped"]["q1"])
    ('grading', ['params'])
    >>> any("correct" in q or "explanations" in q for q in key["questions"])
    False
    """
    from b2bsm.exercises.session import load_set, variant_seed
    from b2bsm.grade.ids import normalise_id

    module = module if module is not None else load_set(set_id)
    salt = secrets.token_hex(16)
    variants = {}
    for sid in [None, *(normalise_id(raw) for raw in student_ids)]:
        seed = None if sid is None else variant_seed(sid)
        variants[id_tag(salt, sid)] = {
            q.id: {"params": _plain(q.params_for(seed))}
            for q in module.QUESTIONS
            if q.params is not None
        }
    return {
        "format": FORMAT,
        "purpose": "grading",
        "set": str(set_id),
        "title": getattr(module, "TITLE", f"Exercise set {set_id}"),
        "salt": salt,
        "questions": [_public_question(set_id, q, salt, answers=False) for q in module.QUESTIONS],
        "variants": variants,
    }


def read_roster(path: Path) -> list[str]:
    """The normalised student ids of a roster CSV with a ``student_id`` column."""
    from b2bsm.grade.ids import normalise_id

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"roster {path} does not exist; give a CSV with a student_id column."
        )
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "student_id" not in table.columns:
        raise ValueError(
            f"roster {path} has no column 'student_id' (it has {list(table.columns)}); "
            "name the column of student ids student_id."
        )
    ids = []
    for i, raw in enumerate(table["student_id"], start=2):
        try:
            ids.append(normalise_id(raw))
        except ValueError:
            raise ValueError(
                f"roster {path}, line {i}: empty student id; fix or remove the row."
            ) from None
    return list(dict.fromkeys(ids))


def write_keys(
    out_dir: Path,
    set_ids: Iterable[str],
    student_ids: Iterable[str] = (),
    salt: str | None = None,
    progress=None,
) -> list[Path]:
    """Write ``NN.json`` for each set into ``out_dir`` (one random salt for all); return paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for set_id, key in build_keys(set_ids, student_ids, salt, progress=progress).items():
        path = out_dir / f"{set_id}.json"
        text = json.dumps(key, ensure_ascii=False, separators=(",", ":"))
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written


# --------------------------------------------------------------------------
# Checking with a key (student side: needs only the key file)
# --------------------------------------------------------------------------
class _Blanks(dict):
    """Prompt fields shown as ``[name]`` when a student's parameters are not known."""

    def __missing__(self, name):
        return f"[{name}]"


class PublicQuestion:
    """What a student release knows about a question: no answer, no correct letter."""

    __slots__ = (
        "choices",
        "has_params",
        "hints",
        "id",
        "kind",
        "mistakes",
        "points",
        "precision",
        "prompt",
    )

    def __init__(self, item: dict[str, Any]) -> None:
        self.id = item["id"]
        self.kind = item["kind"]
        self.points = int(item["points"])
        self.prompt = item["prompt"]
        self.hints = tuple(item.get("hints", ()))
        self.has_params = bool(item.get("has_params"))
        spec = item.get("precision")
        self.precision = Precision.from_dict(spec) if spec else None
        self.choices = dict(item["choices"]) if "choices" in item else None
        self.mistakes = tuple(item.get("mistakes", ()))

    def __repr__(self) -> str:
        return f"<question {self.id}: {self.kind}, {self.points} point(s)>"


#: What ``ex.check`` says while the grader runs a notebook with a :func:`grading_key`.
GRADED_OUTSIDE = (
    "This notebook is being graded: its answers are checked by the grader, outside this "
    "notebook, not here."
)


class HashedKey:
    """Judge answers against a hashed key file (a student release).

    A :func:`grading_key` opens the same way (``source == "grading"``): it shows
    the questions and the student's parameters and judges nothing.
    """

    def __init__(self, key: dict[str, Any], student_id: str | None) -> None:
        if key.get("format") != FORMAT:
            raise ValueError(
                f"the answer key of set {key.get('set')} has format {key.get('format')!r}; this "
                f"kit reads format {FORMAT}. Make the release again with this version of the kit."
            )
        self.set_id = key["set"]
        self.title = key.get("title", f"Exercise set {self.set_id}")
        self._salt = key["salt"]
        self._items = {item["id"]: item for item in key["questions"]}
        self.questions = {qid: PublicQuestion(item) for qid, item in self._items.items()}
        self.student_id = student_id
        self.source = "grading" if key.get("purpose") == "grading" else "hashed"
        self._tag = id_tag(self._salt, student_id)
        self._variant = key["variants"].get(self._tag)
        self.unavailable: str | None = None
        if self.source == "grading":
            self.unavailable = GRADED_OUTSIDE
            if self._variant is None:
                self._variant = {}
                self.unavailable += (
                    f" The notebook works on the data of student id {student_id!r}, which is "
                    "not the id it is graded as: set STUDENT_ID to your own id."
                )
        elif self._variant is None:
            self._variant = {}
            self.unavailable = (
                f"Student id {student_id!r} is not in the answer key of this release, so "
                f"answers to set {self.set_id} cannot be checked here. Check that STUDENT_ID is "
                "your id exactly as your instructor has it; if it is, ask your instructor for a "
                "release made with you on the roster. You can still work on your own data: "
                "your graded answers are checked by your instructor."
            )

    @classmethod
    def open(cls, set_id: str, student_id: str | None) -> HashedKey:
        from b2bsm.exercises.session import keys_dir

        path = keys_dir() / f"{set_id}.json"
        try:
            key = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(f"no answer key for set {set_id} in this release ({path}).") from None
        return cls(key, student_id)

    # -- prompts ---------------------------------------------------------------
    def params(self, qid: str) -> dict[str, Any] | None:
        """The student's parameters of ``qid``; None for a question that is the same for all."""
        if not self.questions[qid].has_params:
            return None
        params = self._variant.get(qid, {}).get("params")
        if params is None:
            raise ValueError(
                f"the parameters of {qid} for student id {self.student_id!r} are not in this "
                f"key. {self.unavailable or ''}".strip()
            )
        return dict(params)

    def text(self, qid: str) -> str:
        q = self.questions[qid]
        params = None
        if q.has_params:
            params = self._variant.get(qid, {}).get("params")
            if params is None:
                return (
                    question_text(q.kind, q.prompt, q.precision, _Blanks())
                    + " (The blanks are filled in for your student id when it is on the roster.)"
                )
        return question_text(q.kind, q.prompt, q.precision, params)

    # -- checking --------------------------------------------------------------
    def _where(self, qid):
        return (self.set_id, qid, self._tag)

    def number(self, qid: str, value: float) -> tuple[str, str | None]:
        q, entry = self.questions[qid], self._variant[qid]
        text = q.precision.canonical(value)
        if digest(self._salt, *self._where(qid), "answer", text) in entry["accepted"]:
            return "correct", None
        for i, (message, hashes) in enumerate(zip(q.mistakes, entry["mistakes"], strict=True)):
            if hashes and digest(self._salt, *self._where(qid), f"mistake{i}", text) in hashes:
                return "mistake", message
        return "wrong", None

    def _table_problem(self, qid, table: pd.DataFrame, spec: dict, label: str) -> str | None:
        q = self.questions[qid]
        problem = table_shape_problem(table, spec["columns"], spec["rows"])
        if problem:
            return problem
        for col in spec["columns"]:
            column = table[col].reset_index(drop=True)
            if col in spec["numeric"]:
                values = numeric_column(column)
                if values is None:
                    return f"column {col!r} has entries that are not numbers."
                texts = []
                for v in values:
                    texts.append(q.precision.canonical(v) if math.isfinite(v) else "inf")
            else:
                texts = [_cell_text(v) for v in column.astype(str)]
            for i, (text, hashes) in enumerate(zip(texts, spec["cells"][col], strict=True)):
                if digest(self._salt, *self._where(qid), label, col, i, text) not in hashes:
                    if col in spec["numeric"]:
                        return (
                            f"column {col!r} has values that differ from the expected ones "
                            f"(row {i + 1} is the first)."
                        )
                    return f"column {col!r} has different entries (or a different row order)."
        return None

    def table(self, qid: str, table: pd.DataFrame) -> tuple[str, str | None]:
        q, entry = self.questions[qid], self._variant[qid]
        problem = self._table_problem(qid, table, entry["table"], "answer")
        if problem is None:
            return "correct", None
        for i, (message, spec) in enumerate(zip(q.mistakes, entry["mistakes"], strict=True)):
            if spec and self._table_problem(qid, table, spec, f"mistake{i}") is None:
                return "mistake", message
        return "wrong", problem

    def choice(self, qid: str, pick: str) -> tuple[bool, str]:
        item = self._items[qid]
        right = digest(self._salt, self.set_id, qid, "correct", pick) == item["correct"]
        sealed = item.get("explanations", {}).get(pick)
        why = open_text(sealed, self._salt, self.set_id, qid, pick) if sealed else ""
        return right, why
