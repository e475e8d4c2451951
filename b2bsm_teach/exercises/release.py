"""Make a student release: lessons, exercises, data and the package, without the answer key.

``python -m b2bsm_teach.exercises release OUTDIR [--force] [--roster FILE] [--repo OWNER/NAME]``

A release holds the student's package ``b2bsm/`` whole (it holds no answer key:
the set modules are the instructor package's, ``b2bsm_teach/``, which a release
never ships), and no solutions, no tests and no instructor documents.  Its
``pyproject.toml`` builds ``b2bsm`` alone.  Self-checks work
from hashed keys (``b2bsm/exercises/_keys/NN.json``, see
:mod:`b2bsm.exercises.keys`) written for the shipped data and, with a roster,
for every student id on it.  The release gets its own README, which links only
to what the release holds and gives launch links for the release's repository.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from b2bsm._paths import REPO_ROOT

#: What a student release contains (paths relative to the repository root).
INCLUDE = [
    "LICENSE",
    "LICENSE-content.md",
    "environment.yml",
    "postBuild",
    "pyproject.toml",
    "Makefile",
    "notebooks",
    "exercises",
    "data",
    "b2bsm",
    # the pages the lessons link for students (the instructor notes and guides stay out)
    "docs/glossary.md",
    "docs/troubleshooting.md",
    "docs/capstone.md",
]
#: Never shipped to students (matched against every path's name, and its relative path).
EXCLUDE_PATTERNS = (
    "__pycache__",
    "*.pyc",
    ".ipynb_checkpoints",
    "solutions",
    "tests",
    "_keys",
)
#: Paths that must never appear in a release (checked after copying).
FORBIDDEN = (
    "solutions",
    "tests",
    "docs/instructors.md",
    "CONTRIBUTING.md",
    "benchmarks",
    "b2bsm_teach",
)
#: The instructor package's lines of ``pyproject.toml``, dropped from a release's copy.
TEACH_PACKAGE = "b2bsm_teach"
KEYS = Path("b2bsm/exercises/_keys")


@dataclass
class ReleaseReport:
    """What :func:`release` wrote."""

    out_dir: Path
    written: list[Path] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    students: int = 0
    #: (student id, set, reason) for each set that could not be keyed for an id.
    skipped: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line, e.g. ``released 8 exercise sets (hashed keys for 30 student ids) in OUT``."""
        who = f"the shipped data and {self.students} student id{'s' if self.students != 1 else ''}"
        line = (
            f"released {len(self.sets)} exercise set{'s' if len(self.sets) != 1 else ''} "
            f"(hashed keys for {who}) in {self.out_dir}"
        )
        if self.skipped:
            ids = sorted({sid for sid, _, _ in self.skipped})
            line += (
                f"; {len(ids)} student id{'s' if len(ids) != 1 else ''} lack a key for some set "
                "(listed above)"
            )
        return line

    def problems(self) -> list[str]:
        """One line per id and set that has no key, with the reason and what it means."""
        return [
            f"student {sid!r}, set {set_id}: no answer key ({why}); this student's self-checks "
            f"of set {set_id} will say their id is not in the key: fix the set and release again"
            for sid, set_id, why in self.skipped
        ]


def _ignore(root: Path):
    def ignore(folder: str, names: list[str]) -> set[str]:
        rel = Path(folder).resolve().relative_to(root.resolve())
        skipped = set()
        for name in names:
            path = (rel / name).as_posix()
            if any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(path, p) for p in EXCLUDE_PATTERNS):
                skipped.add(name)
        return skipped

    return ignore


def student_pyproject(text: str) -> str:
    """A release's ``pyproject.toml``: the kit's, building ``b2bsm`` alone.

    The instructor's copy also packages ``b2bsm_teach`` and offers its answer
    keys to ``b2bsm`` through an entry point; a release has neither.
    """
    lines, skipping = [], False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = line.strip() == '[project.entry-points."b2bsm.answer_keys"]'
        if skipping:
            continue
        for item in (f'"{TEACH_PACKAGE}", ', f', "{TEACH_PACKAGE}"'):
            line = line.replace(item, "")  # packages = [...], testpaths = [...]
        lines.append(line)
    out = "\n".join(lines).rstrip() + "\n"
    if TEACH_PACKAGE in out.replace(f"python -m {TEACH_PACKAGE}", ""):
        raise RuntimeError(
            f"pyproject.toml still names {TEACH_PACKAGE} after removing its lines; update "
            "b2bsm_teach.exercises.release.student_pyproject for the new pyproject.toml."
        )
    return out


def _title(notebook: Path) -> str:
    """The first heading of a notebook, without its leading number and hashes."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return notebook.stem
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell.get("source", []))
            for line in source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def release_readme(out: Path, repo: str | None, roster_size: int) -> str:
    """The README of a release: what it holds, how to run it, launch links for ``repo``."""
    from b2bsm import links

    repo = links.check_repository(repo) if repo else None
    lines = [
        "# B2B social media marketing: student edition",
        "",
        "Jupyter lessons on B2B social media marketing and survey statistics, with exercise",
        "notebooks that check your answers and explain what probably went wrong. This copy is",
        "made for students: it holds no solutions and no readable answer key.",
        "",
        "## Set up",
        "",
        "You need Python 3.11 or newer. In this folder run",
        "",
        "```bash",
        "make lab          # installs the kit into .venv and opens JupyterLab at the first lesson",
        "```",
        "",
        "or, without `make`: `python -m pip install '.[lab]'` then `jupyter lab`.",
        "Conda users: `conda env create -f environment.yml`.",
        "",
        "## Your student id",
        "",
        "Near the top of every exercise notebook, the set-up cell reads",
        "",
        "```python",
        'STUDENT_ID = ""  # your student id, e.g. "s1234567"',
        "```",
        "",
        "Put your own id between the quotes and run the notebook from the top. With it you work",
        "on your own variant of the data, the one your answers are graded on; without it every",
        "check uses the shipped practice data and says so.",
    ]
    if roster_size:
        lines += [
            f"This release can check the answers of the {roster_size} student ids on the course",
            "roster; if yours is refused, check its spelling, then ask your instructor.",
        ]
    lines += ["", "## Lessons and exercises", ""]
    header = "| Lesson | Exercises |" + (" Launch |" if repo else "")
    lines += [header, "|---|---|" + ("---|" if repo else "")]
    hub = links.HUB_URL if repo else ""  # nbgitpuller links to the course's hub, if it has one
    exercises = {p.name[:2]: p for p in sorted((out / "exercises").glob("*.ipynb"))}
    for notebook in sorted((out / "notebooks").glob("*.ipynb")):
        rel = notebook.relative_to(out).as_posix()
        row = f"| [{_title(notebook)}]({rel}) |"
        ex = exercises.get(notebook.name[:2])
        row += f" [exercises]({ex.relative_to(out).as_posix()}) |" if ex else " |"
        if repo:
            row += f" [Binder]({links.binder_url(rel, repo=repo)})"
            row += f" · [Colab]({links.colab_url(rel, repo=repo)})"
            if hub:
                row += f" · [JupyterHub]({links.hub_url(rel, hub=hub, repo=repo)})"
            row += " |"
        lines.append(row)
    lines += [
        "",
        "Open an exercise notebook, answer each question in the cell that ends with",
        '`answer_qN = ...`, and run `ex.check("qN", answer_qN)` below it. `ex.question("qN")`',
        "prints your own version of a question.",
        "",
        "## What is here",
        "",
        "- `notebooks/`: the lessons; `exercises/`: one exercise notebook per lesson;",
        "- `data/`: the data the lessons use (see [data/README.md](data/README.md));",
        "- `b2bsm/`: the Python package the notebooks import.",
        "",
        "Code is under the [MIT licence](LICENSE); lesson texts and data under the terms in",
        "[LICENSE-content.md](LICENSE-content.md).",
    ]
    if repo:
        lines += ["", f"Repository of this release: {links.github_url(repo=repo)}"]
    return "\n".join(lines) + "\n"


def release(
    out_dir: Path,
    force: bool = False,
    root: Path | None = None,
    roster: Path | None = None,
    repo: str | None = None,
    report: ReleaseReport | None = None,
    progress=None,
) -> list[Path]:
    """Write a student release into ``out_dir``; return the top-level paths written.

    Parameters
    ----------
    out_dir : Path
        An empty (or new) folder; with ``force`` a non-empty one is emptied first.
    roster : Path, optional
        A CSV with a ``student_id`` column: hashed keys are written for each id
        (the shipped data is always covered).
    repo : str, optional
        ``OWNER/NAME`` of the repository the release will live in, for its
        README's launch links.
    report : ReleaseReport, optional
        Filled with what was written (for the one-line summary).
    progress : callable, optional
        ``progress(done, total)`` after the keys of each roster id are made.
    """
    from b2bsm.exercises.session import known_sets
    from b2bsm_teach.exercises.keys import read_roster, write_keys

    root = Path(root) if root is not None else REPO_ROOT
    out = Path(out_dir).resolve()
    if out == root.resolve() or root.resolve() in out.parents:
        raise ValueError(f"refusing to release into the kit itself ({out}); choose another folder.")
    if repo:
        from b2bsm import links

        links.check_repository(repo)
    ids = read_roster(roster) if roster is not None else []
    sets = [s for s, source in known_sets().items() if source == "full"]
    if not sets:
        raise ValueError(
            "no exercise set has its answer key (b2bsm_teach/exercises/sets/lessonNN.py) here: "
            "make a release from the instructor's copy of the kit."
        )
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(
                f"{out} is not empty; choose an empty folder or pass --force to replace its "
                "contents."
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    ignore = _ignore(root)
    for name in INCLUDE:
        source = root / name
        if not source.exists():
            continue
        target = out / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        written.append(target)
    pyproject = out / "pyproject.toml"
    if pyproject.is_file():
        pyproject.write_text(student_pyproject(pyproject.read_text(encoding="utf-8")), "utf-8")
    if repo:  # Colab installs the kit from the release's own repository, never the key's
        from b2bsm_teach.links import point_release_at

        point_release_at(out, repo)
    skipped: list[tuple[str, str, str]] = []
    write_keys(out / KEYS, sets, ids, progress=progress, skipped=skipped)
    readme = out / "README.md"
    readme.write_text(release_readme(out, repo, len(ids)), encoding="utf-8")
    written.append(readme)
    leaked = [
        p
        for p in out.rglob("*")
        if any(p.relative_to(out).as_posix().startswith(f) for f in FORBIDDEN)
    ]
    if leaked:
        shutil.rmtree(out)
        raise RuntimeError(f"instructor-only files reached the release (removed it): {leaked[:3]}")
    if report is not None:
        report.out_dir, report.written, report.sets, report.students = out, written, sets, len(ids)
        report.skipped = skipped
    return written
