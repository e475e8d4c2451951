"""Exercise set for lesson 03: adoption by firm size (the answer key; not shipped to students).

In the survey the 16 external users are fixed by the paper's margins (none of
them a large firm), so a question on "large vs SME x external use" would have
the same answer for every student.  Each student therefore gets one 2 x 2
table (which size split, which kind of adoption) and one turnover table
(which tool), chosen from the id; the methods asked for are the lesson's.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from b2bsm.exercises import data as _data
from b2bsm.exercises.questions import Mistake, Question, decimals, significant
from b2bsm_teach.exercises.sets._common import per_dataset, varies
from b2bsm_teach.exercises.sets._survey import SIZE_LABELS, TOOL_WORDS, at_least, external, survey

TITLE = "Lesson 03 · Adoption by firm size"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

load_data = functools.partial(_data.load_data, "03")

SPLITS = {
    "large": ("large", "large firms (more than 250 employees) vs SMEs (small and medium)"),
    "small": ("small", "small firms (fewer than 50 employees) vs the rest (medium and large)"),
}
ADOPTION = {
    "internal": "internal use of social media at least moderately (`use_internal`)",
    "external": "external use (customers or partners, at least moderately, as in lesson 03)",
    **{
        tool: f"internal use of {words} at least moderately (`tool_internal_{tool}`)"
        for tool, words in TOOL_WORDS.items()
        if tool in ("office", "sns", "wikis", "forums", "extranet", "blogs")
    },
}
TABLE_OPTIONS = [
    {"split": split, "split_words": words, "adoption": key, "adoption_words": what}
    for split, (_, words) in SPLITS.items()
    for key, what in ADOPTION.items()
    if (split, key) != ("large", "external")  # fixed by the paper: no large external user
]
TOOL_OPTIONS = [
    {"tool": tool, "words": words, "column": f"tool_internal_{tool}"}
    for tool, words in TOOL_WORDS.items()
]


def _adopted(df, key):
    if key == "external":
        return external(df)
    column = "use_internal" if key == "internal" else f"tool_internal_{key}"
    return at_least(df, column)


def _two_by_two(df, p):
    label = SIZE_LABELS[p["split"]]
    return pd.DataFrame(
        {
            "group": np.where(df["size"] == label, "in", "out"),
            "adopted": np.where(_adopted(df, p["adoption"]), "yes", "no"),
            "size": df["size"],
        }
    )


@per_dataset
def _test(df, p, row="group", **kw):
    from b2bsm import stats

    return stats.chi2_independence(_two_by_two(df, p), row, "adopted", **kw).iloc[0]


# --------------------------------------------------------------------------- q1
def _chi2(df, p):
    return float(_test(df, p)["chi2"])


Q1_MISTAKES = [
    Mistake(
        lambda df, p: float(_test(df, p, correction=True)["chi2"]),
        "That value has Yates' continuity correction in it: scipy's chi2_contingency applies "
        "it to 2 x 2 tables unless told not to.",
    ),
    Mistake(
        lambda df, p: float(_test(df, p, lambda_="log-likelihood")["chi2"]),
        "That is the likelihood-ratio (G) statistic; the question asks for Pearson's.",
    ),
    Mistake(
        lambda df, p: float(_test(df, p)["p_value"]),
        "That is the test's p-value; the question asks for the chi-square statistic itself "
        "(the 'chi2' value of the lesson's test).",
        section="section 3, The chi-square test of independence",
    ),
]
Q1_ALTERNATIVES = [
    lambda df, p: float(_test(df, p, row="size")["chi2"]),  # all three size classes
    lambda df, p: float(_test(df, p, correction=True, lambda_="log-likelihood")["chi2"]),
]


# --------------------------------------------------------------------------- q2
@per_dataset
def _fisher(df, p, alternative="two-sided"):
    from b2bsm import stats

    table = stats.fisher_exact_test(_two_by_two(df, p), "group", "adopted", alternative=alternative)
    return float(table["p_value"].iloc[0])


Q2_MISTAKES = [
    Mistake(
        lambda df, p: _fisher(df, p, "less"),
        "That is a one-sided p-value; the question asks for the two-sided test.",
    ),
    Mistake(
        lambda df, p: _fisher(df, p, "greater"),
        "That is a one-sided p-value; the question asks for the two-sided test.",
    ),
    Mistake(
        lambda df, p: float(_test(df, p)["p_value"]),
        "That is the chi-square test's p-value; Fisher's exact test computes its own.",
    ),
]
Q2_ALTERNATIVES = [
    lambda df, p: float(_test(df, p, correction=True)["p_value"]),
    lambda df, p: float(_test(df, p, lambda_="log-likelihood")["p_value"]),
]

TABLE_PARAMS = varies(
    survey,
    TABLE_OPTIONS,
    salt=301,
    also=[
        (_chi2, [m.value for m in Q1_MISTAKES] + Q1_ALTERNATIVES, decimals(2), len(Q1_MISTAKES)),
        (
            _fisher,
            [m.value for m in Q2_MISTAKES] + Q2_ALTERNATIVES,
            significant(2),
            len(Q2_MISTAKES),
        ),
    ],
)


# --------------------------------------------------------------------------- q3, q4
def _turnover_frame(df, p):
    return pd.DataFrame(
        {
            "turnover": df["turnover"],
            "size": df["size"],
            "adopted": np.where(at_least(df, p["column"]), "yes", "no"),
        }
    )


@per_dataset
def _turnover_test(df, p, row="turnover", **kw):
    from b2bsm import stats

    return stats.chi2_independence(_turnover_frame(df, p), row, "adopted", **kw).iloc[0]


def _min_expected(df, p):
    return float(_turnover_test(df, p)["min_expected"])


def _min_observed(df, p):
    table = _turnover_frame(df, p).dropna(subset=["turnover"])
    return float(table.groupby(["turnover", "adopted"], observed=False).size().min())


Q3_MISTAKES = [
    Mistake(
        _min_observed,
        "That is the smallest OBSERVED count. An expected count comes from the margins: "
        "row total times column total divided by the number of firms.",
    ),
]
Q3_ALTERNATIVES = [
    lambda df, p: float(_turnover_test(df, p, row="size")["min_expected"]),
]


def _cramers_v(df, p):
    return float(_turnover_test(df, p)["cramers_v"])


def _v_corrected(df, p):
    """Bergsma's bias-corrected Cramer's V (another variant of the statistic)."""
    row = _turnover_test(df, p)
    n, k = float(row["n"]), 2
    r = _turnover_frame(df, p)["turnover"].dropna().nunique()
    phi2 = max(0.0, float(row["chi2"]) / n - (k - 1) * (r - 1) / (n - 1))
    rc, kc = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    return float(np.sqrt(phi2 / min(rc - 1, kc - 1)))


def _tschuprow(df, p):
    """Tschuprow's T: like V, but divided by the root of (r - 1)(k - 1)."""
    row = _turnover_test(df, p)
    r = _turnover_frame(df, p)["turnover"].dropna().nunique()
    return float(np.sqrt(float(row["chi2"]) / (float(row["n"]) * np.sqrt((r - 1) * (2 - 1)))))


Q4_MISTAKES = [
    Mistake(
        lambda df, p: _cramers_v(df, p) ** 2,
        "That looks like V squared (chi2 / (n (k - 1))); Cramer's V is its square root.",
    ),
    Mistake(
        _tschuprow,
        "That is Tschuprow's T, which divides chi2 / n by the square root of (r - 1)(k - 1); "
        "Cramer's V divides by the smaller of r - 1 and k - 1 (here 1) before the square root.",
        section="section 3, The chi-square test of independence",
    ),
]


def _v_from_g(df, p):
    """Cramer's V computed from the likelihood-ratio G statistic instead of Pearson's."""
    row = _turnover_test(df, p, lambda_="log-likelihood")
    return float(np.sqrt(float(row["chi2"]) / float(row["n"])))


Q4_ALTERNATIVES = [
    _v_from_g,
    _v_corrected,
    lambda df, p: float(_turnover_test(df, p, row="size")["cramers_v"]),
]

TOOL_PARAMS = varies(
    survey,
    TOOL_OPTIONS,
    salt=303,
    also=[
        (
            _min_expected,
            [m.value for m in Q3_MISTAKES] + Q3_ALTERNATIVES,
            decimals(2),
            len(Q3_MISTAKES),
        ),
        (
            _cramers_v,
            [m.value for m in Q4_MISTAKES] + Q4_ALTERNATIVES,
            decimals(3),
            len(Q4_MISTAKES),
        ),
    ],
)


QUESTIONS = [
    Question(
        id="q1",
        kind="number",
        points=2,
        prompt="Your 2 x 2 table: {split_words}, by {adoption_words}. Give Pearson's "
        "chi-square statistic for it, WITHOUT continuity correction.",
        expected=_chi2,
        precision=decimals(2),
        mistakes=Q1_MISTAKES,
        alternatives=Q1_ALTERNATIVES,
        params=TABLE_PARAMS,
        hints=(
            "The test compares the observed counts of the four cells with the counts "
            "expected if size and adoption were unrelated.",
            "Make one column for the size group and one for adoption, then run the lesson's "
            "chi-square test of independence; check whether a continuity correction was "
            "applied.",
        ),
    ),
    Question(
        id="q2",
        kind="number",
        points=2,
        prompt="The two-sided p-value of Fisher's exact test for the same 2 x 2 table as q1 "
        "({split_words}, by {adoption_words}).",
        expected=_fisher,
        precision=significant(2),
        mistakes=Q2_MISTAKES,
        alternatives=Q2_ALTERNATIVES,
        params=TABLE_PARAMS,
        hints=(
            "Fisher's test sums the probabilities of all tables with the same margins that "
            "are at most as likely as yours, in both directions.",
            "Use the lesson's Fisher test on the same two columns as in q1 and keep its "
            "default, two-sided alternative.",
        ),
    ),
    Question(
        id="q3",
        kind="number",
        prompt="Cross-tabulate turnover class by {words} at least moderately "
        "(`{column}`). What is the smallest EXPECTED count in that table?",
        expected=_min_expected,
        precision=decimals(2),
        mistakes=Q3_MISTAKES,
        alternatives=Q3_ALTERNATIVES,
        params=TOOL_PARAMS,
        hints=(
            "Expected counts are what each cell would hold if turnover and adoption were "
            "unrelated; they depend only on the row and column totals.",
            "Firms without a turnover class are left out of the table. The lesson's "
            "expected-counts function gives the whole table; take its smallest cell.",
        ),
    ),
    Question(
        id="q4",
        kind="number",
        prompt="Cramer's V for the same table as q3 (turnover class by {words} at least "
        "moderately).",
        expected=_cramers_v,
        precision=decimals(3),
        mistakes=Q4_MISTAKES,
        alternatives=Q4_ALTERNATIVES,
        params=TOOL_PARAMS,
        hints=(
            "Cramer's V rescales the chi-square statistic to lie between 0 and 1, whatever "
            "the number of firms and of categories.",
            "Run the lesson's chi-square test on the q3 table; its result includes V.",
        ),
    ),
    Question(
        id="q5",
        kind="choice",
        prompt="In the paper, external use does not differ significantly between large firms "
        "and SMEs (16 external users in all). Which conclusion is justified?",
        choices={
            "a": "Firm size makes no difference to adoption; the test shows the rates are equal.",
            "b": "No clear difference is shown, but with so few users a real one could be missed.",
            "c": "The test is invalid because an expected count is below 5, so nothing can be "
            "said.",
            "d": "SMEs adopt more, because their observed rate is higher than that of large firms.",
        },
        correct="b",
        explanations={
            "a": "A non-significant test cannot show that there is no effect, least of all with "
            "16 users: its power is low.",
            "b": "Non-significance with low power means 'no evidence', not 'no difference'.",
            "c": "Fisher's exact test needs no minimum expected count; the problem is power, "
            "not validity.",
            "d": "An observed difference that the test cannot tell from chance is not evidence "
            "of a direction.",
        },
        hints=(
            "Think about how likely this test was to detect a real difference of moderate size.",
        ),
    ),
    Question(
        id="q6",
        kind="open",
        points=2,
        prompt="Design advice: how many large firms would a follow-up survey need to detect a "
        "10-percentage-point difference in external use? Explain your reasoning.",
        rubric="1 point: frames it as a power (sample size) question for two proportions, "
        "naming the assumed rates (e.g. 15 % vs 5 %), significance level and power (e.g. 5 %, "
        "80 %). 1 point: a defensible order of magnitude (well over 100 large firms, far more "
        "than the 17 surveyed) with the calculation or simulation that gives it, and a "
        "remark on what that means for a survey of this kind.",
    ),
]
