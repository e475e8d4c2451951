"""Exercise set for lesson 07: modelling likes with count regressions (answer key).

Every student id gets its own simulated posts (same design as the shipped
file), so every computed answer differs between students; the model questions
also vary which post strategy (q3, q4) and which format (q2) they ask about.
"""

from __future__ import annotations

import functools

import pandas as pd

from b2bsm.exercises import data as _data
from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm_teach.exercises.sets._common import fair_question, per_dataset, varies

TITLE = "Lesson 07 · Content and engagement"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

load_data = functools.partial(_data.load_data, "07")

STRATEGY_WORDS = {
    "storytelling": "storytelling",
    "product_detail": "product-detail",
    "participation_invite": "participation-invite",
}
FORMAT_OPTIONS = [{"format": "visual"}, {"format": "text"}]
STRATEGY_OPTIONS = [
    {"strategy": key, "words": words, "term": f"strategy[{key}]"}
    for key, words in STRATEGY_WORDS.items()
]

# Model fits take seconds; keep them per dataset content (not per object: every
# load returns a fresh copy) so that checks and the hidden re-check reuse them.
_FITS: dict[tuple, pd.DataFrame] = {}


def posts(seed: int | None) -> pd.DataFrame:
    return _data.shared_data("07", seed)


@per_dataset  # a key asks for a dozen fits of one dataset: hash its 20,000 posts once
def _fingerprint(df: pd.DataFrame) -> tuple:
    hashed = pd.util.hash_pandas_object(df[["account", "followers", "likes"]], index=False)
    return (len(df), int(hashed.sum()))


def _fit(df: pd.DataFrame, family: str = "negbin", cluster: bool = True) -> pd.DataFrame:
    from b2bsm import engagement

    key = (_fingerprint(df), family, cluster)
    if key not in _FITS:
        if len(_FITS) > 24:
            _FITS.clear()
        _FITS[key] = engagement.fit_engagement(df, "likes", family=family, cluster=cluster)
    return _FITS[key].set_index("term")


# --------------------------------------------------------------------------- q1
def _dispersion_ratio(df, p=None):
    from b2bsm import engagement

    return float(engagement.overdispersion(df, "likes")["dispersion_ratio"].iloc[0])


def _raw_ratio(df, p=None):
    likes = df["likes"].astype(float)
    return float(likes.var() / likes.mean())


def _rate_ratio(df, p=None):
    rate = 1000 * df["likes"] / df["followers"]
    return float(rate.var() / rate.mean())


# --------------------------------------------------------------------------- q2
def _per_1000(df, p, fmt=None, how="median", scale=1000.0, per="followers"):
    rows = df[df["format"] == (fmt or p["format"])]
    return float((scale * rows["likes"] / rows[per]).agg(how))


def _other_format(df, p):
    return _per_1000(df, p, fmt="text" if p["format"] == "visual" else "visual")


def _ratio_of_medians(df, p):
    rows = df[df["format"] == p["format"]]
    return float(1000 * rows["likes"].median() / rows["followers"].median())


Q2_MISTAKES = [
    Mistake(
        lambda df, p: _per_1000(df, p, how="mean"),
        "That is the mean; a few viral posts pull it up. The question asks for the median.",
    ),
    Mistake(
        _other_format,
        "That is the median of the other format; keep only the posts of the format asked.",
    ),
    Mistake(
        lambda df, p: _per_1000(df, p, scale=1.0),
        "That is likes per follower; the question asks for likes per 1,000 followers.",
    ),
    Mistake(
        lambda df, p: _per_1000(df, p, per="impressions"),
        "That is likes per 1,000 impressions; the question asks per 1,000 followers (the "
        "size of the account's audience, as in the lesson's rate).",
        section="section 1, Meet the posts",
    ),
]
Q2_ALTERNATIVES = [
    _ratio_of_medians,
    lambda df, p: float(1000 * (df["likes"] / df["followers"]).median()),  # both formats
]


# --------------------------------------------------------------------------- q3, q4
def _irr(df, p, family="negbin", cluster=True, column="irr"):
    return float(_fit(df, family, cluster).loc[p["term"], column])


def _raw_rate_ratio(df, p):
    rate = df["likes"] / df["followers"]
    return float(
        rate[df["strategy"] == p["strategy"]].mean() / rate[df["strategy"] == "other"].mean()
    )


Q3_MISTAKES = [
    Mistake(
        lambda df, p: _irr(df, p, column="coef"),
        "That is the coefficient on the log scale; an IRR is its exponential.",
    ),
    Mistake(
        lambda df, p: _irr(df, p, "poisson", False),
        "That is the Poisson model's IRR; the question asks for the negative binomial model.",
    ),
]
Q3_ALTERNATIVES = [_raw_rate_ratio]


def _width(df, p, family, cluster):
    row = _fit(df, family, cluster).loc[p["term"]]
    return float(row["ci_high"] - row["ci_low"])


def _width_ratio(df, p):
    return _width(df, p, "negbin", True) / _width(df, p, "poisson", False)


Q4_MISTAKES = [
    Mistake(
        lambda df, p: _width(df, p, "poisson", False) / _width(df, p, "negbin", True),
        "You divided the other way round: the negative binomial width divided by the Poisson "
        "width.",
    ),
    Mistake(
        lambda df, p: _width(df, p, "negbin", True) / _width(df, p, "poisson", True),
        "Your Poisson model has account-clustered standard errors too; the question compares "
        "with a plain Poisson model (no clustering).",
    ),
]
Q4_ALTERNATIVES = [
    lambda df, p: _width(df, p, "poisson", True) / _width(df, p, "poisson", False),
]

STRATEGY_PARAMS = varies(
    posts,
    STRATEGY_OPTIONS,
    salt=703,
    also=[
        (_irr, [m.value for m in Q3_MISTAKES] + Q3_ALTERNATIVES, decimals(3), len(Q3_MISTAKES)),
        (
            _width_ratio,
            [m.value for m in Q4_MISTAKES] + Q4_ALTERNATIVES,
            decimals(1),
            len(Q4_MISTAKES),
        ),
    ],
)


QUESTIONS = [
    Question(
        id="q1",
        kind="number",
        prompt="The Poisson dispersion ratio (Pearson chi-square divided by the residual "
        "degrees of freedom) of the lesson's model for likes.",
        expected=_dispersion_ratio,
        precision=decimals(1),
        mistakes=[
            Mistake(
                _raw_ratio,
                "That is the raw variance / mean of likes. The dispersion ratio compares the "
                "counts with a Poisson MODEL's predictions.",
            ),
        ],
        alternatives=[_rate_ratio],
        hints=(
            "Under a Poisson model each squared Pearson residual should be about 1 on "
            "average; the ratio says how much more the counts vary.",
            "Fit the lesson's Poisson model for likes (with the follower offset) and divide "
            "its Pearson chi-square by its residual degrees of freedom; the lesson has a "
            "function that reports this.",
        ),
    ),
    fair_question(
        id="q2",
        kind="number",
        prompt="The median likes per 1,000 followers of the **{format}** posts.",
        expected=_per_1000,
        precision=decimals(2),
        mistakes=Q2_MISTAKES,
        alternatives=Q2_ALTERNATIVES,
        data=posts,
        options=FORMAT_OPTIONS,
        salt=702,
        hints=(
            "Accounts differ hugely in size, so compare posts by a rate: likes relative to "
            "the audience, post by post.",
            "Compute the rate for every post of that format, then take its median.",
        ),
    ),
    Question(
        id="q3",
        kind="number",
        points=2,
        prompt="The incidence rate ratio (IRR) of **{words}** posts against 'other' posts for "
        "likes, from the negative binomial model of lesson 07.",
        expected=_irr,
        precision=decimals(3),
        mistakes=Q3_MISTAKES,
        alternatives=Q3_ALTERNATIVES,
        params=STRATEGY_PARAMS,
        hints=(
            "An IRR compares expected likes per follower of two kinds of post with everything "
            "else in the model held fixed; it is a ratio, not a difference.",
            "Fit the lesson's negative binomial model for likes and read the IRR of the "
            "strategy's term; 'other' is the reference category.",
        ),
    ),
    Question(
        id="q4",
        kind="number",
        points=2,
        prompt="How many times wider is the 95 % interval of that IRR ({words}) in the "
        "negative binomial model with account-clustered standard errors than in a plain "
        "Poisson model (no clustering)? Divide the widths (upper - lower). Use the lesson's "
        "model function: its clustered errors follow R's glm.nb with sandwich::vcovCL (HC1); "
        "statsmodels' own clustered negative binomial gives slightly different widths.",
        expected=_width_ratio,
        precision=decimals(1),
        mistakes=Q4_MISTAKES,
        alternatives=Q4_ALTERNATIVES,
        params=STRATEGY_PARAMS,
        hints=(
            "Overdispersion and posts sharing an account both make the plain Poisson "
            "interval too narrow.",
            "Fit both models, take the interval of the same term in each, and divide the "
            "negative binomial width by the Poisson width.",
        ),
    ),
    Question(
        id="q5",
        kind="choice",
        prompt="Why does lesson 07 prefer the negative binomial model over the Poisson model "
        "for likes?",
        choices={
            "a": "Likes are not whole numbers once they are divided by the followers.",
            "b": "Likes vary far more than their mean; Poisson errors would be too small.",
            "c": "The negative binomial model gives larger and therefore more useful effect sizes.",
            "d": "A Poisson model cannot include an offset for the number of followers.",
        },
        correct="b",
        explanations={
            "a": "Both models count likes and put followers in an offset; nothing is divided.",
            "b": "Overdispersion leaves the IRRs nearly unchanged but makes Poisson's intervals "
            "and p-values much too optimistic.",
            "c": "The estimated IRRs are usually similar; what changes is their uncertainty.",
            "d": "Both models take log(followers) as an offset.",
        },
        hints=("Compare what each model assumes about the variance of a count.",),
    ),
    Question(
        id="q6",
        kind="choice",
        prompt="The model has an IRR of about 1.13 for visual:info_cues. What does it mean?",
        choices={
            "a": "On visual posts the informational cue's effect is 1.13 times that on text.",
            "b": "Visual posts get about 13 % more likes per follower than text posts do.",
            "c": "Each informational cue adds about 13 % more likes to every kind of post.",
            "d": "On average about 13 % of all likes go to visual posts that carry "
            "informational cues.",
        },
        correct="a",
        explanations={
            "a": "The informational cue's IRR on a visual post is exp(info_cues + "
            "visual:info_cues): this interaction multiplies its text-post effect by about "
            "1.13. It is that cue's alone: the emotional cue's interaction is about 0.92.",
            "b": "That would be the 'visual' term; an interaction term is a ratio between two "
            "effects.",
            "c": "That would be the 'info_cues' term for text posts; the interaction says how "
            "the cue effect changes on visual posts.",
            "d": "An IRR is a ratio of expected counts, not a share of all likes.",
        },
        hints=("An interaction term changes the effect of one variable depending on another.",),
    ),
    Question(
        id="q7",
        kind="open",
        points=2,
        prompt="A colleague fits a Poisson model without clustering and reports that "
        "storytelling 'significantly' beats product-detail posts. Explain in a few sentences "
        "why you would not trust this yet and how you would check it.",
        rubric="1 point: names the two reasons the Poisson p-value is too small "
        "(overdispersion: variance far above the mean; posts of one account are not "
        "independent). 1 point: a concrete check (refit with a negative binomial model and "
        "account-clustered standard errors, compare the storytelling and product-detail terms "
        "directly, e.g. by changing the reference category or testing the difference, and "
        "look at the interval rather than the star).",
    ),
]
