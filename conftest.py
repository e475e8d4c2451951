"""Suite-wide settings that must be in place before any kernel starts, and shared fixtures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.kernel_warnings import KERNEL_WARNINGS

# Warnings are errors in the test suite (pyproject's filterwarnings covers the
# pytest process); kernels started by nbval inherit this, so a FutureWarning in
# a notebook fails its cell too. The two exceptions (a pending deprecation at
# kernel shutdown, tornado's event-loop warning at kernel start on Python 3.12+)
# are explained in tools/kernel_warnings.py.
os.environ["PYTHONWARNINGS"] = KERNEL_WARNINGS

# One BLAS/OpenMP thread per process. The suite already keeps both cores busy with two
# workers (and their kernels); a BLAS library that also starts a thread per core makes the
# processes fight over the cores: a set-07 answer key cost 2.4 CPU s per student with
# OpenBLAS's default threads and 1.1 s with one (benchmarks/README.md). Set before numpy
# loads anywhere (it is not loaded yet here), so workers, kernels and sandboxes inherit it.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

ROOT = Path(__file__).resolve().parent
#: Never copied into a scratch copy of the repository (environments, caches, builds).
SCRATCH_IGNORE = (
    ".git",
    ".venv*",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".ipynb_checkpoints",
    "_site",
    "_build",
    "build",
    "dist",
    "*.egg-info",
)


def requirement_closure(requirements: list[str]) -> dict:
    """The installed distributions ``requirements`` need, with everything they need.

    Resolved against the distributions of the running environment (markers
    evaluated for this interpreter, extras followed), so a bare environment made
    from them holds exactly what a ``pip install`` of ``requirements`` would.
    Raises ``LookupError`` naming a requirement that is not installed here.
    """
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: dict[str, metadata.Distribution] = {}
    done: set[tuple[str, str]] = set()
    todo = [(Requirement(r), "") for r in requirements]
    while todo:
        req, extra = todo.pop()
        if req.marker and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        try:
            dist = found.get(name) or metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise LookupError(f"{req} is needed but not installed in {sys.prefix}") from None
        if not req.specifier.contains(dist.version, prereleases=True):
            raise LookupError(f"{req} is needed but {name} {dist.version} is installed")
        found[name] = dist
        for wanted in ("", *sorted(req.extras)):
            if (name, wanted) in done:
                continue
            done.add((name, wanted))
            todo += [(Requirement(r), wanted) for r in dist.requires or []]
    return found


def _top_level(dist) -> set[Path]:
    """The entries a distribution put directly into site-packages (no scripts)."""
    tops = set()
    for file in dist.files or []:
        first = Path(file).parts[0]
        if first not in ("..", "__pycache__"):
            tops.add(Path(dist.locate_file(first)))
    return tops


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link ``source`` (a file or folder) to ``target``; copy where links fail.

    Hard links, not symbolic ones: pip or Python may delete or rewrite files in
    the new environment, and that must never reach the test environment's files.
    """

    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:  # another file system
            shutil.copy2(src, dst)

    if source.is_dir():
        shutil.copytree(source, target, copy_function=link, symlinks=True)
    else:
        link(source, target)


def make_bare_venv(path: Path, requirements: list[str]) -> Path:
    """A fresh virtual environment holding only ``requirements`` and their dependencies.

    The packages are the ones installed in the test environment, hard-linked
    rather than downloaded: creating one takes seconds and needs no network.
    Returns the environment's python.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    )
    site = Path(out.stdout.strip())
    owners: dict[str, str] = {}
    for name, dist in sorted(requirement_closure(requirements).items()):
        for top in sorted(_top_level(dist)):
            if not top.exists():
                continue
            if top.name in owners:
                raise RuntimeError(f"{name} and {owners[top.name]} both install {top.name}")
            owners[top.name] = name
            _link_tree(top, site / top.name)
    return python


@pytest.fixture(scope="session")
def bare_venv(tmp_path_factory):
    """Factory: ``bare_venv(name, requirements)`` -> python of a fresh, minimal environment."""

    def make(name: str, requirements: list[str]) -> Path:
        return make_bare_venv(tmp_path_factory.mktemp(name) / "venv", requirements)

    return make


@pytest.fixture
def scratch_repo(tmp_path) -> Path:
    """A copy of the working tree (without environments, caches and builds) to build from."""
    target = tmp_path / "b2bsm"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*SCRATCH_IGNORE), symlinks=True)
    return target


# --------------------------------------------------------------------------
# Test tiers (README, "Tests")
# --------------------------------------------------------------------------
#: What other Pythons run (``make test-pythons``, marker ``compat``): every lesson and
#: solution notebook (not the student versions in exercises/, which are the solutions with
#: their answers taken out and run under the main Python), every doctest, and the tests of
#: paths that depend on the interpreter: building a release and its hashed keys, installing
#: the kit as Colab does, and the grader's sandbox running that interpreter's runner (the
#: host cases; the whole hostile corpus runs under the main Python).
#: The numeric sweeps and the static checks of stored notebooks give the same answers on
#: every interpreter and run once, under the main Python (``make test-full``: everywhere).
#: The notebooks (marker ``notebook``) run under the newest other Python only, whose lock
#: holds the newest library versions (the Makefile's ``test-pythons``; all in test-full).
COMPAT_FILES = {
    "test_release.py",
    "test_answer_key.py",
    "test_colab.py",
    "test_grade_host.py",
}


#: Files whose tests ``make test`` spreads over both workers, in two parts by the exercise
#: set they test (the survey sets 02-05 share their generated datasets, so they stay
#: together). Every other file, and every notebook (its cells share one kernel), runs whole
#: on one worker, as ``--dist loadfile`` does.
SPLIT_BY_SET = ("tests/test_checking_policy.py",)
#: Files each of whose items is a unit of its own (independent parts of one long sweep).
SPLIT_BY_ITEM = ("tests/test_every_id.py",)
_SET_PARAM = re.compile(r"\[(\d\d)(?:-|\])")


def scheduling_scope(nodeid: str) -> str:
    """The unit ``make test`` sends to one worker: a test's file, or a part of a split file.

    >>> scheduling_scope("tests/test_checking_policy.py::test_x[04-q3]")
    'tests/test_checking_policy.py:survey'
    >>> scheduling_scope("notebooks/02_survey_data.ipynb::Cell 3")
    'notebooks/02_survey_data.ipynb'
    """
    path = nodeid.split("::", 1)[0]
    if path in SPLIT_BY_ITEM:
        return nodeid
    found = _SET_PARAM.search(nodeid)
    if path in SPLIT_BY_SET and found:
        return f"{path}:{'survey' if found.group(1) in ('02', '03', '04', '05') else 'other'}"
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the files of SPLIT_BY_SET split in two parts.

    (A scheduler rather than ``xdist_group`` marks: pytest 9.2 ignores the node-id suffix
    that ``--dist loadgroup`` relies on, pytest-dev/pytest-xdist#1386.)
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scheduling_scope(nodeid)

    # in the collected order (LONGEST_FIRST), not xdist's default of the most items first
    config.option.loadscopereorder = False
    return FileScheduling(config, log)


#: The longest units of ``make test``'s main phase, longest first (``--durations``, see
#: benchmarks/README.md). They are handed to the workers before everything else, so no
#: worker starts a long unit near the end while the others run out of work (the longest-
#: first rule of scheduling). The hostile corpus mostly waits (a notebook that freezes its
#: runner is stopped only at the run's time-out), so it starts first and the other workers
#: fill its wait.
LONGEST_FIRST = (
    "tests/browser/test_lessons_in_browser.py",  # the browser phase
    "tests/browser/test_site_in_browser.py",
    "tests/test_grade_hostile.py",  # the main phase
    "tests/test_lms.py",
    "tests/test_grade.py",
    "tests/test_every_id.py",
    "tests/test_checking_policy.py",
    "tests/test_lesson_meaning.py",
    "tests/test_stats.py",
    "tests/test_site.py",
    "tests/test_data_survey.py",
    "notebooks/08_designing_engagement_experiments.ipynb",
    "tests/test_engagement.py",
)


def _longest_first(item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(config, items):
    from _pytest.doctest import DoctestItem

    if hasattr(config, "workerinput"):  # an xdist worker; the order within each file is kept
        items.sort(key=_longest_first)

    for item in items:
        path = Path(str(item.path))
        if path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)
        if (
            (path.suffix == ".ipynb" and path.parent.name != "exercises")
            or isinstance(item, DoctestItem)
            or (path.parent.name == "tests" and path.name in COMPAT_FILES)
        ):
            item.add_marker(pytest.mark.compat)
