"""The checking policy of the exercise sets, on the shipped data and on 50 random student ids.

For every computed (number or table) question:

* the reference answer is finite, and the reference rounded to the precision the
  prompt states is accepted;
* every listed mistake and every plausible alternative method gives an answer
  that is rejected (it differs from the reference beyond the tolerance);
* answers differ between students: copying another student's exact answer fails
  in at least 90 % of pairs of ids, or the question is listed in ``PARAM_ONLY``
  with the reason (it still varies with the id through its parameters).

And for the question texts: multiple choice is fair (correct letters spread over
a-d, the correct option rarely the longest, options of similar length), hints
are graduated and hold no code, every open question has a rubric.

Set 07 fits regression models (seconds per fit), so it is checked on the shipped
posts and on ``len(FIT_IDS)`` student ids instead of 50.
"""

from __future__ import annotations

import functools
import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest

from b2bsm.exercises import start, variant_seed
from b2bsm.exercises.data import shared_data
from b2bsm.exercises.questions import Precision, tables_match
from b2bsm_teach.exercises.sets import SETS, load_set
from tests._random_ids import random_ids

#: 50 random ids of mixed formats (``tests/_random_ids.py``), from a seed of their own so
#: that they are not the property tier's ids: a policy that holds only for ids like
#: ``s3000000``, ``s3000001``, ... is not a policy.
IDS = tuple(random_ids(50, seed=20261203))
FIT_IDS = IDS[:5]
#: Questions whose answers cannot differ between most pairs of students: the
#: survey variants keep the paper's margins, so the answer is fixed per option.
#: They vary with the id through ``params`` (which item or which range); the
#: share of pairs with different answers must still reach the floor given here.
PARAM_ONLY = {
    ("06", "q4"): (
        0.7,
        "Table 5 is the published table, the same for everyone; the row asked about varies "
        "with the id, but two of its eight rows share their smallest denominator",
    ),
}


def ids_for(set_id: str) -> tuple[str, ...]:
    return FIT_IDS if set_id == "07" else IDS


@functools.cache
def seed_of(student: str | None) -> int | None:
    return None if student is None else variant_seed(student)


@functools.cache
def questions(set_id: str):
    return {q.id: q for q in load_set(set_id).QUESTIONS}


@functools.cache
def dataset(set_id: str, student: str | None):
    """The answer key's own (cached, read-only) dataset object: its results are reused."""
    return shared_data(set_id, seed_of(student))


def _call(fn, data, params):
    return fn(data) if params is None else fn(data, params)


@functools.cache
def outcome(set_id: str, qid: str, student: str | None):
    """(params, reference, [(label, wrong answer), ...]) of one question for one student."""
    q = questions(set_id)[qid]
    data = dataset(set_id, student)
    params = q.params_for(seed_of(student))
    reference = q.reference(data, params)
    wrong = [
        (f"mistake {i + 1} ({m.message[:50]}...)", _call(m.value, data, params))
        for i, m in enumerate(q.mistakes)
    ]
    wrong += [
        (f"alternative {i + 1}", _call(fn, data, params)) for i, fn in enumerate(q.alternatives)
    ]
    return params, reference, wrong


COMPUTED = [
    (set_id, q.id)
    for set_id in sorted(SETS)
    for q in load_set(set_id).QUESTIONS
    if q.kind in ("number", "table")
]
CHOICE = [
    (set_id, q) for set_id in sorted(SETS) for q in load_set(set_id).QUESTIONS if q.kind == "choice"
]


def accepts(precision: Precision, answer, reference) -> bool:
    """Would the checker accept ``answer`` for ``reference``?"""
    if isinstance(reference, pd.DataFrame):
        return (
            isinstance(answer, pd.DataFrame) and tables_match(answer, reference, precision) is None
        )
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False
    return math.isfinite(value) and precision.matches(value, float(reference))


def rounded(precision: Precision, reference):
    """The reference as a student states it: rounded to the stated precision."""
    if isinstance(reference, pd.DataFrame):
        out = reference.copy()
        for col in out.columns:
            if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
                out[col] = [float(precision.canonical(v)) for v in out[col]]
        return out
    return float(precision.canonical(reference))


def finite(value) -> bool:
    if isinstance(value, pd.DataFrame):
        return bool(np.isfinite(value.select_dtypes("number").to_numpy(dtype=float)).all())
    return math.isfinite(float(value))


# --------------------------------------------------------------------------- answers
@pytest.mark.parametrize(("set_id", "qid"), COMPUTED)
def test_reference_is_finite_and_accepted_when_rounded(set_id, qid):
    q = questions(set_id)[qid]
    for student in (None, *ids_for(set_id)):
        params, reference, _ = outcome(set_id, qid, student)
        assert finite(reference), (set_id, qid, student, reference)
        assert accepts(q.precision, rounded(q.precision, reference), reference), (
            f"{set_id} {qid}: the reference rounded to the stated precision is rejected "
            f"for {student!r}"
        )
        q.text(params)  # every field of the prompt is filled


@pytest.mark.parametrize(("set_id", "qid"), COMPUTED)
def test_mistakes_and_alternative_methods_are_rejected(set_id, qid):
    q = questions(set_id)[qid]
    assert q.mistakes, f"{set_id} {qid} lists no typical mistake"
    passed, confused = [], []
    for student in (None, *ids_for(set_id)):
        _, reference, wrong = outcome(set_id, qid, student)
        for label, value in wrong:
            if accepts(q.precision, value, reference):
                passed.append(f"{student!r}: {label}")
        listed = [value for _, value in wrong[: len(q.mistakes)]]
        for i, j in itertools.combinations(range(len(listed)), 2):
            if accepts(q.precision, listed[j], listed[i]):
                confused.append(f"{student!r}: mistakes {i + 1} and {j + 1}")
    assert passed == [], f"{set_id} {qid}: wrong methods marked correct: {passed[:6]}"
    assert confused == [], f"{set_id} {qid}: one answer, two mistake messages: {confused[:6]}"


def share_of_pairs_that_differ(set_id: str, qid: str) -> float:
    q = questions(set_id)[qid]
    refs = [outcome(set_id, qid, s)[1] for s in ids_for(set_id)]
    pairs = list(itertools.combinations(refs, 2))
    differ = [not accepts(q.precision, a, b) and not accepts(q.precision, b, a) for a, b in pairs]
    return float(np.mean(differ))


@pytest.mark.parametrize(("set_id", "qid"), COMPUTED)
def test_answers_differ_between_students(set_id, qid):
    share = share_of_pairs_that_differ(set_id, qid)
    floor, why = PARAM_ONLY.get((set_id, qid), (0.9, ""))
    if why:
        assert questions(set_id)[qid].params is not None, f"{set_id} {qid}: {why}"
    assert share >= floor, f"{set_id} {qid}: only {share:.0%} of pairs of ids differ"


def test_param_only_questions_exist_and_vary_their_parameters():
    for set_id, qid in PARAM_ONLY:
        q = questions(set_id)[qid]
        params = {str(q.params_for(seed_of(s))) for s in IDS}
        assert len(params) >= 5, (set_id, qid)


@pytest.mark.parametrize("set_id", sorted(SETS))
def test_the_checker_agrees_with_the_policy(set_id):
    """Through ``ex.evaluate``: the rounded reference scores, each mistake gets its message."""
    students = (None, *ids_for(set_id)[:2])
    for student in students:
        ex = start(set_id, student, quiet=True)
        for qid, q in ex.questions.items():
            if q.kind not in ("number", "table"):
                continue
            _, reference, wrong = outcome(set_id, qid, student)
            verdict = ex.evaluate(qid, rounded(q.precision, reference))
            assert verdict.status == "correct", (set_id, student, qid, verdict.feedback)
            for mistake, (_, value) in zip(q.mistakes, wrong, strict=False):
                verdict = ex.evaluate(qid, value)
                assert verdict.status == "wrong" and mistake.message in verdict.feedback, (
                    set_id,
                    student,
                    qid,
                    verdict.feedback,
                )


# --------------------------------------------------------------------------- texts
def test_correct_letters_are_spread_over_all_options():
    letters = [q.correct for _, q in CHOICE]
    counts = {letter: letters.count(letter) for letter in "abcd"}
    assert all(counts[letter] >= 2 for letter in "abcd"), counts
    assert max(counts.values()) <= math.ceil(len(letters) / 3), counts


def test_the_correct_option_is_rarely_the_longest():
    longest = [
        (set_id, q.id)
        for set_id, q in CHOICE
        if len(q.choices[q.correct]) >= max(len(text) for text in q.choices.values())
    ]
    assert len(longest) <= len(CHOICE) / 3, longest


@pytest.mark.parametrize(("set_id", "question"), CHOICE, ids=lambda x: getattr(x, "id", x))
def test_options_have_similar_length_and_every_option_is_explained(set_id, question):
    lengths = [len(text) for text in question.choices.values()]
    assert max(lengths) <= 1.4 * min(lengths), (set_id, question.id, lengths)
    assert set(question.explanations) == set(question.choices)
    assert question.hints, (set_id, question.id)


CODE = re.compile(r"\w\(|\w\[|==|!=|`|\*\*|\bdf\b|\.\w+\(|\bimport\b|=\s*\d")


@pytest.mark.parametrize("set_id", sorted(SETS))
def test_hints_are_graduated_and_hold_no_code(set_id):
    for q in questions(set_id).values():
        if q.kind in ("number", "table"):
            assert len(q.hints) >= 2, (set_id, q.id)  # the concept, then the method
            assert len(q.hints) <= 3, (set_id, q.id)
        for hint in q.hints:
            assert not CODE.search(hint), f"{set_id} {q.id}: hint looks like code: {hint!r}"


@pytest.mark.parametrize("set_id", sorted(SETS))
def test_every_open_question_has_a_rubric(set_id):
    opens = [q for q in questions(set_id).values() if q.kind == "open"]
    assert opens, set_id
    for q in opens:
        assert q.rubric.count("point") >= 2 and len(q.rubric) > 120, (set_id, q.id)


def test_the_suite_covers_enough_students():
    assert len(IDS) >= 50 and len(set(IDS)) == len(IDS)
    assert len({seed_of(s) for s in IDS}) == len(IDS)
