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
"""

from __future__ import annotations

import json
from pathlib import Path

from b2bsm import links

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
    from docutils import nodes

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


def setup(app):
    app.add_config_value("b2bsm_repository", links.REPOSITORY, "html")
    app.add_config_value("b2bsm_branch", links.BRANCH, "html")
    app.add_config_value("b2bsm_hub", links.HUB_URL, "html")
    app.add_config_value("b2bsm_lite", "", "html")
    # after the theme has prepared header_buttons (priority 500) and added its own (501)
    app.connect("html-page-context", add_launch_buttons, priority=502)
    app.connect("doctree-read", unescape_link_targets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
