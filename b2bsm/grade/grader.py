"""The grader: run each submission in a sandboxed subprocess, collect hidden-check results."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat

from b2bsm._paths import REPO_ROOT

HIDDEN_TAG = "hidden-check"
COLUMNS = ["student", "set", "question", "points", "max_points", "status", "feedback"]
MAX_OUTPUT_CHARS = 10_000


def _master_for(set_id: str, solutions: Path) -> Path:
    matches = sorted(solutions.glob(f"{set_id}_*_exercises.ipynb"))
    if not matches:
        raise FileNotFoundError(f"no master notebook for set {set_id!r} in {solutions}.")
    return matches[0]


def _set_of(nb, default: str | None) -> str | None:
    meta = nb.metadata.get("b2bsm", {}) if isinstance(nb.metadata, dict) else {}
    return meta.get("exercise_set", default) if isinstance(meta, dict) else default


def _rows_for(student, set_id, questions, records, problem):
    """One row per question of the set, from the hidden-check records (or zero)."""
    by_q = {r.get("question"): r for r in records if isinstance(r, dict)}
    rows = []
    for qid, max_points in questions:
        rec = by_q.get(qid)
        if rec is None:
            why = problem or "the hidden check did not run"
            rows.append(
                [student, set_id, qid, 0, max_points, "not graded", f"question not found: {why}"]
            )
            continue
        status = rec.get("status", "")
        feedback = str(rec.get("feedback", ""))[:500]
        if status == "manual":
            feedback = "needs manual grading"
        rows.append(
            [student, set_id, qid, float(rec.get("points", 0)), max_points, status, feedback]
        )
    return rows


def grade_notebook(
    path: Path,
    *,
    default_set: str | None = None,
    solutions: Path | None = None,
    cell_timeout: int = 60,
    timeout: int = 300,
) -> list[list]:
    """Grade one submission; returns CSV rows (never raises for a bad submission)."""
    from b2bsm.exercises.session import load_set

    path = Path(path)
    solutions = Path(solutions) if solutions is not None else REPO_ROOT / "solutions"
    student = path.stem
    try:
        nb = nbformat.read(path, as_version=4)
        problem = None
    except Exception as exc:  # not JSON, not a notebook
        nb, problem = None, f"the file is not a valid notebook ({type(exc).__name__})"
    set_id = _set_of(nb, default_set) if nb is not None else default_set
    if set_id is None:
        return [
            [
                student,
                "",
                "TOTAL",
                0,
                0,
                "not graded",
                problem or "unknown exercise set: pass --set",
            ]
        ]
    questions = [(q.id, q.points) for q in load_set(set_id).QUESTIONS]
    records: list = []
    if nb is not None:
        records, problem = _execute(nb, student, set_id, solutions, cell_timeout, timeout)
    return _rows_for(student, set_id, questions, records, problem)


def _execute(nb, student, set_id, solutions, cell_timeout, timeout):
    """Run a copy of the submission plus the hidden checks in a child process."""
    master = nbformat.read(_master_for(set_id, solutions), as_version=4)
    hidden = [c for c in master.cells if HIDDEN_TAG in c.metadata.get("tags", [])]
    cells = [c for c in nb.cells if HIDDEN_TAG not in c.metadata.get("tags", [])]
    nb.cells = cells + [nbformat.from_dict(c) for c in hidden]
    with tempfile.TemporaryDirectory(prefix="b2bsm-grade-") as tmp:
        work = Path(tmp)
        run_nb = work / "submission.ipynb"
        nbformat.write(nb, run_nb)
        log = work / "grade-log.jsonl"
        env = {
            **os.environ,
            "B2BSM_GRADE_LOG": str(log),
            "B2BSM_STUDENT_ID": student,
            "PYTHONWARNINGS": "ignore",
        }
        cmd = [sys.executable, "-m", "b2bsm.grade._run", str(run_nb), str(cell_timeout)]
        proc = subprocess.Popen(
            cmd,
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _, err = proc.communicate(timeout=timeout)
            problem = None
            if proc.returncode != 0:
                tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
                problem = f"the notebook could not be run to the end ({tail[0][:200]})"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            problem = f"the notebook ran longer than {timeout} s and was stopped"
        records = []
        if log.is_file():
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        shutil.rmtree(work, ignore_errors=True)
    return records, problem


def grade_folder(
    folder: Path,
    out: Path,
    *,
    default_set: str | None = None,
    jobs: int = 2,
    cell_timeout: int = 60,
    timeout: int = 300,
    progress: bool = True,
) -> list[list]:
    """Grade every ``*.ipynb`` in ``folder`` in parallel and write the gradebook CSV."""
    from tqdm.auto import tqdm

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submitted notebooks.")
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no .ipynb files in {folder}.")
    if default_set is None:
        default_set = _common_set(paths)
    rows: list[list] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            pool.submit(
                grade_notebook,
                p,
                default_set=default_set,
                cell_timeout=cell_timeout,
                timeout=timeout,
            ): p
            for p in paths
        }
        bar = tqdm(
            total=len(paths), desc="grading", unit="notebook", disable=not progress, file=sys.stderr
        )
        for future in as_completed(futures):
            path = futures[future]
            try:
                student_rows = future.result()
            except Exception as exc:  # a grader bug must not lose the other students
                student_rows = [
                    [
                        path.stem,
                        default_set or "",
                        "TOTAL",
                        0,
                        0,
                        "not graded",
                        f"grader error: {type(exc).__name__}: {exc}"[:300],
                    ]
                ]
            rows.extend(student_rows)
            bar.update(1)
        bar.close()
    rows = _with_totals(rows)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return rows


def _common_set(paths: list[Path]) -> str | None:
    """The exercise set shared by every readable submission (to grade broken ones too)."""
    sets = set()
    for path in paths:
        try:
            found = _set_of(nbformat.read(path, as_version=4), None)
        except Exception:  # unreadable: it gets graded (zero) with the common set
            continue
        if found:
            sets.add(found)
    return sets.pop() if len(sets) == 1 else None


def _with_totals(rows: list[list]) -> list[list]:
    by_student: dict[str, list[list]] = {}
    for row in rows:
        by_student.setdefault(row[0], []).append(row)
    out = []
    for student in sorted(by_student):
        own = [r for r in by_student[student] if r[2] != "TOTAL"]
        totals = [r for r in by_student[student] if r[2] == "TOTAL"]
        out.extend(sorted(own, key=lambda r: int(r[2][1:]) if r[2][1:].isdigit() else 0))
        if own:
            points = sum(float(r[3]) for r in own)
            maximum = sum(int(r[4]) for r in own)
            manual = sum(r[5] == "manual" for r in own)
            note = f"{manual} open answer(s) need manual grading" if manual else ""
            out.append([student, own[0][1], "TOTAL", points, maximum, "total", note])
        out.extend(totals)
    return out
