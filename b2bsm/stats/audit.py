"""Arithmetic checks for published tables: is a printed number possible at all?

These are the checks of a reproducibility audit (Brown & Heathers' GRIM test,
adapted to percentages): a percentage of ``n`` people must be ``k / n`` for a
whole ``k``; a printed p-value must fit the printed statistic and sample size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _rounding_slack(decimals: int) -> float:
    # Half a unit in the last printed place, plus a hair for binary floating point,
    # so both round-half-up and round-half-even readings count as possible.
    return 0.5 * 10.0 ** (-decimals) + 1e-9


def grim_check(pct, n, *, decimals: int = 1) -> pd.DataFrame:
    """Could a printed percentage come from ``n`` respondents?

    Parameters
    ----------
    pct : float or array-like
        Printed percentages (0-100).
    n : int or array-like of int
        The denominators they were computed from.
    decimals : int, default 1
        Decimal places the percentages were printed with.

    Returns
    -------
    pandas.DataFrame
        One row per percentage: ``pct``, ``n``, ``possible`` (some whole count
        rounds to it), ``nearest_count`` (the whole count closest to it) and
        ``nearest_pct`` (that count as a percentage, to ``decimals`` places).

    Examples
    --------
    >>> from b2bsm.stats import grim_check
    >>> grim_check([56.2, 46.6], [16, 15])[["possible", "nearest_count"]].to_numpy().tolist()
    [[True, 9], [False, 7]]
    """
    p = np.atleast_1d(np.asarray(pct, dtype="float64"))
    m = np.atleast_1d(np.asarray(n))
    p, m = np.broadcast_arrays(p, m)
    if np.isnan(p).any() or (p < 0).any() or (p > 100).any():
        raise ValueError("percentages must be numbers between 0 and 100 (none missing).")
    if not np.issubdtype(m.dtype, np.integer) and np.any(m != np.round(m)):
        raise ValueError("n must hold whole numbers of respondents.")
    if (m < 1).any():
        raise ValueError("every n must be at least 1.")
    m = m.astype("int64")
    count = np.rint(p * m / 100).astype("int64")
    exact = 100 * count / m
    possible = np.abs(exact - p) <= _rounding_slack(decimals)
    return pd.DataFrame(
        {
            "pct": p,
            "n": m,
            "possible": possible,
            "nearest_count": count,
            "nearest_pct": np.round(exact, decimals),
        }
    )


def possible_denominators(
    pct: float, *, n_max: int, n_min: int = 1, decimals: int = 1
) -> pd.DataFrame:
    """Every denominator between ``n_min`` and ``n_max`` that can produce ``pct``.

    Useful when a paper prints a percentage but not its n (e.g. Table 5's shares
    of "about 16" experienced firms).

    Returns
    -------
    pandas.DataFrame
        ``n``, ``count`` and ``exact_pct`` for each denominator that works
        (empty when none does).

    Examples
    --------
    >>> from b2bsm.stats import possible_denominators
    >>> possible_denominators(56.2, n_max=20)["n"].tolist()
    [16]
    """
    if n_min < 1 or n_max < n_min:
        raise ValueError(f"need 1 <= n_min <= n_max; got n_min={n_min}, n_max={n_max}.")
    ns = np.arange(n_min, n_max + 1)
    table = grim_check(np.full(len(ns), float(pct)), ns, decimals=decimals)
    hits = table[table["possible"]]
    return pd.DataFrame(
        {
            "n": hits["n"].to_numpy(),
            "count": hits["nearest_count"].to_numpy(),
            "exact_pct": (100 * hits["nearest_count"] / hits["n"]).to_numpy(),
        }
    )


def tau_p_value(tau, n) -> np.ndarray:
    """Approximate two-sided p-value of Kendall's tau for ``n`` pairs (normal approximation).

    Uses the null variance of tau without ties, 2(2n + 5) / (9n(n - 1)).  With
    the many ties of a 5-point scale the exact tau-b test differs a little, but
    the approximation is good enough to tell whether a printed p-value can
    belong to a printed coefficient.

    Examples
    --------
    >>> from b2bsm.stats import tau_p_value
    >>> bool(tau_p_value(0.401, 115) < 0.001)
    True
    """
    from scipy.stats import norm

    t = np.asarray(tau, dtype="float64")
    m = np.asarray(n, dtype="float64")
    if np.any(m < 3):
        raise ValueError("n must be at least 3 for a p-value of tau.")
    z = 3 * t * np.sqrt(m * (m - 1)) / np.sqrt(2 * (2 * m + 5))
    return 2 * norm.sf(np.abs(z))


def chi2_p_value(chi2, dof) -> np.ndarray:
    """Upper-tail p-value of a chi-square statistic with ``dof`` degrees of freedom (scipy).

    Examples
    --------
    >>> from b2bsm.stats import chi2_p_value
    >>> round(float(chi2_p_value(3.841, 1)), 3)
    0.05
    """
    from scipy.stats import chi2 as chi2_dist

    d = np.asarray(dof)
    if np.any(d < 1):
        raise ValueError("dof must be at least 1.")
    return chi2_dist.sf(np.asarray(chi2, dtype="float64"), d)
