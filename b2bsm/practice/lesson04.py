"""Practice of lesson 04 (use and potential), on the shipped survey.

Kendall's tau-b with pairwise deletion, Holm's adjustment, and what intervals and a
cross-sectional correlation can show; the mistakes are the slips the lesson names (another
coefficient, missing answers coded as -1, another adjustment).
"""

from __future__ import annotations

import numpy as np

from b2bsm.exercises.questions import Mistake, Question, decimals, significant
from b2bsm.practice import practice_set
from b2bsm.practice._survey import codes, survey

TITLE = "Lesson 04 practice"
__all__ = ["QUESTIONS", "TITLE", "check", "question"]

USE, POTENTIAL = "cust_use_sales_support", "cust_pot_sales_support"
TACIT = "transfer of tacit knowledge"


def _both(df):
    x, y = codes(df, USE), codes(df, POTENTIAL)
    answered = x.notna() & y.notna()
    return x[answered].to_numpy(), y[answered].to_numpy()


def _tau(df, variant="b"):
    from scipy import stats as sps

    return float(sps.kendalltau(*_both(df), variant=variant).statistic)


def _spearman(df):
    from scipy import stats as sps

    return float(sps.spearmanr(*_both(df)).statistic)


def _pearson(df):
    return float(np.corrcoef(*_both(df))[0, 1])


def _tau_on_cat_codes(df):
    """kendalltau on ``.cat.codes``: missing answers become -1 and count as the lowest answer."""
    from scipy import stats as sps

    return float(sps.kendalltau(df[USE].cat.codes, df[POTENTIAL].cat.codes).statistic)


def _adjusted(df, method):
    from statsmodels.stats.multitest import multipletests

    from b2bsm import stats
    from b2bsm.data.survey import (
        CUSTOMER_FUNCTIONS,
        PARTNER_FUNCTIONS,
        TABLE3,
        TABLE4,
        function_columns,
    )

    keys = [("customer", k) for k in TABLE3] + [("partner", k) for k in TABLE4]
    taus = stats.kendall_table(df, [function_columns(i, k) for i, k in keys])
    labels = [{**CUSTOMER_FUNCTIONS, **PARTNER_FUNCTIONS}[k] for _, k in keys]
    p = taus["p_value"].to_numpy()
    if method != "none":
        p = multipletests(p, method=method)[1]
    return float(p[labels.index(TACIT)])


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt=f"Compute Kendall's **tau-b** between use and potential of social media for "
        f"**sales support** with customers (`{USE}` and `{POTENTIAL}`), on the firms that "
        "answered both.",
        expected=_tau,
        precision=decimals(3),
        mistakes=[
            Mistake(
                _tau_on_cat_codes,
                "You used `.cat.codes`, where a missing answer becomes -1 and counts as the "
                "lowest answer. Drop the firms that did not answer both (or use "
                "`likert_codes`, which keeps missing answers missing).",
            ),
            Mistake(
                lambda df: _tau(df, "c"),
                "That is tau-c (Stuart's); tau-b is scipy's default variant.",
            ),
            Mistake(_spearman, "That is Spearman's rho; the question asks for Kendall's tau-b."),
            Mistake(
                _pearson,
                "That is Pearson's r on the codes, which treats the codes as distances; the "
                "question asks for Kendall's tau-b.",
            ),
        ],
        hints=("`stats.rank_correlations(survey, use_col, pot_col)` or scipy's `kendalltau`.",),
    ),
    Question(
        id="p2",
        kind="number",
        prompt=f"Among the 19 use-potential taus of Tables 3 and 4, what is the **Holm**-adjusted "
        f"p-value of **{TACIT}**?",
        expected=lambda df: _adjusted(df, "holm"),
        precision=significant(2),
        mistakes=[
            Mistake(
                lambda df: _adjusted(df, "none"),
                "That is the unadjusted p-value; apply Holm's procedure to all 19 p-values.",
            ),
            Mistake(
                lambda df: _adjusted(df, "fdr_bh"),
                "That is the Benjamini-Hochberg adjustment (false discovery rate); the question "
                "asks for Holm's.",
            ),
            Mistake(
                lambda df: _adjusted(df, "bonferroni"),
                "That is Bonferroni's adjustment (19 x p); Holm's multiplies the k-th smallest "
                "p-value by 19 - k + 1 only.",
            ),
            Mistake(
                lambda df: _adjusted(df, "fdr_by"),
                "That is the Benjamini-Yekutieli adjustment; the question asks for Holm's.",
            ),
        ],
        hints=("`stats.adjust_pvalues(taus, method='holm')` on the table of 19 taus.",),
    ),
    Question(
        id="p3",
        kind="choice",
        prompt="The 95 % bootstrap intervals of two taus, both computed on the same firms, "
        "overlap. What can you conclude about the difference between the two taus?",
        choices={
            "a": "The two taus do not differ significantly.",
            "b": "Nothing yet: only an interval for the difference itself, from a paired "
            "bootstrap, answers that.",
            "c": "The taus are equal, because the true values could be the same.",
            "d": "The larger tau is significantly larger, because the point estimates differ.",
        },
        correct="b",
        explanations={
            "a": "Overlapping intervals are not a test: the difference can be clearly non-zero "
            "while the two intervals overlap, especially when both come from the same firms.",
            "b": "Resample the firms, compute both taus on each resample, and look at the "
            "interval of their difference.",
            "c": "Could be equal is not are equal; and overlap does not even show that.",
            "d": "Two estimates always differ a little; that alone says nothing about the "
            "population.",
        },
        hints=("Section 5 explains what the paired bootstrap of the difference adds.",),
    ),
    Question(
        id="p4",
        kind="choice",
        prompt="Which study could tell 'using social media makes firms see more potential' "
        "apart from 'a common cause (digital maturity) raises both'?",
        choices={
            "a": "The same survey with 1,000 firms instead of 125.",
            "b": "The same survey analysed with Spearman's rho instead of tau-b.",
            "c": "Following the same firms over several years, or an experiment that changes "
            "use and measures potential later.",
            "d": "A Holm adjustment of the 19 p-values.",
        },
        correct="c",
        explanations={
            "a": "More firms make the tau more precise, but a common cause produces the same "
            "association in a larger cross-section.",
            "b": "Another coefficient measures the same association; it cannot show direction.",
            "c": "Timing (a panel) or an intervention (an experiment) is what can separate the "
            "stories.",
            "d": "Adjusting p-values protects against chance findings, not against confounding.",
        },
        hints=("The simulation in section 6 produces a tau with no causal link at all.",),
    ),
]

check, question = practice_set(TITLE, QUESTIONS, survey)
