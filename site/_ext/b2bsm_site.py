"""Sphinx extension of the course website: launch buttons whose links come from b2bsm.links.

Every notebook page (lessons and exercises) gets the theme's rocket menu with
a Binder button, a JupyterHub button (nbgitpuller, when the build names a
hub), a Colab button (for notebooks that carry the Colab set-up cell,
which installs the kit there) and an "In your browser" button (the
JupyterLite edition, when the build says where it is published).  The addresses are built by
:mod:`b2bsm.links` from the repository, branch and hub that
``tools/build_site.py`` writes into the book's configuration, so the website,
the README and a student release can never disagree.

It also points the edit and source buttons of the site's own pages (which sit
at the book's root) at ``site/`` in the repository, and undoes MyST's escaping
of ``&`` in link targets (see :func:`unescape_link_targets`).

Finally it adds the role ``{bibref}`Jussila et al. (2014) <jussila2014>``` that
``tools/build_site.py`` writes where a lesson cites a work of ``references.bib``:
the citation keeps its wording and links to the work's entry on the
bibliography page (an unknown key is a build warning, so the build fails).  The
notebooks that the pages' download button serves (``_sources/``) get their plain
citations back (:func:`plain_citations_in_downloads`): in Jupyter a role is just text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from b2bsm import links

logger = logging.getLogger(__name__)

LAUNCH_FOLDERS = ("notebooks/", "exercises/")
#: The theme's buttons that open the page's source file on GitHub.
SOURCE_BUTTONS = ("source-edit-button", "source-file-button")


def _has_colab_cell(path: Path) -> bool:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return any(links.COLAB_TAG in c.get("metadata", {}).get("tags", []) for c in nb["cells"])


def launch_buttons(app, pagename: str) -> list[dict]:
    """The launch buttons of one page (empty for pages that are not notebooks)."""
    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".ipynb" or not pagename.startswith(LAUNCH_FOLDERS):
        return []
    path = f"{pagename}.ipynb"  # the book mirrors the repository's layout
    repo, branch, hub = app.config.b2bsm_repository, app.config.b2bsm_branch, app.config.b2bsm_hub
    buttons = [
        ("Binder", "logo_binder.svg", links.binder_url(path, repo=repo, branch=branch)),
    ]
    if hub:
        url = links.hub_url(path, hub=hub, repo=repo, branch=branch)
        buttons.append(("JupyterHub", "logo_jupyterhub.svg", url))
    if _has_colab_cell(source):
        buttons.append(("Colab", "logo_colab.png", links.colab_url(path, repo=repo, branch=branch)))
    lite = app.config.b2bsm_lite
    if lite:
        if "://" not in lite:  # relative to the site's root: climb from this page
            lite = "../" * pagename.count("/") + lite
        buttons.append(("In your browser", "logo_jupyterhub.svg", links.lite_url(lite, path)))
    return [
        {
            "type": "link",
            "text": text,
            "tooltip": f"Launch on {text}",
            "icon": f"_static/images/{icon}",
            "url": url,
            "label": f"launch-{text.lower()}",
        }
        for text, icon, url in buttons
    ]


def unescape_link_targets(app, doctree) -> None:
    """Undo MyST's HTML-escaping of link targets (``&`` -> ``&amp;``) before Sphinx escapes.

    myst-parser stores a Markdown link's target already escaped, and the HTML writer
    escapes it again: a query string reached the browser as ``?a=1&amp;b=2``, so
    nbgitpuller read the parameters ``amp;branch`` and ``amp;urlpath`` and opened neither
    the branch nor the lesson.  (tests/browser: every launch link's query is parsed.)
    """
    for node in doctree.findall(nodes.reference):
        uri = node.get("refuri", "")
        if "&amp;" in uri:
            node["refuri"] = uri.replace("&amp;", "&")


def _fix_edit_button(app, pagename: str, context) -> None:
    """The site's own pages sit at the book's root but live in ``site/`` of the repository."""
    if "/" in pagename:
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            url = button.get("url", "")
            if button.get("label") in SOURCE_BUTTONS and f"/{pagename}." in url:
                stem, _, suffix = url.rpartition(f"/{pagename}.")
                button["url"] = f"{stem}/site/{pagename}.{suffix}"


def add_launch_buttons(app, pagename, templatename, context, doctree) -> None:
    _fix_edit_button(app, pagename, context)
    buttons = launch_buttons(app, pagename)
    if buttons and "header_buttons" in context:
        context["header_buttons"].append(
            {
                "type": "group",
                "tooltip": "Launch this notebook",
                "icon": "fas fa-rocket",
                "buttons": buttons,
                "label": "launch-buttons",
            }
        )


class bibref(nodes.Inline, nodes.TextElement):
    """A citation in the lesson's own words, to become a link to its bibliography entry."""


def bibref_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{bibref}`words <key>```: the words link to the entry ``key`` of references.bib."""
    match = re.fullmatch(r"(.+?)\s*<([^<>\s]+)>", text, re.DOTALL)
    if not match:
        msg = inliner.reporter.error(
            f"bibref needs the form 'Author et al. (2014) <bibkey>', got {text!r}", line=lineno
        )
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    env = inliner.document.settings.env
    node = bibref(rawtext, match.group(1), key=match.group(2), refdoc=env.docname)
    return [node], []


class ResolveBibrefs(SphinxPostTransform):
    """Each :class:`bibref` becomes a link to the id sphinxcontrib-bibtex gave its entry."""

    default_priority = 20

    def run(self, **kwargs) -> None:
        citations = {c.key: c for c in self.env.get_domain("cite").citations}
        for node in list(self.document.findall(bibref)):
            words = node.astext()
            citation = citations.get(node["key"])
            if citation is None:
                logger.warning(
                    f"bibref: no entry {node['key']!r} in the bibliography for {words!r} "
                    "(add it to references.bib, or fix the key)",
                    location=node,
                )
                node.replace_self(nodes.Text(words))
                continue
            uri = self.app.builder.get_relative_uri(
                node["refdoc"], citation.bibliography_key.docname
            )
            ref = nodes.reference(
                "", "", internal=True, refuri=f"{uri}#{citation.citation_id}", classes=["bibref"]
            )
            ref["reftitle"] = "Go to this work in the bibliography"
            ref += nodes.Text(words)
            node.replace_self(ref)


#: A bibref role as it stands in a staged source: {bibref}`words <key>`.
BIBREF_SOURCE = re.compile(r"\{bibref\}`([^`<]+?)\s*<[^<>`\s]+>`")


def plain_citations_in_downloads(app, exception) -> None:
    """The notebooks served for download (``_sources/``) cite in plain text, as in the repo."""
    sources = Path(app.outdir) / "_sources"
    if exception is not None or not sources.is_dir():
        return
    for path in sources.rglob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        if "{bibref}" in text:
            path.write_text(BIBREF_SOURCE.sub(r"\1", text), encoding="utf-8")


def setup(app):
    app.add_node(bibref)
    app.add_role("bibref", bibref_role)
    app.add_post_transform(ResolveBibrefs)
    app.connect("build-finished", plain_citations_in_downloads)
    app.add_config_value("b2bsm_repository", links.REPOSITORY, "html")
    app.add_config_value("b2bsm_branch", links.BRANCH, "html")
    app.add_config_value("b2bsm_hub", links.HUB_URL, "html")
    app.add_config_value("b2bsm_lite", "", "html")
    # after the theme has prepared header_buttons (priority 500) and added its own (501)
    app.connect("html-page-context", add_launch_buttons, priority=502)
    app.connect("doctree-read", unescape_link_targets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
