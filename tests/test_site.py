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
import site_citations  # noqa: E402

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


# --------------------------------------------------------------------------
# Citations link to their bibliography entry
# --------------------------------------------------------------------------
SMALL_BIB = r"""
% a comment line
@article{jussila2014,
  author = {Jussila, Jari J. and K{\"a}rkk{\"a}inen, Hannu and Aramo-Immonen, Heli},
  year   = {2014}, title = {Social media utilization}
}
@article{syrdal2018, author = {Syrdal, Holly A. and Briggs, Elten}, year = 2018}
@book{hall2017, author = {Hall, S.}, year = {2017}}
@article{smith2020a, author = {Smith, Ann}, year = {2020}, title = {First}}
@article{smith2020b, author = {Smith, Ann}, year = {2020}, title = {Second}}
@article{lee2019, author = {Lee, A. and Kim, B. and Park, C.}, year = {2019}}
@article{lee2019x, author = {Lee, A. and Cho, D. and Han, E.}, year = {2019}}
@misc{okabe2008, author = {{Frictionless Data}}, year = {2008}}
"""


J2014 = "{{bibref}}`Jussila et al{} <jussila2014>`"


def _cite(text: str) -> str:
    return site_citations.link_citations(text, site_citations.bib_works(SMALL_BIB))


def test_bib_works_read_surnames_with_accents_and_whole_organisations():
    works = {w.key: w for w in site_citations.bib_works(SMALL_BIB)}
    assert works["jussila2014"].surnames == ("Jussila", "Kärkkäinen", "Aramo-Immonen")
    assert works["syrdal2018"] == ("syrdal2018", ("Syrdal", "Briggs"), "2018")
    assert works["okabe2008"].surnames == ("Frictionless Data",)
    real = {w.key: w for w in site_citations.bib_works((ROOT / "references.bib").read_text())}
    assert real["sundstrom2021"].surnames[0] == "Sundström"
    assert real["jussila2014"].year == "2014" and len(real) > 30


@pytest.mark.parametrize(
    "text, linked",
    [
        ("Jussila et al. (2014) asked", "{bibref}`Jussila et al. (2014) <jussila2014>` asked"),
        ("(Brodie, 2013; Jussila et al., 2014)", f"(Brodie, 2013; {J2014.format('., 2014')})"),
        ("(Jussila et al. 2014, Table 6)", f"({J2014.format('. 2014')}, Table 6)"),
        ("Syrdal and Briggs (2018)", "{bibref}`Syrdal and Briggs (2018) <syrdal2018>`"),
        (
            "(Hall 2017; Syrdal & Briggs 2018).",
            "({bibref}`Hall 2017 <hall2017>`; {bibref}`Syrdal & Briggs 2018 <syrdal2018>`).",
        ),
        (
            "Jussila, Kärkkäinen and Aramo-Immonen (2014)",
            "{bibref}`Jussila, Kärkkäinen and Aramo-Immonen (2014) <jussila2014>`",
        ),
        # wrapped onto the next line: one line inside the role
        ("Syrdal and\nBriggs (2018) say", "{bibref}`Syrdal and Briggs (2018) <syrdal2018>` say"),
        # a lowercase word before the names is not an author
        ("positive dependence, Hall 2017)", "positive dependence, {bibref}`Hall 2017 <hall2017>`)"),
    ],
)
def test_a_citation_of_a_known_work_links_to_its_entry(text, linked):
    assert _cite(text) == linked


@pytest.mark.parametrize(
    "text",
    [
        "Run `Jussila et al. (2014)` in code",
        "```python\n# Jussila et al. (2014)\n```",
        "~~~\nHall (2017)\n~~~",
        "[Jussila et al. (2014)](https://doi.org/10.1016/j.chb.2013.07.047)",
        "## What Hall (2017) says",
        "$Hall 2017$",
        "<span title='Hall 2017'>x</span>",
    ],
)
def test_no_citation_is_linked_inside_code_links_headings_or_math(text):
    assert _cite(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Gu et al. (2023) coded posts",  # not in the bib
        "Jussila et al. (2015)",  # wrong year
        "Syrdal et al. (2018)",  # et al. for two authors
        "Jussila and Kärkkäinen (2014)",  # not the whole author list
        "Briggs & Syrdal 2018",  # not the first author
        "Hall's (2017) argument",  # possessive: left as written
        "jussila et al. (2014)",  # a surname starts with a capital
        "Hall (2017a)",  # a suffix the key does not have
        "Hall (20171)",
        "In 2011, Hall",
    ],
)
def test_a_citation_of_an_unknown_work_is_left_alone(text):
    assert _cite(text) == text


def test_works_of_the_same_authors_and_year_are_told_apart_or_not_linked():
    assert _cite("Smith (2020)") == "Smith (2020)"  # which one? left plain
    assert _cite("Smith (2020a)") == "{bibref}`Smith (2020a) <smith2020a>`"
    assert _cite("(Smith 2020b)") == "({bibref}`Smith 2020b <smith2020b>`)"
    assert _cite("Smith (2020c)") == "Smith (2020c)"
    # same first author and year, different co-authors: "et al." cannot tell, the names can
    assert _cite("Lee et al. (2019)") == "Lee et al. (2019)"
    assert _cite("Lee, Cho and Han (2019)") == "{bibref}`Lee, Cho and Han (2019) <lee2019x>`"
    assert _cite("Lee, Kim & Park 2019") == "{bibref}`Lee, Kim & Park 2019 <lee2019>`"


def test_staged_lesson_links_citations_in_markdown_only():
    works = site_citations.bib_works(SMALL_BIB)
    markdown = ["Hall (2017):\n", "`Hall (2017)`"]
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": markdown},
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": "# Hall (2017)\nx = 1"},
            {"cell_type": "raw", "metadata": {}, "source": "Hall (2017)"},
        ],
        "metadata": {},
    }
    staged = build_site.stage_notebook(nb, "notebooks/x.ipynb", set(), ROOT, [], works)
    assert staged["cells"][0]["source"] == "{bibref}`Hall (2017) <hall2017>`:\n`Hall (2017)`"
    assert staged["cells"][1]["source"] == "# Hall (2017)\nx = 1"
    assert staged["cells"][2]["source"] == "Hall (2017)"
    assert nb["cells"][0]["source"][0] == "Hall (2017):\n"  # the repository's copy


def test_every_lesson_links_its_citations_of_jussila_2014(tmp_path):
    """Staged from the real notebooks and references.bib: lesson 03 cites Jussila et al. (2014)."""
    build_site.stage(tmp_path / "book", hub="")
    staged = _nb(tmp_path / "book" / "notebooks" / "03_adoption_by_firm_size.ipynb")
    cells = staged["cells"]
    markdown = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "{bibref}`Jussila et al. (2014) <jussila2014>`" in markdown
    keys = set(re.findall(r"\{bibref\}`[^`<]+<([^>]+)>`", markdown))
    known = {w.key for w in site_citations.bib_works((ROOT / "references.bib").read_text())}
    assert keys and keys <= known
    original = _nb(ROOT / "notebooks" / "03_adoption_by_firm_size.ipynb")
    assert "{bibref}" not in json.dumps(original)  # the notebooks keep plain citations


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


@pytest.mark.site
@pytest.mark.slow
def test_built_citation_links_to_its_bibliography_entry(tmp_path):
    """In a built book: the lesson's citation is a link to an entry id that exists, the
    words unchanged; the notebook served for download cites in plain text again; and a
    role naming a key that references.bib lacks fails the build."""
    root = _tiny_repo(tmp_path / "ok", "# 00 · A\n\nAs Tiny (2020) shows; `Tiny (2020)` is code.\n")
    build_site.stage(tmp_path / "ok-book", root=root, repo="acme/tiny", hub="")
    site = build_site.build(tmp_path / "ok-book", tmp_path / "ok-site")
    page = (site / "notebooks" / "00_a.html").read_text(encoding="utf-8")
    links_ = re.findall(r'<a class="[^"]*bibref[^"]*" href="([^"]+)"[^>]*>([^<]*)</a>', page)
    assert links_ == [("../bibliography.html#cite-tiny2020", "Tiny (2020)")]
    assert '<span class="pre">(2020)</span></code> is code' in page  # the code span stays
    target = (site / "bibliography.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="citation" id="cite-tiny2020"[^>]*>', target)
    assert "A Tiny Book" in target.split('id="cite-tiny2020"', 1)[1][:600]
    download = (site / "_sources" / "notebooks" / "00_a.ipynb").read_text(encoding="utf-8")
    assert "As Tiny (2020) shows" in download and "bibref" not in download

    bad = _tiny_repo(tmp_path / "bad", "# 00 · A\n\n{bibref}`Nobody (1999) <nobody1999>`.\n")
    build_site.stage(tmp_path / "bad-book", root=bad, repo="acme/tiny", hub="")
    with pytest.raises(build_site.SiteError, match="nobody1999"):
        build_site.build(tmp_path / "bad-book", tmp_path / "bad-site")
