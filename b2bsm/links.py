"""Every link the kit makes to its own repository comes from the settings here.

A lecturer who forks the kit changes one line, ``REPOSITORY`` (or runs
``python -m b2bsm.links set OWNER/NAME``), and every Binder, Colab, hub and
website link follows.  The functions take the repository as an argument so
that a student release (``python -m b2bsm.exercises release --repo ...``)
can point at its own repository.

Examples
--------
>>> binder_url("notebooks/02_survey_data.ipynb", repo="acme/course")
'https://mybinder.org/v2/gh/acme/course/main?urlpath=lab/tree/notebooks/02_survey_data.ipynb'
>>> colab_url("notebooks/02_survey_data.ipynb", repo="acme/course")
'https://colab.research.google.com/github/acme/course/blob/main/notebooks/02_survey_data.ipynb'
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

#: The GitHub repository (``owner/name``) every launch link points at.
REPOSITORY = "b2bsm/b2bsm"
#: The branch students launch from.
BRANCH = "main"
#: The JupyterHub the course uses for nbgitpuller links ("" = no hub button).
HUB_URL = ""

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_repository(repo: str) -> str:
    """``repo`` if it looks like ``owner/name``, else a ValueError naming the fix."""
    if not isinstance(repo, str) or not _SLUG.match(repo):
        raise ValueError(
            f"repository must be given as OWNER/NAME (e.g. 'acme/b2b-course'); got {repo!r}."
        )
    return repo


def github_url(path: str = "", repo: str | None = None, branch: str | None = None) -> str:
    """The repository (or one file in it) on GitHub."""
    repo = check_repository(repo or REPOSITORY)
    if not path:
        return f"https://github.com/{repo}"
    return f"https://github.com/{repo}/blob/{branch or BRANCH}/{path}"


def binder_url(path: str = "", repo: str | None = None, branch: str | None = None) -> str:
    """A mybinder.org link that opens ``path`` in JupyterLab (the repository root if empty)."""
    repo = check_repository(repo or REPOSITORY)
    url = f"https://mybinder.org/v2/gh/{repo}/{branch or BRANCH}"
    return f"{url}?urlpath=lab/tree/{path}" if path else url


def colab_url(path: str, repo: str | None = None, branch: str | None = None) -> str:
    """A Google Colab link that opens the notebook ``path`` from GitHub."""
    repo = check_repository(repo or REPOSITORY)
    return f"https://colab.research.google.com/github/{repo}/blob/{branch or BRANCH}/{path}"


def hub_url(
    path: str, hub: str | None = None, repo: str | None = None, branch: str | None = None
) -> str | None:
    """An nbgitpuller link: the hub clones the repository and opens ``path`` (None: no hub)."""
    hub = HUB_URL if hub is None else hub
    if not hub:
        return None
    repo = check_repository(repo or REPOSITORY)
    name = repo.split("/")[1]
    query = urlencode(
        {
            "repo": f"https://github.com/{repo}",
            "branch": branch or BRANCH,
            "urlpath": f"lab/tree/{name}/{path}",
        },
        quote_via=quote,
        safe="/",
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"
