"""Shared helpers of the survey exercise sets: the student's dataset and common columns."""

from __future__ import annotations

import numpy as np
import pandas as pd


def load_data(seed: int | None) -> pd.DataFrame:
    """The shipped survey (seed None) or the student's variant, equally faithful to the paper."""
    from b2bsm.data import generate_survey, load_survey

    return load_survey() if seed is None else generate_survey(seed)


def code(df: pd.DataFrame, column: str) -> pd.Series:
    from b2bsm.data.survey import likert_codes

    return likert_codes(df[column])


def external(df: pd.DataFrame) -> pd.Series:
    """Firms with external use, by the codebook's rule (the one the lessons use)."""
    from b2bsm.data.fidelity import external_users

    return external_users(df)


def size_frame(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "large": np.where(df["size"] == "Large (> 250)", "large", "SME"),
            "external": np.where(external(df), "yes", "no"),
            "turnover": df["turnover"],
        }
    )
