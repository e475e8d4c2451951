"""Tests that look at what the lessons *mean*, not only whether they run.

Every lesson runs and its checked numbers reproduce (nbval, test_notebook_hygiene), but a
figure can still put Likert answers in alphabetical order, a legend can sit on the data, and a
table can print p = 0.000.  These tests read the stored outputs and, for the figures, execute
each lesson's code in this process (the same code, on the same data) and inspect the
matplotlib objects a reader sees: tick labels in scale order, no overlapping labels, whole
days on a day axis, alt text for every figure.

Alt-text convention (one for the whole kit): the markdown cell right before a figure's code
cell ends with a line ``*Figure: <description>*`` (``*Figure (interactive): ...*`` for an
explorer widget).  Screen readers read it in every renderer, and sighted readers see what
the figure is meant to show.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from b2bsm import plots

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IMAGE = "image/png"
WIDGET = "application/vnd.jupyter.widget-view+json"
ALT = re.compile(r"(?:^|\n)\*Figure(?: \(interactive\))?: (?P<text>[^*]+)\*\s*$")


def _id(path: Path) -> str:
    return path.name


def _read(path: Path):
    return nbformat.read(path, as_version=4)


# --------------------------------------------------------------------------------------
# Alt text
# --------------------------------------------------------------------------------------
def figure_cells(nb) -> list[int]:
    """Indexes of code cells whose stored output is a figure or an explorer widget."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kinds = {key for out in cell.get("outputs", []) for key in out.get("data", {})}
        if IMAGE in kinds or WIDGET in kinds:
            found.append(i)
    return found


def missing_alt_text(nb) -> list[str]:
    """Figure cells without a ``*Figure: ...*`` line closing the markdown cell before them."""
    problems = []
    for i in figure_cells(nb):
        before = nb.cells[i - 1] if i > 0 else None
        match = ALT.search(before.source) if before is not None else None
        if before is None or before.cell_type != "markdown" or match is None:
            problems.append(f"cell {i}: no '*Figure: ...*' line ends the markdown cell before it")
        elif len(match["text"].split()) < 12:
            problems.append(
                f"cell {i}: alt text of {len(match['text'].split())} words is too short"
            )
    return problems


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_every_figure_has_alt_text(path):
    nb = _read(path)
    assert missing_alt_text(nb) == []
    for cell in nb.cells:  # one convention only: no alt text hidden in metadata instead
        assert "alt" not in cell.get("metadata", {}).get("b2bsm", {}), (
            "alt text goes in the markdown cell before the figure (*Figure: ...*), not metadata"
        )


def test_there_are_figures_to_describe():
    assert sum(len(figure_cells(_read(p))) for p in LESSONS) >= 20


def test_alt_text_check_can_fail():
    nb = nbformat.v4.new_notebook()
    figure = nbformat.v4.new_code_cell("plt.show()", execution_count=1)
    figure.outputs = [
        nbformat.v4.new_output("display_data", data={IMAGE: "iVBOR", "text/plain": ""})
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("A chart of the data:"), figure]
    assert len(missing_alt_text(nb)) == 1
    nb.cells[0].source = "A chart:\n\n*Figure: bars.*"
    assert "too short" in missing_alt_text(nb)[0]
    nb.cells[0].source = (
        "A chart:\n\n*Figure: bar chart of firms per industry; metal products and machinery "
        "is the largest group by far.*"
    )
    assert missing_alt_text(nb) == []


# --------------------------------------------------------------------------------------
# Stored tables and text: p-values, truncation, scale order
# --------------------------------------------------------------------------------------
class _Tables(HTMLParser):
    """Every <table> in an HTML output as (header rows, body rows) of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[list[list[str]], list[list[str]]]] = []
        self._section = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(([], []))
        elif tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            head, body = self.tables[-1]
            (head if self._section == "thead" else body).append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def stored_tables(nb):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html")
            if html:
                parser = _Tables()
                parser.feed(html if isinstance(html, str) else "".join(html))
                for table in parser.tables:
                    yield i, table


def stored_text(nb):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain") or ""
            yield i, text if isinstance(text, str) else "".join(text)


P_HEADER = re.compile(r"^(p|p[ _-]?value|p[ _-]?adjusted|p (holm|bh|by)|pvalue)$", re.IGNORECASE)
P_IN_TEXT = re.compile(r"\bp(?:[ _-]?value)?\s*[=:]\s*0(?:\.0+)?(?![0-9.])")


def _is_zero(text: str) -> bool:
    try:
        return float(text) == 0.0
    except ValueError:
        return False


def zero_p_values(nb) -> list[str]:
    """p-values stored as 0 / 0.0 / 0.000 (in a table's p column or as 'p = 0.0' in text)."""
    problems = []
    for i, (head, body) in stored_tables(nb):
        if not head:
            continue
        header = max(head, key=len)
        columns = [j for j, name in enumerate(header) if P_HEADER.match(name)]
        for row in body:
            if len(row) != len(header):
                continue
            problems += [f"cell {i}: {header[j]} = {row[j]}" for j in columns if _is_zero(row[j])]
    for i, text in stored_text(nb):
        problems += [f"cell {i}: {m.group(0)!r}" for m in P_IN_TEXT.finditer(text)]
    return problems


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_no_p_value_is_printed_as_zero(path):
    assert zero_p_values(_read(path)) == [], "print p < 0.001, never p = 0.000"


def test_zero_p_value_check_can_fail():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x", execution_count=1)
    table = (
        "<table><thead><tr><th></th><th>term</th><th>p_value</th></tr></thead>"
        "<tbody><tr><th>0</th><td>visual</td><td>0.000</td></tr>"
        "<tr><th>1</th><td>emo</td><td>0.012</td></tr></tbody></table>"
    )
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/html": table, "text/plain": ""}),
        nbformat.v4.new_output(
            "stream", name="stdout", text="tau = 0.41, p = 0.0\np = 0.0004, p = 0.45\n"
        ),
    ]
    nb.cells = [cell]
    assert len(zero_p_values(nb)) == 2


def truncated_cells(nb) -> list[str]:
    """Table cells cut off with '...' (pandas' max_colwidth) instead of shown in full."""
    problems = []
    for i, (head, body) in stored_tables(nb):
        for row in [*head, *body]:
            problems += [f"cell {i}: {c!r}" for c in row if len(c) > 3 and c.endswith("...")]
    return problems


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_stored_tables_show_labels_in_full(path):
    assert truncated_cells(_read(path)) == []


@functools.cache
def survey_scales() -> tuple[tuple[str, ...], ...]:
    """The category orders of every ordered categorical in the survey (Likert, size, ...)."""
    import pandas as pd

    from b2bsm.data import load_survey

    survey = load_survey()
    scales = {
        tuple(str(c) for c in survey[col].cat.categories)
        for col in survey.columns
        if isinstance(survey[col].dtype, pd.CategoricalDtype) and survey[col].cat.ordered
    }
    return tuple(sorted(scales))


def out_of_scale_order(labels: list[str]) -> str | None:
    """If the labels all come from one survey scale, complain unless they are in its order."""
    labels = [str(label).strip() for label in labels if str(label).strip()]
    if len(labels) < 2:
        return None
    for scale in survey_scales():
        if set(labels) <= set(scale):
            ranks = [scale.index(label) for label in labels]
            if ranks != sorted(ranks) and ranks != sorted(ranks, reverse=True):
                return f"{labels} are not in scale order {list(scale)}"
    return None


def stored_table_order_problems(nb) -> list[str]:
    problems = []
    for i, (head, body) in stored_tables(nb):
        candidates = [row[1:] for row in head] + [[row[0] for row in body if row]]
        for labels in candidates:
            problem = out_of_scale_order(labels)
            if problem:
                problems.append(f"cell {i}: {problem}")
    return problems


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_stored_tables_keep_scale_order(path):
    assert stored_table_order_problems(_read(path)) == []


def test_scale_order_check_can_fail():
    alphabetical = ["a little", "actively", "moderately", "not at all", "very actively"]
    assert out_of_scale_order(alphabetical) is not None
    assert out_of_scale_order(["not at all", "a little", "moderately"]) is None
    assert out_of_scale_order(["very much", "much", "some"]) is None  # top to bottom is fine
    assert out_of_scale_order(["marketing", "sales"]) is None  # not a scale at all


# --------------------------------------------------------------------------------------
# Figures, inspected as matplotlib objects after running each lesson's code
# --------------------------------------------------------------------------------------
@functools.cache
def lesson_figures(path: Path) -> tuple[tuple[int, object], ...]:
    """Run a lesson's code cells here, keeping every figure a cell shows: (cell, Figure)."""
    nb = _read(path)
    shown: list[tuple[int, object]] = []
    current = [0]
    real_show = plt.show

    def show(*args, **kwargs):
        for number in plt.get_fignums():
            shown.append((current[0], plt.figure(number)))
        plt.close("all")

    namespace: dict = {"__name__": "__lesson__"}
    here = Path.cwd()
    plt.close("all")  # figures another test left open are not this lesson's
    plt.show = show
    try:
        os.chdir(path.parent)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            current[0] = i
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(cell.source, f"{path.name}, cell {i}", "exec"), namespace)
            show()  # figures a cell leaves open without plt.show()
    finally:
        plt.show = real_show
        os.chdir(here)
        plt.close("all")
    return tuple(shown)


def _drawn_labels(axis) -> list[str]:
    return [t.get_text() for t in plots.drawn_tick_labels(axis)]


def likert_order_problems(fig) -> list[str]:
    fig.canvas.draw()
    problems = []
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            ticks = sorted(plots.drawn_tick_labels(axis), key=lambda t: t.get_position())
            problem = out_of_scale_order([t.get_text() for t in ticks])
            if problem:
                problems.append(f"{name} axis of {ax.get_title()!r}: {problem}")
    return problems


DISCRETE_AXIS = re.compile(r"\bday of\b|\bposts per arm\b|\bpeople in\b|\(count\)|problems found")


def fractional_ticks(fig) -> list[str]:
    """Tick labels like 2.5 on an axis of whole things (days, posts, people, counts)."""
    fig.canvas.draw()
    problems = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not DISCRETE_AXIS.search(axis.label.get_text()):
                continue
            for text in _drawn_labels(axis):
                value = text.replace("\u2212", "-").replace(",", "")
                with contextlib.suppress(ValueError):
                    if not float(value).is_integer():
                        problems.append(f"{axis.label.get_text()!r} has a tick at {text}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_figures_read_cleanly(path):
    """Likert labels in scale order, no overlapping labels, no legend over data, labelled
    numeric axes, whole-number days."""
    figures = lesson_figures(path)
    nb = _read(path)
    stored = [i for i in figure_cells(nb) if IMAGE in _outputs(nb, i)]
    assert len({i for i, _ in figures}) >= len(stored), "every stored figure was redrawn here"
    problems = []
    for i, fig in figures:
        problems += [f"cell {i}: {p}" for p in likert_order_problems(fig)]
        problems += [f"cell {i}: {p}" for p in plots.layout_problems(fig)]
        problems += [f"cell {i}: {p}" for p in fractional_ticks(fig)]
    assert problems == []


@pytest.mark.slow
def test_scale_order_is_checked_on_real_likert_figures():
    """The order test is not vacuous: lesson 04's heatmap has Likert labels on both axes."""
    path = ROOT / "notebooks" / "04_use_and_potential.ipynb"
    scaled = []
    for _, fig in lesson_figures(path):
        fig.canvas.draw()
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                labels = set(_drawn_labels(axis))
                if len(labels) >= 2 and any(labels <= set(s) for s in survey_scales()):
                    scaled.append(sorted(labels))
    assert len(scaled) >= 2


def _outputs(nb, i) -> set[str]:
    return {key for out in nb.cells[i].get("outputs", []) for key in out.get("data", {})}


def test_figure_checks_can_fail():
    import seaborn as sns

    # Likert answers pivoted into alphabetical order: the bug of lesson 04's first figure
    fig, ax = plt.subplots()
    alphabetical = ["a little", "actively", "moderately"]
    sns.heatmap([[1, 2, 3]] * 3, ax=ax, xticklabels=alphabetical, yticklabels=["a", "b", "c"])
    ax.set_xlabel("use")
    assert likert_order_problems(fig)
    plt.close(fig)
    # fractional days
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3, 4], [8, 12, 15, 17])
    ax.set_xlabel("day of the experiment")
    ax.set_ylabel("experiments declaring a winner (%)")
    assert fractional_ticks(fig)
    plots.integer_ticks(ax.xaxis)
    assert fractional_ticks(fig) == []
    plt.close(fig)
    # log-axis labels that run into each other, as in lesson 08's old power curve
    fig, ax = plt.subplots()
    ax.plot([25, 50, 100, 200, 400, 800], [0.1, 0.2, 0.3, 0.5, 0.8, 0.95])
    ax.set_xscale("log")
    ax.set(xlabel="posts per arm (log scale)", ylabel="power")
    assert any("tick labels overlap" in p for p in plots.layout_problems(fig))
    plots.log_ticks(ax.xaxis, [25, 50, 100, 200, 400, 800])
    assert plots.layout_problems(fig) == []
    plt.close(fig)
    # a legend on top of the data, and an unlabelled second axis
    fig, ax = plt.subplots()
    ax.plot(range(10), range(10), marker="o", label="data")
    ax.legend(loc="center")
    ax.set(xlabel="x", ylabel="y")
    twin = ax.twinx()
    twin.plot(range(10), [v * 2 for v in range(10)])
    found = " | ".join(plots.layout_problems(fig))
    assert "legend covers data" in found and "y axis has numbers but no label" in found
    plt.close(fig)


# --------------------------------------------------------------------------------------
# Lesson 00 gives the contract's one student-id instruction
# --------------------------------------------------------------------------------------
def test_lesson_00_gives_the_student_id_instruction():
    text = "\n".join(c.source for c in _read(ROOT / "notebooks" / "00_start_here.ipynb").cells)
    assert 'STUDENT_ID = ""  # your student id, e.g. "s1234567"' in text
    assert 'ex = start("02", STUDENT_ID)' in text
    assert "between the quotes" in text


# --------------------------------------------------------------------------------------
# references.bib covers every reference a lesson lists
# --------------------------------------------------------------------------------------
LATEX_ACCENTS = {'{\\"a}': "ä", '{\\"o}': "ö", '{\\"e}': "ë", "{\\`e}": "è", '{\\"u}': "ü"}
BULLET = re.compile(r"^- (?P<who>[^(\n]+?)\s*\((?P<year>\d{4})\)", re.MULTILINE)


def bib_entries(text: str) -> list[tuple[str, str, str]]:
    """(key, authors, year) of every entry of a BibTeX file, accents decoded."""
    for code, char in LATEX_ACCENTS.items():
        text = text.replace(code, char)
    entries = []
    for match in re.finditer(r"@\w+\{(?P<key>[^,\s]+),(?P<body>.*?)\n\}", text, re.DOTALL):
        body = match["body"]
        author = re.search(r"author\s*=\s*\{(.*?)\},?\s*\n", body, re.DOTALL)
        year = re.search(r"year\s*=\s*\{(\d{4})\}", body)
        entries.append((match["key"], author[1] if author else "", year[1] if year else ""))
    return entries


def uncited_references(lesson_text: str, entries) -> list[str]:
    """Reference-list items of a lesson with no BibTeX entry of the same first author and year."""
    start = lesson_text.rfind("## References")
    missing = []
    for item in BULLET.finditer(lesson_text[start:] if start >= 0 else ""):
        surname = item["who"].split(",")[0].strip()
        if not any(surname in authors and year == item["year"] for _, authors, year in entries):
            missing.append(f"{surname} ({item['year']})")
    return missing


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_references_bib_covers_the_lesson(path):
    entries = bib_entries((ROOT / "references.bib").read_text(encoding="utf-8"))
    text = "\n".join(c.source for c in _read(path).cells if c.cell_type == "markdown")
    assert "## References" in text
    assert uncited_references(text, entries) == [], "add these to references.bib"


def test_bib_check_can_fail():
    entries = bib_entries("@article{holm1979,\n  author = {Holm, Sture},\n  year = {1979}\n}\n")
    lesson = "## References\n\n- Holm, S. (1979). A test.\n- Yates, F. (1934). Small numbers.\n"
    assert uncited_references(lesson, entries) == ["Yates (1934)"]
    keys = [key for key, _, _ in bib_entries((ROOT / "references.bib").read_text("utf-8"))]
    assert len(keys) == len(set(keys)), "duplicate BibTeX keys"
