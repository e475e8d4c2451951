"""Every lesson and exercise master states a time within 25 % of the stated rule (tools/pacing.py).

The rule (CONTRIBUTING.md, "Pacing") counts reading, code, figures and questions; a notebook's
``**Estimated time:** N minutes`` line must agree with it, so a lesson that grows longer has to
say so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools import pacing

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "solutions").glob("*.ipynb")
)


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def pacing_problem(path: Path) -> str | None:
    """None when the stated time is within the tolerance of the rule's, else what to change."""
    stated = pacing.stated_minutes(path)
    if stated is None:
        return "states no '**Estimated time:** N minutes' line"
    rule = pacing.parts(path)["minutes"]
    if abs(stated - rule) > pacing.TOLERANCE * rule:
        return (
            f"states {stated} minutes, but the rule in tools/pacing.py gives {rule:.0f} "
            f"(allowed: {rule * (1 - pacing.TOLERANCE):.0f}-{rule * (1 + pacing.TOLERANCE):.0f}); "
            "change the stated time or the notebook"
        )
    return None


def test_there_are_notebooks_to_pace():
    assert len(NOTEBOOKS) >= 10


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_stated_time_follows_the_rule(path):
    assert pacing_problem(path) is None, f"{_id(path)} {pacing_problem(path)}"


def _notebook(tmp_path, cells) -> Path:
    path = tmp_path / "nb.ipynb"
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    return path


def test_the_rule_counts_each_part(tmp_path):
    words = " ".join(["word"] * 260)  # 2 minutes of reading
    code = "\n".join(f"x{i} = {i}" for i in range(6)) + "\n# a comment\n\n"  # 6 lines: 2 minutes
    figure = {"output_type": "display_data", "data": {"image/png": "", "text/plain": ""}}
    cells = [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": f"**Estimated time:** 7 minutes\n{words}",
        },
        {"cell_type": "code", "metadata": {}, "source": code, "outputs": [figure]},
        {"cell_type": "code", "metadata": {"tags": ["practice"]}, "source": "", "outputs": []},
        {"cell_type": "code", "metadata": {"tags": ["colab-setup"]}, "source": "a\nb\nc"},
    ]
    parts = pacing.parts(_notebook(tmp_path, cells))
    assert parts["code_lines"] == 6 and parts["figures"] == 1 and parts["questions"] == 1
    # 4 words of the time line + 260: 2.03 min reading, 2 min code, 1.5 figure, 4 practice
    assert parts["minutes"] == pytest.approx(264 / 130 + 2 + 1.5 + 4)


def test_the_check_can_fail(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "**Estimated time:** 30 minutes"}]
    assert "states 30 minutes" in pacing_problem(_notebook(tmp_path, cells))
    cells[0]["source"] = "no time here"
    assert "states no" in pacing_problem(_notebook(tmp_path, cells))
