"""Property tier: no student id breaks an exercise set.

Every question of every set is opened for random ids of varied formats (digits,
letters, dashes, Unicode, e-mail-like; drawn from a fixed seed, never
sequential, see ``tests/_random_ids.py``): its wording, its parameters, its
reference answer (finite) and its typical-mistake answers must all compute.

For the first ``EXTRA_DIGIT_IDS`` (100) ids, every number and table answer is
also probed the way students write it: the reference rounded to the stated
precision and to one and two more digits (half up, half even, and Python's own
binary ``round``); the checker must accept every one (issue 24).

``make test`` runs ``_random_ids.DEFAULT_PROBES`` (200) ids for every set, the
model-fitting set 07 included; ``make test-full`` (``B2BSM_FULL=1``) runs 1,000, and
``B2BSM_ID_PROBES=N`` any number.  The datasets of one
id are generated once and shared by the sets that use them (``shared_data``).
"""

from __future__ import annotations

import decimal
import itertools

import pandas as pd
import pytest

from b2bsm.exercises.data import shared_data
from b2bsm.exercises.questions import Precision, exact_decimal
from b2bsm.exercises.session import variant_seed
from b2bsm_teach.exercises.sets import SETS, load_set
from b2bsm_teach.exercises.sets._common import finite
from tests._random_ids import probe_count, random_ids

IDS = random_ids(probe_count())
EXTRA_DIGIT_IDS = 100


def written_forms(value: float, precision: Precision) -> list[float]:
    """``value`` as students write it: to the stated precision and 1-2 digits more."""
    exact = exact_decimal(value)
    forms = []
    for extra in (0, 1, 2):
        digits = precision.digits + extra
        if precision.mode == "decimals":
            unit = decimal.Decimal(1).scaleb(-digits)
        else:
            unit = decimal.Decimal(1).scaleb(exact.adjusted() - digits + 1) if exact else None
        if unit is None:
            forms.append(0.0)
            continue
        for rounding in (decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN):
            forms.append(float(exact.quantize(unit, rounding=rounding)))
        if precision.mode == "decimals":
            forms.append(round(value, digits))
    return forms


def rejected_forms(q, reference) -> list[str]:
    """The written forms of the reference that the checker rejects (should be none)."""
    cells = (
        [float(reference)]
        if q.kind == "number"
        else [
            float(v)
            for col in reference.select_dtypes("number").columns
            if not pd.api.types.is_bool_dtype(reference[col])
            for v in reference[col]
        ]
    )
    return [
        f"{form!r} for {cell!r}"
        for cell in cells
        for form in written_forms(cell, q.precision)
        if not q.precision.matches(form, cell)
    ]


def problems(set_id: str, student_id: str, digits: bool = False) -> list[str]:
    """What fails for one id in one set: [] when every question computes.

    With ``digits``, also the written forms of each reference that are rejected.
    """
    module = load_set(set_id)
    seed = variant_seed(student_id)
    data = shared_data(set_id, seed)
    found = []
    for q in module.QUESTIONS:
        try:
            params = q.params_for(seed)
            if not q.text(params).strip():
                found.append(f"{q.id}: the wording is empty")
            if q.kind in ("number", "table"):
                reference = q.reference(data, params)
                if not finite(reference):
                    found.append(f"{q.id}: the reference is not finite ({reference!r})")
                elif digits:
                    found.extend(f"{q.id}: rejects {text}" for text in rejected_forms(q, reference))
                q.mistake_values(data, params)
        except Exception as exc:
            found.append(f"{q.id}: {type(exc).__name__}: {exc}")
    return found


#: The ids are checked in this many parts, each a pytest item of its own, so that the two
#: workers of ``make test`` share them (conftest.py's scheduler splits this file by part).
PARTS = 8


@pytest.mark.parametrize("part", range(PARTS))
def test_every_question_computes_for_random_ids(part):
    """Every set, for every id of this part: the id is the outer loop, so each id's datasets
    (one survey for sets 02-05) are generated once and shared by all the sets that use them.
    """
    failures = {}
    probed = dict.fromkeys(sorted(SETS), 0)
    for i in range(part, len(IDS), PARTS):
        student_id = IDS[i]
        for set_id in sorted(SETS):
            probed[set_id] += 1
            found = problems(set_id, student_id, digits=i < EXTRA_DIGIT_IDS)
            if found:
                failures[(set_id, student_id)] = found
    assert not failures, (
        f"{len(failures)} (set, id) pairs of {probed} break a question, e.g. "
        f"{dict(list(failures.items())[:3])}"
    )


def test_the_ids_are_varied_and_not_sequential():
    ids = random_ids(200)
    assert len(set(ids)) == 200
    assert any(not i.isascii() for i in ids) and any("-" in i for i in ids)
    assert any(i.isdigit() for i in ids) and any(i.strip().isalpha() is False for i in ids)
    numbers = sorted(int(i[1:]) for i in ids if i[:1] in "sS" and i[1:].isdigit())
    assert all(b - a != 1 for a, b in itertools.pairwise(numbers))
