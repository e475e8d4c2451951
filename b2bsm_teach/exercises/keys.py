"""Write hashed answer keys (a student release) and grading keys (the grader's sandbox).

The instructor's side of :mod:`b2bsm.exercises.keys`: it runs every set
module's reference functions on the shipped data and on each roster student's
data, and stores only salted hashes of the accepted answers (the format and
the reader are in :mod:`b2bsm.exercises.keys`, which a release ships).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b2bsm.exercises.ids import normalise_id
from b2bsm.exercises.keys import (
    FORMAT,
    SHIPPED,
    _cell_text,
    _is_numeric,
    digest,
    id_tag,
    seal,
)
from b2bsm.exercises.questions import Precision
from b2bsm.exercises.session import load_data, variant_seed
from b2bsm_teach.exercises.sets import load_set

#: Errors of one student's dataset that leave that id out of a set's key (never the release).
KEY_ERRORS = (ArithmeticError, ValueError, TypeError, KeyError, IndexError, LookupError)


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


def _edge_seals(salt, where, precision: Precision, value, label) -> dict[str, str]:
    """Rounded answers accepted only in part -> their exact interval, sealed under them."""
    low, high = precision.bounds(value)
    return {
        digest(salt, *where, label, "edge", text): seal(
            f"{low}|{high}", salt, *where, label, "edge", text
        )
        for text in precision.edges(value)
    }


def _number_entry(salt, where, precision: Precision, value, label) -> dict[str, Any]:
    return {
        "accepted": _number_hashes(salt, where, precision, value, label),
        "edges": _edge_seals(salt, where, precision, value, label),
    }


def _table_hashes(salt, where, precision: Precision, table: pd.DataFrame, label) -> dict:
    cells = {}
    edges = {}
    numeric = []
    for col in table.columns:
        column = table[col].reset_index(drop=True)
        if _is_numeric(column):
            numeric.append(str(col))
            cells[str(col)] = [
                [digest(salt, *where, label, col, i, t) for t in precision.accepted(v)]
                for i, v in enumerate(column.astype(float))
            ]
            edges[str(col)] = [
                _edge_seals(salt, (*where, label, col), precision, v, i)
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
        "edges": edges,
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
                item = _number_entry(salt, where, q.precision, reference, "answer")
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
                    mistakes.append(_number_entry(salt, where, q.precision, value, label))
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
    skipped: list | None = None,
) -> dict[str, dict[str, Any]]:
    """The hashed keys of several sets (set id -> key) for the shipped data and each student.

    One student never stops the others: when a set cannot be keyed for an id
    (a reference that does not compute on that id's data), the id's variant of
    that set is left out and ``(id, set, reason)`` is appended to ``skipped``;
    without a ``skipped`` list, a ValueError naming every such id and set is
    raised after all the others were tried.

    Needs the full key, so it runs in the instructor's copy: ``modules`` maps set
    ids to set modules (default: ``load_set``) and ``data_loader(set_id, seed)``
    gives the data (default: the public ``load_data``).  Students are the outer
    loop, so each student's dataset is generated once for all sets;
    ``progress(done, total)`` is called after each student.
    """
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
    failed: list[tuple[str, str, str]] = []
    for done, raw in enumerate(student_ids, start=1):
        sid = normalise_id(raw)
        tag = id_tag(salt, sid)
        seed = variant_seed(sid)
        for set_id, module in modules.items():
            variants = keys[set_id]["variants"]
            if tag not in variants:
                try:
                    data = data_loader(set_id, seed)
                    variants[tag] = _variant(set_id, module, salt, tag, seed, data)
                except KEY_ERRORS as exc:
                    failed.append((sid, set_id, f"{type(exc).__name__}: {exc}"))
        if progress is not None:
            progress(done, len(student_ids))
    if skipped is not None:
        skipped.extend(failed)
    elif failed:
        raise ValueError(
            f"no answer key could be made for {len(failed)} student id/set pair(s): "
            + "; ".join(f"student {sid!r}, set {set_id}: {why}" for sid, set_id, why in failed)
            + ". Tell the kit's maintainers (the set must compute for every id)."
        )
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
    skipped: list | None = None,
) -> list[Path]:
    """Write ``NN.json`` for each set into ``out_dir`` (one random salt for all); return paths.

    ``skipped`` collects the (id, set, reason) that could not be keyed (see
    :func:`build_keys`); without it such an id stops the release with their names.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    keys = build_keys(set_ids, student_ids, salt, progress=progress, skipped=skipped)
    for set_id, key in keys.items():
        path = out_dir / f"{set_id}.json"
        text = json.dumps(key, ensure_ascii=False, separators=(",", ":"))
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written
