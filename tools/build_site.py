"""Build the course website (Jupyter Book 1) from the stored notebooks, offline.

Usage (from the repository root; ``make site`` runs it)::

    python tools/build_site.py                          # -> _site/index.html
    python tools/build_site.py --hub https://hub.example.edu --out /tmp/site

What it does:

1. **Stages** the book in ``site/_build/book``, mirroring the repository's
   layout so that every relative link and launch path stays valid: the nine
   lessons (``notebooks/``), the student exercise notebooks (``exercises/``,
   never ``solutions/``), the data codebooks (``data/*.md``), the instructor
   documents (``docs/*.md``), the pages of ``site/`` and ``references.bib``.
   Notebooks are not executed: their stored outputs are the content.  Three
   changes are made to the staged copies only:

   - a widget output (an explorer) becomes its static fallback: the figure
     and summary the explorer last drew, taken from the widget state stored in
     the notebook, so the page needs no widget JavaScript (nor a network);
   - the Colab set-up cell is hidden (tag ``remove-cell``): it does nothing
     outside Colab;
   - an author-year citation of a work in ``references.bib`` ("Jussila et al.
     (2014)") becomes a link to its entry of the bibliography page
     (tools/site_citations.py; the words stay as written).

   A relative link to a file that is not part of the book (a script, the
   data package, a solution master) becomes a link to that file on GitHub; a
   link to a file that does not exist stops the build with a list of them.
2. **Configures** it: ``_config.yml`` and ``_toc.yml`` are written from
   :mod:`b2bsm.links` (repository, branch, hub), so the website's repository
   and launch links are the same as the README's and a release's.
3. **Builds** with ``jupyter-book build -W -n --keep-going``: any warning
   (a broken cross-reference, a missing citation, a bad heading) fails it.

Prints one summary line (pages, seconds, where the site is).
"""

from __future__ import annotations

import argparse
import base64
import copy
import functools
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from b2bsm import links  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from site_citations import Work, bib_works, link_citations  # noqa: E402

STAGE = ROOT / "site" / "_build" / "book"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TITLE = "B2B social media marketing, with data"
#: Markdown links: [text](target "title"); images too (![alt](target)).
LINK = re.compile(r"(!?\[[^\]\n]*\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", re.IGNORECASE)


class SiteError(RuntimeError):
    """The site cannot be built; the message says which file to fix and how."""


# --------------------------------------------------------------------------
# What goes into the book
# --------------------------------------------------------------------------
#: Pages of docs/ that students use (the rest of docs/ is for instructors), in this order.
HELP_PAGES = ("glossary.md", "troubleshooting.md", "capstone.md")


def book_documents(root: Path = ROOT) -> dict[str, list[str]]:
    """The documents of each part of the book, as repository-relative paths."""

    def rel(paths):
        return [p.relative_to(root).as_posix() for p in sorted(paths)]

    docs = sorted((root / "docs").glob("*.md"))
    help_pages = [root / "docs" / name for name in HELP_PAGES if (root / "docs" / name).is_file()]
    guide = [p for p in docs if p.name == "instructors.md"]
    notes = sorted((root / "docs" / "instructor-notes").glob("*.md"))
    notes_index = [p for p in notes if p.name == "README.md"]
    data = sorted((root / "data").glob("*.md"))
    readme = [p for p in data if p.name == "README.md"]
    return {
        "Lessons": rel((root / "notebooks").glob("*.ipynb")),
        "Exercises": rel((root / "exercises").glob("*.ipynb")),
        "Help": [p.relative_to(root).as_posix() for p in help_pages],
        "Data": rel(readme) + rel(p for p in data if p not in readme),
        "For instructors": rel(guide)
        + rel(p for p in docs if p not in guide and p not in help_pages)
        + rel(notes_index)
        + rel(p for p in notes if p not in notes_index),
    }


def site_pages(root: Path = ROOT) -> list[str]:
    """The site's own pages (``site/*.md``), other than the landing page."""
    return sorted(p.name for p in (root / "site").glob("*.md") if p.name != "index.md")


# --------------------------------------------------------------------------
# Staging: widgets to static figures, links outside the book to GitHub
# --------------------------------------------------------------------------
def _model_tree(state: dict, model_id: str) -> list[dict]:
    """The widget model and all its descendants, depth first."""
    found, todo = [], [model_id]
    while todo:
        mid = todo.pop(0)
        model = state.get(mid)
        if model is None:
            continue
        found.append(model)
        for child in model.get("state", {}).get("children", []):
            if isinstance(child, str) and child.startswith("IPY_MODEL_"):
                todo.append(child.removeprefix("IPY_MODEL_"))
    return found


def _image_of(model: dict) -> str | None:
    for buffer in model.get("buffers", []):
        if buffer.get("path") == ["value"] and buffer.get("encoding") == "base64":
            return buffer["data"]
    value = model.get("state", {}).get("value")
    return value if isinstance(value, str) and value else None


def widget_fallback(output: dict, state: dict, where: str) -> list[dict]:
    """The static outputs that replace one widget output: its summary, then its figure."""
    data = output.get("data", {})
    if "image/png" in data:  # the explorer already ships its own static figure
        static = copy.deepcopy(output)
        static["data"] = {k: v for k, v in data.items() if k != WIDGET_VIEW}
        return [static]
    models = _model_tree(state, data[WIDGET_VIEW]["model_id"])
    if not models:
        raise SiteError(
            f"{where}: a widget output has no stored widget state, so the website cannot "
            "show its figure. Re-execute the notebook with `make notebooks` (nbclient stores "
            "the state), or give the widget a static image/png representation."
        )
    images = [m for m in models if m.get("model_name") == "ImageModel" and _image_of(m)]
    summaries = [
        m["state"]["value"]
        for m in models
        if m.get("model_name") == "HTMLModel" and m.get("state", {}).get("value")
    ]
    if not images:
        raise SiteError(f"{where}: the explorer's stored state holds no figure (ImageModel)")
    note = (
        "<p class='b2bsm-static-note'><em>Static view of the explorer at its starting "
        "values. Launch the notebook (rocket button above) to move the sliders.</em></p>"
    )
    text = "".join(f"<p>{s}</p>" for s in summaries)
    alt = html.unescape(re.sub(r"<[^>]+>", "", " ".join(summaries))) or "explorer figure"
    outputs = [
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"text/html": f"<div class='b2bsm-widget-fallback'>{text}{note}</div>"},
        }
    ]
    for image in images:
        png = _image_of(image)
        base64.b64decode(png, validate=True)  # a corrupt state fails here, not in a browser
        outputs.append(
            {
                "output_type": "display_data",
                "metadata": {"image/png": {"alt": alt}},
                "data": {"image/png": png, "text/plain": [f"<explorer figure: {alt}>"]},
            }
        )
    return outputs


#: An HTML anchor right before a heading (``<a id="x"></a>`` then ``## Heading``), as the
#: glossary marks its entries: Jupyter and GitHub follow ``glossary.md#x``, MyST only follows
#: a heading's own anchor, so the site's links are pointed at that instead.
HTML_ANCHOR = re.compile(r'<a id="([^"]+)"></a>\s*\n\s*#{1,6} ([^\n]+)')
_SLUG_DROP = re.compile(r"[^\w\u4e00-\u9fff\- ]")


def heading_slug(title: str) -> str:
    """The anchor MyST gives a heading (its ``default_slugify``).

    >>> heading_slug("Benjamini-Hochberg (BH) procedure")
    'benjamini-hochberg-bh-procedure'
    """
    return _SLUG_DROP.sub("", title.strip().lower().replace(" ", "-"))


@functools.cache
def html_anchor_slugs(path: Path) -> dict[str, str]:
    """HTML anchor id -> the anchor of the heading it marks, in one markdown file."""
    if path.suffix != ".md" or not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    return {m.group(1): heading_slug(m.group(2)) for m in HTML_ANCHOR.finditer(text)}


def rewrite_links(text: str, source: str, staged: set[str], root: Path, broken: list[str]):
    """Keep links between staged documents; send other repository files to GitHub."""

    def fix(match: re.Match) -> str:
        target = match.group(2)
        if EXTERNAL.match(target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = (Path(source).parent / path).as_posix()
        parts: list[str] = []
        for part in resolved.split("/"):
            if part == "..":
                if not parts:
                    broken.append(f"{source}: {target} (outside the repository)")
                    return match.group(0)
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        rel = "/".join(parts)
        if rel in staged:
            slug = html_anchor_slugs(root / rel).get(anchor) if anchor else None
            if slug:
                return f"{match.group(1)}{path}#{slug}{match.group(3)}"
            return match.group(0)
        if not (root / rel).exists():
            broken.append(f"{source}: {target}")
            return match.group(0)
        url = links.github_url(rel) + (f"#{anchor}" if anchor else "")
        return f"{match.group(1)}{url}{match.group(3)}"

    return LINK.sub(fix, text)


def stage_notebook(
    nb: dict,
    source: str,
    staged: set[str],
    root: Path,
    broken: list[str],
    works: list[Work] = (),
):
    """The notebook as the website shows it (a new dict; the input is not changed).

    ``works`` (from :func:`bib_works`): citations of these in markdown cells link to
    their entry of the bibliography.
    """
    nb = copy.deepcopy(nb)
    state = nb.get("metadata", {}).pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            text = rewrite_links(text, source, staged, root, broken)
            cell["source"] = link_citations(text, works)
        if cell["cell_type"] != "code":
            continue
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if links.COLAB_TAG in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
        outputs = []
        for out in cell.get("outputs", []):
            if WIDGET_VIEW in out.get("data", {}):
                outputs += widget_fallback(out, state, f"{source}, cell {i}")
            else:
                outputs.append(out)
        cell["outputs"] = outputs
    return nb


def page_links(repo: str, branch: str, hub: str, lite: str = "") -> dict[str, str]:
    """The ``{{ name }}`` placeholders of the site's own pages, as Markdown links.

    They are filled in by :func:`fill_placeholders` before Jupyter Book sees the page
    (not by MyST substitutions, whose Jinja step escaped the ``&`` of a query string a
    second time, so nbgitpuller received ``amp;branch``).
    """
    start = "notebooks/00_start_here.ipynb"
    if hub:
        hub_start = links.hub_url(start, hub=hub, repo=repo, branch=branch)
        hub_link = f"[open the start lesson on your hub]({hub_start})"
    else:
        hub_link = "your lecturer gives its address; lessons open there from their rocket button"
    if lite:
        # raw HTML: a relative link to a page outside the book (the edition sits beside it)
        # is neither a document to Sphinx nor a repository file to rewrite_links
        url = html.escape(links.lite_url(lite, start), quote=True)
        lite_link = f'<a href="{url}">open the start lesson in your browser</a>'
    else:
        lite_link = "the in-browser edition, where the course publishes one (`make lite`)"
    return {
        "binder_link": f"[start lesson on Binder]({links.binder_url(start, repo, branch)})",
        "hub_link": hub_link,
        "lite_link": lite_link,
        "repo_link": f"[the repository]({links.github_url(repo=repo)})",
    }


PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def fill_placeholders(text: str, values: dict[str, str], where: str) -> str:
    """``text`` with each ``{{ name }}`` replaced; an unknown name stops the build."""
    unknown = sorted({m for m in PLACEHOLDER.findall(text) if m not in values})
    if unknown:
        raise SiteError(
            f"{where}: unknown placeholder(s) {unknown}; the known ones are {sorted(values)} "
            "(tools/build_site.py, page_links)."
        )
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def site_config(repo: str, branch: str, hub: str, lite: str = "") -> dict:
    """The Jupyter Book ``_config.yml`` (as a dict) for these link settings."""
    return {
        "title": TITLE,
        "author": "b2bsm teaching kit contributors",
        "copyright": "2026",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},
        "bibtex_bibfiles": ["references.bib"],
        "parse": {
            "myst_enable_extensions": ["colon_fence"],
            "myst_heading_anchors": 3,
        },
        "repository": {"url": links.github_url(repo=repo), "branch": branch, "path_to_book": ""},
        "html": {
            "use_repository_button": True,
            "use_issues_button": True,
            "use_edit_page_button": True,
            "use_multitoc_numbering": False,
            "home_page_in_navbar": True,
            "baseurl": links.site_url(repo),
        },
        # the launch buttons come from site/_ext/b2bsm_site.py (addresses from b2bsm.links)
        "launch_buttons": {"notebook_interface": "jupyterlab"},
        "sphinx": {
            "local_extensions": {"b2bsm_site": "_ext"},
            "config": {
                "b2bsm_repository": repo,
                "b2bsm_branch": branch,
                "b2bsm_hub": hub,
                "b2bsm_lite": lite,
                "html_show_sourcelink": False,
                "nb_merge_streams": True,
                # stable anchors (bibliography.html#cite-jussila2014) for the lessons' links
                "bibtex_cite_id": "cite-{key}",
                # heading anchors for links between pages (glossary.md#wilson-interval): Jupyter
                # Book 1 does not pass parse.myst_heading_anchors on to MyST
                "myst_heading_anchors": 3,
            },
        },
    }


def site_toc(parts: dict[str, list[str]], pages: list[str]) -> dict:
    def entry(path: str) -> dict:
        return {"file": path.rsplit(".", 1)[0]}

    toc_parts = [
        {"caption": caption, "chapters": [entry(p) for p in paths]}
        for caption, paths in parts.items()
        if paths
    ]
    toc_parts.append({"caption": "Sources", "chapters": [entry(p) for p in pages]})
    return {"format": "jb-book", "root": "index", "parts": toc_parts}


def stage(
    dest: Path = STAGE,
    *,
    root: Path = ROOT,
    repo: str | None = None,
    branch: str | None = None,
    hub: str | None = None,
    lite: str = "",
) -> dict[str, list[str]]:
    """Write the book's sources into ``dest`` (emptied first); the parts of the book.

    ``lite``: where the in-browser edition (``make lite``) is published, relative to
    the site (``lite/``) or absolute; every notebook page then links it. Empty: no link.
    """
    import yaml

    repo = links.check_repository(repo or links.REPOSITORY)
    branch = branch or links.BRANCH
    hub = (links.HUB_URL if hub is None else hub).rstrip("/")
    bib = root / "references.bib"
    if not bib.is_file():
        raise SiteError(
            "references.bib (the BibTeX file of the references the lessons cite) is missing "
            "at the repository root: the website's bibliography is built from it."
        )
    works = bib_works(bib.read_text(encoding="utf-8"))
    parts = book_documents(root)
    pages = site_pages(root)
    staged = {p for paths in parts.values() for p in paths}
    staged |= {f"site/{p}" for p in ["index.md", *pages]}
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    broken: list[str] = []
    for paths in parts.values():
        for rel in paths:
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            text = (root / rel).read_text(encoding="utf-8")
            if rel.endswith(".ipynb"):
                nb = stage_notebook(json.loads(text), rel, staged, root, broken, works)
                target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", "utf-8")
            else:
                target.write_text(rewrite_links(text, rel, staged, root, broken), "utf-8")
    # the site's own pages sit at the book's root: their links are relative to it
    book_paths = staged | {p.removeprefix("site/") for p in staged}
    values = page_links(repo, branch, hub, lite)
    for name in ["index.md", *pages]:
        text = (root / "site" / name).read_text(encoding="utf-8")
        text = fill_placeholders(text, values, f"site/{name}")
        (dest / name).write_text(rewrite_links(text, name, book_paths, root, broken), "utf-8")
    if broken:
        raise SiteError(
            "links to files that do not exist (fix or remove them):\n  " + "\n  ".join(broken)
        )
    shutil.copytree(root / "site" / "_ext", dest / "_ext", ignore=shutil.ignore_patterns("__*"))
    if (root / "site" / "_static").is_dir():  # the site's CSS (Jupyter Book loads _static/*.css)
        shutil.copytree(root / "site" / "_static", dest / "_static")
    shutil.copy2(bib, dest / "references.bib")
    config = site_config(repo, branch, hub, lite)
    (dest / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    toc = site_toc(parts, pages)
    (dest / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), "utf-8")
    return parts


def build(dest: Path = STAGE, out: Path = ROOT / "_site") -> Path:
    """Run Jupyter Book on the staged sources; the HTML ends up in ``out``."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    if not jupyter_book.exists():
        raise SiteError(
            "jupyter-book is not installed in this environment: install the site extra "
            "(pip install -e '.[site]')."
        )
    work = dest.parent / "output"
    cmd = [str(jupyter_book), "build", str(dest), "--path-output", str(work), "--all"]
    cmd += ["--builder", "html", "-W", "-n", "--keep-going", "-q"]
    # Sphinx's own warnings fail the build (-W); Python warnings of the build tools
    # (say, a deprecation inside Jupyter Book) are not the site's problem.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=dest, env=env)
    if proc.returncode != 0:
        log = (proc.stdout + proc.stderr).strip().splitlines()
        problems = [line for line in log if "WARNING" in line or "ERROR" in line] or log[-30:]
        raise SiteError("the website build failed:\n" + "\n".join(problems))
    html_dir = work / "_build" / "html"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(html_dir, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the course website into a folder.")
    parser.add_argument("--out", type=Path, default=ROOT / "_site", help="default: _site/")
    parser.add_argument("--repo", help=f"OWNER/NAME (default: b2bsm.links, {links.REPOSITORY})")
    parser.add_argument("--branch", help=f"branch to launch from (default {links.BRANCH})")
    parser.add_argument("--hub", help="JupyterHub address for the nbgitpuller launch button")
    parser.add_argument(
        "--lite",
        default="",
        help="where the in-browser edition is published (relative to the site, e.g. lite/)",
    )
    parser.add_argument("--stage", type=Path, default=STAGE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        parts = stage(args.stage, repo=args.repo, branch=args.branch, hub=args.hub, lite=args.lite)
        out = build(args.stage, args.out.resolve())
    except (SiteError, ValueError) as exc:
        print(f"make site: {exc}", file=sys.stderr)
        return 1
    pages = sum(len(p) for p in parts.values())
    print(
        f"website: {pages} pages + index and bibliography in {time.perf_counter() - start:.1f} s "
        f"-> {out / 'index.html'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
