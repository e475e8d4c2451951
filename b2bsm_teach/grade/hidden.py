"""Graded runs on data the student never saw: points need working code, not known answers.

A student release lets anyone recover their own answers: the hashes of every
accepted answer are in it, and a short script tries every number at the
stated precision (issue 25 recovered a whole set this way).  So a graded run
does not use the student's own dataset.  It uses a **hidden variant**: the
same questions and the same parameters of that student (which tool, column or
group), with data drawn from a seed that only the instructor can compute,
``HMAC-SHA256(secret, set id, student id)``.  A notebook that computes its
answers from ``ex.data`` gets them right on any variant; a notebook that
assigns numbers it recovered, copied or remembered gets them wrong.

* The secret is ``$B2BSM_GRADING_SECRET``, else a file ``.b2bsm-grading-secret``
  beside the gradebook, made once (random, readable by its owner only); the
  sandbox never sees that folder.  The same secret gives the same hidden data
  in every re-run, so grades do not move between runs.
* Inside the sandbox, an IPython start-up file written by the runner makes
  ``ex.data`` load the hidden variant (:func:`b2bsm.exercises._run.startup_code`).  A notebook that
  undoes it only gets its own data back, which the verdicts do not use.
* The verdicts use the hidden data with the student's parameters
  (:func:`hidden_exercises`).
* **Multiple choice, and answers the data do not change.**  A choice question
  has one right letter for everyone and the self-check confirms it to anyone
  who tries each option; a number that follows from the parameters alone (a
  sample size from a stated effect, say) is the same on every variant.  No
  hidden data can protect those.  The kit's policy: in a graded run they earn
  their points only when at least one answer that the hidden data *do* change
  is right on them (:func:`choice_policy`), i.e. when the notebook shows working
  code.  A notebook of recovered answers scores 0 automatic points.

Examples
--------
>>> hidden_seed("secret", "02", "s1234567") == hidden_seed("secret", "02", "s1234567")
True
>>> hidden_seed("secret", "02", "s1234567") != hidden_seed("other", "02", "s1234567")
True
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
from pathlib import Path

__all__ = [
    "SECRET_ENV",
    "choice_policy",
    "choose_seed",
    "grading_secret",
    "hidden_exercises",
    "hidden_seed",
]

SECRET_ENV = "B2BSM_GRADING_SECRET"
SECRET_FILE = ".b2bsm-grading-secret"
CHOICE_NOTE = (
    "right, but the same for every dataset: in a graded run it counts only when at least one "
    "answer that depends on the data is right on the graded data (answers must be computed "
    "from ex.data)"
)


def grading_secret(folder: Path | None) -> str:
    """The instructor's grading secret: ``$B2BSM_GRADING_SECRET``, else a file in ``folder``.

    Without either (``folder`` None), a new random secret for this run only.
    """
    text = os.environ.get(SECRET_ENV, "").strip()
    if text:
        return text
    if folder is None:
        return secrets.token_hex(32)
    path = Path(folder) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        found = path.read_text(encoding="ascii").strip()
        if len(found) < 32:
            raise ValueError(
                f"{path} holds no grading secret (under 32 characters); delete it (a new one "
                f"is made) or set {SECRET_ENV}."
            ) from None
        return found
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip()


def hidden_seed(secret: str, set_id: str, student: str, attempt: int = 0) -> int:
    """A seed of a student's hidden variant of a set (32 bits, as the kit's own seeds)."""
    message = f"{set_id}\x00{student}" + (f"\x00{attempt}" if attempt else "")
    mac = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256)
    return int(mac.hexdigest()[:8], 16)


def choose_seed(secret: str, set_id: str, student: str, tries: int = 16) -> int:
    """The hidden variant of a graded run: one on which every data-dependent answer changes.

    A question whose answer depends on the data can still give the same answer on
    two datasets by chance (a count of 9 on both); on such a variant a recovered
    answer would be right.  So the seeds ``hidden_seed(..., attempt)`` are tried
    in turn, and the first on which every number and table answer changed is
    taken.  Otherwise, after ``tries`` seeds, the answers unchanged on **every**
    seed tried are taken for answers the data do not decide (a sample size from a
    stated effect, a row of a published table: sets 06 and 08 have such answers,
    and a seed of theirs costs under 0.01 CPU s), and the first seed on which no
    other answer is unchanged is taken (else the one with the fewest such answers).

    Why so many seeds: an answer judged "not decided by the data" earns its points
    only beside a right data-dependent answer (:func:`choice_policy`), so a working
    notebook whose only data-dependent right answer matched by chance on every seed
    tried would lose them.  Measured over 30 random ids and 40 seeds per set (sets
    02-05 and 09), the most frequent chance match was one id's q2 of set 03, on 52 %
    of seeds: on the two seeds of an early rule that is 28 %, on four 7 %, on sixteen
    3e-5.  Sets without such answers stop at the first seed where every answer
    changed: over 30 random ids, after one seed for 15-29 of them (set 04: 15),
    after nine at most; choosing took 0.02-0.37 CPU s per id (sets 06 and 08, which
    always try all sixteen: 0.09 and 0.03).
    """
    from b2bsm.exercises.session import Exercises

    own = Exercises(set_id, student)
    choices = {qid for qid, q in own.questions.items() if q.kind == "choice"}
    seeds, sames = [], []
    for attempt in range(tries):
        seed = hidden_seed(secret, set_id, student, attempt)
        same = unprotected(own, hidden_exercises(set_id, student, seed))[0] - choices
        if not same:  # every answer the data decide changed: nothing to try further
            return seed
        seeds.append(seed)
        sames.append(same)
    constant = set.intersection(*sames)
    return seeds[min(range(len(seeds)), key=lambda i: len(sames[i] - constant))]


def hidden_exercises(set_id: str, student: str, seed: int):
    """``Exercises(set_id, student)`` whose verdicts use the hidden variant ``seed``'s data.

    Parameters stay the student's own; only the data change.
    """
    from b2bsm.exercises.session import Exercises, FullKey, load_data

    ex = Exercises(set_id, student)

    @functools.lru_cache(maxsize=1)
    def data():
        return load_data(set_id, seed)

    ex._key = FullKey(set_id, ex.seed, data)
    ex.questions = ex._key.questions
    return ex


def unprotected(own, hidden) -> tuple[set[str], set[str]]:
    """``(unprotected, protected)`` question ids of a set opened on own and on hidden data.

    Choice questions, and number or table questions whose reference answer is
    the same on both datasets, are unprotected; the other number and table
    questions are protected by the hidden data.
    """
    from b2bsm.exercises.questions import tables_match

    loose, kept = set(), set()
    for qid, q in own.questions.items():
        if q.kind == "choice":
            loose.add(qid)
        if q.kind not in ("number", "table"):
            continue
        try:
            mine, graded = own._key._values(qid)[0], hidden._key._values(qid)[0]
            if q.kind == "number":
                same = bool(q.precision.matches(float(graded), float(mine)))
            else:
                same = tables_match(graded, mine, q.precision) is None
        except Exception:  # a reference that cannot be compared: treat it as protected
            same = False
        (loose if same else kept).add(qid)
    return loose, kept


def choice_policy(rows: list[list], loose: set[str], kept: set[str]) -> list[list]:
    """Rows whose unprotected points stay only when a protected answer is right (see above).

    >>> rows = [["s", "02", "q1", 0.0, 1, "wrong", ""], ["s", "02", "q5", 1.0, 1, "correct", ""]]
    >>> choice_policy(rows, {"q5"}, {"q1"})[1][3]
    0.0
    >>> rows[0][5] = "correct"
    >>> choice_policy(rows, {"q5"}, {"q1"})[1][3]
    1.0
    """
    computed = [r for r in rows if r[2] in kept]
    if not computed or any(r[5] == "correct" for r in computed):
        return rows
    out = []
    for row in rows:
        if row[2] in loose and row[5] == "correct" and row[3] > 0:
            row = [*row[:3], 0.0, row[4], row[5], f"{row[6]} ({CHOICE_NOTE})"]
        out.append(row)
    return out
