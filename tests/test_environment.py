"""environment.yml (Binder, conda) and pyproject.toml must describe the same kit."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from the PyPI ones
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _split(spec: str) -> tuple[str, str]:
    name, rest = REQ.match(spec).groups()
    return name.lower().replace("_", "-"), rest.replace(" ", "")


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


def test_environment_is_a_conda_mapping_repo2docker_accepts(env):
    assert isinstance(env, dict), "environment.yml must be a YAML mapping"
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    assert all(isinstance(d, (str, dict)) for d in deps)
    # repo2docker reads an exact python=X.Y pin (a lower bound is not honoured there)
    pythons = [d for d in deps if isinstance(d, str) and d.startswith("python")]
    assert len(pythons) == 1 and re.fullmatch(r"python=3\.1[1-9]", pythons[0]), pythons
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict)]
    assert pip_sections == [["-e ."]], "the kit itself must be installed from the repo"
    assert "pip" in deps


def test_runtime_dependencies_agree(pyproject, env):
    py = dict(_split(s) for s in pyproject["project"]["dependencies"])
    conda = conda_requirements(env)
    conda.pop("python")
    conda.pop("pip")
    assert conda == py, (
        "environment.yml and pyproject.toml disagree; missing or different bounds: "
        f"{set(conda.items()) ^ set(py.items())}"
    )


def test_python_version_matches_requires_python(pyproject, env):
    floor = re.search(r">=\s*(3\.\d+)", pyproject["project"]["requires-python"]).group(1)
    pinned = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert tuple(map(int, pinned.split("=")[1].split("."))) >= tuple(map(int, floor.split(".")))


def test_no_files_that_repo2docker_would_ignore_or_prefer():
    for name in ("requirements.txt", "runtime.txt"):
        assert not (ROOT / name).exists(), f"{name} is ignored beside environment.yml: delete it"
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), (
        "a binder/ folder would make repo2docker ignore the root environment.yml"
    )


def test_test_extras_cover_the_tools_the_suite_uses(pyproject):
    extras = {_split(s)[0] for s in pyproject["project"]["optional-dependencies"]["test"]}
    assert {"pytest", "nbval", "pytest-xdist", "hypothesis", "ruff"} <= extras
