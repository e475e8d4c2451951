"""Exercise sets, one module per lesson: set id -> module.

Two kinds of module live here:

* ``data.py`` is public: ``load_data(set_id, seed)`` builds the data of every
  set (the shipped data, or a student id's variant).  A student release ships it.
* ``lessonNN.py`` is the answer key: ``TITLE`` and ``QUESTIONS`` (a list of
  :class:`b2bsm.exercises.Question` whose ``expected`` functions compute the
  answers), plus ``load_data = partial(data.load_data, "NN")`` for older code.
  A student release does not ship these modules, nor their helpers
  ``_common.py`` and ``_survey.py``.

To add a set, give ``data.LOADERS`` a loader for its data, write
``lessonNN.py`` (every number and table question states its ``precision``,
lists its typical ``mistakes`` and plausible ``alternatives``, and varies with
the student id through the data or ``params``), register it here, and write
its master notebook ``solutions/NN_<lesson>_exercises.ipynb``; then run
``python -m b2bsm.exercises build`` and ``tests/test_checking_policy.py``
(see docs/instructors.md, "Adding an exercise set").
"""

SETS = {
    "01": "b2bsm.exercises.sets.lesson01",
    "02": "b2bsm.exercises.sets.lesson02",
    "03": "b2bsm.exercises.sets.lesson03",
    "04": "b2bsm.exercises.sets.lesson04",
    "05": "b2bsm.exercises.sets.lesson05",
    "06": "b2bsm.exercises.sets.lesson06",
    "07": "b2bsm.exercises.sets.lesson07",
    "08": "b2bsm.exercises.sets.lesson08",
}
