"""Paired comparisons of items answered by the same firms.

:func:`paired_comparison` compares two items **on one scale** (e.g. two
barriers, both rated on the importance scale) by their differences: the
Wilcoxon signed-rank or the sign test.  :func:`paired_shares` compares two
items that may be on **different** scales (use vs potential) through one
yes/no definition per item, with McNemar's test on the same firms.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from b2bsm.stats._validate import (
    LIKERT_SCALE,
    check_confidence,
    item_codes,
    paired,
    pairs_list,
    require_columns,
    threshold_code,
)
from b2bsm.stats.proportions import proportion_ci

TESTS = {
    "wilcoxon": "Wilcoxon signed-rank (zero differences dropped)",
    "sign": "sign test (exact binomial on the non-zero differences)",
}

#: How a Wilcoxon p-value was computed (the ``method`` column).
WILCOXON_METHODS = {
    "exact": "exact (all 2^m sign patterns)",
    "exact_conditional": "exact, conditional on the tied ranks (all 2^m sign patterns)",
    "normal": "normal approximation (tie-corrected variance, continuity correction)",
}

#: Below this many non-zero differences the Wilcoxon p-value is exact (R's threshold).
EXACT_BELOW = 50


def _signed_rank_null(doubled_ranks: np.ndarray) -> np.ndarray:
    """Null distribution of the sum of doubled positive ranks, as probabilities.

    Every difference is equally likely to be positive or negative, so the sum
    is a sum of independent (0 or rank, probability 1/2 each) terms: the
    distribution is built one difference at a time (halving is exact in
    floating point, so no count overflows).
    """
    prob = np.zeros(int(doubled_ranks.sum()) + 1)
    prob[0] = 1.0
    top = 0
    for r in doubled_ranks.astype(int):
        shifted = prob[: top + 1].copy()
        prob[: top + 1] *= 0.5
        prob[r : top + r + 1] += 0.5 * shifted
        top += r
    return prob


def signed_rank_test(diff, method: str = "auto") -> dict:
    """Two-sided Wilcoxon signed-rank test of differences ``diff`` (zeros dropped).

    Parameters
    ----------
    diff : array-like of float
        Paired differences (y - x).
    method : {"auto", "exact", "normal"}, default "auto"
        ``exact``: the exact null distribution of W+ over all 2^m sign patterns
        of the m non-zero differences; with ties or zeros it is conditional on
        the observed mid-ranks (a permutation test), so it stays valid.
        ``normal``: normal approximation with tie-corrected variance and a
        continuity correction of 0.5 (what R's ``wilcox.test`` uses with ties
        or zeros).  ``auto``: exact below 50 non-zero differences, else normal.

    Returns
    -------
    dict
        ``w_plus`` (rank sum of positive differences, R's V), ``w_minus``,
        ``statistic`` (the smaller of the two, scipy's two-sided statistic),
        ``p_value``, ``method`` (one of :data:`WILCOXON_METHODS`' values), ``m``.

    See Also
    --------
    paired_comparison : the test applied to pairs of survey items.

    References
    ----------
    Wilcoxon (1945), as cited in :func:`paired_comparison`.

    Examples
    --------
    >>> from b2bsm.stats.paired import signed_rank_test
    >>> res = signed_rank_test([1, 2, 3, 4, 4])
    >>> round(res["p_value"], 4), res["method"][:5]
    (0.0625, 'exact')
    >>> round(signed_rank_test([1, 2, 3, 4, 4], method="normal")["p_value"], 4)  # R: 0.05791
    0.0579
    """
    from scipy.stats import norm, rankdata

    if method not in ("auto", "exact", "normal"):
        raise ValueError(f"method must be 'auto', 'exact' or 'normal'; got {method!r}.")
    d = np.asarray(diff, dtype="float64")
    if np.isnan(d).any():
        raise ValueError("differences must not be missing; drop incomplete pairs first.")
    zeros = bool((d == 0).any())
    d = d[d != 0]
    m = len(d)
    if m == 0:
        raise ValueError("every difference is zero, so there is nothing to test.")
    ranks = rankdata(np.abs(d))
    w_plus, w_minus = float(ranks[d > 0].sum()), float(ranks[d < 0].sum())
    ties = len(np.unique(np.abs(d))) < m
    if method == "auto":
        method = "exact" if m < EXACT_BELOW else "normal"
    if method == "exact":
        prob = _signed_rank_null(np.rint(2 * ranks))
        s = round(2 * w_plus)
        p = min(1.0, 2 * min(prob[: s + 1].sum(), prob[s:].sum()))
        label = WILCOXON_METHODS["exact_conditional" if (ties or zeros) else "exact"]
    else:
        _, tie_counts = np.unique(ranks, return_counts=True)
        mean = m * (m + 1) / 4
        var = m * (m + 1) * (2 * m + 1) / 24 - np.sum(tie_counts**3 - tie_counts) / 48
        if var <= 0:
            p = 1.0
        else:
            dev = w_plus - mean
            z = (dev - 0.5 * np.sign(dev)) / math.sqrt(var)
            p = min(1.0, 2 * float(norm.sf(abs(z))))
        label = WILCOXON_METHODS["normal"]
    return {
        "w_plus": w_plus,
        "w_minus": w_minus,
        "statistic": min(w_plus, w_minus),
        "p_value": float(p),
        "method": label,
        "m": m,
    }


def paired_comparison(
    data: pd.DataFrame,
    pairs,
    *,
    test: str = "wilcoxon",
    scale=LIKERT_SCALE,
    method: str = "auto",
) -> pd.DataFrame:
    """Compare two items on the same scale answered by the same firms, pair by pair.

    For each (x, y) pair, only firms that answered both count.  Items are coded
    by their scale (``"actively"`` is 4 on the use scale whatever categories
    the column carries), and both items must be on **one** scale: a difference
    between "actively" (use) and "much" (potential) has no meaning, so such a
    pair raises a ValueError (use :func:`paired_shares` for it).  The summary
    columns say how many firms rated y above x, below x, or the same; the test
    asks whether y tends to differ from x (two-sided).

    Parameters
    ----------
    data : pandas.DataFrame
    pairs : list of (str, str), dict or DataFrame with ``x``, ``y``
        E.g. ``[("barrier_no_need", "barrier_lack_of_resources")]``.
    test : {"wilcoxon", "sign"}, default "wilcoxon"
        ``wilcoxon``: signed-rank test of y - x with zero differences dropped
        (R's and scipy's default), see :func:`signed_rank_test` for ``method``.
        ``sign``: exact binomial test of "y > x" against "y < x" (scipy
        ``binomtest``), which uses only the direction of each difference.
    scale : (int, int), default (1, 5)
        Allowed range for numeric codes; labelled items carry their own scale.
    method : {"auto", "exact", "normal"}, default "auto"
        Wilcoxon p-value: exact (conditional on ties/zeros) below 50 non-zero
        differences, normal approximation with continuity correction above.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``x``, ``y``, ``n``, ``median_x``, ``median_y``,
        ``mean_difference`` (y - x, in scale points), ``n_y_higher``,
        ``n_x_higher``, ``n_tied``, ``statistic`` (Wilcoxon: the smaller rank
        sum, as scipy; sign: the share of y-higher among non-tied firms),
        ``p_value``, ``test`` and ``method`` (how the p-value was computed).

    See Also
    --------
    paired_shares : compare shares above a threshold instead (McNemar).

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin*,
        1(6), 80-83.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import paired_comparison
    >>> t = paired_comparison(load_survey(), [("barrier_no_need", "barrier_other_priorities")])
    >>> bool(t["n_y_higher"].iloc[0] > t["n_x_higher"].iloc[0])
    True
    >>> t["method"].iloc[0]
    'normal approximation (tie-corrected variance, continuity correction)'
    """
    from scipy.stats import binomtest

    if test not in TESTS:
        raise ValueError(f"test must be one of {sorted(TESTS)}; got {test!r}.")
    if method not in ("auto", "exact", "normal"):
        raise ValueError(f"method must be 'auto', 'exact' or 'normal'; got {method!r}.")
    rows = []
    for x, y in pairs_list(pairs):
        if x == y:
            raise ValueError(f"x and y are both {x!r}; pair two different items.")
        a, b = paired(data, x, y, scale, same_scale=True)
        diff = b - a
        up, down = int((diff > 0).sum()), int((diff < 0).sum())
        if up + down == 0:
            raise ValueError(
                f"every firm gave {x!r} and {y!r} the same answer, so there is no difference "
                "to test; check that you paired the right columns."
            )
        if test == "wilcoxon":
            res = signed_rank_test(diff, method)
            statistic, p, how = res["statistic"], res["p_value"], res["method"]
        else:
            res = binomtest(up, up + down, p=0.5)
            statistic, p, how = float(res.statistic), float(res.pvalue), "exact binomial"
        rows.append(
            {
                "x": x,
                "y": y,
                "n": len(a),
                "median_x": float(np.median(a)),
                "median_y": float(np.median(b)),
                "mean_difference": float(diff.mean()),
                "n_y_higher": up,
                "n_x_higher": down,
                "n_tied": int(len(diff) - up - down),
                "statistic": float(statistic),
                "p_value": float(p),
                "test": TESTS[test],
                "method": how,
            }
        )
    return pd.DataFrame(rows)


def paired_shares(
    data: pd.DataFrame,
    pairs,
    *,
    at_least_x,
    at_least_y=None,
    scale=LIKERT_SCALE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of firms at or above a threshold on x and on y, compared with McNemar's test.

    Each item is turned into yes/no by its own threshold (a code or a level
    label of its own scale), so the two items may be on different scales, e.g.
    "uses at least actively" vs "sees at least much potential".  Only firms that
    answered both count.  McNemar's exact test asks whether "yes on y only" is
    more or less common than "yes on x only" (a two-sided binomial test on the
    discordant firms, statsmodels ``mcnemar(exact=True)``, R
    ``binom.test(b, b + c)``).

    Parameters
    ----------
    data : pandas.DataFrame
    pairs : list of (str, str), dict or DataFrame with ``x``, ``y``
    at_least_x : int or str
        Lowest level of x counted as yes, as a code (4) or label ("actively").
    at_least_y : int or str, optional
        The same for y; defaults to ``at_least_x`` (only sensible on one scale).
    scale : (int, int), default (1, 5)
        Allowed range for numeric codes.
    confidence : float, default 0.95
        For the Wilson intervals of the two shares.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``x``, ``y``, ``n``, ``at_least_x``, ``at_least_y``
        (codes), ``pct_x``, ``pct_y``, ``ci_low_x``, ``ci_high_x``,
        ``ci_low_y``, ``ci_high_y`` (Wilson, in %), ``n_x_only``,
        ``n_y_only``, ``difference_pct`` (pct_y - pct_x), ``p_value``, ``test``.

    See Also
    --------
    paired_comparison : compare the codes themselves (signed-rank or sign test).
    b2bsm.stats.proportion_ci : the interval of each share.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
        proportions or percentages. *Psychometrika*, 12(2), 153-157.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import paired_shares
    >>> t = paired_shares(load_survey(), [("cust_use_marketing", "cust_pot_marketing")],
    ...                   at_least_x="actively", at_least_y="much")
    >>> bool(t["pct_y"].iloc[0] > t["pct_x"].iloc[0])
    True
    """
    from scipy.stats import binomtest

    check_confidence(confidence)
    rows = []
    for x, y in pairs_list(pairs):
        require_columns(data, [x, y])
        (a, scale_a), (b, scale_b) = item_codes(data[x], scale), item_codes(data[y], scale)
        if at_least_y is None and scale_a.levels != scale_b.levels:
            raise ValueError(
                f"{x!r} and {y!r} are on different scales ({scale_a.describe()} vs "
                f"{scale_b.describe()}); state a threshold for each with at_least_y."
            )
        cut_a = threshold_code(at_least_x, scale_a, x)
        cut_b = threshold_code(at_least_x if at_least_y is None else at_least_y, scale_b, y)
        keep = a.notna() & b.notna()
        if not keep.any():
            raise ValueError(f"no firm answered both {x!r} and {y!r}.")
        yes_a, yes_b = a[keep] >= cut_a, b[keep] >= cut_b
        n = int(keep.sum())
        only_a, only_b = int((yes_a & ~yes_b).sum()), int((~yes_a & yes_b).sum())
        p = 1.0 if only_a + only_b == 0 else float(binomtest(only_b, only_a + only_b).pvalue)
        k = np.array([int(yes_a.sum()), int(yes_b.sum())])
        low, high = proportion_ci(k, [n, n], confidence=confidence)
        rows.append(
            {
                "x": x,
                "y": y,
                "n": n,
                "at_least_x": cut_a,
                "at_least_y": cut_b,
                "pct_x": 100 * k[0] / n,
                "pct_y": 100 * k[1] / n,
                "ci_low_x": 100 * low[0],
                "ci_high_x": 100 * high[0],
                "ci_low_y": 100 * low[1],
                "ci_high_y": 100 * high[1],
                "n_x_only": only_a,
                "n_y_only": only_b,
                "difference_pct": 100 * (k[1] - k[0]) / n,
                "p_value": p,
                "test": "McNemar exact (binomial on the discordant firms)",
            }
        )
    return pd.DataFrame(rows)
