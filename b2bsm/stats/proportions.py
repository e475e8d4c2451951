"""Shares of respondents with confidence intervals (Wilson by default)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from b2bsm.stats._validate import LIKERT_SCALE, check_confidence, codes, require_columns

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
        Number of "yes" answers and number of answers.
    method : {"wilson", "normal", "beta", "agresti_coull"}, default "wilson"
        ``wilson`` is the score interval (Wilson 1927): it stays inside 0-1 and
        keeps close to its nominal coverage for small n and extreme shares,
        where the textbook Wald interval (``normal``) fails.
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of numpy arrays (proportions, not percentages)

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
    k = np.asarray(successes, dtype="float64")
    m = np.asarray(n, dtype="float64")
    if np.any(m < 1):
        raise ValueError("every n must be at least 1: an empty group has no proportion.")
    if np.any((k < 0) | (k > m)) or np.any(k != np.round(k)):
        raise ValueError("successes must be whole numbers between 0 and n.")
    low, high = proportion_confint(k, m, alpha=1 - confidence, method=method)
    return np.asarray(low, dtype="float64"), np.asarray(high, dtype="float64")


def proportions(
    df: pd.DataFrame,
    columns: Sequence[str] | str,
    *,
    at_least: int,
    by: str | None = None,
    method: str = "wilson",
    confidence: float = 0.95,
    scale: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Share of respondents answering ``at_least`` a given level, per item (and group).

    Each item uses the respondents who answered it (pairwise deletion), so ``n``
    can differ between items, as in the paper's Tables 5 and 6.

    Parameters
    ----------
    df : pandas.DataFrame
    columns : str or list of str
        Likert items (ordered categoricals or numeric codes).
    at_least : int
        Lowest code counted as a "yes": 3 = at least moderate use, 4 = much or
        very much potential / active use, 4 = "very important" barrier.
    by : str, optional
        A grouping column (e.g. ``industry``); one row per item and group.
    method : str, default "wilson"
        Interval method, see :func:`proportion_ci`.
    confidence : float, default 0.95
    scale : (int, int), optional
        Allowed range for numeric codes (default 1-5); categoricals carry their own.

    Returns
    -------
    pandas.DataFrame
        ``item``, (``by``,) ``successes``, ``n``, ``pct``, ``ci_low_pct``,
        ``ci_high_pct`` and ``interval`` (the method's name).

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import proportions
    >>> t = proportions(load_survey(), ["barrier_other_priorities"], at_least=4)
    >>> t[["successes", "n"]].to_numpy().tolist()
    [[67, 118]]
    """
    columns = require_columns(df, columns)
    if by is not None:
        require_columns(df, [by])
    rows = []
    if not isinstance(at_least, (int, np.integer)) or isinstance(at_least, bool):
        raise TypeError(f"at_least must be an integer code (e.g. 3); got {at_least!r}.")
    for col in columns:
        if isinstance(df[col].dtype, pd.CategoricalDtype):
            item, top = codes(df[col]), len(df[col].cat.categories)
        else:
            limits = LIKERT_SCALE if scale is None else scale
            item, top = codes(df[col], limits), limits[1]
        if at_least > top:
            raise ValueError(
                f"at_least={at_least} is above the top code of {col!r} ({top}); nobody can "
                "answer that high. Use the code of the lowest level you want to count."
            )
        groups = [(None, item)] if by is None else item.groupby(df[by], observed=False)
        for key, values in groups:
            answered = values.dropna()
            row = {"item": col}
            if by is not None:
                row[by] = key
            row["successes"] = int((answered >= at_least).sum())
            row["n"] = len(answered)
            rows.append(row)
    out = pd.DataFrame(rows)
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
