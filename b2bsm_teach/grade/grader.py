"""The grader: intake, one sandboxed run per submission, verdicts from the instructor's key.

A submitted notebook is never trusted.  The grader

1. **takes in** each ``*.ipynb`` (any case) of the folder: only regular files
   (no symlinks, FIFOs or devices) under a size cap, read once through
   ``O_NOFOLLOW | O_NONBLOCK``; the file's code cells become a clean notebook in
   the grader's private work folder, so the submission itself is never opened
   again and never changed.  The student id comes from the file name (or the
   roster), never from the notebook (:func:`b2bsm.exercises.ids.match_student`);
2. **runs** that copy in its own sandbox (:mod:`b2bsm_teach.grade.sandbox`), which
   exports each ``answer_qN`` as plain data (:mod:`b2bsm.exercises.answers`); the
   sandbox shows a grading key (questions and this student's parameters, no
   answers) in place of the answer key;
3. **grades** in a separate process of its own: it rebuilds the answers, opens
   the set for the id it assigned, ``Exercises(set_id, student_id)``, and asks
   ``evaluate`` for each question.  Points are clamped to 0..max; open
   questions are ``manual`` with 0 points until hand-marked;
4. **writes** the long gradebook (temporary file, then rename; cells a
   spreadsheet would execute are escaped) and ``<stem>.answers.jsonl``.

Every submission gets its rows, with the reason when it could not be graded;
nothing one submission does stops the run.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import re
import shutil
import stat
import sys
import tempfile
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from b2bsm.exercises.ids import display_name, match_student, normalise_id
from b2bsm_teach.grade.state import read_capped

__all__ = ["COLUMNS", "MAX_BYTES", "escape_cell", "grade_folder", "grade_notebook"]

COLUMNS = ["student", "set", "question", "points", "max_points", "status", "feedback"]
HIDDEN_TAG = "hidden-check"
#: Work folders of a run: ``b2bsm-grade-<pid>-<random>`` in the system's temporary folder.
WORK_PREFIX = "b2bsm-grade-"
#: Largest submission taken in, bytes.
MAX_BYTES = 20 * 1024 * 1024
MAX_CELLS = 2000
MAX_FEEDBACK = 500
STATUSES = ("correct", "wrong", "not answered", "invalid", "manual", "missing")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------
def escape_cell(value):
    """A gradebook cell that a spreadsheet shows as text, never runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading apostrophe; numbers are left alone.

    Examples
    --------
    >>> escape_cell("=HYPERLINK(\\"http://x\\")"), escape_cell("-1"), escape_cell(-1.0)
    ('\\'=HYPERLINK("http://x")', "'-1", -1.0)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _clean(text: str, limit: int = MAX_FEEDBACK) -> str:
    text = _CONTROL.sub(" ", str(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _known_sets() -> dict[str, str]:
    from b2bsm_teach.exercises.sets import SETS

    return dict(SETS)


def _questions(set_id: str) -> list[tuple[str, int, str]]:
    """``(id, points, kind)`` of every question of a set, from the instructor's key."""
    from b2bsm.exercises.session import Exercises

    ex = Exercises(set_id, None)
    return [(qid, int(q.points), str(q.kind)) for qid, q in ex.questions.items()]


# --------------------------------------------------------------------------
# Intake
# --------------------------------------------------------------------------
def _read_regular(path: bytes, max_bytes: int) -> tuple[bytes | None, str | None]:
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


def _parse(raw: bytes) -> tuple[list[str] | None, str | None, str | None]:
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
    known = _known_sets()
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
        raw, sub.problem = _read_regular(os.path.join(os.fsencode(folder), name), max_bytes)
        if raw is not None:
            sub.cells, found, sub.problem = _parse(raw)
            if found in known:
                sub.set_id = found
            elif found is not None:
                sub.notes.append(
                    f"the notebook names an unknown exercise set {_clean(found, 20)!r}"
                )
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
                f"the notebook is for exercise set {_clean(named, 20)}, but this run grades set "
                f"{assigned} ({how}): it is not graded as set {_clean(named, 20)}. Submit the set-"
                f"{assigned} notebook, or grade this file with the set-{_clean(named, 20)} "
                f"submissions (--set {_clean(named, 20)})"
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


# --------------------------------------------------------------------------
def _run_notes(state: dict | None, outcome: str, timeout: float, cell_timeout: int, limits) -> str:
    """What went wrong in a run, in words (from the grader's observations and checked numbers)."""
    notes = []
    if outcome == "timeout":
        notes.append(f"the notebook ran longer than {timeout:g} s and was stopped")
    elif outcome == "processes":
        notes.append(f"the notebook started more than {limits.processes} processes and was stopped")
    elif outcome == "memory":
        notes.append(
            f"the notebook used more than {limits.total_memory / 2**30:g} GB of memory and was "
            "stopped"
        )
    if state is not None:
        if state["timeouts"]:
            cells = ", ".join(str(c) for c in state["timeouts"][:5])
            notes.append(
                f"code cell(s) {cells} ran longer than {cell_timeout} s and were interrupted"
            )
        if state["kernel"] == "died":
            notes.append(f"the kernel died after code cell {state['ran']}")
        elif state["kernel"] == "hung":
            notes.append(f"the kernel stopped responding in code cell {state['ran']}")
        elif state["kernel"] == "failed":
            notes.append("the notebook could not be run (the kernel did not start)")
        elif not state["done"] and outcome == "finished":
            notes.append(f"the run ended early, after code cell {state['ran']}")
    if notes:
        notes.append("answers exported before that count")
    return "; ".join(notes)


def _worked_on_note(worked_on: dict | None, student: str) -> str:
    if worked_on is None:
        return ""
    sid = worked_on.get("id")
    try:
        used = normalise_id(sid) if isinstance(sid, str) and sid.strip() else None
    except ValueError:
        used = None
    if used == student:
        return ""
    whose = (
        "the shipped practice data (STUDENT_ID was not set)"
        if used is None
        else f"the data of student id {_clean(used, 40)!r}"
    )
    return (
        f"The notebook worked on {whose}, but it is graded as {student!r}: set STUDENT_ID to "
        "your own id and run it again."
    )


def evaluate_submission(
    set_id: str,
    student: str,
    answers: dict | None,
    worked_on: dict | None,
    run_note: str,
    data_seed: int | None = None,
) -> tuple[list[list], dict]:
    """Rows of one run submission, and its record for ``answers.jsonl``.

    Runs in a grader process: ``answers`` is plain exported data (validated by
    :func:`b2bsm_teach.grade.state.read_state`); nothing of the student's kernel
    reaches this function.  ``data_seed``: the hidden variant the run used
    (:mod:`b2bsm_teach.grade.hidden`); the verdicts then use its data, and the
    multiple-choice policy applies.
    """
    from b2bsm.exercises.answers import AnswerError, rebuild
    from b2bsm.exercises.session import Exercises
    from b2bsm_teach.grade.hidden import choice_policy, hidden_exercises, unprotected

    if data_seed is None:
        ex = Exercises(set_id, student)
    else:
        ex = hidden_exercises(set_id, student, data_seed)
        loose, kept = unprotected(Exercises(set_id, student), ex)
    mismatch = _worked_on_note(worked_on, student)
    rows, record = [], {}
    for qid, q in ex.questions.items():
        maximum = int(q.points)
        name = f"answer_{qid}"
        if answers is None:
            why = run_note or "the notebook exported no answers"
            rows.append(
                [student, set_id, qid, 0.0, maximum, "not graded", f"question not found: {why}"]
            )
            continue
        if name not in answers:
            text = f"question not found: no variable {name} in the notebook"
            if run_note:
                text += f" ({run_note})"
            rows.append([student, set_id, qid, 0.0, maximum, "missing", text])
            continue
        plain = answers[name]
        record[qid] = _record_value(plain, q.kind)
        try:
            verdict = ex.evaluate(qid, rebuild(plain))
            status, points, feedback = verdict.status, verdict.points, verdict.feedback
        except AnswerError as exc:
            status, points, feedback = "invalid", 0.0, f"Cannot check this answer: {exc}."
        except Exception as exc:  # the key failed on this answer; the others still count
            status, points = "invalid", 0.0
            feedback = f"Cannot check this answer ({type(exc).__name__})."
        status = status if status in STATUSES else "invalid"
        points = _clamp(points, maximum)
        if q.kind == "open" and status != "not answered":
            status, points, feedback = "manual", 0.0, "needs manual grading"
        if status != "correct":
            points = 0.0 if status in ("manual", "missing", "not answered", "invalid") else points
        if mismatch and status not in ("correct", "manual"):
            feedback = f"{mismatch} {feedback}"
        rows.append([student, set_id, qid, points, maximum, status, _clean(feedback)])
    if data_seed is not None and answers is not None:
        rows = choice_policy(rows, loose, kept)
    note = "; ".join(n for n in (run_note, mismatch) if n)
    return rows, {"answers": record, "note": note}


def _clamp(points, maximum: int) -> float:
    try:
        value = float(points)
    except (TypeError, ValueError):
        return 0.0
    if not math.isfinite(value):
        return 0.0
    return float(min(max(value, 0.0), float(maximum)))


def _record_value(plain, kind: str):
    if kind != "open" or isinstance(plain, str):
        return plain
    return json.dumps(plain)


def _not_graded_rows(sub: Submission, who: str) -> list[list]:
    status = sub.status
    reason = _clean(sub.problem or "not graded")
    if sub.set_id is None:
        unknown = "unknown exercise set: the notebook names none; pass --set"
        text = f"{reason}; {unknown}" if sub.problem else unknown
        return [[who, "", "TOTAL", 0.0, 0, status, _clean(text)]]
    try:
        questions = _questions(sub.set_id)
    except Exception as exc:
        return [[who, sub.set_id, "TOTAL", 0.0, 0, status, _clean(f"{reason} ({exc})")]]
    if status == "not graded":
        reason = f"question not found: {reason}"
    return [[who, sub.set_id, qid, 0.0, points, status, reason] for qid, points, _ in questions]


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------
def _stage(sub: Submission, work: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in sub.cells or []],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = work / "notebook.ipynb"
    nbformat.write(nb, path)
    return path


def _run_one(sub: Submission, work: Path, box, cell_timeout, timeout, limits, lane=None):
    """Run one submission; ``lane`` is ``(evaluator, n)``, where its grading key is built."""
    from b2bsm_teach.grade.sandbox import grading_key_text, write_grading_keys

    work.mkdir(mode=0o700)
    try:
        notebook = _stage(sub, work)
        keys = None
        if box.hides_key:  # the notebook sees its questions and parameters, never the answers
            make = None
            if lane is not None:
                evaluator, n = lane

                def make(set_id, student):
                    return evaluator.submit(n, grading_key_text, set_id, student).result()

            keys = write_grading_keys(work / "keys", [sub.set_id], sub.student, make)
        if sub.secret is not None:  # chosen where the verdicts are computed (its data cached)
            from b2bsm_teach.grade.hidden import choose_seed

            args = (sub.secret, sub.set_id, sub.student)
            if lane is None:
                sub.data_seed = choose_seed(*args)
            else:
                sub.data_seed = lane[0].submit(lane[1], choose_seed, *args).result()
        data = None if sub.data_seed is None else (sub.set_id, sub.data_seed)
        return box.run(
            notebook,
            work,
            cell_timeout=cell_timeout,
            timeout=timeout,
            limits=limits,
            keys=keys,
            data=data,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _evaluate_task(set_id, student, answers, worked_on, run_note, data_seed=None):
    return evaluate_submission(set_id, student, answers, worked_on, run_note, data_seed)


def _warm_up() -> bool:
    import b2bsm.exercises.session  # noqa: F401  (import the key once per worker)

    return True


def grade_folder(
    folder: Path,
    out: Path,
    *,
    default_set: str | None = None,
    jobs: int = 2,
    cell_timeout: int = 60,
    timeout: int = 300,
    progress: bool = True,
    sandbox: str = "auto",
    roster_ids=None,
    max_bytes: int = MAX_BYTES,
    limits=None,
) -> list[list]:
    """Grade every ``*.ipynb`` in ``folder``; write the gradebook ``out`` and its answers file.

    Parameters
    ----------
    folder : Path
        The submissions (never written to, never shown to a sandbox).
    out : Path
        The long gradebook CSV (columns :data:`COLUMNS` plus a ``TOTAL`` row
        per student and set), written atomically; ``<stem>.answers.jsonl``
        beside it holds each run submission's exported answers.
    default_set : str, optional
        The exercise set of notebooks whose metadata names none (default: the
        one set all readable notebooks name, if there is one).
    jobs : int
        Notebooks run at once (and grading processes).
    cell_timeout, timeout : int
        Seconds per cell (then the cell is interrupted) and per notebook (then
        the sandbox is stopped; answers exported before count).
    progress : bool
        Show a progress bar on stderr.
    sandbox : {"auto", "bwrap", "none"}
        ``"auto"``/``"bwrap"`` need bubblewrap and raise
        :class:`b2bsm_teach.grade.sandbox.SandboxUnavailable` without it; ``"none"``
        runs notebooks unsandboxed (see
        :func:`b2bsm_teach.grade.sandbox.describe_unsandboxed`).
    roster_ids : list of str, optional
        Course roster: file names are matched to these ids.
    max_bytes : int
        Largest submission taken in.
    limits : b2bsm_teach.grade.sandbox.Limits, optional
        Resource limits per sandbox.

    Returns
    -------
    list of list
        The gradebook rows (without the header; cells not escaped).
    """
    from tqdm.auto import tqdm

    from b2bsm_teach.grade.sandbox import Limits, Sandbox

    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submitted notebooks.")
    limits = limits or Limits()
    subs = intake(folder, default_set=default_set, roster_ids=roster_ids, max_bytes=max_bytes)
    if not subs:
        raise FileNotFoundError(f"no .ipynb files in {folder}.")
    runnable = [s for s in subs if s.problem is None and s.set_id is not None]
    out.parent.mkdir(parents=True, exist_ok=True)
    from b2bsm_teach.grade.hidden import grading_secret

    secret = grading_secret(out.parent)  # beside the gradebook: never in a sandbox
    for sub in runnable:
        sub.secret = secret
    rows: list[list] = []
    records: list[dict] = []
    notes: dict[tuple, str] = {}
    for sub in subs:
        if sub not in runnable:
            rows.extend(
                _not_graded_rows(
                    sub, sub.student if sub.status == "duplicate" else (sub.student or sub.file)
                )
            )
    dup_seen: set = set()
    rows = [r for r in rows if not _repeat(r, dup_seen)]
    bar = tqdm(
        total=len(subs), desc="grading", unit="notebook", disable=not progress, file=sys.stderr
    )
    bar.update(len(subs) - len(runnable))
    if runnable:
        evaluator = _evaluator(jobs)  # its processes start while the sandbox is checked
        clean_leftovers()
        try:
            with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-") as tmp:
                root = Path(tmp)
                os.chmod(root, 0o700)
                box = Sandbox.create(
                    sandbox,
                    forbidden=[folder.resolve(), out.parent.resolve(), root.resolve()],
                    set_ids=sorted({s.set_id for s in runnable}),
                )
                if box.mode == "bwrap" and not box.hides_key:
                    print(
                        "note: an exercise set of this run cannot be opened without its answer "
                        "key, so the sandbox shows the key to the notebooks (see "
                        "docs/grading-security.md).",
                        file=sys.stderr,
                    )
                timing = (cell_timeout, timeout, limits)
                work = (root, box, jobs, timing, evaluator)
                _grade_runs(runnable, work, rows, records, notes, bar)
        finally:
            evaluator.shutdown(wait=True, cancel_futures=True)
    bar.close()
    rows = _with_totals(rows, notes)
    _write_gradebook(rows, out)
    _write_answers(records, out.with_name(f"{out.stem}.answers.jsonl"))
    return rows


def clean_leftovers(folder: Path | None = None) -> list[Path]:
    """Remove the work folders of grading runs that were killed (``kill -9``) mid-run.

    A work folder's name carries its grader's pid; folders of graders still
    running are left alone.  Returns the folders removed.
    """
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    for path in folder.glob(f"{WORK_PREFIX}*"):
        owner = path.name[len(WORK_PREFIX) :].split("-")[0]
        if not owner.isdigit() or path.is_symlink() or not path.is_dir():
            continue
        if path.stat().st_uid != os.geteuid() or _alive(int(owner)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _repeat(row: list, seen: set) -> bool:
    """Duplicate groups produce the same rows once per file; keep them once."""
    if row[5] != "duplicate":
        return False
    key = (row[0], row[1], row[2])
    if key in seen:
        return True
    seen.add(key)
    return False


def _grade_runs(runnable, work, rows, records, notes, bar):
    root, box, jobs, timing, evaluator = work
    cell_timeout, timeout, limits = timing
    jobs = max(1, int(jobs))
    with ThreadPoolExecutor(max_workers=jobs) as runners:
        pending: dict[Future, tuple[str, Submission]] = {}
        lanes = {}
        for n, sub in enumerate(runnable):
            own = root / f"s{n:05d}"
            lanes[id(sub)] = n
            lane = (evaluator, n)
            future = runners.submit(_run_one, sub, own, box, cell_timeout, timeout, limits, lane)
            pending[future] = ("run", sub)
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                stage, sub = pending.pop(future)
                if stage == "run":
                    try:
                        result = future.result()
                    except Exception as exc:  # a grader bug must not lose the others
                        sub.problem = f"grader error: {type(exc).__name__}: {exc}"
                        rows.extend(_not_graded_rows(sub, sub.student))
                        bar.update(1)
                        continue
                    state = result.state
                    if result.outcome == "error":
                        note = f"the sandbox could not run the notebook ({result.detail})"
                    else:
                        note = _run_notes(state, result.outcome, timeout, cell_timeout, limits)
                    args = (
                        sub.set_id,
                        sub.student,
                        None if state is None else state["answers"],
                        None if state is None else state["worked_on"],
                        note,
                        sub.data_seed,
                    )
                    later = evaluator.submit(lanes[id(sub)], _evaluate_task, *args)
                    pending[later] = ("grade", sub)
                    sub.notes.append(note)
                else:
                    try:
                        own_rows, record = future.result()
                    except Exception as exc:
                        sub.problem = f"grader error: {type(exc).__name__}: {exc}"
                        rows.extend(_not_graded_rows(sub, sub.student))
                    else:
                        rows.extend(own_rows)
                        if record["note"]:
                            notes[(sub.student, sub.set_id)] = record["note"]
                        records.append(
                            {
                                "student": sub.student,
                                "set": sub.set_id,
                                "file": sub.file,
                                "answers": record["answers"],
                            }
                        )
                    bar.update(1)


class _InProcess:
    """The evaluator for one job: the interface of a process pool, run here."""

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def shutdown(self, **_kwargs) -> None:
        return None


class _Lanes:
    """The grader's own processes, which build grading keys and compute verdicts.

    Submission ``n`` always goes to lane ``n % jobs``: its grading key (built
    before its run) and its verdicts (after it) need the same dataset variant,
    which that process then generates once and keeps in its cache.  No student
    code ever runs in these processes.
    """

    def __init__(self, jobs: int) -> None:
        jobs = max(1, int(jobs))
        if jobs < 2:
            self._pools: list = [_InProcess()]
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        spawn = multiprocessing.get_context("spawn")
        self._pools = [ProcessPoolExecutor(max_workers=1, mp_context=spawn) for _ in range(jobs)]
        for pool in self._pools:
            pool.submit(_warm_up)

    def submit(self, lane: int, fn, *args) -> Future:
        return self._pools[lane % len(self._pools)].submit(fn, *args)

    def shutdown(self, **kwargs) -> None:
        for pool in self._pools:
            pool.shutdown(**kwargs)


def _evaluator(jobs: int) -> _Lanes:
    return _Lanes(jobs)


def grade_notebook(
    path: Path,
    *,
    student_id: str | None = None,
    default_set: str | None = None,
    cell_timeout: int = 60,
    timeout: int = 300,
    sandbox: str = "auto",
    limits=None,
) -> list[list]:
    """Grade one notebook file; returns its rows (never raises for a bad submission).

    The student id is ``student_id`` or, when not given, the file name's stem.
    """
    from b2bsm_teach.grade.sandbox import Limits, Sandbox

    path = Path(path)
    limits = limits or Limits()
    sub = Submission(file=display_name(os.fsencode(path.name)))
    if student_id is not None:
        sub.student = normalise_id(student_id)
    else:
        sub.student, sub.problem = match_student(os.fsdecode(path.stem), None)
    raw, problem = _read_regular(os.fsencode(path), MAX_BYTES)
    if raw is not None:
        sub.cells, found, problem = _parse(raw)
        if found in _known_sets():
            sub.set_id = found
    sub.problem = sub.problem or problem
    if sub.set_id is None and default_set in _known_sets():
        sub.set_id = default_set
    if sub.problem is not None or sub.set_id is None:
        return _with_totals(_not_graded_rows(sub, sub.student or sub.file))
    from b2bsm_teach.grade.hidden import grading_secret

    sub.secret = grading_secret(None)
    with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-") as tmp:
        box = Sandbox.create(
            sandbox, forbidden=[path.parent.resolve(), Path(tmp)], set_ids=[sub.set_id]
        )
        result = _run_one(sub, Path(tmp) / "run", box, cell_timeout, timeout, limits)
    state = result.state
    note = _run_notes(state, result.outcome, timeout, cell_timeout, limits)
    if result.outcome == "error":
        note = f"the sandbox could not run the notebook ({result.detail})"
    rows, record = evaluate_submission(
        sub.set_id,
        sub.student,
        None if state is None else state["answers"],
        None if state is None else state["worked_on"],
        note,
        sub.data_seed,
    )
    return _with_totals(rows, {(sub.student, sub.set_id): record["note"]})


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------
def _qorder(qid: str) -> tuple[int, str]:
    return (int(qid[1:]), qid) if qid[1:].isdigit() else (10**6, qid)


def _with_totals(rows: list[list], notes: dict | None = None) -> list[list]:
    """Rows grouped per student and set, each group closed by its ``TOTAL`` row.

    ``notes`` maps ``(student, set)`` to what went wrong in the run; it leads
    the ``TOTAL`` row's feedback.
    """
    notes = notes or {}
    groups: dict[tuple[str, str], list[list]] = {}
    for row in rows:
        groups.setdefault((row[0], row[1]), []).append(row)
    out = []
    for key in sorted(groups):
        own = [r for r in groups[key] if r[2] != "TOTAL"]
        totals = [r for r in groups[key] if r[2] == "TOTAL"]
        out.extend(sorted(own, key=lambda r: _qorder(r[2])))
        if own:
            points = sum(float(r[3]) for r in own)
            maximum = sum(int(r[4]) for r in own)
            statuses = {r[5] for r in own}
            if statuses <= {"not graded", "duplicate"}:
                status, note = own[0][5], own[0][6]
            else:
                status = "total"
                manual = sum(r[5] == "manual" for r in own)
                parts = [notes.get(key, "")]
                if manual:
                    parts.append(f"{manual} open answer(s) need manual grading")
                note = _clean("; ".join(p for p in parts if p))
            out.append([key[0], key[1], "TOTAL", points, maximum, status, note])
        out.extend(totals)
    return out


def _atomic_write(path: Path, text: str) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as an ordinary new file would be
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_gradebook(rows: list[list], out: Path) -> None:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([escape_cell(_printable(c)) for c in row])
    _atomic_write(out, buffer.getvalue())


def _printable(value):
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _write_answers(records: list[dict], path: Path) -> None:
    records = sorted(records, key=lambda r: (r["student"], r["set"], r["file"]))
    lines = [json.dumps(r, ensure_ascii=False, allow_nan=False) for r in records]
    text = "".join(
        line.encode("utf-8", "backslashreplace").decode("utf-8") + "\n" for line in lines
    )
    _atomic_write(path, text)
