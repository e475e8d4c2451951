"""Every practice question of lessons 00, the on-ramp and 02-05 on the shipped survey.

A right answer (the reference, as a student would type it at the stated precision) is
confirmed; every listed mistake is recognised with its own message; every wrong option of a
choice question gets its explanation; an unanswered cell (``...``) is "not answered".
"""

from __future__ import annotations

import importlib

import pytest

from b2bsm.practice._survey import survey

MODULES = ["lesson00", "onramp", "lesson02", "lesson03", "lesson04", "lesson05"]


def _module(name):
    return importlib.import_module(f"b2bsm.practice.{name}")


def _cases():
    for name in MODULES:
        for q in _module(name).QUESTIONS:
            yield pytest.param(name, q, id=f"{name}-{q.id}")


def _fresh(name):
    """A new practice set, so the graduated hints start from the first one."""
    from b2bsm.practice import PracticeSet

    module = _module(name)
    return PracticeSet(module.TITLE, module.QUESTIONS, survey)


@pytest.mark.parametrize(("name", "q"), list(_cases()))
def test_right_answer_is_confirmed(name, q):
    practice = _fresh(name)
    if q.kind == "choice":
        answer = q.correct
    else:
        reference = q.reference(survey())
        answer = float(q.precision.canonical(reference))  # typed at the stated precision
    verdict = practice.evaluate(q.id, answer)
    assert verdict.status == "correct", verdict.feedback
    assert practice.evaluate(q.id, ...).status == "not answered"


@pytest.mark.parametrize(("name", "q"), list(_cases()))
def test_typical_wrong_answers_get_their_message(name, q):
    practice = _fresh(name)
    if q.kind == "choice":
        wrong = [letter for letter in q.choices if letter != q.correct]
        assert wrong, "a choice question needs wrong options"
        for letter in wrong:
            verdict = practice.evaluate(q.id, letter)
            assert verdict.status == "wrong"
            assert q.explanations[letter] in verdict.feedback
        return
    assert q.mistakes, f"{name} {q.id}: list at least one typical mistake"
    for mistake, value in zip(q.mistakes, q.mistake_values(survey()), strict=True):
        assert value is not None, f"{name} {q.id}: a mistake cannot be computed on the data"
        verdict = practice.evaluate(q.id, value)
        assert verdict.status == "wrong", f"{name} {q.id}: {mistake.message[:50]} is accepted"
        assert mistake.message in verdict.feedback, (
            f"{name} {q.id}: the slip '{mistake.message[:60]}...' gets another message "
            f"({verdict.feedback[:80]}...): two mistakes give the same value or the "
            "reference does"
        )


def test_the_checks_can_fail():
    """A far-off answer gets the hint, not a mistake's message, and not 'correct'."""
    practice = _fresh("lesson02")
    q = _module("lesson02").QUESTIONS[0]
    verdict = practice.evaluate(q.id, 10_000)
    assert verdict.status == "wrong"
    assert not any(m.message in verdict.feedback for m in q.mistakes)
    assert q.hints[0] in verdict.feedback


def test_practice_never_changes_the_shared_survey():
    before = survey().copy()
    for name in MODULES:
        for q in _module(name).QUESTIONS:
            if q.kind != "choice":
                q.reference(survey())
                q.mistake_values(survey())
    assert survey().equals(before)
