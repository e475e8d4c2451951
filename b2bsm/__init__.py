"""b2bsm: the package the lessons and a student's exercise notebooks import.

The instructor's tools (answer keys, build, release, grader) are the separate
package ``b2bsm_teach``, which ``b2bsm`` never imports (see CONTRIBUTING.md).

Submodules are imported lazily, so ``import b2bsm`` stays fast and a lesson
pays only for what it uses::

    >>> import b2bsm
    >>> survey = b2bsm.data.load_survey()        # doctest: +SKIP
    >>> b2bsm.plots.set_theme()                  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

_SUBMODULES = (
    "data",
    "stats",
    "plots",
    "market",
    "engagement",
    "exercises",
)

__all__ = ["__version__", *_SUBMODULES]


def _load(name: str):
    """Import one submodule by an import statement (so the import graph can see it)."""
    if name == "data":
        import b2bsm.data as module
    elif name == "stats":
        import b2bsm.stats as module
    elif name == "plots":
        import b2bsm.plots as module
    elif name == "market":
        import b2bsm.market as module
    elif name == "engagement":
        import b2bsm.engagement as module
    else:
        import b2bsm.exercises as module
    return module


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = _load(name)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'b2bsm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
