"""Shipped datasets: load them (verified and typed), regenerate them, check them.

Datasets
--------
``survey_b2b_2011``
    Synthetic respondent-level survey of 125 Finnish B2B technology firms whose
    statistics reproduce Jussila et al. (2014).  :func:`load_survey`.
``b2b_vs_b2c``
    Hall's (2017) five differences between B2B and B2C marketing.
    :func:`load_b2b_vs_b2c`.
``posts_b2b``
    Synthetic post-level engagement data for B2B brand accounts.
    :func:`load_posts`.
``crm_pipeline``
    Simulated CRM extract: touches, leads, opportunities, won deals.  :func:`load_crm`.

Regenerate every file (byte-identical for the default seeds)::

    python -m b2bsm.data build

Examples
--------
>>> from b2bsm.data import load_survey
>>> survey = load_survey()               # doctest: +SKIP
>>> len(survey)                          # doctest: +SKIP
125
"""

from __future__ import annotations

from b2bsm.data._package import (
    DataIntegrityError,
    apply_schema,
    catalogue,
    published_tables,
    read_resource,
    resource,
)

#: Loaded on first use (each imports its dataset's module).
_LAZY = (
    "load_survey",
    "generate_survey",
    "fidelity_report",
    "load_b2b_vs_b2c",
    "load_posts",
    "load_crm",
)

__all__ = [
    "DataIntegrityError",
    "apply_schema",
    "build",
    "catalogue",
    "published_tables",
    "read_resource",
    "resource",
    *_LAZY,
]


def _owner(name: str):
    """The module that defines ``name``, imported by an import statement."""
    if name in ("load_survey", "generate_survey"):
        import b2bsm.data.survey as module
    elif name == "fidelity_report":
        import b2bsm.data.fidelity as module
    elif name == "load_b2b_vs_b2c":
        import b2bsm.data.b2b_vs_b2c as module
    elif name == "load_posts":
        import b2bsm.data.posts as module
    elif name == "load_crm":
        import b2bsm.data.crm as module
    else:
        import b2bsm.data.rebuild as module
    return module


def __getattr__(name: str):
    if name in _LAZY or name == "build":
        value = getattr(_owner(name), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'b2bsm.data' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
