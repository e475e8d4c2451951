"""One sandbox per submission: bubblewrap, resource limits, and nothing left running.

Each submitted notebook runs (runner and kernel together, see
:mod:`b2bsm.exercises._run`) in its own `bubblewrap <https://github.com/containers/bubblewrap>`_
sandbox:

* **files**: a private, size-capped scratch folder holding only a copy of the
  notebook; private ``/tmp``, ``/dev/shm`` and ``HOME``; the operating
  system's ``/usr``, Python and the kit **read-only**; nothing else: not the
  submissions folder, the solution masters, the tests, the gradebook, the
  instructor's home or other sandboxes.  The answer key is hidden too: the
  instructor package (``b2bsm_teach``, which holds the key modules) is not
  there, and any hashed keys are replaced by a *grading key* per set that holds
  the questions and the student's parameters and no answer
  (:func:`b2bsm_teach.exercises.keys.grading_key`);
* **namespaces**: new user, pid, network (no network at all), IPC, UTS and
  mount namespaces; no capabilities; no nested user namespaces; a new session
  (no terminal to inject keystrokes into);
* **environment**: a minimal one built from scratch (nothing of the grader's
  is inherited);
* **the host's settings**: ``/proc/sys``, ``/proc/sysrq-trigger``,
  ``/proc/irq`` and ``/proc/bus`` are read-only, ``/sys`` is not there, and a
  grader running as root starts each sandbox as an unprivileged uid of its own
  (:mod:`b2bsm_teach.grade.confine`), so the notebook is never root on the host;
* **limits** (:class:`Limits`): address space, CPU seconds and size of any
  written file per process, number of processes (``setrlimit`` inside the
  sandbox, and a control group's ``pids.max`` where one can be had), memory of
  the whole sandbox counting shared memory, in-memory folders and ``memfd``
  files (a control group's hard limit, else the watchdog's count from
  ``/proc``), at most :data:`OPEN_FILES` open files, and a wall-clock timeout;
* **end**: when the runner finishes, times out or is killed, every process in
  the sandbox's pid namespace dies with it (``--die-with-parent``, and a final
  sweep of the namespace).

Without bubblewrap the grader refuses to run unless the instructor explicitly
asks for the unsandboxed mode (``sandbox="none"``, ``--unsandboxed``); what that
mode exposes is :func:`describe_unsandboxed`.

Examples
--------
>>> Limits().memory // 2**30
2
>>> "solution" in describe_unsandboxed()
True
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from b2bsm._paths import PACKAGE_DIR, REPO_ROOT
from b2bsm_teach.grade.confine import ARITY as _ARITY
from b2bsm_teach.grade.confine import drop as _drop
from b2bsm_teach.grade.confine import for_uid as _for_uid
from b2bsm_teach.grade.confine import hand_over as _hand_over
from b2bsm_teach.grade.confine import launcher as _launcher
from b2bsm_teach.grade.confine import tasks as _tasks
from b2bsm_teach.grade.confine import uid_hint as _uid_hint

#: The instructor package (answer keys, grader): never visible to a graded notebook.
TEACH_DIR = Path(__file__).resolve().parent.parent

__all__ = [
    "Limits",
    "RunResult",
    "Sandbox",
    "SandboxUnavailable",
    "describe_unsandboxed",
    "leftover_processes",
    "write_grading_keys",
]

GiB = 1 << 30
MiB = 1 << 20
#: Where things are inside the sandbox.
INSIDE_SCRATCH = "/submission"
INSIDE_HOME = "/home/student"
INSIDE_STATE = "/run/b2bsm"
INSIDE_KEYS = f"{INSIDE_STATE}/keys"
NOTEBOOK_NAME = "notebook.ipynb"
#: How often the watchdog looks at a running sandbox (seconds).
POLL = 0.2
#: Open files per process in the sandbox (``RLIMIT_NOFILE``); the kit's own choice, far
#: above what a notebook kernel needs (about 60), and it bounds how many memfd files one
#: process can hold.
OPEN_FILES = 256
#: Writable parts of ``/proc`` that bubblewrap's own ``/proc`` leaves writable: read-only.
PROC_READ_ONLY = ("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs")
TOKEN_ENV = "B2BSM_SANDBOX_TOKEN"


ROOT_UNSANDBOXED = (
    "the grader runs as root and was asked to grade without a sandbox: student code would run "
    "as root on this machine, so it refuses. Install bubblewrap (Debian/Ubuntu: apt-get install "
    "bubblewrap), which runs each notebook as an unprivileged uid even under root, or run the "
    "grader as an ordinary user "
    "(for example: runuser -u grader -- python -m b2bsm_teach.grade ...)."
)


class SandboxUnavailable(RuntimeError):
    """No working sandbox on this machine; the message says how to get one."""


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


def describe_unsandboxed() -> str:
    """What grading without a sandbox (``--unsandboxed``) exposes, for the CLI to print.

    Examples
    --------
    >>> print(describe_unsandboxed().splitlines()[0][:40])
    WARNING: grading without a sandbox. Each
    """
    return (
        "WARNING: grading without a sandbox. Each student's notebook runs as you, on this "
        "machine:\n"
        "  - it can read every file you can read: the other submissions, the solution masters,\n"
        "    the answer key, the gradebook, your home folder, SSH keys and tokens;\n"
        "  - it can write every file you can write, including the kit's installed source, so it\n"
        "    can change how later notebooks (in this run and in later runs) are graded;\n"
        "  - it has the network, and it can start processes that outlive the grader (the grader\n"
        "    kills those it can find, but a process can hide);\n"
        "  - grades still come from the grader's own check of exported answers, and memory,\n"
        "    CPU, file size and process limits still apply.\n"
        "Use it only for notebooks you trust, or install bubblewrap (Debian/Ubuntu:\n"
        "sudo apt-get install bubblewrap) and grade in the sandbox."
    )


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------
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


def _in_namespace(ns: int) -> list[int]:
    return [pid for pid in _pids() if _pid_namespace(pid) == ns]


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


def _with_token(token: str) -> list[int]:
    return _pids_with("environ", f"{TOKEN_ENV}={token}".encode())


def _descendants(root: int) -> list[int]:
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


def _kill(pids) -> None:
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


# --------------------------------------------------------------------------
# The sandbox
# --------------------------------------------------------------------------
def _inside(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def _environment(home: str, tmp: str, keys: str | None = None) -> dict[str, str]:
    bindir = str(Path(sys.executable).parent)
    extra = _python_path()
    env = {
        "PATH": os.pathsep.join([bindir, "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home,
        "TMPDIR": tmp,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONWARNINGS": "ignore",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_MAX_THREADS": "1",
    }
    if extra:
        env["PYTHONPATH"] = extra
    if keys:
        from b2bsm.exercises.keys import KEYS_ENV

        env[KEYS_ENV] = keys
    return env


@dataclass
class Sandbox:
    """How submissions are run: with bubblewrap (``mode="bwrap"``) or, if asked, without.

    Build one with :meth:`Sandbox.create`, which checks that the sandbox
    works; ``forbidden`` are host folders that must never be visible inside
    (the submissions folder, the gradebook's folder, the grader's work folder).
    """

    mode: str
    bwrap: str | None = None
    mounts: list[str] = field(default_factory=list)
    hides_key: bool = False
    uids: object = None  # confine.UidSlots when the grader is root

    @classmethod
    def create(
        cls,
        mode: str = "auto",
        *,
        forbidden: list[Path] | tuple = (),
        set_ids: list[str] | tuple = (),
    ) -> Sandbox:
        """The sandbox for a grading run.

        Parameters
        ----------
        mode : {"auto", "bwrap", "none"}
            ``"auto"`` and ``"bwrap"`` need a working bubblewrap and raise
            :class:`SandboxUnavailable` (with the fix) without one; ``"none"``
            runs unsandboxed (see :func:`describe_unsandboxed`).
        forbidden : list of Path
            Folders that must stay invisible in the sandbox.
        set_ids : list of str
            The exercise sets to be graded: the answer key is hidden from the
            sandbox when the kit opens each of them without it.
        """
        if mode not in ("auto", "bwrap", "none"):
            raise ValueError(f"sandbox must be 'auto', 'bwrap' or 'none'; got {mode!r}.")
        if mode == "none":
            from b2bsm_teach.grade.confine import drops_privileges

            if drops_privileges():
                raise SandboxUnavailable(ROOT_UNSANDBOXED)
            return cls("none")
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed, so student notebooks cannot be sandboxed. "
                "Install it (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf "
                "install bubblewrap), or grade without a sandbox (python -m b2bsm_teach.grade "
                "--unsandboxed) only if you trust every notebook."
            )
        from b2bsm_teach.grade.confine import UidSlots, drops_privileges

        uids = UidSlots() if drops_privileges() else None
        forbidden = [Path(p).resolve() for p in forbidden]
        forbidden += [REPO_ROOT / "solutions", REPO_ROOT / "tests"]
        box = cls("bwrap", bwrap, _mounts(forbidden, hide_key=False), uids=uids)
        if set_ids:  # one probe: does the sandbox work, and does the kit need its key in it?
            mounts = _mounts(forbidden, hide_key=True)
            hidden = cls("bwrap", bwrap, mounts, hides_key=True, uids=uids)
            outcome = hidden._opens_without_key(sorted(set(set_ids)))
            if outcome == "hidden":
                return hidden
            if outcome == "needs key":
                return box
        box._check()
        return box

    # -- checks -----------------------------------------------------------
    def _probe(
        self, code: str, timeout: float = 120, keys: Path | None = None
    ) -> subprocess.CompletedProcess:
        home = INSIDE_HOME
        shown = [] if keys is None else ["--ro-bind", str(keys), INSIDE_KEYS]
        uid = self.uids.take() if self.uids is not None else -1
        if keys is not None and uid >= 0:
            _hand_over(keys, uid)
        cmd = [
            *self._prefix(),
            *shown,
            "--size",
            str(64 * MiB),
            "--tmpfs",
            INSIDE_SCRATCH,
            "--chdir",
            INSIDE_SCRATCH,
            "--",
            *_drop(uid),
            sys.executable,
            "-B",
            "-P",
            "-c",
            code,
        ]
        if uid >= 0:
            cmd = _for_uid(cmd)
        try:
            return subprocess.run(
                cmd,
                env=_environment(home, "/tmp", None if keys is None else INSIDE_KEYS),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        finally:
            if uid >= 0:
                self.uids.give(uid)

    def _check(self) -> None:
        try:
            proc = self._probe("import b2bsm.exercises.answers")
        except subprocess.TimeoutExpired:
            raise SandboxUnavailable("bubblewrap did not start a sandbox within 120 s.") from None
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            why = err[-1][:300] if err else f"exit status {proc.returncode}"
            raise SandboxUnavailable(
                f"bubblewrap is installed but cannot start a sandbox here ({why}). "
                + _uid_hint(self.uids)
                + "It needs "
                "unprivileged user namespaces: on Ubuntu 24.04 and later allow them for bwrap "
                "(sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor "
                "profile for /usr/bin/bwrap); on other systems check that "
                "/proc/sys/user/max_user_namespaces is above 0. Or grade without a sandbox "
                "(--unsandboxed) only if you trust every notebook."
            )

    def _opens_without_key(self, set_ids: list[str]) -> str:
        """``"hidden"``: every set opens with a grading key only; ``"needs key"``; ``"broken"``.

        The probe is what a student's notebook does first: ``start(set_id).data``,
        with the key modules hidden and only the grading keys (the shipped
        data's parameters) in reach.
        """
        import tempfile

        code = (
            "import contextlib, io, sys\n"
            "try:\n"
            "    import b2bsm.exercises.answers\n"
            "except Exception:\n"
            "    sys.exit(2)\n"
            "try:\n"
            "    from b2bsm.exercises import start\n"
            f"    for set_id in {set_ids!r}:\n"
            "        with contextlib.redirect_stdout(io.StringIO()):\n"
            "            start(set_id).data\n"
            "except Exception:\n"
            "    sys.exit(3)\n"
        )
        with tempfile.TemporaryDirectory(prefix="b2bsm-keys-") as tmp:
            try:
                write_grading_keys(Path(tmp), set_ids, None)
            except Exception:  # a set whose key cannot be built cannot be hidden either
                return "needs key"
            try:
                returncode = self._probe(code, keys=Path(tmp)).returncode
            except subprocess.TimeoutExpired:
                return "broken"
        return {0: "hidden", 3: "needs key"}.get(returncode, "broken")

    # -- running ------------------------------------------------------------
    def _prefix(self) -> list[str]:
        if self.uids is None:  # an ordinary user: the sandbox is a user namespace of its own
            isolation = ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
        else:  # root: no user namespace (it would map the notebook to root); the first command
            # inside drops to the sandbox's own uid, which leaves no capability
            isolation = [
                *("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"),
                *("--unshare-cgroup-try", "--cap-drop", "ALL"),
                *("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"),
            ]
        return [
            self.bwrap or "bwrap",
            *isolation,
            "--die-with-parent",
            "--new-session",
            "--hostname",
            "sandbox",
            *self.mounts,
            "--proc",
            "/proc",
            *[arg for path in PROC_READ_ONLY for arg in ("--ro-bind-try", path, path)],
            "--dev",
            "/dev",
        ]

    def run(
        self,
        notebook: Path,
        work: Path,
        *,
        cell_timeout: int,
        timeout: float,
        limits: Limits | None = None,
        keys: Path | None = None,
        data: tuple[str, int] | None = None,
    ) -> RunResult:
        """Run ``notebook`` (a clean copy in the grader's private ``work`` folder).

        ``keys`` is a folder of grading keys (:func:`write_grading_keys`) that
        the notebook sees instead of the answer key when :attr:`hides_key`.
        ``data`` is ``(set id, seed)`` of the hidden variant that ``ex.data``
        gives in this run (:mod:`b2bsm_teach.grade.hidden`).

        Returns when the runner has finished, the timeout has passed or the
        watchdog has stopped the sandbox; in every case no process of the
        sandbox is left.
        """
        from b2bsm_teach.grade.state import read_state

        limits = limits or Limits()
        work = Path(work)
        state_a, state_b = work / "state-a.json", work / "state-b.json"
        for path in (state_a, state_b):
            path.write_bytes(b"")
        cpu = int(limits.cpu if limits.cpu is not None else max(timeout, 1))
        numbers = [
            str(int(cell_timeout)),
            str(limits.memory),
            str(cpu),
            str(limits.file_size),
            str(limits.processes),
            str(OPEN_FILES),
            "-" if data is None else f"{data[0]}:{int(data[1])}",
        ]
        started = time.monotonic()
        with open(work / "stderr.txt", "wb") as err:
            if self.mode == "bwrap":
                uid = self.uids.take() if self.uids is not None else -1
                try:
                    if uid >= 0:  # the sandbox's uid may read what it is shown, write its state
                        for path in (state_a, state_b):
                            os.chown(path, uid, uid)
                        os.chmod(notebook, 0o644)
                        if keys is not None and self.hides_key:
                            _hand_over(keys, uid)
                    outcome = self._run_bwrap(
                        notebook, state_a, state_b, numbers, err, timeout, limits, keys, uid
                    )
                finally:
                    if uid >= 0:
                        self.uids.give(uid)
            else:
                outcome = self._run_plain(
                    notebook, work, state_a, state_b, numbers, err, timeout, limits
                )
        seconds = time.monotonic() - started
        state = read_state(state_a, state_b)
        detail = ""
        if state is None and outcome == "finished":
            outcome = "error"
            lines = (work / "stderr.txt").read_bytes()[:4000].decode("utf-8", "replace")
            tail = [line for line in lines.strip().splitlines() if line.strip()]
            detail = tail[-1][:200] if tail else "the runner wrote nothing"
        return RunResult(state, outcome, seconds, detail)

    def _run_bwrap(
        self, notebook, state_a, state_b, numbers, err, timeout, limits, keys, uid=-1
    ) -> str:
        from b2bsm_teach.grade.confine import Cgroup

        group = Cgroup.create(limits.total_memory, limits.processes)
        if group is not None:  # the group's pids.max is the limit that speaks, not RLIMIT_NPROC
            numbers = [*numbers[:4], str(limits.processes + 64), *numbers[5:]]
        try:
            return self._run_grouped(
                notebook, state_a, state_b, numbers, err, timeout, limits, keys, uid, group
            )
        finally:
            if group is not None:
                group.remove()

    def _run_grouped(
        self, notebook, state_a, state_b, numbers, err, timeout, limits, keys, uid, group
    ) -> str:
        read_fd, write_fd = os.pipe()
        disk = str(limits.disk)
        keys = keys if self.hides_key else None
        shown = [] if keys is None else ["--ro-bind", str(keys), INSIDE_KEYS]
        cmd = [
            *_launcher(os.pathsep.join(group.procs_files) if group else ""),
            *self._prefix()[:1],
            "--info-fd",
            str(write_fd),
            *self._prefix()[1:],
            "--size",
            disk,
            "--tmpfs",
            "/tmp",
            "--size",
            disk,
            "--tmpfs",
            "/dev/shm",
            "--size",
            disk,
            "--tmpfs",
            INSIDE_HOME,
            "--size",
            disk,
            "--tmpfs",
            INSIDE_SCRATCH,
            # A kit or Python that lives under /tmp (a CI checkout) was hidden by the
            # private /tmp above: show it again, read-only.
            *_mounts_under(self.mounts, ("/tmp", "/dev/shm")),
            "--ro-bind",
            str(notebook),
            f"{INSIDE_SCRATCH}/{NOTEBOOK_NAME}",
            "--bind",
            str(state_a),
            f"{INSIDE_STATE}/state-a.json",
            "--bind",
            str(state_b),
            f"{INSIDE_STATE}/state-b.json",
            *shown,
            "--chdir",
            INSIDE_SCRATCH,
            "--",
            *_drop(uid),
            sys.executable,
            "-B",
            "-P",
            "-m",
            "b2bsm.exercises._run",
            NOTEBOOK_NAME,
            f"{INSIDE_STATE}/state-a.json",
            f"{INSIDE_STATE}/state-b.json",
            *numbers,
        ]
        if uid >= 0:
            cmd = _for_uid(cmd)
        try:
            proc = subprocess.Popen(
                cmd,
                env=_environment(INSIDE_HOME, "/tmp", None if keys is None else INSIDE_KEYS),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        finally:
            os.close(write_fd)
        namespace: list[int | None] = [None]
        reader = threading.Thread(target=_read_info, args=(read_fd, namespace), daemon=True)
        reader.start()
        try:
            outcome = self._watch(
                proc, timeout, limits, lambda: _members(namespace[0]), group=group
            )
        finally:
            _stop_group(proc)
            if group is not None:
                group.kill()
            reader.join(timeout=5)
            if namespace[0] is not None:
                for _ in range(3):  # the namespace dies with its first process; make sure
                    left = _in_namespace(namespace[0])
                    if not left:
                        break
                    _kill(left)
                    time.sleep(0.05)
        return outcome

    def _run_plain(self, notebook, work, state_a, state_b, numbers, err, timeout, limits) -> str:
        scratch, home, tmp = work / "scratch", work / "home", work / "tmp"
        for folder in (scratch, home, tmp):
            folder.mkdir(mode=0o700, exist_ok=True)
        shutil.copyfile(notebook, scratch / NOTEBOOK_NAME)
        token = secrets.token_hex(16)
        env = {**_environment(str(home), str(tmp)), TOKEN_ENV: token}
        cmd = [
            sys.executable,
            "-B",
            "-P",
            "-m",
            "b2bsm.exercises._run",
            NOTEBOOK_NAME,
            str(state_a),
            str(state_b),
            *numbers,
        ]
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
            return self._watch(
                proc,
                timeout,
                limits,
                lambda: sorted({*_descendants(proc.pid), *_with_token(token)}),
            )
        finally:
            family = _descendants(proc.pid)
            _stop_group(proc)
            for _ in range(3):
                left = sorted({*family, *_with_token(token)})
                if not left:
                    break
                _kill(left)
                family = []
                time.sleep(0.05)

    @staticmethod
    def _watch(proc, timeout, limits: Limits, members, group=None) -> str:
        """``"finished"``, or the limit that stopped the sandbox.

        With a control group the kernel enforces memory (shared memory and
        in-memory files included) and processes, and its counters say which
        limit was met; without one the watchdog counts them itself.
        """
        from b2bsm_teach.grade.confine import shared_memory

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


def _read_info(fd: int, out: list) -> None:
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


def _members(namespace: int | None) -> list[int]:
    return [] if namespace is None else _in_namespace(namespace)


def _stop_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --------------------------------------------------------------------------
# What the sandbox sees
# --------------------------------------------------------------------------
def _mounts(forbidden: list[Path], *, hide_key: bool) -> list[str]:
    """bwrap arguments that show the system, Python and the kit read-only."""
    args: list[str] = ["--ro-bind", "/usr", "/usr"]
    bound: list[Path] = [Path("/usr")]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
            bound.append(path)
    for name in ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"):
        args += ["--ro-bind-try", name, name]

    def add(path: Path) -> None:
        if not path.is_dir() or any(_inside(path, b) for b in bound):
            return
        if any(_inside(f, path) or _inside(path, f) for f in forbidden):
            return  # would show a forbidden folder: bind its harmless parts separately
        args.extend(["--ro-bind", str(path), str(path)])
        bound.append(path)

    exe = Path(sys.executable)
    for path in (sys.base_prefix, sys.prefix, sys.exec_prefix, exe.resolve().parent.parent):
        add(Path(path).resolve())
    kit_root = PACKAGE_DIR.parent
    for entry in clean_path():
        path = Path(entry).resolve()
        if _inside(kit_root, path):
            continue  # the folder that holds the kit (and, in a checkout, the solutions)
        add(path)
    if not any(_inside(PACKAGE_DIR, b) for b in bound):
        args += ["--ro-bind", str(PACKAGE_DIR), str(PACKAGE_DIR)]
    args += _hide_key_args() if hide_key else _show_key_args()
    data = REPO_ROOT / "data"
    if (data / "datapackage.json").is_file() and not any(_inside(data, b) for b in bound):
        args += ["--ro-bind", str(data), str(data)]
    return args


def _mounts_under(args: list[str], roots: tuple[str, ...]) -> list[str]:
    """The mount arguments of ``args`` whose destination lies under one of ``roots``.

    >>> _mounts_under(["--ro-bind", "/usr", "/usr", "--ro-bind", "/tmp/k", "/tmp/k"], ("/tmp",))
    ['--ro-bind', '/tmp/k', '/tmp/k']
    """
    out: list[str] = []
    i, size = 0, []
    while i < len(args):
        option = args[i]
        arity = _ARITY.get(option, 0)
        values = args[i + 1 : i + 1 + arity]
        i += 1 + arity
        if option == "--size":
            size = [option, *values]
            continue
        if values and any(values[-1] == r or values[-1].startswith(r + "/") for r in roots):
            out += ([*size] if option == "--tmpfs" else []) + [option, *values]
        size = []
    return out


_CLEAN_PATH: list[str] = []


def clean_path() -> list[str]:
    """``sys.path`` of a fresh interpreter: no current folder, no ``PYTHONPATH``, no user site."""
    if not _CLEAN_PATH:
        proc = subprocess.run(
            [sys.executable, "-I", "-c", "import json, sys; print(json.dumps(sys.path))"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        paths = json.loads(proc.stdout)
        _CLEAN_PATH.extend(p for p in paths if isinstance(p, str) and os.path.isabs(p))
    return list(_CLEAN_PATH)


def _python_path() -> str | None:
    """PYTHONPATH for the sandbox when the kit is not found on the clean path (a source copy)."""
    kit_root = str(PACKAGE_DIR.parent)
    paths = [str(Path(p).resolve()) for p in clean_path()]
    return None if kit_root in paths else kit_root


def grading_key_text(set_id: str, student_id: str | None) -> str:
    """The grading key of a set for ``student_id`` as JSON text (see :func:`write_grading_keys`)."""
    from b2bsm_teach.exercises.keys import grading_key

    key = grading_key(set_id, [] if student_id is None else [student_id])
    return json.dumps(key, ensure_ascii=False, separators=(",", ":"))


def write_grading_keys(folder: Path, set_ids, student_id: str | None, make=None) -> Path:
    """Write ``NN.json``, the grading key of each set for ``student_id``, into ``folder``.

    The sandbox shows ``folder`` (read-only) in place of the answer key; see
    :func:`b2bsm_teach.exercises.keys.grading_key`.  ``make(set_id, student_id)``
    gives a key's text (default :func:`grading_key_text`; the grader builds it
    in the process that later computes the same student's verdicts).
    """
    make = make or grading_key_text
    folder = Path(folder)
    folder.mkdir(mode=0o700, exist_ok=True)
    for set_id in set_ids:
        (folder / f"{set_id}.json").write_text(make(set_id, student_id), encoding="utf-8")
    return folder


def _hide_key_args() -> list[str]:
    """Hide every answer key: the instructor package and a release's hashed keys.

    From a checkout the instructor package is never mounted (only ``b2bsm/`` is);
    where it is installed beside ``b2bsm`` (site-packages) an empty read-only
    folder covers it.  Hashed keys of a release (``b2bsm/exercises/_keys``) are
    hidden as well: their hashes would let a notebook search for its answers.
    """
    args = []
    for folder in (PACKAGE_DIR / "exercises" / "_keys", TEACH_DIR):
        if folder.is_dir():
            args += ["--tmpfs", str(folder), "--remount-ro", str(folder)]
    return args


def _show_key_args() -> list[str]:
    """Show the instructor package read-only (a kit that cannot open its sets without it)."""
    return ["--ro-bind", str(TEACH_DIR), str(TEACH_DIR)]
