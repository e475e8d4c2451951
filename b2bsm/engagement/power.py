"""Experiment design by simulation: power, power curves and the cost of peeking.

Every function simulates an A/B test of a post variant whose counts are
negative binomial, vectorised over simulations, from an explicit seed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from b2bsm._checks import random_generator, whole_number
from b2bsm.engagement.simulate import _nb_draw


def _check_experiment(effect_irr, posts_per_arm, dispersion, baseline, n_sims, alpha):
    def number(value):
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, (bool, np.bool_)
        )

    if not (number(effect_irr) and 0 < effect_irr <= 20):
        raise ValueError(
            f"effect_irr must be a ratio between 0 and 20 (1 = no effect); got {effect_irr!r}."
        )
    whole_number(posts_per_arm, "posts_per_arm")
    if posts_per_arm < 2:
        raise ValueError("posts_per_arm must be at least 2 to estimate a variance.")
    if not (number(dispersion) and 0 <= dispersion < math.inf):
        raise ValueError(f"dispersion must be zero (Poisson) or positive; got {dispersion!r}.")
    if not (number(baseline) and 0 < baseline < math.inf):
        raise ValueError(
            f"baseline (mean count in the control arm) must be positive; got {baseline!r}."
        )
    whole_number(n_sims, "n_sims")
    if not (number(alpha) and 0 < alpha < 1):
        raise ValueError(f"alpha must be between 0 and 1; got {alpha!r}.")


#: The test every power function uses (the ``test`` column).
POWER_TEST = "two-sample t-test on the counts (pooled variance, 2n - 2 df; vectorised)"


def _t_test_counts(sum1, sumsq1, sum0, sumsq0, n):
    """Two-sided p-value of the two-sample t-test of equal mean counts, equal arms of n posts.

    Works on sums and sums of squares, so all simulated experiments (and every
    day of a sequential one) are tested at once.  With equal arms the pooled
    and Welch statistics coincide; the t reference with 2n - 2 degrees of
    freedom keeps the false-positive rate at or below alpha for overdispersed
    counts even at 10 posts per arm (see tests/test_engagement.py), where a
    Wald z test on the log ratio of the means rejects 8-13 % of A/A tests.
    Arms without any variation give p = 1 when their means agree, 0 otherwise.
    """
    from scipy.stats import t as t_dist

    n = np.asarray(n, dtype="float64")
    m1, m0 = sum1 / n, sum0 / n
    v1 = np.maximum(sumsq1 - n * m1**2, 0) / (n - 1)
    v0 = np.maximum(sumsq0 - n * m0**2, 0) / (n - 1)
    se = np.sqrt((v1 + v0) / n)
    diff = m1 - m0
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.abs(diff) / se
    p = 2 * t_dist.sf(stat, 2 * n - 2)
    degenerate = ~(se > 1e-12 * np.maximum(np.abs(m1) + np.abs(m0), 1))
    return np.where(degenerate, np.where(np.abs(diff) > 1e-9, 0.0, 1.0), p)


def _power_row(effect_irr, n, dispersion, baseline, n_sims, power, **more) -> dict:
    """The columns every power function reports for one design (one value each)."""
    return {
        "effect_irr": [float(effect_irr)],
        "posts_per_arm": [n],
        "dispersion": [float(dispersion)],
        "baseline": [float(baseline)],
        "n_sims": [int(n_sims)],
        "power": [power],
        "mc_se": [math.sqrt(power * (1 - power) / n_sims)],
        **{name: [value] for name, value in more.items()},
    }


def _simulate_rejections(rng, effect_irr, n, dispersion, baseline, n_sims, alpha):
    """Share of n_sims simulated two-arm experiments whose test gives p < alpha."""
    control = _nb_draw(rng, np.full((n_sims, n), float(baseline)), dispersion).astype(float)
    treated = _nb_draw(rng, np.full((n_sims, n), baseline * effect_irr), dispersion).astype(float)
    p = _t_test_counts(treated.sum(1), (treated**2).sum(1), control.sum(1), (control**2).sum(1), n)
    return float(np.mean(p < alpha))


def simulate_experiment_power(
    effect_irr: float,
    posts_per_arm: int,
    dispersion: float = 0.5,
    baseline: float = 20.0,
    n_sims: int = 5000,
    seed: int | np.random.Generator = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Power of a two-arm post experiment, by simulating all experiments at once.

    Each simulated experiment posts ``posts_per_arm`` posts per arm; control
    posts get NB counts with mean ``baseline``, treatment posts mean
    ``baseline * effect_irr`` (variance mu + dispersion mu^2).  The test is the
    two-sided two-sample t-test of equal mean counts (pooled variance, t with
    2n - 2 degrees of freedom), computed for all experiments as one numpy
    array.  It holds its size: the share of false positives when there is no
    effect stays at or below ``alpha`` even at 10 posts per arm and
    dispersion 3 (a Wald z test on the log mean ratio reaches 13 % there).
    The function also simulates ``n_sims`` experiments *without* an effect and
    reports their rejection rate as ``size``, so power can be read next to
    the false-positive rate it includes.

    Returns
    -------
    pandas.DataFrame
        One row: ``effect_irr``, ``posts_per_arm``, ``dispersion``, ``baseline``,
        ``n_sims``, ``power``, ``mc_se`` (Monte Carlo standard error of power),
        ``size`` (simulated false-positive rate at IRR 1), ``size_mc_se``,
        ``test``.

    See Also
    --------
    power_curve : the same simulation for several sample sizes.
    simulate_experiment_power_naive : the slow, one-regression-per-experiment version.
    peeking_false_positive_rate : what testing every day does to the false positives.

    References
    ----------
    Kohavi, R., Tang, D., & Xu, Y. (2020). *Trustworthy Online Controlled Experiments: A Practical
        Guide to A/B Testing*. Cambridge University Press.

    Examples
    --------
    >>> from b2bsm.engagement import simulate_experiment_power
    >>> res = simulate_experiment_power(1.0, 100, n_sims=2000, seed=1)
    >>> bool(abs(res["power"].iloc[0] - 0.05) < 0.02)   # no effect: false positives only
    True
    >>> bool(res["size"].iloc[0] <= 0.05 + 3 * res["size_mc_se"].iloc[0])
    True
    """
    _check_experiment(effect_irr, posts_per_arm, dispersion, baseline, n_sims, alpha)
    rng = random_generator(seed)
    n = int(posts_per_arm)
    power = _simulate_rejections(rng, effect_irr, n, dispersion, baseline, n_sims, alpha)
    size = _simulate_rejections(rng, 1.0, n, dispersion, baseline, n_sims, alpha)
    return pd.DataFrame(
        _power_row(
            effect_irr,
            n,
            dispersion,
            baseline,
            n_sims,
            power,
            size=size,
            size_mc_se=math.sqrt(size * (1 - size) / n_sims),
            test=POWER_TEST,
        )
    )


def simulate_experiment_power_naive(
    effect_irr: float,
    posts_per_arm: int,
    dispersion: float = 0.5,
    baseline: float = 20.0,
    n_sims: int = 200,
    seed: int | np.random.Generator = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The same power, the slow way: one statsmodels NB regression per simulated experiment.

    Each experiment is drawn, put in a DataFrame and fitted with a negative
    binomial GLM (``count ~ treated``, alpha fixed at the true ``dispersion``,
    which a real analysis would not know); the Wald p-value of ``treated``
    decides.  Correct but slow: it exists to compare with
    :func:`simulate_experiment_power` (same columns, without ``size``).

    See Also
    --------
    simulate_experiment_power : the vectorised version, with the simulated size.

    References
    ----------
    Cameron, A. C., & Trivedi, P. K. (2013). *Regression Analysis of Count Data* (2nd ed.).
        Cambridge University Press.
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    _check_experiment(effect_irr, posts_per_arm, dispersion, baseline, n_sims, alpha)
    rng = random_generator(seed)
    n = int(posts_per_arm)
    arm = np.repeat([0.0, 1.0], n)
    family = sm.families.NegativeBinomial(alpha=max(dispersion, 1e-8))
    hits = 0
    for _ in range(n_sims):
        counts = np.concatenate(
            [
                _nb_draw(rng, np.full(n, float(baseline)), dispersion),
                _nb_draw(rng, np.full(n, baseline * effect_irr), dispersion),
            ]
        )
        data = pd.DataFrame({"count": counts.astype(float), "treated": arm})
        result = smf.glm("count ~ treated", data, family=family).fit()
        hits += bool(result.pvalues["treated"] < alpha)
    power = hits / n_sims
    test = "NB regression per experiment, alpha known (statsmodels loop)"
    return pd.DataFrame(_power_row(effect_irr, n, dispersion, baseline, n_sims, power, test=test))


def power_curve(
    effect_irr: float,
    posts_per_arm=(25, 50, 100, 200, 400, 800),
    dispersion: float = 0.5,
    baseline: float = 20.0,
    n_sims: int = 2000,
    seed: int | np.random.Generator = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Power for several sample sizes (one row each), sharing one random generator.

    Each row is :func:`simulate_experiment_power` at one sample size (same
    t-test, same columns, including the simulated ``size`` at IRR 1).

    See Also
    --------
    simulate_experiment_power : one sample size.
    b2bsm.engagement.power_explorer : the curve with sliders.

    References
    ----------
    Kohavi et al. (2020), as cited in :func:`simulate_experiment_power`.

    Examples
    --------
    >>> from b2bsm.engagement import power_curve
    >>> curve = power_curve(1.2, posts_per_arm=[50, 400], n_sims=500, seed=1)
    >>> bool(curve["power"].is_monotonic_increasing)
    True
    """
    rng = random_generator(seed)
    sizes = [whole_number(n, "posts_per_arm") for n in np.atleast_1d(posts_per_arm).tolist()]
    frames = [
        simulate_experiment_power(effect_irr, n, dispersion, baseline, n_sims, rng, alpha)
        for n in sizes
    ]
    return pd.concat(frames, ignore_index=True)


def peeking_false_positive_rate(
    days: int = 20,
    posts_per_day: int = 10,
    dispersion: float = 0.5,
    baseline: float = 20.0,
    n_sims: int = 5000,
    seed: int | np.random.Generator = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """What checking an A/A experiment every day does to the false-positive rate.

    Both arms have the *same* mean (no true effect).  Each day every arm gets
    ``posts_per_day`` more posts and the analyst tests the data so far with the
    two-sample t-test of :func:`simulate_experiment_power`, stopping at the
    first p < alpha.  Compared with testing once at the end.

    Two effects are kept apart: ``reject_today`` is the false-positive rate of
    a *single* look on that day (the test's size at that sample size, at or
    below alpha on every day), while ``stopped_by_now`` grows only because of
    the repeated looks.

    Returns
    -------
    pandas.DataFrame
        One row per day: ``day``, ``posts_per_arm`` so far, ``reject_today``
        (share of experiments with p < alpha on that day), ``stopped_by_now``
        (share that a daily peeker would have stopped and declared a winner),
        ``fixed_design_rate`` (the rate of testing once, at the end: the last
        day's ``reject_today``, repeated on every row for comparison) and
        ``test`` (the test used).

    See Also
    --------
    simulate_experiment_power : power of the test run once, at the end.

    References
    ----------
    Armitage, P., McPherson, C. K., & Rowe, B. C. (1969). Repeated significance tests on
        accumulating data. *Journal of the Royal Statistical Society A*, 132(2), 235-244.

    Examples
    --------
    >>> from b2bsm.engagement import peeking_false_positive_rate
    >>> t = peeking_false_positive_rate(days=10, n_sims=2000, seed=1)
    >>> bool(t["stopped_by_now"].iloc[-1] > t["fixed_design_rate"].iloc[-1])
    True
    """
    _check_experiment(1.0, 2, dispersion, baseline, n_sims, alpha)
    d = whole_number(days, "days")
    k = whole_number(posts_per_day, "posts_per_day")
    rng = random_generator(seed)
    shape = (n_sims, d, k)
    arms = [_nb_draw(rng, np.full(shape, float(baseline)), dispersion).astype(float) for _ in "ab"]
    sums = [np.cumsum(a.sum(2), axis=1) for a in arms]
    sumsq = [np.cumsum((a**2).sum(2), axis=1) for a in arms]
    n = k * np.arange(1, d + 1)
    n_ok = n >= 2 if k == 1 else np.ones(d, dtype=bool)
    p = _t_test_counts(sums[0], sumsq[0], sums[1], sumsq[1], n)
    p = np.where(n_ok[None, :], p, 1.0)
    reject = p < alpha
    out = pd.DataFrame(
        {
            "day": np.arange(1, d + 1),
            "posts_per_arm": n,
            "reject_today": reject.mean(axis=0),
            "stopped_by_now": np.logical_or.accumulate(reject, axis=1).mean(axis=0),
        }
    )
    out["fixed_design_rate"] = float(reject[:, -1].mean())
    out["test"] = POWER_TEST
    return out


#: Ranges offered by :func:`power_explorer` (posts per arm; largest dispersion).
