"""The pytest arguments for ``make check``: what a lesson author's change needs re-checked.

``notebooks``: the notebooks (lessons, exercise masters, exercise notebooks) changed
since ``--base`` (committed, uncommitted and new files), with the exercise notebook built
from a changed master; ``tests``: the test files that read stored notebooks in seconds
(hygiene, pacing, practice, structure); ``keyword``: a ``-k`` expression selecting the
figure-meaning tests of the changed lessons (empty when no lesson changed).
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Tests that read the stored notebooks and take seconds, not minutes.
NOTEBOOK_TESTS = (
    "tests/test_notebook_hygiene.py",
    "tests/test_pacing.py",
    "tests/test_practice.py",
    "tests/test_practice_survey.py",
    "tests/test_structure.py",
    "tests/test_colab.py",
    "tests/test_readme.py",
)


FOLDERS = ("notebooks", "solutions", "exercises")


def changed_files(base: str) -> set[str]:
    def git(*args: str) -> list[str]:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.splitlines() if out.returncode == 0 else []

    return {
        *git("diff", "--name-only", base),
        *git("ls-files", "--others", "--exclude-standard"),
    }


def changed_notebooks(base: str) -> list[str]:
    """Changed notebooks in notebooks/, solutions/, exercises/ (with a changed master's build)."""
    found = set()
    for name in changed_files(base):
        path = ROOT / name
        folder = path.parent.name
        if path.suffix == ".ipynb" and path.exists() and folder in FOLDERS:
            found.add(name)
            if folder == "solutions" and (ROOT / "exercises" / path.name).exists():
                found.add(f"exercises/{path.name}")
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["notebooks", "tests", "keyword"])
    parser.add_argument("--base", default="HEAD", help="compare with this commit (default HEAD)")
    args = parser.parse_args()
    notebooks = changed_notebooks(args.base)
    if args.what == "notebooks":
        print(" ".join(notebooks))
    elif args.what == "tests":
        print(" ".join(t for t in NOTEBOOK_TESTS if (ROOT / t).exists()))
    else:  # a -k expression selecting the meaning tests of the changed lessons
        stems = sorted({Path(n).stem for n in notebooks if n.startswith("notebooks/")})
        print(" or ".join(stems))


if __name__ == "__main__":
    main()
