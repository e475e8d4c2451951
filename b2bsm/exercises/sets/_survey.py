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
    return (code(df, "use_customer") >= 3) | (code(df, "use_partner") >= 3)


def size_frame(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "large": np.where(df["size"] == "Large (> 250)", "large", "SME"),
            "external": np.where(external(df), "yes", "no"),
            "turnover": df["turnover"],
        }
    )
