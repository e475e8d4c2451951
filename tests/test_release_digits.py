"""A release's hashed key and the full key give the same verdict on every probe answer.

Probe answers on real sets: each reference and each mistake's answer written to
the stated precision and with one and two more digits (rounded half up, half
even), nudged to just inside and just outside the tolerance, for random ids.
Tables: the reference table with every numeric cell written with more digits.
"""

from __future__ import annotations

import pandas as pd
import pytest

from b2bsm.exercises.data import shared_data
from b2bsm.exercises.keys import HashedKey
from b2bsm.exercises.session import FullKey, normalise_id, variant_seed
from b2bsm_teach.exercises.keys import build_key
from b2bsm_teach.exercises.sets import load_set
from tests._random_ids import random_ids
from tests.test_every_id import written_forms

IDS = random_ids(3, seed=777)
SETS = ("01", "02", "05", "06", "08")  # the cheap sets; 03, 04 and 07 share the same code


def _probes(q, value):
    tol = q.precision.tolerance(value)
    forms = written_forms(value, q.precision)
    return [*forms, value + 0.999 * tol, value - 0.999 * tol, value + 1.001 * tol]


@pytest.mark.parametrize("set_id", SETS)
def test_release_and_full_key_agree_on_answers_with_extra_digits(set_id):
    module = load_set(set_id)
    key = build_key(set_id, IDS, module=module, data_loader=lambda seed: shared_data(set_id, seed))
    checked = accepted = 0
    for raw in IDS:
        sid = normalise_id(raw)
        seed = variant_seed(sid)
        data = shared_data(set_id, seed)
        full, hashed = FullKey(set_id, seed, lambda d=data: d, module=module), HashedKey(key, sid)
        for q in module.QUESTIONS:
            if q.kind == "number":
                reference = float(q.reference(data, full.params(q.id)))
                values = [reference] + [
                    float(v) for v in q.mistake_values(data, full.params(q.id)) if v is not None
                ]
                for value in values:
                    for answer in _probes(q, value):
                        verdict = full.number(q.id, answer)
                        assert hashed.number(q.id, answer) == verdict, (set_id, q.id, answer)
                        checked += 1
                        accepted += verdict[0] == "correct"
            elif q.kind == "table":
                reference = q.reference(data, full.params(q.id))
                numeric = [
                    c
                    for c in reference.columns
                    if pd.api.types.is_numeric_dtype(reference[c])
                    and not pd.api.types.is_bool_dtype(reference[c])
                ]
                for k in range(5):  # the k-th written form of every cell at once
                    table = reference.copy()
                    for c in numeric:
                        table[c] = [written_forms(float(v), q.precision)[k] for v in reference[c]]
                    verdict = full.table(q.id, table)
                    assert verdict[0] == "correct", (set_id, q.id, k)
                    assert hashed.table(q.id, table) == verdict, (set_id, q.id, k)
                    checked += 1
    assert checked > 50
    assert accepted > 0
