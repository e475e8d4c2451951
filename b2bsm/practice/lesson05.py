"""Practice of lesson 05 (potential and barriers), on the shipped survey.

A Wilson interval, a share of the firms that answered, McNemar's test for two shares of the
same firms, and why codes of two scales cannot be subtracted; the mistakes are the slips the
lesson names (Wald interval, the wrong denominator, unpaired tests).
"""

from __future__ import annotations

import pandas as pd

from b2bsm.exercises.questions import Mistake, Question, decimals, significant
from b2bsm.practice import practice_set
from b2bsm.practice._survey import at_least, survey

TITLE = "Lesson 05 practice"
__all__ = ["QUESTIONS", "TITLE", "check", "question"]

RESOURCES, PRIORITIES = "barrier_lack_of_resources", "barrier_other_priorities"
VERY_IMPORTANT = 4


def _users(df):
    from b2bsm.data.fidelity import external_users

    return int(external_users(df).sum()), len(df)


def _upper(df, method="wilson", scale=100.0):
    from b2bsm import stats

    _, high = stats.proportion_ci(*_users(df), method=method)
    return scale * float(high)


def _resources(df, level=VERY_IMPORTANT, whole="answered", scale=100.0):
    yes = at_least(df, RESOURCES, level)
    answered = df[RESOURCES].notna()
    share = yes.sum() / (answered.sum() if whole == "answered" else len(df))
    return scale * float(share)


def _paired(df):
    both = df[[PRIORITIES, RESOURCES]].dropna()
    return (
        at_least(both, PRIORITIES, VERY_IMPORTANT),
        at_least(both, RESOURCES, VERY_IMPORTANT),
    )


def _paired_table(df):
    x, y = _paired(df)
    return pd.crosstab(x, y).reindex(index=[False, True], columns=[False, True], fill_value=0)


def _mcnemar(df, exact=True):
    from statsmodels.stats.contingency_tables import mcnemar

    return float(mcnemar(_paired_table(df).to_numpy(), exact=exact).pvalue)


def _unpaired(df):
    """Both shares tested as if they came from two separate samples of firms."""
    from scipy import stats as sps

    x, y = _paired(df)
    n = len(x)
    table = [[int(x.sum()), n - int(x.sum())], [int(y.sum()), n - int(y.sum())]]
    return float(sps.chi2_contingency(table, correction=False).pvalue)


def _fisher_on_paired_table(df):
    from scipy import stats as sps

    return float(sps.fisher_exact(_paired_table(df).to_numpy()).pvalue)


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt="16 of the 125 firms are external users (lesson 03). What is the **upper** bound "
        "of the 95 % **Wilson** interval for that share, in percent?",
        expected=_upper,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda df: _upper(df, method="normal"),
                "That is the Wald (normal) interval's upper bound; the question asks for "
                "Wilson's (`method='wilson'`).",
            ),
            Mistake(
                lambda df: _upper(df, method="beta"),
                "That is the Clopper-Pearson (exact, 'beta') bound; the question asks for "
                "Wilson's.",
            ),
            Mistake(
                lambda df: _upper(df, scale=1.0),
                "That is a proportion between 0 and 1; the question asks for a percentage.",
            ),
        ],
        hints=("`proportion_confint(16, 125, method='wilson')` returns (low, high).",),
    ),
    Question(
        id="p2",
        kind="number",
        prompt="What percentage of the firms that **answered** the barrier *lack of resources* "
        f"(column `{RESOURCES}`) rated it **very important**?",
        expected=_resources,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda df: _resources(df, whole="all"),
                "You divided by all 125 firms; divide by the firms that answered this barrier "
                "(a missing answer is not a 'no').",
            ),
            Mistake(
                lambda df: _resources(df, level=3),
                "You counted 'important' too; the question asks for the top answer, 'very "
                "important', only.",
            ),
            Mistake(
                lambda df: _resources(df, scale=1.0),
                "That is a proportion between 0 and 1; the question asks for a percentage.",
            ),
        ],
        hints=("`stats.proportions(survey, [column], at_least=4)` gives successes, n and pct.",),
    ),
    Question(
        id="p3",
        kind="number",
        prompt="Among the firms that rated both barriers, compare the shares rating *other "
        "priorities* and *lack of resources* as very important: what is McNemar's **exact** "
        "p-value?",
        expected=_mcnemar,
        precision=significant(2),
        mistakes=[
            Mistake(
                lambda df: _mcnemar(df, exact=False),
                "That is McNemar's chi-square approximation; the question asks for the exact "
                "version (`exact=True`), a binomial test on the discordant firms.",
            ),
            Mistake(
                _unpaired,
                "You compared the two shares as if they came from two separate samples. The "
                "same firms rated both barriers: use McNemar's test on the paired 2 x 2 table.",
            ),
            Mistake(
                _fisher_on_paired_table,
                "Fisher's test on the paired table asks whether the two answers are "
                "*associated*, not whether the two shares differ; McNemar's test uses only "
                "the discordant firms.",
            ),
        ],
        hints=(
            "Cross-tabulate 'very important' (True/False) for the two barriers, then "
            "`mcnemar(table, exact=True)`.",
        ),
    ),
    Question(
        id="p4",
        kind="choice",
        prompt="Why does the lesson not average 'potential code minus use code' to measure the "
        "gap between potential and use?",
        choices={
            "a": "Because the average would be negative.",
            "b": "Because use and potential are rated on two different scales, so a difference "
            "of their codes has no meaning.",
            "c": "Because a paired test needs at least 200 firms.",
            "d": "Because averages of codes are always wrong, on any scale.",
        },
        correct="b",
        explanations={
            "a": "The sign is not the problem; the meaning of the subtraction is.",
            "b": "Nothing says that 'moderately' (use code 3) is as much as 'some' (potential "
            "code 3); shares above thresholds stated on each scale avoid the problem.",
            "c": "McNemar's exact test works with far fewer firms.",
            "d": "A mean of codes on one scale is a rough index with an equal-steps "
            "assumption; the deeper problem here is subtracting two different scales.",
        },
        hints=("Section 5 says what a code of 3 means on each of the two scales.",),
    ),
]

check, question = practice_set(TITLE, QUESTIONS, survey)
