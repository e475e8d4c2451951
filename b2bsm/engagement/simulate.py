"""The engagement simulator: post-level likes and comments of B2B brand accounts.

Likes and comments are overdispersed counts that depend on the post's format
(visual or text), its informational and emotional cues and its content
strategy, on top of each account's audience.  Effect **directions** follow
Gu et al. (2023), who studied B2B brand posts on Instagram:
informational cues raise likes and comments, emotional cues lower them, and
both effects are stronger in visual posts.  Participation invites raising
comments follows the LinkedIn case study of Sundström et al. (2021).  The
effect **sizes** are illustrative choices of this kit, not estimates from
those papers: every one is a documented field of :class:`EngagementParams`.

Examples
--------
>>> from b2bsm.engagement import simulate_posts
>>> posts = simulate_posts(n_posts=1000, n_accounts=20, seed=1)
>>> posts.columns.tolist()[:5]
['post_id', 'account', 'followers', 'format', 'info_cues']
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from b2bsm._checks import random_generator, whole_number

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

    See Also
    --------
    EngagementParams : the assumptions behind the draws.
    true_effects : the IRRs the simulation builds in.
    b2bsm.engagement.fit_engagement : the regression that recovers them.
    b2bsm.data.load_posts : the shipped dataset, drawn with the default seed.

    Notes
    -----
    log E[likes] = log(followers) + log(likes_per_1000 / 1000) + visual effect
    + cue effects (stronger in visual posts) + strategy effect + account effect
    + post shock; comments alike with ``comment_cue_scale`` times the cue effects.
    Counts are negative binomial (a gamma-Poisson mixture), so they are
    overdispersed; the shared post shock makes likes and comments correlate.
    Product-detail posts carry more informational cues and storytelling posts
    more emotional cues, as real content does.

    References
    ----------
    Gu, W., Chan, K. W., Kwon, J., Dhaoui, C., & Septianto, F. (2023). Informational vs. emotional
        B2B firm-generated-content on social media engagement: Computerized visual and textual
        content analysis. *Industrial Marketing Management*, 112, 98-112.

    Examples
    --------
    >>> from b2bsm.engagement import simulate_posts
    >>> simulate_posts(n_posts=5, n_accounts=2, seed=0)["format"].tolist()
    ['text', 'visual', 'text', 'text', 'visual']
    """
    params = EngagementParams() if params is None else params
    if not isinstance(params, EngagementParams):
        raise TypeError(f"params must be an EngagementParams; got {type(params).__name__}.")
    n = whole_number(n_posts, "n_posts")
    k = whole_number(n_accounts, "n_accounts")
    rng = random_generator(seed)

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

    See Also
    --------
    simulate_posts : posts drawn with these effects.
    b2bsm.engagement.fit_engagement : the estimates to compare with them.

    References
    ----------
    Gu et al. (2023), as cited in :func:`simulate_posts`.

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
