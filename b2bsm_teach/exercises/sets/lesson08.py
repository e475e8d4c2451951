"""Exercise set for lesson 08: planning an engagement experiment from a pilot (answer key).

Lesson 08 plans with round values from the pilot (the mean to the nearest 5
likes, the dispersion to one decimal).  So that a student who rounds as taught
and one who copies the unrounded estimate are not judged differently by
accident, q2 and q3 state the planning values: they come from the student's
own pilot, rounded as the lesson does, and the prompt shows them.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from b2bsm.exercises import data as _data
from b2bsm.exercises.data import PILOT_SEED, make_pilot
from b2bsm.exercises.questions import Mistake, Question, decimals

TITLE = "Lesson 08 · Designing engagement experiments"
__all__ = ["DEFAULT_SEED", "QUESTIONS", "TITLE", "load_data", "make_pilot"]

DEFAULT_SEED = PILOT_SEED
TARGET_IRR = 1.2

load_data = functools.partial(_data.load_data, "08")


def _moments(df: pd.DataFrame, ddof: int = 1) -> tuple[float, float]:
    likes = df["likes"].astype(float)
    mean, var = float(likes.mean()), float(likes.var(ddof=ddof))
    return mean, (var - mean) / mean**2


def planning_values(seed: int | None) -> dict[str, float]:
    """The pilot's planning values, rounded as lesson 08 rounds them.

    >>> sorted(planning_values(None))
    ['alpha', 'mu']
    """
    mean, alpha = _moments(_data.shared_data("08", seed))
    return {"mu": int(5 * round(mean / 5)), "alpha": round(alpha, 1)}


def _z(alpha: float = 0.05, power: float = 0.8, sides: int = 2) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - alpha / sides) + norm.ppf(power))


# --------------------------------------------------------------------------- q1
def _nb_mle(df):
    """Maximum-likelihood NB2 alpha of an intercept-only model (another estimator)."""
    import numpy as np
    from scipy.optimize import minimize_scalar
    from scipy.special import gammaln

    y = df["likes"].to_numpy(dtype=float)
    mu = y.mean()

    def nll(log_alpha):
        a = math.exp(log_alpha)
        r = 1 / a
        return -float(
            np.sum(
                gammaln(y + r)
                - gammaln(r)
                - gammaln(y + 1)
                + r * np.log(r / (r + mu))
                + y * np.log(mu / (r + mu))
            )
        )

    return math.exp(minimize_scalar(nll, bounds=(-8, 4), method="bounded").x)


# --------------------------------------------------------------------------- q2, q3
def _se(p, n, arms=2.0, poisson=False):
    variance = 1 / float(p["mu"]) + (0.0 if poisson else float(p["alpha"]))
    return math.sqrt(arms * variance / n)


def _mde(df, p, n=None, sides=2, arms=2.0, power=0.8):
    n = int(p["posts"]) if n is None else n
    return math.exp(_z(sides=sides, power=power) * _se(p, n, arms))


def _posts(df, p, effect=None, poisson=False, sides=2, ceil=True):
    variance = 1 / float(p["mu"]) + (0.0 if poisson else float(p["alpha"]))
    effect = math.log(TARGET_IRR) if effect is None else effect
    n = 2 * variance * _z(sides=sides) ** 2 / effect**2
    return math.ceil(n) if ceil else n


POSTS_OPTIONS = (100, 150, 200, 250, 300, 400)


def _params(seed):
    """The planning values of the student's pilot, and the posts per arm of q2."""
    rng = np.random.default_rng([801, 0 if seed is None else int(seed) + 1])
    return {**planning_values(seed), "posts": int(rng.choice(POSTS_OPTIONS))}


QUESTIONS = [
    Question(
        id="q1",
        kind="number",
        prompt="Estimate the negative binomial dispersion alpha of your pilot's likes by the "
        "method of moments, (variance - mean) / mean**2, with the sample variance (divisor "
        "n - 1).",
        expected=lambda df: _moments(df)[1],
        precision=decimals(3),
        mistakes=[
            Mistake(
                lambda df: _moments(df, ddof=0)[1],
                "Your variance divides by n (numpy's default); the sample variance divides by "
                "n - 1.",
            ),
            Mistake(
                lambda df: float(df["likes"].var() / df["likes"].mean()),
                "That is variance / mean, the Poisson dispersion index. The NB alpha is "
                "(variance - mean) / mean**2.",
            ),
            Mistake(
                _nb_mle,
                "That looks like the maximum-likelihood alpha of a fitted negative binomial "
                "model; the question asks for the method-of-moments estimate, computed from "
                "the sample mean and variance alone.",
                section='section 2, What does "normal" engagement look like?',
            ),
        ],
        alternatives=[
            lambda df: float((df["likes"].var() - df["likes"].mean()) / df["likes"].mean()),
        ],
        hints=(
            "A negative binomial count varies more than a Poisson count: its variance exceeds "
            "the mean by alpha times the squared mean.",
            "Take the sample mean and the sample variance of likes (divisor n - 1, as in "
            "lesson 08), subtract the mean from the variance and divide by the squared mean.",
        ),
    ),
    Question(
        id="q2",
        kind="number",
        points=2,
        prompt="Plan as lesson 08 does, with round values from your pilot: a baseline of "
        "{mu} likes per post and a dispersion alpha of {alpha}. With {posts} posts per arm, a "
        "two-sided test at 5 % and 80 % power, what is the minimum detectable IRR?",
        expected=_mde,
        precision=decimals(2),
        mistakes=[
            Mistake(
                lambda df, p: _mde(df, p, sides=1),
                "You used a one-sided critical value; the test is two-sided, so 2.5 % goes in "
                "each tail.",
            ),
            Mistake(
                lambda df, p: _mde(df, p, n=int(p["posts"]) / 2),
                "You split the posts over the two arms; the question gives the posts PER arm.",
            ),
            Mistake(
                lambda df, p: _mde(df, p, arms=1),
                "Your standard error lacks the factor 2: the log ratio of two arms' means "
                "carries the variance of both arms.",
            ),
            Mistake(
                lambda df, p: math.exp(_z() * _se(p, int(p["posts"]), poisson=True)),
                "You used Poisson variance (1/mu only) in the standard error; likes are "
                "overdispersed, so each arm's variance is 1/mu + alpha.",
                section="section 3, Minimum detectable effect",
            ),
        ],
        alternatives=[
            lambda df, p: _mde(df, p, power=0.9),
            lambda df, p: 1 + _z() * _se(p, int(p["posts"])),  # a difference, not a ratio
        ],
        params=_params,
        hints=(
            "The smallest detectable effect is the critical value plus the power quantile, "
            "times the standard error of the log ratio, taken back to the ratio scale.",
            "Lesson 08's standard error of the log ratio uses the baseline, alpha and the "
            "posts per arm; the two quantiles come from the normal distribution.",
        ),
    ),
    Question(
        id="q3",
        kind="number",
        points=2,
        prompt="With the same planning values ({mu} likes per post, alpha {alpha}), how many "
        "posts PER ARM does the experiment need to detect an IRR of 1.2 with 80 % power in a "
        "two-sided 5 % test? Use the exact normal quantiles (not 1.96 and 0.84) and round up "
        "to a whole post.",
        expected=_posts,
        precision=decimals(0),
        mistakes=[
            Mistake(
                lambda df, p: 2 * _posts(df, p),
                "That is the total over both arms; the question asks for posts per arm.",
            ),
            Mistake(
                lambda df, p: _posts(df, p, effect=TARGET_IRR - 1),
                "You used 0.2 as the effect; on the log scale an IRR of 1.2 is log(1.2).",
            ),
            Mistake(
                lambda df, p: _posts(df, p, poisson=True),
                "You planned with Poisson variance (1/mu only); likes are overdispersed, so "
                "alpha belongs in the variance.",
            ),
            Mistake(
                lambda df, p: math.floor(_posts(df, p, ceil=False)),
                "You rounded down (or to the nearest post). Fewer posts than computed give "
                "less than 80 % power, so a sample size is always rounded UP.",
                section="section 3, Minimum detectable effect",
            ),
        ],
        alternatives=[
            lambda df, p: _posts(df, p, sides=1),
            lambda df, p: math.ceil(_posts(df, p, ceil=False) / 2),
        ],
        params=_params,
        hints=(
            "Turn q2 around: instead of the effect for a given n, find the n whose minimum "
            "detectable IRR is exactly 1.2.",
            "Use q2's relation the other way round: fix the effect at an IRR of 1.2 and solve "
            "for the posts per arm; round up, since a fraction of a post is not enough.",
        ),
    ),
    Question(
        id="q4",
        kind="choice",
        prompt="Your manager wants to check the experiment every day and stop as soon as "
        "p < 0.05. What happens?",
        choices={
            "a": "Nothing changes at all: a 5 % test stays a 5 % test however often you look.",
            "b": "The experiment gains power for free, because it can stop early.",
            "c": "The p-values become too large, so real effects are missed more often.",
            "d": "False positives become far more likely than 5 %, one chance per look.",
        },
        correct="d",
        explanations={
            "a": "Each daily test has a 5 % false-positive rate; stopping at the first success "
            "across 20 looks makes a false alarm far more likely.",
            "b": "Stopping early on noise is not power; it is a false positive.",
            "c": "The p-values are not biased upwards; the problem is picking the smallest.",
            "d": "Lesson 08's simulation shows the rate growing with every look; fix the sample "
            "size or use a sequential design made for interim looks.",
        },
        hints=("Each look is another test of the same hypothesis.",),
    ),
    Question(
        id="q5",
        kind="choice",
        prompt="Which of these belongs in the pre-registration, written BEFORE any post goes out?",
        choices={
            "a": "The observed IRR and its confidence interval from the experiment.",
            "b": "The significance threshold, chosen once the first results are in.",
            "c": "The outcome (likes after 7 days), posts per arm, model and test.",
            "d": "The list of posts that went viral, so they can be excluded later.",
        },
        correct="c",
        explanations={
            "a": "Results cannot be registered before they exist; a plan fixes how they will "
            "be analysed.",
            "b": "Choosing the threshold after seeing results is what pre-registration prevents.",
            "c": "Fixing outcome, sample size and analysis in advance closes the garden of "
            "forking paths.",
            "d": "Which posts go viral is known only afterwards; exclusion rules are fixed "
            "before, without looking.",
        },
        hints=("A pre-registration can only hold what is known before the data exist.",),
    ),
    Question(
        id="q6",
        kind="open",
        points=2,
        prompt="Write a five-line pre-registration for testing image posts against text-only "
        "posts on your account: question, randomisation, outcome, sample size (from q3) and "
        "the analysis.",
        rubric="1 point: question, unit and randomisation (each post assigned by a seeded "
        "coin flip) and a fixed outcome window (e.g. likes after 7 days) are stated. 1 point: "
        "the sample size from q3 with its assumptions (baseline, alpha, IRR 1.2, 80 % power, "
        "two-sided 5 %) and the analysis (ratio of means or NB model, one test at the end, no "
        "peeking) are stated.",
    ),
]
