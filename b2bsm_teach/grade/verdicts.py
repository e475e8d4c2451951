"""Verdicts: a run's exported answers checked against the instructor's key, in rows.

Everything here runs in the grader's own processes; nothing of the student's
kernel reaches it but plain exported data.  One row per question (points
clamped to 0..max; open questions ``manual`` until hand-marked), and one
``TOTAL`` row per student and set that leads with what went wrong in the run.
"""

from __future__ import annotations

import json
import math

from b2bsm.exercises.ids import normalise_id
from b2bsm_teach.grade.intake import Submission, clean

__all__ = ["STATUSES", "evaluate_submission", "not_graded_rows", "run_notes", "with_totals"]

STATUSES = ("correct", "wrong", "not answered", "invalid", "manual", "missing")


def set_questions(set_id: str) -> list[tuple[str, int, str]]:
    """``(id, points, kind)`` of every question of a set, from the instructor's key."""
    from b2bsm.exercises.session import Exercises

    ex = Exercises(set_id, None)
    return [(qid, int(q.points), str(q.kind)) for qid, q in ex.questions.items()]


def run_notes(state: dict | None, outcome: str, timeout: float, cell_timeout: int, limits) -> str:
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
        else f"the data of student id {clean(used, 40)!r}"
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
        rows.append([student, set_id, qid, points, maximum, status, clean(feedback)])
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


def not_graded_rows(sub: Submission, who: str) -> list[list]:
    status = sub.status
    reason = clean(sub.problem or "not graded")
    if sub.set_id is None:
        unknown = "unknown exercise set: the notebook names none; pass --set"
        text = f"{reason}; {unknown}" if sub.problem else unknown
        return [[who, "", "TOTAL", 0.0, 0, status, clean(text)]]
    try:
        questions = set_questions(sub.set_id)
    except Exception as exc:
        return [[who, sub.set_id, "TOTAL", 0.0, 0, status, clean(f"{reason} ({exc})")]]
    if status == "not graded":
        reason = f"question not found: {reason}"
    return [[who, sub.set_id, qid, 0.0, points, status, reason] for qid, points, _ in questions]


def _qorder(qid: str) -> tuple[int, str]:
    return (int(qid[1:]), qid) if qid[1:].isdigit() else (10**6, qid)


def with_totals(rows: list[list], notes: dict | None = None) -> list[list]:
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
                note = clean("; ".join(p for p in parts if p))
            out.append([key[0], key[1], "TOTAL", points, maximum, status, note])
        out.extend(totals)
    return out
