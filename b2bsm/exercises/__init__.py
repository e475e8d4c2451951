"""Exercises with self-checks, built from solution masters, and the instructor's tools.

Students (the set-up cell of every exercise notebook, after the one for Colab)::

    STUDENT_ID = ""  # your student id, e.g. "s1234567"
    ex = start("02", STUDENT_ID)   # your own dataset variant, the one you are graded on
    ex.question("q1")              # your own prompt
    ex.check("q1", answer_q1)      # a friendly verdict; never reveals the answer

Instructors::

    python -m b2bsm.exercises build            # solutions/*_exercises.ipynb -> exercises/
    python -m b2bsm.exercises build --check    # fail if exercises/ or a master is out of date
    python -m b2bsm.exercises release OUTDIR --roster roster.csv   # student release, hashed key
    python -m b2bsm.grade SUBMISSIONS --out grades.csv

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
