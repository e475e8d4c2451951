"""b2bsm_teach: the instructor's tools of the b2bsm teaching kit, never shipped to students.

``b2bsm`` is what a lesson or a student's kernel imports; this package is what
only the instructor runs:

* :mod:`b2bsm_teach.exercises`: the answer keys (``exercises/sets/lessonNN.py``),
  building the student notebooks from the solution masters, student releases
  with hashed keys (``python -m b2bsm_teach.exercises build|sync|release``);
* :mod:`b2bsm_teach.grade`: the grader and its sandbox, rosters, LMS exports,
  marking sheets and feedback (``python -m b2bsm_teach.grade ...``);
* :mod:`b2bsm_teach.links`: point a fork's links at its own repository
  (``python -m b2bsm_teach.links set OWNER/NAME``).

It imports ``b2bsm``, never the other way round.  Importing it registers the
answer keys with ``b2bsm`` (:func:`b2bsm.exercises.fullkey.register_answer_keys`),
so that ``b2bsm.exercises.start`` judges with the full key here; an installed
copy is also found through the entry point ``b2bsm.answer_keys``.
"""

from __future__ import annotations

from b2bsm_teach.exercises.sets import ANSWER_KEYS

__all__ = ["ANSWER_KEYS"]
