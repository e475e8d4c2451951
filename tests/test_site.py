"""The course website's build (tools/build_site.py): what goes in, how it is configured.

The full build of the real site, and what Chromium shows of it, are tested in
tests/browser/test_site_in_browser.py.  Here: the staging rules (fast), and a
small book that proves the build fails on a Sphinx warning (marked ``site``).
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from b2bsm import links

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import build_site  # noqa: E402
import launch_links  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = build_site.WIDGET_VIEW


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _widget_cells(nb: dict) -> list[int]:
    return [
        i
        for i, c in enumerate(nb["cells"])
        if any(WIDGET_VIEW in o.get("data", {}) for o in c.get("outputs", []))
    ]


# --------------------------------------------------------------------------
# What the book holds
# --------------------------------------------------------------------------
def test_book_holds_lessons_student_exercises_codebooks_and_guides():
    parts = build_site.book_documents()
    assert parts["Lessons"] == [f"notebooks/{p.name}" for p in LESSONS]
    assert {
        "notebooks/00b_python_onramp.ipynb",
        "notebooks/09_engagement_to_pipeline.ipynb",
    } <= set(parts["Lessons"])
    exercises = sorted(f"exercises/{p.name}" for p in (ROOT / "exercises").glob("*.ipynb"))
    assert parts["Exercises"] == exercises and exercises
    assert parts["Data"][0] == "data/README.md"
    assert set(parts["Data"]) == {f"data/{p.name}" for p in (ROOT / "data").glob("*.md")}
    assert parts["Help"] == [f"docs/{name}" for name in build_site.HELP_PAGES]
    assert parts["For instructors"][0] == "docs/instructors.md"
    docs = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert set(parts["For instructors"]) == docs - set(parts["Help"])
    assert "docs/instructor-notes/README.md" in parts["For instructors"]
    everything = [p for paths in parts.values() for p in paths]
    assert not [p for p in everything if p.startswith("solutions/")], "never the solutions"


def test_toc_lists_every_document_once_and_the_bibliography():
    parts = build_site.book_documents()
    toc = build_site.site_toc(parts, build_site.site_pages())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert len(files) == len(set(files))
    assert "bibliography" in files
    assert [p["caption"] for p in toc["parts"]][:2] == ["Lessons", "Exercises"]


# --------------------------------------------------------------------------
# Widgets become their static figure
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", [p for p in LESSONS if _widget_cells(_nb(p))], ids=lambda p: p.name
)
def test_explorers_become_their_stored_static_figure(path):
    nb = _nb(path)
    cells = _widget_cells(nb)
    staged = build_site.stage_notebook(nb, f"notebooks/{path.name}", set(), ROOT, [])
    assert "widgets" not in staged["metadata"], "no widget state: the page loads no widget JS"
    for i in cells:
        outputs = staged["cells"][i]["outputs"]
        assert not [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
        pngs = [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
        assert pngs, f"cell {i} of {path.name} lost its explorer's figure"
        assert base64.b64decode(pngs[0]).startswith(b"\x89PNG")
    assert _widget_cells(nb) == cells, "staging must not change the repository's notebook"


def test_a_widget_without_stored_state_stops_the_build_with_the_fix():
    output = {"output_type": "display_data", "data": {WIDGET_VIEW: {"model_id": "abc"}}}
    with pytest.raises(build_site.SiteError, match="make notebooks"):
        build_site.widget_fallback(output, {}, "notebooks/x.ipynb, cell 3")


def test_colab_cell_is_hidden_on_the_site_only():
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": [links.COLAB_TAG]},
                "outputs": [],
                "source": "",
            }
        ],
        "metadata": {},
    }
    staged = build_site.stage_notebook(nb, "notebooks/x.ipynb", set(), ROOT, [])
    assert staged["cells"][0]["metadata"]["tags"] == [links.COLAB_TAG, "remove-cell"]
    assert nb["cells"][0]["metadata"]["tags"] == [links.COLAB_TAG]


# --------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------
def test_links_inside_the_book_stay_and_other_files_go_to_github():
    staged = {"notebooks/02_survey_data.ipynb", "data/README.md"}
    broken: list[str] = []
    text = (
        "[lesson](02_survey_data.ipynb) [codebook](../data/README.md#sources) "
        "[key](../b2bsm_teach/exercises/sets/lesson02.py) [web](https://example.org/x) "
        "[here](#section) ![fig](../data/posts_b2b.md)"
    )
    out = build_site.rewrite_links(text, "notebooks/01_b2b_vs_b2c.ipynb", staged, ROOT, broken)
    assert "[lesson](02_survey_data.ipynb)" in out
    assert "[codebook](../data/README.md#sources)" in out
    assert f"[key]({links.github_url('b2bsm_teach/exercises/sets/lesson02.py')})" in out
    assert "[web](https://example.org/x)" in out and "[here](#section)" in out
    assert f"![fig]({links.github_url('data/posts_b2b.md')})" in out
    assert broken == []


def test_links_to_missing_files_are_reported():
    broken: list[str] = []
    text = "[gone](missing_lesson.ipynb) and [up](../../../outside.md)"
    build_site.rewrite_links(text, "notebooks/01_b2b_vs_b2c.ipynb", set(), ROOT, broken)
    assert broken == [
        "notebooks/01_b2b_vs_b2c.ipynb: missing_lesson.ipynb",
        "notebooks/01_b2b_vs_b2c.ipynb: ../../../outside.md (outside the repository)",
    ]


@pytest.mark.parametrize("repo", [links.REPOSITORY, "acme-edu/b2b-course"])
def test_site_config_comes_from_the_link_settings(repo):
    config = build_site.site_config(repo, "spring", "https://hub.acme.edu")
    assert config["repository"]["url"] == links.github_url(repo=repo)
    assert config["repository"]["branch"] == "spring"
    assert config["html"]["baseurl"] == links.site_url(repo)
    sphinx = config["sphinx"]["config"]
    assert (sphinx["b2bsm_repository"], sphinx["b2bsm_branch"]) == (repo, "spring")
    assert sphinx["b2bsm_hub"] == "https://hub.acme.edu"
    assert config["execute"]["execute_notebooks"] == "off", "the site never re-executes"
    assert config["html"]["use_edit_page_button"] and config["html"]["use_issues_button"]
    values = build_site.page_links(repo, "spring", "https://hub.acme.edu")
    start = "notebooks/00_start_here.ipynb"
    assert links.binder_url(start, repo, "spring") in values["binder_link"]
    assert links.hub_url(start, "https://hub.acme.edu", repo, "spring") in values["hub_link"]


def _launch_urls(markdown: str) -> list[str]:
    found = re.findall(r"\]\(([^)\s]+)\)", markdown)
    found += [html.unescape(u) for u in re.findall(r'<a href="([^"]+)"', markdown)]
    return [u for u in found if launch_links.kind(u)]


@pytest.mark.parametrize("hub", ["", "https://hub.acme.edu"])
def test_home_page_launch_links_open_the_start_lesson(tmp_path, hub):
    """The home page's links, as staged, parsed the way Binder and nbgitpuller parse them.

    Regression: the hub link's ``&`` was escaped twice (nbgitpuller got ``amp;branch``).
    """
    build_site.stage(
        tmp_path / "book", repo="acme-edu/b2bsm", branch="spring", hub=hub, lite="lite/"
    )
    index = (tmp_path / "book" / "index.md").read_text(encoding="utf-8")
    assert "{{" not in index and "amp;" not in index
    urls = _launch_urls(index)
    kinds = sorted(launch_links.kind(u) for u in urls)
    assert kinds == sorted(["binder", "lite", *(["hub"] if hub else [])])
    for url in urls:
        found = launch_links.problems(
            url, repo="acme-edu/b2bsm", branch="spring", hub=hub or None, root=ROOT
        )
        assert found == [], (url, found)


def test_link_check_catches_a_double_escaped_hub_link_and_a_wrong_path():
    good = links.hub_url("notebooks/00_start_here.ipynb", hub="https://hub.acme.edu")
    assert (
        launch_links.problems(good, repo=links.REPOSITORY, hub="https://hub.acme.edu", root=ROOT)
        == []
    )
    doubled = good.replace("&", "&amp;")
    found = launch_links.problems(doubled, repo=links.REPOSITORY, root=ROOT)
    assert "nbgitpuller: unknown parameter 'amp;branch' (an '&' escaped twice?)" in found
    assert "nbgitpuller: branch is None, not 'main'" in found
    missing = links.hub_url("notebooks/99_nothing.ipynb", hub="https://hub.acme.edu")
    assert launch_links.problems(missing, repo=links.REPOSITORY, root=ROOT) == [
        f"hub: opens notebooks/99_nothing.ipynb, which is not a file of {ROOT}"
    ]
    no_autodecode = good.replace("%3Fautodecode", "")
    assert "autodecode" in launch_links.problems(no_autodecode, repo=links.REPOSITORY)[0]
    other = links.binder_url("notebooks/00_start_here.ipynb", repo="someone/else")
    assert launch_links.problems(other, repo=links.REPOSITORY)
    lite = links.lite_url("lite/", "notebooks/00_start_here.ipynb")
    assert launch_links.problems(lite, repo=links.REPOSITORY, root=ROOT) == []
    assert launch_links.problems(lite + "&x=1", repo=links.REPOSITORY)


def test_unknown_placeholder_stops_the_build():
    with pytest.raises(build_site.SiteError, match="hub_lnk"):
        build_site.fill_placeholders("see {{ hub_lnk }}", {"hub_link": "x"}, "site/index.md")
    assert build_site.fill_placeholders("a {{hub_link}} b", {"hub_link": "x"}, "i") == "a x b"


def test_pyproject_website_url_is_the_one_the_site_is_built_for():
    import tomllib

    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls == {"Source": links.github_url(), "Website": links.site_url()}


# --------------------------------------------------------------------------
# A small book: a Sphinx warning fails the build
# --------------------------------------------------------------------------
def _tiny_repo(tmp_path: Path, lesson_markdown: str) -> Path:
    root = tmp_path / "repo"
    for folder in ("notebooks", "exercises", "data", "docs", "site"):
        (root / folder).mkdir(parents=True)
    shutil.copytree(ROOT / "site" / "_ext", root / "site" / "_ext")
    (root / "site" / "index.md").write_text("# Tiny course\n\n[Lesson](notebooks/00_a.ipynb)\n")
    bibliography = "# References\n\n```{bibliography}\n:all:\n```\n"
    (root / "site" / "bibliography.md").write_text(bibliography)
    (root / "references.bib").write_text(
        "@book{tiny2020, author = {Tiny, Ann}, title = {A Tiny Book}, year = {2020},"
        " publisher = {Nobody}}\n"
    )
    (root / "data" / "README.md").write_text("# Data\n\nNone.\n")
    (root / "docs" / "instructors.md").write_text("# Instructor guide\n\nTeach.\n")
    nb = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": lesson_markdown}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    nb["cells"][0]["id"] = "a1"
    (root / "notebooks" / "00_a.ipynb").write_text(json.dumps(nb))
    return root


@pytest.mark.site
@pytest.mark.slow
def test_build_fails_on_a_sphinx_warning(tmp_path):
    """A dangling cross-reference is only a warning to Sphinx; the site build fails on it.

    (The real site, which must build cleanly, is built by tests/browser/.)
    """
    bad = _tiny_repo(tmp_path / "bad", "# 00 · A\n\nSee {ref}`no-such-label`.\n")
    build_site.stage(tmp_path / "bad-book", root=bad, repo="acme/tiny", hub="")
    config = yaml.safe_load((tmp_path / "bad-book" / "_config.yml").read_text())
    assert config["repository"]["url"] == "https://github.com/acme/tiny"
    with pytest.raises(build_site.SiteError, match="no-such-label"):
        build_site.build(tmp_path / "bad-book", tmp_path / "bad-site")
    assert not (tmp_path / "bad-site").exists()


def test_staging_refuses_a_link_to_a_missing_file(tmp_path):
    root = _tiny_repo(tmp_path, "# 00 · A\n\n[next](01_missing.ipynb)\n")
    with pytest.raises(build_site.SiteError, match=r"notebooks/00_a.ipynb: 01_missing.ipynb"):
        build_site.stage(tmp_path / "book", root=root, repo="acme/tiny", hub="")


def test_staging_needs_the_bibliography(tmp_path):
    root = _tiny_repo(tmp_path, "# 00 · A\n")
    (root / "references.bib").unlink()
    with pytest.raises(build_site.SiteError, match=r"references\.bib"):
        build_site.stage(tmp_path / "book", root=root, repo="acme/tiny", hub="")
