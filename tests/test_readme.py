"""The README is the kit's front door: its links and commands must stay true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BINDER = "https://mybinder.org/v2/gh/"


def test_two_setup_commands_are_documented():
    assert "make lab" in README and "make test" in README


def test_binder_badge_opens_the_start_notebook():
    assert "?urlpath=lab/tree/notebooks/00_start_here.ipynb" in README
    assert README.index("mybinder.org/badge_logo.svg") < README.index("## Quick start")


def test_every_lesson_has_a_row_and_its_own_binder_link():
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"(notebooks/{nb.name})" in README, f"README's lesson table lacks {nb.name}"
        assert f"urlpath=lab/tree/notebooks/{nb.name})" in README, f"no Binder link for {nb.name}"


def test_every_linked_file_exists():
    for target in re.findall(r"\]\(((?!https?://)[^)#]+)\)", README):
        assert (ROOT / target).exists(), f"README links to missing {target}"
    for nb in re.findall(r"urlpath=lab/tree/([^)\s]+)\)", README):
        assert (ROOT / nb).exists(), f"Binder link to missing {nb}"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"(?m)^make test$", ci)


def test_every_exercise_set_is_linked_from_the_lesson_table():
    for nb in sorted((ROOT / "exercises").glob("*.ipynb")):
        assert f"(exercises/{nb.name})" in README, f"README's lesson table lacks {nb.name}"
