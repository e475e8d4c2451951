"""Shares of respondents with confidence intervals (Wilson by default)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from b2bsm.stats._validate import (
    LIKERT_SCALE,
    check_confidence,
    check_whole,
    item_codes,
    require_columns,
    threshold_code,
)

_METHODS = {
    "wilson": "Wilson score interval",
    "normal": "Wald (normal approximation) interval",
    "beta": "Clopper-Pearson exact interval",
    "agresti_coull": "Agresti-Coull interval",
}


def proportion_ci(successes, n, *, method: str = "wilson", confidence: float = 0.95):
    """Confidence interval for proportions (arrays welcome), via statsmodels.

    Parameters
    ----------
    successes, n : int or array-like of int
        Number of "yes" answers and number of answers (whole numbers,
        0 <= successes <= n, n >= 1; booleans are refused).
    method : {"wilson", "normal", "beta", "agresti_coull"}, default "wilson"
        ``wilson`` is the score interval (Wilson 1927): it stays inside 0-1 and
        is much closer to its nominal coverage than the textbook Wald interval
        (``normal``) for small n and extreme shares, though at n = 16 its
        coverage still dips to about 85 % for true shares near 0 or 1.
        ``beta`` is the Clopper-Pearson interval (never below nominal coverage;
        R's ``binom.test``).
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of numpy arrays (proportions, not percentages)

    See Also
    --------
    proportions : shares of firms at or above a level, with intervals.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
        *Journal of the American Statistical Association*, 22(158), 209-212.
    Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for interval
        estimation of binomial proportions. *The American Statistician*, 52(2), 119-126.

    Examples
    --------
    >>> from b2bsm.stats import proportion_ci
    >>> low, high = proportion_ci(9, 16)
    >>> round(float(low), 3), round(float(high), 3)
    (0.332, 0.769)
    """
    from statsmodels.stats.proportion import proportion_confint

    if method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}; got {method!r}.")
    check_confidence(confidence)
    k = check_whole(successes, "successes").astype("float64")
    m = check_whole(n, "n").astype("float64")
    if np.any(m < 1):
        raise ValueError("every n must be at least 1: an empty group has no proportion.")
    if np.any((k < 0) | (k > m)):
        raise ValueError("successes must be whole numbers between 0 and n.")
    low, high = proportion_confint(k, m, alpha=1 - confidence, method=method)
    # the interval contains the sample share (Wald intervals can also leave 0-1;
    # those are the method's own, but a share of 16/16 sitting 1e-16 above
    # Wilson's upper limit is only rounding)
    share = k / m
    low = np.minimum(np.asarray(low, dtype="float64"), share)
    high = np.maximum(np.asarray(high, dtype="float64"), share)
    return low, high


def proportions(
    data: pd.DataFrame,
    columns: Sequence[str] | str,
    *,
    at_least: int | str,
    by: str | None = None,
    method: str = "wilson",
    confidence: float = 0.95,
    scale: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Share of respondents answering ``at_least`` a given level, per item (and group).

    Each item uses the respondents who answered it (pairwise deletion), so ``n``
    can differ between items, as in the paper's Tables 5 and 6.  Items are
    coded by their **scale**, not by the categories their column happens to
    carry: "actively" is code 4 on the use scale even in a column whose only
    categories are "moderately" and "actively".

    Parameters
    ----------
    data : pandas.DataFrame
    columns : str or list of str
        Likert items (ordered categoricals, their labels as text, or numeric codes).
    at_least : int or str
        Lowest level counted as a "yes", as a code (3 = at least moderate use,
        4 = much or very much potential / active use, 4 = "very important"
        barrier) or as a level label (``"actively"``).  Must be at least 1 and
        at most the scale's top code.
    by : str, optional
        A grouping column (e.g. ``industry``); one row per item and group, the
        groups in the column's category order (unused categories included).
    method : str, default "wilson"
        Interval method, see :func:`proportion_ci`.
    confidence : float, default 0.95
    scale : (int, int), optional
        Allowed range for numeric codes (default 1-5); labelled items carry their own.

    Returns
    -------
    pandas.DataFrame
        ``item``, (``by``, with the column's categorical dtype,) ``successes``,
        ``n``, ``pct``, ``ci_low_pct``, ``ci_high_pct`` and ``interval`` (the
        method's name).

    See Also
    --------
    proportion_ci : the interval alone.
    b2bsm.stats.paired_shares : two shares of the same firms compared.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
        *Journal of the American Statistical Association*, 22(158), 209-212.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import proportions
    >>> t = proportions(load_survey(), ["barrier_other_priorities"], at_least=4)
    >>> t[["successes", "n"]].to_numpy().tolist()
    [[67, 118]]
    >>> int(proportions(load_survey(), "barrier_other_priorities",
    ...                 at_least="very important")["successes"].iloc[0])
    67
    """
    columns = require_columns(data, columns)
    if by is not None:
        require_columns(data, [by])
    if isinstance(at_least, (bool, np.bool_)) or not isinstance(at_least, (int, np.integer, str)):
        raise TypeError(
            f"at_least must be an integer code (e.g. 3) or a level label; got {at_least!r}."
        )
    if method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}; got {method!r}.")
    rows = []
    for col in columns:
        item, item_scale = item_codes(data[col], LIKERT_SCALE if scale is None else scale)
        cut = threshold_code(at_least, item_scale, col)
        groups = [(None, item)] if by is None else item.groupby(data[by], observed=False, sort=True)
        for key, values in groups:
            answered = values.dropna()
            row = {"item": col}
            if by is not None:
                row[by] = key
            row["successes"] = int((answered >= cut).sum())
            row["n"] = len(answered)
            rows.append(row)
    out = pd.DataFrame(rows)
    if by is not None and isinstance(data[by].dtype, pd.CategoricalDtype):
        out[by] = pd.Categorical(out[by], dtype=data[by].dtype)
    if (out["n"] == 0).any():
        empty = out.loc[out["n"] == 0].iloc[0]
        where = f" in group {empty[by]!r}" if by is not None else ""
        raise ValueError(
            f"no respondent answered {empty['item']!r}{where}: a share of an empty group is "
            "undefined. Drop that group or item first."
        )
    low, high = proportion_ci(out["successes"], out["n"], method=method, confidence=confidence)
    out["pct"] = 100 * out["successes"] / out["n"]
    out["ci_low_pct"] = 100 * low
    out["ci_high_pct"] = 100 * high
    out["interval"] = _METHODS[method]
    return out
