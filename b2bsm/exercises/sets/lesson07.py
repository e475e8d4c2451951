"""Exercise set for lesson 07: modelling likes with count regressions."""

from __future__ import annotations

import pandas as pd

from b2bsm.exercises.questions import Mistake, Question

TITLE = "Lesson 07 · Content and engagement"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

TERM = "strategy[storytelling]"

# Model fits take a second or two; keep them per dataset object so that a
# student's checks and the hidden re-check do not refit the same model.
_FITS: dict[tuple[int, str, bool], tuple[pd.DataFrame, pd.DataFrame]] = {}


def load_data(seed: int | None) -> pd.DataFrame:
    """The shipped posts (seed None) or the student's own simulated posts (same design)."""
    from b2bsm import engagement

    return engagement.load_posts() if seed is None else engagement.simulate_posts(seed=seed)


def _fit(df: pd.DataFrame, family: str = "negbin", cluster: bool = True) -> pd.DataFrame:
    from b2bsm import engagement

    key = (id(df), family, cluster)
    cached = _FITS.get(key)
    if cached is None or cached[0] is not df:
        if len(_FITS) > 16:
            _FITS.clear()
        cached = (df, engagement.fit_engagement(df, "likes", family=family, cluster=cluster))
        _FITS[key] = cached
    return cached[1].set_index("term")


def _per_1000(df: pd.DataFrame, fmt: str = "visual", how: str = "median", scale=1000.0) -> float:
    rows = df[df["format"] == fmt]
    return float((scale * rows["likes"] / rows["followers"]).agg(how))


def _width(df: pd.DataFrame, family: str, cluster: bool) -> float:
    row = _fit(df, family, cluster).loc[TERM]
    return float(row["ci_high"] - row["ci_low"])


def _dispersion_ratio(df: pd.DataFrame) -> float:
    from b2bsm import engagement

    return float(engagement.overdispersion(df, "likes")["dispersion_ratio"].iloc[0])


def _raw_ratio(df: pd.DataFrame) -> float:
    likes = df["likes"].astype(float)
    return float(likes.var() / likes.mean())


QUESTIONS = [
    Question(
        id="q1",
        prompt="Poisson dispersion ratio (Pearson chi2 / residual df) for likes, 1 decimal.",
        kind="number",
        tolerance=0.05,
        expected=_dispersion_ratio,
        mistakes=[
            Mistake(
                _raw_ratio,
                "That is the raw variance / mean of likes. The dispersion ratio compares the "
                "counts with a Poisson MODEL's predictions: engagement.overdispersion.",
            ),
        ],
    ),
    Question(
        id="q2",
        prompt="Median likes per 1,000 followers of VISUAL posts (2 decimals).",
        kind="number",
        tolerance=0.005,
        expected=_per_1000,
        mistakes=[
            Mistake(
                lambda df: _per_1000(df, how="mean"),
                "That is the mean; a few viral posts pull it up. The question asks for the median.",
            ),
            Mistake(
                lambda df: _per_1000(df, fmt="text"),
                "That is the median of TEXT posts; keep the visual posts.",
            ),
            Mistake(
                lambda df: _per_1000(df, scale=1.0),
                "That is likes per follower; multiply by 1,000 for likes per 1,000 followers.",
            ),
        ],
        hint="likes / followers * 1000 for the rows with format == 'visual', then the median.",
    ),
    Question(
        id="q3",
        prompt="Incidence rate ratio (IRR) of storytelling vs 'other' posts for likes, from "
        "the negative binomial model of lesson 07 (3 decimals).",
        kind="number",
        points=2,
        tolerance=0.0006,
        expected=lambda df: float(_fit(df).loc[TERM, "irr"]),
        mistakes=[
            Mistake(
                lambda df: float(_fit(df).loc[TERM, "coef"]),
                "That is the coefficient on the log scale; exponentiate it to get the IRR.",
            ),
            Mistake(
                lambda df: float(_fit(df, "poisson", False).loc[TERM, "irr"]),
                "That is the Poisson model's IRR; the question asks for the negative "
                "binomial model (family='negbin').",
            ),
        ],
        hint="engagement.fit_engagement(posts, 'likes') and the row 'strategy[storytelling]'.",
    ),
    Question(
        id="q4",
        prompt="How many times wider is the 95 % CI of that IRR in the negative binomial "
        "model with account-clustered SEs than in a plain Poisson model (no clustering)? "
        "Divide the widths (upper - lower), 1 decimal.",
        kind="number",
        points=2,
        tolerance=0.05,
        expected=lambda df: _width(df, "negbin", True) / _width(df, "poisson", False),
        mistakes=[
            Mistake(
                lambda df: _width(df, "poisson", False) / _width(df, "negbin", True),
                "You divided the other way round: the negative binomial width divided by the "
                "Poisson width.",
            ),
            Mistake(
                lambda df: _width(df, "negbin", False) / _width(df, "poisson", False),
                "Your negative binomial fit has no clustered SEs (cluster=False); the question "
                "asks for cluster=True.",
            ),
        ],
    ),
    Question(
        id="q5",
        prompt="Why does lesson 07 prefer the negative binomial model over the Poisson model "
        "for likes?",
        kind="choice",
        choices={
            "a": "Likes are not whole numbers.",
            "b": "Poisson assumes variance = mean; likes vary far more, so Poisson standard "
            "errors and p-values are far too optimistic.",
            "c": "The negative binomial model always gives larger effects.",
            "d": "Poisson models cannot include an offset for followers.",
        },
        correct="b",
        explanations={
            "a": "Likes are counts, which is exactly what both models are for.",
            "b": "Overdispersion leaves the IRRs nearly unchanged but makes Poisson's "
            "confidence intervals much too narrow.",
            "c": "The estimated IRRs are usually similar; what changes is their uncertainty.",
            "d": "Both models take log(followers) as an offset.",
        },
    ),
    Question(
        id="q6",
        prompt="The model has an IRR of about 1.13 for visual:info_cues. What does it mean?",
        kind="choice",
        choices={
            "a": "Visual posts get 13 % more likes than text posts.",
            "b": "Each informational cue adds 13 % more likes to every post.",
            "c": "On visual posts, each informational cue multiplies likes per follower by "
            "about 1.13 more than it does on text posts.",
            "d": "13 % of the likes come from informational visual posts.",
        },
        correct="c",
        explanations={
            "a": "That would be the 'visual' term; an interaction term is a difference between "
            "effects.",
            "b": "That would be the 'info_cues' term for text posts; the interaction says how "
            "the cue effect changes on visual posts.",
            "c": "The cue's IRR on a visual post is exp(info_cues + visual:info_cues).",
            "d": "An IRR is a ratio of expected counts, not a share of all likes.",
        },
    ),
    Question(
        id="q7",
        prompt="A colleague fits a Poisson model without clustering and reports that "
        "storytelling 'significantly' beats product-detail posts. Explain in a few sentences "
        "why you would not trust this yet and how you would check it.",
        kind="open",
        points=2,
    ),
]
