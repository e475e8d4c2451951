"""Grade a folder of submitted exercise notebooks into a gradebook CSV, safely.

``python -m b2bsm_teach.grade SUBMISSIONS_DIR --out grades.csv`` runs every
``*.ipynb`` in its own sandbox (:mod:`b2bsm_teach.grade.sandbox`: bubblewrap, no
network, a private scratch folder, the kit read-only, resource limits, every
process gone at the end), several at once.  The sandbox only produces the
student's *answers*, exported as plain data (:mod:`b2bsm.exercises.answers`); the
grader checks them with the instructor's answer key in a process the student's
code never touched (:mod:`b2bsm_teach.grade.grader`).  One CSV row per student and
question (points, max points, status, feedback) plus a ``TOTAL`` row; the
student id comes from the file name or the roster (:mod:`b2bsm.exercises.ids`).

What the sandbox protects and what it does not: ``docs/grading-security.md``.
The names below are imported on first use, so that the student's kernel can
import :mod:`b2bsm.exercises.answers` without loading the grader.
"""

from __future__ import annotations

import importlib

__all__ = ["SandboxUnavailable", "describe_unsandboxed", "grade_folder", "grade_notebook"]

_WHERE = {
    "grade_folder": "b2bsm_teach.grade.grader",
    "grade_notebook": "b2bsm_teach.grade.grader",
    "SandboxUnavailable": "b2bsm_teach.grade.sandbox",
    "describe_unsandboxed": "b2bsm_teach.grade.sandbox",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'b2bsm_teach.grade' has no attribute {name!r}")
