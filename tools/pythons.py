"""The supported Pythons found on this machine, for ``make test`` and ``.ci/run``.

Usage::

    python tools/pythons.py            # one line per supported Python found: VERSION PATH
    python tools/pythons.py --others   # only the paths of those other than this Python

Supported versions come from pyproject.toml's classifiers (``Programming
Language :: Python :: 3.X``).  For each, the newest interpreter found is used:
``python3.X`` on the PATH, else a pyenv build (``$PYENV_ROOT/versions/3.X.*``,
default ``~/.pyenv``).  A version that is not installed is simply not listed:
the caller says which ones it ran.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def supported_versions(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """``["3.11", "3.12", ...]`` from the classifiers, oldest first."""
    classifiers = tomllib.loads(pyproject.read_text())["project"]["classifiers"]
    found = {
        m.group(1)
        for c in classifiers
        if (m := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c))
    }
    return sorted(found, key=lambda v: tuple(map(int, v.split("."))))


def _version_of(python: str) -> str | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_python(minor: str) -> tuple[str, str] | None:
    """``(full version, path)`` of an interpreter for ``minor`` (e.g. ``"3.12"``), or None."""
    candidates = []
    on_path = shutil.which(f"python{minor}")
    if on_path:
        candidates.append(on_path)
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    builds = sorted(
        (p for p in pyenv.glob(f"{minor}.*") if re.fullmatch(rf"{re.escape(minor)}\.\d+", p.name)),
        key=lambda p: int(p.name.rsplit(".", 1)[1]),
        reverse=True,
    )
    candidates += [str(p / "bin" / "python") for p in builds]
    for python in candidates:
        version = _version_of(python)
        if version and version.rsplit(".", 1)[0] == minor:
            return version, python
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="List the supported Pythons found here.")
    parser.add_argument(
        "--others", action="store_true", help="only paths, without the running Python's version"
    )
    args = parser.parse_args(argv)
    this = f"{sys.version_info[0]}.{sys.version_info[1]}"
    for minor in supported_versions():
        if args.others and minor == this:
            continue
        found = find_python(minor)
        if found:
            print(found[1] if args.others else f"{found[0]} {found[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
