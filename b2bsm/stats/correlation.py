"""Rank correlation for ordinal items: Kendall tau-b (default), tau-c, Spearman; bootstrap CIs."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from b2bsm._checks import random_generator
from b2bsm.stats._validate import LIKERT_SCALE, check_confidence, paired, pairs_list

#: What each method name computes.
METHODS = {
    "kendall_b": "Kendall tau-b (adjusted for ties in both variables; scipy's default)",
    "kendall_c": "Kendall tau-c (Stuart's, for rectangular tables)",
    "spearman": "Spearman rho (Pearson correlation of mid-ranks)",
}


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}; got {method!r}.")
    return method


#: Below 10 firms a rank correlation's p-value is exact (all n! pairings, at most 362,880).
EXACT_MAX_N = 9

P_METHODS = {
    "permutation": "exact permutation (all n! pairings, conditional on ties; n < 10)",
    "t": "t approximation (n - 2 df)",
    "exact": "exact (no ties)",
    "normal": "normal approximation (tie-corrected variance)",
}


@functools.cache
def _all_permutations(k: int) -> np.ndarray:
    """Every permutation of range(k) as rows of an int8 array (k <= 9: at most 362,880).

    Built by inserting 0, 1, ..., k - 1 in turn at every position of the
    permutations so far (vectorised; the row order does not matter).
    """
    perms = np.zeros((1, 0), dtype=np.int8)
    for value in range(k):
        perms = np.concatenate([np.insert(perms, pos, value, axis=1) for pos in range(value + 1)])
    return perms


def _tie_pattern(values: np.ndarray) -> tuple[int, ...]:
    """How many times each distinct value occurs, in increasing order of the value."""
    return tuple(int(c) for c in np.unique(values, return_counts=True)[1])


@functools.lru_cache(maxsize=64)
def _null_statistics(method: str, x_blocks: tuple[int, ...], y_counts: tuple[int, ...]):
    """Sorted null distribution of a rank correlation's statistic, one entry per arrangement.

    The exact permutation distribution depends only on the tie pattern: the sizes of
    x's tied blocks and the counts of y's distinct values.  So it is computed once per
    pattern on canonical data (x = 0,0,1,..., y = 0,0,1,...), over the *distinct*
    arrangements of y (each of the n! pairings repeats one of them prod(counts!)
    times, so their shares are the same), and cached.
    """
    from scipy.stats import rankdata

    n = sum(x_blocks)
    x = np.repeat(np.arange(len(x_blocks)), x_blocks)
    y = np.repeat(np.arange(len(y_counts)), y_counts).astype(np.int8)
    arranged = y[_all_permutations(n)]
    if len(y_counts) < n:  # ties in y: keep one row per distinct arrangement
        weights = np.int64(len(y_counts)) ** np.arange(n, dtype=np.int64)
        codes = np.unique(arranged.astype(np.int64) @ weights)
        arranged = ((codes[:, None] // weights) % len(y_counts)).astype(np.int8)
    if method == "spearman":
        rx, ry = rankdata(x), rankdata(y)
        by_value = ry[np.cumsum(y_counts) - 1]  # the midrank of each distinct y value
        centre = rx.sum() * ry.sum() / n
        stat = np.abs(by_value[arranged] @ rx - centre)
    else:  # Kendall: P - Q (the denominator of tau-b and tau-c does not change)
        iu, ju = np.triu_indices(n, k=1)
        sx = np.sign(x[iu] - x[ju]).astype(np.int16)
        stat = np.zeros(len(arranged), dtype=np.int16)
        for i, j, sign in zip(iu, ju, sx, strict=True):
            if sign:
                stat += sign * np.sign(arranged[:, i] - arranged[:, j]).astype(np.int16)
        stat = np.abs(stat)
    stat = np.sort(stat)
    stat.flags.writeable = False
    return stat


def _permutation_p(x: np.ndarray, y: np.ndarray, method: str) -> float:
    """Two-sided exact permutation p-value of a rank correlation: share of pairings
    whose statistic is at least as far from its null mean as the observed one.

    ``tests/test_stats.py`` checks it against a brute-force loop over all n! pairings.

    >>> x = np.array([1, 2, 2, 3, 4, 4, 5]); y = np.array([2, 1, 3, 3, 5, 4, 4])
    >>> round(_permutation_p(x, y, "kendall_b"), 4)
    0.0508
    """
    from scipy.stats import rankdata

    if method == "spearman":
        rx, ry = rankdata(x), rankdata(y)
        observed = abs(rx @ ry - rx.sum() * ry.sum() / len(x))
    else:
        iu, ju = np.triu_indices(len(x), k=1)
        observed = abs(int(np.sign(x[iu] - x[ju]) @ np.sign(y[iu] - y[ju])))
    stats = _null_statistics(method, _tie_pattern(x), _tie_pattern(y))
    at_least = len(stats) - np.searchsorted(stats, observed - 1e-9 * max(1.0, observed), "left")
    return float(at_least / len(stats))


def _correlate(x: np.ndarray, y: np.ndarray, method: str) -> tuple[float, float, str]:
    """Estimate, two-sided p-value and how the p-value was computed."""
    from scipy.stats import kendalltau, spearmanr

    if len(x) < 3:
        raise ValueError(
            f"only {len(x)} firm(s) answered both items; a rank correlation needs at least 3."
        )
    if np.all(x == x[0]) or np.all(y == y[0]):
        raise ValueError(
            "one of the items has the same answer for every firm that answered both, so "
            "its correlation is undefined; pick items that vary."
        )
    n = len(x)
    if method == "spearman":
        res = spearmanr(x, y)
        how = "t"
    else:
        ties = len(np.unique(x)) < n or len(np.unique(y)) < n
        how = "normal" if ties or n >= 50 else "exact"
        res = kendalltau(
            x, y, variant=method[-1], method="exact" if how == "exact" else "asymptotic"
        )
    p = float(res.pvalue)
    if n <= EXACT_MAX_N:
        p, how = _permutation_p(x, y, method), "permutation"
    return float(res.statistic), p, P_METHODS[how]


def kendall_table(
    data: pd.DataFrame, pairs, *, variant: str = "b", scale=LIKERT_SCALE
) -> pd.DataFrame:
    """Kendall's tau for each (x, y) item pair, with pairwise N and two-sided p-value.

    Each pair uses the firms that answered both items (pairwise deletion), the
    way the paper's Tables 3 and 4 print a separate N for every row.  Items
    are coded by their scale (:func:`b2bsm.codebook.item_codes`); x and
    y may be on different scales (only the order within each counts).

    The two-sided p-value is exact below 10 firms (all n! pairings,
    conditional on ties: a permutation test); from 10 on it is scipy's exact
    test when there are no ties (n < 50) and the normal approximation with
    tie-corrected variance otherwise (as R's ``cor.test``).

    Parameters
    ----------
    data : pandas.DataFrame
    pairs : list of (str, str), dict or DataFrame with ``x`` and ``y`` columns
    variant : {"b", "c"}, default "b"
        ``b``: tau-b, which corrects for ties in both items (SPSS's and scipy's
        default, and what the paper reports).  ``c``: Stuart's tau-c.
    scale : (int, int), default (1, 5)
        Allowed range for numeric codes.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``x``, ``y``, ``n``, ``tau``, ``p_value``, ``variant``,
        ``p_method`` (how the p-value was computed).

    See Also
    --------
    rank_correlations : tau-b, tau-c and Spearman side by side.
    bootstrap_tau : a bootstrap interval for tau-b.

    References
    ----------
    Kendall, M. G. (1945). The treatment of ties in ranking problems. *Biometrika*, 33(3),
        239-251.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import kendall_table
    >>> t = kendall_table(load_survey(), [("cust_use_marketing", "cust_pot_marketing")])
    >>> int(t["n"].iloc[0]), round(float(t["tau"].iloc[0]), 2)
    (116, 0.52)
    """
    if variant not in ("b", "c"):
        raise ValueError(f"variant must be 'b' (tau-b) or 'c' (tau-c); got {variant!r}.")
    rows = []
    for x, y in pairs_list(pairs):
        a, b = paired(data, x, y, scale)
        tau, p, how = _correlate(a, b, f"kendall_{variant}")
        rows.append({"x": x, "y": y, "n": len(a), "tau": tau, "p_value": p, "p_method": how})
    out = pd.DataFrame(rows)
    out["variant"] = f"tau-{variant}"
    return out[["x", "y", "n", "tau", "p_value", "variant", "p_method"]]


def rank_correlations(data: pd.DataFrame, x: str, y: str, *, scale=LIKERT_SCALE) -> pd.DataFrame:
    """Kendall tau-b, tau-c and Spearman rho for one pair, side by side.

    p-values are two-sided.  Below 10 firms every method uses the exact
    permutation p-value (all n! pairings, conditional on ties); above that,
    Kendall uses scipy's exact test without ties (n < 50) or the
    tie-corrected normal approximation, and Spearman the t approximation with
    n - 2 degrees of freedom (scipy ``spearmanr``).

    Returns
    -------
    pandas.DataFrame
        One row per method: ``method``, ``description``, ``n``, ``estimate``,
        ``p_value``, ``p_method`` (how the p-value was computed).

    See Also
    --------
    kendall_table : tau-b with its p-value, one row per pair.

    References
    ----------
    Kendall (1945), as cited in :func:`kendall_table`.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import rank_correlations
    >>> t = rank_correlations(load_survey(), "cust_use_marketing", "cust_pot_marketing")
    >>> t["method"].tolist()
    ['kendall_b', 'kendall_c', 'spearman']
    """
    a, b = paired(data, x, y, scale)
    rows = []
    for method, description in METHODS.items():
        est, p, how = _correlate(a, b, method)
        rows.append(
            {
                "method": method,
                "description": description,
                "n": len(a),
                "estimate": est,
                "p_value": p,
                "p_method": how,
            }
        )
    return pd.DataFrame(rows)


def _tau_b_batch(x: np.ndarray, y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Kendall tau-b of (x[i], y[i]) for every row i of an index matrix, vectorised."""
    xs, ys = x[idx], y[idx]
    dx = np.sign(xs[:, :, None] - xs[:, None, :]).astype(np.int8)
    dy = np.sign(ys[:, :, None] - ys[:, None, :]).astype(np.int8)
    num = (dx * dy).sum(axis=(1, 2), dtype=np.int64)
    den = np.sqrt(
        np.abs(dx).sum(axis=(1, 2), dtype=np.int64).astype(float)
        * np.abs(dy).sum(axis=(1, 2), dtype=np.int64).astype(float)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def bootstrap_tau(
    data: pd.DataFrame,
    pairs,
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int | np.random.Generator = 0,
    scale=LIKERT_SCALE,
) -> pd.DataFrame:
    """Percentile bootstrap confidence interval for Kendall's tau-b of each pair.

    Firms are resampled with replacement (pairs kept together); tau-b is
    recomputed on every resample with vectorised numpy, and the interval is the
    central ``confidence`` share of the resampled values (the *percentile*
    method).  Resamples where an item has no variation give no tau and are left
    out (counted in ``n_undefined``).

    Parameters
    ----------
    data : pandas.DataFrame
    pairs : list of (str, str), dict or DataFrame with ``x``, ``y``
    n_resamples : int, default 2000
    confidence : float, default 0.95
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``x``, ``y``, ``n``, ``tau``, ``ci_low``, ``ci_high``,
        ``n_resamples``, ``n_undefined``, ``interval`` ("percentile bootstrap").

    See Also
    --------
    kendall_table : the tau-b point estimates and their p-values.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.

    Examples
    --------
    >>> from b2bsm.data import load_survey
    >>> from b2bsm.stats import bootstrap_tau
    >>> ci = bootstrap_tau(load_survey(), [("cust_use_marketing", "cust_pot_marketing")],
    ...                    n_resamples=500, seed=1)
    >>> bool(ci["ci_low"].iloc[0] < ci["tau"].iloc[0] < ci["ci_high"].iloc[0])
    True
    """
    check_confidence(confidence)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)):
        raise TypeError(f"n_resamples must be an integer; got {n_resamples!r}.")
    if n_resamples < 100:
        raise ValueError(
            f"n_resamples must be at least 100 for a stable interval; got {n_resamples}."
        )
    rng = random_generator(seed)
    tail = 100 * (1 - confidence) / 2
    rows = []
    for x, y in pairs_list(pairs):
        a, b = paired(data, x, y, scale)
        tau, _, _ = _correlate(a, b, "kendall_b")
        n = len(a)
        chunk = max(1, 2_000_000 // (n * n))
        draws = []
        for start in range(0, n_resamples, chunk):
            idx = rng.integers(0, n, size=(min(chunk, n_resamples - start), n))
            draws.append(_tau_b_batch(a, b, idx))
        values = np.concatenate(draws)
        ok = values[~np.isnan(values)]
        low, high = np.percentile(ok, [tail, 100 - tail])
        rows.append(
            {
                "x": x,
                "y": y,
                "n": n,
                "tau": tau,
                "ci_low": float(low),
                "ci_high": float(high),
                "n_resamples": int(n_resamples),
                "n_undefined": int(len(values) - len(ok)),
            }
        )
    out = pd.DataFrame(rows)
    out["interval"] = "percentile bootstrap"
    return out
