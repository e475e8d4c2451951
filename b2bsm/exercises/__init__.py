"""Exercises with self-checks: the runtime a student's kernel loads.

Students (the set-up cell of every exercise notebook, after the one for Colab)::

    STUDENT_ID = ""  # your student id, e.g. "s1234567"
    ex = start("02", STUDENT_ID)   # your own dataset variant, the one you are graded on
    ex.question("q1")              # your own prompt
    ex.check("q1", answer_q1)      # a friendly verdict; never reveals the answer

Here are the student's side of the sets: :func:`start`, the questions and
their precision (:mod:`~b2bsm.exercises.questions`), the two back ends that
judge answers (:mod:`~b2bsm.exercises.fullkey`, :mod:`~b2bsm.exercises.keys`),
the sets' data (:mod:`~b2bsm.exercises.data`) and the answer export the grader
reads (:mod:`~b2bsm.exercises.answers`).  The answer keys, build, release and
grader are the instructor package's (``b2bsm_teach``)::

    python -m b2bsm_teach.exercises build            # solutions/*_exercises.ipynb -> exercises/
    python -m b2bsm_teach.exercises build --check    # fail if exercises/ or a master is stale
    python -m b2bsm_teach.exercises release OUTDIR --roster roster.csv   # release, hashed key
    python -m b2bsm_teach.grade SUBMISSIONS --out grades.csv

Question sets use :func:`decimals` / :func:`significant` to state the precision
an answer is checked at (``docs/checking-policy.md``).
"""

# The names below are loaded when first used (PEP 562), so that importing a submodule, such as
# the grader's runner ``b2bsm.exercises._run``, does not load pandas through ``session``
# (0.6 CPU s per graded notebook). ``from b2bsm.exercises import start`` works as before.
_QUESTIONS = frozenset({"Mistake", "Precision", "Question", "Verdict", "decimals", "significant"})
_SESSION = frozenset({"Exercises", "grade_answers", "normalise_id", "start", "variant_seed"})


def __getattr__(name: str):
    if name in _QUESTIONS:
        from b2bsm.exercises import questions as module
    elif name in _SESSION:
        from b2bsm.exercises import session as module
    else:
        raise AttributeError(f"module 'b2bsm.exercises' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "Exercises",
    "Mistake",
    "Precision",
    "Question",
    "Verdict",
    "decimals",
    "grade_answers",
    "normalise_id",
    "significant",
    "start",
    "variant_seed",
]
