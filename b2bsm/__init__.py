"""b2bsm: helper package for the B2B social media teaching kit.

Submodules are imported lazily, so ``import b2bsm`` stays fast and a lesson
pays only for what it uses::

    >>> import b2bsm
    >>> survey = b2bsm.data.load_survey()        # doctest: +SKIP
    >>> b2bsm.plots.set_theme()                  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "data",
    "stats",
    "plots",
    "market",
    "engagement",
    "exercises",
    "grade",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'b2bsm' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
