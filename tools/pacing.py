"""How long a notebook takes a student, by one stated rule (CONTRIBUTING.md, "Pacing").

The rule, for a second-year business student working through a notebook:

* reading: 130 words a minute of technical prose (markdown cells);
* code: 20 seconds per line of code to read, type or run (non-blank lines that are
  not comments; the Colab set-up cell is not counted);
* figures: 1.5 minutes per figure to look at and interpret;
* practice: 4 minutes per question the student answers (code cells tagged
  ``practice`` in a lesson, ``solution`` in an exercise master), for predicting,
  trying and reading the feedback.

The stated time is the number in the notebook's ``**Estimated time:** N minutes``
line; it must be within 25 % of the rule's figure (``tests/test_pacing.py``).

Usage: ``python tools/pacing.py notebooks/*.ipynb solutions/*.ipynb`` prints a table.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

WORDS_PER_MINUTE = 130
SECONDS_PER_CODE_LINE = 20
MINUTES_PER_FIGURE = 1.5
MINUTES_PER_QUESTION = 4
TOLERANCE = 0.25
STATED = re.compile(r"\*\*Estimated time:?\*\*:?\s*(?:about\s+)?(\d+)\s*minutes", re.IGNORECASE)
QUESTION_TAGS = {"practice", "solution"}


def _text(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def parts(path: Path) -> dict[str, float]:
    """Words, code lines, figures and questions of a notebook, and the minutes they take."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    words = lines = figures = questions = 0
    for cell in nb["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "markdown":
            words += len(re.findall(r"[A-Za-z0-9][\w'’.-]*", _text(cell)))
        elif cell["cell_type"] == "code" and "colab-setup" not in tags:
            lines += sum(
                1
                for line in _text(cell).splitlines()
                if line.strip() and not line.strip().startswith("#")
            )
            figures += sum(
                1 for out in cell.get("outputs", []) if "image/png" in out.get("data", {})
            )
            questions += bool(tags & QUESTION_TAGS)
    minutes = (
        words / WORDS_PER_MINUTE
        + lines * SECONDS_PER_CODE_LINE / 60
        + figures * MINUTES_PER_FIGURE
        + questions * MINUTES_PER_QUESTION
    )
    return {
        "words": words,
        "code_lines": lines,
        "figures": figures,
        "questions": questions,
        "minutes": minutes,
    }


def stated_minutes(path: Path) -> int | None:
    """The ``**Estimated time:** N minutes`` a notebook states, or None."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            found = STATED.search(_text(cell))
            if found:
                return int(found.group(1))
    return None


def main(paths: list[str]) -> int:
    print("| notebook | words | code lines | figures | questions | rule (min) | stated |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in paths:
        p = parts(Path(name))
        print(
            f"| {name} | {p['words']} | {p['code_lines']} | {p['figures']} | {p['questions']} "
            f"| {p['minutes']:.0f} | {stated_minutes(Path(name))} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
