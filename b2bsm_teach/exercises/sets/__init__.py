"""Exercise sets, one module per lesson: the answer keys (set id -> module).

Each ``lessonNN.py`` is the answer key of one set: ``TITLE`` and ``QUESTIONS``
(a list of :class:`b2bsm.exercises.Question` whose ``expected`` functions
compute the answers), plus ``load_data = partial(data.load_data, "NN")`` for
older code; ``_common.py`` and ``_survey.py`` are their helpers.  The data of
every set is public and lives in the student's package
(:mod:`b2bsm.exercises.data`), so a student release can build it.

Importing this module registers the sets with the student's package
(:func:`b2bsm.exercises.fullkey.register_answer_keys`), so that
``b2bsm.exercises.start`` judges answers with these modules.

To add a set, give ``b2bsm.exercises.data.LOADERS`` a loader for its data, write
``lessonNN.py`` (every number and table question states its ``precision``,
lists its typical ``mistakes`` and plausible ``alternatives``, and varies with
the student id through the data or ``params``), register it here, and write
its master notebook ``solutions/NN_<lesson>_exercises.ipynb``; then run
``python -m b2bsm_teach.exercises build`` and ``tests/test_checking_policy.py``
(see docs/instructors.md, "Adding an exercise set").
"""

from __future__ import annotations

import importlib

from b2bsm.exercises.fullkey import register_answer_keys

SETS = {
    "01": "b2bsm_teach.exercises.sets.lesson01",
    "02": "b2bsm_teach.exercises.sets.lesson02",
    "03": "b2bsm_teach.exercises.sets.lesson03",
    "04": "b2bsm_teach.exercises.sets.lesson04",
    "05": "b2bsm_teach.exercises.sets.lesson05",
    "06": "b2bsm_teach.exercises.sets.lesson06",
    "07": "b2bsm_teach.exercises.sets.lesson07",
    "08": "b2bsm_teach.exercises.sets.lesson08",
    "09": "b2bsm_teach.exercises.sets.lesson09",
}


def load_set(set_id: str):
    """The module (full answer key) of an exercise set, e.g. ``load_set("02")``.

    >>> load_set("02").TITLE.startswith("Lesson 02")
    True
    """
    set_id = str(set_id)
    if set_id not in SETS:
        raise ValueError(f"no exercise set {set_id!r}; available: {', '.join(sorted(SETS))}.")
    return importlib.import_module(SETS[set_id])


class AnswerKeys:
    """The provider :mod:`b2bsm.exercises.fullkey` asks for the sets and their modules."""

    def sets(self) -> list[str]:
        return sorted(SETS)

    def module(self, set_id: str):
        return load_set(set_id)

    def __repr__(self) -> str:
        return f"<answer keys of sets {', '.join(sorted(SETS))}>"


#: The one provider; the entry point ``b2bsm.answer_keys`` names it.
ANSWER_KEYS = AnswerKeys()
register_answer_keys(ANSWER_KEYS)
