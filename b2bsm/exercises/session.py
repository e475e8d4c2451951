"""The student's side: ``start`` an exercise set, ``check`` answers, feedback that teaches.

Two back ends judge answers, and :class:`Exercises` picks one by itself:

* the **full key** (the instructor's copy of the kit, and the public repository):
  the set module ``b2bsm_teach/exercises/sets/lessonNN.py`` computes every
  reference answer from the student's data (:mod:`b2bsm.exercises.fullkey`: the
  instructor package registers its set modules there);
* the **hashed key** (a student release, see ``python -m b2bsm_teach.exercises release``):
  ``b2bsm/exercises/_keys/NN.json`` holds salted hashes of the accepted answers
  and of each typical mistake, for the shipped data and for every student on the
  roster, and nothing from which an answer can be read (:mod:`b2bsm.exercises.keys`).

Both back ends give the same verdicts for the same answers.

While the grader runs a notebook, its sandbox shows neither: the instructor
package is not there and ``B2BSM_KEYS`` names a folder with a *grading key* per set
(``b2bsm_teach.exercises.keys.grading_key``), which holds the questions and the
student's parameters but no answer.  ``ex.check`` then says that the grader
checks the answers, and the grader does so outside the sandbox.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from b2bsm.exercises.fullkey import FullKey, answer_key_module, full_sets
from b2bsm.exercises.ids import normalise_id  # the one definition (NFKC, strip, casefold)
from b2bsm.exercises.keys import KEYS_ENV, HashedKey, keys_dir
from b2bsm.exercises.questions import Verdict, as_number, as_table

#: The variable the first cell of every exercise notebook sets.
STUDENT_ID_HELP = (
    'set your id near the top of the notebook, where it says STUDENT_ID = "": '
    'STUDENT_ID = "s1234567" (your own student id, in quotes), then run the notebook again '
    "from the top."
)
GENERIC_HINT = "Re-read the question and check each step of your calculation."


def _normalised(student_id) -> str:
    """``normalise_id(student_id)``, with the notebook's fix added to its error message."""
    try:
        return normalise_id(student_id)
    except ValueError as exc:
        raise ValueError(
            f"give your student id as text: {exc} In the notebook, {STUDENT_ID_HELP}"
        ) from None


def variant_seed(student_id: str | None) -> int | None:
    """The dataset seed of a student: None (the shipped data) or a number derived from the id.

    An empty id means "no id" (the shipped practice data).  The id is normalised
    first (:func:`b2bsm.exercises.ids.normalise_id`), so spelling variants share one dataset.

    >>> variant_seed(None) is None, variant_seed("") is None
    (True, True)
    >>> variant_seed("S123") == variant_seed(" s123 ")
    True
    """
    if student_id is None or (isinstance(student_id, str) and not student_id.strip()):
        return None
    digest = hashlib.sha256(_normalised(student_id).encode("utf-8")).hexdigest()
    return int(digest[:8], 16)


def _student(student_id) -> str | None:
    if student_id is None or (isinstance(student_id, str) and not student_id.strip()):
        return None
    return _normalised(student_id)


def known_sets() -> dict[str, str]:
    """Set id -> where its answer key comes from (``"full"`` or ``"hashed"``).

    A set whose key is in ``$B2BSM_KEYS`` is ``"hashed"`` even where its full key exists.
    """
    found = {}
    folder = keys_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            found[path.stem] = "hashed"
    overridden = set(found) if os.environ.get(KEYS_ENV) else set()
    for set_id in full_sets():
        if set_id not in overridden:
            found[set_id] = "full"
    return dict(sorted(found.items()))


def load_data(set_id: str, seed: int | None):
    """The dataset of a set for a seed, from the public loaders (no answer key needed)."""
    from b2bsm.exercises.data import load_data as public_load

    return public_load(set_id, seed)


# --------------------------------------------------------------------------
# The session
# --------------------------------------------------------------------------
class Exercises:
    """An exercise set opened for one student (see :func:`start`).

    Attributes
    ----------
    set_id : str
    student_id : str or None
        The normalised id the answers are checked against (None: the shipped data).
    seed : int or None
        The dataset seed derived from the id.
    questions : dict
        Question id -> question (the full :class:`Question` in the instructor's
        copy; a public view without answers in a student release).
    """

    def __init__(self, set_id: str, student_id: str | None = None) -> None:
        self.set_id = str(set_id)
        self.student_id = _student(student_id)
        self.seed = variant_seed(self.student_id)
        sets = known_sets()
        if self.set_id not in sets:
            raise ValueError(
                f"no exercise set {self.set_id!r}; available: {', '.join(sets) or 'none'}."
            )
        if sets[self.set_id] == "full":
            # The key judges against its own copy of the dataset, so a student who
            # edits ``ex.data`` in place is still checked against the real data.
            module = answer_key_module(self.set_id)
            self._key = FullKey(self.set_id, self.seed, self._key_data, module=module)
        else:
            self._key = HashedKey.open(self.set_id, self.student_id)
        self.questions = self._key.questions
        self.title = self._key.title
        self._data = None
        self._key_copy = None
        self._wrong: dict[str, int] = {}

    @property
    def source(self) -> str:
        """``"full"`` (instructor's copy), ``"hashed"`` (student release) or ``"grading"``."""
        return self._key.source

    def params(self, question: str) -> dict[str, Any] | None:
        """Your own parameters of ``question`` (which tool, column or group), as a dict.

        Questions whose wording depends on the student id have blanks that are
        filled in per student; ``ex.question("q1")`` shows them in the text, and
        this method gives them as values a notebook can use.  None for a
        question that is the same for everyone.

        Examples
        --------
        >>> from b2bsm.exercises import start
        >>> ex = start("02", "s1234567", quiet=True)
        >>> sorted(ex.params("q1"))
        ['tool', 'words']
        >>> ex.params("q4") is None
        True
        """
        return self._key.params(self._question(question).id)

    def _key_data(self):
        """The answer key's own copy of the dataset (the cached one where the set has one)."""
        from b2bsm.exercises.data import LOADERS, shared_data

        if self.set_id in LOADERS:
            return shared_data(self.set_id, self.seed)
        if self._key_copy is None:
            self._key_copy = load_data(self.set_id, self.seed)
        return self._key_copy

    @property
    def data(self):
        """The student's dataset (the shipped one, or their seeded variant)."""
        if self._data is None:
            self._data = load_data(self.set_id, self.seed)
        return self._data

    def who(self) -> str:
        """Whose data the answers are checked against, in words."""
        if self.student_id is None:
            return "the shipped practice data (no STUDENT_ID set)"
        return f"student id {self.student_id!r}"

    def __repr__(self) -> str:
        return f"<exercise set {self.set_id}: {len(self.questions)} questions, for {self.who()}>"

    def notice(self) -> str:
        """The message :func:`start` prints: whose data, and what to do if the id is missing."""
        lines = [f"Exercise set {self.set_id}: {self.title}", f"Checking answers for {self.who()}."]
        if self.student_id is None:
            lines = [
                "!" * 72,
                "NO STUDENT ID: you are working on the shipped practice data.",
                "Your checks below use that data, but your work is graded on YOUR OWN dataset,",
                f"so the answers differ. To fix it, {STUDENT_ID_HELP}",
                "!" * 72,
                *lines,
            ]
        if self._key.unavailable:
            lines += ["!" * 72, self._key.unavailable, "!" * 72]
        return "\n".join(lines)

    # -- prompts -------------------------------------------------------------
    def prompt(self, question: str) -> str:
        """The student's own prompt of ``question`` (parameters filled in), as text."""
        q = self._question(question)
        text = f"{q.id} ({q.points} point{'s' if q.points != 1 else ''}): {self._key.text(q.id)}"
        if q.kind == "choice":
            text += "\n" + "\n".join(f"  {k}) {v}" for k, v in q.choices.items())
        return text

    def question(self, question: str) -> None:
        """Print the student's own prompt of ``question``."""
        print(self.prompt(question))

    def _question(self, question: str):
        q = self.questions.get(question)
        if q is None:
            raise ValueError(
                f"there is no question {question!r} in set {self.set_id}; "
                f"the questions are {', '.join(self.questions)}."
            )
        return q

    # -- checking ------------------------------------------------------------
    def check(self, question: str, answer: Any = ...) -> None:
        """Check one answer and print a friendly verdict (never the answer itself).

        Use :meth:`evaluate` to get the verdict as an object instead.
        """
        print(render(self.evaluate(question, answer)))

    def evaluate(self, question: str, answer: Any) -> Verdict:
        """The verdict on ``answer`` to ``question`` for this student's data."""
        q = self.questions.get(question)
        if q is None:
            known = ", ".join(self.questions)
            return self._verdict(
                str(question),
                "invalid",
                0,
                0,
                f"There is no question {question!r} in set {self.set_id}; the questions are "
                f"{known}.",
            )
        if answer is ...:
            return self._verdict(
                q.id,
                "not answered",
                0,
                q.points,
                "Not answered yet: replace the ... with your answer and run the cell again.",
            )
        if q.kind == "open":
            text = str(answer).strip()
            if len(text) < 20:
                return self._verdict(
                    q.id,
                    "not answered",
                    0,
                    q.points,
                    "Write a few sentences (as a string) to answer this question; your "
                    "instructor grades it.",
                )
            return self._verdict(
                q.id,
                "manual",
                0,
                q.points,
                "Saved. This open question needs manual grading by your instructor.",
            )
        if self._key.unavailable:
            return self._verdict(q.id, "invalid", 0, q.points, self._key.unavailable)
        try:
            if q.kind == "choice":
                return self._choice(q, answer)
            if q.kind == "number":
                outcome, message = self._key.number(q.id, as_number(answer))
            else:
                outcome, message = self._key.table(q.id, as_table(answer))
        except ValueError as exc:
            return self._verdict(q.id, "invalid", 0, q.points, f"Cannot check this answer: {exc}")
        if outcome == "correct":
            return self._verdict(q.id, "correct", q.points, q.points, "Correct.")
        self._wrong[q.id] = self._wrong.get(q.id, 0) + 1
        if outcome == "mistake":
            return self._verdict(q.id, "wrong", 0, q.points, f"Not quite. {message}")
        lead = f"Not quite: {message}" if message else "Not quite."
        return self._verdict(q.id, "wrong", 0, q.points, f"{lead} {self._hint(q)}")

    def _choice(self, q, answer) -> Verdict:
        pick = str(answer).strip().lower()
        if pick not in q.choices:
            raise ValueError(f"choose one of {', '.join(q.choices)} (as a string, e.g. 'b').")
        right, why = self._key.choice(q.id, pick)
        if right:
            return self._verdict(q.id, "correct", q.points, q.points, f"Correct. {why}".strip())
        self._wrong[q.id] = self._wrong.get(q.id, 0) + 1
        text = " ".join(part for part in ("Not quite.", why, self._hint(q)) if part)
        return self._verdict(q.id, "wrong", 0, q.points, text)

    def _hint(self, q) -> str:
        """Graduated hints: the first wrong answer gets the concept, later ones the next hint."""
        hints = list(q.hints) or [GENERIC_HINT]
        return hints[min(self._wrong.get(q.id, 1), len(hints)) - 1]

    def _verdict(self, qid, status, points, max_points, feedback) -> Verdict:
        return Verdict(qid, status, points, max_points, feedback, student=self.student_id)


def render(verdict: Verdict) -> str:
    """A verdict as the text ``check`` prints, naming whose data it was checked on."""
    marks = {
        "correct": "[correct]",
        "wrong": "[try again]",
        "not answered": "[not answered]",
        "invalid": "[cannot check]",
        "manual": "[saved]",
    }
    head = f"{verdict.question} {marks.get(verdict.status, '')}"
    if verdict.max_points:
        head += f" {verdict.points:g}/{verdict.max_points} points"
    if verdict.student is None:
        head += " (checked on the shipped practice data: STUDENT_ID is not set)"
    else:
        head += f" (checked for student id {verdict.student!r})"
    return f"{head}\n{verdict.feedback}"


def start(set_id: str, student_id: str | None = None, *, quiet: bool = False) -> Exercises:
    """Open an exercise set for a student, and say whose data the checks use.

    Parameters
    ----------
    set_id : str
        The lesson number, e.g. ``"02"``.
    student_id : str, optional
        Your student id (the notebook's ``STUDENT_ID``).  With it you work on
        your own variant of the dataset, the one your work is graded on; without
        it (None or ``""``), on the shipped practice data, and a loud notice
        says how to set it.
    quiet : bool
        Do not print the notice.

    Examples
    --------
    >>> from b2bsm.exercises import start
    >>> ex = start("02", "s1234567", quiet=True)
    >>> ex.student_id
    's1234567'
    >>> ex.check("q1", ...)
    q1 [not answered] 0/1 points (checked for student id 's1234567')
    Not answered yet: replace the ... with your answer and run the cell again.
    """
    ex = Exercises(set_id, student_id)
    if not quiet:
        print(ex.notice())
    return ex


_UNSET = object()


def grade_answers(set_id: str, namespace: dict[str, Any], student_id: Any = _UNSET) -> list[dict]:
    """Re-check every ``answer_<qid>`` of a notebook namespace; return one record per question.

    Used by the masters' hidden-check cells (``grade_answers("02", globals())``)
    and by the grader.  ``student_id`` is the id to grade on; when it is not
    given, the notebook's own ``ex`` (or ``STUDENT_ID``) decides.  Reads no
    environment variables and writes no files.

    Returns
    -------
    list of dict
        ``{"set", "question", "status", "points", "max_points", "feedback", "student"}``.
    """
    used = namespace.get("ex")
    used = used if isinstance(used, Exercises) and used.set_id == str(set_id) else None
    if student_id is _UNSET:
        student_id = used.student_id if used is not None else namespace.get("STUDENT_ID") or None
    ex = Exercises(set_id, student_id)
    warning = ""
    if used is not None and used.seed != ex.seed:
        warning = (
            f"(The notebook worked on the data of {used.who()}, but it is graded as "
            f"{ex.who()}: set STUDENT_ID to your own id.) "
        )
    records = []
    for qid, q in ex.questions.items():
        name = f"answer_{qid}"
        if name not in namespace:
            verdict = ex._verdict(
                qid,
                "missing",
                0,
                q.points,
                f"question not found: no variable {name} in the notebook.",
            )
        else:
            try:
                verdict = ex.evaluate(qid, namespace[name])
            except Exception as exc:  # a student's object can raise anything
                verdict = ex._verdict(
                    qid,
                    "invalid",
                    0,
                    q.points,
                    f"Cannot check this answer: {type(exc).__name__}: {exc}"[:300],
                )
        if warning and verdict.status not in ("correct", "manual"):
            verdict.feedback = warning + verdict.feedback
        records.append({"set": str(set_id), **verdict.to_dict()})
    return records
