"""Every link the kit makes to its own repository comes from the settings here.

A lecturer who forks the kit changes one line, ``REPOSITORY`` (or runs
``python -m b2bsm_teach.links set OWNER/NAME``), and every Binder, Colab, hub and
website link follows.  The functions take the repository as an argument so
that a student release (``python -m b2bsm_teach.exercises release --repo ...``)
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
    """An nbgitpuller link: the hub clones the repository and opens ``path`` (None: no hub).

    The query follows nbgitpuller's documented options: ``repo``, ``branch`` and
    ``urlpath``, which names the clone's folder (the repository's name) and, for
    JupyterLab, ends in ``?autodecode`` (encoded), so JupyterLab opens the file
    without asking for a workspace name.

    Examples
    --------
    >>> hub_url("notebooks/02_survey_data.ipynb", hub="https://hub.acme.edu", repo="acme/course")
    'https://hub.acme.edu/hub/user-redirect/git-pull?repo=https%3A//github.com/acme/course&branch=main&urlpath=lab/tree/course/notebooks/02_survey_data.ipynb%3Fautodecode'
    """
    hub = HUB_URL if hub is None else hub
    if not hub:
        return None
    repo = check_repository(repo or REPOSITORY)
    name = repo.split("/")[1]
    query = urlencode(
        {
            "repo": f"https://github.com/{repo}",
            "branch": branch or BRANCH,
            "urlpath": f"lab/tree/{name}/{path}?autodecode",
        },
        quote_via=quote,
        safe="/",
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def lite_url(lite: str, path: str = "") -> str:
    """``path`` opened in the in-browser edition (JupyterLite, ``make lite``) rooted at ``lite``.

    ``lite`` is the edition's address, absolute or relative to the page that links it.

    Examples
    --------
    >>> lite_url("https://acme.github.io/course/lite/", "notebooks/02_survey_data.ipynb")
    'https://acme.github.io/course/lite/lab/index.html?path=notebooks/02_survey_data.ipynb'
    """
    root = lite if lite.endswith("/") else lite + "/"
    return f"{root}lab/index.html" + (f"?path={quote(path, safe='/')}" if path else "")


def archive_url(repo: str | None = None, branch: str | None = None) -> str:
    """A zip of the branch on GitHub, which pip can install from (the Colab set-up cell does).

    Examples
    --------
    >>> archive_url(repo="acme/course")
    'https://github.com/acme/course/archive/refs/heads/main.zip'
    """
    repo = check_repository(repo or REPOSITORY)
    return f"https://github.com/{repo}/archive/refs/heads/{branch or BRANCH}.zip"


def site_url(repo: str | None = None) -> str:
    """Where GitHub Pages publishes the course website built by ``make site``.

    Examples
    --------
    >>> site_url(repo="acme/course")
    'https://acme.github.io/course/'
    """
    owner, name = check_repository(repo or REPOSITORY).split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


#: Cell tag of the first code cell of each lesson (see :func:`colab_setup_source`).
COLAB_TAG = "colab-setup"
#: Environment variable that overrides where the Colab cell installs the kit from.
COLAB_SOURCE_VARIABLE = "B2BSM_SOURCE"


def colab_setup_source(repo: str | None = None, branch: str | None = None) -> str:
    """The first code cell of a lesson: installs the kit on Google Colab, nothing elsewhere.

    Colab opens a lesson straight from GitHub, without the ``b2bsm`` package.
    The cell pip-installs the kit from the repository's zip with ``--no-deps``,
    so the numpy, pandas, ipywidgets ... that Colab pins stay as they are (the kit
    needs nothing newer).  Outside Colab (``google.colab`` not imported), or when
    the kit is already importable, it does nothing.  ``B2BSM_SOURCE`` overrides
    the install source (a path or URL pip accepts), e.g. a fork or a wheel.

    Examples
    --------
    >>> source = colab_setup_source(repo="acme/course")
    >>> "https://github.com/acme/course/archive/refs/heads/main.zip" in source
    True
    >>> exec(source)  # not on Colab: nothing happens
    """
    url = archive_url(repo, branch)
    return (
        "# On Google Colab only: install the kit (its data and helpers) from the course\n"
        "# repository. Anywhere else this cell does nothing.\n"
        "import importlib.util\n"
        "import os\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules and importlib.util.find_spec("b2bsm") is None:\n'
        "    import subprocess\n"
        "\n"
        f'    url = "{url}"\n'
        f'    source = os.environ.get("{COLAB_SOURCE_VARIABLE}", url)\n'
        '    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", source]\n'
        "    subprocess.run(pip, check=True)"
    )
