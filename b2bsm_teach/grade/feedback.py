"""One feedback file per student: their answers, points and feedback, nothing else.

``write_feedback`` writes ``<student id>.md`` and/or ``<student id>.html`` for
every student in the gradebook.  A file holds, for each exercise set the
student submitted: every question's prompt (with the student's own parameters
when the question has them), the student's answer as it was graded, the
points and the feedback, and for open questions the instructor's mark and
comment once merged (or "not marked yet").

A file is built from that one student's rows and answers only: never another
student's, never the answer key's expected values, reference answers or
rubrics.  Everything a student wrote is shown as text (escaped in HTML, in a
code block in Markdown), so a submitted answer cannot inject markup.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from b2bsm_teach.grade.cells import fmt_points
from b2bsm_teach.grade.class_view import ClassView, Entry, SetInfo, set_info
from b2bsm_teach.grade.gradebook import (
    TO_MARK,
    Row,
    answer_display,
    answer_table,
    answers_path,
    read_answers,
    read_gradebook,
)
from b2bsm_teach.grade.handmark import HAND_GRADED
from b2bsm_teach.grade.roster import Roster

STATUS_WORDS = {
    "correct": "correct",
    "wrong": "not correct",
    "not answered": "not answered",
    "invalid": "could not be checked",
    "manual": "open answer, not marked yet",
    HAND_GRADED: "marked by your instructor",
    "not graded": "not graded",
    "missing": "no answer in your notebook",
    "duplicate": "not graded: several notebooks were handed in for you",
}
MAX_ANSWER_CHARS = 4000


def file_stem(student: str) -> str:
    """A safe file name for a student id (other characters replaced, a hash keeps it unique).

    >>> file_stem("s3000001")
    's3000001'
    >>> file_stem("../x y")[:4]
    'x_y-'
    """
    safe = re.sub(r"[^0-9A-Za-z._@-]+", "_", student).strip("._") or "student"
    if safe == student:
        return safe
    return f"{safe}-{hashlib.sha256(student.encode('utf-8', 'replace')).hexdigest()[:8]}"


def _own_prompt(info: SetInfo, qid: str, student: str) -> str:
    """The prompt the student saw, with their parameters filled in and a choice's options.

    The options are listed as asked, without saying which one is right.
    """
    q = info.questions.get(qid)
    if q is None:
        return ""
    text = q.prompt.strip()
    choices = getattr(q.question, "choices", None)
    if isinstance(choices, dict) and choices:
        text += "\n\n" + "\n".join(f"- {key}) {value}" for key, value in choices.items())
    params = getattr(q.question, "params", None)
    if callable(params):
        try:
            from b2bsm.exercises.session import variant_seed

            text = text.format(**params(variant_seed(student)))
        except Exception:  # a prompt without fields, or a key that changed: show it as written
            pass
    return text


def _answer_string(answer) -> str:
    text = answer_display(answer)
    if len(text) > MAX_ANSWER_CHARS:
        text = text[:MAX_ANSWER_CHARS] + " [...]"
    return text


def _md_text(text: str) -> str:
    """Grader or instructor text for Markdown: no raw HTML."""
    return html.escape(text, quote=False).replace("\n", "  \n")


def _fence(text: str) -> str:
    """A student's answer as a code block, its HTML escaped too (a converter may pass it on).

    >>> print(_fence("<script>x</script>"))
    ```text
    &lt;script&gt;x&lt;/script&gt;
    ```
    """
    text = html.escape(text, quote=False)
    ticks = max([3, *(len(m) + 1 for m in re.findall(r"`+", text))])
    return f"{'`' * ticks}text\n{text}\n{'`' * ticks}"


@dataclass
class _Item:
    qid: str
    prompt: str
    answer: object
    has_answer: bool
    row: Row


@dataclass
class _Part:
    """One set in a student's feedback: its title, points and questions."""

    title: str
    total: str
    maximum: str
    pending: int  # open answers not marked yet
    entry: Entry
    items: list[_Item]


def _parts(view: ClassView, answers: dict, student: str):
    """The sets ``student`` submitted, in order, with what their feedback shows."""
    for set_id in view.sets:
        entry = view.entry(student, set_id)
        if entry.status == "missing":
            continue
        info = set_info(set_id)
        own = answers.get((student, set_id), {})
        items = []
        for qid in view.questions.get(set_id, []):
            row = entry.questions.get(qid)
            if row is None:
                continue
            prompt = _own_prompt(info, qid, student)
            items.append(_Item(qid, prompt, own.get(qid), qid in own, row))
        total = fmt_points(entry.points or 0.0)
        maximum = fmt_points(view.max_points.get((set_id, "TOTAL"), 0.0))
        pending = sum(i.row.status in TO_MARK for i in items)
        yield _Part(info.title, total, maximum, pending, entry, items)


def _mark_line(row: Row) -> str:
    status = STATUS_WORDS.get(row.status, row.status)
    if row.status in TO_MARK:
        return f"not marked yet (out of {fmt_points(row.max_points)})"
    return f"{fmt_points(row.points)} / {fmt_points(row.max_points)} · {status}"


def render_markdown(view: ClassView, answers: dict, student: str) -> str:
    """The Markdown feedback of one student."""
    person = view.person(student)
    lines = [f"# Feedback for {_md_text(person.display_name)}", ""]
    if person.display_name != person.student_id:
        lines += [f"Student id: {_md_text(person.student_id)}", ""]
    for part in _parts(view, answers, student):
        lines += [f"## {_md_text(part.title)}: {part.total} / {part.maximum} points", ""]
        if part.pending:
            lines += [
                f"{part.pending} open answer(s) are not marked yet; "
                "their points are not in this total.",
                "",
            ]
        if part.entry.status == "not graded":
            lines += [f"Your notebook could not be graded: {_md_text(part.entry.note)}", ""]
            continue
        for item in part.items:
            lines += [f"### {item.qid}", ""]
            if item.prompt:
                lines += [item.prompt, ""]
            lines += ["**Your answer**", ""]
            table = answer_table(item.answer)
            if not item.has_answer or item.answer is None:
                lines += ["(no answer found in your notebook)", ""]
            elif table is not None:
                columns, rows = table
                lines += [
                    "| " + " | ".join(_md_cell(c) for c in columns) + " |",
                    "|" + "---|" * len(columns),
                ]
                lines += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]
                lines += [""]
            else:
                lines += [_fence(_answer_string(item.answer)), ""]
            lines += [f"**Points:** {_mark_line(item.row)}", ""]
            if item.row.feedback and item.row.status not in TO_MARK:
                label = "Comment" if item.row.status == HAND_GRADED else "Feedback"
                lines += [f"**{label}:** {_md_text(item.row.feedback)}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _md_cell(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1d1d1d}pre{background:#f4f4f4;padding:.6rem;white-space:pre-wrap}"
    "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2rem .5rem}"
    ".points{font-weight:600}.prompt{white-space:pre-wrap}"
)


def render_html(view: ClassView, answers: dict, student: str) -> str:
    """The HTML feedback of one student; every text is escaped."""
    e = html.escape
    person = view.person(student)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Feedback for {e(person.display_name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Feedback for {e(person.display_name)}</h1>",
    ]
    if person.display_name != person.student_id:
        out.append(f"<p>Student id: {e(person.student_id)}</p>")
    for part in _parts(view, answers, student):
        out.append(f"<h2>{e(part.title)}: {part.total} / {part.maximum} points</h2>")
        if part.pending:
            out.append(
                f"<p>{part.pending} open answer(s) are not marked yet; "
                "their points are not in this total.</p>"
            )
        if part.entry.status == "not graded":
            out.append(f"<p>Your notebook could not be graded: {e(part.entry.note)}</p>")
            continue
        for item in part.items:
            out.append(f"<h3>{e(item.qid)}</h3>")
            if item.prompt:
                out.append(f'<p class="prompt">{e(item.prompt)}</p>')
            out.append("<p><strong>Your answer</strong></p>")
            table = answer_table(item.answer)
            if not item.has_answer or item.answer is None:
                out.append("<p>(no answer found in your notebook)</p>")
            elif table is not None:
                columns, rows = table
                out.append("<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in columns) + "</tr>")
                for r in rows:
                    cells = "".join(
                        f"<td>{e(v if isinstance(v, str) else json.dumps(v))}</td>" for v in r
                    )
                    out.append(f"<tr>{cells}</tr>")
                out.append("</table>")
            else:
                out.append(f"<pre>{e(_answer_string(item.answer))}</pre>")
            out.append(f'<p class="points">Points: {e(_mark_line(item.row))}</p>')
            if item.row.feedback and item.row.status not in TO_MARK:
                label = "Comment" if item.row.status == HAND_GRADED else "Feedback"
                out.append(f"<p><strong>{label}:</strong> {e(item.row.feedback)}</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_feedback(
    gradebook,
    out_dir,
    roster: Roster | None = None,
    formats: tuple[str, ...] = ("md", "html"),
) -> list[Path]:
    """Write one feedback file per student and format; returns the paths written.

    Students on the roster who submitted nothing get no file, and with a
    roster, neither do files that match no roster id (their author is unknown).
    """
    unknown = set(formats) - {"md", "html"}
    if unknown:
        raise ValueError(f"unknown feedback format(s) {sorted(unknown)}; use md, html or both.")
    gradebook, out_dir = Path(gradebook), Path(out_dir)
    view = ClassView(read_gradebook(gradebook), roster)
    answers = read_answers(answers_path(gradebook))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for student in view.lms_students():
        if all(view.entry(student, s).status == "missing" for s in view.sets):
            continue
        stem = file_stem(view.person(student).student_id)
        for suffix, render in (("md", render_markdown), ("html", render_html)):
            if suffix in formats:
                path = out_dir / f"{stem}.{suffix}"
                path.write_text(render(view, answers, student), encoding="utf-8")
                written.append(path)
    return written
