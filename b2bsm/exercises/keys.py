"""Hashed answer keys: self-checks in a student release without the answers.

A student release ships ``b2bsm`` without any answer key module (those live in
the instructor package, ``b2bsm_teach.exercises.sets``).  Instead
``b2bsm_teach.exercises.keys.write_keys`` writes ``b2bsm/exercises/_keys/NN.json``
per set, holding

* what is needed to show the questions: prompts, points, kinds, precision,
  options of choice questions, graduated hints and the teaching messages of
  typical mistakes (rubrics and reference code are left out);
* per dataset (the shipped data, and every student id on the roster, looked up
  by a salted hash of the id): salted SHA-256 hashes of every accepted answer
  string (``precision.accepted(reference)``) and of every string accepted for
  each typical mistake; table questions per cell; and, for the one or two
  rounded answers that are accepted only in part (``precision.edges``, an
  answer with more digits than asked near the edge of the tolerance), the exact
  accepted interval sealed under that rounded answer;
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
import os
from pathlib import Path
from typing import Any

import pandas as pd

from b2bsm.exercises.questions import (
    Precision,
    exact_decimal,
    numeric_column,
    question_text,
    table_shape_problem,
)

FORMAT = 2
#: Length of a stored hash in hex digits (80 bits: no accidental collisions).
HASH_CHARS = 20
SHIPPED = "shipped"
KEYS_DIR = Path(__file__).resolve().parent / "_keys"
#: The environment variable that points the kit at another folder of keys (the grader's sandbox).
KEYS_ENV = "B2BSM_KEYS"


def keys_dir() -> Path:
    """The folder of hashed keys: ``$B2BSM_KEYS`` if set (the grader's sandbox), else ``_keys``."""
    override = os.environ.get(KEYS_ENV)
    return Path(override) if override else KEYS_DIR


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


def in_edge(edges: dict, salt: str, parts: tuple, text: str, value: float) -> bool:
    """True when ``value``, rounded to ``text``, lies in a sealed edge interval of ``edges``.

    A key stores, for the one or two rounded answers accepted only in part (an answer
    with more digits than asked near the edge of the tolerance), the exact accepted
    interval sealed under that rounded answer (``docs/checking-policy.md``).
    """
    sealed = (edges or {}).get(digest(salt, *parts, "edge", text))
    if sealed is None:
        return False
    low, high = open_text(sealed, salt, *parts, "edge", text).split("|")
    from decimal import Decimal

    return Decimal(low) <= exact_decimal(value) <= Decimal(high)


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


#: What ``ex.check`` says while the grader runs a notebook with a grading key
#: (``b2bsm_teach.exercises.keys.grading_key``).
GRADED_OUTSIDE = (
    "This notebook is being graded: its answers are checked by the grader, outside this "
    "notebook, not here."
)


class HashedKey:
    """Judge answers against a hashed key file (a student release).

    A grading key opens the same way (``source == "grading"``): it shows
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
        if self._hit(qid, entry, "answer", text, value):
            return "correct", None
        for i, (message, hashes) in enumerate(zip(q.mistakes, entry["mistakes"], strict=True)):
            if hashes and self._hit(qid, hashes, f"mistake{i}", text, value):
                return "mistake", message
        return "wrong", None

    def _hit(self, qid, entry: dict, label: str, text: str, value: float) -> bool:
        """The answer ``value`` (rounded: ``text``) is accepted by a hashed ``entry``."""
        if digest(self._salt, *self._where(qid), label, text) in entry["accepted"]:
            return True
        return in_edge(entry.get("edges"), self._salt, (*self._where(qid), label), text, value)

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
                values = [None] * len(column)
                texts = [_cell_text(v) for v in column.astype(str)]
            edges = spec.get("edges", {}).get(col) or [{}] * len(texts)
            for i, (text, hashes) in enumerate(zip(texts, spec["cells"][col], strict=True)):
                parts = (*self._where(qid), label, col, i)
                hit = digest(self._salt, *parts, text) in hashes or (
                    values[i] is not None and in_edge(edges[i], self._salt, parts, text, values[i])
                )
                if not hit:
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
