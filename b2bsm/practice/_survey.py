"""Shared pieces of the survey practice modules (lessons 00, the on-ramp, 02-05).

The practice questions run on the shipped survey, loaded once and shared
read-only by every question: a question's reference and mistake functions
must never change it.
"""

from __future__ import annotations

import functools

import pandas as pd


@functools.cache
def survey() -> pd.DataFrame:
    """The shipped survey of 125 firms (one shared object: read it, never change it)."""
    from b2bsm.data import load_survey

    return load_survey()


def codes(df: pd.DataFrame, column: str) -> pd.Series:
    """The Likert codes (1 = lowest answer) of a column; missing answers stay missing."""
    from b2bsm.data.survey import likert_codes

    return likert_codes(df[column])


def at_least(df: pd.DataFrame, column: str, level: int) -> pd.Series:
    """True where the answer's code is at least ``level`` (missing answers count as False)."""
    return codes(df, column).ge(level)


def as_text_at_least(df: pd.DataFrame, column: str, label: str) -> pd.Series:
    """The classic slip: answers compared as text, so in alphabetical order."""
    return df[column].astype(str).where(df[column].notna()) >= label


def pct(mask: pd.Series) -> float:
    """A boolean Series as a percentage of its rows."""
    return 100 * float(mask.mean())


def group_share(df: pd.DataFrame, in_group: pd.Series, column: str, level: int, scale: float):
    """Share of the firms in a group answering ``column`` at least ``level``.

    ``scale`` 100 gives a percentage, 1 a proportion (the slip the questions name).
    """
    return scale / 100 * pct(at_least(df[in_group], column, level))
