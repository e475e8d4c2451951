"""The class mistake report: which slips a class made in one exercise set, and where to reteach.

``python -m b2bsm_teach.grade report --gradebook grades.csv --set 05 [--out DIR]``

After grading, the gradebook's feedback column holds each verdict's message.
A wrong answer that matched a listed typical mistake carries that mistake's
message, so counting the messages per question gives, for the whole class:

* the share of students with each named mistake (and with another wrong answer,
  and with no answer), per question;
* the questions most students missed, first;
* for each named mistake, the lesson section that addresses it
  (:attr:`b2bsm.exercises.questions.Mistake.section`, or the lesson as a whole).

It writes ``mistakes_NN.csv`` (one row per question and outcome) and
``mistakes_NN.html``, a small static page with a bar per row that an
instructor can show in the next class (no script, no network).  Students are
counted, never named.
"""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass
from pathlib import Path

from b2bsm_teach.grade.cells import write_csv
from b2bsm_teach.grade.gradebook import question_order, read_gradebook

HEADER = ["set", "question", "outcome", "students", "share", "lesson_section", "message"]
#: Outcomes that are not a named mistake, in the order the report lists them.
CORRECT, OTHER, UNANSWERED = "correct", "other wrong answer", "not answered"


@dataclass(frozen=True)
class Line:
    """One row of the report: how many students of the class had one outcome on a question."""

    set: str
    question: str
    outcome: str
    students: int
    share: float
    lesson_section: str
    message: str

    def cells(self) -> list:
        return [
            self.set,
            self.question,
            self.outcome,
            self.students,
            f"{self.share:.3f}",
            self.lesson_section,
            self.message,
        ]


def _lesson(set_id: str) -> str:
    from b2bsm._paths import REPO_ROOT

    found = sorted((REPO_ROOT / "notebooks").glob(f"{set_id}_*.ipynb"))
    return f"lesson {set_id}" + (f" ({found[0].name})" if found else "")


def class_report(gradebook, set_id: str, module=None) -> list[Line]:
    """The report's rows for ``set_id`` from a long gradebook (``grades.csv``).

    Raises ValueError when the gradebook holds no verdict of that set.
    """
    from b2bsm_teach.exercises.sets import load_set

    module = module if module is not None else load_set(set_id)
    rows = [r for r in read_gradebook(gradebook) if r.set == set_id and not r.is_total]
    if not rows:
        raise ValueError(
            f"{gradebook} holds no graded answer of set {set_id}; grade the set first "
            "(python -m b2bsm_teach.grade SUBMISSIONS --out grades.csv) or check the set id."
        )
    lesson = _lesson(set_id)
    lines: list[Line] = []
    for q in sorted(module.QUESTIONS, key=lambda q: question_order(q.id)):
        verdicts = [r for r in rows if r.question == q.id]
        if not verdicts:
            continue
        total = len(verdicts)
        counts: dict[str, int] = {CORRECT: 0, OTHER: 0, UNANSWERED: 0}
        named = {m.message: 0 for m in q.mistakes}
        for r in verdicts:
            if r.status == "correct":
                counts[CORRECT] += 1
            elif r.status in ("not answered", "missing"):
                counts[UNANSWERED] += 1
            else:
                hit = next((m for m in named if m in r.feedback), None)
                if hit is None:
                    counts[OTHER] += 1
                else:
                    named[hit] += 1
        lines.append(Line(set_id, q.id, CORRECT, counts[CORRECT], counts[CORRECT] / total, "", ""))
        for m in q.mistakes:
            if named[m.message]:
                where = f"{lesson}, {m.section}" if m.section else lesson
                lines.append(
                    Line(
                        set_id,
                        q.id,
                        "named mistake",
                        named[m.message],
                        named[m.message] / total,
                        where,
                        m.message,
                    )
                )
        for outcome in (OTHER, UNANSWERED):
            if counts[outcome]:
                lines.append(
                    Line(set_id, q.id, outcome, counts[outcome], counts[outcome] / total, "", "")
                )
    return lines


def most_missed(lines: list[Line]) -> list[tuple[str, float]]:
    """(question, share not correct), the most missed first."""
    missed = [(ln.question, 1 - ln.share) for ln in lines if ln.outcome == CORRECT]
    return sorted(missed, key=lambda item: (-item[1], question_order(item[0])))


def render_html(lines: list[Line], set_id: str, title: str) -> str:
    """A small static page: the most missed questions, then every named mistake with a bar."""
    esc = html.escape
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Class mistakes, set {esc(set_id)}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#111}"
        "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;"
        "padding:.3rem;text-align:left;vertical-align:top}.bar{background:#0072B2;height:1rem}"
        ".num{text-align:right;white-space:nowrap}</style></head><body>",
        f"<h1>Class mistakes: {esc(title)}</h1>",
        "<h2>Questions most missed</h2>",
        "<table><tr><th>question</th><th class=num>share not correct</th><th>bar</th></tr>",
    ]
    for qid, share in most_missed(lines):
        out.append(
            f"<tr><td>{esc(qid)}</td><td class=num>{share:.0%}</td><td>"
            f'<div class=bar style="width:{100 * share:.0f}%" role="img" '
            f'aria-label="{share:.0%} of the class"></div></td></tr>'
        )
    out += [
        "</table>",
        "<h2>Named mistakes, and where the lesson addresses them</h2>",
        "<table><tr><th>question</th><th class=num>share of class</th><th>mistake</th>"
        "<th>lesson section</th></tr>",
    ]
    named = sorted(
        (ln for ln in lines if ln.outcome == "named mistake"),
        key=lambda ln: (-ln.share, question_order(ln.question)),
    )
    for ln in named:
        out.append(
            f"<tr><td>{esc(ln.question)}</td><td class=num>{ln.share:.0%} "
            f"({ln.students})</td><td>{esc(ln.message)}</td><td>{esc(ln.lesson_section)}</td></tr>"
        )
    if not named:
        out.append("<tr><td colspan=4>No wrong answer matched a listed mistake.</td></tr>")
    out += ["</table>", "</body></html>"]
    return "\n".join(out) + "\n"


def write_report(gradebook, set_id: str, out_dir, module=None) -> list[Path]:
    """Write ``mistakes_NN.csv`` and ``mistakes_NN.html`` into ``out_dir``; return the paths."""
    from b2bsm_teach.exercises.sets import load_set

    module = module if module is not None else load_set(set_id)
    lines = class_report(gradebook, set_id, module)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = write_csv(out_dir / f"mistakes_{set_id}.csv", HEADER, (ln.cells() for ln in lines))
    page = out_dir / f"mistakes_{set_id}.html"
    title = getattr(module, "TITLE", f"Exercise set {set_id}")
    page.write_text(render_html(lines, set_id, title), encoding="utf-8")
    return [csv_path, page]


def main(argv: list[str]) -> int:
    """``report --gradebook grades.csv --set NN [--out DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m b2bsm_teach.grade report",
        description="Turn a set's verdicts into a class mistake report (CSV and HTML).",
    )
    parser.add_argument("--gradebook", type=Path, required=True, help="grades.csv of the grader")
    parser.add_argument("--set", dest="set_id", required=True, help="exercise set, e.g. 05")
    parser.add_argument("--out", type=Path, help="folder (default: beside the gradebook)")
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else args.gradebook.parent
    try:
        paths = write_report(args.gradebook, args.set_id.zfill(2), out)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"wrote {path}")
    return 0
