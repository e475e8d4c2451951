"""What a sandboxed notebook sees: the mounts, the environment and the grading keys.

:class:`b2bsm_teach.grade.sandbox.Sandbox` builds its bubblewrap command from
these parts:

* :func:`bwrap_prefix`: the namespaces, ``/proc`` (its writable parts
  read-only) and ``/dev``;
* :func:`mounts`: the operating system's ``/usr``, Python and the kit
  read-only, never a forbidden folder (the submissions, the gradebook, the
  solution masters, the tests), and the answer key hidden or shown;
* :func:`environment`: a minimal environment built from scratch;
* :func:`write_grading_keys`: per set, the key a notebook sees in place of
  the answer key (questions and parameters, no answers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from b2bsm._paths import PACKAGE_DIR, REPO_ROOT
from b2bsm_teach.grade.confine import ARITY as _ARITY
from b2bsm_teach.grade.confine import drop as _drop
from b2bsm_teach.grade.confine import for_uid as _for_uid

#: The instructor package (answer keys, grader): never visible to a graded notebook.
TEACH_DIR = Path(__file__).resolve().parent.parent
#: Where things are inside the sandbox.
INSIDE_SCRATCH = "/submission"
INSIDE_HOME = "/home/student"
INSIDE_STATE = "/run/b2bsm"
INSIDE_KEYS = f"{INSIDE_STATE}/keys"
NOTEBOOK_NAME = "notebook.ipynb"
#: Writable parts of ``/proc`` that bubblewrap's own ``/proc`` leaves writable: read-only.
PROC_READ_ONLY = ("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs")


def bwrap_prefix(bwrap: str | None, mounts: list[str], *, as_root: bool) -> list[str]:
    """The start of every bubblewrap command: isolation, ``mounts``, ``/proc`` and ``/dev``.

    An ordinary user's sandbox is a user namespace of its own.  A grader
    running as root (``as_root``) gets no user namespace (it would map the
    notebook to root); the first command inside drops to the sandbox's own
    uid, which leaves no capability.
    """
    if not as_root:
        isolation = ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    else:
        isolation = [
            *("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"),
            *("--unshare-cgroup-try", "--cap-drop", "ALL"),
            *("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"),
        ]
    return [
        bwrap or "bwrap",
        *isolation,
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        *mounts,
        "--proc",
        "/proc",
        *[arg for path in PROC_READ_ONLY for arg in ("--ro-bind-try", path, path)],
        "--dev",
        "/dev",
    ]


def inside(path: Path, parent: Path) -> bool:
    """Whether ``path`` is ``parent`` or lies below it."""
    return path == parent or parent in path.parents


def environment(home: str, tmp: str, keys: str | None = None) -> dict[str, str]:
    """The sandbox's whole environment (nothing of the grader's): ``keys`` is its key folder."""
    bindir = str(Path(sys.executable).parent)
    extra = python_path()
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


def mounts(forbidden: list[Path], *, hide_key: bool) -> list[str]:
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
        if not path.is_dir() or any(inside(path, b) for b in bound):
            return
        if any(inside(f, path) or inside(path, f) for f in forbidden):
            return  # would show a forbidden folder: bind its harmless parts separately
        args.extend(["--ro-bind", str(path), str(path)])
        bound.append(path)

    exe = Path(sys.executable)
    for path in (sys.base_prefix, sys.prefix, sys.exec_prefix, exe.resolve().parent.parent):
        add(Path(path).resolve())
    kit_root = PACKAGE_DIR.parent
    for entry in clean_path():
        path = Path(entry).resolve()
        if inside(kit_root, path):
            continue  # the folder that holds the kit (and, in a checkout, the solutions)
        add(path)
    if not any(inside(PACKAGE_DIR, b) for b in bound):
        args += ["--ro-bind", str(PACKAGE_DIR), str(PACKAGE_DIR)]
    args += hide_key_args() if hide_key else show_key_args()
    data = REPO_ROOT / "data"
    if (data / "datapackage.json").is_file() and not any(inside(data, b) for b in bound):
        args += ["--ro-bind", str(data), str(data)]
    return args


def mounts_under(args: list[str], roots: tuple[str, ...]) -> list[str]:
    """The mount arguments of ``args`` whose destination lies under one of ``roots``.

    >>> mounts_under(["--ro-bind", "/usr", "/usr", "--ro-bind", "/tmp/k", "/tmp/k"], ("/tmp",))
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


def python_path() -> str | None:
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


def hide_key_args() -> list[str]:
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


def show_key_args() -> list[str]:
    """Show the instructor package read-only (a kit that cannot open its sets without it)."""
    return ["--ro-bind", str(TEACH_DIR), str(TEACH_DIR)]


def python_command(head: list[str], uid: int, *args: str) -> list[str]:
    """A whole bubblewrap command: ``head``, then Python with ``args`` in the scratch folder.

    ``uid`` is the sandbox's own uid when the grader is root (the command
    then drops to it first, and its mounts are made usable by that uid), or -1.
    """
    cmd = [*head, "--chdir", INSIDE_SCRATCH, "--", *_drop(uid), sys.executable, "-B", "-P", *args]
    return _for_uid(cmd) if uid >= 0 else cmd
