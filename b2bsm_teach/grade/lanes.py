"""The run: each submission staged, run in its own sandbox, and checked in a grader lane.

Notebooks run ``jobs`` at a time (threads that wait on their sandboxes); the
grading keys and verdicts are computed in the grader's *lanes*
(:class:`Lanes`), processes that no student code ever reaches.  As each
submission's verdict is ready it goes to the run's journal (when there is
one), so a killed run loses none of the submissions it finished.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from b2bsm_teach.grade.intake import Submission
from b2bsm_teach.grade.journal import needs_retry
from b2bsm_teach.grade.verdicts import (
    evaluate_submission,
    not_graded_rows,
    run_notes,
    with_totals,
)

__all__ = ["Lanes", "grade_runs", "run_one"]


def _stage(sub: Submission, work: Path) -> Path:
    """The submission's code cells as a clean notebook (nbformat 4.5) in its work folder.

    Written as JSON here rather than with nbformat, whose import (jsonschema and its
    format checkers) costs the grader seconds of CPU; the runner validates it on reading.
    """
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"cell-{n:05d}",
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for n, source in enumerate(sub.cells or [])
    ]
    doc = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = work / "notebook.ipynb"
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="ascii")  # lone surrogates too
    return path


def run_one(sub: Submission, work: Path, box, cell_timeout, timeout, limits, lane=None):
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


def verdict_args(sub: Submission, result, timeout, cell_timeout, limits) -> tuple:
    """What :func:`evaluate_submission` needs for one finished run, its run note included:
    ``(set, student, answers, worked_on, note, data_seed)``."""
    state = result.state
    if result.outcome == "error":
        note = f"the sandbox could not run the notebook ({result.detail})"
    else:
        note = run_notes(state, result.outcome, timeout, cell_timeout, limits)
    return (
        sub.set_id,
        sub.student,
        None if state is None else state["answers"],
        None if state is None else state["worked_on"],
        note,
        sub.data_seed,
    )


def _evaluate_task(set_id, student, answers, worked_on, run_note, data_seed=None):
    return evaluate_submission(set_id, student, answers, worked_on, run_note, data_seed)


def _warm_up() -> bool:
    import b2bsm.exercises.session  # noqa: F401  (import the key once per worker)

    return True


def grade_runs(runnable, work, rows, records, notes, bar, journal=None) -> None:
    """Run every runnable submission and add its rows, answers and run note to the lists.

    ``work`` is ``(root, box, jobs, (cell_timeout, timeout, limits), evaluator)``;
    ``journal`` (a :class:`b2bsm_teach.grade.journal.Journal`) gets each
    submission as soon as its verdicts are ready.
    """
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
            future = runners.submit(run_one, sub, own, box, cell_timeout, timeout, limits, lane)
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
                        rows.extend(not_graded_rows(sub, sub.student))
                        bar.update(1)
                        continue
                    args = verdict_args(sub, result, timeout, cell_timeout, limits)
                    later = evaluator.submit(lanes[id(sub)], _evaluate_task, *args)
                    pending[later] = ("grade", sub)
                    sub.notes.append(args[4])
                else:
                    _verdict_ready(sub, future, (rows, records, notes), journal)
                    bar.update(1)


def _verdict_ready(sub: Submission, future: Future, into: tuple, journal) -> None:
    """Add a submission's verdicts to the run; journal them first, so a kill loses nothing."""
    rows, records, notes = into
    try:
        own_rows, record = future.result()
    except Exception as exc:  # not journalled: the next run grades it again
        sub.problem = f"grader error: {type(exc).__name__}: {exc}"
        rows.extend(not_graded_rows(sub, sub.student))
        return
    key = (sub.student, sub.set_id)
    if journal is not None:
        journal.add(sub, with_totals(own_rows, {key: record["note"]}), record["answers"])
    rows.extend(own_rows)
    if record["note"]:
        notes[key] = record["note"]
    records.append(
        {
            "student": sub.student,
            "set": sub.set_id,
            "file": sub.file,
            "answers": record["answers"],
            "sha256": sub.sha256,
            "retry": needs_retry(own_rows),
        }
    )


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


class Lanes:
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
