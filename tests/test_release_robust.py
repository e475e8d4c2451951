"""A release never aborts for one student: the others' keys are built and the id is named."""

from __future__ import annotations

import types

import pytest

from b2bsm.exercises.ids import normalise_id
from b2bsm.exercises.keys import HashedKey
from b2bsm.exercises.questions import Question, decimals
from b2bsm.exercises.session import variant_seed
from b2bsm_teach.exercises.keys import build_keys

BROKEN = "Ünïcode-77"


def _fake_set():
    broken_seed = variant_seed(BROKEN)

    def expected(data):
        if data["seed"] == broken_seed:
            raise ValueError("'turnover' x 'adopted' has a 4 x 1 table")
        return float(data["value"])

    question = Question(
        id="q1", kind="number", prompt="The value?", expected=expected, precision=decimals(1)
    )
    return types.SimpleNamespace(TITLE="Fake", QUESTIONS=[question])


def _loader(set_id, seed):
    return {"seed": seed, "value": 10.0 + (seed or 0) % 7}


def test_one_failing_student_is_named_and_the_others_get_keys():
    skipped = []
    ids = ["s1234567", BROKEN, "abc-99"]
    keys = build_keys(
        ["99"], ids, "salt", modules={"99": _fake_set()}, data_loader=_loader, skipped=skipped
    )
    assert skipped == [(normalise_id(BROKEN), "99", skipped[0][2])]
    assert "4 x 1 table" in skipped[0][2]
    for sid in ("s1234567", "abc-99"):
        key = HashedKey(keys["99"], normalise_id(sid))
        assert key.unavailable is None
        value = _loader("99", variant_seed(sid))["value"]
        assert key.number("q1", value) == ("correct", None)
    assert HashedKey(keys["99"], normalise_id(BROKEN)).unavailable


def test_without_a_list_the_release_is_refused_naming_every_failing_id():
    with pytest.raises(ValueError, match=r"Ünïcode-77|ünïcode-77") as info:
        build_keys(["99"], [BROKEN, "s1"], "salt", modules={"99": _fake_set()}, data_loader=_loader)
    assert "set 99" in str(info.value)


def test_a_parameter_that_cannot_be_computed_for_an_id_is_skipped():
    """The cause of issue 24's set-03 failures: an option whose reference raises."""
    from b2bsm_teach.exercises.sets._common import FALLBACK_NOTE, varies

    def expected(data, p):
        if p["k"] == "empty":
            raise ValueError("'turnover' x 'adopted' has a 4 x 1 table")
        return data[p["k"]]

    options = [{"k": "empty"}, {"k": "a"}, {"k": "b"}]
    params = varies(
        lambda seed: {"a": 1.0, "b": 5.0},
        options,
        expected=expected,
        others=[lambda data, p: expected(data, p) + 2],
        precision=decimals(0),
        salt=9,
    )
    chosen = {params(seed)["k"] for seed in range(40)}
    assert chosen == {"a", "b"}
    # no fair option (the mistake equals the reference): the first computable one, with a note
    same = varies(
        lambda seed: {"a": 1.0, "b": 5.0},
        options,
        expected=expected,
        others=[expected],
        precision=decimals(0),
        salt=9,
    )
    for seed in range(10):
        found = same(seed)
        assert found["k"] != "empty" and found["note"] == FALLBACK_NOTE
    with pytest.raises(ValueError, match="no option"):
        varies(lambda s: {}, [{"k": "empty"}], expected=expected, precision=decimals(0), salt=1)(3)
