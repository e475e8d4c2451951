"""Every lesson, run by JupyterLab in a real Chromium, as a student would see it.

nbval proves the cells execute in a headless kernel; these tests prove what a
student sees: JupyterLab opens the lesson, "Run All Cells" finishes without an
error output, every widget renders (no "Error displaying widget"), and moving
a slider of an interactive explorer changes its figure.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: ``make test`` runs these in the browser: the page a student opens first, and every lesson
#: with interactive widgets (what only a browser can show). The others run here in
#: ``make test-full`` (marker ``full``); every lesson still runs in a kernel in ``make test``
#: (nbval) and its figures are checked there (tests/test_lesson_meaning.py).
START = "00_start_here.ipynb"
RUN_TIMEOUT_MS = 120_000

ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
ALL_PROMPTS_DONE = """() => {
    const active = '.jp-NotebookPanel:not(.lm-mod-hidden)';
    const prompts = [...document.querySelectorAll(active + ' .jp-CodeCell .jp-InputPrompt')]
        .map(e => e.textContent.trim());
    return prompts.length > 0 && prompts.every(t => /^\\[\\d+\\]:$/.test(t));
}"""


NO_PROMPT_NUMBERS = """() => ![...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
    .some(e => /\\d/.test(e.textContent))"""


def _uses_widgets(path: Path) -> bool:
    return "explorer(" in path.read_text(encoding="utf-8")


def _in_make_test(path: Path) -> bool:
    return path.name == START or _uses_widgets(path)


def _lessons():
    return [
        pytest.param(path, marks=() if _in_make_test(path) else pytest.mark.full)
        for path in LESSONS
    ]


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


IDLE = f"{ACTIVE} .jp-Notebook-ExecutionIndicator[data-status='idle']"
KERNEL_NAME = f"{ACTIVE} .jp-Toolbar-kernelName"


def _start_kernel(page) -> None:
    """Make sure the notebook has an idle python3 kernel before anything runs.

    JupyterLab sometimes asks which kernel to start (accept: the notebook's own),
    and sometimes starts it by itself; the dialog can come after the toolbar
    already looks idle.  So poll until the kernel name is shown, the kernel is
    idle and no dialog is open, for three checks in a row.
    """
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    name = page.locator(KERNEL_NAME).first
    deadline = time.monotonic() + 90
    steady = 0
    while steady < 3:
        assert time.monotonic() < deadline, "the notebook's kernel did not start within 90 s"
        if dialog.count():
            dialog.locator(".jp-Dialog-button.jp-mod-accept").first.click()
            steady = 0
        elif name.count() and "Python" in name.inner_text() and page.locator(IDLE).count():
            steady += 1
        else:
            steady = 0
        page.wait_for_timeout(300)


@pytest.mark.browser
@pytest.mark.parametrize("path", _lessons(), ids=lambda p: p.name)
def test_lesson_runs_in_jupyterlab(path, jupyter_server, browser, artifacts):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        url = f"{jupyter_server['base']}/lab/tree/notebooks/{path.name}"
        # ?reset: start from an empty workspace, not the previous test's open tabs
        page.goto(f"{url}?reset&token={jupyter_server['token']}")
        page.wait_for_selector(f"{ACTIVE} .jp-CodeCell", timeout=60_000)
        _start_kernel(page)
        # clear the stored outputs first, so that only a real run can pass
        for attempt in range(3):
            _menu(page, "Edit", "Clear Outputs of All Cells")
            try:
                page.wait_for_function(NO_PROMPT_NUMBERS, timeout=10_000, polling=250)
                break
            except Exception:
                page.keyboard.press("Escape")
                if attempt == 2:
                    raise
        _menu(page, "Run", "Run All Cells")
        page.wait_for_function(ALL_PROMPTS_DONE, timeout=RUN_TIMEOUT_MS, polling=500)

        panel = page.locator(ACTIVE)
        errors = panel.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        texts = [t for t in errors.all_inner_texts() if re.search(r"Error|Traceback|Warning", t)]
        assert not texts, f"{path.name} shows error output in the browser:\n" + "\n".join(texts)
        assert panel.get_by_text("Error displaying widget").count() == 0

        if _uses_widgets(path):
            widget = panel.locator(".jupyter-widgets.widget-vbox").first
            widget.wait_for(state="visible", timeout=30_000)
            image = widget.locator("img.widget-image").first
            image.wait_for(timeout=30_000)
            summary = widget.locator(".widget-html").first
            # wait until the explorer's first figure has loaded, so the slider is moved on
            # a live, connected widget
            page.wait_for_function(
                "el => el.complete && el.naturalHeight > 100",
                arg=image.element_handle(),
                timeout=60_000,
                polling=250,
            )
            page.wait_for_timeout(1_000)
            before = image.get_attribute("src")
            summary_before = summary.inner_text()
            readout = widget.locator(".widget-readout").first
            value_before = readout.inner_text()
            handle = widget.locator(".noUi-handle").first
            handle.scroll_into_view_if_needed()
            for _ in range(4):
                handle.press("ArrowRight")
                page.wait_for_timeout(150)
            assert readout.inner_text() != value_before, "the slider did not move"
            # the kernel redraws the figure: poll the same element until it changes
            figure = widget.locator("img.widget-image").first
            deadline = time.monotonic() + 90
            while figure.get_attribute("src") == before:
                assert time.monotonic() < deadline, (
                    "moving the slider did not redraw the figure "
                    f"(summary before: {summary_before!r}, now: {summary.inner_text()!r}, "
                    f"slider now {readout.inner_text()})"
                )
                page.wait_for_timeout(250)
            # each key press queued a redraw: let the kernel finish them all, so that the
            # screenshot shows the figure of the slider's final value
            page.wait_for_selector(IDLE, timeout=60_000)
            page.wait_for_function(
                "el => el.complete && el.naturalHeight > 100",
                arg=figure.element_handle(),
                timeout=30_000,
                polling=250,
            )
            widget.scroll_into_view_if_needed()
        no_news = page.locator(".jp-toast-button", has_text=re.compile("^No$"))
        if no_news.count():
            no_news.first.click()
        page.wait_for_timeout(500)
        shot = artifacts / f"{path.stem}.png"
        page.screenshot(path=str(shot))
        print(f"screenshot of {path.name}: {shot}")
    except BaseException:
        failed = artifacts / f"FAILED_{path.stem}.png"
        page.screenshot(path=str(failed))
        print(f"screenshot of the failure in {path.name}: {failed}")
        raise
    finally:
        page.close()
