"""Arithmetic checks for published tables: is a printed number possible at all?

These are the checks of a reproducibility audit (Brown & Heathers' GRIM test,
adapted to percentages): a percentage of ``n`` people must be ``k / n`` for a
whole ``k``; a printed p-value must fit the printed statistic and sample size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2bsm.stats._validate import check_real, check_whole


def _check_decimals(decimals) -> int:
    if isinstance(decimals, (bool, np.bool_)) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"decimals must be a whole number of decimal places; got {decimals!r}.")
    if decimals < 0:
        raise ValueError(
            f"decimals must be 0 or more (the places printed after the point); got {decimals}."
        )
    return int(decimals)


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
        Decimal places the percentages were printed with (0 or more).  A
        printed value counts as possible when some whole count gives a
        percentage within half a unit of the last printed place, so both
        rounding half up and half to even are accepted; truncation (cutting
        digits off) is *not* assumed.

    Returns
    -------
    pandas.DataFrame
        One row per percentage: ``pct``, ``n``, ``possible`` (some whole count
        rounds to it), ``nearest_count`` (the whole count closest to it) and
        ``nearest_pct`` (that count as a percentage, to ``decimals`` places).

    See Also
    --------
    possible_denominators : which sample sizes could give a printed percentage.

    References
    ----------
    Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: a simple technique detects
        numerous anomalies in the reporting of results in psychology. *Social Psychological and
        Personality Science*, 8(4), 363-369.

    Examples
    --------
    >>> from b2bsm.stats import grim_check
    >>> grim_check([56.2, 46.6], [16, 15])[["possible", "nearest_count"]].to_numpy().tolist()
    [[True, 9], [False, 7]]
    """
    decimals = _check_decimals(decimals)
    p = np.atleast_1d(check_real(pct, "pct"))
    if (p < 0).any() or (p > 100).any():
        raise ValueError("percentages must be numbers between 0 and 100 (none missing).")
    try:
        m = np.atleast_1d(check_whole(n, "n", minimum=1))
    except ValueError as exc:
        raise ValueError(
            f"{exc} n is a number of respondents: a whole number, at least 1."
        ) from None
    try:
        p, m = np.broadcast_arrays(p, m)
    except ValueError:
        raise ValueError(
            f"pct and n must have the same length (or one of them be a single number); got "
            f"{p.size} and {m.size}."
        ) from None
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

    See Also
    --------
    grim_check : is one printed percentage possible for a known n?

    References
    ----------
    Brown & Heathers (2017), as cited in :func:`grim_check`.

    Examples
    --------
    >>> from b2bsm.stats import possible_denominators
    >>> possible_denominators(56.2, n_max=20)["n"].tolist()
    [16]
    """
    n_min = int(check_whole(n_min, "n_min", minimum=1))
    n_max = int(check_whole(n_max, "n_max", minimum=1))
    if n_max < n_min:
        raise ValueError(f"need 1 <= n_min <= n_max; got n_min={n_min}, n_max={n_max}.")
    if check_real(pct, "pct").size != 1:
        raise ValueError("possible_denominators checks one percentage at a time.")
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

    ``tau`` must lie in [-1, 1] and ``n`` be a whole number of at least 3.

    Uses the null variance of tau without ties, 2(2n + 5) / (9n(n - 1)).  With
    the many ties of a 5-point scale the exact tau-b test differs a little, but
    the approximation is good enough to tell whether a printed p-value can
    belong to a printed coefficient.

    See Also
    --------
    chi2_p_value : the same check for a chi-square statistic.
    kendall_table : tau-b and its p-value computed from the answers.

    References
    ----------
    Kendall (1945), as cited in :func:`b2bsm.stats.kendall_table`.

    Examples
    --------
    >>> from b2bsm.stats import tau_p_value
    >>> bool(tau_p_value(0.401, 115) < 0.001)
    True
    """
    from scipy.stats import norm

    t = check_real(tau, "tau")
    if np.any(np.abs(t) > 1):
        raise ValueError(
            f"tau must be between -1 and 1 (it is a correlation); got {tau!r}. "
            "Check that you passed tau, not a test statistic or a percentage."
        )
    m = check_whole(n, "n").astype("float64")
    if np.any(m < 3):
        raise ValueError("n must be at least 3 for a p-value of tau.")
    z = 3 * t * np.sqrt(m * (m - 1)) / np.sqrt(2 * (2 * m + 5))
    return 2 * norm.sf(np.abs(z))


def chi2_p_value(chi2, dof) -> np.ndarray:
    """Upper-tail p-value of a chi-square statistic with ``dof`` degrees of freedom (scipy).

    ``chi2`` must be 0 or more and ``dof`` a whole number of at least 1.

    See Also
    --------
    tau_p_value : the same check for Kendall's tau.
    chi2_independence : the test computed from the answers.

    Examples
    --------
    >>> from b2bsm.stats import chi2_p_value
    >>> round(float(chi2_p_value(3.841, 1)), 3)
    0.05
    """
    from scipy.stats import chi2 as chi2_dist

    d = check_whole(dof, "dof", minimum=1)
    x = check_real(chi2, "chi2")
    if np.any(x < 0):
        raise ValueError(
            f"a chi-square statistic is a sum of squares and cannot be negative; got {chi2!r}."
        )
    return chi2_dist.sf(x, d)
