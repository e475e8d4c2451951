"""Time the grader on an honest class: the old in-kernel grader against this checkout's.

Usage::

    python benchmarks/grading.py [--students 40] [--jobs 2] [--rounds 1] [--ref 51219ad]

Builds ``--students`` honest set-02 submissions (the solution master with its
hidden-check cells removed and ``STUDENT_ID`` set to the file's id) twice:
once from the master at ``--ref`` for the old grader (default: the last commit
whose grader ran the hidden checks in the student's kernel), once from this
checkout's master for the new one.  The old grader runs from a ``git archive``
of ``--ref`` (kit, masters and all, found first on ``PYTHONPATH``); the new one
is ``b2bsm_teach.grade.grader.grade_folder`` of this checkout, sandboxed with
bubblewrap.  All run in the same invocation, in reverse order every other
round, and the script prints a Markdown table of wall time, CPU time of the
child processes and how many submissions got every automatic point.  The
figures in ``benchmarks/grading.md`` come from it.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
MASTER = "solutions/02_survey_data_exercises.ipynb"
#: The last commit whose grader ran the hidden checks in the student's kernel (issue 14).
OLD_REF = "51219ad"


def honest_class(master_text: str, folder: Path, students: int) -> list[str]:
    """Write ``students`` honest notebooks made from one master; return their ids."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"s{4000000 + n:07d}" for n in range(students)]
    for sid in ids:
        nb = nbformat.reads(master_text, as_version=4)
        nb.cells = [c for c in nb.cells if "hidden-check" not in c.metadata.get("tags", [])]
        for cell in nb.cells:
            cell.source = re.sub(r"(?m)^STUDENT_ID = .*$", f'STUDENT_ID = "{sid}"', cell.source)
        nbformat.write(nb, folder / f"{sid}.ipynb")
    return ids


def old_kit(ref: str, where: Path) -> Path:
    """A copy of the kit at ``ref`` (git archive), for the old grader."""
    archive = where / "old.tar"
    subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), ref], check=True
    )
    target = where / "old"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_old(kit: Path, folder: Path, out: Path, jobs: int) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(kit)}
    cmd = [sys.executable, "-m", "b2bsm_teach.grade", str(folder), "--out", str(out)]
    cmd += ["--jobs", str(jobs), "--quiet"]
    cpu, start = _children_cpu(), time.monotonic()
    subprocess.run(cmd, cwd=kit, env=env, check=True, capture_output=True)
    return time.monotonic() - start, _children_cpu() - cpu


#: The "visible" mode: the sandboxed grader as it was before it hid the answer key (no probe,
#: so the key modules stay in the sandbox and no grading key is written per submission).
SHOW_KEY = (
    "import b2bsm_teach.grade.sandbox as S\n"
    "_create = S.Sandbox.create.__func__\n"
    "def _shown(cls, mode='auto', forbidden=(), set_ids=()):\n"
    "    return _create(cls, mode, forbidden=forbidden)\n"
    "S.Sandbox.create = classmethod(_shown)\n"
)


def run_new(
    folder: Path, out: Path, jobs: int, sandbox: str, show_key: bool = False
) -> tuple[float, float]:
    code = (
        (SHOW_KEY if show_key else "") + "import sys\n"
        "from b2bsm_teach.grade.grader import grade_folder\n"
        "grade_folder(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]), progress=False,\n"
        "             sandbox=sys.argv[4])\n"
    )
    cmd = [sys.executable, "-c", code, str(folder), str(out), str(jobs), sandbox]
    cpu, start = _children_cpu(), time.monotonic()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.monotonic() - start, _children_cpu() - cpu


def full_marks(out: Path) -> tuple[int, int]:
    """(submissions with every automatic point, submissions) from a long gradebook."""
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    students = {r["student"] for r in rows}
    good = 0
    for student in students:
        own = [r for r in rows if r["student"] == student and r["question"] != "TOTAL"]
        if own and all(r["status"] in ("correct", "manual") for r in own):
            good += 1
    return good, len(students)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--ref",
        default=OLD_REF,
        help="git revision of the old grader (default: the last commit before the sandbox)",
    )
    parser.add_argument(
        "--modes",
        default="old,new",
        help="what to time, in order: old, new (sandboxed), visible (sandboxed, but with the "
        "answer key left in the sandbox, as before it was hidden), unsandboxed (the new grader "
        "with --unsandboxed: its CPU column is complete, while bubblewrap reaps its sandbox's "
        "processes itself, so their CPU time is missing from the sandboxed rows)",
    )
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if {"new", "visible"} & set(modes) and not shutil.which("bwrap"):
        parser.error("bubblewrap is not installed: time --modes old,unsandboxed instead")
    with tempfile.TemporaryDirectory(prefix="b2bsm-bench-") as tmp:
        where = Path(tmp)
        kit = old_kit(args.ref, where)
        old_master = (kit / MASTER).read_text(encoding="utf-8")
        new_master = (ROOT / MASTER).read_text(encoding="utf-8")
        honest_class(old_master, where / "old-class", args.students)
        honest_class(new_master, where / "new-class", args.students)
        results: dict[str, list[tuple[float, float, tuple[int, int]]]] = {m: [] for m in modes}
        load = [os.getloadavg()[0]]
        for n in range(args.rounds):
            for which in modes if n % 2 == 0 else modes[::-1]:
                out = where / f"{which}-{n}.csv"
                if which == "old":
                    wall, cpu = run_old(kit, where / "old-class", out, args.jobs)
                else:
                    sandbox = "none" if which == "unsandboxed" else "auto"
                    wall, cpu = run_new(
                        where / "new-class", out, args.jobs, sandbox, which == "visible"
                    )
                results[which].append((wall, cpu, full_marks(out)))
                load.append(os.getloadavg()[0])
    print(f"{args.students} honest set-02 notebooks, --jobs {args.jobs}, {os.cpu_count()} CPUs")
    print(f"load average (1 min) before/between/after runs: {', '.join(f'{x:.1f}' for x in load)}")
    print()
    print("| grader | round | wall (s) | CPU of children (s) | full automatic marks |")
    print("|---|---|---|---|---|")
    labels = {
        "old": f"old ({args.ref})",
        "new": "new (sandboxed)",
        "visible": "new (sandboxed, key left visible)",
        "unsandboxed": "new, unsandboxed",
    }
    for which in modes:
        for n, (wall, cpu, (good, total)) in enumerate(results[which], start=1):
            shown = f"({cpu:.1f})" if which in ("new", "visible") else f"{cpu:.1f}"
            print(f"| {labels[which]} | {n} | {wall:.1f} | {shown} | {good}/{total} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
