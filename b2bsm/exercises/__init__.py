"""Exercises with self-checks, built from solution masters, and the instructor's tools.

Students::

    from b2bsm.exercises import start
    ex = start("02", student_id=None)     # or your id, for your own dataset variant
    ex.check("q1", answer_q1)              # friendly verdict; never reveals the answer

Instructors::

    python -m b2bsm.exercises build            # solutions/*_exercises.ipynb -> exercises/
    python -m b2bsm.exercises build --check    # fail if exercises/ is out of date
    python -m b2bsm.exercises release OUTDIR   # student release without solutions
    python -m b2bsm.grade SUBMISSIONS --out grades.csv
"""

from b2bsm.exercises.questions import Mistake, Question, Verdict
from b2bsm.exercises.session import Exercises, grade_answers, start, variant_seed

__all__ = ["Exercises", "Mistake", "Question", "Verdict", "grade_answers", "start", "variant_seed"]
