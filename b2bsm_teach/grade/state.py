"""The runner's state file, read by the grader: capped, validated, never trusted.

The runner (:mod:`b2bsm.exercises._run`) writes its state (answers exported
so far, which cells failed or timed out, whether the kernel died) to one of
two files in turn inside the sandbox; :func:`read_state` reads the newer valid
one, refusing anything too large, not a regular file, or not in the expected
shape.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from b2bsm.exercises.answers import ANSWER_NAME, MAX_ANSWERS, AnswerError, loads, validate

#: Largest state file the grader reads, bytes.
MAX_STATE_BYTES = 16_000_000
_STATE_INTS = ("seq", "cells", "ran")
_KERNEL_STATES = ("starting", "running", "died", "hung", "failed", "finished")


def read_state(*paths: str | os.PathLike) -> dict | None:
    """The newest valid runner state among ``paths`` (the runner alternates two files).

    A file that is missing, not a regular file, over :data:`MAX_STATE_BYTES`,
    not strict JSON, or not of the expected shape is ignored.  Answers are
    checked with :func:`validate`; an answer that fails is replaced by a
    ``__too_big__``/``__unsupported__`` marker, so that one bad value costs
    only its own question.

    Returns
    -------
    dict or None
        ``{"seq", "cells", "ran", "errors", "timeouts", "kernel", "done",
        "answers" (dict or None), "worked_on" (dict or None)}``.
    """
    best = None
    for path in paths:
        state = _read_one(path)
        if state is not None and (best is None or state["seq"] > best["seq"]):
            best = state
    return best


def read_capped(fd: int, limit: int) -> bytes | None:
    """Everything ``fd`` holds, read in chunks of 1 MiB; None once it passes ``limit`` bytes.

    The size is checked while reading, so a file that grows (or lies in ``fstat``)
    never costs more than ``limit`` plus one chunk of memory.

    >>> import os
    >>> r, w = os.pipe(); _ = os.write(w, b"12345"); os.close(w)
    >>> read_capped(r, 4) is None, os.close(r)
    (True, None)
    """
    chunks, size = [], 0
    while size <= limit:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    return None


def _read_one(path) -> dict | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STATE_BYTES:
            return None
        raw = read_capped(fd, MAX_STATE_BYTES)
        if not raw:
            return None
    finally:
        os.close(fd)
    try:
        doc = loads(raw)
    except AnswerError:
        return None
    return _shape(doc)


def _small_ints(value, limit: int = 10_000) -> list[int] | None:
    if type(value) is not list or len(value) > 1000:
        return None
    if not all(type(v) is int and 0 <= v <= limit for v in value):
        return None
    return value


def _shape(doc) -> dict | None:
    if type(doc) is not dict or doc.get("format") != 1:
        return None
    state: dict[str, Any] = {}
    for key in _STATE_INTS:
        value = doc.get(key)
        if type(value) is not int or not 0 <= value <= 1_000_000:
            return None
        state[key] = value
    for key in ("errors", "timeouts"):
        value = _small_ints(doc.get(key))
        if value is None:
            return None
        state[key] = value
    if doc.get("kernel") not in _KERNEL_STATES or type(doc.get("done")) is not bool:
        return None
    state["kernel"], state["done"] = doc["kernel"], doc["done"]
    answers = doc.get("answers")
    if answers is not None:
        if type(answers) is not dict or len(answers) > MAX_ANSWERS:
            return None
        clean = {}
        for name, value in answers.items():
            if type(name) is not str or not ANSWER_NAME.fullmatch(name):
                continue
            try:
                clean[name] = validate(value)
            except AnswerError:
                clean[name] = {"__too_big__": "answer"}
        answers = clean
    state["answers"] = answers
    worked_on = doc.get("worked_on")
    if type(worked_on) is dict and "id" in worked_on:
        sid = worked_on["id"]
        state["worked_on"] = {"id": sid[:200] if type(sid) is str else None}
    else:
        state["worked_on"] = None
    return state
