"""The tested versions: one lock per supported Python, and Binder's pins, from one command.

``make lock`` (``python tools/lock.py``) re-resolves ``pyproject.toml``'s ``test`` extra
with uv for every supported Python (the classifiers) into
``requirements/lock-py3.X.txt``, then copies the versions of the packages
``environment.yml`` lists into it as exact conda pins, so Binder runs what the tests
ran.  ``make test`` installs from the lock of its interpreter (``-c``), while the
package itself keeps its version ranges for users.  ``--check`` only reports
whether ``environment.yml`` agrees with the lock (``tests/test_environment.py`` runs it).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from pythons import supported_versions  # noqa: E402

LOCKS = ROOT / "requirements"
ENVIRONMENT = ROOT / "environment.yml"
#: conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
PIN = re.compile(r"^(\s*-\s*)([A-Za-z0-9_.\-]+)\s*(?:[=<>!~]=?.*)?$")


def lock_path(version: str) -> Path:
    """``requirements/lock-py3.X.txt``."""
    return LOCKS / f"lock-py{version}.txt"


def read_lock(path: Path) -> dict[str, str]:
    """Package name (normalised) -> exact version, from a uv/pip-compile lock file."""
    found = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            found[m.group(1).lower().replace("_", "-")] = m.group(2)
    return found


def environment_python(text: str) -> str:
    """The ``python=3.X`` environment.yml pins."""
    return re.search(r"(?m)^\s*-\s*python=(3\.\d+)\s*$", text).group(1)


def pinned_environment(text: str, versions: dict[str, str]) -> str:
    """environment.yml with every package (except python and pip) pinned to ``versions``."""
    lines, in_dependencies = [], False
    for line in text.splitlines():
        if re.match(r"^\S", line):  # a top-level key starts a section
            in_dependencies = line.startswith("dependencies:")
        m = PIN.match(line) if in_dependencies else None
        if m and m.group(2) not in ("python", "pip"):
            name = m.group(2)
            pypi = CONDA_TO_PYPI.get(name, name).lower()
            if pypi not in versions:
                raise SystemExit(f"environment.yml lists {name}, which the lock does not hold")
            line = f"{m.group(1)}{name}={versions[pypi]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def compile_lock(version: str) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        raise SystemExit("uv is needed to resolve the locks: pip install uv (make venv has it)")
    LOCKS.mkdir(exist_ok=True)
    subprocess.run(
        [
            uv,
            "pip",
            "compile",
            "--quiet",
            "--no-annotate",
            "pyproject.toml",
            "--extra",
            "test",
            "--python-version",
            version,
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--output-file",
            str(lock_path(version).relative_to(ROOT)),
        ],
        cwd=ROOT,
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare environment.yml")
    args = parser.parse_args(argv)
    if not args.check:
        for version in supported_versions():
            compile_lock(version)
            print(f"wrote {lock_path(version).relative_to(ROOT)}", flush=True)
    text = ENVIRONMENT.read_text()
    wanted = pinned_environment(text, read_lock(lock_path(environment_python(text))))
    if wanted == text:
        print("environment.yml agrees with the lock")
        return 0
    if args.check:
        print("environment.yml differs from the lock: run make lock", file=sys.stderr)
        return 1
    ENVIRONMENT.write_text(wanted)
    print("updated environment.yml's pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
