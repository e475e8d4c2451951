"""Practice questions of lesson 08 (designing engagement experiments), on the shipped posts.

The planning values are the lesson's: the median-sized account's likes, the mean rounded to
the nearest 5 and the moment estimate of the dispersion to one decimal.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy.stats import norm

from b2bsm.data import load_posts
from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm.practice import practice_set

TITLE = "Lesson 08 practice"
load_data = load_posts
POSTS_PER_WEEK = 3
Z = norm.ppf(0.975) + norm.ppf(0.8)


def planning_values(data: pd.DataFrame) -> tuple[int, float]:
    """(baseline likes, dispersion) of the posts in ``data``, as lesson 08 rounds them."""
    per_account = data.groupby("account")["followers"].first()
    pilot_account = per_account.sort_values().index[len(per_account) // 2]
    likes = data.loc[data["account"] == pilot_account, "likes"].astype(float)
    mean, var = likes.mean(), likes.var()
    return round(mean / 5) * 5, round((var - mean) / mean**2, 1)


def _n(posts, irr=1.2, poisson=False, z=Z, effect=None):
    mu, alpha = planning_values(posts)
    variance = 1 / mu + (0.0 if poisson else alpha)
    effect = math.log(irr) if effect is None else effect
    return math.ceil(2 * variance * z**2 / effect**2)


def _weeks(posts, arms=2, per_week=POSTS_PER_WEEK):
    return arms * _n(posts) / per_week


def _impressions(data, sides=2, total=False):
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    h = proportion_effectsize(0.006, 0.005)
    n = NormalIndPower().solve_power(
        effect_size=h, alpha=0.05, power=0.8, alternative="two-sided" if sides == 2 else "larger"
    )
    return 2 * n if total else n


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt="The page posts 3 times a week. How many WEEKS of posting does the design for "
        "an IRR of 1.2 need (both arms, with the posts per arm from the planning formula)?",
        expected=_weeks,
        precision=decimals(0),
        mistakes=[
            Mistake(
                lambda d: _weeks(d, arms=1),
                "That covers one arm only; every post goes to one arm, so both arms' posts "
                "must be published.",
            ),
            Mistake(
                lambda d: _weeks(d) / 52,
                "That is in years; the question asks for weeks.",
            ),
        ],
    ),
    Question(
        id="p2",
        kind="number",
        prompt="Accept a larger detectable effect: how many posts PER ARM does an IRR of 1.5 "
        "need (80 % power, two-sided 5 %, same planning values, rounded up)?",
        expected=lambda d: _n(d, irr=1.5),
        precision=decimals(0),
        mistakes=[
            Mistake(
                lambda d: _n(d, effect=0.5),
                "You used 0.5 as the effect; on the log scale an IRR of 1.5 is log(1.5).",
            ),
            Mistake(
                lambda d: _n(d, irr=1.5, poisson=True),
                "You planned with Poisson variance (1/mu only); likes are overdispersed, so "
                "the dispersion belongs in the variance.",
            ),
        ],
    ),
    Question(
        id="p3",
        kind="number",
        prompt="A sponsored-post split test: 0.5 % of impressions engage with version A, and "
        "you want to detect 0.6 % for version B. How many impressions PER VERSION does a "
        "two-sided 5 % test with 80 % power need (Cohen's h with statsmodels)?",
        expected=_impressions,
        precision=decimals(0),
        mistakes=[
            Mistake(
                lambda d: _impressions(d, sides=1),
                "That is a one-sided test; the plan is two-sided.",
            ),
            Mistake(
                lambda d: _impressions(d, total=True),
                "That is the total over both versions; the question asks per version.",
            ),
        ],
    ),
]

check, question = practice_set(TITLE, QUESTIONS, load_data)
