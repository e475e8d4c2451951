"""Exercise set for lesson 08: planning an engagement experiment from a pilot."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from b2bsm.exercises.questions import Mistake, Question

TITLE = "Lesson 08 · Designing engagement experiments"
__all__ = ["QUESTIONS", "TITLE", "load_data", "make_pilot"]

DEFAULT_SEED = 2024
PILOT_POSTS = 80
TARGET_IRR = 1.2
POSTS_PER_ARM = 200


def make_pilot(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Likes of 80 pilot posts of one account: negative binomial (gamma-Poisson) counts.

    The account's true mean (20-60 likes) and dispersion (0.4-1.2) are drawn
    from the seed, so every student plans from a different pilot.

    Examples
    --------
    >>> make_pilot(1).shape
    (80, 2)
    """
    rng = np.random.default_rng(seed)
    mean = float(rng.uniform(20, 60))
    dispersion = float(rng.uniform(0.4, 1.2))
    rate = rng.gamma(shape=1 / dispersion, scale=mean * dispersion, size=PILOT_POSTS)
    return pd.DataFrame({"post": np.arange(1, PILOT_POSTS + 1), "likes": rng.poisson(rate)})


def load_data(seed: int | None) -> pd.DataFrame:
    """The student's pilot posts (the shared pilot without a student id)."""
    return make_pilot(DEFAULT_SEED if seed is None else seed)


def _moments(df: pd.DataFrame, ddof: int = 1) -> tuple[float, float]:
    likes = df["likes"].astype(float)
    mean, var = float(likes.mean()), float(likes.var(ddof=ddof))
    return mean, (var - mean) / mean**2


def _z(alpha: float = 0.05, power: float = 0.8, sides: int = 2) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - alpha / sides) + norm.ppf(power))


def _mde(df: pd.DataFrame, n: float = POSTS_PER_ARM, sides: int = 2, arms: float = 2) -> float:
    mean, dispersion = _moments(df)
    se = math.sqrt(arms * (1 / mean + dispersion) / n)
    return math.exp(_z(sides=sides) * se)


def _posts_needed(df: pd.DataFrame, effect: float | None = None, poisson: bool = False) -> int:
    mean, dispersion = _moments(df)
    variance = 1 / mean + (0.0 if poisson else dispersion)
    effect = math.log(TARGET_IRR) if effect is None else effect
    return math.ceil(2 * variance * _z() ** 2 / effect**2)


QUESTIONS = [
    Question(
        id="q1",
        prompt="Estimate the negative binomial dispersion alpha of the pilot's likes by the "
        "method of moments, (variance - mean) / mean**2, with the sample variance "
        "(ddof=1, pandas' default). 3 decimals.",
        kind="number",
        tolerance=0.0006,
        expected=lambda df: _moments(df)[1],
        mistakes=[
            Mistake(
                lambda df: _moments(df, ddof=0)[1],
                "Your variance divides by n (ddof=0, numpy's default); the sample variance "
                "divides by n - 1. Use pilot['likes'].var() or np.var(..., ddof=1).",
            ),
            Mistake(
                lambda df: float(df["likes"].var() / df["likes"].mean()),
                "That is variance / mean, the Poisson dispersion index. The NB alpha is "
                "(variance - mean) / mean**2.",
            ),
        ],
    ),
    Question(
        id="q2",
        prompt="With 200 posts per arm, a two-sided test at 5 % and 80 % power, what is the "
        "minimum detectable IRR? Use the pilot's mean and your alpha in lesson 08's formula "
        "se = sqrt(2 (1/mu + alpha) / n). 3 decimals.",
        kind="number",
        points=2,
        tolerance=0.0015,
        expected=_mde,
        mistakes=[
            Mistake(
                lambda df: _mde(df, sides=1),
                "You used a one-sided critical value (1.645); the test is two-sided "
                "(norm.ppf(0.975)).",
            ),
            Mistake(
                lambda df: _mde(df, n=POSTS_PER_ARM / 2),
                "You split 200 posts over the two arms; the question gives 200 posts PER arm.",
            ),
            Mistake(
                lambda df: _mde(df, arms=1),
                "Your standard error lacks the factor 2: the log ratio of two arms' means has "
                "the variance of both arms.",
            ),
        ],
        hint="z = norm.ppf(0.975) + norm.ppf(0.8); the answer is exp(z * se).",
    ),
    Question(
        id="q3",
        prompt="How many posts PER ARM does the experiment need to detect an IRR of 1.2 with "
        "80 % power (two-sided 5 % test)? Round up to a whole post.",
        kind="number",
        points=2,
        tolerance=1,
        expected=_posts_needed,
        mistakes=[
            Mistake(
                lambda df: 2 * _posts_needed(df),
                "That is the total over both arms; the question asks for posts per arm.",
            ),
            Mistake(
                lambda df: _posts_needed(df, effect=TARGET_IRR - 1),
                "You used 0.2 as the effect; on the log scale the effect is log(1.2).",
            ),
            Mistake(
                lambda df: _posts_needed(df, poisson=True),
                "You planned with Poisson variance (1/mu only); likes are overdispersed, so "
                "add alpha.",
            ),
        ],
        hint="Solve se = log(1.2) / z for n: n = 2 (1/mu + alpha) z**2 / log(1.2)**2.",
    ),
    Question(
        id="q4",
        prompt="Your manager wants to check the experiment every day and stop as soon as "
        "p < 0.05. What happens?",
        kind="choice",
        choices={
            "a": "Nothing: a 5 % test stays a 5 % test however often you look.",
            "b": "The experiment gets more power for free.",
            "c": "The chance of a false positive rises well above 5 %, because every look is "
            "another chance for noise to cross the line.",
            "d": "The p-values become too large.",
        },
        correct="c",
        explanations={
            "a": "Each daily test has a 5 % false-positive rate; stopping at the first success "
            "across 20 looks makes a false alarm far more likely.",
            "b": "Stopping early on noise is not power; it is a false positive.",
            "c": "Lesson 08's simulation shows the rate growing with every look; fix the "
            "sample size or use a sequential design made for interim looks.",
            "d": "The p-values are not biased upwards; the problem is choosing the smallest.",
        },
    ),
    Question(
        id="q5",
        prompt="Which of these belongs in the pre-registration, written BEFORE any post goes out?",
        kind="choice",
        choices={
            "a": "The observed IRR.",
            "b": "Which outcome counts (likes after 7 days), the posts per arm, the model and "
            "the test.",
            "c": "The p-value threshold chosen after seeing which tests came out significant.",
            "d": "A list of the posts that went viral.",
        },
        correct="b",
        explanations={
            "a": "Results cannot be registered before they exist; a plan fixes how they will be "
            "analysed.",
            "b": "Fixing outcome, sample size and analysis in advance is what stops the "
            "garden of forking paths.",
            "c": "Choosing the threshold after the fact is exactly what pre-registration prevents.",
            "d": "That is an outcome, known only after the experiment.",
        },
    ),
    Question(
        id="q6",
        prompt="Write a five-line pre-registration for testing image posts against text-only "
        "posts on your account: question, randomisation, outcome, sample size (from q3) and "
        "the analysis.",
        kind="open",
        points=2,
    ),
]
