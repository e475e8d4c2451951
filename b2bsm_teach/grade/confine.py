"""What keeps a sandbox away from the host: an unprivileged uid and a control group.

bubblewrap gives each submission its own namespaces (:mod:`b2bsm_teach.grade.sandbox`).
Two things it cannot give on its own are added here:

* **an unprivileged uid.**  When the grader runs as root (in a container, on
  CI), a plain ``bwrap --unshare-user`` maps the notebook to uid 0 of the
  host: the kernel lets uid 0 write host-wide settings in ``/proc/sys`` even
  without capabilities.  So a grader that is root builds the sandbox without
  a user namespace, and the sandbox's first command (:data:`DROP`) becomes a
  uid of its own (``SANDBOX_UID_BASE + slot``: a number no account on the
  machine uses, one per sandbox running at the same time, so that
  ``RLIMIT_NPROC`` counts one sandbox's processes and nothing else) and
  checks that no capability is left.  The notebook is then an ordinary user
  to the host, and ``/proc/sys`` is also mounted read-only inside the sandbox.
* **a control group** (cgroup v2, or the v1 ``memory`` and ``pids``
  hierarchies) when the grader may create one (as root, as a rule).  Its
  memory count includes shared memory, files in the sandbox's in-memory
  folders and ``memfd`` files, which no per-process figure shows; the kernel
  enforces its memory and process limits by itself, and its event counters
  tell the grader which limit stopped the notebook.  Without a control
  group the watchdog adds up the same things from ``/proc`` (see
  :func:`shared_memory`).

Examples
--------
>>> slots = UidSlots(base=2_100_000_000, size=2)
>>> a = slots.take(); b = slots.take(); slots.give(a); slots.take() == a
True
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import sys
import threading
import time
from pathlib import Path

__all__ = [
    "DROP",
    "JOIN",
    "SANDBOX_UID_BASE",
    "Cgroup",
    "UidSlots",
    "alive",
    "drops_privileges",
    "shared_memory",
]

#: First uid of the sandboxes when the grader is root (override: ``B2BSM_SANDBOX_UID_BASE``).
#: The kit's own choice: far above the uids of accounts and of the usual sub-uid ranges.
SANDBOX_UID_BASE = 2_100_000_000
CGROUP_ROOT = Path("/sys/fs/cgroup")
PREFIX = "b2bsm-sandbox-"
#: Set to ``0`` to grade without a control group even where one could be had (tests).
CGROUP_ENV = "B2BSM_SANDBOX_CGROUP"

#: Run before bubblewrap: join the control group (``argv[1]``: its cgroup.procs files,
#: os.pathsep-separated), then become bubblewrap (the rest of ``argv``).  Every process of
#: the sandbox is born inside the group.
JOIN = (
    "import os, sys\n"
    "for f in filter(None, sys.argv[1].split(os.pathsep)):\n"
    "    with open(f, 'w') as fh:\n"
    "        fh.write(str(os.getpid()))\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)
#: The sandbox's first command when the grader is root: leave uid 0 for ``argv[1]`` (group
#: ``argv[2]``), check that no capability is left, then become the runner (the rest).
DROP = (
    "import os, sys\n"
    "uid, gid = int(sys.argv[1]), int(sys.argv[2])\n"
    "os.setgroups([])\n"
    "os.setresgid(gid, gid, gid)\n"
    "os.setresuid(uid, uid, uid)\n"
    "status = open('/proc/self/status').read().split()\n"
    "caps = [status[status.index(k) + 1] for k in ('CapPrm:', 'CapEff:', 'CapAmb:')]\n"
    "if 0 in os.getresuid() or any(int(c, 16) for c in caps):\n"
    "    sys.exit('b2bsm sandbox: could not leave root')\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


def drops_privileges() -> bool:
    """True when the grader is root, so each sandbox runs as an unprivileged uid of its own."""
    return os.geteuid() == 0


def uid_base() -> int:
    text = os.environ.get("B2BSM_SANDBOX_UID_BASE", "")
    try:
        value = int(text) if text.strip() else SANDBOX_UID_BASE
    except ValueError:
        raise ValueError(
            f"B2BSM_SANDBOX_UID_BASE must be a whole number (a uid no account uses); got {text!r}."
        ) from None
    if not 1000 <= value < 2**32 - 1024:
        raise ValueError(f"B2BSM_SANDBOX_UID_BASE={value} is not a usable unprivileged uid.")
    return value


class UidSlots:
    """Uids for the sandboxes running at one time: ``base + slot``, each taken by one sandbox."""

    def __init__(self, base: int | None = None, size: int = 1024) -> None:
        self.base = uid_base() if base is None else base
        self.size = size
        self._free = list(range(size))
        self._lock = threading.Lock()

    def take(self) -> int:
        with self._lock:
            if not self._free:
                raise RuntimeError("more sandboxes at once than sandbox uids")
            return self.base + self._free.pop(0)

    def give(self, uid: int) -> None:
        with self._lock:
            slot = uid - self.base
            if 0 <= slot < self.size and slot not in self._free:
                self._free.append(slot)
                self._free.sort()


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------
#: Arguments taken by the bubblewrap options the sandbox uses.
ARITY = {"--ro-bind": 2, "--ro-bind-try": 2, "--bind": 2, "--symlink": 2, "--tmpfs": 1}
ARITY |= {"--dir": 1, "--remount-ro": 1, "--size": 1}


def for_uid(cmd: list[str]) -> list[str]:
    """Mount options that an unprivileged uid inside the sandbox can use (grader run as root).

    bubblewrap gives a folder it creates the mode of the host's folder (``/root``:
    0700): folders above a mount are made 0755 first; the in-memory folders become
    writable for everyone (1777, as ``/tmp``), since the sandbox has one user.

    >>> for_uid(["bwrap", "--ro-bind", "/root/p", "/root/p", "--tmpfs", "/tmp", "--", "x"])[1:]
    ['--perms', '0755', '--dir', '/root', '--ro-bind', '/root/p', '/root/p', '--perms', '1777', \
'--tmpfs', '/tmp', '--', 'x']
    """
    out: list[str] = []
    made: set[str] = set()
    size: list[str] = []
    i = 0
    while i < len(cmd):
        option = cmd[i]
        if option == "--":
            return out + cmd[i:]
        arity = ARITY.get(option, 0)
        values = cmd[i + 1 : i + 1 + arity]
        i += 1 + arity
        if option == "--size":  # belongs right before its --tmpfs
            size = [option, *values]
            continue
        if option in _MOUNTS and values and values[-1].startswith("/"):
            dest = values[-1]
            parts = Path(dest).parts[1:-1]
            for n in range(1, len(parts) + 1):
                folder = "/" + "/".join(parts[:n])
                if folder not in made:
                    made.add(folder)
                    out += ["--perms", "0755", "--dir", folder]
            if option == "--tmpfs":
                made = {m for m in made if Path(dest) not in Path(m).parents or m == dest}
                out += ["--perms", "1777", *size]
            made.add(dest)
        out += [option, *values]
        size = []
    return out


_MOUNTS = ("--ro-bind", "--ro-bind-try", "--bind", "--tmpfs", "--dir", "--symlink")


def tasks(pids: list[int]) -> int:
    """Processes and threads among ``pids`` (what ``RLIMIT_NPROC`` counts)."""
    total = 0
    for pid in pids:
        try:
            total += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return total


def launcher(procs: str) -> list[str]:
    """The command that joins the control group before it becomes bubblewrap."""
    return [sys.executable, "-I", "-S", "-c", JOIN, procs] if procs else []


def drop(uid: int) -> list[str]:
    """The sandbox's first command when the grader is root: become ``uid``, with no capability."""
    return [] if uid < 0 else [sys.executable, "-I", "-S", "-c", DROP, str(uid), str(uid)]


def hand_over(folder: Path, uid: int) -> None:
    """Let the sandbox's uid read ``folder`` (grading keys: no answers in them)."""
    os.chown(folder, uid, uid)
    for entry in Path(folder).iterdir():
        os.chown(entry, uid, uid)


def uid_hint(uids) -> str:
    if uids is None:
        return ""
    return (
        f"The grader runs as root, so each notebook runs as uid {uids.base} or above: the kit "
        "and its Python must be readable by other users (chmod -R o+r, and o+X on their "
        "folders), or set B2BSM_SANDBOX_UID_BASE to a uid that can read them. "
    )


# --------------------------------------------------------------------------
# Control groups
# --------------------------------------------------------------------------
def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""


def _keyed(text: str) -> dict[str, int]:
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def _own_paths() -> dict[str, str]:
    """``controller -> path`` of this process's control groups (``""``: the v2 hierarchy)."""
    out = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if number == "0" and controllers == "":
            out[""] = path
        for name in controllers.split(","):
            if name:
                out[name] = path
    return out


def _parent(hierarchy: Path, own: str | None) -> Path:
    """Where to make a group: beside this process's own group if it is visible, else the root."""
    if own and own != "/":
        candidate = hierarchy / own.lstrip("/")
        if candidate.is_dir():
            return candidate
    return hierarchy


class Cgroup:
    """One sandbox's control group; build with :meth:`create` (None where none can be had)."""

    def __init__(self, folders: list[Path], version: int) -> None:
        self.folders = folders
        self.version = version

    # -- making and removing -------------------------------------------------
    @classmethod
    def create(cls, memory: int, processes: int) -> Cgroup | None:
        """A new group with a hard memory limit (``memory`` bytes, no swap) and ``processes``.

        Returns None when this machine or user cannot have one (then the
        watchdog's own accounting applies).
        """
        if os.environ.get(CGROUP_ENV, "1").strip() == "0":
            return None
        name = f"{PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
        own = _own_paths()
        made: list[Path] = []
        try:
            if (CGROUP_ROOT / "cgroup.controllers").is_file():
                parent = CGROUP_ROOT
                enabled = _read(parent / "cgroup.subtree_control").split()
                if not {"memory", "pids"} <= set(enabled):
                    return None
                folder = _new_group(parent, name, made)
                _write(folder / "memory.max", memory)
                with contextlib.suppress(OSError):
                    _write(folder / "memory.swap.max", 0)
                _write(folder / "pids.max", processes)
                return cls(made, 2)
            for controller in ("memory", "pids"):
                hierarchy = CGROUP_ROOT / controller
                if not (hierarchy / "cgroup.procs").is_file():
                    raise OSError(f"no {controller} hierarchy")
                _new_group(_parent(hierarchy, own.get(controller)), name, made)
            _write(made[0] / "memory.limit_in_bytes", memory)
            with contextlib.suppress(OSError):
                _write(made[0] / "memory.memsw.limit_in_bytes", memory)
            _write(made[1] / "pids.max", processes)
            return cls(made, 1)
        except OSError:
            for folder in made:
                with contextlib.suppress(OSError):
                    folder.rmdir()
            return None

    @property
    def procs_files(self) -> list[str]:
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def pids(self) -> list[int]:
        found: set[int] = set()
        for folder in self.folders:
            for word in _read(folder / "cgroup.procs").split():
                if word.isdigit():
                    found.add(int(word))
        return sorted(found)

    def kill(self) -> None:
        """Kill every process of the group (until none is left, at most ~1 s)."""
        if self.version == 2:
            with contextlib.suppress(OSError):
                _write(self.folders[0] / "cgroup.kill", 1)
        for _ in range(20):
            left = self.pids()
            if not left:
                return
            for pid in left:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)

    def remove(self) -> None:
        self.kill()
        for folder in self.folders:
            for _ in range(20):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)

    # -- what the kernel counted -----------------------------------------------
    def memory(self) -> int:
        """Bytes of anonymous and shared memory (shm, tmpfs, memfd) charged to the group."""
        stat = _keyed(_read(self.folders[0] / "memory.stat"))
        if self.version == 2:
            return stat.get("anon", 0) + stat.get("shmem", 0)
        return stat.get("total_rss", stat.get("rss", 0)) + stat.get(
            "total_shmem", stat.get("shmem", 0)
        )

    def out_of_memory(self) -> bool:
        """True once the kernel killed a process of the group for its memory limit."""
        if self.version == 2:
            events = _keyed(_read(self.folders[0] / "memory.events"))
            return events.get("oom_kill", 0) > 0 or events.get("oom", 0) > 0
        control = _keyed(_read(self.folders[0] / "memory.oom_control"))
        failed = _read(self.folders[0] / "memory.failcnt").strip()
        return control.get("oom_kill", 0) > 0 or (
            "oom_kill" not in control and failed.isdigit() and int(failed) > 0
        )

    def refused_processes(self) -> bool:
        """True once the group's process limit refused a new process or thread."""
        events = _keyed(_read(self.folders[-1] / "pids.events"))
        return events.get("max", 0) > 0


def _write(path: Path, value: int) -> None:
    with open(path, "w", encoding="ascii") as fh:
        fh.write(str(int(value)))


def _new_group(parent: Path, name: str, made: list[Path]) -> Path:
    """Make the group ``name`` in ``parent`` (after sweeping it of dead ones); noted in ``made``."""
    _sweep(parent)
    folder = parent / name
    folder.mkdir(mode=0o755)
    made.append(folder)
    return folder


def _sweep(parent: Path) -> None:
    """Remove the groups that graders killed before they could tidy up left behind.

    A group's name carries its grader's pid: groups of a grader that is still
    running (this one, or another run at the same time) are left alone.
    """
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            owner = entry.name[len(PREFIX) :].split("-")[0]
            if not entry.name.startswith(PREFIX) or not owner.isdigit():
                continue
            if alive(int(owner)) or not entry.is_dir():
                continue
            for pid in _read(entry / "cgroup.procs").split():
                with contextlib.suppress(OSError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            for _ in range(20):
                try:
                    entry.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)


def alive(pid: int) -> bool:
    """True while process ``pid`` exists (also when it belongs to another user).

    The grader's leftovers are named after the process that made them; a folder or
    file whose process is gone is what a killed run left behind.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# --------------------------------------------------------------------------
# Accounting without a control group
# --------------------------------------------------------------------------
#: In-memory folders of a sandbox: it mounts each as a size-capped tmpfs
#: (:mod:`b2bsm_teach.grade.sandbox_run`), and the watchdog counts what they hold.
MEMORY_FOLDERS = ("/tmp", "/dev/shm", "/home/student", "/submission")


def shared_memory(pids: list[int]) -> int:
    """Bytes held outside any process's resident set: open memfd/shm files and in-memory folders.

    Each file is counted once (by device and inode), whatever the number of
    processes holding it; the in-memory folders are measured through the
    first process's view of its mounts.
    """
    seen: set[tuple[int, int]] = set()
    total = 0
    for pid in pids:
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
                if not (target.startswith("/memfd:") or target.startswith("/dev/shm/")):
                    continue
                info = os.stat(f"{fd_dir}/{fd}")
            except OSError:
                continue
            key = (info.st_dev, info.st_ino)
            if key not in seen:
                seen.add(key)
                total += info.st_blocks * 512
    for pid in pids[:1]:
        for folder in MEMORY_FOLDERS:
            try:
                vfs = os.statvfs(f"/proc/{pid}/root{folder}")
            except OSError:
                continue
            total += (vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize
    return total
