"""Exercise sets, one module per lesson: set id -> module.

To add a set, write ``lessonNN.py`` with ``TITLE``, ``QUESTIONS`` (a list of
:class:`b2bsm.exercises.Question`) and ``load_data(seed)``, register it here,
and write its master notebook ``solutions/NN_<lesson>_exercises.ipynb``
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
