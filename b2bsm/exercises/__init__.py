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

from b2bsm.exercises.questions import (
    Mistake,
    Precision,
    Question,
    Verdict,
    decimals,
    significant,
)
from b2bsm.exercises.session import (
    Exercises,
    grade_answers,
    normalise_id,
    start,
    variant_seed,
)

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
