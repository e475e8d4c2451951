"""Shared helpers of the survey exercise sets (02-05): the student's dataset and common columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2bsm.codebook import TOOLS
from b2bsm.exercises import data as _data
from b2bsm_teach.exercises.sets._common import per_dataset

#: Tools of the survey, column key -> words for a prompt (the codebook's own names).
TOOL_WORDS = TOOLS
SIZE_LABELS = {"small": "Small (< 50)", "medium": "Medium (50-250)", "large": "Large (> 250)"}


def survey(seed: int | None) -> pd.DataFrame:
    """The shipped survey (seed None) or a student's variant (the shared object: read only)."""
    return _data.shared_data("02", seed)


def load_data(seed: int | None) -> pd.DataFrame:
    """Alias of :func:`survey` (the name every set module exports)."""
    return survey(seed)


@per_dataset
def _codes(df: pd.DataFrame) -> pd.DataFrame:
    """Every ordered answer of the survey as its code (1 = lowest), computed once per dataset."""
    from b2bsm.codebook import likert_codes

    ordered = [
        c
        for c in df.columns
        if isinstance(df[c].dtype, pd.CategoricalDtype) and df[c].dtype.ordered
    ]
    return pd.DataFrame({c: likert_codes(df[c]) for c in ordered}, index=df.index)


def code(df: pd.DataFrame, column: str) -> pd.Series:
    """The Likert codes (1-5, or 1-4 for barriers) of a column; missing stays missing."""
    codes = _codes(df)
    if column in codes.columns:
        return codes[column]
    from b2bsm.codebook import likert_codes

    return likert_codes(df[column])


def at_least(df: pd.DataFrame, column: str, level: int = 3) -> pd.Series:
    """True where the answer's code is at least ``level`` (missing answers count as False)."""
    return code(df, column).ge(level)


def external(df: pd.DataFrame) -> pd.Series:
    """Firms with external use, by the codebook's rule (the one the lessons use)."""
    from b2bsm.codebook import external_users

    return external_users(df)


def internal(df: pd.DataFrame) -> pd.Series:
    """Firms that use social media internally at least moderately."""
    return at_least(df, "use_internal")


def size_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Large vs SME, external use and turnover, as lesson 03 tabulates them."""
    return pd.DataFrame(
        {
            "large": np.where(df["size"] == SIZE_LABELS["large"], "large", "SME"),
            "external": np.where(external(df), "yes", "no"),
            "turnover": df["turnover"],
        }
    )
