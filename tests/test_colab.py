"""Each lesson and exercise notebook opens in Google Colab and installs the kit itself there.

Colab opens a notebook straight from GitHub, without the ``b2bsm`` package.
The first code cell of every lesson, exercise notebook and master (tag ``colab-setup``, written by
``tools/colab_cell.py`` from :func:`b2bsm.links.colab_setup_source`) installs
the kit from the repository with ``--no-deps``, so Colab's own numpy, pandas,
ipywidgets ... are never upgraded; outside Colab it does nothing.

Colab itself cannot be reached from here, so the tests run the cell in fresh
environments holding only the kit's runtime dependencies (as Colab has them),
with ``google.colab`` faked and the install source pointed at a copy of this
checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from b2bsm import links
from b2bsm.exercises import start
from b2bsm_teach.links import colab_paths, lesson_paths, read_notebook, set_colab_cell

ROOT = Path(__file__).resolve().parents[1]
LESSONS = lesson_paths(ROOT)
OPENED_ON_COLAB = colab_paths(ROOT)
FAKE_COLAB = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"


def _runtime() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONWARNINGS")}
    return {**env, "MPLBACKEND": "Agg", **extra}


def _site_entries(python: Path) -> set[str]:
    """What is installed in an environment's site-packages (Python's own bytecode cache of
    top-level modules, ``__pycache__``, is not an installed package)."""
    code = "import sysconfig, os; print('\\n'.join(os.listdir(sysconfig.get_path('purelib'))))"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split()) - {"__pycache__"}


def test_lessons_exercises_and_masters_all_get_the_cell():
    names = {p.relative_to(ROOT).parts[0] for p in OPENED_ON_COLAB}
    assert names == {"notebooks", "exercises", "solutions"}
    solutions = list((ROOT / "solutions").glob("*.ipynb"))
    masters = [p for p in solutions if p.name.endswith("_exercises.ipynb")]
    # each master has its student exercise notebook; other solutions (the capstone) do not
    assert len(OPENED_ON_COLAB) == len(LESSONS) + len(solutions) + len(masters)


@pytest.mark.parametrize("path", OPENED_ON_COLAB, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_lesson_starts_with_the_current_colab_cell(path):
    nb = read_notebook(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    tags = code[0].get("metadata", {}).get("tags", []) if code else []
    assert links.COLAB_TAG in tags, (
        f"{path.name}: the first code cell must be the Colab set-up cell: run "
        "`python tools/colab_cell.py`"
    )
    assert not set_colab_cell(nb), (
        f"{path.name}: the Colab cell is out of date for {links.REPOSITORY}: run "
        "`python tools/colab_cell.py`"
    )
    assert not code[0].get("outputs"), "the cell prints nothing outside Colab"


def test_cell_installs_from_the_repository_without_dependencies():
    source = links.colab_setup_source()
    assert links.archive_url() in source
    assert '"--no-deps"' in source, "Colab's pinned packages must not be upgraded"
    assert "google.colab" in source


def test_colab_cell_does_nothing_outside_colab(bare_venv, tmp_path):
    python = bare_venv("outside", [*_runtime(), "pip"])
    before = _site_entries(python)
    # were it to install, this source would fail loudly
    env = _env(**{links.COLAB_SOURCE_VARIABLE: str(tmp_path / "no-such-kit")})
    run = subprocess.run(
        [str(python), "-c", links.colab_setup_source()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "" and run.stderr == ""
    assert _site_entries(python) == before


@pytest.mark.slow
def test_colab_cell_installs_the_kit_on_colab(bare_venv, scratch_repo, tmp_path):
    runtime = _runtime()
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    python = bare_venv("colab", [*runtime, *build, "pip"])
    before = _site_entries(python)
    tmp_path = tmp_path / "notebook"  # a folder without the checkout copy, as on Colab
    tmp_path.mkdir()
    check = subprocess.run(
        [str(python), "-c", "import b2bsm"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode != 0, "the environment must start without the kit"

    cell = links.colab_setup_source()
    after_install = (
        "import b2bsm, sys\n"
        "from pathlib import Path\n"
        "assert Path(sys.prefix).resolve() in Path(b2bsm.__file__).resolve().parents\n"
        "from b2bsm.data import load_survey\n"
        "from b2bsm import market\n"
        "box = market.journey_explorer(n_buyers=50, seed=1)\n"
        "from b2bsm.exercises import start\n"  # what an exercise notebook's setup cell does
        "ex = start('02', 's1234567', quiet=True)\n"
        "print(len(load_survey()), type(box).__name__, len(ex.data), ex.params('q1')['tool'])\n"
    )
    env = _env(
        **{links.COLAB_SOURCE_VARIABLE: str(scratch_repo)},
        # offline: pip may fetch nothing, not even the build backend
        PIP_NO_INDEX="1",
        PIP_NO_BUILD_ISOLATION="0",
    )
    run = subprocess.run(
        [str(python), "-c", FAKE_COLAB + cell + "\n" + after_install],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    want = start("02", "s1234567", quiet=True).params("q1")["tool"]
    assert run.stdout.split()[-4:] == ["125", "VBox", "125", want]
    added = _site_entries(python) - before
    assert {e for e in added if not e.startswith("b2bsm")} == set(), (
        f"the Colab cell installed more than the kit: {sorted(added)}"
    )
    # a second run of the cell (Run all again) finds the kit and does nothing
    again = subprocess.run(
        [str(python), "-c", FAKE_COLAB + cell],
        cwd=tmp_path,
        env={**env, links.COLAB_SOURCE_VARIABLE: str(tmp_path / "gone")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr


def test_colab_tool_check_mode_reports_a_stale_lesson(tmp_path):
    nb = read_notebook(LESSONS[0])
    nb["cells"] = [c for c in nb["cells"] if links.COLAB_TAG not in c["metadata"].get("tags", [])]
    stale = tmp_path / "lesson.ipynb"
    stale.write_text(json.dumps(nb), encoding="utf-8")
    tool = [sys.executable, str(ROOT / "tools" / "colab_cell.py")]
    check = subprocess.run([*tool, "--check", str(stale)], capture_output=True, text=True)
    assert check.returncode == 1 and "lack the current Colab cell" in check.stderr
    fix = subprocess.run([*tool, str(stale)], capture_output=True, text=True)
    assert fix.returncode == 0, fix.stderr
    assert subprocess.run([*tool, "--check", str(stale)], capture_output=True).returncode == 0
    fixed = read_notebook(stale)
    first_code = next(c for c in fixed["cells"] if c["cell_type"] == "code")
    assert links.COLAB_TAG in first_code["metadata"]["tags"]
    counts = [c["execution_count"] for c in fixed["cells"] if c["cell_type"] == "code"]
    if all(counts[1:]):  # a lesson stored executed stays numbered 1, 2, 3, ...
        assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize(
    "repo", [links.REPOSITORY, "a-long-university-organisation-name/an-even-longer-course-name"]
)
def test_colab_cell_passes_the_linters_for_any_fork(repo, tmp_path):
    """`make lint` checks the lessons: the generated cell must pass for any fork's name."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "c1",
                "metadata": {},
                "outputs": [],
                "source": links.colab_setup_source(repo=repo, branch="spring-term-2027"),
            }
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(ROOT / "pyproject.toml")]
    for command in (["check"], ["format", "--check"]):
        run = subprocess.run([*ruff, *command, *config, str(path)], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
