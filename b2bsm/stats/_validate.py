"""Input checks shared by the statistics helpers: clear errors that name the fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: Default Likert range for numeric input (the survey's use and potential scales).
LIKERT_SCALE = (1, 5)


def require_frame(df) -> pd.DataFrame:
    """Raise a TypeError unless ``df`` is a pandas DataFrame."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"expected a pandas DataFrame (e.g. b2bsm.data.load_survey()); got {type(df).__name__}."
        )
    return df


def require_columns(df: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    """Return ``columns`` as a list; raise a KeyError naming any that ``df`` lacks.

    The message suggests the closest existing names, so a typo is fixed in seconds.
    """
    require_frame(df)
    columns = [columns] if isinstance(columns, str) else list(columns)
    if not columns:
        raise ValueError("no columns given; pass at least one column name.")
    available = [str(c) for c in df.columns]
    for col in columns:
        if col not in df.columns:
            close = difflib.get_close_matches(str(col), available, n=3, cutoff=0.6)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise KeyError(
                f"column {col!r} not found in the DataFrame.{hint} "
                f"It has {len(available)} columns, e.g. {', '.join(available[:6])}."
            )
    return columns


def codes(series: pd.Series, scale: Sequence[int] | None = LIKERT_SCALE) -> pd.Series:
    """Numeric codes of a Likert item (1 = lowest); missing answers stay NaN.

    Ordered categoricals give their category position (1-based).  Numeric input
    must hold whole numbers inside ``scale``; anything else raises a ValueError
    that names the column, the offending value and the fix.
    """
    name = series.name
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not series.cat.ordered:
            raise ValueError(
                f"column {name!r} is an unordered categorical, so it has no Likert order; "
                "make it ordered first (series.cat.as_ordered() with categories lowest first)."
            )
        out = series.cat.codes.astype("float64")
        return (out.where(out >= 0) + 1).rename(name)
    try:
        out = pd.to_numeric(series, errors="raise").astype("float64")
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"column {name!r} holds text that is not a Likert code ({exc}); "
            "pass the survey's ordered categoricals or numeric codes."
        ) from None
    values = out.dropna()
    if scale is not None and len(values):
        low, high = scale
        bad = values[(values < low) | (values > high) | (values != np.round(values))]
        if len(bad):
            raise ValueError(
                f"column {name!r} has value {bad.iloc[0]:g} (row {bad.index[0]!r}), outside the "
                f"{low}-{high} Likert scale; recode it or set it to missing (NaN)."
            )
    return out.rename(name)


def paired(df: pd.DataFrame, x: str, y: str, scale=LIKERT_SCALE) -> tuple[np.ndarray, np.ndarray]:
    """Codes of two items over the firms that answered both (pairwise deletion)."""
    require_columns(df, [x, y])
    a, b = codes(df[x], scale), codes(df[y], scale)
    keep = a.notna() & b.notna()
    return a[keep].to_numpy(), b[keep].to_numpy()


def pairs_list(pairs) -> list[tuple[str, str]]:
    """Normalise pairs given as [(x, y), ...], a dict {x: y} or a DataFrame with x, y columns."""
    if isinstance(pairs, pd.DataFrame):
        require_columns(pairs, ["x", "y"])
        out = list(zip(pairs["x"], pairs["y"], strict=True))
    elif isinstance(pairs, dict):
        out = list(pairs.items())
    else:
        out = [tuple(p) for p in pairs]
    if not out or any(len(p) != 2 for p in out):
        raise ValueError(
            "pairs must be a non-empty list of (x, y) column pairs, e.g. "
            "[('cust_use_marketing', 'cust_pot_marketing')]."
        )
    return out


def check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95); got {confidence!r}.")
    return float(confidence)
