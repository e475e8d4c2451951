"""Exercise set for lesson 03: adoption by firm size."""

from __future__ import annotations

from b2bsm.exercises.questions import Mistake, Question
from b2bsm.exercises.sets._survey import load_data, size_frame

TITLE = "Lesson 03 · Adoption by firm size"
__all__ = ["QUESTIONS", "TITLE", "load_data"]


def _chi2(df, correction=False, lambda_="pearson", row="large"):
    from b2bsm import stats

    res = stats.chi2_independence(
        size_frame(df), row, "external", correction=correction, lambda_=lambda_
    )
    return res.iloc[0]


def _fisher(df, alternative="two-sided"):
    from b2bsm import stats

    return float(
        stats.fisher_exact_test(size_frame(df), "large", "external", alternative=alternative)[
            "p_value"
        ].iloc[0]
    )


QUESTIONS = [
    Question(
        id="q1",
        prompt="Pearson chi-square WITHOUT continuity correction for large vs SME firms x "
        "external use (2 decimals).",
        kind="number",
        points=2,
        tolerance=0.01,
        expected=lambda df: float(_chi2(df)["chi2"]),
        mistakes=[
            Mistake(
                lambda df: float(_chi2(df, correction=True)["chi2"]),
                "That value has Yates' continuity correction in it: scipy's chi2_contingency "
                "applies it to 2 x 2 tables by default. Pass correction=False.",
            ),
            Mistake(
                lambda df: float(_chi2(df, lambda_="log-likelihood")["chi2"]),
                "That is the likelihood-ratio G statistic; the question asks for Pearson's.",
            ),
        ],
        hint="Build the 2 x 2 table of large/SME by external yes/no and use "
        "stats.chi2_independence (or scipy with correction=False).",
    ),
    Question(
        id="q2",
        prompt="Two-sided p-value of Fisher's exact test for the same 2 x 2 table (3 decimals).",
        kind="number",
        points=2,
        tolerance=0.001,
        expected=lambda df: _fisher(df),
        mistakes=[
            Mistake(
                lambda df: _fisher(df, "less"),
                "That is a one-sided p-value; the question asks for the two-sided test.",
            ),
            Mistake(
                lambda df: _fisher(df, "greater"),
                "That is a one-sided p-value; the question asks for the two-sided test.",
            ),
            Mistake(
                lambda df: float(_chi2(df)["p_value"]),
                "That is the chi-square test's p-value; Fisher's exact test gives a different one.",
            ),
        ],
    ),
    Question(
        id="q3",
        prompt="The smallest EXPECTED count in the turnover x external-use table (2 decimals).",
        kind="number",
        tolerance=0.01,
        expected=lambda df: float(_chi2(df, row="turnover")["min_expected"]),
        mistakes=[
            Mistake(
                lambda df: float(
                    size_frame(df).groupby(["turnover", "external"], observed=True).size().min()
                ),
                "That is the smallest OBSERVED count; expected counts are row total x column "
                "total / n.",
            ),
        ],
    ),
    Question(
        id="q4",
        prompt="Cramer's V for turnover x external use (3 decimals).",
        kind="number",
        tolerance=0.002,
        expected=lambda df: float(_chi2(df, row="turnover")["cramers_v"]),
        mistakes=[
            Mistake(
                lambda df: float(_chi2(df, row="turnover")["cramers_v"]) ** 2,
                "That looks like V squared (chi2 / (n (k - 1))); take the square root.",
            ),
        ],
    ),
    Question(
        id="q5",
        prompt="The size test is not significant. Which conclusion is justified?",
        kind="choice",
        choices={
            "a": "Firm size has no effect on external social media use.",
            "b": "The survey gives no evidence of a difference, but with 16 users it could "
            "easily miss even a large one.",
            "c": "Large firms use social media externally more, because p is above 0.05.",
            "d": "The test is invalid and nothing can be said.",
        },
        correct="b",
        explanations={
            "a": "A non-significant test cannot show that there is no effect, least of all with "
            "so few users: its power is low.",
            "b": "Non-significance with low power means 'no evidence', not 'no difference'.",
            "c": "A p-value above 0.05 gives no direction and no evidence of any difference.",
            "d": "Fisher's exact test is valid here; the problem is power, not validity.",
        },
    ),
    Question(
        id="q6",
        prompt="Design advice: how many large firms would a follow-up survey need to detect a "
        "10-percentage-point difference in external use? Explain your reasoning.",
        kind="open",
        points=2,
    ),
]
