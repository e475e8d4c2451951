"""Build the in-browser edition of the course (JupyterLite + the Pyodide kernel), offline.

Usage (from the repository root; ``make lite`` runs both steps)::

    python tools/build_lite.py --fetch-wheels    # once: the pinned pure wheels, from PyPI
    python tools/build_lite.py --out _lite       # the site (no network)

Everything it pins is in ``lite/pyodide.toml`` (the tools' versions, the Pyodide
release and its library versions, the pure wheels served by the site).

What it does:

1. **Checks the tools**: the installed jupyterlite-core and
   jupyterlite-pyodide-kernel are the pinned versions, and the kernel's own
   default Pyodide URL names the pinned Pyodide release (so the library
   versions the lessons are tested with are the ones the browser will load).
2. **Makes a student release** (no solutions, no answer key: hashed keys only)
   and builds the kit's wheel from it, offline (``pip wheel --no-index``).
3. **Stages the contents** from that release: the lessons, the student
   exercise notebooks, the release's README and the data codebooks.  In each
   notebook the Colab set-up cell becomes the browser's set-up cell, which
   installs the kit from the site with piplite and does nothing elsewhere.
4. **Builds** with ``jupyter lite build``: the site serves the kit's wheel and
   the pinned pure wheels itself (piplite), and the PyPI fallback is off, so
   installing the kit in the browser asks no package index.  The Pyodide
   runtime (about 13 MB of WebAssembly and stdlib, plus numpy, pandas, ...) is not
   bundled: the browser fetches it from the Pyodide CDN when a kernel starts.
5. **Verifies** the output: the notebooks it holds, no solution or answer key
   anywhere (in the contents or inside the wheel).

Prints one summary line.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from b2bsm import links  # noqa: E402

PINS = ROOT / "lite" / "pyodide.toml"
WHEELS = ROOT / "build" / "lite-wheels"
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
#: Cell tag of the browser's set-up cell (it replaces the Colab cell in the edition).
LITE_TAG = "lite-setup"
#: Never in the edition: solution masters, the answer key's set modules, keys' sources.
FORBIDDEN = re.compile(r"(^|/)(solutions|tests)/|exercises/sets/lesson\d+\.py$|(^|/)docs/")


class LiteError(RuntimeError):
    """The edition cannot be built; the message names the fix."""


def read_pins(path: Path = PINS) -> dict:
    pins = tomllib.loads(path.read_text(encoding="utf-8"))
    for section in ("build", "pyodide", "libraries", "wheels"):
        if section not in pins:
            raise LiteError(f"{path}: section [{section}] is missing")
    return pins


def lite_setup_source() -> str:
    """The first code cell of a notebook in the in-browser edition.

    In the browser (Pyodide: ``sys.platform == "emscripten"``) it installs the
    kit from the wheel the site serves, with piplite, unless the kit is already
    there; the kit's compiled dependencies come from the Pyodide release.
    Anywhere else (a downloaded copy opened in Jupyter) it does nothing.

    Examples
    --------
    >>> import ast, asyncio
    >>> cell = compile(lite_setup_source(), "cell", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    >>> asyncio.run(eval(cell, {}))  # not in a browser: nothing happens
    """
    return (
        "# In the browser edition only (JupyterLite, Python in your browser): install the\n"
        "# kit from this site. Anywhere else this cell does nothing.\n"
        "import importlib.util\n"
        "import sys\n"
        "\n"
        'if sys.platform == "emscripten" and importlib.util.find_spec("b2bsm") is None:\n'
        "    import piplite\n"
        "\n"
        '    await piplite.install("b2bsm")'
    )


def lite_notebook(nb: dict) -> dict:
    """The notebook as the edition holds it: the Colab cell becomes the browser's cell."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "code" and links.COLAB_TAG in tags:
            cell["source"] = lite_setup_source()
            cell["metadata"]["tags"] = [LITE_TAG if t == links.COLAB_TAG else t for t in tags]
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


# --------------------------------------------------------------------------
# Tools and wheels
# --------------------------------------------------------------------------
def check_tools(pins: dict) -> None:
    """The installed JupyterLite tools are the pinned ones, and load the pinned Pyodide."""
    for name, wanted in pins["build"].items():
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            raise LiteError(
                f"{name} is not installed: install the lite extra (pip install -e '.[lite]')."
            ) from None
        if found != wanted:
            raise LiteError(
                f"{name} {found} is installed but lite/pyodide.toml pins {wanted}: "
                "install the lite extra again (pip install -e '.[lite]')."
            )
    default = kernel_default_pyodide_url()
    version = pins["pyodide"]["version"]
    if f"/v{version}/" not in default:
        raise LiteError(
            f"jupyterlite-pyodide-kernel loads Pyodide from {default}, not release {version} "
            "(lite/pyodide.toml): pin the kernel that targets that release, or update the "
            "Pyodide version and its [libraries] there."
        )


def kernel_default_pyodide_url() -> str:
    """The Pyodide URL compiled into the installed kernel extension (its default)."""
    ext = Path(sys.prefix, "share", "jupyter", "labextensions", *KERNEL_PLUGIN.split(":")[:1])
    for js in sorted((ext / "static").glob("*.js")):
        found = re.search(r"https://[^\"']+/pyodide/v[\w.]+/full/pyodide\.m?js", js.read_text())
        if found:
            return found.group(0)
    raise LiteError(f"no default Pyodide URL found in {ext}: is the kernel extension installed?")


def wheel_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def pinned_wheels(pins: dict, folder: Path) -> list[Path]:
    """The pinned pure wheels in ``folder``; a missing one stops the build with the fix."""
    found, missing = [], []
    folder = Path(folder).resolve()  # the build runs in another folder
    for name, version in pins["wheels"].items():
        hits = sorted(folder.glob(f"{wheel_name(name)}-{version}-*none-any.whl"))
        (found.append(hits[0]) if hits else missing.append(f"{name}=={version}"))
    if missing:
        raise LiteError(
            f"pinned wheels missing from {folder}: {', '.join(missing)}. Fetch them once from "
            "PyPI: python tools/build_lite.py --fetch-wheels (make lite does)."
        )
    return found


def fetch_wheels(pins: dict, folder: Path) -> list[Path]:
    """Download the pinned pure wheels from the package index (pip), into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}=={version}" for name, version in pins["wheels"].items()]
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
    cmd += ["--no-deps", "--only-binary=:all:", "--dest", str(folder), *specs]
    subprocess.run(cmd, check=True, env=_tool_env())
    return pinned_wheels(pins, folder)


def _tool_env() -> dict:
    # the build tools' own Python warnings are not the edition's problem
    return {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}


# --------------------------------------------------------------------------
# The student release, its wheel and the contents
# --------------------------------------------------------------------------
def student_release(dest: Path) -> Path:
    """A student release of the kit (no solutions, hashed keys only) in ``dest``."""
    from b2bsm_teach.exercises.release import release

    release(dest, force=True)
    return dest


def kit_wheel(release_dir: Path, dest: Path) -> Path:
    """The kit's wheel, built offline from the student release."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"]
    cmd += ["--no-deps", "--no-build-isolation", "--no-index", "-w", str(dest), str(release_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_tool_env())
    if proc.returncode != 0:
        raise LiteError(
            "building the kit's wheel failed (is hatchling installed? the lite extra has it):\n"
            + (proc.stdout + proc.stderr)[-2000:]
        )
    wheels = sorted(dest.glob("b2bsm-*.whl"))
    if len(wheels) != 1:
        raise LiteError(f"expected one b2bsm wheel in {dest}, found {wheels}")
    leaked = [n for n in zipfile.ZipFile(wheels[0]).namelist() if FORBIDDEN.search(n)]
    if leaked:
        raise LiteError(f"the kit's wheel holds instructor-only files: {leaked[:5]}")
    return wheels[0]


def stage_contents(release_dir: Path, dest: Path) -> list[str]:
    """The files students see in the edition (relative paths), written into ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    written = []
    for folder in ("notebooks", "exercises"):
        for path in sorted((release_dir / folder).glob("*.ipynb")):
            nb = lite_notebook(json.loads(path.read_text(encoding="utf-8")))
            target = dest / folder / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", "utf-8")
            written.append(f"{folder}/{path.name}")
    for path in [release_dir / "README.md", *sorted((release_dir / "data").glob("*.md"))]:
        target = dest / path.relative_to(release_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        written.append(path.relative_to(release_dir).as_posix())
    leaked = [p for p in written if FORBIDDEN.search(p)]
    if leaked:
        raise LiteError(f"instructor-only files reached the edition: {leaked}")
    return written


def lite_config(pins: dict) -> dict:
    """``jupyter-lite.json`` of the edition: the pinned Pyodide, no PyPI fallback."""
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "B2B social media marketing, in your browser",
            "litePluginSettings": {
                KERNEL_PLUGIN: {
                    "pyodideUrl": pins["pyodide"]["url"],
                    "disablePyPIFallback": True,
                }
            },
        },
    }


def build(out: Path, wheels: Path = WHEELS, work: Path | None = None) -> dict:
    """Build the edition into ``out``; what it holds (for the summary and the tests)."""
    pins = read_pins()
    check_tools(pins)
    extra = pinned_wheels(pins, wheels)
    jupyter = Path(sys.executable).with_name("jupyter")
    with tempfile.TemporaryDirectory(prefix="b2bsm-lite-") as tmp:
        work = Path(work or tmp)
        release_dir = student_release(work / "release")
        wheel = kit_wheel(release_dir, work / "wheels")
        contents = stage_contents(release_dir, work / "contents")
        lite_dir = work / "lite"
        lite_dir.mkdir(parents=True, exist_ok=True)
        (lite_dir / "jupyter-lite.json").write_text(json.dumps(lite_config(pins), indent=1))
        out = out.resolve()
        if out.exists():
            shutil.rmtree(out)
        cmd = [str(jupyter), "lite", "build", "--lite-dir", str(lite_dir)]
        cmd += ["--contents", str(work / "contents"), "--output-dir", str(out)]
        for path in [wheel, *extra]:
            cmd += ["--piplite-wheels", str(path)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=lite_dir, env=_tool_env())
        if proc.returncode != 0:
            raise LiteError("jupyter lite build failed:\n" + (proc.stdout + proc.stderr)[-3000:])
        served = sorted(p.name for p in out.rglob("*.whl"))
    leaked = [p.relative_to(out).as_posix() for p in out.rglob("*")]
    leaked = [p for p in leaked if FORBIDDEN.search(p) and "/static/" not in p]
    if leaked:
        shutil.rmtree(out)
        raise LiteError(f"instructor-only files reached the edition (removed it): {leaked[:5]}")
    return {"out": out, "contents": contents, "wheels": served, "kit": wheel.name, "pins": pins}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the in-browser edition (JupyterLite).")
    parser.add_argument("--out", type=Path, default=ROOT / "_lite", help="default: _lite/")
    parser.add_argument("--wheels", type=Path, default=WHEELS, help="the pinned pure wheels")
    parser.add_argument(
        "--fetch-wheels", action="store_true", help="download the pinned wheels (pip) and stop"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        if args.fetch_wheels:
            found = fetch_wheels(read_pins(), args.wheels)
            print(f"lite wheels: {', '.join(p.name for p in found)} in {args.wheels}")
            return 0
        result = build(args.out, args.wheels)
    except (LiteError, subprocess.CalledProcessError) as exc:
        print(f"make lite: {exc}", file=sys.stderr)
        return 1
    notebooks = [c for c in result["contents"] if c.endswith(".ipynb")]
    print(
        f"in-browser edition: {len(notebooks)} notebooks, wheels {', '.join(result['wheels'])}, "
        f"Pyodide {result['pins']['pyodide']['version']} (fetched by the browser) in "
        f"{time.perf_counter() - start:.1f} s -> {result['out'] / 'index.html'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
