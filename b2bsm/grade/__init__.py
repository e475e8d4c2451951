"""Grade a folder of submitted exercise notebooks into a gradebook CSV.

``python -m b2bsm.grade SUBMISSIONS_DIR --out grades.csv`` executes every
``*.ipynb`` in a fresh kernel (a copy, in its own temporary folder), with a
time limit per cell and per notebook, several notebooks in parallel, and
runs the master's hidden checks on the student's final answers.  One CSV row
per student and question (points, max points, status, feedback) plus a
``TOTAL`` row per student.

Nothing a student submits can crash the run or change the submitted file:
invalid JSON, errors, infinite loops, deleted or renamed cells, huge outputs,
``sys.exit`` or a killed kernel are all graded (zero where they must be) and
reported in the feedback.  The student id is the file name's stem.
"""

from b2bsm.grade.grader import grade_folder, grade_notebook

__all__ = ["grade_folder", "grade_notebook"]
