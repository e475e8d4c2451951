"""The checking policy (precision -> tolerance) and the two answer-key back ends.

The back ends are tested on a small synthetic set, so these tests do not depend
on the content of the real exercise sets (``tests/test_checking_policy.py``
tests those).
"""

from __future__ import annotations

import json
import types

import numpy as np
import pandas as pd
import pytest

from b2bsm.exercises import ids, session
from b2bsm.exercises import keys as keys_module
from b2bsm.exercises.keys import HashedKey, open_text, seal
from b2bsm.exercises.questions import (
    Mistake,
    Precision,
    Question,
    decimals,
    exact_decimal,
    significant,
)
from b2bsm.exercises.session import (
    Exercises,
    FullKey,
    grade_answers,
    normalise_id,
    render,
    start,
    variant_seed,
)
from b2bsm_teach.exercises.keys import build_key, read_roster


# --------------------------------------------------------------------------
# Precision and tolerance
# --------------------------------------------------------------------------
def test_half_values_rounded_either_way_are_accepted():
    p = decimals(1)
    assert p.matches(56.2, 56.25) and p.matches(56.3, 56.25)
    assert p.accepted(56.25) == ["56.2", "56.3"]
    assert not p.matches(56.1, 56.25) and not p.matches(56.4, 56.25)
    # the same at other sizes, where floating point used to tip 0.05 over the tolerance
    for target in (0.15, 1.45, 12.35, 99.95, 1234.55):
        low, high = round(target - 0.05, 1), round(target + 0.05, 1)
        assert p.matches(low, target) and p.matches(high, target), target


def test_a_paper_style_p_value_is_accepted_at_two_significant_figures():
    p = significant(2)
    assert p.matches(0.13, 0.1327)
    assert p.matches(0.1327, 0.1327)
    assert not p.matches(0.12, 0.1327) and not p.matches(0.14, 0.1327)
    assert p.accepted(0.1327) == ["0.13"]


def test_small_p_values_are_told_apart_on_a_relative_scale():
    p = significant(2)
    assert not p.matches(0.0044, 6e-05)
    assert not p.matches(6e-05, 0.0044)
    assert not p.matches(0, 6e-05), "the answer 0 must not pass for a tiny p-value"
    assert p.matches(6e-05, 6.04e-05) and p.matches(6.0e-05, 5.96e-05)
    assert not p.matches(6.0e-05, 6.1e-05)


def test_tolerance_is_half_a_unit_plus_a_small_margin():
    assert decimals(1).tolerance(56.25) == pytest.approx(0.05, abs=1e-9)
    assert decimals(1).tolerance(56.25) > 0.05
    assert decimals(0).tolerance(40) == pytest.approx(0.5, abs=2e-9)
    assert significant(2).tolerance(0.1327) == pytest.approx(0.005, rel=1e-8)
    assert significant(2).tolerance(6.04e-05) == pytest.approx(5e-07, rel=1e-6)


def test_describe_and_canonical_text():
    assert decimals(1).describe() == "to 1 decimal place"
    assert decimals(2).describe() == "to 2 decimal places"
    assert decimals(0).describe() == "as a whole number"
    assert significant(2).describe() == "to 2 significant figures"
    assert decimals(1).canonical(-0.01) == "0.0"
    assert significant(2).canonical(0.0044) == "0.0044"
    assert significant(2).canonical(6e-05) == "6.0e-05"


def test_accepted_lists_exactly_the_answers_matches_accepts():
    """The hashed key (accepted strings) and the full key (matches) agree on every answer."""
    rng = np.random.default_rng(15)
    precisions = [decimals(0), decimals(1), decimals(3), significant(1), significant(2)]
    for precision in precisions:
        for _ in range(300):
            target = float(rng.choice([-1, 1]) * 10 ** rng.uniform(-6, 4))
            accepted = set(precision.accepted(target))
            assert accepted, (precision, target)
            step = precision.tolerance(target)
            edges = set(precision.edges(target))
            low, high = precision.bounds(target)
            for answer in target + step * rng.uniform(-3, 3, size=8):
                text = precision.canonical(answer)
                exact = exact_decimal(answer)
                in_key = text in accepted or (text in edges and low <= exact <= high)
                assert in_key == precision.matches(answer, target), (precision, target, answer)


def test_answers_with_more_digits_than_asked_are_read_exactly():
    """The issue's cases: never round the answer in binary floating point first."""
    assert significant(2).matches(0.695, 0.69505)
    assert decimals(2).matches(2.785, 2.78459)
    assert significant(3).matches(0.1255, 0.12547)
    assert decimals(1).matches(66.95, 66.9492)
    # a double rounding at the edge: 0.6945 to 3 decimals is 0.695 (or 0.694), both right
    assert significant(2).matches(0.6945, 0.6945) and significant(2).matches(0.695, 0.69451)
    # and a wrong answer with many digits stays wrong
    assert not significant(2).matches(0.6849, 0.69505)


def test_bad_precision_and_missing_reference_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="decimal places"):
        decimals(-1)
    with pytest.raises(ValueError, match="whole number"):
        significant(1.5)
    with pytest.raises(ValueError, match="not a number"):
        decimals(1).accepted(float("nan"))
    assert not decimals(1).matches(1.0, float("nan"))
    assert Precision.from_dict(significant(3).to_dict()) == significant(3)


def test_a_question_needs_a_precision_and_no_tolerance():
    with pytest.raises(ValueError, match="precision="):
        Question(id="q1", kind="number", prompt="Mean?", expected=lambda d: 1.0)
    with pytest.raises(TypeError):
        Question(id="q1", kind="number", prompt="Mean?", expected=len, tolerance=0.05)
    with pytest.raises(ValueError, match="tuple of strings"):
        Question(id="q1", kind="choice", prompt="?", choices={"a": "x"}, correct="a", hints="x")
    q = Question(id="q1", kind="table", prompt="Table?", expected=len, precision=decimals(1))
    assert q.text() == "Table? Give each number in your table to 1 decimal place."


# --------------------------------------------------------------------------
# A synthetic set, checked by both back ends
# --------------------------------------------------------------------------
def _data(seed):
    rng = np.random.default_rng(7 if seed is None else seed)
    return pd.DataFrame({"x": rng.normal(50, 10, 40), "y": rng.normal(20, 5, 40)})


def _mean(d, p):
    return float(d[p["column"]].mean())


def _p_value(d):
    from scipy import stats

    return float(stats.ttest_1samp(d["x"], 48).pvalue)


def _table(d, scale=1.0):
    return pd.DataFrame(
        {"column": ["x", "y"], "mean": [d["x"].mean() * scale, d["y"].mean() * scale]}
    )


FAKE = types.SimpleNamespace(
    TITLE="A synthetic set",
    QUESTIONS=[
        Question(
            id="q1",
            kind="number",
            points=2,
            prompt="Mean of column {column}?",
            expected=_mean,
            precision=decimals(1),
            params=lambda seed: {"column": "x" if seed is None or seed % 2 else "y"},
            mistakes=[Mistake(lambda d, p: _mean(d, p) / 100, "That is a hundredth of it.")],
            hints=("Think about the centre.", "Add up and divide by the count."),
        ),
        Question(
            id="q2",
            kind="number",
            prompt="p-value of the one-sample t-test against 48?",
            expected=_p_value,
            precision=significant(2),
            mistakes=[Mistake(lambda d: _p_value(d) / 2, "That is one-sided.")],
        ),
        Question(
            id="q3",
            kind="table",
            prompt="Means per column.",
            expected=_table,
            precision=decimals(1),
            mistakes=[Mistake(lambda d: _table(d, 0.01), "Those are hundredths.")],
        ),
        Question(
            id="q4",
            kind="choice",
            prompt="Which is a location statistic?",
            choices={"a": "the variance", "b": "the range", "c": "the median", "d": "the IQR"},
            correct="c",
            explanations={"a": "A spread.", "c": "Yes, a centre.", "d": "A spread too."},
            hints=("Location means where the data sit.",),
        ),
        Question(id="q5", kind="open", prompt="Explain.", rubric="1 point: says why."),
    ],
)
ROSTER = ["s1000001", "S1000002 ", "ｓ1000003"]


@pytest.fixture(scope="module")
def key():
    return build_key("99", ROSTER, module=FAKE, data_loader=_data)


def _backends(key, student_id):
    sid = None if student_id is None else normalise_id(student_id)
    seed = variant_seed(sid)
    data = _data(seed)
    return FullKey("99", seed, lambda: data, module=FAKE), HashedKey(key, sid), data


def _answers(q, data, params, rng):
    reference = q.reference(data, params)
    values = [reference, *[v for v in q.mistake_values(data, params) if v is not None]]
    if q.kind == "number":
        tol = q.precision.tolerance(reference)
        out = []
        for v in values:
            out += [v, float(q.precision.canonical(v)), v + 0.9 * tol, v + 1.5 * tol, v * 1.3]
        return out + list(rng.uniform(0, 2 * abs(reference) + 1, 5))
    out = []
    for table in values:
        out += [table, table.round(1), table.assign(mean=table["mean"] + 0.2)]
    return [*out, values[0].iloc[::-1], values[0][["column"]]]


@pytest.mark.parametrize("student_id", [None, *ROSTER])
def test_full_and_hashed_keys_give_the_same_verdicts(key, student_id):
    full, hashed, data = _backends(key, student_id)
    rng = np.random.default_rng(3)
    seen = set()
    for q in FAKE.QUESTIONS[:3]:
        for answer in _answers(q, data, full.params(q.id), rng):
            if q.kind == "number":
                outcome = full.number(q.id, answer)
                assert hashed.number(q.id, answer) == outcome, (q.id, answer)
            else:
                outcome = full.table(q.id, answer)
                assert hashed.table(q.id, answer) == outcome, (q.id, answer)
            seen.add((q.id, outcome[0]))
        assert {(q.id, "correct"), (q.id, "mistake"), (q.id, "wrong")} <= seen
    for pick in "abcd":
        assert full.choice("q4", pick) == hashed.choice("q4", pick)
    assert hashed.choice("q4", "c")[0] and not hashed.choice("q4", "a")[0]
    assert hashed.choice("q4", "b") == (False, "")
    assert full.text("q1") == hashed.text("q1")


def test_the_key_file_holds_no_answer_or_letter(key):
    text = json.dumps(key)
    for sid in [None, *ROSTER]:
        full, _, _ = _backends(key, sid)
        for qid in ("q1", "q2"):
            q = full.questions[qid]
            assert f'"{q.precision.canonical(full._values(qid)[0])}"' not in text
            assert f'"{full._values(qid)[0]!r}"' not in text
    item = next(q for q in key["questions"] if q["id"] == "q4")
    assert item["correct"] not in item["choices"] and len(item["correct"]) == 20
    hidden = {k: v for k, v in item.items() if k not in ("choices", "explanations")}
    assert '"c"' not in json.dumps(hidden) and "correct" not in json.dumps(item["explanations"])
    assert "Yes, a centre" not in text and "rubric" not in text and "1 point" not in text
    assert "s1000001" not in text, "roster ids are stored only as salted hashes"
    item = next(q for q in key["questions"] if q["id"] == "q4")
    assert set(item) >= {"choices", "correct", "explanations"} and "c" in item["choices"]


def test_an_id_missing_from_the_key_is_told_clearly(key):
    hashed = HashedKey(key, "s9999999")
    assert "not in the answer key" in hashed.unavailable and "STUDENT_ID" in hashed.unavailable
    assert "[column]" in hashed.text("q1")
    assert HashedKey(key, "s1000002").unavailable is None


def test_sealed_explanations_open_only_with_their_own_option():
    sealed = seal("A spread.", "salt", "99", "q4", "a")
    assert "spread" not in sealed
    assert open_text(sealed, "salt", "99", "q4", "a") == "A spread."
    with pytest.raises(UnicodeDecodeError):
        open_text(
            seal("A spread of values. " * 3, "salt", "99", "q4", "a"), "salt", "99", "q4", "b"
        )


def test_roster_ids_are_normalised_and_a_bad_roster_is_explained(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name\n S1 ,A\ns1,B\nＳ2,C\n", encoding="utf-8")
    assert read_roster(path) == ["s1", "s2"]
    path.write_text("id\ns1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="student_id"):
        read_roster(path)


# --------------------------------------------------------------------------
# The session: ids, notices, graduated hints, grade_answers
# --------------------------------------------------------------------------
@pytest.fixture
def fake_set(monkeypatch, tmp_path):
    """Serve the synthetic set as set "99" (full key) and as set "98" (hashed key)."""
    (tmp_path / "98.json").write_text(
        json.dumps(build_key("98", ROSTER, module=FAKE, data_loader=_data))
    )
    monkeypatch.setattr(keys_module, "KEYS_DIR", tmp_path)
    monkeypatch.setattr(session, "known_sets", lambda: {"98": "hashed", "99": "full"})
    monkeypatch.setattr(session, "answer_key_module", lambda set_id: FAKE)
    monkeypatch.setattr(session, "load_data", lambda set_id, seed: _data(seed))


def test_ids_are_normalised_once():
    assert normalise_id(" S3000003 ") == normalise_id("s3000003") == normalise_id("ｓ3000003")
    assert variant_seed("S3000003") == variant_seed(" s3000003 ")
    assert variant_seed("") is None and variant_seed(None) is None
    for bad in (123, ["s1"]):
        with pytest.raises(ValueError, match=r'student id as text.*STUDENT_ID = "s1234567"'):
            variant_seed(bad)
    with pytest.raises(ValueError, match="empty"):
        normalise_id("   ")
    assert normalise_id is ids.normalise_id, "one definition of the rule, in b2bsm.exercises.ids"


@pytest.mark.parametrize("set_id", ["99", "98"])
def test_no_id_says_so_loudly_and_verdicts_name_the_id(fake_set, capsys, set_id):
    ex = start(set_id, "")
    out = capsys.readouterr().out
    assert "NO STUDENT ID" in out and 'STUDENT_ID = "s1234567"' in out and "practice data" in out
    verdict = ex.evaluate("q2", 0.5)
    assert verdict.student is None and "shipped practice data" in render(verdict)
    ex = start(set_id, " S1000001")
    assert "NO STUDENT ID" not in capsys.readouterr().out
    verdict = ex.evaluate("q2", 0.5)
    assert verdict.student == "s1000001" and "'s1000001'" in render(verdict)
    assert ex.source == ("full" if set_id == "99" else "hashed")


@pytest.mark.parametrize("set_id", ["99", "98"])
def test_hints_are_graduated_and_mistakes_teach(fake_set, set_id):
    ex = Exercises(set_id, "s1000002")
    params = FAKE.QUESTIONS[0].params_for(ex.seed)
    reference = FAKE.QUESTIONS[0].reference(ex.data, params)
    assert ex.evaluate("q1", round(reference, 1)).status == "correct"
    first = ex.evaluate("q1", reference + 7).feedback
    second = ex.evaluate("q1", reference + 8).feedback
    third = ex.evaluate("q1", reference + 9).feedback
    assert "Think about the centre." in first and "Add up" not in first
    assert "Add up and divide" in second and "Add up and divide" in third
    assert "hundredth" in ex.evaluate("q1", reference / 100).feedback
    picked = ex.evaluate("q4", "a")
    assert picked.status == "wrong" and "A spread." in picked.feedback
    assert "Location means" in picked.feedback
    assert ex.evaluate("q4", " C ").status == "correct"
    assert ex.evaluate("q4", "e").status == "invalid"
    assert f"Mean of column {params['column']}?" in ex.prompt("q1")
    assert "c) the median" in ex.prompt("q4")


def test_grade_answers_uses_the_given_id_and_no_environment(fake_set, monkeypatch, tmp_path):
    monkeypatch.setenv("B2BSM_STUDENT_ID", "s1000003")
    monkeypatch.setenv("B2BSM_GRADE_LOG", str(tmp_path / "log.jsonl"))
    ex = Exercises("99", "s1000001")
    params = FAKE.QUESTIONS[0].params_for(ex.seed)
    namespace = {
        "ex": ex,
        "answer_q1": FAKE.QUESTIONS[0].reference(ex.data, params),
        "answer_q4": "c",
    }
    records = grade_answers("99", namespace)
    by_q = {r["question"]: r for r in records}
    assert by_q["q1"]["status"] == "correct" and by_q["q1"]["student"] == "s1000001"
    assert by_q["q2"]["status"] == "missing" and by_q["q4"]["points"] == 1
    assert not (tmp_path / "log.jsonl").exists()
    other = {r["question"]: r for r in grade_answers("99", namespace, student_id="s1000002")}
    assert other["q1"]["student"] == "s1000002"
    assert "graded as student id 's1000002'" in other["q2"]["feedback"]


# --------------------------------------------------------------------------
# The grading key: what a notebook sees while the grader runs it
# --------------------------------------------------------------------------
def _grading(student_ids=ROSTER):
    from b2bsm_teach.exercises.keys import grading_key

    return grading_key("99", student_ids, module=FAKE)


def test_a_grading_key_holds_questions_and_parameters_but_no_answer():
    key = _grading()
    assert key["purpose"] == "grading"
    for variant in key["variants"].values():
        for entry in variant.values():
            assert set(entry) == {"params"}
    for item in key["questions"]:
        assert not {"correct", "explanations", "accepted", "table"} & set(item)
    text = json.dumps(key)
    data, full = _data(variant_seed("s1000001")), FullKey("99", None, lambda: None, module=FAKE)
    for q in FAKE.QUESTIONS:  # no reference answer in any form the hashed key would accept
        if q.kind == "number":
            for shown in q.precision.accepted(q.reference(data, full.params(q.id))):
                assert f'"{shown}"' not in text and f": {shown}," not in text


def test_every_key_gives_a_student_the_same_parameters():
    from b2bsm.exercises.keys import HashedKey

    hashed, grading = build_key("99", ROSTER, module=FAKE, data_loader=_data), _grading()
    for raw in [None, *ROSTER]:
        sid = None if raw is None else normalise_id(raw)
        full = FullKey("99", variant_seed(sid), lambda: None, module=FAKE)
        for q in FAKE.QUESTIONS:
            want = full.params(q.id)
            assert HashedKey(hashed, sid).params(q.id) == want
            assert HashedKey(grading, sid).params(q.id) == want


def test_a_grading_key_judges_nothing_and_says_who_judges():
    from b2bsm.exercises.keys import GRADED_OUTSIDE, HashedKey

    key = HashedKey(_grading(), "s1000001")
    assert key.source == "grading" and key.unavailable == GRADED_OUTSIDE
    other = HashedKey(_grading(), "s1000009")  # the notebook set another STUDENT_ID
    assert "not the id it is graded as: set STUDENT_ID" in other.unavailable
    with pytest.raises(ValueError, match="parameters of q1 for student id 's1000009'"):
        other.params("q1")


def test_the_grader_points_the_kit_at_its_grading_keys(monkeypatch, tmp_path):
    from b2bsm.exercises.keys import GRADED_OUTSIDE
    from b2bsm_teach.exercises.keys import grading_key

    (tmp_path / "02.json").write_text(json.dumps(grading_key("02", ["s1000001"])))
    monkeypatch.setenv(session.KEYS_ENV, str(tmp_path))
    assert session.known_sets()["02"] == "hashed"  # even though lesson02.py is here
    ex = Exercises("02", "s1000001")
    assert ex.source == "grading"
    monkeypatch.delenv(session.KEYS_ENV)
    full = Exercises("02", "s1000001")
    assert full.source == "full"
    for qid in full.questions:
        assert ex.params(qid) == full.params(qid)
        assert ex.prompt(qid) == full.prompt(qid)
    verdict = ex.evaluate("q1", 3)
    assert verdict.status == "invalid" and verdict.feedback == GRADED_OUTSIDE


def test_params_name_the_questions_when_asked_for_an_unknown_one():
    ex = start("02", "s1000001", quiet=True)
    with pytest.raises(ValueError, match="no question 'q9' in set 02; the questions are q1, q2"):
        ex.params("q9")
    p = ex.params("q1")
    p["tool"] = "changed"  # a copy: the student cannot change what the key uses
    assert ex.params("q1")["tool"] != "changed"
