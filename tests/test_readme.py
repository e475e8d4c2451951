"""The README is the kit's front door: its links and commands must stay true.

Every repository link (GitHub, Binder, Colab, the website) must be the one
:mod:`b2bsm.links` makes, so a fork that runs ``python -m b2bsm_teach.links set``
(tested here on a copy of the checkout) has no stale link left.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from b2bsm import links

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
URL = re.compile(r"https?://[^\s)\]>\"'`]+")
#: Hosts whose links name the kit's repository, and how to read OWNER/NAME (and branch).
REPO_LINKS = [
    re.compile(r"https://mybinder\.org/v2/gh/(?P<repo>[^/]+/[^/?]+)/(?P<branch>[^/?]+)"),
    re.compile(
        r"https://colab\.research\.google\.com/github/(?P<repo>[^/]+/[^/]+)/blob/(?P<branch>[^/]+)/"
    ),
    re.compile(r"https://github\.com/(?P<repo>[^/]+/[^/#?]+)(?:/(?:blob|tree)/(?P<branch>[^/]+))?"),
    re.compile(r"https://(?P<owner>[^./]+)\.github\.io/(?P<name>[^/]+)/"),
]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def repository_links(text: str) -> list[tuple[str, str, str | None]]:
    """(url, OWNER/NAME, branch or None) of every link to a repository in ``text``."""
    found = []
    for url in URL.findall(text):
        for pattern in REPO_LINKS:
            m = pattern.match(url)
            if m:
                groups = m.groupdict()
                repo = groups.get("repo") or f"{groups['owner']}/{groups['name']}"
                found.append((url, repo, groups.get("branch")))
                break
    return found


def check_links(text: str, repo: str, branch: str) -> list[str]:
    """Every repository link of ``text`` that does not point at ``repo`` (and ``branch``)."""
    wrong = []
    for url, found_repo, found_branch in repository_links(text):
        if found_repo.lower() != repo.lower():
            wrong.append(f"{url} (repository {found_repo}, not {repo})")
        elif found_branch is not None and found_branch != branch:
            wrong.append(f"{url} (branch {found_branch}, not {branch})")
    return wrong


def test_two_setup_commands_are_documented():
    assert "make lab" in README and "make test" in README


def test_launch_badges_open_the_start_notebook_first_thing():
    start = "notebooks/00_start_here.ipynb"
    top = README[: README.index("## Where to run it")]
    assert f"({links.binder_url(start)})" in top
    assert f"({links.colab_url(start)})" in top
    assert f"({links.site_url()})" in top


def test_which_way_to_run_for_whom_table():
    section = README[README.index("## Where to run it") :]
    section = section[: section.index("\n## ", 1)]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    ways = " ".join(row.split("|")[1] for row in rows)
    for way in ("website", "Binder", "Colab", "JupyterHub", "own computer"):
        assert way in ways, f"the table of ways to run lacks {way!r}"
    assert all(len(row.split("|")) == 5 for row in rows), "each row: way, for whom, how"


def test_supported_pythons_and_the_fork_command_are_documented():
    assert "Python 3.11, 3.12 or 3.13" in README
    assert "python -m b2bsm_teach.links set" in README


def test_every_repository_link_agrees_with_the_link_settings():
    found = repository_links(README)
    assert len(found) > 2 * len(LESSONS), "the README has lost its launch links"
    assert check_links(README, links.REPOSITORY, links.BRANCH) == []


def test_link_check_catches_a_stale_link():
    stale = "[b](https://mybinder.org/v2/gh/someone/else/main?urlpath=lab) https://github.com/x/y"
    assert len(check_links(stale, links.REPOSITORY, links.BRANCH)) == 2
    branch = links.colab_url("a.ipynb", branch="old")
    assert check_links(branch, links.REPOSITORY, links.BRANCH) == [
        f"{branch} (branch old, not {links.BRANCH})"
    ]


def test_pyproject_urls_agree_with_the_link_settings():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert check_links("\n".join(urls.values()), links.REPOSITORY, links.BRANCH) == []


def test_every_lesson_has_a_row_and_its_own_launch_links():
    for nb in LESSONS:
        path = f"notebooks/{nb.name}"
        assert f"({path})" in README, f"README's lesson table lacks {nb.name}"
        assert f"({links.binder_url(path)})" in README, f"no Binder link for {nb.name}"
        assert f"({links.colab_url(path)})" in README, f"no Colab link for {nb.name}"


def test_every_linked_file_exists():
    for target in re.findall(r"\]\(((?!https?://)[^)#]+)\)", README):
        assert (ROOT / target).exists(), f"README links to missing {target}"
    for nb in re.findall(r"urlpath=lab/tree/([^)\s]+)\)", README):
        assert (ROOT / nb).exists(), f"Binder link to missing {nb}"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"(?m)^make test$", ci)


def test_every_exercise_set_is_linked_from_the_lesson_table():
    for nb in sorted((ROOT / "exercises").glob("*.ipynb")):
        assert f"(exercises/{nb.name})" in README, f"README's lesson table lacks {nb.name}"


# --------------------------------------------------------------------------
# A fork: one command, and every link follows
# --------------------------------------------------------------------------
@pytest.mark.slow
def test_links_set_points_a_fork_everywhere(scratch_repo):
    fork, branch, hub = "acme-edu/b2b-course", "spring", "https://hub.acme.edu"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # run from the copy: `python -m` puts it first on sys.path, so its files are the ones edited
    cmd = [sys.executable, "-m", "b2bsm_teach.links", "set", fork, "--branch", branch, "--hub", hub]
    run = subprocess.run(cmd, cwd=scratch_repo, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert f"links now point at {fork}" in run.stdout

    readme = (scratch_repo / "README.md").read_text(encoding="utf-8")
    assert check_links(readme, fork, branch) == []
    assert len(repository_links(readme)) == len(repository_links(README))
    pyproject = (scratch_repo / "pyproject.toml").read_text()
    urls = tomllib.loads(pyproject)["project"]["urls"]
    assert check_links("\n".join(urls.values()), fork, branch) == []
    settings = (scratch_repo / "b2bsm" / "links.py").read_text()
    assert f'REPOSITORY = "{fork}"' in settings and f'HUB_URL = "{hub}"' in settings
    show = subprocess.run(
        [sys.executable, "-m", "b2bsm_teach.links", "show"],
        cwd=scratch_repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert show.stdout.split() == ["repository", fork, "branch", branch, "hub", hub]
    for nb in (scratch_repo / "notebooks").glob("*.ipynb"):
        text = nb.read_text(encoding="utf-8")
        assert f"github.com/{fork}/archive/refs/heads/{branch}.zip" in text, nb.name
    # the checkout under test is untouched
    assert f'REPOSITORY = "{links.REPOSITORY}"' in (ROOT / "b2bsm" / "links.py").read_text()


def test_links_set_refuses_a_malformed_repository(scratch_repo):
    run = subprocess.run(
        [sys.executable, "-m", "b2bsm_teach.links", "set", "not a repo"],
        cwd=scratch_repo,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "OWNER/NAME" in run.stderr
