"""Every common slip of issue 24 gets a message that names it, for every student id.

Each slip is fed as the answer (computed from the student's own data, the way
the slip computes it) for 20 random ids; the feedback must be the targeted
message, recognisable by the words listed here, never the generic hint.
Hints must never mislead: none points to a function the lesson does not show.
"""

from __future__ import annotations

import pytest

from b2bsm.exercises import start, variant_seed
from b2bsm.exercises.data import shared_data
from b2bsm.exercises.questions import call_with_params
from b2bsm_teach.exercises.sets import load_set
from tests._random_ids import random_ids

IDS = random_ids(20, seed=2404)

#: (set, question, the slip's words in its message, the slip) for every slip the issue lists.
SLIPS = [
    ("02", "q1", "as text", "Likert answers compared as text (alphabetical order)"),
    ("02", "q3", "dropna() on the whole survey", "dropna() over all columns"),
    ("04", "q1", ".cat.codes", "kendalltau on .cat.codes, missing answers as -1"),
    ("05", "q3", "Wilcoxon", "Wilcoxon signed-rank test on code differences"),
    ("05", "q4", "answered the item", "dividing by the group size, not those who answered"),
    ("08", "q3", "rounded down", "rounding posts per arm to the nearest, not up"),
    ("08", "q2", "Poisson variance", "Poisson variance in the standard error"),
    ("07", "q2", "impressions", "per 1,000 impressions instead of followers"),
    ("03", "q1", "p-value", "the p-value given instead of chi-square"),
    ("03", "q4", "Tschuprow", "Tschuprow's T instead of Cramer's V"),
    ("08", "q1", "maximum-likelihood", "the ML alpha instead of the moments estimate"),
]


def _slip(set_id, qid, words):
    question = next(q for q in load_set(set_id).QUESTIONS if q.id == qid)
    found = [i for i, m in enumerate(question.mistakes) if words in m.message]
    assert len(found) == 1, f"set {set_id} {qid}: no (or more than one) mistake says {words!r}"
    return question, found[0]


@pytest.mark.parametrize(("set_id", "qid", "words", "slip"), SLIPS, ids=lambda v: str(v)[:24])
def test_each_listed_slip_gets_its_own_message(set_id, qid, words, slip):
    question, index = _slip(set_id, qid, words)
    ids = IDS[:5] if set_id == "07" else IDS  # set 07 fits models: seconds per id
    named = 0
    for student in ids:
        seed = variant_seed(student)
        data = shared_data(set_id, seed)
        params = question.params_for(seed)
        answer = call_with_params(question.mistakes[index].value, data, params)
        verdict = start(set_id, student, quiet=True).evaluate(qid, answer)
        assert verdict.status != "correct", (student, slip)
        assert words in verdict.feedback, (student, slip, verdict.feedback)
        named += 1
    assert named == len(ids)


HINT_TRAPS = {
    "05": ("paired_shares",),  # lesson 05 writes its own McNemar function
    "08": ("pandas' variance already",),  # answered the ML alpha with a divisor remark
}


@pytest.mark.parametrize("set_id", sorted(HINT_TRAPS))
def test_hints_never_point_to_code_the_lesson_does_not_show(set_id):
    for q in load_set(set_id).QUESTIONS:
        words = " ".join([*q.hints, *(m.message for m in q.mistakes)])
        for trap in HINT_TRAPS[set_id]:
            assert trap not in words, (set_id, q.id, trap)
