"""The hub recipe: a Zero to JupyterHub configuration for a class, pinned to one commit.

Usage (from the kit; the hub serves a student release's repository, checked out
beside it)::

    python tools/hub_recipe.py --image ghcr.io/acme/course-hub --checkout ../course-2026 \
        --repo acme/course-2026 --hub https://hub.example.edu --out config.yaml

It writes the Helm values of the ``jupyterhub`` chart for a class: the
single-user image built by ``hub/Dockerfile`` from the checkout, **tagged with
its commit** (the kit inside the image is that commit's), the nbgitpuller
start link for the same repository and branch (``b2bsm.links``), and the
sizing the kit assumes for a class (see the comments it writes).  It also
prints, on stderr, the ``docker build`` command that makes the image.

Keeping the image and the notebooks on the same commit: the links pull the
branch ``b2bsm.links.BRANCH``; build the image from that branch's head and
render this file from the same checkout, and do it again whenever the branch
moves (a CI job on push does both).  ``hub/config.example.yaml`` is this
file for the kit's own repository.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from b2bsm import links  # noqa: E402

#: The one command that installs the kit with JupyterLab (README, release README, the image).
INSTALL_COMMAND = "python -m pip install '.[lab]'"
START = "notebooks/00_start_here.ipynb"
EXAMPLE_HUB = "https://hub.example.edu"
EXAMPLE_COMMIT = "0" * 40
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def head_commit(root: Path = ROOT) -> str:
    """The commit of the checkout at ``root`` (full hash)."""
    proc = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise ValueError(
            f"{root} is not a git checkout: pass --commit (the commit the image is built from)"
        )
    return proc.stdout.strip()


def build_command(image: str, commit: str, context: str = ".") -> str:
    """``docker build`` of the image, run from the kit's folder: its Dockerfile, the files of
    the checkout at ``context``."""
    return (
        f"docker build -f hub/Dockerfile --build-arg KIT_COMMIT={commit} "
        f"-t {image}:{commit[:12]} {context}"
    )


def render_config(
    image: str,
    commit: str,
    repo: str | None = None,
    branch: str | None = None,
    hub: str | None = None,
    context: str = ".",
) -> str:
    """The Zero to JupyterHub values (YAML text, with comments) for one class.

    ``context`` is the checkout the image is built from (the ``docker build`` context).
    """
    if not _COMMIT.match(commit):
        raise ValueError(f"commit must be a full 40-character git hash; got {commit!r}")
    if not re.match(r"^[a-z0-9][a-z0-9./_-]*$", image):
        raise ValueError(
            f"image must be a registry path such as ghcr.io/acme/course-hub; got {image!r}"
        )
    repo = links.check_repository(repo or links.REPOSITORY)
    branch = branch or links.BRANCH
    hub = (hub if hub is not None else links.HUB_URL) or EXAMPLE_HUB
    start = links.hub_url(START, hub=hub, repo=repo, branch=branch)
    return f"""\
# Zero to JupyterHub (Helm chart `jupyterhub`, 4.x) values for a class of the b2bsm course.
# Written by tools/hub_recipe.py from b2bsm.links; render it again rather than edit it.
#
# Repository the students' notebooks come from: https://github.com/{repo} (branch {branch})
# Start link for students (nbgitpuller clones the repository into their home folder, then
# opens the first lesson; later clicks merge new commits without overwriting their work):
#   {start}
# Image: built by hub/Dockerfile from commit {commit}
#   {build_command(image, commit, context)}
# Rebuild the image and render this file again whenever branch {branch} moves, so the kit
# inside the image and the notebooks nbgitpuller pulls stay on the same commit.
singleuser:
  image:
    name: {image}
    tag: "{commit[:12]}"
    pullPolicy: IfNotPresent
  defaultUrl: /lab
  extraEnv:
    B2BSM_COMMIT: "{commit}"
  # The kit's own assumption for its lessons: about 0.6 GB per student while a lesson with
  # a power simulation runs, at most one core; measure on your hub and adjust.
  cpu:
    limit: 1
    guarantee: 0.05
  memory:
    limit: 2G
    guarantee: 768M
  storage:
    capacity: 2Gi
scheduling:
  # Pack students onto few nodes and keep a few warm places for the start of a session.
  userScheduler:
    enabled: true
  podPriority:
    enabled: true
  userPlaceholder:
    enabled: true
    replicas: 10
prePuller:
  # The image is on every node before the class starts.
  continuous:
    enabled: true
cull:
  # Stop servers idle for an hour (their files stay in the home folder).
  enabled: true
  timeout: 3600
  every: 300
hub:
  config:
    JupyterHub:
      # Use your university's login (e.g. GenericOAuthenticator with its SSO); the chart's
      # documentation lists the authenticators. Never run a class with the dummy one.
      authenticator_class: generic-oauth
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Zero to JupyterHub values for a class.")
    parser.add_argument("--image", required=True, help="registry path of the single-user image")
    parser.add_argument(
        "--checkout", type=Path, default=ROOT, help="the repository the hub serves (default: .)"
    )
    parser.add_argument("--commit", help="commit the image is built from (default: its HEAD)")
    parser.add_argument("--repo", help=f"its GitHub OWNER/NAME (default {links.REPOSITORY})")
    parser.add_argument("--branch", help=f"the branch the links pull (default {links.BRANCH})")
    parser.add_argument("--hub", help="the hub's address (default b2bsm.links.HUB_URL)")
    parser.add_argument("--out", type=Path, help="write here (default: stdout)")
    args = parser.parse_args(argv)
    context = os.path.relpath(args.checkout.resolve(), ROOT)
    try:
        commit = args.commit or head_commit(args.checkout)
        text = render_config(args.image, commit, args.repo, args.branch, args.hub, context)
    except ValueError as exc:
        print(f"hub recipe: {exc}", file=sys.stderr)
        return 1
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    command = build_command(args.image, commit, context)
    print(f"build the image, from {ROOT}, with:\n  {command}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
