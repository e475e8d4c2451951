"""Running one notebook in a sandbox: its limits, the runner's command, what came of it.

:meth:`b2bsm_teach.grade.sandbox.Sandbox.run` prepares a submission's
private work folder and its uid, then hands over to :func:`run_bwrap` (in
bubblewrap, with a control group where one can be had) or :func:`run_plain`
(the unsandboxed mode).  Both start the runner (:mod:`b2bsm.exercises._run`)
in a new session, let the watchdog (:func:`b2bsm_teach.grade.sandbox_procs.watch`)
stop it at its timeout or limits, and kill whatever of it is left.
:func:`run_result` then reads what the runner wrote.

Examples
--------
>>> Limits().total_memory // 2**30
4
>>> runner_numbers(Limits(cpu=30), cell_timeout=60, timeout=600, data=("02", 7))[-2:]
['256', '02:7']

The watchdog measures the same in-memory folders the sandbox mounts:

>>> {INSIDE_HOME, INSIDE_SCRATCH} <= set(MEMORY_FOLDERS)
True
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from b2bsm_teach.grade.confine import MEMORY_FOLDERS
from b2bsm_teach.grade.confine import launcher as _launcher
from b2bsm_teach.grade.sandbox_procs import (
    TOKEN_ENV,
    descendants,
    members,
    read_info,
    stop_group,
    sweep,
    watch,
    with_token,
)
from b2bsm_teach.grade.sandbox_view import (
    INSIDE_HOME,
    INSIDE_KEYS,
    INSIDE_SCRATCH,
    INSIDE_STATE,
    NOTEBOOK_NAME,
    environment,
    mounts_under,
    python_command,
)

GiB = 1 << 30
MiB = 1 << 20
#: Open files per process in the sandbox (``RLIMIT_NOFILE``); the kit's own choice, far
#: above what a notebook kernel needs (about 60), and it bounds how many memfd files one
#: process can hold.
OPEN_FILES = 256
#: How the runner is started (after ``python -B -P``); its state files follow.
RUNNER = ("-m", "b2bsm.exercises._run", NOTEBOOK_NAME)
#: The runner's two state files in the work folder (and in the sandbox's state folder).
STATE_NAMES = ("state-a.json", "state-b.json")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's sandbox.

    Attributes
    ----------
    memory : int
        Address space of each process, bytes (``RLIMIT_AS``): a single huge
        allocation fails with ``MemoryError`` and the notebook goes on.
    total_memory : int
        Resident memory of the whole sandbox, bytes; above it the watchdog
        stops the sandbox.
    cpu : int or None
        CPU seconds per process (``RLIMIT_CPU``); None: the notebook's timeout.
    file_size : int
        Largest file any process may write, bytes (``RLIMIT_FSIZE``).
    processes : int
        Processes and threads of the sandbox (``RLIMIT_NPROC``, counted in the
        sandbox's own user namespace); the watchdog stops a sandbox whose
        process count passes it (``RLIMIT_NPROC`` does not bind a grader run
        as root).
    disk : int
        Size of each writable in-memory folder (scratch, ``/tmp``, ``HOME``,
        ``/dev/shm``), bytes.
    """

    memory: int = 2 * GiB
    total_memory: int = 4 * GiB
    cpu: int | None = None
    file_size: int = 64 * MiB
    processes: int = 128
    disk: int = 256 * MiB


@dataclass
class RunResult:
    """What the grader learns from one sandboxed run (all of it checked, none of it trusted).

    ``state`` is the runner's last valid state (:func:`b2bsm_teach.grade.state.read_state`),
    or None when the runner never wrote one.  ``outcome`` is the grader's own
    observation: ``"finished"``, ``"timeout"``, ``"processes"``, ``"memory"``
    (stopped by the watchdog) or ``"error"`` (the sandbox could not start;
    ``detail`` says why).
    """

    state: dict | None
    outcome: str
    seconds: float
    detail: str = ""


def runner_numbers(limits: Limits, *, cell_timeout: int, timeout: float, data) -> list[str]:
    """The runner's numeric arguments: cell timeout, limits, open files and the hidden data.

    ``data`` is ``(set id, seed)`` of the hidden variant, or None.  The CPU
    limit defaults to the notebook's timeout.
    """
    cpu = int(limits.cpu if limits.cpu is not None else max(timeout, 1))
    return [
        str(int(cell_timeout)),
        str(limits.memory),
        str(cpu),
        str(limits.file_size),
        str(limits.processes),
        str(OPEN_FILES),
        "-" if data is None else f"{data[0]}:{int(data[1])}",
    ]


def run_result(work: Path, outcome: str, seconds: float) -> RunResult:
    """What the grader learns from a run: the runner's last state, and why it has none."""
    from b2bsm_teach.grade.state import read_state

    state = read_state(*(work / name for name in STATE_NAMES))
    detail = ""
    if state is None and outcome == "finished":
        outcome = "error"
        lines = (work / "stderr.txt").read_bytes()[:4000].decode("utf-8", "replace")
        tail = [line for line in lines.strip().splitlines() if line.strip()]
        detail = tail[-1][:200] if tail else "the runner wrote nothing"
    return RunResult(state, outcome, seconds, detail)


def run_bwrap(head, mounts, notebook, work, numbers, err, timeout, limits, keys, uid=-1) -> str:
    """Run the runner in bubblewrap: ``head`` is the sandbox's command prefix, ``mounts`` its view.

    ``keys`` is the folder of grading keys to show, or None.  A control
    group holds the sandbox where one can be had.  Returns the watchdog's
    outcome.
    """
    from b2bsm_teach.grade.confine import Cgroup

    group = Cgroup.create(limits.total_memory, limits.processes)
    if group is not None:  # the group's pids.max is the limit that speaks, not RLIMIT_NPROC
        numbers = [*numbers[:4], str(limits.processes + 64), *numbers[5:]]
    try:
        return _run_grouped(
            head, mounts, notebook, work, numbers, err, timeout, limits, keys, uid, group
        )
    finally:
        if group is not None:
            group.remove()


def _run_grouped(
    head, mounts, notebook, work, numbers, err, timeout, limits, keys, uid, group
) -> str:
    read_fd, write_fd = os.pipe()
    disk = str(limits.disk)
    shown = [] if keys is None else ["--ro-bind", str(keys), INSIDE_KEYS]
    states = [f"{INSIDE_STATE}/{name}" for name in STATE_NAMES]
    cmd = [
        *_launcher(os.pathsep.join(group.procs_files) if group else ""),
        *head[:1],
        "--info-fd",
        str(write_fd),
        *head[1:],
        # private, size-capped in-memory folders: /tmp, /dev/shm, HOME and the scratch folder
        *[arg for folder in MEMORY_FOLDERS for arg in ("--size", disk, "--tmpfs", folder)],
        # A kit or Python that lives under /tmp (a CI checkout) was hidden by the
        # private /tmp above: show it again, read-only.
        *mounts_under(mounts, ("/tmp", "/dev/shm")),
        "--ro-bind",
        str(notebook),
        f"{INSIDE_SCRATCH}/{NOTEBOOK_NAME}",
        *[
            arg
            for name, dest in zip(STATE_NAMES, states, strict=True)
            for arg in ("--bind", str(work / name), dest)
        ],
        *shown,
    ]
    cmd = python_command(cmd, uid, *RUNNER, *states, *numbers)
    try:
        proc = subprocess.Popen(
            cmd,
            env=environment(INSIDE_HOME, "/tmp", None if keys is None else INSIDE_KEYS),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
    finally:
        os.close(write_fd)
    namespace: list[int | None] = [None]
    reader = threading.Thread(target=read_info, args=(read_fd, namespace), daemon=True)
    reader.start()
    try:
        outcome = watch(proc, timeout, limits, lambda: members(namespace[0]), group=group)
    finally:
        stop_group(proc)
        if group is not None:
            group.kill()
        reader.join(timeout=5)
        if namespace[0] is not None:  # the namespace dies with its first process; make sure
            sweep(lambda: members(namespace[0]))
    return outcome


def run_plain(notebook, work, numbers, err, timeout, limits) -> str:
    """Run the runner without a sandbox (as the grader's user), in folders of ``work``.

    Its processes are found by parentage and by a token in their environment.
    Returns the watchdog's outcome.
    """
    scratch, home, tmp = work / "scratch", work / "home", work / "tmp"
    for folder in (scratch, home, tmp):
        folder.mkdir(mode=0o700, exist_ok=True)
    shutil.copyfile(notebook, scratch / NOTEBOOK_NAME)
    token = secrets.token_hex(16)
    env = {**environment(str(home), str(tmp)), TOKEN_ENV: token}
    states = [str(work / name) for name in STATE_NAMES]
    cmd = [sys.executable, "-B", "-P", *RUNNER, *states, *numbers]
    proc = subprocess.Popen(
        cmd,
        cwd=scratch,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=err,
        start_new_session=True,
    )
    try:
        return watch(
            proc,
            timeout,
            limits,
            lambda: sorted({*descendants(proc.pid), *with_token(token)}),
        )
    finally:
        family = descendants(proc.pid)
        stop_group(proc)
        sweep(lambda: with_token(token), first=family)
