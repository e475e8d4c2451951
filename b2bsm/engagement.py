"""Engagement with B2B brand posts: a simulator, count regressions and experiment design.

The simulator generates post-level data for B2B brand accounts: likes and
comments as overdispersed counts that depend on the post's format (visual or
text), its informational and emotional cues and its content strategy, on top
of each account's audience.

Effect **directions** follow Gu et al. (2023), who studied B2B brand posts on
a visual platform: informational cues raise likes and comments, emotional cues
lower them, and both effects are stronger in visual posts.  Participation
invites raising comments follows the LinkedIn case study of Sundström et al.
(2021).  The effect **sizes** are illustrative choices of this kit, not
estimates from those papers: every one is a documented field of
:class:`EngagementParams`.

Examples
--------
>>> from b2bsm.engagement import simulate_posts
>>> posts = simulate_posts(n_posts=1000, n_accounts=20, seed=1)
>>> posts.columns.tolist()[:5]
['post_id', 'account', 'followers', 'format', 'info_cues']
>>> bool(posts["likes"].mean() > posts["comments"].mean())
True
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

STRATEGIES = ("storytelling", "product_detail", "participation_invite", "other")
FORMATS = ("text", "visual")
OUTCOMES = ("likes", "comments")
DEFAULT_SEED = 2023
DEFAULT_POSTS = 20_000
DEFAULT_ACCOUNTS = 120


@dataclass(frozen=True)
class EngagementParams:
    """Every assumption of the engagement simulator, on the log scale of the mean count.

    A coefficient ``b`` multiplies the expected count by ``exp(b)`` (its
    incidence-rate ratio, IRR): ``b = 0.2`` means about 22 % more.  Cue scores
    are standardised (mean 0, SD 1), so cue effects are per standard deviation.

    Attributes
    ----------
    likes_per_1000 : float
        Expected likes per 1,000 followers for a text post of strategy
        ``other`` with average cues (baseline).
    comments_per_1000 : float
        The same for comments; comments are much rarer than likes.
    visual : float
        Effect of a visual post (image or video) vs a text post, both outcomes.
    info_text, emo_text : float
        Effect of one SD of informational / emotional cues in a text post.
    info_visual_extra, emo_visual_extra : float
        What a visual post adds to those effects (the cue x format interaction):
        in a visual post the informational effect is ``info_text +
        info_visual_extra``.
    comment_cue_scale : float
        Cue effects on comments are this many times the effects on likes
        (comments take more effort; a modelling choice of the kit).
    strategy_likes, strategy_comments : dict
        Effect of each content strategy vs ``other``.
    dispersion_likes, dispersion_comments : float
        Negative binomial dispersion alpha (variance = mu + alpha mu^2); 0 would be Poisson.
    account_sd : float
        SD of each account's random effect (audience quality beyond its size).
    post_sd : float
        SD of a post-level shock shared by likes and comments; makes them correlate.
    followers_median, followers_log_sd : float
        Log-normal distribution of account followers.
    visual_share : float
        Share of posts that are visual.
    strategy_shares : dict
        Share of posts in each content strategy (sums to 1).
    """

    likes_per_1000: float = 4.0
    comments_per_1000: float = 0.3
    visual: float = 0.25
    info_text: float = 0.10
    info_visual_extra: float = 0.10
    emo_text: float = -0.05
    emo_visual_extra: float = -0.10
    comment_cue_scale: float = 1.5
    strategy_likes: dict[str, float] = field(
        default_factory=lambda: {
            "storytelling": 0.10,
            "product_detail": 0.05,
            "participation_invite": 0.0,
        }
    )
    strategy_comments: dict[str, float] = field(
        default_factory=lambda: {
            "storytelling": 0.10,
            "product_detail": 0.0,
            "participation_invite": 0.60,
        }
    )
    dispersion_likes: float = 0.4
    dispersion_comments: float = 0.6
    account_sd: float = 0.4
    post_sd: float = 0.3
    followers_median: float = 5000.0
    followers_log_sd: float = 1.0
    visual_share: float = 0.6
    strategy_shares: dict[str, float] = field(
        default_factory=lambda: {
            "storytelling": 0.25,
            "product_detail": 0.35,
            "participation_invite": 0.15,
            "other": 0.25,
        }
    )

    def __post_init__(self) -> None:
        for name in ("likes_per_1000", "comments_per_1000", "followers_median"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a positive number; got {value!r}.")
        for name in (
            "dispersion_likes",
            "dispersion_comments",
            "account_sd",
            "post_sd",
            "followers_log_sd",
            "comment_cue_scale",
        ):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value >= 0 and math.isfinite(value)):
                raise ValueError(
                    f"{name} must be zero or positive; got {value!r}. "
                    "(A dispersion of 0 means Poisson counts.)"
                )
        for name in ("visual", "info_text", "info_visual_extra", "emo_text", "emo_visual_extra"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and abs(value) <= 3):
                raise ValueError(
                    f"{name} is a log-scale effect and must be a number between -3 and 3 "
                    f"(an IRR between 0.05 and 20); got {value!r}."
                )
        if not 0 <= self.visual_share <= 1:
            raise ValueError(f"visual_share must be between 0 and 1; got {self.visual_share!r}.")
        for name in ("strategy_likes", "strategy_comments"):
            unknown = set(getattr(self, name)) - set(STRATEGIES[:-1])
            if unknown:
                raise ValueError(
                    f"{name} has unknown strategies {sorted(unknown)}; use "
                    f"{list(STRATEGIES[:-1])} ('other' is the reference, effect 0)."
                )
        shares = self.strategy_shares
        if set(shares) != set(STRATEGIES) or any(v < 0 for v in shares.values()):
            raise ValueError(
                f"strategy_shares needs a non-negative share for each of {list(STRATEGIES)}."
            )
        if not math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9):
            raise ValueError(f"strategy_shares must sum to 1; they sum to {sum(shares.values())}.")

    def with_(self, **changes: Any) -> EngagementParams:
        """A copy with some fields changed (validated), e.g. ``params.with_(emo_text=0)``."""
        unknown = set(changes) - set(asdict(self))
        if unknown:
            raise TypeError(
                f"unknown parameter(s) {sorted(unknown)}; see EngagementParams' attributes."
            )
        return replace(self, **changes)


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or a numpy Generator; got {seed!r}.")
    return np.random.default_rng(seed)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive whole number; got {value!r}.")
    return int(value)


def _nb_draw(rng: np.random.Generator, mu: np.ndarray, alpha: float) -> np.ndarray:
    """Negative binomial (NB2) counts with mean mu and variance mu + alpha mu^2."""
    if alpha == 0:
        return rng.poisson(mu)
    return rng.poisson(rng.gamma(shape=1.0 / alpha, scale=alpha * mu))


def _log_means(params: EngagementParams, visual, info, emo, strategy_idx, extra):
    """Log expected likes and comments per post (without the follower offset)."""
    cue = (params.info_text + params.info_visual_extra * visual) * info + (
        params.emo_text + params.emo_visual_extra * visual
    ) * emo
    s_likes = np.array([params.strategy_likes.get(s, 0.0) for s in STRATEGIES])
    s_comments = np.array([params.strategy_comments.get(s, 0.0) for s in STRATEGIES])
    likes = (
        math.log(params.likes_per_1000 / 1000)
        + params.visual * visual
        + cue
        + s_likes[strategy_idx]
        + extra
    )
    comments = (
        math.log(params.comments_per_1000 / 1000)
        + params.visual * visual
        + params.comment_cue_scale * cue
        + s_comments[strategy_idx]
        + extra
    )
    return likes, comments


def simulate_posts(
    n_posts: int = DEFAULT_POSTS,
    n_accounts: int = DEFAULT_ACCOUNTS,
    seed: int | np.random.Generator = DEFAULT_SEED,
    params: EngagementParams | None = None,
) -> pd.DataFrame:
    """Simulate B2B brand posts and their likes and comments (vectorised numpy).

    Parameters
    ----------
    n_posts : int, default 20000
        Number of posts, spread over the accounts at random.
    n_accounts : int, default 120
        Number of brand accounts.
    seed : int or numpy.random.Generator, default 2023
    params : EngagementParams, optional
        The assumptions; default :class:`EngagementParams()`.

    Returns
    -------
    pandas.DataFrame
        One row per post: ``post_id``, ``account``, ``followers``, ``format``
        ("text"/"visual"), ``info_cues`` and ``emo_cues`` (standardised scores
        from content analysis), ``strategy``, ``impressions``, ``likes``,
        ``comments``.

    Notes
    -----
    log E[likes] = log(followers) + log(likes_per_1000 / 1000) + visual effect
    + cue effects (stronger in visual posts) + strategy effect + account effect
    + post shock; comments alike with ``comment_cue_scale`` times the cue effects.
    Counts are negative binomial (a gamma-Poisson mixture), so they are
    overdispersed; the shared post shock makes likes and comments correlate.
    Product-detail posts carry more informational cues and storytelling posts
    more emotional cues, as real content does.

    Examples
    --------
    >>> from b2bsm.engagement import simulate_posts
    >>> simulate_posts(n_posts=5, n_accounts=2, seed=0)["format"].tolist()
    ['text', 'visual', 'text', 'text', 'visual']
    """
    params = EngagementParams() if params is None else params
    if not isinstance(params, EngagementParams):
        raise TypeError(f"params must be an EngagementParams; got {type(params).__name__}.")
    n = _positive_int(n_posts, "n_posts")
    k = _positive_int(n_accounts, "n_accounts")
    rng = _rng(seed)

    followers_acc = np.round(
        params.followers_median * np.exp(params.followers_log_sd * rng.standard_normal(k))
    ).clip(50, None)
    effect_acc = params.account_sd * rng.standard_normal(k)
    account = np.sort(rng.integers(0, k, size=n))
    visual = (rng.random(n) < params.visual_share).astype(np.int8)
    shares = np.array([params.strategy_shares[s] for s in STRATEGIES])
    strategy_idx = np.searchsorted(np.cumsum(shares), rng.random(n) * shares.sum(), side="right")
    strategy_idx = np.minimum(strategy_idx, len(STRATEGIES) - 1)
    # Content analysis scores: product detail is informational, storytelling emotional.
    info = rng.standard_normal(n) + 0.5 * (strategy_idx == 1) - 0.5 * (strategy_idx == 0)
    emo = rng.standard_normal(n) + 0.5 * (strategy_idx == 0) - 0.3 * (strategy_idx == 1)
    info = np.round((info - info.mean()) / info.std(), 3)
    emo = np.round((emo - emo.mean()) / emo.std(), 3)

    shock = params.post_sd * rng.standard_normal(n) + effect_acc[account]
    log_likes, log_comments = _log_means(params, visual, info, emo, strategy_idx, shock)
    followers = followers_acc[account]
    likes = _nb_draw(rng, followers * np.exp(log_likes), params.dispersion_likes)
    comments = _nb_draw(rng, followers * np.exp(log_comments), params.dispersion_comments)
    reach = np.exp(np.log(0.12) + 0.2 * visual + 0.5 * rng.standard_normal(n))
    impressions = rng.poisson(followers * reach) + likes + comments

    width = len(str(k))
    return pd.DataFrame(
        {
            "post_id": np.arange(1, n + 1),
            "account": np.char.add("A", np.char.zfill((account + 1).astype(str), width)),
            "followers": followers.astype(np.int64),
            "format": np.array(FORMATS)[visual],
            "info_cues": info,
            "emo_cues": emo,
            "strategy": np.array(STRATEGIES)[strategy_idx],
            "impressions": impressions.astype(np.int64),
            "likes": likes.astype(np.int64),
            "comments": comments.astype(np.int64),
        }
    )


def true_effects(params: EngagementParams | None = None) -> pd.DataFrame:
    """The simulator's true incidence-rate ratios, named like :func:`fit_engagement`'s terms.

    Returns
    -------
    pandas.DataFrame
        One row per outcome and term: ``outcome``, ``term``, ``true_irr``.

    Examples
    --------
    >>> from b2bsm.engagement import true_effects
    >>> t = true_effects()
    >>> float(t.query("outcome == 'likes' and term == 'info_cues'")["true_irr"].round(3).iloc[0])
    1.105
    """
    p = EngagementParams() if params is None else params
    rows = []
    for outcome, scale, strat in (
        ("likes", 1.0, p.strategy_likes),
        ("comments", p.comment_cue_scale, p.strategy_comments),
    ):
        coefs = {
            "visual": p.visual,
            "info_cues": scale * p.info_text,
            "emo_cues": scale * p.emo_text,
            "visual:info_cues": scale * p.info_visual_extra,
            "visual:emo_cues": scale * p.emo_visual_extra,
        }
        for s in STRATEGIES[:-1]:
            coefs[f"strategy[{s}]"] = strat.get(s, 0.0)
        rows += [{"outcome": outcome, "term": t, "true_irr": math.exp(b)} for t, b in coefs.items()]
    return pd.DataFrame(rows)


FORMULA = "{outcome} ~ visual * (info_cues + emo_cues) + C(strategy, Treatment('other'))"


def _model_frame(df: pd.DataFrame, outcome: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of posts; got {type(df).__name__}.")
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {list(OUTCOMES)}; got {outcome!r}.")
    needed = ["followers", "format", "info_cues", "emo_cues", "strategy", outcome]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise KeyError(
            f"columns {missing} not found; fit_engagement needs {needed} "
            "(the columns of simulate_posts() or load_posts())."
        )
    frame = pd.DataFrame(
        {
            outcome: df[outcome].astype("float64").to_numpy(),
            "visual": (df["format"].astype(str) == "visual").astype("float64").to_numpy(),
            "info_cues": df["info_cues"].astype("float64").to_numpy(),
            "emo_cues": df["emo_cues"].astype("float64").to_numpy(),
            "strategy": df["strategy"].astype(str).to_numpy(),
            "followers": df["followers"].astype("float64").to_numpy(),
        }
    )
    if "account" in df.columns:
        frame["account"] = df["account"].astype(str).to_numpy()
    if frame.isna().any().any():
        raise ValueError("the posts have missing values; drop those rows before fitting.")
    if (frame["followers"] <= 0).any():
        raise ValueError("followers must be positive: it is the exposure offset log(followers).")
    return frame


#: Search range of the NB2 dispersion alpha.  The lower end is Poisson for any
#: practical purpose; the upper end is far beyond any engagement data.
_ALPHA_RANGE = (1e-8, 1e3)


def _nb2_loglik(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    """NB2 log-likelihood of counts ``y`` with means ``mu`` and dispersion ``alpha``."""
    from scipy.special import gammaln

    theta = 1.0 / alpha
    with np.errstate(all="ignore"):  # overflowing trial steps give -inf or NaN: rejected
        terms = (
            gammaln(y + theta)
            - gammaln(theta)
            - gammaln(y + 1)
            - theta * np.log1p(alpha * mu)
            + np.where(y > 0, y * (np.log(alpha * mu) - np.log1p(alpha * mu)), 0.0)
        )
    return float(np.sum(terms))


def _nb2_derivatives(y, X, offset, params):
    """Log-likelihood, score and Hessian of NB2 in (coefficients, log alpha)."""
    from scipy.special import digamma, polygamma

    beta, log_alpha = params[:-1], params[-1]
    alpha = math.exp(log_alpha)
    theta = 1.0 / alpha
    with np.errstate(over="ignore", invalid="ignore"):
        mu = np.exp(X @ beta + offset)
        loglik = _nb2_loglik(y, mu, alpha)
        tm = theta + mu
        d_eta = theta * (y - mu) / tm
        dd_eta = -theta * mu * (theta + y) / tm**2
        d_theta = digamma(y + theta) - digamma(theta) + np.log(theta / tm) + 1 - (theta + y) / tm
        dd_theta = (
            polygamma(1, y + theta) - polygamma(1, theta) + 1 / theta - 2 / tm + (theta + y) / tm**2
        )
        cross = -theta * (y - mu) * mu / tm**2  # d2 / (d eta d log alpha)
    k = X.shape[1]
    score = np.empty(k + 1)
    score[:k] = X.T @ d_eta
    score[k] = -theta * d_theta.sum()
    hessian = np.empty((k + 1, k + 1))
    hessian[:k, :k] = (X * dd_eta[:, None]).T @ X
    hessian[:k, k] = hessian[k, :k] = X.T @ cross
    hessian[k, k] = theta**2 * dd_theta.sum() + theta * d_theta.sum()
    return loglik, score, hessian


def _profile_alpha(y: np.ndarray, mu: np.ndarray) -> float:
    """Maximum-likelihood alpha for fixed means, searched on the log scale (always > 0)."""
    from scipy.optimize import minimize_scalar

    low, high = np.log(_ALPHA_RANGE)
    res = minimize_scalar(
        lambda log_alpha: -_nb2_loglik(y, mu, math.exp(log_alpha)),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-10, "maxiter": 500},
    )
    return math.exp(float(res.x))


def _fit_failed(why: str, family: str = "negbin") -> RuntimeError:
    model = "negative binomial" if family == "negbin" else "Poisson"
    advice = (
        "; with very few posts, try family='poisson' with cluster=True instead"
        if family == "negbin"
        else ""
    )
    return RuntimeError(
        f"the {model} fit failed: {why}. Check that the outcome is not (nearly) all zero and "
        f"that every strategy and format occurs with some engagement{advice}."
    )


def _separated(y: np.ndarray, X: np.ndarray) -> bool:
    """True if the log-link likelihood has no finite maximum (data separation).

    For Poisson and NB2 regressions with a log link the maximum likelihood
    estimates exist unless some direction ``d`` of the coefficients gives
    ``X d = 0`` on every post with a nonzero count and ``X d <= 0`` on the
    zero-count posts, strictly on some (Santos Silva & Tenreyro, 2010).  Moving
    along ``d`` then raises the likelihood forever: a coefficient runs off to
    minus infinity.  A small linear programme looks for such a ``d``.

    References
    ----------
    Santos Silva, J. M. C., & Tenreyro, S. (2010). On the existence of the maximum
    likelihood estimates in Poisson regression. *Economics Letters*, 107(2), 310-312.
    """
    from scipy.optimize import linprog

    zero, positive = X[y == 0], X[y > 0]
    if len(zero) == 0:
        return False
    scale = np.abs(X).max(axis=0)
    scale[scale == 0] = 1.0
    zero, positive = zero / scale, positive / scale
    found = linprog(
        c=zero.sum(axis=0),
        A_ub=zero,
        b_ub=np.zeros(len(zero)),
        A_eq=positive if len(positive) else None,
        b_eq=np.zeros(len(positive)) if len(positive) else None,
        bounds=(-1, 1),
        method="highs",
    )
    return bool(found.status == 0 and found.fun < -1e-7)


def _glm(y, X, offset, family, **fit_kw):
    """A statsmodels GLM fit whose warnings are judged by the caller's checks, not shown."""
    import warnings

    import statsmodels.api as sm

    with warnings.catch_warnings():
        # e.g. perfect-separation or iteration warnings on degenerate data: the
        # finiteness and maximum checks after every fit decide, with a clear error
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return sm.GLM(y, X, family=family, offset=offset).fit(**fit_kw)


def _newton_decrement(score: np.ndarray, hessian: np.ndarray) -> float:
    """How much log-likelihood one more Newton step could gain (inf if not a maximum)."""
    if not (np.all(np.isfinite(score)) and np.all(np.isfinite(hessian))):
        return math.inf
    hessian = (hessian + hessian.T) / 2
    if np.linalg.eigvalsh(hessian).max() >= 0:
        return math.inf
    return float(score @ np.linalg.solve(-hessian, score)) / 2


def _newton_nb2(y, X, offset, params, max_iter: int = 100):
    """Joint Newton ascent in (coefficients, log alpha) with step halving; None if it fails."""
    for _ in range(max_iter):
        loglik, score, hessian = _nb2_derivatives(y, X, offset, params)
        decrement = _newton_decrement(score, hessian)
        if not (math.isfinite(loglik) and math.isfinite(decrement)):
            return None
        if decrement < 1e-10:
            return params
        step = np.linalg.solve(-(hessian + hessian.T) / 2, score)
        t = 1.0
        while t > 1e-8:
            trial = params + t * step
            if abs(trial[-1]) < 40:  # alpha between 4e-18 and 2e17: keep the search sane
                with np.errstate(over="ignore"):
                    mu = np.exp(X @ trial[:-1] + offset)
                new = _nb2_loglik(y, mu, math.exp(trial[-1]))
                if math.isfinite(new) and new >= loglik - 1e-10:
                    break
            t /= 2
        else:
            return None
        params = trial
    return None


def _alternate_nb2(y, X, offset, beta, alpha):
    """MASS::glm.nb's algorithm: IRLS at fixed alpha, then alpha at fixed means, in turn."""
    import statsmodels.api as sm

    loglik = -math.inf
    for _ in range(200):
        family = sm.families.NegativeBinomial(alpha=alpha)
        step = _glm(y, X, offset, family, start_params=beta, tol=1e-10, maxiter=200)
        beta, mu = np.asarray(step.params), np.asarray(step.fittedvalues)
        if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(mu))):
            return None
        new_alpha = _profile_alpha(y, mu)
        new_loglik = _nb2_loglik(y, mu, new_alpha)
        settled = abs(math.log(new_alpha / alpha)) < 1e-9 and abs(new_loglik - loglik) < 1e-10 * (
            1 + abs(new_loglik)
        )
        alpha, loglik = new_alpha, new_loglik
        if settled:
            return np.append(beta, math.log(alpha))
    return None


def _fit_negbin(y: np.ndarray, X: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, float]:
    """NB2 maximum likelihood: coefficients and alpha, with alpha kept positive.

    Start: a Poisson fit for the coefficients and the best alpha for its means.
    Then Newton steps on the joint log-likelihood in (coefficients, log alpha):
    on the log scale alpha cannot turn negative, which is how statsmodels'
    Newton step in alpha itself produced NaN.  If Newton fails, fall back to
    R's ``MASS::glm.nb`` algorithm (alternate IRLS at fixed alpha and a search
    for alpha at fixed means).  The result must pass the checks of a maximum
    (finite score, negative-definite Hessian, negligible Newton step) or a
    RuntimeError says so.
    """
    import statsmodels.api as sm

    start = _glm(y, X, offset, sm.families.Poisson(), tol=1e-10)
    beta, mu = np.asarray(start.params), np.asarray(start.fittedvalues)
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(mu)) and np.all(mu > 0)):
        raise _fit_failed("even the Poisson start values are not finite")
    alpha = _profile_alpha(y, mu)
    params = _newton_nb2(y, X, offset, np.append(beta, math.log(alpha)))
    if params is None:
        params = _alternate_nb2(y, X, offset, beta, alpha)
    if params is None:
        raise _fit_failed("neither Newton steps nor alternating fits converged")
    _, score, hessian = _nb2_derivatives(y, X, offset, params)
    if not _newton_decrement(score, hessian) < 1e-6:
        raise _fit_failed("the likelihood has no well-defined maximum (flat or singular)")
    return params[:-1], math.exp(params[-1])


def _wald_table(names, X, y, offset, beta, alpha, groups) -> pd.DataFrame:
    """Coefficients with Wald intervals from the expected information (R's glm conventions).

    Model-based: (X'WX)^-1 with W = mu / (1 + alpha mu), as ``vcov(glm.nb(...))``.
    Clustered: the sandwich B M B with the same bread B, cluster sums of the
    scores x (y - mu) / (1 + alpha mu) in M, times G/(G-1) x (N-1)/(N-K), as
    ``sandwich::vcovCL(type = "HC1")``.
    """
    from scipy.stats import norm

    with np.errstate(over="ignore"):
        mu = np.exp(X @ beta + offset)
    weight = mu / (1 + alpha * mu)
    try:
        bread = np.linalg.inv((X * weight[:, None]).T @ X)
    except np.linalg.LinAlgError:
        raise _fit_failed("the information matrix is singular") from None
    if groups is None:
        cov = bread
    else:
        scores = X * ((y - mu) / (1 + alpha * mu))[:, None]
        codes, _ = pd.factorize(groups)
        sums = np.zeros((codes.max() + 1, X.shape[1]))
        np.add.at(sums, codes, scores)
        n, k, g = X.shape[0], X.shape[1], sums.shape[0]
        if g < 2:
            raise ValueError("cluster-robust standard errors need at least 2 accounts.")
        adjust = g / (g - 1) * (n - 1) / (n - k)
        cov = adjust * bread @ (sums.T @ sums) @ bread
    variances = np.diag(cov)
    if not (np.all(np.isfinite(variances)) and np.all(variances > 0)):
        raise _fit_failed("the standard errors are not finite", "negbin" if alpha else "poisson")
    se = np.sqrt(variances)
    z = norm.ppf(0.975)
    if np.abs(beta).max() + z * se.max() > 700:  # exp() of the interval ends would overflow
        raise _fit_failed("the intervals are too wide to compute", "negbin" if alpha else "poisson")
    return pd.DataFrame(
        {
            "term": [n.replace("C(strategy, Treatment('other'))[T.", "strategy[") for n in names],
            "coef": beta,
            "irr": np.exp(beta),
            "ci_low": np.exp(beta - z * se),
            "ci_high": np.exp(beta + z * se),
            "p_value": 2 * norm.sf(np.abs(beta / se)),
        }
    )


def fit_engagement(
    df: pd.DataFrame, outcome: str = "likes", family: str = "negbin", cluster: bool = True
) -> pd.DataFrame:
    """Fit a count regression of likes or comments with an audience offset.

    The model is ``outcome ~ visual * (info_cues + emo_cues) + strategy``
    (strategy ``other`` as reference) with offset ``log(followers)``, so the
    coefficients describe engagement *per follower*.

    Parameters
    ----------
    df : pandas.DataFrame
        Posts, as from :func:`simulate_posts` or :func:`b2bsm.data.load_posts`.
    outcome : {"likes", "comments"}
    family : {"negbin", "poisson"}, default "negbin"
        ``negbin``: NB2 regression (variance mu + alpha mu^2), coefficients
        and alpha by maximum likelihood.  The fit starts from a Poisson fit
        and takes Newton steps in (coefficients, log alpha), so alpha stays
        positive (falling back to R's ``MASS::glm.nb`` algorithm if needed);
        it agrees with ``glm.nb`` to about 1e-8, and its coefficients equal
        ``smf.glm(formula, df, family=sm.families.NegativeBinomial(
        alpha=alpha_hat), offset=np.log(df["followers"])).fit()``.
        ``poisson``: Poisson GLM (statsmodels); its model-based standard
        errors are too small for overdispersed counts.
    cluster : bool, default True
        ``True``: cluster-robust standard errors by ``account`` (posts of one
        account share its audience, so they are not independent), with the
        factor G/(G - 1) x (N - 1)/(N - K), as R's ``sandwich::vcovCL(fit,
        cluster = ~account, type = "HC1")``.  ``False``: model-based standard
        errors from the expected information at the estimated alpha, as
        ``vcov(glm.nb(...))``.

    Returns
    -------
    pandas.DataFrame
        One row per term: ``term``, ``coef``, ``irr`` (exp(coef)), ``ci_low`` and
        ``ci_high`` (95 % Wald interval of the IRR), ``p_value`` (two-sided Wald
        z test), ``se`` (how the standard errors were computed).  The estimated
        alpha is in ``.attrs["alpha"]`` (0 for Poisson), the log-likelihood in
        ``.attrs["loglik"]``.  Every number is finite.

    Raises
    ------
    RuntimeError
        When no finite maximum-likelihood fit exists (e.g. an outcome that is
        almost all zero); the message says what to try instead.

    Examples
    --------
    >>> from b2bsm.engagement import fit_engagement, simulate_posts
    >>> fit = fit_engagement(simulate_posts(3000, 40, seed=2), "likes")
    >>> "visual:info_cues" in set(fit["term"])
    True
    >>> bool(0 < fit.attrs["alpha"] < 2)
    True
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    if family not in ("negbin", "poisson"):
        raise ValueError(f"family must be 'negbin' or 'poisson'; got {family!r}.")
    if not isinstance(cluster, (bool, np.bool_)):
        raise TypeError(f"cluster must be True or False; got {cluster!r}.")
    frame = _model_frame(df, outcome)
    y = frame[outcome].to_numpy()
    if (y < 0).any() or (y != np.round(y)).any():
        raise ValueError(f"{outcome} must be whole numbers of 0 or more (counts).")
    if y.sum() == 0:
        raise ValueError(f"every post has 0 {outcome}; there is nothing to model.")
    offset = np.log(frame["followers"].to_numpy())
    design = smf.glm(FORMULA.format(outcome=outcome), frame, offset=offset)
    X = np.asarray(design.exog, dtype="float64")
    names = list(design.exog_names)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError(
            "some terms cannot be estimated from these posts (e.g. a strategy or format that "
            "never occurs); use more posts or drop that category first."
        )
    if _separated(y, X):
        raise _fit_failed(
            f"the likelihood has no finite maximum: the posts with any {outcome} all share a "
            "combination of strategy, cues and format that the other posts lack, so a "
            "coefficient runs off to minus infinity (separation)",
            family,
        )
    use_cluster = bool(cluster) and "account" in frame.columns
    groups = frame["account"].to_numpy() if use_cluster else None
    if family == "poisson":
        result = _glm(y, X, offset, sm.families.Poisson(), tol=1e-10)
        beta, alpha, loglik = np.asarray(result.params), 0.0, float(result.llf)
        if not (result.converged and np.all(np.isfinite(beta))):
            raise _fit_failed("IRLS did not converge to finite coefficients", family)
    else:
        beta, alpha = _fit_negbin(y, X, offset)
        loglik = _nb2_loglik(y, np.exp(X @ beta + offset), alpha)
    out = _wald_table(names, X, y, offset, beta, alpha, groups)
    out["se"] = "cluster-robust by account" if use_cluster else "model-based"
    numbers = out[["coef", "irr", "ci_low", "ci_high", "p_value"]].to_numpy()
    if not (np.all(np.isfinite(numbers)) and math.isfinite(alpha) and math.isfinite(loglik)):
        raise _fit_failed("some coefficients, intervals or p-values are not finite", family)
    out.attrs["alpha"] = float(alpha)
    out.attrs["loglik"] = float(loglik)
    return out


def overdispersion(df: pd.DataFrame, outcome: str = "likes") -> pd.DataFrame:
    """Check a Poisson model for overdispersion: Pearson chi2 / residual df.

    Near 1 the Poisson variance assumption holds; far above 1 the counts vary
    more than Poisson allows and a negative binomial model is needed.

    Returns
    -------
    pandas.DataFrame
        One row: ``outcome``, ``mean``, ``variance``, ``pearson_chi2``, ``df_resid``,
        ``dispersion_ratio``.

    Examples
    --------
    >>> from b2bsm.engagement import overdispersion, simulate_posts
    >>> bool(overdispersion(simulate_posts(2000, 30, seed=3))["dispersion_ratio"].iloc[0] > 2)
    True
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    frame = _model_frame(df, outcome)
    result = smf.glm(
        FORMULA.format(outcome=outcome),
        frame,
        family=sm.families.Poisson(),
        offset=np.log(frame["followers"].to_numpy()),
    ).fit()
    return pd.DataFrame(
        {
            "outcome": [outcome],
            "mean": [float(frame[outcome].mean())],
            "variance": [float(frame[outcome].var())],
            "pearson_chi2": [float(result.pearson_chi2)],
            "df_resid": [float(result.df_resid)],
            "dispersion_ratio": [float(result.pearson_chi2 / result.df_resid)],
        }
    )


# --------------------------------------------------------------------------
# Experiments: power by simulation
# --------------------------------------------------------------------------
def _check_experiment(effect_irr, posts_per_arm, dispersion, baseline, n_sims, alpha):
    def number(value):
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, (bool, np.bool_)
        )

    if not (number(effect_irr) and 0 < effect_irr <= 20):
        raise ValueError(
            f"effect_irr must be a ratio between 0 and 20 (1 = no effect); got {effect_irr!r}."
        )
    _positive_int(posts_per_arm, "posts_per_arm")
    if posts_per_arm < 2:
        raise ValueError("posts_per_arm must be at least 2 to estimate a variance.")
    if not (number(dispersion) and 0 <= dispersion < math.inf):
        raise ValueError(f"dispersion must be zero (Poisson) or positive; got {dispersion!r}.")
    if not (number(baseline) and 0 < baseline < math.inf):
        raise ValueError(
            f"baseline (mean count in the control arm) must be positive; got {baseline!r}."
        )
    _positive_int(n_sims, "n_sims")
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
    rng = _rng(seed)
    n = int(posts_per_arm)
    power = _simulate_rejections(rng, effect_irr, n, dispersion, baseline, n_sims, alpha)
    size = _simulate_rejections(rng, 1.0, n, dispersion, baseline, n_sims, alpha)
    return pd.DataFrame(
        {
            "effect_irr": [float(effect_irr)],
            "posts_per_arm": [n],
            "dispersion": [float(dispersion)],
            "baseline": [float(baseline)],
            "n_sims": [int(n_sims)],
            "power": [power],
            "mc_se": [math.sqrt(power * (1 - power) / n_sims)],
            "size": [size],
            "size_mc_se": [math.sqrt(size * (1 - size) / n_sims)],
            "test": [POWER_TEST],
        }
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
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    _check_experiment(effect_irr, posts_per_arm, dispersion, baseline, n_sims, alpha)
    rng = _rng(seed)
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
    return pd.DataFrame(
        {
            "effect_irr": [float(effect_irr)],
            "posts_per_arm": [n],
            "dispersion": [float(dispersion)],
            "baseline": [float(baseline)],
            "n_sims": [int(n_sims)],
            "power": [power],
            "mc_se": [math.sqrt(power * (1 - power) / n_sims)],
            "test": ["NB regression per experiment, alpha known (statsmodels loop)"],
        }
    )


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

    Examples
    --------
    >>> from b2bsm.engagement import power_curve
    >>> curve = power_curve(1.2, posts_per_arm=[50, 400], n_sims=500, seed=1)
    >>> bool(curve["power"].is_monotonic_increasing)
    True
    """
    rng = _rng(seed)
    sizes = [_positive_int(n, "posts_per_arm") for n in np.atleast_1d(posts_per_arm).tolist()]
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
        (share that a daily peeker would have stopped and declared a winner).
        ``.attrs["fixed_design_rate"]`` is the rate of testing once at the end,
        ``.attrs["test"]`` the test used.

    Examples
    --------
    >>> from b2bsm.engagement import peeking_false_positive_rate
    >>> t = peeking_false_positive_rate(days=10, n_sims=2000, seed=1)
    >>> bool(t["stopped_by_now"].iloc[-1] > t.attrs["fixed_design_rate"])
    True
    """
    _check_experiment(1.0, 2, dispersion, baseline, n_sims, alpha)
    d = _positive_int(days, "days")
    k = _positive_int(posts_per_day, "posts_per_day")
    rng = _rng(seed)
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
    out.attrs["fixed_design_rate"] = float(reject[:, -1].mean())
    out.attrs["test"] = POWER_TEST
    return out


#: Ranges offered by :func:`power_explorer` (posts per arm; largest dispersion).
EXPLORER_POSTS = (10, 1000)
EXPLORER_MAX_DISPERSION = 3.0


def _power_figure(effect_irr, posts_per_arm, dispersion, baseline=20.0, n_sims=500, seed=0):
    from matplotlib.figure import Figure

    from b2bsm.plots import OKABE_ITO

    sizes = np.unique(np.round(np.geomspace(*EXPLORER_POSTS, 12)).astype(int))
    curve = power_curve(effect_irr, sizes, dispersion, baseline, n_sims, seed)
    point = simulate_experiment_power(
        effect_irr, posts_per_arm, dispersion, baseline, n_sims * 2, seed + 1
    )
    size = float(point["size"].iloc[0])
    fig = Figure(figsize=(7, 4.2))
    ax = fig.subplots()
    ax.plot(curve["posts_per_arm"], curve["power"], marker="o", color=OKABE_ITO[0])
    ax.plot(posts_per_arm, point["power"].iloc[0], marker="D", markersize=10, color=OKABE_ITO[5])
    ax.axhline(0.8, color=OKABE_ITO[-1], linestyle="--", linewidth=1)
    ax.axhline(0.05, color=OKABE_ITO[-1], linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("posts per arm (log scale)")
    ax.set_ylabel("power (probability of p < 0.05)")
    ax.set_title(
        f"IRR {effect_irr:.2f}, dispersion {dispersion:.1f}: "
        f"power {point['power'].iloc[0]:.2f} at {posts_per_arm} posts per arm",
        loc="left",
        fontsize=11,
    )
    ax.grid(alpha=0.3)
    fig.text(
        0.99,
        0.01,
        f"t-test; simulated false-positive rate at {posts_per_arm} posts per arm: {size:.3f}",
        ha="right",
        va="bottom",
        fontsize=8,
    )
    return fig, float(point["power"].iloc[0]), size


def power_explorer(
    effect_irr: float = 1.2,
    posts_per_arm: int = 100,
    dispersion: float = 0.5,
    baseline: float = 20.0,
):
    """Interactive power explorer: sliders for effect, posts per arm, dispersion.

    ``baseline`` is the mean count in the control arm (fixed while exploring).
    The power curve is redrawn (by simulation, with the t-test of
    :func:`simulate_experiment_power`) whenever a slider moves, and the summary
    states the simulated false-positive rate (size) at the chosen design next
    to the power.  Slider ranges: posts per arm from
    ``EXPLORER_POSTS[0]`` to ``EXPLORER_POSTS[1]``, dispersion from 0 to
    ``EXPLORER_MAX_DISPERSION``; the test holds its size over all of them.  The
    figure is an ``ipywidgets.Image`` of a PNG, so it renders the same in
    JupyterLab, on Binder and in a static notebook view.

    Returns
    -------
    ipywidgets.VBox
        The sliders and the figure; ``box.figure`` is the Image widget and
        ``box.sliders`` a dict of the three sliders.
    """
    import ipywidgets as widgets

    from b2bsm.plots import png_bytes

    # redraw once the slider is released: each redraw runs a simulation
    common = {"continuous_update": False, "style": {"description_width": "initial"}}
    effect = widgets.FloatSlider(
        value=effect_irr,
        min=1.0,
        max=1.6,
        step=0.02,
        description="effect (IRR)",
        **common,
    )
    size = widgets.IntSlider(
        value=posts_per_arm,
        min=EXPLORER_POSTS[0],
        max=EXPLORER_POSTS[1],
        step=10,
        description="posts per arm",
        **common,
    )
    disp = widgets.FloatSlider(
        value=dispersion,
        min=0.0,
        max=EXPLORER_MAX_DISPERSION,
        step=0.1,
        description="dispersion (alpha)",
        **common,
    )
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="640px"))
    summary = widgets.HTML()

    def redraw(_change=None):
        fig, power, false_pos = _power_figure(effect.value, size.value, disp.value, baseline)
        image.value = png_bytes(fig)
        verdict = "enough" if power >= 0.8 else "too little"
        summary.value = (
            f"<b>Power {power:.2f}</b> with {size.value} posts per arm for a true IRR of "
            f"{effect.value:.2f} (dispersion {disp.value:.1f}, baseline {baseline:g}): "
            f"{verdict} for the usual 80 % target. Without any effect the test "
            f"rejects in {100 * false_pos:.1f} % of simulated experiments (its size; "
            "nominal 5 %)."
        )

    for slider in (effect, size, disp):
        slider.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([effect, size, disp]), summary, image])
    box.figure = image
    box.summary = summary
    box.sliders = {"effect": effect, "posts_per_arm": size, "dispersion": disp}
    return box
