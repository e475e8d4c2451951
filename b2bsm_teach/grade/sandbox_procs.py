"""The processes of a sandbox: finding them in ``/proc``, watching their limits, killing them.

:class:`b2bsm_teach.grade.sandbox.Sandbox` starts each notebook in a new
session; this module is the grader's side of what happens next: the watchdog
(:func:`watch`) that stops a sandbox at its timeout or above its limits, and
the sweeps that leave no process of it behind, found by pid namespace (in
bubblewrap) or by parentage and an environment token (without a sandbox).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time

from b2bsm_teach.grade.confine import shared_memory
from b2bsm_teach.grade.confine import tasks as _tasks

#: How often the watchdog looks at a running sandbox (seconds).
POLL = 0.2
#: Environment variable that marks every process of an unsandboxed run.
TOKEN_ENV = "B2BSM_SANDBOX_TOKEN"
#: How many times a final sweep kills what is left before it gives up.
SWEEPS = 3


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _pid_namespace(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/pid").st_ino
    except OSError:
        return None


def in_namespace(ns: int) -> list[int]:
    """Pids of the processes in the pid namespace whose inode is ``ns``."""
    return [pid for pid in _pids() if _pid_namespace(pid) == ns]


def members(namespace: int | None) -> list[int]:
    """The processes of a sandbox's pid namespace (none while it is not known yet)."""
    return [] if namespace is None else in_namespace(namespace)


def _rss(pids: list[int]) -> int:
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total


def _pids_with(proc_file: str, needle: bytes) -> list[int]:
    """Pids of other processes whose ``/proc/<pid>/<proc_file>`` contains ``needle``."""
    found = []
    for pid in _pids():
        if pid == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/{proc_file}", "rb") as fh:
                if needle in fh.read():
                    found.append(pid)
        except OSError:
            continue
    return found


def with_token(token: str) -> list[int]:
    """Pids of the processes of an unsandboxed run, by the token in their environment."""
    return _pids_with("environ", f"{TOKEN_ENV}={token}".encode())


def descendants(root: int) -> list[int]:
    """Pids of every child of ``root``, their children, and so on."""
    children: dict[int, list[int]] = {}
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def kill(pids) -> None:
    """SIGKILL each of ``pids`` (one that is gone already is passed over)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            continue


def leftover_processes(marker: str) -> list[int]:
    """Pids of running processes whose command line contains ``marker`` (for tests and checks).

    Examples
    --------
    >>> leftover_processes("no process has this marker 7d1c0e")
    []
    """
    return _pids_with("cmdline", marker.encode())


def sweep(find, first=()) -> None:
    """Kill what ``find()`` returns (and, the first time, ``first``) until nothing is left.

    Gives up after :data:`SWEEPS` rounds; a process that is still starting
    children when the sandbox ends is caught by a later round.
    """
    extra = list(first)
    for _ in range(SWEEPS):
        left = sorted({*extra, *find()})
        if not left:
            return
        kill(left)
        extra = []
        time.sleep(0.05)


def stop_group(proc: subprocess.Popen) -> None:
    """Kill the session ``proc`` leads and wait for ``proc`` itself."""
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def read_info(fd: int, out: list) -> None:
    """Read bubblewrap's ``--info-fd`` JSON from ``fd``; ``out[0]`` becomes its pid namespace."""
    data = b""
    try:
        while len(data) < 65536:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
            try:
                info = json.loads(data)
            except ValueError:
                continue
            child = info.get("child-pid") if isinstance(info, dict) else None
            if isinstance(child, int):
                out[0] = info.get("pid-namespace") or _pid_namespace(child)
            break
    finally:
        os.close(fd)


def watch(proc, timeout, limits, members, group=None) -> str:
    """``"finished"``, or the limit that stopped the sandbox.

    ``limits`` is the run's :class:`b2bsm_teach.grade.sandbox.Limits`,
    ``members()`` gives the sandbox's pids and ``group`` is its control group
    (:class:`b2bsm_teach.grade.confine.Cgroup`) when it has one.  With a
    control group the kernel enforces memory (shared memory and in-memory
    files included) and processes, and its counters say which limit was met;
    without one the watchdog counts them itself.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            proc.wait(timeout=POLL)
            finished = True
        except subprocess.TimeoutExpired:
            finished = False
        if group is not None:
            if group.out_of_memory() or group.memory() > limits.total_memory:
                return "memory"
            if group.refused_processes():
                return "processes"
        if finished:
            return "finished"
        if time.monotonic() > deadline:
            return "timeout"
        if group is not None:
            continue
        pids = members()
        if len(pids) > limits.processes or _tasks(pids) >= limits.processes - 4:
            return "processes"
        if pids and _rss(pids) + shared_memory(pids) > limits.total_memory:
            return "memory"
