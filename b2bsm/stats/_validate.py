"""Input checks shared by the statistics helpers: clear errors that name the fix.

Likert items are coded by their **scale**, not by the position of a category
in a column's dtype, with the kit's one coder (:func:`b2bsm.codebook.likert_codes`):
"actively" is 4 on the use scale whether or not "not at all" is a category.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from b2bsm.codebook import (
    LIKERT_SCALE,
    Scale,
    _is_number,
    item_codes,
    known_scales,
)
from b2bsm.codebook import likert_codes as codes

__all__ = [
    "LIKERT_SCALE",
    "Scale",
    "check_confidence",
    "check_real",
    "check_whole",
    "codes",
    "item_codes",
    "known_scales",
    "paired",
    "pairs_list",
    "require_columns",
    "require_frame",
    "threshold_code",
]


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


def paired(
    df: pd.DataFrame, x: str, y: str, scale=LIKERT_SCALE, *, same_scale: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Codes of two items over the firms that answered both (pairwise deletion).

    With ``same_scale=True`` (for differences between the two items) the items
    must be coded on one scale; otherwise a ValueError explains why a
    difference between them has no meaning.
    """
    require_columns(df, [x, y])
    (a, scale_a), (b, scale_b) = item_codes(df[x], scale), item_codes(df[y], scale)
    if same_scale and scale_a.levels != scale_b.levels:
        raise ValueError(
            f"{x!r} is coded on {scale_a.describe()} but {y!r} on {scale_b.describe()}: "
            "a difference between codes of two different scales has no meaning. Compare "
            "shares above a threshold stated on each scale instead "
            "(b2bsm.stats.paired_shares: McNemar's test on the same firms)."
        )
    keep = a.notna() & b.notna()
    return a[keep].to_numpy(), b[keep].to_numpy()


def pairs_list(pairs) -> list[tuple[str, str]]:
    """Normalise pairs given as [(x, y), ...], a dict {x: y} or a DataFrame with x, y columns."""
    if isinstance(pairs, pd.DataFrame):
        require_columns(pairs, ["x", "y"])
        out = list(zip(pairs["x"], pairs["y"], strict=True))
    elif isinstance(pairs, dict):
        out = list(pairs.items())
    elif isinstance(pairs, str):
        out = []
    else:
        # a bare string is one column, not a pair of one-letter columns
        out = [(p,) if isinstance(p, str) else tuple(p) for p in pairs]
    if not out or any(len(p) != 2 for p in out):
        raise ValueError(
            "pairs must be a non-empty list of (x, y) column pairs, e.g. "
            "[('cust_use_marketing', 'cust_pot_marketing')]."
        )
    return out


def check_confidence(confidence: float) -> float:
    if not _is_number(confidence) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95); got {confidence!r}.")
    return float(confidence)


def check_whole(value, name: str, *, minimum: int | None = None) -> np.ndarray:
    """``value`` (scalar or array) as int64; ValueError unless every entry is a whole number.

    Booleans are refused (True is not a count), as are NaN and fractions.
    """
    arr = np.asarray(value)
    if arr.dtype == bool or any(isinstance(v, (bool, np.bool_)) for v in np.ravel(arr)):
        raise TypeError(f"{name} must be whole numbers, not True/False; got {value!r}.")
    try:
        as_float = arr.astype("float64")
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be whole numbers; got {value!r}.") from None
    if not np.all(np.isfinite(as_float)) or np.any(as_float != np.round(as_float)):
        raise ValueError(f"{name} must be whole numbers (no fractions or NaN); got {value!r}.")
    if minimum is not None and np.any(as_float < minimum):
        raise ValueError(f"{name} must be at least {minimum}; got {value!r}.")
    return as_float.astype("int64")


def check_real(value, name: str) -> np.ndarray:
    """``value`` as float64; TypeError for booleans or text, ValueError for NaN."""
    arr = np.asarray(value)
    if arr.dtype == bool or any(isinstance(v, (bool, np.bool_)) for v in np.ravel(arr)):
        raise TypeError(f"{name} must be numbers, not True/False; got {value!r}.")
    try:
        out = arr.astype("float64")
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numbers; got {value!r}.") from None
    if np.isnan(out).any():
        raise ValueError(f"{name} must not be missing (NaN); got {value!r}.")
    return out


def threshold_code(at_least, scale, column: str) -> int:
    """The code of ``at_least`` (a code or a level label) on an item's scale, checked."""
    if isinstance(at_least, str):
        if scale.levels is None:
            raise TypeError(
                f"at_least must be an integer code (e.g. 3) for {column!r}, which holds bare "
                f"numeric codes without labels; got {at_least!r}."
            )
        if at_least not in [str(v) for v in scale.levels]:
            where = scale.describe()
            raise ValueError(
                f"at_least={at_least!r} is not a level of {column!r}, which is coded on {where}."
            )
        return [str(v) for v in scale.levels].index(at_least) + 1
    if isinstance(at_least, (bool, np.bool_)) or not isinstance(at_least, (int, np.integer)):
        raise TypeError(
            f"at_least must be an integer code (e.g. 3) or a level label; got {at_least!r}."
        )
    if at_least < 1:
        raise ValueError(
            f"at_least={at_least} is below the lowest code (1): every answer would count. "
            "Use the code of the lowest level you want to count, e.g. 3 for 'at least moderately'."
        )
    if scale.top is not None and at_least > scale.top:
        raise ValueError(
            f"at_least={at_least} is above the top code of {column!r} ({scale.top}); nobody "
            "can answer that high. Use the code of the lowest level you want to count."
        )
    return int(at_least)
