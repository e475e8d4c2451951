"""Points need working code (issue 25): answers recovered from a release earn nothing.

The recovery of issue 25 gives a student every answer of their own dataset (the
release's hashes, searched at the stated precision).  A graded run checks the
answers on a hidden variant instead (same parameters, data from a seed only
the instructor can compute), so the recovered answers are measured here the
way the grader scores them; a notebook that computes on ``ex.data`` is the
control.
"""

from __future__ import annotations

import pandas as pd
import pytest

from b2bsm.exercises.answers import encode
from b2bsm.exercises.session import Exercises, known_sets, load_data
from b2bsm_teach.grade.grader import evaluate_submission
from b2bsm_teach.grade.hidden import choose_seed, hidden_exercises

STUDENT = "s3000001"
SECRET = "a-test-grading-secret-of-32-characters-or-more"
OPEN_TEXT = "A long enough open answer that waits for the instructor's mark."


def _answers(ex) -> dict:
    """Every answer a key accepts for ``ex``'s data: what a brute-force recovery yields."""
    found = {}
    for qid, q in ex.questions.items():
        if q.kind == "choice":
            found[f"answer_{qid}"] = q.correct
        elif q.kind == "open":
            found[f"answer_{qid}"] = OPEN_TEXT
        else:
            found[f"answer_{qid}"] = ex._key._values(qid)[0]
    return {name: encode(value) for name, value in found.items()}


def _automatic(rows) -> float:
    return sum(r[3] for r in rows if r[5] != "manual")


def _varies(set_id: str, seed: int) -> bool:
    own = load_data(set_id, Exercises(set_id, STUDENT).seed)
    other = load_data(set_id, seed)
    if isinstance(own, pd.DataFrame) and isinstance(other, pd.DataFrame):
        return not own.equals(other)
    return own != other


SETS = [s for s, source in known_sets().items() if source == "full"]


@pytest.mark.parametrize("set_id", SETS)
def test_answers_recovered_from_a_release_score_no_automatic_points(set_id):
    seed = choose_seed(SECRET, set_id, STUDENT)
    recovered = _answers(Exercises(set_id, STUDENT))
    # before issue 25: graded on the student's own data, the recovery got every point
    before, _ = evaluate_submission(set_id, STUDENT, recovered, {"id": STUDENT}, "")
    questions = Exercises(set_id, STUDENT).questions.values()
    automatic = sum(q.points for q in questions if q.kind != "open")
    assert _automatic(before) == automatic
    # now: the same answers, checked on the hidden variant
    after, _ = evaluate_submission(set_id, STUDENT, recovered, {"id": STUDENT}, "", seed)
    if not _varies(set_id, seed):
        pytest.skip(f"set {set_id}'s data are the same for every seed: nothing to hide")
    assert _automatic(after) == 0, [r for r in after if r[3]]
    # the control: answers computed from the data of the graded run get every point
    working = _answers(hidden_exercises(set_id, STUDENT, seed))
    honest, _ = evaluate_submission(set_id, STUDENT, working, {"id": STUDENT}, "", seed)
    assert _automatic(honest) == automatic


def test_an_answer_the_data_decide_is_not_taken_for_a_constant_one_by_chance():
    """A small count can be the same on several hidden seeds in a row; a working notebook
    whose only data-dependent right answer is that one must keep its points (and its
    choice's).

    For this id and secret, q2's reference is unchanged on hidden seeds 0 to 3 (checked
    below; the secret was found by searching 252 secrets). Earlier rules stopped after two
    seeds, then after four, took q2 for an answer the data do not decide, and
    ``choice_policy`` then took this notebook's points away.
    """
    from b2bsm_teach.grade.hidden import hidden_seed, unprotected

    student, secret = "s0522654", "a-test-secret-251-" + "2" * 32
    own = Exercises("02", student)
    for attempt in range(4):
        variant = hidden_exercises("02", student, hidden_seed(secret, "02", student, attempt))
        assert "q2" in unprotected(own, variant)[0], attempt  # the chance match, every time
    seed = choose_seed(secret, "02", student)
    graded = hidden_exercises("02", student, seed)
    assert "q2" in unprotected(own, graded)[1]  # on the variant taken, q2 is protected
    working = {k: v for k, v in _answers(graded).items() if k in ("answer_q2", "answer_q5")}
    rows, _ = evaluate_submission("02", student, working, {"id": student}, "", seed)
    points = {r[2]: r[3] for r in rows}
    assert points["q2"] == own.questions["q2"].points
    assert points["q5"] == own.questions["q5"].points


@pytest.mark.parametrize("set_id", ["06", "08"])
def test_answers_no_data_decide_stay_unprotected_and_need_a_computed_one(set_id):
    """Sets 06 and 08 have number answers that follow from the parameters alone: on every
    seed the same. They are found as such (unchanged on all sixteen seeds), and a notebook of
    only those answers and the choices earns none of their points."""
    from b2bsm_teach.grade.hidden import unprotected

    own = Exercises(set_id, STUDENT)
    seed = choose_seed(SECRET, set_id, STUDENT)
    graded = hidden_exercises(set_id, STUDENT, seed)
    loose, kept = unprotected(own, graded)
    constant = {q for q in loose if own.questions[q].kind != "choice"}
    assert constant and kept, (constant, kept)
    answers = {k: v for k, v in _answers(graded).items() if k[len("answer_") :] in loose}
    rows, _ = evaluate_submission(set_id, STUDENT, answers, {"id": STUDENT}, "", seed)
    assert _automatic(rows) == 0, [r for r in rows if r[3]]
    everything, _ = evaluate_submission(
        set_id, STUDENT, _answers(graded), {"id": STUDENT}, "", seed
    )
    assert all(r[3] == r[4] for r in everything if r[2] in loose)
