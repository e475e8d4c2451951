"""Intake: every notebook of a submissions folder, read once, as a :class:`Submission`.

Only regular files (no symlinks, FIFOs or devices) under a size cap are taken,
read once through ``O_NOFOLLOW | O_NONBLOCK``; their code cells (without the
hidden-check cells) are kept for the run, and the SHA-256 of the bytes read is
the submission's content hash (a later run skips a submission whose hash it
already graded).  The student id comes from the file name or the roster
(:func:`b2bsm.exercises.ids.match_student`), never from the notebook; the set
is the run's (:func:`assigned_set`).  Nothing here raises for a bad file: its
submission carries the problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from b2bsm.exercises.ids import display_name, match_student
from b2bsm_teach.grade.state import read_capped

__all__ = ["MAX_BYTES", "Submission", "assigned_set", "clean", "intake", "known_sets"]

HIDDEN_TAG = "hidden-check"
#: Largest submission taken in, bytes.
MAX_BYTES = 20 * 1024 * 1024
MAX_CELLS = 2000
MAX_FEEDBACK = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Submission:
    """One file of the submissions folder, as taken in."""

    file: str  # printable file name
    student: str | None = None
    set_id: str | None = None
    problem: str | None = None
    cells: list[str] | None = None
    status: str = "not graded"
    notes: list[str] = field(default_factory=list)
    data_seed: int | None = None  # the hidden variant of a graded run (b2bsm_teach.grade.hidden)
    secret: str | None = None  # the instructor's grading secret, to choose it
    sha256: str | None = None  # of the bytes read at intake (None: the file could not be read)


def clean(text: str, limit: int = MAX_FEEDBACK) -> str:
    """Feedback text without control characters, cut to ``limit`` characters."""
    text = _CONTROL.sub(" ", str(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def known_sets() -> dict[str, str]:
    """Set id -> answer-key module of every exercise set of the kit."""
    from b2bsm_teach.exercises.sets import SETS

    return dict(SETS)


def read_regular(path: bytes, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The bytes of a regular file under the cap, or the reason it is not taken."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return None, f"the file cannot be read ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return None, "the file is a symbolic link, not a notebook: submit the notebook file itself"
    if not stat.S_ISREG(info.st_mode):
        return None, "this is not a regular file (a folder, FIFO or device): submit a notebook"
    if info.st_size > max_bytes:
        return None, (
            f"the file is larger than {max_bytes // 2**20} MB: clear the notebook's outputs "
            "(Edit > Clear Outputs of All Cells), save and submit again"
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return None, f"the file cannot be opened ({exc.strerror})"
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (
            info.st_dev,
            info.st_ino,
        ):
            return None, "the file changed while it was being read: submit it again"
        raw = read_capped(fd, max_bytes)
    except OSError as exc:
        return None, f"the file cannot be read ({exc.strerror})"
    finally:
        os.close(fd)
    if raw is None:
        return None, f"the file is larger than {max_bytes // 2**20} MB"
    return raw, None


def parse_notebook(raw: bytes) -> tuple[list[str] | None, str | None, str | None]:
    """Code cells and exercise set of a notebook's bytes: ``(cells, set_id, problem)``."""
    try:
        doc = json.loads(raw)
    except Exception as exc:  # not JSON, bad encoding, nested too deep
        return None, None, f"the file is not a valid notebook ({type(exc).__name__})"
    if isinstance(doc, dict) and "worksheets" in doc and "cells" not in doc:
        try:  # an nbformat 3 notebook
            import nbformat

            doc = json.loads(nbformat.writes(nbformat.reads(raw.decode("utf-8"), as_version=4)))
        except Exception as exc:
            return None, None, f"the file is not a valid notebook ({type(exc).__name__})"
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        return None, None, "the file is not a valid notebook (no list of cells)"
    set_id = None
    meta = doc.get("metadata")
    own = meta.get("b2bsm") if isinstance(meta, dict) else None
    found = own.get("exercise_set") if isinstance(own, dict) else None
    if isinstance(found, str):
        set_id = found
    cells = []
    for cell in doc["cells"][:MAX_CELLS]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata")
        tags = meta.get("tags") if isinstance(meta, dict) else None
        if isinstance(tags, list) and HIDDEN_TAG in tags:
            continue
        source = cell.get("source")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if isinstance(source, str) and source.strip():
            cells.append(source)
    return cells, set_id, None


def intake(
    folder: Path,
    *,
    default_set: str | None = None,
    roster_ids=None,
    max_bytes: int = MAX_BYTES,
) -> list[Submission]:
    """Every ``*.ipynb`` of ``folder`` (any case, any bytes in the name) as a :class:`Submission`.

    Never raises for a bad file: its submission carries the problem.
    """
    known = known_sets()
    names = []
    with os.scandir(os.fsencode(folder)) as entries:
        for entry in entries:
            if entry.name.lower().endswith(b".ipynb"):
                names.append(entry.name)
    subs = []
    for name in sorted(names):
        sub = Submission(file=display_name(name))
        stem = os.fsdecode(name[: -len(".ipynb")])
        sub.student, id_problem = match_student(stem, roster_ids)
        raw, sub.problem = read_regular(os.path.join(os.fsencode(folder), name), max_bytes)
        if raw is not None:
            sub.sha256 = hashlib.sha256(raw).hexdigest()
            sub.cells, found, sub.problem = parse_notebook(raw)
            if found in known:
                sub.set_id = found
            elif found is not None:
                sub.notes.append(f"the notebook names an unknown exercise set {clean(found, 20)!r}")
        if sub.problem is None and id_problem is not None:
            sub.problem = id_problem
        subs.append(sub)
    assigned, how = assigned_set(Path(os.fsdecode(folder)), default_set, subs, known)
    for sub in subs:
        named, sub.set_id = sub.set_id, assigned
        if named is None or named == assigned:
            continue
        if assigned is None:
            sub.set_id = named
            sub.problem = sub.problem or (
                f"the notebooks of this folder are for different exercise sets ({how}), and the "
                "run was not told which one it grades: pass --set NN"
            )
        else:
            sub.problem = sub.problem or (
                f"the notebook is for exercise set {clean(named, 20)}, but this run grades set "
                f"{assigned} ({how}): it is not graded as set {clean(named, 20)}. Submit the set-"
                f"{assigned} notebook, or grade this file with the set-{clean(named, 20)} "
                f"submissions (--set {clean(named, 20)})"
            )
    counts = Counter((s.student, s.set_id) for s in subs if s.student)
    for sub in subs:
        if sub.student and counts[(sub.student, sub.set_id)] > 1:
            same = [s.file for s in subs if (s.student, s.set_id) == (sub.student, sub.set_id)]
            sub.status = "duplicate"
            sub.problem = (
                f"{len(same)} files map to student {sub.student}: "
                + ", ".join(repr(f) for f in same)
                + "; keep one of them and grade again"
            )
    return subs


def assigned_set(folder: Path, default_set, subs, known) -> tuple[str | None, str]:
    """The exercise set a run grades, and how it was decided (words for the notes).

    ``--set`` decides; else a set number in the folder's name (``02``,
    ``set-02``, ``lesson02_submissions``); else the set a strict majority of
    the notebooks name.  A notebook never decides for itself: one naming
    another set is flagged, not graded as that set.

    >>> assigned_set(Path("subs/set-03"), None, [], {"03": "m"})
    ('03', "the folder 'set-03'")
    """
    if default_set is not None:
        if default_set not in known:
            raise ValueError(
                f"--set {default_set!r} is not an exercise set of the kit "
                f"(known: {', '.join(sorted(known))})."
            )
        return default_set, f"--set {default_set}"
    found = [m for m in re.findall(r"(?<!\d)(\d{2})(?!\d)", folder.name) if m in known]
    if len(set(found)) == 1:
        return found[0], f"the folder {folder.name!r}"
    named = Counter(s.set_id for s in subs if s.set_id is not None)
    if not named:
        return None, "no set named"
    top, count = named.most_common(1)[0]
    if count * 2 > sum(named.values()):
        return top, f"the set most notebooks of the folder name ({count} of {sum(named.values())})"
    return None, ", ".join(sorted(named))
