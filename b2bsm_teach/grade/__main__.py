"""``python -m b2bsm_teach.grade``: grade, export, merge hand marks, write feedback.

Commands (``python -m b2bsm_teach.grade COMMAND --help`` for every option)::

    python -m b2bsm_teach.grade SUBMISSIONS --out grades.csv [--roster roster.csv]
    python -m b2bsm_teach.grade export   --gradebook grades.csv [--roster roster.csv]
    python -m b2bsm_teach.grade merge    MARKED.csv [...] --gradebook grades.csv
    python -m b2bsm_teach.grade feedback --gradebook grades.csv [--format md,html]
    python -m b2bsm_teach.grade report   --gradebook grades.csv --set NN [--out DIR]
    python -m b2bsm_teach.grade merge-gradebooks grades.csv shard-1.csv shard-2.csv [...]

A run grades only new or changed submissions (by content hash; ``--regrade``
grades all), saves each one as it finishes (an interrupted run resumes), and
with ``--shard i/N`` only its shard of the class (docs/grading-at-scale.md).
Grading folds the run into the gradebook (other sets and students stay), then
writes the exports beside it (``exports/`` unless ``--exports DIR``):
``wide.csv``, ``canvas_<set>.csv``, ``moodle_<set>.csv``, ``marking/`` sheets for the open
questions, and with a roster ``roster_report.csv``.  Every command prints one
line per thing it wrote and exits non-zero when it could not do its job.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import os
import secrets
import sys
from pathlib import Path

from b2bsm_teach.grade.confine import alive

COMMANDS = ("grade", "export", "merge", "feedback", "report", "merge-gradebooks")
UNSANDBOXED_WARNING = (
    "warning: --unsandboxed: each student's notebook runs as you, with no sandbox. Its code "
    "can read every file you can read (the other submissions, the solutions and answer key, "
    "this gradebook, your home folder), write where you can write, use the network, and leave "
    "processes running after grading. Use it only where bubblewrap cannot run, on a machine or "
    "account that holds nothing else."
)


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def missing_answer_key() -> list[str]:
    """Modules of the answer key (``b2bsm_teach/exercises/sets/lessonNN.py``) not installed here.

    A student release ships none of them; the instructor's copy of the kit has all.
    """
    from b2bsm_teach.exercises.sets import SETS

    if not SETS:
        return ["b2bsm_teach.exercises.sets.lessonNN"]
    missing = []
    for module in SETS.values():
        try:
            found = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            found = None
        if found is None:
            missing.append(module)
    return missing


def _key_problem() -> str | None:
    missing = missing_answer_key()
    if not missing:
        return None
    names = ", ".join(m.rsplit(".", 1)[-1] + ".py" for m in missing[:4])
    more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
    return (
        f"the answer key is not installed here (b2bsm_teach/exercises/sets/ lacks {names}{more}): "
        "this looks like a student release; grade from the instructor's copy of the kit "
        "(the full repository, installed with pip install -e .)."
    )


def _canvas_ids(text: str | None) -> dict[str, str]:
    """``"02=1234,03=1240"`` -> ``{"02": "1234", "03": "1240"}``."""
    found = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        set_id, sep, ident = part.partition("=")
        if not sep or not set_id.strip() or not ident.strip():
            raise ValueError(
                f"--canvas-ids takes SET=ASSIGNMENT_ID pairs separated by commas "
                f"(e.g. 02=1234,03=1240); got {part!r}."
            )
        found[set_id.strip()] = ident.strip()
    return found


def _roster(args, exports_dir: Path):
    """The roster given with --roster, else the copy the last graded run kept beside the exports."""
    from b2bsm_teach.grade.roster import Roster

    kept = exports_dir / "roster.csv"
    if args.roster is not None:
        roster = Roster.read(args.roster)
        roster.write(kept)
        return roster
    if kept.is_file():
        print(f"roster: using {kept} (kept by the last grading run; pass --roster to change it)")
        return Roster.read(kept)
    return None


def _export_all(gradebook: Path, exports_dir: Path, roster, canvas_ids, marking=True) -> int:
    """Write wide/Canvas/Moodle files and marking sheets; print what was written."""
    from b2bsm_teach.grade.exports import graded_in, lms_file, write_exports
    from b2bsm_teach.grade.handmark import write_marking_sheets

    paths, view = write_exports(gradebook, exports_dir, roster, canvas_ids)
    to_mark = sum(view.to_mark(s) for s in view.students)
    per_set = ", ".join(f"{s}: {len(graded_in(view, s))}" for s in view.sets)
    names = ", ".join(lms_file(lms, s) for s in view.sets[:2] for lms in ("canvas", "moodle"))
    print(
        f"exports: {paths[0]} ({len(view.students)} students x {len(view.sets)} set(s)), "
        f"{names}{' ...' if len(view.sets) > 2 else ''} (one file per set, only students with "
        f"a grade in it: {per_set or 'none'}"
        f"{'' if roster else '; keyed by student id: pass --roster for LMS identities'})"
    )
    if marking:
        sheets = write_marking_sheets(gradebook, exports_dir / "marking")
        if sheets:
            marked = sum(s.marked for s in sheets)
            answers = sum(s.answers for s in sheets)
            print(
                f"marking: {len(sheets)} sheet(s) in {exports_dir / 'marking'} "
                f"({answers} open answers, {marked} marked; "
                f"{to_mark} still to mark in the gradebook)"
            )
    if to_mark:
        print(
            f"note: {to_mark} open answer(s) are not marked; the exports count them as 0 until "
            "you merge the marking sheets."
        )
    return 0


# ---------------------------------------------------------------------------
# grade
# ---------------------------------------------------------------------------
def _grade_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m b2bsm_teach.grade",
        description="Grade a folder of submitted exercise notebooks into the course gradebook "
        "and write its exports (wide, Canvas, Moodle, marking sheets).",
        epilog="Other commands: export, merge, feedback "
        "(python -m b2bsm_teach.grade merge --help).",
    )
    p.add_argument("submissions", type=Path, help="folder of <student-id>.ipynb files")
    p.add_argument("--out", type=Path, default=Path("grades.csv"), help="the long gradebook CSV")
    p.add_argument("--roster", type=Path, help="class roster CSV (student_id, name, email, ...)")
    p.add_argument(
        "--exports", type=Path, help="folder for exports (default: exports/ beside --out)"
    )
    _canvas_ids_arg(p)
    p.add_argument("--fresh", action="store_true", help="start a new gradebook instead of adding")
    p.add_argument("--unsandboxed", action="store_true", help="run notebooks without a sandbox")
    p.add_argument("--set", dest="set_id", help="exercise set if a notebook lost its metadata")
    p.add_argument("--jobs", type=int, default=2, help="notebooks graded at once")
    p.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell")
    p.add_argument("--timeout", type=int, default=300, help="seconds per notebook")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--regrade",
        "--all",
        action="store_true",
        help="grade every submission again, also those already graded with the same content",
    )
    p.add_argument("--shard", help="grade only shard i of N of the class, e.g. 2/4")
    return p


def _grade(argv: list[str]) -> int:
    args = _grade_parser().parse_args(argv)
    problem = _key_problem()
    if problem:
        return _fail(problem)
    from b2bsm_teach.grade.exports import (
        ClassView,
        GradebookError,
        Row,
        answers_path,
        default_exports_dir,
        read_answers,
        read_gradebook,
    )
    from b2bsm_teach.grade.roster import RosterError

    try:
        canvas_ids = _canvas_ids(args.canvas_ids)
    except ValueError as exc:
        return _fail(str(exc))
    if not args.submissions.is_dir():
        return _fail(f"{args.submissions} is not a folder of submitted notebooks.")
    from b2bsm_teach.grade import journal, shards

    try:
        shard = None if args.shard is None else shards.parse_shard(args.shard)
    except ValueError as exc:
        return _fail(str(exc))
    if shard is not None and shards.secret_problem(args.out):
        return _fail(shards.secret_problem(args.out))
    out = args.out
    exports_dir = args.exports or default_exports_dir(out)
    try:
        roster = _roster(args, exports_dir)
    except RosterError as exc:
        return _fail(str(exc))
    if out.exists() and not args.fresh:  # a gradebook that cannot be read stops the run now
        try:
            read_gradebook(out)
        except GradebookError as exc:
            return _fail(f"{exc} (or pass --fresh to replace it)")

    from b2bsm_teach.grade import grader

    params = inspect.signature(grader.grade_folder).parameters
    kwargs = {
        "default_set": args.set_id,
        "jobs": args.jobs,
        "cell_timeout": args.cell_timeout,
        "timeout": args.timeout,
        "progress": not args.quiet,
    }
    if "sandbox" in params:
        kwargs["sandbox"] = "none" if args.unsandboxed else "auto"
    if "roster_ids" in params and roster is not None:
        kwargs["roster_ids"] = roster.ids
    skip, resumable = journal.plan(out, args.fresh, args.regrade)
    tally: dict[str, int] = {}
    scale = {"shard": shard, "skip": skip, "journal": journal.journal_path(out), "tally": tally}
    if shard is not None and "shard" not in params:
        return _fail("this grader cannot grade a shard (no shard parameter); grade without --shard")
    kwargs.update({k: v for k, v in scale.items() if k in params})
    try:
        sandbox_module = importlib.import_module("b2bsm_teach.grade.sandbox")
    except ImportError:
        sandbox_module = None
    sandbox_error = getattr(sandbox_module, "SandboxUnavailable", None)
    if args.unsandboxed:
        describe = getattr(sandbox_module, "describe_unsandboxed", None)
        print(describe() if describe else UNSANDBOXED_WARNING, file=sys.stderr)

    # The run is written beside the gradebook (the grader hides that folder from every
    # sandbox), then folded into the gradebook, which keeps the other sets and students.
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(out)
    run_out = out.with_name(f".{out.stem}.run-{os.getpid()}-{secrets.token_hex(4)}.csv")
    try:
        try:
            raw = grader.grade_folder(args.submissions, run_out, **kwargs)
        except FileNotFoundError as exc:
            return _fail(str(exc))
        except Exception as exc:
            if sandbox_error is not None and isinstance(exc, sandbox_error):
                return _fail(
                    f"{exc}\nTo grade anyway without a sandbox, add --unsandboxed "
                    "(read what it exposes in docs/instructors.md first)."
                )
            raise
        if run_out.is_file():
            new_rows = read_gradebook(run_out)
        else:  # a grader that returned rows without writing them
            new_rows = [
                Row(str(r[0]), str(r[1]), str(r[2]), float(r[3]), float(r[4]), str(r[5]), str(r[6]))
                for r in raw
            ]
        new_answers = read_answers(answers_path(run_out))
        new_index = journal.read_index(journal.index_path(run_out))
    finally:
        for path in (run_out, answers_path(run_out), journal.index_path(run_out)):
            path.unlink(missing_ok=True)
    # Under the lock, read again (another run may have written in the meantime), with the
    # submissions a killed run journalled; the journal goes once they are in the gradebook.
    rows, kept, resumed = journal.fold_run(out, new_rows, new_answers, new_index, args.fresh)
    _scale_summary(tally, resumed, resumable, shard)

    duplicates = sorted({r.student for r in new_rows if r.status == "duplicate"})
    if duplicates:
        print(
            f"warning: {len(duplicates)} student(s) have several files in {args.submissions} "
            f"and were not graded this time: {', '.join(duplicates[:10])}"
            f"{' ...' if len(duplicates) > 10 else ''}. Their earlier grade (if any) is kept; "
            "keep one file per student (the feedback column names the files) and grade again.",
            file=sys.stderr,
        )
    totals = [r for r in new_rows if r.is_total]
    sets = sorted({r.set for r in totals if r.set})
    view = ClassView(new_rows)
    failed = sum(view.entry(t.student, t.set).status == "not graded" for t in totals)
    earlier = len({(r.student, r.set) for r in rows}) - len(totals)
    print(
        f"graded {len(totals)} submission(s) of set {', '.join(sets) or '?'}"
        f"{f' ({failed} could not be graded: see the feedback column)' if failed else ''}; "
        f"gradebook {out} ({earlier} earlier submission(s) kept"
        f"{f', {kept} hand mark(s) kept' if kept else ''}), answers {answers_path(out)}"
    )
    if roster is not None:
        report = roster.check_submissions(args.submissions)
        report_path = report.write(exports_dir / "roster_report.csv")
        print(f"{report.summary()} -> {report_path}")
    earlier_work = resumed or tally.get("skipped")  # the gradebook has their grades
    if shard is not None and not new_rows and not earlier_work:  # a small class, many shards
        print(f"shard {shard[0]}/{shard[1]} has no submission of {args.submissions}: nothing to do")
        return 0
    if not totals and not earlier_work:
        return _fail("no submission was graded; see the messages above.", 1)
    if totals and len(totals) == failed and not earlier_work:
        return _fail(
            "no submission could be graded (every row is 'not graded'); read the feedback column "
            f"of {out} for the reason.",
            1,
        )
    return _export_all(out, exports_dir, roster, canvas_ids)


def _scale_summary(tally: dict, resumed: int, resumable: int, shard) -> None:
    """Say what this run left out: other shards, unchanged submissions, a killed run's work."""
    if shard is not None:
        print(
            f"shard {shard[0]}/{shard[1]}: {tally.get('other shards', 0)} submission(s) of the "
            "folder belong to other shards"
        )
    if tally.get("skipped"):
        print(
            f"skipped {tally['skipped']} submission(s) already graded with the same content "
            "(--regrade grades them again)"
        )
    if resumable:
        print(f"resumed: {resumed} submission(s) finished by an interrupted run were folded in")


def _clean_leftovers(out: Path) -> None:
    """Remove the run files that a grading run killed before it could tidy up left beside ``out``.

    Their names carry the run's pid: files of a run still going are left alone.
    """
    import re

    pattern = re.compile(
        rf"\.{re.escape(out.stem)}\.run-(\d+)(?:-[0-9a-f]+)?"
        r"(?:\.answers\.jsonl|\.submissions\.jsonl|\.csv)"
    )
    for path in out.parent.glob(f".{out.stem}.run-*"):
        found = pattern.fullmatch(path.name)
        if found and not alive(int(found.group(1))):
            path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------
# export, merge, feedback
# ---------------------------------------------------------------------------
def _canvas_ids_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--canvas-ids", help="Canvas assignment ids per set, e.g. 02=1234,03=1240")


def _gradebook_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gradebook", type=Path, default=Path("grades.csv"), help="the long gradebook")
    p.add_argument(
        "--roster", type=Path, help="class roster CSV (default: the one kept by grading)"
    )
    p.add_argument(
        "--exports", type=Path, help="exports folder (default: exports/ beside the gradebook)"
    )


def _export(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m b2bsm_teach.grade export",
        description="Write the wide, Canvas and Moodle files and the marking sheets again.",
    )
    _gradebook_args(p)
    _canvas_ids_arg(p)
    args = p.parse_args(argv)
    from b2bsm_teach.grade.exports import GradebookError, default_exports_dir
    from b2bsm_teach.grade.roster import RosterError

    exports_dir = args.exports or default_exports_dir(args.gradebook)
    try:
        roster = _roster(args, exports_dir)
        return _export_all(args.gradebook, exports_dir, roster, _canvas_ids(args.canvas_ids))
    except (GradebookError, RosterError, ValueError) as exc:
        return _fail(str(exc))


def _merge(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m b2bsm_teach.grade merge",
        description="Merge marked sheets (points and comments for open answers) into the "
        "gradebook, then write every export again.",
    )
    p.add_argument("marked", type=Path, nargs="+", help="marked sheet(s), e.g. marking/02_q6.csv")
    _gradebook_args(p)
    _canvas_ids_arg(p)
    args = p.parse_args(argv)
    from b2bsm_teach.grade.exports import GradebookError, default_exports_dir
    from b2bsm_teach.grade.handmark import MarkingError, merge_marks
    from b2bsm_teach.grade.roster import RosterError

    exports_dir = args.exports or default_exports_dir(args.gradebook)
    try:
        roster = _roster(args, exports_dir)
        canvas_ids = _canvas_ids(args.canvas_ids)
        result = merge_marks(args.marked, args.gradebook)
    except MarkingError as exc:
        return _fail(str(exc), 1)
    except (GradebookError, RosterError, ValueError) as exc:
        return _fail(str(exc))
    print(
        f"merged {result.marked} mark(s) into {args.gradebook} ({result.unchanged} unchanged, "
        f"{result.blank} left blank); {result.to_mark} open answer(s) still to mark"
    )
    return _export_all(args.gradebook, exports_dir, roster, canvas_ids)


def _feedback(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m b2bsm_teach.grade feedback",
        description="Write one feedback file per student (their answers, points and feedback).",
    )
    _gradebook_args(p)
    p.add_argument("--out", type=Path, help="folder for the files (default: <exports>/feedback)")
    p.add_argument("--format", default="md,html", help="md, html or md,html (default)")
    args = p.parse_args(argv)
    from b2bsm_teach.grade.exports import GradebookError, default_exports_dir
    from b2bsm_teach.grade.feedback import write_feedback
    from b2bsm_teach.grade.roster import RosterError

    exports_dir = args.exports or default_exports_dir(args.gradebook)
    out = args.out or exports_dir / "feedback"
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    try:
        roster = _roster(args, exports_dir)
        if out.is_dir() and not args.out:  # our own folder: no stale files of removed students
            for old in [*out.glob("*.md"), *out.glob("*.html")]:
                old.unlink()
        paths = write_feedback(args.gradebook, out, roster, formats)
    except (GradebookError, RosterError, ValueError) as exc:
        return _fail(str(exc))
    students = len({p.stem for p in paths})
    print(f"feedback: {students} student(s), {len(paths)} file(s) in {out}")
    from b2bsm_teach.grade.exports import ClassView, read_gradebook

    view = ClassView(read_gradebook(args.gradebook), roster)
    pending = sum(view.to_mark(s) for s in view.students)
    if pending:
        print(f"note: {pending} open answer(s) are not marked yet; their files say so.")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        command, rest = argv[0], argv[1:]
    else:
        command, rest = "grade", argv
    if command == "report":  # the class mistake report (b2bsm_teach/grade/report.py)
        from b2bsm_teach.grade.report import main as report_main

        return report_main(rest)
    if command == "merge-gradebooks":  # shard gradebooks (b2bsm_teach/grade/shards.py)
        from b2bsm_teach.grade.shards import main as merge_gradebooks_main

        return merge_gradebooks_main(rest)
    return {"grade": _grade, "export": _export, "merge": _merge, "feedback": _feedback}[command](
        rest
    )


if __name__ == "__main__":
    raise SystemExit(main())
