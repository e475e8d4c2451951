"""The in-browser edition (tools/build_lite.py, `make lite`): pins, build, contents, wheels.

What runs here and what does not (the README says the same):

- here: the pins file against the installed JupyterLite tools and the Pyodide
  release their kernel loads; the build itself, with no network at all where
  this machine can take the network away (``unshare -n``); what the built site
  holds (lessons, student exercises, never a solution or answer key; the kit's
  wheel and the pinned pure wheels served by the site; the browser's set-up
  cell); and every lesson and exercise notebook of the built site run under
  CPython with exactly the pinned Pyodide library versions (marked ``slow``);
- tests/browser/test_lite_in_browser.py: the built site in Chromium, up to the
  point where the kernel would fetch the Pyodide runtime;
- not here: Pyodide itself (WebAssembly CPython 3.14 and its wheels come from
  the Pyodide CDN, which this machine cannot reach).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from b2bsm import links

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import build_lite  # noqa: E402

PINS = build_lite.read_pins()
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))


def _has_lite_tools() -> str | None:
    try:
        build_lite.check_tools(PINS)
    except build_lite.LiteError as exc:
        return str(exc)
    return None


needs_tools = pytest.mark.skipif(
    _has_lite_tools() is not None, reason=f"JupyterLite tools: {_has_lite_tools()}"
)


# --------------------------------------------------------------------------
# The pins: one file, read by the build, the extra and the CPython tier
# --------------------------------------------------------------------------
def test_pins_name_the_pyodide_release_and_its_libraries():
    assert set(PINS["libraries"]) >= {"numpy", "pandas", "scipy", "statsmodels", "matplotlib"}
    version = PINS["pyodide"]["version"]
    assert f"/v{version}/" in PINS["pyodide"]["url"]
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    from packaging.requirements import Requirement

    # every compiled runtime dependency comes from Pyodide, every pure one is served by the site
    names = {Requirement(r).name.lower() for r in runtime}
    served = set(PINS["libraries"]) | set(PINS["wheels"])
    assert names <= served, f"not pinned for the browser: {names - served}"
    for spec in runtime:
        req = Requirement(spec)
        pinned = PINS["libraries"].get(req.name.lower()) or PINS["wheels"].get(req.name.lower())
        assert req.specifier.contains(pinned), f"{req} excludes the browser's {pinned}"


def test_the_lite_extra_installs_the_pinned_tools():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lite = extras["optional-dependencies"]["lite"]
    for name, version in PINS["build"].items():
        assert f"{name}=={version}" in lite, f"the lite extra must pin {name}=={version}"


@needs_tools
def test_installed_kernel_loads_the_pinned_pyodide():
    assert f"/v{PINS['pyodide']['version']}/" in build_lite.kernel_default_pyodide_url()
    wrong = {**PINS, "pyodide": {**PINS["pyodide"], "version": "0.1.0"}}
    with pytest.raises(build_lite.LiteError, match=r"not release 0\.1\.0"):
        build_lite.check_tools(wrong)


def test_pinned_wheels_are_found_by_absolute_path_from_a_relative_folder(tmp_path, monkeypatch):
    """`make lite` passes build/lite-wheels; jupyter lite build runs in another folder."""
    folder = tmp_path / "build" / "lite-wheels"
    folder.mkdir(parents=True)
    for name, version in PINS["wheels"].items():
        (folder / f"{build_lite.wheel_name(name)}-{version}-py3-none-any.whl").touch()
    monkeypatch.chdir(tmp_path)
    found = build_lite.pinned_wheels(PINS, Path("build/lite-wheels"))
    assert len(found) == len(PINS["wheels"]) and all(p.is_absolute() for p in found)


def test_missing_wheels_name_the_command_that_fetches_them(tmp_path):
    with pytest.raises(build_lite.LiteError, match="--fetch-wheels"):
        build_lite.pinned_wheels(PINS, tmp_path)


# --------------------------------------------------------------------------
# The browser's set-up cell
# --------------------------------------------------------------------------
def test_colab_cell_becomes_the_browser_cell_in_every_lesson():
    for folder in ("notebooks", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            nb = json.loads(path.read_text(encoding="utf-8"))
            lite = build_lite.lite_notebook(nb)
            code = [c for c in lite["cells"] if c["cell_type"] == "code"]
            assert build_lite.LITE_TAG in code[0]["metadata"]["tags"], path.name
            assert "piplite.install" in "".join(code[0]["source"])
            assert not any(links.COLAB_TAG in c["metadata"].get("tags", []) for c in code)
            assert json.loads(path.read_text(encoding="utf-8")) == nb, "the source is unchanged"


def test_browser_cell_does_nothing_outside_the_browser_and_installs_inside(tmp_path):
    """Outside Pyodide the cell returns at once; inside, it awaits piplite.install('b2bsm').

    Both halves run in a fresh interpreter: IPython runs a top-level ``await`` on an
    asyncio loop, which fails with "This event loop is already running" in a process
    where Playwright's loop runs (a single ``pytest`` over the browser tests and this file).
    """
    outside = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "result = InteractiveShell.instance().run_cell("
        + repr(build_lite.lite_setup_source())
        + ")\n"
        "result.raise_error()\n"
        "import sys; assert 'piplite' not in sys.modules\n"
    )
    run = subprocess.run([sys.executable, "-c", outside], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    fake = tmp_path / "piplite.py"
    fake.write_text("calls = []\nasync def install(name):\n    calls.append(name)\n")
    script = (
        "import ast, asyncio, sys, importlib.util\n"
        f"sys.path.insert(0, {str(tmp_path)!r}); sys.platform = 'emscripten'\n"
        "importlib.util.find_spec = lambda name: None\n"
        "src = " + repr(build_lite.lite_setup_source()) + "\n"
        "code = compile(src, 'cell', 'exec', flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)\n"
        "asyncio.run(eval(code, {}))\n"
        "import piplite; print(piplite.calls)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['b2bsm']"


# --------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------
def _offline_prefix() -> list[str]:
    """``unshare -n`` (a new network namespace: no network at all) where it works."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


@pytest.fixture(scope="module")
def lite_site(tmp_path_factory):
    missing = _has_lite_tools()
    if missing:
        pytest.skip(f"JupyterLite tools: {missing}")
    try:
        build_lite.pinned_wheels(PINS, build_lite.WHEELS)
    except build_lite.LiteError as exc:
        pytest.skip(str(exc))
    out = tmp_path_factory.mktemp("lite") / "site"
    offline = _offline_prefix()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    cmd = [*offline, sys.executable, str(ROOT / "tools" / "build_lite.py"), "--out", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    print(run.stdout.strip(), "(no network)" if offline else "(network not removed)")
    return {"out": out, "offline": bool(offline)}


def _files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


@pytest.mark.slow
def test_edition_holds_lessons_and_student_exercises_only(lite_site):
    out = lite_site["out"]
    files = _files(out / "files")
    assert [f for f in files if f.startswith("notebooks/")] == [f"notebooks/{n}" for n in LESSONS]
    assert [f for f in files if f.startswith("exercises/")] == [f"exercises/{n}" for n in EXERCISES]
    everything = _files(out)
    assert not [f for f in everything if "solutions" in f or "instructors" in f]
    assert not [f for f in everything if f.endswith(".py") and "exercises/sets/lesson" in f]
    for name in EXERCISES:
        nb = json.loads((out / "files" / "exercises" / name).read_text(encoding="utf-8"))
        tags = [t for c in nb["cells"] for t in c.get("metadata", {}).get("tags", [])]
        assert "solution" not in tags and "hidden-check" not in tags, name


@pytest.mark.slow
def test_edition_serves_the_kit_and_pinned_wheels_without_pypi(lite_site):
    out = lite_site["out"]
    config = json.loads((out / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"][build_lite.KERNEL_PLUGIN]
    assert kernel["pyodideUrl"] == PINS["pyodide"]["url"]
    assert kernel["disablePyPIFallback"] is True
    index = json.loads((out / "pypi" / "all.json").read_text())
    served = {name: sorted(info["releases"]) for name, info in index.items()}
    assert served["b2bsm"] == ["0.1.0"]
    for name, version in PINS["wheels"].items():
        assert served.get(name) == [version] or served.get(name.replace("-", "_")) == [version]
    kit = next((out / "pypi").glob("b2bsm-*.whl"))
    names = zipfile.ZipFile(kit).namelist()
    assert "b2bsm/_data/datapackage.json" in names, "the data travel inside the wheel"
    assert any(n.startswith("b2bsm/exercises/_keys/") for n in names), "hashed keys only"
    assert not [n for n in names if build_lite.FORBIDDEN.search(n)], "no answer key"
    requires = zipfile.ZipFile(kit).read("b2bsm-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: jinja2" in requires


@pytest.mark.slow
def test_every_notebook_starts_with_the_browser_cell(lite_site):
    for path in sorted((lite_site["out"] / "files").rglob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        assert build_lite.LITE_TAG in first["metadata"]["tags"], path.name
        assert "colab" not in "".join(first["source"]).lower(), path.name


# --------------------------------------------------------------------------
# CPython with exactly the browser's library versions
# --------------------------------------------------------------------------
PINNED_VENV = ROOT / "build" / "venv-lite-3.13"


def _pinned_python() -> Path:
    """CPython 3.13 (the newest Python the pinned wheels exist for here; Pyodide runs 3.14)
    with exactly the pinned libraries, made once under build/ with pip."""
    python = PINNED_VENV / "bin" / "python"
    specs = [f"{n}=={v}" for n, v in {**PINS["libraries"], **PINS["wheels"]}.items()]
    if python.exists():
        return python
    base = shutil.which("python3.13") or next(
        iter(sorted(Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"))), None
    )
    if not base:
        pytest.skip("no CPython 3.13 here (PATH or pyenv): cannot run the pinned-versions tier")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    subprocess.run([str(base), "-m", "venv", str(PINNED_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run = subprocess.run([*pip, *specs], capture_output=True, text=True, env=env)
    if run.returncode != 0:
        shutil.rmtree(PINNED_VENV)
        pytest.skip(f"the pinned versions are not installable here: {run.stderr[-500:]}")
    return python


@pytest.mark.slow
@pytest.mark.full
def test_every_notebook_of_the_edition_runs_with_the_pinned_library_versions(lite_site, tmp_path):
    python = _pinned_python()
    versions = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m, json, sys; "
            f"print(json.dumps({{n: m.version(n) for n in {list(PINS['libraries'])!r}}}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(versions) == PINS["libraries"]
    kit = next((lite_site["out"] / "pypi").glob("b2bsm-*.whl"))
    zipfile.ZipFile(kit).extractall(tmp_path / "kit")  # the wheel the browser installs
    files = lite_site["out"] / "files"
    notebooks = sorted(files.glob("notebooks/*.ipynb")) + sorted(files.glob("exercises/*.ipynb"))
    work = tmp_path / "work"
    shutil.copytree(files, work)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "kit"), "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [
            str(python),
            str(ROOT / "tools" / "run_plain.py"),
            *[str(work / p.relative_to(files)) for p in notebooks],
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=1200,
    )
    summary = [line for line in run.stdout.splitlines() if line.startswith(("ok ", "FAILED"))]
    assert run.returncode == 0, "\n".join(summary) + run.stderr[-3000:]
    assert len(summary) == len(LESSONS) + len(EXERCISES)


def test_plain_runner_reports_a_failing_cell(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1"},
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": "1 / 0"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "bad.ipynb").write_text(json.dumps(nb))
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "run_plain.py"), str(tmp_path / "bad.ipynb")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "FAILED bad.ipynb" in run.stdout and "cell 1: ZeroDivisionError" in run.stdout
