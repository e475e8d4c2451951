"""Guards around the notebooks that nbval cannot give.

nbval silently skips a ``nbval-check-output`` cell that has no stored output
(empty ``execution_count``), so published statistics could stop being checked
without anyone noticing.  These tests make that, stored errors, out-of-order
execution and the house-style rules visible failures.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
STORED_EXECUTED = LESSONS + SOLUTIONS
ALL = STORED_EXECUTED + EXERCISES
CHECK_TAG = "nbval-check-output"


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def stored_problems(nb) -> list[str]:
    """Everything wrong with a notebook that is meant to be stored executed."""
    problems = []
    code = _code_cells(nb)
    counts = [c.execution_count for c in code]
    if any(n is None for n in counts):
        problems.append("some code cells were never executed: run `make notebooks`")
    elif counts != list(range(1, len(counts) + 1)):
        problems.append(
            f"cells were executed out of order or not in one fresh run (counts {counts}): "
            "run `make notebooks`"
        )
    for i, cell in enumerate(code):
        tags = cell.get("metadata", {}).get("tags", [])
        outputs = cell.get("outputs", [])
        if CHECK_TAG in tags and (cell.execution_count is None or not outputs):
            problems.append(
                f"code cell {i} is tagged {CHECK_TAG} but has no stored output, so nbval "
                "would skip it: run `make notebooks`"
            )
        for out in outputs:
            if out.get("output_type") == "error":
                problems.append(f"code cell {i} stores an error: {out.get('ename')}")
            text = out.get("text", "")
            on_stderr = out.get("output_type") == "stream" and out.get("name") == "stderr"
            if on_stderr and ("Traceback" in text or "Warning" in text):
                problems.append(f"code cell {i} stores a warning or traceback on stderr")
    return problems


def test_there_are_notebooks_to_check():
    assert LESSONS, "notebooks/ holds no lessons"
    assert (ROOT / "notebooks" / "00_start_here.ipynb") in LESSONS


@pytest.mark.parametrize("path", STORED_EXECUTED, ids=_id)
def test_stored_executed_cleanly_in_order(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert stored_problems(nb) == []


@pytest.mark.parametrize("path", STORED_EXECUTED, ids=_id)
def test_random_library_ids_are_stored_renumbered(path):
    """``make notebooks`` renames the ids ipywidgets and pandas' Styler draw at random and
    joins split prints, so that re-running an unchanged notebook rewrites it byte for byte;
    a stored notebook is already in that form."""
    from tools.execute_notebooks import stable_ids

    nb = nbformat.read(path, as_version=4)
    assert stable_ids(nb, path.name) == nb, f"{_id(path)}: store it with `make notebooks`"
    for i, cell in enumerate(nb.cells):
        streams = [o["name"] for o in cell.get("outputs", []) if o["output_type"] == "stream"]
        assert len(streams) == len(set(streams)), f"{_id(path)} cell {i}: `make notebooks`"


@pytest.mark.slow
def test_nbval_compares_every_stored_output_and_sanitizes_only_random_parts(tmp_path):
    """``make test`` runs nbval in its comparing mode (``--nbval``, not ``--nbval-lax``), so
    any stored output that a fresh run no longer prints fails, tagged or not: stale outputs
    on the website (the catalogue of lesson 00, feedback in two masters) went unseen under
    the lax mode. Styler table ids and addresses differ in every run and are sanitized."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    addopts = config["tool"]["pytest"]["ini_options"]["addopts"]
    assert "--nbval" in addopts and "--nbval-lax" not in addopts

    def notebook(name: str, printed: str):
        import pandas as pd
        from IPython.lib.pretty import pretty

        table = pd.DataFrame({"a": [1]}).style  # its id and address: this process's, not the run's
        styled = nbformat.v4.new_code_cell(
            "import pandas as pd\npd.DataFrame({'a': [1]}).style",
            execution_count=2,
            outputs=[
                nbformat.v4.new_output(
                    "execute_result",
                    {"text/html": table._repr_html_(), "text/plain": pretty(table)},
                    execution_count=2,
                )
            ],
        )
        nb = nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_code_cell(
                    "print(1 + 1)",
                    execution_count=1,
                    outputs=[nbformat.v4.new_output("stream", name="stdout", text=printed)],
                ),
                styled,
            ]
        )
        path = tmp_path / name
        nbformat.write(nb, path)
        return path

    def run(path):
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c",
             str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), str(path)],
            capture_output=True, text=True, cwd=ROOT, timeout=300,
        )  # fmt: skip

    current = run(notebook("current.ipynb", "2\n"))
    assert current.returncode == 0, current.stdout[-3000:]
    stale = run(notebook("stale.ipynb", "3\n"))
    assert stale.returncode == 1 and "1 failed, 1 passed" in stale.stdout, stale.stdout[-3000:]


def test_renumbering_makes_two_runs_identical():
    from tools.execute_notebooks import WIDGET_STATE, stable_ids

    def run(model: str, table: str):
        view = {"application/vnd.jupyter.widget-view+json": {"model_id": model}}
        html = {"text/html": f'<style>#T_{table}_row0_col0 {{}}</style><table id="T_{table}">'}
        cell = nbformat.v4.new_code_cell(
            "w", id="c0", outputs=[nbformat.v4.new_output("display_data", {**view, **html})]
        )
        nb = nbformat.v4.new_notebook(cells=[cell])
        state = {model: {"state": {"children": [f"IPY_MODEL_{model}"]}}}
        nb.metadata["widgets"] = {WIDGET_STATE: {"state": state}}
        return stable_ids(nb, "lesson.ipynb")

    first, second = run("a" * 32, "1a2b3"), run("b" * 32, "9f8e7")
    assert first == second
    text = nbformat.writes(first)
    assert "a" * 32 not in text and "1a2b3" not in text
    model = first.cells[0].outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]
    assert set(first.metadata["widgets"][WIDGET_STATE]["state"]) == {model["model_id"]}


@pytest.mark.parametrize("path", EXERCISES, ids=_id)
def test_exercises_are_stored_clean(path):
    nb = nbformat.read(path, as_version=4)
    for cell in _code_cells(nb):
        assert cell.execution_count is None and not cell.outputs, (
            f"{_id(path)} stores outputs: rebuild with `make exercises`"
        )


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", LESSONS, ids=_id)
def test_lesson_follows_the_notebook_convention(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.lstrip().startswith("# "), (
        "a lesson starts with a markdown title"
    )
    text = _markdown(nb).lower()
    for heading in ("learning objectives", "estimated time", "prerequisites", "key points"):
        assert heading in text, f"{_id(path)} lacks a '{heading}' section (CONTRIBUTING.md)"
    assert "references" in text or "further reading" in text


FORBIDDEN = {
    r"\bload_dataset\s*\(": "seaborn.load_dataset downloads data: use b2bsm.data",
    r"np\.random\.seed\s*\(": "global random state: use rng = np.random.default_rng(SEED)",
    r"np\.random\.(rand|randn|randint|normal|choice|poisson|binomial|uniform)\s*\(": (
        "global random state: draw from the notebook's rng"
    ),
    r"warnings\.(filterwarnings|simplefilter)\s*\(\s*['\"]ignore": (
        "warnings silenced globally: fix the call that warns"
    ),
    r"https?://": "no network at run time: ship what the lesson needs",
    r"(?m)^\s*[%!]\s*pip\s+install": "no installs from a notebook: dependencies go in pyproject",
}


#: The Colab set-up cell (tools/colab_cell.py) is the one cell allowed to install the kit
#: from the repository: it does nothing outside Colab (tests/test_colab.py).
COLAB_TAG = "colab-setup"


def forbidden_patterns(nb) -> list[str]:
    found = []
    for i, cell in enumerate(_code_cells(nb)):
        if COLAB_TAG in cell.metadata.get("tags", []):
            continue
        for pattern, why in FORBIDDEN.items():
            if re.search(pattern, cell.source):
                found.append(f"code cell {i}: {why}")
    return found


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_no_forbidden_patterns(path):
    assert forbidden_patterns(nbformat.read(path, as_version=4)) == []


def test_guard_catches_missing_checked_output_and_disorder():
    """The guard itself must fail on the failure modes it exists for."""
    nb = nbformat.v4.new_notebook()
    checked = nbformat.v4.new_code_cell("print(0.519)", metadata={"tags": [CHECK_TAG]})
    other = nbformat.v4.new_code_cell("x = 1", execution_count=1)
    nb.cells = [other, checked]
    assert any("no stored output" in p for p in stored_problems(nb))
    checked.execution_count = 2
    checked.outputs = [nbformat.v4.new_output("stream", name="stdout", text="0.519\n")]
    assert stored_problems(nb) == []
    other.execution_count, checked.execution_count = 3, 2
    assert any("out of order" in p for p in stored_problems(nb))
    other.execution_count = 1
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="", traceback=[])
    checked.outputs.append(error)
    assert any("stores an error" in p for p in stored_problems(nb))
    bad = nbformat.v4.new_notebook()
    bad.cells = [nbformat.v4.new_code_cell("np.random.seed(1)\nsns.load_dataset('tips')")]
    assert len(forbidden_patterns(bad)) == 2
