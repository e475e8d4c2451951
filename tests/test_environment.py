"""How the kit gets installed, for each role, and on Binder.

- pyproject.toml splits dependencies by role: a lesson needs only the
  scientific stack and the widgets; JupyterLab, grading, the website and the
  tests are extras.  The bare wheel, installed with nothing but its declared
  dependencies, runs every lesson's imports and an exercise set's self-check.
- environment.yml (Binder, conda) is solved alone; ``postBuild`` installs the
  kit after the repository is copied, so a lesson edit does not rebuild the
  environment.  repo2docker's rendered Dockerfile shows that order.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from the PyPI ones
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")
#: What only instructors, maintainers or JupyterLab need: never a lesson's dependency.
NOT_RUNTIME = {"jupyterlab", "notebook", "nbformat", "nbclient", "nbconvert", "tqdm", "nbval"}


def _split(spec: str) -> tuple[str, str]:
    name, rest = REQ.match(spec).groups()
    return name.lower().replace("_", "-"), rest.replace(" ", "")


def _names(specs: list[str]) -> set[str]:
    return {_split(s)[0] for s in specs}


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def env() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_requirements(env: dict) -> dict[str, str]:
    reqs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            exact_pin = re.match(r"^[A-Za-z0-9_.\-]+=\d", dep)
            name, bound = _split(dep.replace("=", "==", 1) if exact_pin else dep)
            reqs[CONDA_TO_PYPI.get(name, name)] = bound
    return reqs


# --------------------------------------------------------------------------
# Dependencies by role
# --------------------------------------------------------------------------
def test_runtime_dependencies_are_only_what_a_lesson_imports(pyproject):
    runtime = _names(pyproject["project"]["dependencies"])
    assert runtime == {
        "numpy",
        "pandas",
        "scipy",
        "statsmodels",
        "matplotlib",
        "seaborn",
        "ipywidgets",
    }, "a lesson needs the scientific stack and the widgets only; the rest belongs in extras"
    assert not runtime & NOT_RUNTIME


def test_each_role_has_an_extra_and_test_installs_them_all(pyproject):
    extras = pyproject["project"]["optional-dependencies"]
    assert {"lab", "grade", "site", "test"} <= set(extras)
    assert {"jupyterlab", "ipykernel"} <= _names(extras["lab"])
    assert {"nbformat", "nbclient", "nbconvert", "tqdm", "ipykernel"} <= _names(extras["grade"])
    site = dict(_split(s) for s in extras["site"])
    # Jupyter Book 2 (mystmd) downloads its theme at build time: the site needs 1.x
    assert "<2" in site["jupyter-book"].split(","), site["jupyter-book"]
    assert "sphinxcontrib-bibtex" in site
    test = extras["test"]
    assert "b2bsm[lab,grade,site,test-core]" in test, "make test must install every extra"
    assert {"ruff", "playwright", "uv"} <= _names(test)
    core = extras["test-core"]
    assert "b2bsm[grade]" in core, "the compatibility tier grades in its sandbox"
    assert {"pytest", "nbval", "pytest-xdist", "hypothesis"} <= _names(core)
    assert "jupyter-repo2docker" in _names(test)


def test_make_targets_install_the_extra_of_their_role():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"pip install .*-e '\.\[lab\]'", makefile), "make lab installs .[lab]"
    assert re.search(r"UV_INSTALL\) \$\(PY\) -e '\.\[test\]' -c \$\(call LOCK_OF", makefile), (
        "make test installs .[test] at the tested versions of the lock"
    )
    assert re.search(r"UV_INSTALL = \$\(UV\) pip install", makefile)


def test_supported_pythons_are_declared(pyproject):
    project = pyproject["project"]
    assert project["requires-python"].replace(" ", "") == ">=3.11"
    classifiers = {c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if "Python :: 3." in c}
    assert classifiers == {"3.11", "3.12", "3.13"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11, 3.12 or 3.13" in readme, "README must say which Pythons are supported"


# --------------------------------------------------------------------------
# environment.yml and Binder
# --------------------------------------------------------------------------
def test_environment_is_a_conda_mapping_repo2docker_accepts(env):
    assert isinstance(env, dict), "environment.yml must be a YAML mapping"
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    assert all(isinstance(d, str) for d in deps), (
        "environment.yml must not install the kit (no pip: section): repo2docker would "
        "then copy the whole repository before solving, and rebuild on every commit"
    )
    # repo2docker reads an exact python=X.Y pin (a lower bound is not honoured there)
    pythons = [d for d in deps if d.startswith("python")]
    assert len(pythons) == 1 and re.fullmatch(r"python=3\.1[1-9]", pythons[0]), pythons
    assert "pip" in deps


def test_environment_holds_runtime_lab_and_build_requirements(pyproject, env):
    project = pyproject["project"]
    expected = dict(_split(s) for s in project["dependencies"])
    expected.update(dict(_split(s) for s in project["optional-dependencies"]["lab"]))
    expected.update(dict(_split(s) for s in pyproject["build-system"]["requires"]))
    conda = conda_requirements(env)
    conda.pop("python")
    conda.pop("pip")
    assert set(conda) == set(expected), (
        "environment.yml must list pyproject's runtime dependencies, the `lab` extra "
        f"and the build backend; different: {set(conda) ^ set(expected)}"
    )
    for name, pin in conda.items():
        version = pin.removeprefix("==")
        assert pin.startswith("==") and SpecifierSet(expected[name]).contains(version), (
            f"environment.yml pins {name}{pin}, outside pyproject's {expected[name]!r}"
        )


def test_binder_pins_the_tested_versions_of_the_lock():
    """Binder runs what `make test` ran: environment.yml's pins are the lock's (make lock)."""
    out = subprocess.run(
        [sys.executable, "tools/lock.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_supported_python_has_a_lock_of_tested_versions(pyproject):
    classifiers = {c.rsplit(" :: ", 1)[1] for c in pyproject["project"]["classifiers"]}
    for version in sorted(v for v in classifiers if v.startswith("3.")):
        lock = ROOT / "requirements" / f"lock-py{version}.txt"
        assert lock.exists(), f"no lock for Python {version}: run make lock"
        pins = dict(line.split("==", 1) for line in lock.read_text().splitlines() if "==" in line)
        for name in ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pytest", "nbval"):
            assert name in pins, f"{lock.name} does not pin {name}"


def test_python_version_matches_requires_python(pyproject, env):
    floor = re.search(r">=\s*(3\.\d+)", pyproject["project"]["requires-python"]).group(1)
    pinned = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert tuple(map(int, pinned.split("=")[1].split("."))) >= tuple(map(int, floor.split(".")))


def test_no_files_that_repo2docker_would_ignore_or_prefer():
    for name in ("requirements.txt", "runtime.txt", "setup.py", "Project.toml", "install.R"):
        assert not (ROOT / name).exists(), f"{name} changes what Binder builds: delete it"
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), (
        "a binder/ folder would make repo2docker ignore the root environment.yml"
    )


def test_postbuild_installs_the_kit_without_touching_the_environment():
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK), "postBuild must be executable (chmod +x postBuild)"
    tracked = subprocess.run(
        ["git", "ls-files", "--stage", "postBuild"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    if tracked:  # git must record the executable bit too, or a clone gets a plain file
        assert tracked.startswith("100755"), f"git stores postBuild as {tracked.split()[0]}"
    commands = [line for line in post.read_text().splitlines() if line and not line.startswith("#")]
    assert commands[0] == "set -euo pipefail"
    assert commands[1:] == [
        "python -m pip install --no-deps --no-build-isolation --no-cache-dir ."
    ], "postBuild installs the kit, and only the kit: every dependency is in environment.yml"


@pytest.fixture(scope="module")
def dockerfile() -> str:
    repo2docker = Path(sys.executable).with_name("repo2docker")
    assert repo2docker.exists(), "repo2docker is missing: install the test extra (.[test])"
    # repo2docker is a tool here, not under test: its own deprecation warnings are not errors
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    out = subprocess.run(
        [str(repo2docker), "--no-build", "--debug", str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "FROM " in out.stdout, out.stderr[-2000:]
    return out.stdout


def test_binder_solves_the_environment_before_copying_the_repository(dockerfile):
    env_copy = dockerfile.index("COPY --chown=0:0 src/environment.yml ")
    solve = dockerfile.index('--file "environment.yml"')
    repo_copy = dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    post = dockerfile.index("RUN ./postBuild")
    assert env_copy < solve < repo_copy < post, (
        "Binder must solve environment.yml before it copies the repository (cacheable), "
        "and install the kit (postBuild) after"
    )
    # the solve step sees no other file of the repository
    assert dockerfile.count("COPY --chown=0:0 src/") == 2


def test_binder_uses_the_python_of_environment_yml(dockerfile, env):
    pinned = next(d for d in env["dependencies"] if d.startswith("python=")).split("=")[1]
    # repo2docker copies its lock file under an escaped name ("." -> "-2e", "-" -> "-2d")
    escaped = re.findall(r"environment-2epy-2d(3)-2e(\d+)-2d", dockerfile)
    used = {f"{major}.{minor}" for major, minor in escaped}
    assert used == {pinned}, f"Binder's base environment is Python {used}, expected {pinned}"


# --------------------------------------------------------------------------
# The bare wheel: only the runtime dependencies, no notebook tooling
# --------------------------------------------------------------------------
LESSON_IMPORTS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def lesson_import_lines() -> list[str]:
    """Every import statement of every lesson's code cells (deduplicated, in order)."""
    lines: list[str] = []
    for path in LESSON_IMPORTS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            try:
                tree = ast.parse(source)
            except SyntaxError:  # IPython magics: not plain Python
                continue
            for node in tree.body:
                if isinstance(node, ast.Import | ast.ImportFrom):
                    line = ast.unparse(node)
                    if line not in lines:
                        lines.append(line)
    return lines


BARE_CHECK = """
import importlib.util, json, sys
from pathlib import Path

for tool in {absent!r}:
    assert importlib.util.find_spec(tool) is None, f"{{tool}} is importable in a bare install"

{imports}

import b2bsm
where = Path(b2bsm.__file__).resolve()
assert Path(sys.prefix).resolve() in where.parents, f"b2bsm imported from {{where}}"
from b2bsm.data import load_survey
assert len(load_survey()) == 125

from b2bsm.exercises import start
ex = start("03", "s1234567", quiet=True)
ex.check("q1", ...)
found = {{}}
for qid in [f"q{{i}}" for i in range(1, 10)]:
    try:
        verdicts = [ex.evaluate(qid, letter) for letter in "abcd"]
    except (KeyError, ValueError, TypeError):
        continue
    statuses = [v.status for v in verdicts]
    if "correct" in statuses:
        found[qid] = statuses
print(json.dumps(found))
"""


@pytest.mark.slow
def test_bare_wheel_runs_lessons_and_self_checks(pyproject, bare_venv, scratch_repo, tmp_path):
    runtime = pyproject["project"]["dependencies"]
    build = pyproject["build-system"]["requires"]
    python = bare_venv("bare", [*runtime, *build, "pip"])
    # postBuild is the command that installs the kit on Binder: run it for real
    env = dict(os.environ, PATH=f"{python.parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    # pip is a tool here, not under test: its own deprecation warnings are not errors
    tool_env = {k: v for k, v in env.items() if k != "PYTHONWARNINGS"}
    install = subprocess.run(
        ["bash", "postBuild"], cwd=scratch_repo, env=tool_env, capture_output=True, text=True
    )
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-3000:]
    shutil.rmtree(scratch_repo)  # the installed wheel must not lean on the source tree

    script = BARE_CHECK.format(absent=sorted(NOT_RUNTIME), imports="\n".join(lesson_import_lines()))
    run = subprocess.run(
        [str(python), "-c", script],
        cwd=tmp_path,
        env={**env, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    assert "not answered" in run.stdout
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found, "no multiple-choice question of set 03 could be checked in the bare install"
    for qid, statuses in found.items():
        assert statuses.count("correct") == 1, f"{qid}: {statuses}"
    requires = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.requires('b2bsm'))"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for spec in runtime:
        assert spec.replace(" ", "") in requires.replace(" ", ""), (spec, requires)


def test_bare_check_script_fails_when_a_notebook_tool_is_importable(bare_venv, tmp_path):
    """The bare-install check must notice a leaked notebook tool (here: nbformat)."""
    python = bare_venv("leaky", ["nbformat"])
    script = textwrap.dedent(BARE_CHECK.split("{imports}")[0]).format(absent=["nbformat"])
    run = subprocess.run([str(python), "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode != 0 and "nbformat is importable" in run.stderr
