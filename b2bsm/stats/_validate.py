"""Input checks shared by the statistics helpers: clear errors that name the fix.

Likert items are coded by their **scale**, not by the position of a category
in a column's dtype.  An ordered categorical whose categories are only the
levels somebody happened to choose (``pd.Categorical(values, ordered=True)``,
``.cat.remove_unused_categories()``) still gets the codes of the kit's scale:
"actively" is 4 on the use scale whether or not "not at all" is a category.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

#: Default Likert range for numeric input (the survey's use and potential scales).
LIKERT_SCALE = (1, 5)


def known_scales() -> dict[str, tuple[str, ...]]:
    """The kit's labelled scales, lowest level first (from :mod:`b2bsm.data.survey`).

    Examples
    --------
    >>> from b2bsm.stats._validate import known_scales
    >>> known_scales()["use"][:2]
    ('not at all', 'a little')
    """
    from b2bsm.data import survey

    return {
        "use": tuple(survey.USE_LABELS),
        "potential": tuple(survey.POTENTIAL_LABELS),
        "importance": tuple(survey.IMPORTANCE_LABELS),
        "turnover": tuple(survey.TURNOVER),
        "size": tuple(survey.SIZES),
    }


class Scale(NamedTuple):
    """The scale an item is coded on: its name and its levels (lowest first).

    ``levels`` is None for bare numeric codes, whose labels are unknown; then
    ``top`` is the highest allowed code.
    """

    name: str
    levels: tuple | None
    top: int | None

    def describe(self) -> str:
        if self.levels is None:
            return f"numeric codes (up to {self.top})" if self.top else "numeric codes"
        return f"the {self.name} scale ({' < '.join(map(str, self.levels))})"


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


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _labelled_scale(name, labels: Sequence) -> Scale | None:
    """The known scale holding every label, or None; ValueError if they straddle scales."""
    labels = [str(v) for v in labels]
    if not labels:
        return None
    for scale_name, levels in known_scales().items():
        if set(labels) <= set(levels):
            return Scale(scale_name, levels, len(levels))
    known = {lab for levels in known_scales().values() for lab in levels}
    if set(labels) & known:
        strays = [lab for lab in labels if lab not in known]
        raise ValueError(
            f"column {name!r} mixes levels of the kit's scales with other labels "
            f"({', '.join(repr(s) for s in strays[:3])}); fix the spelling or recode those answers."
        )
    return None


def item_codes(
    series: pd.Series, scale: Sequence[int] | None = LIKERT_SCALE
) -> tuple[pd.Series, Scale]:
    """Numeric codes of a Likert item (1 = lowest level of its scale) and the scale used.

    * Ordered categoricals whose levels belong to one of the kit's scales
      (:func:`known_scales`) are coded by that scale, whatever the categories
      of the column: a column that holds only "moderately" and "actively" still
      codes them 3 and 4.  Categories in an order that contradicts the scale
      raise a ValueError.
    * Ordered categoricals with numeric categories are coded by their values.
    * Other ordered categoricals are coded by category position (their
      categories are their scale).
    * Text holding the labels of a known scale is coded by that scale.
    * Numbers must be whole and inside ``scale``.

    Missing answers stay NaN.  Anything else raises a ValueError that names
    the column, the problem and the fix.
    """
    name = series.name
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not series.cat.ordered:
            raise ValueError(
                f"column {name!r} is an unordered categorical, so it has no Likert order; "
                "make it ordered first (series.cat.as_ordered() with categories lowest first)."
            )
        cats = list(series.cat.categories)
        if cats and all(_is_number(c) for c in cats):
            return item_codes(series.astype("float64"), scale)
        found = _labelled_scale(name, cats)
        if found is None:
            levels = tuple(cats)
            position = {str(c): i + 1 for i, c in enumerate(levels)}
            found = Scale(f"categories of {name!r}", levels, len(levels))
        else:
            position = {c: i + 1 for i, c in enumerate(found.levels)}
            ranks = [position[str(c)] for c in cats]
            if ranks != sorted(ranks):
                raise ValueError(
                    f"column {name!r} orders its categories {cats} but {found.describe()} "
                    "puts them in another order; fix it with "
                    f"series.cat.reorder_categories({[c for c in found.levels if c in cats]})."
                )
        lookup = np.array([position[str(c)] for c in cats] + [np.nan], dtype="float64")
        mapped = lookup[series.cat.codes.to_numpy()]  # code -1 (missing) picks the NaN
        return pd.Series(mapped, index=series.index, dtype="float64", name=name), found
    values = series.dropna()
    if len(values) and all(isinstance(v, str) for v in values):
        found = _labelled_scale(name, values.unique())
        if found is not None:
            position = {c: i + 1 for i, c in enumerate(found.levels)}
            mapped = [position[v] if isinstance(v, str) else np.nan for v in series]
            return pd.Series(mapped, index=series.index, dtype="float64", name=name), found
    if pd.api.types.is_bool_dtype(series.dtype):
        raise ValueError(
            f"column {name!r} holds True/False, not Likert codes; code it as numbers or an "
            "ordered categorical first."
        )
    try:
        out = pd.to_numeric(series, errors="raise").astype("float64")
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"column {name!r} holds text that is not a Likert code ({exc}); "
            "pass the survey's ordered categoricals or numeric codes."
        ) from None
    values = out.dropna()
    top = None
    if scale is not None:
        low, top = scale
        bad = values[(values < low) | (values > top) | (values != np.round(values))]
        if len(bad):
            raise ValueError(
                f"column {name!r} has value {bad.iloc[0]:g} (row {bad.index[0]!r}), outside the "
                f"{low}-{top} Likert scale; recode it or set it to missing (NaN)."
            )
    elif len(values) and (values != np.round(values)).any():
        raise ValueError(f"column {name!r} holds codes that are not whole numbers.")
    return out.rename(name), Scale("numeric codes", None, None if top is None else int(top))


def codes(series: pd.Series, scale: Sequence[int] | None = LIKERT_SCALE) -> pd.Series:
    """Numeric codes of a Likert item by its scale (see :func:`item_codes`); NaN if missing.

    Examples
    --------
    >>> import pandas as pd
    >>> from b2bsm.stats._validate import codes
    >>> s = pd.Series(pd.Categorical(["moderately", "actively"], ordered=True,
    ...                              categories=["moderately", "actively"]))
    >>> codes(s).tolist()     # positions 1, 2 in the dtype; 3, 4 on the use scale
    [3.0, 4.0]
    """
    return item_codes(series, scale)[0]


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
