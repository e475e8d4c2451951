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

The work is split by job: what the sandbox shows and its command
(:mod:`b2bsm_teach.grade.sandbox_view`), running one notebook and reading the
result (:mod:`b2bsm_teach.grade.sandbox_run`), and its processes and the
watchdog (:mod:`b2bsm_teach.grade.sandbox_procs`).  This module builds and
checks a :class:`Sandbox`; every name the rest of the grader uses can be
imported from here.

Examples
--------
>>> Limits().memory // 2**30
2
>>> "solution" in describe_unsandboxed()
True
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from b2bsm._paths import REPO_ROOT
from b2bsm_teach.grade.confine import hand_over as _hand_over
from b2bsm_teach.grade.confine import uid_hint as _uid_hint
from b2bsm_teach.grade.sandbox_procs import POLL, TOKEN_ENV, leftover_processes
from b2bsm_teach.grade.sandbox_run import (
    OPEN_FILES,
    STATE_NAMES,
    GiB,
    Limits,
    MiB,
    RunResult,
    run_bwrap,
    run_plain,
    run_result,
    runner_numbers,
)
from b2bsm_teach.grade.sandbox_view import (
    INSIDE_HOME,
    INSIDE_KEYS,
    INSIDE_SCRATCH,
    INSIDE_STATE,
    NOTEBOOK_NAME,
    PROC_READ_ONLY,
    TEACH_DIR,
    bwrap_prefix,
    clean_path,
    environment,
    grading_key_text,
    python_command,
    write_grading_keys,
)
from b2bsm_teach.grade.sandbox_view import mounts as _mounts

#: Public names, wherever they are defined (callers import them from this module).
__all__ = [
    "INSIDE_HOME",
    "INSIDE_KEYS",
    "INSIDE_SCRATCH",
    "INSIDE_STATE",
    "NOTEBOOK_NAME",
    "OPEN_FILES",
    "POLL",
    "PROC_READ_ONLY",
    "ROOT_UNSANDBOXED",
    "TEACH_DIR",
    "TOKEN_ENV",
    "GiB",
    "Limits",
    "MiB",
    "RunResult",
    "Sandbox",
    "SandboxUnavailable",
    "clean_path",
    "describe_unsandboxed",
    "grading_key_text",
    "leftover_processes",
    "write_grading_keys",
]


ROOT_UNSANDBOXED = (
    "the grader runs as root and was asked to grade without a sandbox: student code would run "
    "as root on this machine, so it refuses. Install bubblewrap (Debian/Ubuntu: apt-get install "
    "bubblewrap), which runs each notebook as an unprivileged uid even under root, or run the "
    "grader as an ordinary user "
    "(for example: runuser -u grader -- python -m b2bsm_teach.grade ...)."
)


class SandboxUnavailable(RuntimeError):
    """No working sandbox on this machine; the message says how to get one."""


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
        shown = [] if keys is None else ["--ro-bind", str(keys), INSIDE_KEYS]
        with _uid_slot(self.uids) as uid:
            if keys is not None and uid >= 0:
                _hand_over(keys, uid)
            head = [*self._prefix(), *shown, "--size", str(64 * MiB), "--tmpfs", INSIDE_SCRATCH]
            return subprocess.run(
                python_command(head, uid, "-c", code),
                env=environment(INSIDE_HOME, "/tmp", None if keys is None else INSIDE_KEYS),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
            )

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
        return bwrap_prefix(self.bwrap, self.mounts, as_root=self.uids is not None)

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
        limits = limits or Limits()
        work = Path(work)
        for name in STATE_NAMES:
            (work / name).write_bytes(b"")
        numbers = runner_numbers(limits, cell_timeout=cell_timeout, timeout=timeout, data=data)
        started = time.monotonic()
        with open(work / "stderr.txt", "wb") as err:
            if self.mode == "bwrap":
                shown = keys if self.hides_key else None
                with _uid_slot(self.uids) as uid:
                    if uid >= 0:  # the sandbox's uid may read what it is shown, write its state
                        for name in STATE_NAMES:
                            os.chown(work / name, uid, uid)
                        os.chmod(notebook, 0o644)
                        if shown is not None:
                            _hand_over(shown, uid)
                    outcome = run_bwrap(
                        self._prefix(),
                        self.mounts,
                        notebook,
                        work,
                        numbers,
                        err,
                        timeout,
                        limits,
                        shown,
                        uid,
                    )
            else:
                outcome = run_plain(notebook, work, numbers, err, timeout, limits)
        return run_result(work, outcome, time.monotonic() - started)


@contextlib.contextmanager
def _uid_slot(uids):
    """Take a uid from ``uids`` (a :class:`~b2bsm_teach.grade.confine.UidSlots`) and give it back.

    Yields -1 when there are no slots (the grader is not root).
    """
    uid = uids.take() if uids is not None else -1
    try:
        yield uid
    finally:
        if uid >= 0:
            uids.give(uid)
