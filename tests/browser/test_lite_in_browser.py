"""The in-browser edition (JupyterLite), opened in Chromium, up to the Pyodide runtime.

Served from 127.0.0.1 with every other address blocked: JupyterLab loads, the
file browser lists the lessons, a lesson opens from the website's link format
(``lab/index.html?path=...``) with the browser's set-up cell first, and the
kernel is configured to load exactly the pinned Pyodide release, without the
PyPI fallback.  The runtime itself (WebAssembly from the Pyodide CDN) cannot be
fetched on this machine, so no cell is run here; tests/test_lite.py runs every
notebook of the edition under CPython with the same library versions.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from b2bsm import links

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.browser


def test_lesson_opens_in_the_edition_from_the_website_link(
    chromium, lite_server, built_lite, artifacts, offsite_requests
):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    blocked = offsite_requests(context, lite_server)
    page = context.new_page()
    try:
        lesson = "notebooks/02_survey_data.ipynb"
        page.goto(links.lite_url(f"{lite_server}/", lesson))
        first = page.locator(".jp-NotebookPanel .jp-CodeCell").first
        first.wait_for(timeout=120_000)
        # the file browser follows the opened lesson into notebooks/ and lists them all
        listing = page.locator(".jp-DirListing-item")
        listing.filter(has_text=LESSONS[-1].name).wait_for(timeout=60_000)
        names = {t.strip().split("\n")[0] for t in listing.all_inner_texts()}
        assert {p.name for p in LESSONS} <= names, names
        # the editor fills in after the cell appears: wait for its text, then read it
        from playwright.sync_api import expect

        editor = first.locator(".jp-InputArea-editor")
        expect(editor).to_contain_text("piplite.install", timeout=60_000)
        assert "emscripten" in editor.inner_text()
        tab = ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel"
        assert page.locator(tab).all_inner_texts() == ["02_survey_data.ipynb"]
        # the kernel is set to load the pinned Pyodide, and never to ask PyPI
        served = json.loads(page.request.get(f"{lite_server}/jupyter-lite.json").body())
        kernel = served["jupyter-config-data"]["litePluginSettings"][
            "@jupyterlite/pyodide-kernel-extension:kernel"
        ]
        assert kernel["pyodideUrl"] == built_lite["pins"]["pyodide"]["url"]
        assert kernel["disablePyPIFallback"] is True
        index = json.loads(page.request.get(f"{lite_server}/pypi/all.json").body())
        assert "b2bsm" in index and "seaborn" in index
        page.screenshot(path=str(artifacts / "lite_02_survey_data.png"))
        # nothing but the Pyodide runtime may be asked of another host
        others = [u for u in blocked if not u.startswith(kernel["pyodideUrl"].rsplit("/", 1)[0])]
        assert others == [], f"the edition tried to load from other hosts: {others}"
    finally:
        context.close()


def test_a_lesson_page_opens_its_lesson_in_the_edition(
    chromium, site_with_lite_server, built_lite, offsite_requests
):
    """The website's rocket menu, *In your browser*: JupyterLite opens that same lesson."""
    base = site_with_lite_server
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    blocked = offsite_requests(context, base)
    page = context.new_page()
    try:
        page.goto(f"{base}/notebooks/04_use_and_potential.html")
        page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
        with context.expect_page() as opened:
            page.get_by_text("In your browser").click()
        lab = opened.value
        lab.locator(".jp-NotebookPanel .jp-CodeCell").first.wait_for(timeout=120_000)
        assert lab.url.startswith(f"{base}/lite/lab/")
        tab = ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel"
        assert lab.locator(tab).all_inner_texts() == ["04_use_and_potential.ipynb"]
        # nothing but the pinned Pyodide runtime may be asked of another host
        runtime = built_lite["pins"]["pyodide"]["url"].rsplit("/", 1)[0]
        assert [u for u in blocked if not u.startswith(runtime)] == [], blocked
    finally:
        context.close()
