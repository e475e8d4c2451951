"""Fitting Kendall's tau-b: how far a swap of answers can move it, and what p it must give.

The survey generator places every use/potential pair's tau-b within
``_TAU_AIM`` of the printed coefficient and its p-value inside the interval
that rounds to the printed one; these helpers compute the tie-corrected scale
of tau-b, the p-value window, and the swaps that get there.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from b2bsm.data.survey_targets import _TAU_AIM


def _tie_sums(x: np.ndarray) -> tuple[float, float, float]:
    """Tie sums of one variable as in Kendall's variance of S (scipy's ``count_rank_tie``)."""
    _, c = np.unique(x, return_counts=True)
    c = c.astype(float)
    return (
        float((c * (c - 1) / 2).sum()),
        float((c * (c - 1) * (c - 2)).sum()),
        float((c * (c - 1) * (2 * c + 5)).sum()),
    )


def tau_b_scale(u: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Denominator of tau-b and standard deviation of S under independence, given ties.

    Both depend on the two margins only.  For any arrangement with numerator
    S (concordant minus discordant pairs), tau-b = S / denominator and the
    large-sample z of the two-sided p-value is S / sd, with the tie-corrected
    variance used by ``scipy.stats.kendalltau`` and R's ``cor.test`` (``exact = FALSE``).
    Their ratio therefore fixes which p-value a given tau-b can have.

    See Also
    --------
    smallest_kendall_p : uses it to search the margins.

    References
    ----------
    Kendall (1945), as cited in :func:`b2bsm.stats.kendall_table`.

    Examples
    --------
    >>> import numpy as np
    >>> denom, sd = tau_b_scale(np.array([1, 1, 2, 3]), np.array([1, 2, 2, 3]))
    >>> round(denom, 3), round(sd, 3)
    (5.0, 2.614)
    """
    n = len(u)
    tot = n * (n - 1) / 2
    xt, x0, x1 = _tie_sums(u)
    yt, y0, y1 = _tie_sums(p)
    m = n * (n - 1.0)
    var = (m * (2 * n + 5) - x1 - y1) / 18 + 2 * xt * yt / m + x0 * y0 / (9 * m * (n - 2))
    return float(np.sqrt((tot - xt) * (tot - yt))), float(np.sqrt(var))


def p_window(printed: float) -> tuple[float, float]:
    """The p-values that round to a printed three-decimal p (``0.000`` = below 0.0005).

    See Also
    --------
    smallest_kendall_p : the p-values a printed tau allows.

    Examples
    --------
    >>> p_window(0.033)
    (0.0325, 0.0335)
    >>> p_window(0.0)
    (0.0, 0.0005)
    """
    return (max(round(printed - 0.0005, 4), 0.0), round(printed + 0.0005, 4))


def _s_window(
    u: np.ndarray, p: np.ndarray, tau: float, p_printed: float | None
) -> tuple[int, int] | None:
    """Integer range of S that gives tau-b within _TAU_AIM of ``tau`` and the printed p."""
    denom, sd = tau_b_scale(u, p)
    lo, hi = (tau - _TAU_AIM) * denom, (tau + _TAU_AIM) * denom
    if p_printed is not None:
        p_lo, p_hi = p_window(p_printed)
        z = NormalDist().inv_cdf
        # p = 2 * (1 - Phi(S / sd)); keep clear of the rounding boundaries
        lo = max(lo, z(1 - p_hi / 2) * sd * (1 + 1e-7))
        if p_lo > 0:
            hi = min(hi, z(1 - p_lo / 2) * sd * (1 - 1e-7))
    lo_s, hi_s = math.ceil(lo), math.floor(hi)
    return (lo_s, hi_s) if lo_s <= hi_s else None


def _fit_tau(
    u: np.ndarray,
    p: np.ndarray,
    window: tuple[float, float],
    rng: np.random.Generator,
    locked: np.ndarray | None = None,
    fallback: tuple[float, float] | None = None,
) -> np.ndarray:
    """Swap values of ``p`` between units until S (the numerator of tau-b) is in ``window``.

    Swaps keep the margin of ``p`` and so the tau-b denominator and the
    variance of S; only S changes.  For a random unit ``a`` the change of S
    for swapping with every other unit is computed at once and the best
    partner is taken.  Where ``locked`` (a boolean group mask) is given, a
    swap across groups is allowed only when it keeps the number of values >= 4
    in each group.  ``fallback`` is a wider window accepted when the search
    stalls (heavily tied items move S in coarse steps).
    """
    p = p.astype(float).copy()
    n = len(u)
    lo, hi = window
    target_s = (lo + hi) / 2
    su = np.sign(u[:, None] - u[None, :])
    sp = np.sign(p[:, None] - p[None, :])
    row = (su * sp).sum(axis=1)
    s = row.sum() / 2
    best, since_best = abs(target_s - s), 0
    for _ in range(20 * n):
        if lo <= s <= hi:
            return p
        gap = target_s - s
        if abs(gap) < best:
            best, since_best = abs(gap), 0
        elif (since_best := since_best + 1) > 3 * n:  # stalled: these margins will not do
            break
        a = rng.integers(n)
        delta = sp @ su[a] + su @ sp[a] - row[a] - row
        ok = p != p[a]
        if locked is not None:
            ok &= (locked == locked[a]) | ((p >= 4) == (p[a] >= 4))
        miss = np.where(ok, np.abs(gap - delta), np.inf)
        b = int(np.argmin(miss))
        if miss[b] >= abs(gap):
            # no swap of this unit helps: step at random near the target, since
            # near it S can move only in coarse steps that greed alone would miss
            near = np.flatnonzero(miss <= abs(gap) + 4)
            if near.size == 0:
                continue
            b = int(rng.choice(near))
        p[a], p[b] = p[b], p[a]
        for j in (a, b):  # update the sign matrix and row sums for the two units
            old = sp[:, j].copy()
            sp[j, :] = np.sign(p[j] - p)
            sp[:, j] = -sp[j, :]
            row += su[:, j] * (sp[:, j] - old)
            row[j] = su[j] @ sp[j]
        s = row.sum() / 2
    if lo <= s <= hi or (fallback is not None and fallback[0] <= s <= fallback[1]):
        return p
    raise RuntimeError(f"could not move S into {window} with these margins")


def smallest_kendall_p(
    tau: float, n: int, max_users: int, levels: int = 5
) -> tuple[float, list[int], list[int]]:
    """Smallest two-sided p-value a Kendall tau-b can have when most answers are tied.

    Searches the margins of a ``levels`` x ``levels`` table of ``n`` pairs in
    which at most ``max_users`` units are above the lowest use category: every
    use margin exhaustively, and the potential margin by steepest ascent from
    an even spread (the tie-corrected normal p depends on the margins only,
    through the ratio of the tau-b denominator to the standard deviation of S).

    Parameters
    ----------
    tau : float
        The tau-b; use the upper end of its rounding interval (0.2485 for a
        printed 0.248) to get the smallest p any printed value allows.
    n : int
        Number of pairs.
    max_users : int
        Largest number of units with use above the lowest category.
    levels : int, default 5
        Points on each scale.

    Returns
    -------
    tuple
        ``(p, use_margin, potential_margin)`` at the optimum found.

    See Also
    --------
    tau_b_scale : the two numbers a margin fixes.
    b2bsm.stats.tau_p_value : the quick check without ties.

    References
    ----------
    Kendall (1945), as cited in :func:`b2bsm.stats.kendall_table`.

    Examples
    --------
    >>> p, use, pot = smallest_kendall_p(0.2485, 111, 23)
    >>> round(p, 4), use[0]
    (0.0025, 88)
    """
    from itertools import combinations_with_replacement
    from math import erfc, sqrt

    import numpy as np

    def ratio(use, pot):
        use = np.atleast_2d(use).astype(float)
        pot = np.asarray(pot, float)
        tot = n * (n - 1) / 2
        m = n * (n - 1.0)

        def ties(c):
            return (
                (c * (c - 1) / 2).sum(-1),
                (c * (c - 1) * (c - 2)).sum(-1),
                (c * (c - 1) * (2 * c + 5)).sum(-1),
            )

        xt, x0, x1 = ties(use)
        yt, y0, y1 = ties(pot)
        var = (m * (2 * n + 5) - x1 - y1) / 18 + 2 * xt * yt / m + x0 * y0 / (9 * m * (n - 2))
        with np.errstate(invalid="ignore", divide="ignore"):  # a constant margin: no test
            out = np.sqrt((tot - xt) * (tot - yt)) / np.sqrt(var)
        return np.nan_to_num(out, nan=0.0)

    # every use margin: counts of the upper categories sum to at most max_users
    uppers = np.array(
        [
            np.bincount(np.array(c, int), minlength=levels)
            for k in range(max_users + 1)
            for c in combinations_with_replacement(range(1, levels), k)
        ]
    )
    uppers[:, 0] = n - uppers.sum(axis=1)
    pot = np.full(levels, n // levels)
    pot[: n - pot.sum()] += 1
    best = -1.0
    while True:
        r_use = ratio(uppers, pot)
        use = uppers[int(np.argmax(r_use))]
        moves = [
            pot + np.eye(levels, dtype=int)[i] - np.eye(levels, dtype=int)[j]
            for i in range(levels)
            for j in range(levels)
            if i != j and pot[j] > 0
        ]
        r_pot = ratio(np.array(moves), use) if moves else np.array([])
        current = float(ratio(use, pot)[0])
        if r_pot.size and r_pot.max() > current + 1e-12:
            pot = moves[int(np.argmax(r_pot))]
            continue
        if current <= best + 1e-12:
            break
        best = current
    z = tau * best
    return erfc(z / sqrt(2)), use.tolist(), pot.tolist()
