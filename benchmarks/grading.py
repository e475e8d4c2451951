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

Cost per submission::

    python benchmarks/grading.py --students 4 --jobs 1 --rounds 2 \
        --modes floor,ref,new --ref-python ../main/.venv/bin/python

``floor`` starts one fresh kernel per student that imports pandas and scipy (the
cost no grader can go under); ``ref`` is the ``grade_folder`` of another
checkout, run by that checkout's interpreter, beside this one's (``new``).  As
root, with the v1 ``cpuacct`` controller, each command runs in a control group
of its own and its CPU figure counts every process it started, the sandboxed
ones included; the table then gives CPU per notebook and its ratio to the floor.
"""

from __future__ import annotations

import argparse
import contextlib
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


CPUACCT = Path("/sys/fs/cgroup/cpuacct")


def _measured(cmd: list[str], **kwargs) -> tuple[float, float, bool]:
    """Run ``cmd``; ``(wall s, CPU s, complete)``.

    As root on a machine with the v1 ``cpuacct`` controller, the command runs in a
    control group of its own, whose CPU counts every process it started, sandboxed
    ones included (``complete``).  Otherwise the CPU is what the command's waited-for
    children used, which misses what bubblewrap reaps itself.
    """
    group = None
    if os.geteuid() == 0 and (CPUACCT / "cgroup.procs").exists():
        group = CPUACCT / f"b2bsm-bench-{os.getpid()}-{time.monotonic_ns()}"
        try:
            group.mkdir()
        except OSError:
            group = None
    procs = None if group is None else str(group / "cgroup.procs")

    def enter() -> None:
        if procs is not None:
            Path(procs).write_text(str(os.getpid()))

    cpu, start = _children_cpu(), time.monotonic()
    try:
        subprocess.run(cmd, check=True, capture_output=True, preexec_fn=enter, **kwargs)
        wall = time.monotonic() - start
        if group is None:
            return wall, _children_cpu() - cpu, False
        return wall, int((group / "cpuacct.usage").read_text()) / 1e9, True
    finally:
        if group is not None:
            time.sleep(0.2)  # the last processes of the group leave it
            with contextlib.suppress(OSError):  # a process still leaving: the group stays empty
                group.rmdir()


#: The floor of a graded submission: a fresh kernel that imports pandas and scipy (what every
#: set-02 notebook imports) and stops.  One client (nbclient, without jsonschema's IRI checker,
#: as the grader's runner) starts the kernels one after the other.
FLOOR = (
    "import sys\n"
    "sys.modules.setdefault('rfc3987_syntax', None)\n"
    "import nbformat\n"
    "from nbclient import NotebookClient\n"
    "for _ in range(int(sys.argv[1])):\n"
    "    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(\n"
    "        'import pandas, scipy, scipy.stats')])\n"
    "    NotebookClient(nb, kernel_name='python3', timeout=120).execute()\n"
)


def run_floor(count: int) -> tuple[float, float, bool]:
    """``count`` fresh kernels that import pandas and scipy, one after the other."""
    return _measured([sys.executable, "-c", FLOOR, str(count)], cwd=ROOT)


def run_old(kit: Path, folder: Path, out: Path, jobs: int) -> tuple[float, float, bool]:
    env = {**os.environ, "PYTHONPATH": str(kit)}
    cmd = [sys.executable, "-m", "b2bsm_teach.grade", str(folder), "--out", str(out)]
    cmd += ["--jobs", str(jobs), "--quiet"]
    return _measured(cmd, cwd=kit, env=env)


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
    folder: Path,
    out: Path,
    jobs: int,
    sandbox: str,
    show_key: bool = False,
    python: str | None = None,
) -> tuple[float, float, bool]:
    """This checkout's ``grade_folder``, or with ``python`` the one that interpreter imports."""
    code = (
        (SHOW_KEY if show_key else "") + "import sys\n"
        "from b2bsm_teach.grade.grader import grade_folder\n"
        "grade_folder(sys.argv[1], sys.argv[2], jobs=int(sys.argv[3]), progress=False,\n"
        "             sandbox=sys.argv[4])\n"
    )
    cmd = [python or sys.executable, "-c", code, str(folder), str(out), str(jobs), sandbox]
    # python -c puts its working folder first on sys.path: another interpreter's kit must not
    # be shadowed by this checkout.
    return _measured(cmd, cwd=ROOT if python is None else folder.parent)


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
        "with --unsandboxed), floor (one fresh kernel per student that imports pandas and "
        "scipy: the cost no grader can go under). As root with the cpuacct controller every "
        "CPU figure is complete; otherwise bubblewrap reaps its sandbox's processes itself, "
        "so their CPU is missing from the sandboxed rows (shown in brackets)",
    )
    parser.add_argument(
        "--ref-python",
        help="for --modes ref: the Python of another checkout's virtual environment (its "
        "editable install), e.g. ../main/.venv/bin/python, to time that grader beside this one",
    )
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(modes) - {"old", "new", "visible", "unsandboxed", "floor", "ref"}
    if unknown:
        parser.error(f"unknown mode(s) {', '.join(sorted(unknown))}")
    if "ref" in modes and not args.ref_python:
        parser.error("--modes ref needs --ref-python (the other checkout's .venv/bin/python)")
    if {"new", "visible", "ref"} & set(modes) and not shutil.which("bwrap"):
        parser.error("bubblewrap is not installed: time --modes old,unsandboxed instead")
    with tempfile.TemporaryDirectory(prefix="b2bsm-bench-") as tmp:
        where = Path(tmp)
        kit = old_kit(args.ref, where)
        old_master = (kit / MASTER).read_text(encoding="utf-8")
        new_master = (ROOT / MASTER).read_text(encoding="utf-8")
        honest_class(old_master, where / "old-class", args.students)
        honest_class(new_master, where / "new-class", args.students)
        results: dict[str, list[tuple[float, float, bool, tuple[int, int] | None]]] = {
            m: [] for m in modes
        }
        load = [os.getloadavg()[0]]
        for n in range(args.rounds):
            for which in modes if n % 2 == 0 else modes[::-1]:
                out = where / f"{which}-{n}.csv"
                if which == "floor":
                    results[which].append((*run_floor(args.students), None))
                    load.append(os.getloadavg()[0])
                    continue
                if which == "old":
                    wall, cpu, whole = run_old(kit, where / "old-class", out, args.jobs)
                else:
                    sandbox = "none" if which == "unsandboxed" else "auto"
                    wall, cpu, whole = run_new(
                        where / "new-class",
                        out,
                        args.jobs,
                        sandbox,
                        which == "visible",
                        args.ref_python if which == "ref" else None,
                    )
                results[which].append((wall, cpu, whole, full_marks(out)))
                load.append(os.getloadavg()[0])
    print(f"{args.students} honest set-02 notebooks, --jobs {args.jobs}, {os.cpu_count()} CPUs")
    print(f"load average (1 min) before/between/after runs: {', '.join(f'{x:.1f}' for x in load)}")
    print()
    floors = [cpu / args.students for _, cpu, whole, _ in results.get("floor", []) if whole]
    floor = min(floors) if floors else None
    print("| grader | round | wall (s) | CPU (s) | CPU per notebook (s) | x floor | full marks |")
    print("|---|---|---|---|---|---|---|")
    labels = {
        "old": f"old ({args.ref})",
        "new": "new (sandboxed)",
        "visible": "new (sandboxed, key left visible)",
        "unsandboxed": "new, unsandboxed",
        "floor": "floor: fresh kernel, import pandas, scipy",
        "ref": f"reference ({args.ref_python})",
    }
    for which in modes:
        for n, (wall, cpu, whole, marks) in enumerate(results[which], start=1):
            each = cpu / args.students
            shown = f"{cpu:.1f}" if whole else f"({cpu:.1f})"
            ratio = f"{each / floor:.2f}" if whole and floor else "-"
            good = "-" if marks is None else f"{marks[0]}/{marks[1]}"
            cells = [labels[which], n, f"{wall:.1f}", shown, f"{each:.2f}", ratio, good]
            print("| " + " | ".join(str(c) for c in cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
