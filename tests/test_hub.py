"""The hub recipe (hub/Dockerfile, tools/hub_recipe.py) and the runtime requirements alone.

Docker and Kubernetes are not on this machine, so the image is not built here.
What is tested: the configuration renders and parses, is pinned to one commit,
and its start link is one nbgitpuller reads as intended; the image's install
step, run in a fresh environment on a student release; the one install command
agreed by the README, the release README and the image; a release's hub links;
and every lesson and exercise notebook run in an environment made from the
runtime requirements alone (no JupyterLab, no notebook tools).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from b2bsm import links

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import hub_recipe  # noqa: E402
import launch_links  # noqa: E402

DOCKERFILE = (ROOT / "hub" / "Dockerfile").read_text(encoding="utf-8")
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _runs() -> list[str]:
    """The RUN instructions of the Dockerfile (continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line[4:].strip() for line in text.splitlines() if line.startswith("RUN ")]


# --------------------------------------------------------------------------
# The configuration
# --------------------------------------------------------------------------
def test_config_renders_pinned_to_one_commit_with_a_working_start_link():
    text = hub_recipe.render_config(
        "ghcr.io/acme/course-hub",
        COMMIT,
        repo="acme/course",
        branch="spring",
        hub="https://hub.acme.edu",
    )
    values = yaml.safe_load(text)
    image = values["singleuser"]["image"]
    assert image == {
        "name": "ghcr.io/acme/course-hub",
        "tag": COMMIT[:12],
        "pullPolicy": "IfNotPresent",
    }
    assert values["singleuser"]["extraEnv"]["B2BSM_COMMIT"] == COMMIT
    assert values["singleuser"]["defaultUrl"] == "/lab"
    assert f"--build-arg KIT_COMMIT={COMMIT} -t ghcr.io/acme/course-hub:{COMMIT[:12]}" in text
    start = re.search(r"^#\s+(https://hub\.acme\.edu/\S+)$", text, re.M).group(1)
    assert start == links.hub_url(hub_recipe.START, "https://hub.acme.edu", "acme/course", "spring")
    assert (
        launch_links.problems(
            start, repo="acme/course", branch="spring", hub="https://hub.acme.edu", root=ROOT
        )
        == []
    )


@pytest.mark.parametrize(
    ("image", "commit", "message"),
    [
        ("ghcr.io/acme/hub", "abc123", "40-character"),
        ("GHCR.io/Acme Hub", COMMIT, "registry path"),
    ],
)
def test_config_refuses_a_short_commit_or_a_bad_image(image, commit, message):
    with pytest.raises(ValueError, match=message):
        hub_recipe.render_config(image, commit)


def test_the_example_config_is_what_the_recipe_renders():
    example = (ROOT / "hub" / "config.example.yaml").read_text(encoding="utf-8")
    repo = re.search(r"come from: https://github\.com/(\S+) \(branch (\S+)\)", example)
    image = yaml.safe_load(example)["singleuser"]["image"]["name"]
    rendered = hub_recipe.render_config(
        image,
        hub_recipe.EXAMPLE_COMMIT,
        repo=repo.group(1),
        branch=repo.group(2),
        hub=hub_recipe.EXAMPLE_HUB,
    )
    assert example == rendered, "render hub/config.example.yaml again (tools/hub_recipe.py)"


def test_cli_writes_the_config_for_this_checkout(tmp_path):
    out = tmp_path / "config.yaml"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "hub_recipe.py"),
            "--image",
            "ghcr.io/a/b",
            "--commit",
            COMMIT,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert yaml.safe_load(out.read_text())["singleuser"]["image"]["tag"] == COMMIT[:12]
    assert "docker build -f hub/Dockerfile" in run.stderr


# --------------------------------------------------------------------------
# The image and the one install command
# --------------------------------------------------------------------------
def test_image_installs_the_kit_from_its_own_files_with_the_agreed_command():
    assert hub_recipe.INSTALL_COMMAND in _runs()
    copied = re.findall(r"^COPY\s+(?:--\S+\s+)*(.+?)\s+\S+$", DOCKERFILE, re.M)
    sources = {s for line in copied for s in line.split()}
    assert {"pyproject.toml", "b2bsm", "data"} <= sources
    for source in sources:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is not here"
    assert "git+" not in DOCKERFILE and "archive/refs" not in DOCKERFILE, "never from GitHub"
    assert re.search(r"^ARG KIT_COMMIT", DOCKERFILE, re.M)
    assert 'org.opencontainers.image.revision="${KIT_COMMIT}"' in DOCKERFILE


def test_readme_and_release_readme_agree_on_the_install_command(tmp_path):
    from b2bsm_teach.exercises.release import release_readme

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert hub_recipe.INSTALL_COMMAND in readme
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "exercises").mkdir()
    assert hub_recipe.INSTALL_COMMAND in release_readme(tmp_path, None, 0)


def test_release_readme_links_the_hub_of_the_release(tmp_path, monkeypatch):
    from b2bsm_teach.exercises.release import release_readme

    lesson = ROOT / "notebooks" / "02_survey_data.ipynb"
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "exercises").mkdir()
    (tmp_path / "notebooks" / lesson.name).write_bytes(lesson.read_bytes())
    monkeypatch.setattr(links, "HUB_URL", "https://hub.acme.edu")
    text = release_readme(tmp_path, "acme/course-2026", 0)
    hub_links = re.findall(r"\[JupyterHub\]\(([^)]+)\)", text)
    assert len(hub_links) == 1
    assert (
        launch_links.problems(
            hub_links[0], repo="acme/course-2026", hub="https://hub.acme.edu", root=tmp_path
        )
        == []
    )
    monkeypatch.setattr(links, "HUB_URL", "")
    assert "JupyterHub" not in release_readme(tmp_path, "acme/course-2026", 0)


def _pip_args(command: str) -> list[str]:
    args = shlex.split(command)
    assert args[:4] == ["python", "-m", "pip", "install"], command
    return args[4:]


@pytest.mark.slow
def test_image_install_step_runs_in_a_fresh_environment(bare_venv, tmp_path):
    """The Dockerfile's install command, on a student release, in an environment holding
    only what it needs (offline: the dependencies are hard-linked from this environment)."""
    from b2bsm_teach.exercises.release import release

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    needs = [*project["dependencies"], *project["optional-dependencies"]["lab"], *build, "pip"]
    python = bare_venv("hub-image", needs)
    kit = release(tmp_path / "release")
    del kit
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "PYTHONPATH")}
    cmd = [str(python), "-m", "pip", "install", *_pip_args(hub_recipe.INSTALL_COMMAND)]
    cmd += ["--no-index", "--no-build-isolation", "--quiet", "--disable-pip-version-check"]
    run = subprocess.run(cmd, cwd=tmp_path / "release", capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    probe = (
        "import b2bsm, pathlib, importlib.util; p = pathlib.Path(b2bsm.__file__).parent; "
        "print(json.dumps({'where': str(p), 'key': (p / 'exercises/sets/lesson01.py').exists(),"
        " 'lab': importlib.util.find_spec('jupyterlab') is not None}))"
    )
    out = subprocess.run(
        [str(python), "-c", "import json; " + probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    found = json.loads(out)
    assert "site-packages" in found["where"], "installed, not run from the source folder"
    assert found["key"] is False, "the image must not hold the answer key"
    assert found["lab"] is True


# --------------------------------------------------------------------------
# The runtime requirements alone run every lesson
# --------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.full
def test_every_notebook_runs_with_the_runtime_requirements_alone(bare_venv, tmp_path):
    """pyproject's `dependencies` (what Colab, a hub image or `pip install .` bring), nothing
    else: no JupyterLab, no ipykernel, no notebook tools.  Each lesson and exercise notebook
    runs top to bottom in IPython's shell (tools/run_plain.py)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    python = bare_venv("runtime-only", project["dependencies"])
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(tmp_path / "wheel"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"},
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp_path / "wheel").glob("b2bsm-*.whl"))
    zipfile.ZipFile(wheel).extractall(tmp_path / "kit")
    absent = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u; print([m for m in "
            "('jupyterlab', 'ipykernel', 'nbformat', 'nbclient') if u.find_spec(m)])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert absent == "[]", f"not a runtime-only environment: {absent}"
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    notebooks += sorted((ROOT / "exercises").glob("*.ipynb"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "kit"), "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [str(python), str(ROOT / "tools" / "run_plain.py"), *map(str, notebooks)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=1200,
    )
    summary = [line for line in run.stdout.splitlines() if line.startswith(("ok ", "FAILED"))]
    assert run.returncode == 0, "\n".join(summary) + run.stderr[-3000:]
    assert len(summary) == len(notebooks)
