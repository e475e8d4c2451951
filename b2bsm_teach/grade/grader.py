"""The grader: intake, one sandboxed run per submission, verdicts from the instructor's key.

A submitted notebook is never trusted.  The grader

1. **takes in** each ``*.ipynb`` (any case) of the folder
   (:mod:`b2bsm_teach.grade.intake`): only regular files (no symlinks, FIFOs or
   devices) under a size cap, read once through ``O_NOFOLLOW | O_NONBLOCK``; the
   file's code cells become a clean notebook in the grader's private work
   folder, so the submission itself is never opened again and never changed.
   The student id comes from the file name (or the roster), never from the
   notebook (:func:`b2bsm.exercises.ids.match_student`);
2. **runs** that copy in its own sandbox (:mod:`b2bsm_teach.grade.lanes`,
   :mod:`b2bsm_teach.grade.sandbox`), which exports each ``answer_qN`` as plain
   data (:mod:`b2bsm.exercises.answers`); the sandbox shows a grading key
   (questions and this student's parameters, no answers) in place of the
   answer key;
3. **grades** in a separate process of its own (:mod:`b2bsm_teach.grade.verdicts`):
   it rebuilds the answers, opens the set for the id it assigned,
   ``Exercises(set_id, student_id)``, and asks ``evaluate`` for each question.
   Points are clamped to 0..max; open questions are ``manual`` with 0 points
   until hand-marked;
4. **writes** the long gradebook (:mod:`b2bsm_teach.grade.runfiles`: temporary
   file, then rename; cells a spreadsheet would execute are escaped) and
   ``<stem>.answers.jsonl``.

At course scale (:mod:`b2bsm_teach.grade.journal`): each submission's verdicts
are journalled as they are ready, so a killed run resumes where it stopped; a
run can skip the submissions whose content it already graded, and take only
its shard of the class (:mod:`b2bsm_teach.grade.shards`).

Every submission gets its rows, with the reason when it could not be graded;
nothing one submission does stops the run.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from b2bsm.exercises.ids import display_name, match_student, normalise_id
from b2bsm_teach.grade.confine import alive
from b2bsm_teach.grade.intake import (
    MAX_BYTES,
    Submission,
    intake,
    known_sets,
    parse_notebook,
    read_regular,
)
from b2bsm_teach.grade.journal import Journal, index_path, run_index, write_index
from b2bsm_teach.grade.lanes import Lanes, grade_runs, run_one, verdict_args
from b2bsm_teach.grade.runfiles import COLUMNS, escape_cell, write_answers, write_rows
from b2bsm_teach.grade.shards import shard_of
from b2bsm_teach.grade.verdicts import (
    evaluate_submission,
    not_graded_rows,
    with_totals,
)

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "clean_leftovers",
    "escape_cell",
    "evaluate_submission",
    "grade_folder",
    "grade_notebook",
    "intake",
]

#: Work folders of a run: ``b2bsm-grade-<pid>-<random>`` in the system's temporary folder.
WORK_PREFIX = "b2bsm-grade-"


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
    shard: tuple[int, int] | None = None,
    skip: dict | None = None,
    journal: Path | None = None,
    tally: dict | None = None,
) -> list[list]:
    """Grade every ``*.ipynb`` in ``folder``; write the gradebook ``out`` and its answers file.

    Parameters
    ----------
    folder : Path
        The submissions (never written to, never shown to a sandbox).
    out : Path
        The long gradebook CSV (columns :data:`COLUMNS` plus a ``TOTAL`` row
        per student and set), written atomically; ``<stem>.answers.jsonl``
        beside it holds each run submission's exported answers, and
        ``<stem>.submissions.jsonl`` the content hash of each
        (:func:`b2bsm_teach.grade.journal.read_index`).
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
    shard : (int, int), optional
        ``(i, n)``: grade only the submissions of shard ``i`` of ``n``
        (:func:`b2bsm_teach.grade.shards.shard_of`, from the student id).
    skip : dict, optional
        ``(student, set) -> sha256`` of submissions already graded: a file
        with that content is left out of the run (its rows stay where they are).
    journal : Path, optional
        Append each submission to this journal as soon as its verdicts are
        ready (:class:`b2bsm_teach.grade.journal.Journal`).
    tally : dict, optional
        Filled with the counts ``"other shards"`` and ``"skipped"``.

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
    subs = _select(subs, shard, skip, tally if tally is not None else {})
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
                not_graded_rows(
                    sub, sub.student if sub.status == "duplicate" else (sub.student or sub.file)
                )
            )
    dup_seen: set = set()
    rows = [r for r in rows if not _repeat(r, dup_seen)]
    bar = tqdm(
        total=len(subs), desc="grading", unit="notebook", disable=not progress, file=sys.stderr
    )
    bar.update(len(subs) - len(runnable))
    hide = sorted({out.parent.resolve(), *([Path(journal).parent.resolve()] if journal else [])})
    log = None if journal is None else Journal(journal)
    if runnable:
        note = bytecode_note()
        if note:
            print(note, file=sys.stderr)
        evaluator = Lanes(jobs)  # its processes start while the sandbox is checked
        clean_leftovers()
        try:
            with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-") as tmp:
                root = Path(tmp)
                os.chmod(root, 0o700)
                box = Sandbox.create(
                    sandbox,
                    forbidden=[folder.resolve(), *hide, root.resolve()],
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
                grade_runs(runnable, work, rows, records, notes, bar, log)
        finally:
            evaluator.shutdown(wait=True, cancel_futures=True)
    bar.close()
    rows = with_totals(rows, notes)
    write_rows(rows, out)
    plain = [{k: r[k] for k in ("student", "set", "file", "answers")} for r in records]
    write_answers(plain, out.with_name(f"{out.stem}.answers.jsonl"))
    write_index(run_index(records), index_path(out))  # the content hashes of this run
    return rows


def bytecode_note() -> str | None:
    """A note when pandas or the kit has no compiled bytecode (``.pyc``), else None.

    Nothing can be written inside a sandbox, so without them every graded
    notebook compiles pandas (and the kit) from source again: seconds of CPU
    per notebook that one ``compileall`` saves (benchmarks/grading.md).
    """
    import importlib.util
    import sysconfig

    spec = importlib.util.find_spec("pandas")
    kit = Path(__file__).resolve().parents[2]
    session = kit / "b2bsm" / "exercises" / "session.py"
    missing = []
    if spec is not None and spec.cached and not os.path.exists(spec.cached):
        missing.append(sysconfig.get_paths()["purelib"])
    if session.is_file() and not os.path.exists(importlib.util.cache_from_source(str(session))):
        missing.extend(str(kit / name) for name in ("b2bsm", "b2bsm_teach"))
    if not missing:
        return None
    return (
        "note: this Python environment has no compiled bytecode for pandas or the kit, so "
        "every sandbox (where nothing can be written) compiles them from source again, "
        "seconds of CPU per notebook. Compile them once: "
        f"{sys.executable} -m compileall -q {' '.join(missing)}"
    )


def _select(subs: list[Submission], shard, skip, tally: dict) -> list[Submission]:
    """The submissions of this run: those of its shard, less those graded with the same content."""
    if shard is not None:
        index, count = shard
        mine = [s for s in subs if shard_of(s.student or f"file:{s.file}", count) == index]
        tally["other shards"] = len(subs) - len(mine)
        subs = mine
    if skip:
        fresh = [
            s
            for s in subs
            if s.sha256 is None
            or s.problem is not None
            or s.status == "duplicate"
            or skip.get((s.student, s.set_id)) != s.sha256
        ]
        tally["skipped"] = len(subs) - len(fresh)
        subs = fresh
    return subs


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
        if path.stat().st_uid != os.geteuid() or alive(int(owner)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _repeat(row: list, seen: set) -> bool:
    """Duplicate groups produce the same rows once per file; keep them once."""
    if row[5] != "duplicate":
        return False
    key = (row[0], row[1], row[2])
    if key in seen:
        return True
    seen.add(key)
    return False


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
    raw, problem = read_regular(os.fsencode(path), MAX_BYTES)
    if raw is not None:
        sub.cells, found, problem = parse_notebook(raw)
        if found in known_sets():
            sub.set_id = found
    sub.problem = sub.problem or problem
    if sub.set_id is None and default_set in known_sets():
        sub.set_id = default_set
    if sub.problem is not None or sub.set_id is None:
        return with_totals(not_graded_rows(sub, sub.student or sub.file))
    from b2bsm_teach.grade.hidden import grading_secret

    sub.secret = grading_secret(None)
    with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-") as tmp:
        box = Sandbox.create(
            sandbox, forbidden=[path.parent.resolve(), Path(tmp)], set_ids=[sub.set_id]
        )
        result = run_one(sub, Path(tmp) / "run", box, cell_timeout, timeout, limits)
    rows, record = evaluate_submission(*verdict_args(sub, result, timeout, cell_timeout, limits))
    return with_totals(rows, {(sub.student, sub.set_id): record["note"]})
