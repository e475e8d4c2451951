"""Follow a launch link's query parameters the way the service behind it will read them.

The website, the README and a release link to Binder, Colab, a JupyterHub
(nbgitpuller) and the in-browser edition.  A link can look right and still
open nothing: an ``&`` escaped twice gives nbgitpuller the parameters
``amp;branch`` and ``amp;urlpath``, which it ignores.  :func:`problems` parses
a link as the service does and lists what is wrong with it; the tests run it
on every launch link of the built website.

nbgitpuller's documented options (https://nbgitpuller.readthedocs.io,
"Options in an nbgitpuller URL"): ``repo``, ``branch``, ``urlpath``,
``depth``, ``targetPath``, ``backup`` (``subpath`` and ``app`` deprecated).
``urlpath`` is relative to the hub's working folder, so it starts with the
clone's folder (the repository's name); for JupyterLab it is
``lab/tree/<folder>/<file>?autodecode``.

Examples
--------
>>> problems("https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A//github.com/a/b"
...          "&amp;branch=main&amp;urlpath=lab/tree/b/notebooks/x.ipynb", repo="a/b")[0]
"nbgitpuller: unknown parameter 'amp;branch' (an '&' escaped twice?)"
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

NBGITPULLER_OPTIONS = {"repo", "branch", "urlpath", "depth", "targetPath", "backup"}


def kind(url: str) -> str | None:
    """Which service a link launches ("binder", "colab", "hub", "lite"), or None."""
    parts = urlsplit(url)
    if parts.netloc == "mybinder.org" and parts.path.startswith("/v2/gh/"):
        return "binder"
    if parts.netloc == "colab.research.google.com" and parts.path.startswith("/github/"):
        return "colab"
    if parts.path.endswith("/hub/user-redirect/git-pull"):
        return "hub"
    if parts.path.endswith("lab/index.html") and "path=" in parts.query:
        return "lite"
    return None


def _query(url: str, service: str, out: list[str]) -> dict[str, str]:
    query = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=False)
    values = {}
    for key, found in query.items():
        if len(found) != 1:
            out.append(f"{service}: parameter {key!r} given {len(found)} times")
        values[key] = found[-1]
    return values


def problems(
    url: str,
    *,
    repo: str,
    branch: str = "main",
    hub: str | None = None,
    root: Path | None = None,
) -> list[str]:
    """What is wrong with one launch link (empty: it opens what it should).

    ``root``: the repository (or a release), to check that the opened file exists.
    """
    out: list[str] = []
    service = kind(url)
    path = None
    if service is None:
        return [f"not a launch link the kit makes: {url}"]
    parts = urlsplit(url)
    if service == "hub":
        query = _query(url, "nbgitpuller", out)
        for key in query:
            if key not in NBGITPULLER_OPTIONS:
                hint = " (an '&' escaped twice?)" if key.startswith("amp;") else ""
                out.append(f"nbgitpuller: unknown parameter {key!r}{hint}")
        if hub is not None and f"{parts.scheme}://{parts.netloc}" != hub.rstrip("/"):
            out.append(f"nbgitpuller: the link goes to {parts.netloc}, not the hub {hub}")
        if query.get("repo") != f"https://github.com/{repo}":
            out.append(f"nbgitpuller: repo is {query.get('repo')!r}, not github.com/{repo}")
        if query.get("branch") != branch:
            out.append(f"nbgitpuller: branch is {query.get('branch')!r}, not {branch!r}")
        urlpath = query.get("urlpath", "")
        prefix = f"lab/tree/{repo.split('/')[1]}/"
        if not urlpath.startswith(prefix):
            out.append(f"nbgitpuller: urlpath {urlpath!r} does not start with {prefix!r}")
        elif not urlpath.endswith("?autodecode"):
            out.append(f"nbgitpuller: urlpath {urlpath!r} lacks JupyterLab's '?autodecode'")
        else:
            path = urlpath.removeprefix(prefix).removesuffix("?autodecode")
    elif service == "binder":
        slug = unquote(parts.path).removeprefix("/v2/gh/")
        if not slug.startswith(f"{repo}/{branch}"):
            out.append(f"binder: opens {slug!r}, not {repo}/{branch}")
        query = _query(url, "binder", out)
        if set(query) - {"urlpath"}:
            out.append(f"binder: unknown parameters {sorted(set(query) - {'urlpath'})}")
        if "urlpath" in query:
            path = query["urlpath"].removeprefix("lab/tree/")
    elif service == "colab":
        expected = f"/github/{repo}/blob/{branch}/"
        if not parts.path.startswith(expected):
            out.append(f"colab: opens {parts.path!r}, not {expected}...")
        path = unquote(parts.path).removeprefix(expected)
    elif service == "lite":
        query = _query(url, "lite", out)
        if set(query) != {"path"}:
            out.append(f"lite: parameters {sorted(query)}, expected only 'path'")
        path = query.get("path")
    if root is not None and path and not (root / path).is_file():
        out.append(f"{service}: opens {path}, which is not a file of {root}")
    return out
