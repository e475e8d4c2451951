"""The course website, built as `make site` builds it, and opened in Chromium.

The build (fixture ``built_site``) must pass Jupyter Book with warnings as
errors.  Then, served from 127.0.0.1 with every other address blocked (the
site must work offline and fetch nothing from a CDN), each lesson page must
show all the figures its notebook stores, the explorers' static fallback
figures, a download button that serves the notebook, and launch buttons whose
addresses are exactly the ones :mod:`b2bsm.links` makes.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
import yaml

from b2bsm import links

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import launch_links  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.browser

IMAGES_LOADED = """() => [...document.querySelectorAll('article .cell_output img')]
    .map(img => img.complete && img.naturalWidth > 0)"""


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _stored_figures(nb: dict) -> tuple[int, int]:
    """(plain image outputs, widget outputs) of a notebook, as stored."""
    images = widgets = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                widgets += 1
            elif "image/png" in data or "image/svg+xml" in data:
                images += 1
    return images, widgets


def _has_colab_cell(nb: dict) -> bool:
    return any(links.COLAB_TAG in c.get("metadata", {}).get("tags", []) for c in nb["cells"])


@pytest.fixture
def page(chromium, site_server, offsite_requests):
    """A page that may load the local site only; anything else is blocked and recorded."""
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.blocked = offsite_requests(page, site_server)
    try:
        yield page
    finally:
        page.close()


def test_site_config_points_at_the_repository_of_the_link_settings(built_site):
    config = yaml.safe_load((built_site["book"] / "_config.yml").read_text())
    assert config["repository"]["url"] == links.github_url()
    assert config["repository"]["branch"] == links.BRANCH
    assert config["sphinx"]["config"]["b2bsm_repository"] == links.REPOSITORY
    assert config["sphinx"]["config"]["b2bsm_hub"] == built_site["hub"]
    launch = re.compile(
        r"https://mybinder\.org/v2/gh/([^/]+/[^/?]+)/"
        r"|https://colab\.research\.google\.com/github/([^/]+/[^/]+)/"
        r"|git-pull\?repo=https%3A//github\.com/([^/&]+/[^&]+)&"
    )
    name = links.REPOSITORY.split("/")[1]
    for html in built_site["html"].rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        page = html.relative_to(built_site["html"])
        if page.parts[0] == "_static":  # the theme's own files
            continue
        for groups in launch.findall(text):
            slug = next(g for g in groups if g)
            assert slug == links.REPOSITORY, f"{page}: a launch link opens {slug}"
        # documents may cite other projects on GitHub, but never another copy of the kit
        for slug in re.findall(r"https://github\.com/([\w.-]+/[\w.-]+)", text):
            if slug.split("/")[1] == name or slug == "b2bsm/b2bsm":
                assert slug == links.REPOSITORY, f"{page} links to github.com/{slug}"
        repo_button = re.search(r'<a href="([^"]+)"[^>]*btn-source-repository-button', text)
        assert repo_button and repo_button.group(1) == links.github_url(), page


def test_site_holds_no_solution_and_loads_nothing_from_other_hosts(built_site):
    html = built_site["html"]
    assert not list(html.rglob("*solutions*"))
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text)
        # a canonical link names the published address; it loads nothing
        remote = [t for t in tags if re.search(r"(?:src|href)=\"https?:", t)]
        remote = [t for t in remote if 'rel="canonical"' not in t]
        assert not remote, f"{page.relative_to(html)} loads {remote}"


def test_every_part_of_the_course_has_its_page(built_site):
    html = built_site["html"]
    expected = [f"notebooks/{p.stem}.html" for p in LESSONS]
    expected += [f"exercises/{p.stem}.html" for p in (ROOT / "exercises").glob("*.ipynb")]
    expected += [f"data/{p.stem}.html" for p in (ROOT / "data").glob("*.md")]
    expected += [f"docs/{p.stem}.html" for p in (ROOT / "docs").glob("*.md")]
    expected += ["index.html", "bibliography.html", "search.html", "searchindex.js"]
    missing = [p for p in expected if not (html / p).is_file()]
    assert not missing, f"pages missing from the site: {missing}"
    print(f"site build: {built_site['seconds']:.1f} s")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_page_shows_its_figures_and_launch_links(
    path, page, site_server, built_site, artifacts
):
    nb = _nb(path)
    images, widgets = _stored_figures(nb)
    page.goto(f"{site_server}/notebooks/{path.stem}.html")
    title = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    heading = "".join(title["source"]).splitlines()[0].lstrip("# ").strip()
    assert page.locator("article h1").first.inner_text().strip().startswith(heading[:30])

    # every stored figure, and each explorer's static figure, is on the page and loaded
    page.wait_for_load_state("load")
    loaded = page.evaluate(IMAGES_LOADED)
    assert len(loaded) == images + widgets, (
        f"{path.name} stores {images} figures and {widgets} explorers; "
        f"the page shows {len(loaded)} images"
    )
    assert all(loaded), f"{loaded.count(False)} figure(s) of {path.name} did not load"
    fallbacks = page.locator(".b2bsm-widget-fallback")
    assert fallbacks.count() == widgets
    for i in range(widgets):
        note = fallbacks.nth(i)
        assert note.is_visible() and "Static view of the explorer" in note.inner_text()
    assert page.get_by_text("Error displaying widget").count() == 0

    # launch buttons: open the rocket menu; each address is the one b2bsm.links makes
    rel = f"notebooks/{path.name}"
    expected = {
        "Binder": links.binder_url(rel),
        "JupyterHub": links.hub_url(rel, hub=built_site["hub"]),
        "In your browser": links.lite_url("../" + built_site["lite"], rel),
    }
    if _has_colab_cell(nb):
        expected["Colab"] = links.colab_url(rel)
    page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
    menu = page.locator(".dropdown-launch-buttons .dropdown-menu a")
    menu.first.wait_for(state="visible", timeout=5_000)
    found = {a.inner_text().strip(): a.get_attribute("href") for a in menu.all()}
    assert found == expected

    # the download button serves this lesson's notebook
    download = page.locator("a.btn-download-source-button").first.get_attribute("href")
    assert download.endswith(f"{path.name}")
    response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + download)
    assert response.ok and json.loads(response.body())["cells"]

    page.screenshot(path=str(artifacts / f"site_{path.stem}.png"))
    assert page.blocked == [], f"the page tried to load from other hosts: {page.blocked}"


def test_search_finds_a_lesson(page, site_server):
    page.goto(f"{site_server}/search.html?q=Kendall")
    results = page.locator("#search-results a", has_text="Use and potential")
    results.first.wait_for(timeout=30_000)
    assert page.blocked == []


def test_bibliography_lists_the_references(page, site_server):
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    years = re.findall(r"(?im)^\s*year\s*=\s*[{\"]?(\d{4})", bib)
    page.goto(f"{site_server}/bibliography.html")
    entries = page.locator("article .citation, article dl.citation > dt, article li")
    text = page.locator("article").inner_text()
    assert years and all(y in text for y in years)
    assert entries.count() >= len(years)


def test_lesson_citation_links_to_its_bibliography_entry(page, site_server):
    """Lesson 03 cites Jussila et al. (2014): the words link to that work's entry, which exists."""
    page.goto(f"{site_server}/notebooks/03_adoption_by_firm_size.html")
    cite = page.locator("article a.bibref", has_text="Jussila et al. (2014)").first
    href = cite.get_attribute("href")
    assert href == "../bibliography.html#cite-jussila2014"
    cite.click()
    page.wait_for_url("**/bibliography.html#cite-jussila2014")
    entry = page.locator("#cite-jussila2014")
    assert entry.count() == 1
    assert "Social media utilization in business-to-business" in entry.inner_text()
    assert page.blocked == []


def _pages(built_site) -> list[str]:
    html = built_site["html"]
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if p.relative_to(html).parts[0] not in ("_static", "_sources")
        and p.name not in ("search.html", "genindex.html")
    )


ANCHORS = "() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"


def test_every_launch_link_opens_what_it_names(site_walk, built_site):
    """Each launch link of each page, read from the DOM as the browser resolves it, then
    parsed the way Binder, Colab, nbgitpuller and JupyterLite read their query."""
    checked: dict[str, int] = {}
    for rel, seen in site_walk.items():
        for href in seen["anchors"]:
            service = launch_links.kind(href)
            if service is None:
                continue
            checked[service] = checked.get(service, 0) + 1
            if service == "lite":  # relative to the page: the edition sits in the site
                target = os.path.normpath(Path(rel).parent / href.split("lab/index.html")[0])
                assert target == built_site["lite"].rstrip("/"), (rel, href)
            found = launch_links.problems(
                href,
                repo=links.REPOSITORY,
                branch=links.BRANCH,
                hub=built_site["hub"],
                root=ROOT,
            )
            assert found == [], f"{rel}: {href}: {found}"
    lessons = len(LESSONS) + len(list((ROOT / "exercises").glob("*.ipynb")))
    assert checked.get("binder", 0) >= lessons + 1, checked  # every notebook + the home page
    assert checked.get("hub", 0) >= lessons + 1, checked
    assert checked.get("lite", 0) >= lessons + 1, checked
    assert checked.get("colab", 0) >= len(LESSONS), checked


def test_edit_and_issue_buttons_point_at_the_source(page, site_server, built_site):
    for rel, source in [
        ("notebooks/02_survey_data.html", "notebooks/02_survey_data.ipynb"),
        ("index.html", "site/index.md"),
        ("docs/instructors.html", "docs/instructors.md"),
    ]:
        page.goto(f"{site_server}/{rel}")
        edit = page.locator("a.btn-edit-button, a[href*='/edit/']").first.get_attribute("href")
        assert edit == f"{links.github_url()}/edit/{links.BRANCH}/{source}", rel
        assert (ROOT / source).is_file()
        issue = page.locator("a[href*='/issues/new']").first.get_attribute("href")
        assert issue.startswith(f"{links.github_url()}/issues/new"), rel


#: A phone: 390 CSS pixels wide (an iPhone 12-15).
PHONE = {"width": 390, "height": 844}
WIDEST = """() => {
    const doc = document.documentElement;
    let culprit = null, right = 0;
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.right > right + 0.5 && getComputedStyle(el).position !== 'fixed') {
            right = box.right;
            culprit = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
        }
    }
    return {scroll: doc.scrollWidth, culprit: culprit, right: Math.round(right)};
}"""


@pytest.fixture(scope="module")
def site_walk(chromium, site_server, built_site, artifacts) -> dict[str, dict]:
    """Every page of the site opened once, at a phone's width: its links and its widest
    element (two tests read them; one walk instead of two halves the time)."""
    page = chromium.new_page(viewport=PHONE, is_mobile=True, device_scale_factor=1)
    seen = {}
    try:
        for rel in _pages(built_site):
            page.goto(f"{site_server}/{rel}")
            page.wait_for_load_state("load")
            seen[rel] = {"anchors": page.evaluate(ANCHORS), "width": page.evaluate(WIDEST)}
        page.goto(f"{site_server}/docs/instructors.html")
        page.screenshot(path=str(artifacts / "site_phone_instructors.png"))
    finally:
        page.close()
    return seen


def test_no_page_is_wider_than_a_phone(site_walk):
    """At 390 px no page lays out wider than the screen (a phone would zoom it out);
    wide tables and code scroll inside their own box instead."""
    wide = {
        rel: seen["width"]
        for rel, seen in site_walk.items()
        if seen["width"]["scroll"] > PHONE["width"]
    }
    assert not wide, f"pages wider than {PHONE['width']} px: {wide}"
