"""Make a student release: lessons, exercises, data and the package, without solutions."""

from __future__ import annotations

import shutil
from pathlib import Path

from b2bsm._paths import REPO_ROOT

#: What a student release contains (paths relative to the repository root).
INCLUDE = [
    "README.md",
    "LICENSE",
    "LICENSE-content.md",
    "environment.yml",
    "pyproject.toml",
    "Makefile",
    "notebooks",
    "exercises",
    "data",
    "b2bsm",
]
#: Never shipped to students.
EXCLUDE_PATTERNS = ("__pycache__", "*.pyc", ".ipynb_checkpoints", "solutions")


def release(out_dir: Path, force: bool = False, root: Path | None = None) -> list[Path]:
    """Copy the student-facing parts of the kit into ``out_dir``.

    Refuses a non-empty ``out_dir`` unless ``force`` (then the folder is emptied
    first).  Returns the top-level paths written.
    """
    root = Path(root) if root is not None else REPO_ROOT
    out = Path(out_dir).resolve()
    if out == root.resolve() or (root.resolve() in out.parents and out.name in INCLUDE):
        raise ValueError(f"refusing to release into the kit itself ({out}); choose another folder.")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(
                f"{out} is not empty; choose an empty folder or pass --force to replace its "
                "contents."
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    ignore = shutil.ignore_patterns(*EXCLUDE_PATTERNS)
    for name in INCLUDE:
        source = root / name
        if not source.exists():
            continue
        target = out / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy2(source, target)
        written.append(target)
    leaked = [p for p in out.rglob("*") if "solutions" in p.parts]
    if leaked:
        raise RuntimeError(f"solutions leaked into the release: {leaked[:3]}")
    return written
