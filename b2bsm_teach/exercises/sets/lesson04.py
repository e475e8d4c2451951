"""Exercise set for lesson 04: use and potential (the answer key; not shipped to students).

Every survey variant reproduces the printed Kendall coefficients and pairwise
Ns of Tables 3 and 4, so the same pair would give every student nearly the
same answer.  Each student therefore works on one use/potential pair (q1, q2)
and one Holm-adjusted row (q3) chosen from the id.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from b2bsm.exercises import data as _data
from b2bsm.exercises.questions import Mistake, Question, decimals, significant
from b2bsm_teach.exercises.sets._common import fair_question, per_dataset, varies
from b2bsm_teach.exercises.sets._survey import survey

TITLE = "Lesson 04 · Use and potential"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

load_data = functools.partial(_data.load_data, "04")


def _pair_options():
    from b2bsm.codebook import CUSTOMER_FUNCTIONS, PARTNER_FUNCTIONS, function_columns

    options = []
    for interface, items in (("customer", CUSTOMER_FUNCTIONS), ("partner", PARTNER_FUNCTIONS)):
        for key, words in items.items():
            use, pot = function_columns(interface, key)
            where = "customers" if interface == "customer" else "partners"
            options.append(
                {
                    "use": use,
                    "pot": pot,
                    "words": f"{words} (with {where})",
                    "block": use.split("_use_")[0],
                }
            )
    return options


def _tests():
    """The 19 (use, potential) pairs of Tables 3 and 4, in the paper's order."""
    from b2bsm.codebook import TABLE3_ITEMS, TABLE4_ITEMS, function_columns

    return [function_columns("customer", k) for k in TABLE3_ITEMS] + [
        function_columns("partner", k) for k in TABLE4_ITEMS
    ]


def _holm_options():
    from b2bsm.codebook import CUSTOMER_FUNCTIONS, PARTNER_FUNCTIONS

    words = {**CUSTOMER_FUNCTIONS, **PARTNER_FUNCTIONS}
    return [
        {"use": use, "words": words[use.split("_use_", 1)[1]], "table": 3 if i < 8 else 4}
        for i, (use, _) in enumerate(_tests())
    ]


# --------------------------------------------------------------------------- q1, q2
@per_dataset
def _correlations(df, use, pot):
    from b2bsm import stats

    return stats.rank_correlations(df, use, pot).set_index("method")


def _rank(df, p, method):
    return float(_correlations(df, p["use"], p["pot"]).loc[method, "estimate"])


def _tau_b(df, p):
    return _rank(df, p, "kendall_b")


def _listwise_tau(df, p):
    from scipy.stats import kendalltau

    from b2bsm.codebook import likert_codes

    prefix = p["use"].split("_use_")[0]
    block = [c for c in df.columns if c.startswith((f"{prefix}_use_", f"{prefix}_pot_"))]
    complete = df[block].dropna()
    return float(
        kendalltau(likert_codes(complete[p["use"]]), likert_codes(complete[p["pot"]])).statistic
    )


def _tau_on_codes(df, p):
    """kendalltau on .cat.codes of all firms: a missing answer is code -1, ranked lowest."""
    from scipy.stats import kendalltau

    return float(kendalltau(df[p["use"]].cat.codes, df[p["pot"]].cat.codes).statistic)


def _tau_a(df, p):
    from b2bsm.codebook import likert_codes

    both = df[[p["use"], p["pot"]]].dropna()
    u, v = (likert_codes(both[c]).to_numpy(dtype=float) for c in (p["use"], p["pot"]))
    s = np.sign(u[:, None] - u[None, :]) * np.sign(v[:, None] - v[None, :])
    n = len(u)
    return float(s.sum() / (n * (n - 1)))


def _pearson(df, p):
    from b2bsm.codebook import likert_codes

    both = df[[p["use"], p["pot"]]].dropna()
    return float(likert_codes(both[p["use"]]).corr(likert_codes(both[p["pot"]])))


Q1_MISTAKES = [
    Mistake(
        lambda df, p: _rank(df, p, "kendall_c"),
        "That is tau-c (Stuart's); the paper and scipy's default report tau-b.",
    ),
    Mistake(
        lambda df, p: _rank(df, p, "spearman"),
        "That is Spearman's rho, a different coefficient; the question asks for Kendall's tau-b.",
    ),
    Mistake(
        _listwise_tau,
        "You dropped firms listwise (any missing answer in the block). Use every firm that "
        "answered both of these two items (pairwise deletion).",
    ),
    Mistake(
        _tau_on_codes,
        "You correlated .cat.codes of all firms: a missing answer has the code -1 there, so "
        "firms without an answer were ranked below 'not at all'. Keep only the firms that "
        "answered both items before you correlate.",
        section="section 2, Kendall's tau-b, tau-c and Spearman's rho",
    ),
]
Q1_ALTERNATIVES = [_tau_a, _pearson]


def _pair_n(df, p):
    return int(df[[p["use"], p["pot"]]].dropna().shape[0])


def _block_columns(df, p):
    prefix = p["use"].split("_use_")[0]
    return [c for c in df.columns if c.startswith((f"{prefix}_use_", f"{prefix}_pot_"))]


def _listwise_n(df, p):
    return int(df[_block_columns(df, p)].dropna().shape[0])


def _dropped(df, p):
    return _pair_n(df, p) - _listwise_n(df, p)


Q2_MISTAKES = [
    Mistake(
        _listwise_n,
        "That is the number of firms listwise deletion KEEPS; the question asks how many of "
        "the pair's firms it drops.",
    ),
    Mistake(
        _pair_n,
        "That is the pairwise N itself; the question asks how many of those firms listwise "
        "deletion would drop.",
    ),
    Mistake(
        lambda df, p: len(df) - _pair_n(df, p),
        "That is the number of firms missing from the pair (out of all firms); the question "
        "asks how many firms of the pair the whole block's listwise deletion drops.",
    ),
]
Q2_ALTERNATIVES = [lambda df, p: len(df) - _listwise_n(df, p)]

PAIR_PARAMS = varies(
    survey,
    _pair_options(),
    salt=401,
    also=[
        (_tau_b, [m.value for m in Q1_MISTAKES] + Q1_ALTERNATIVES, decimals(3), len(Q1_MISTAKES)),
        (_dropped, [m.value for m in Q2_MISTAKES] + Q2_ALTERNATIVES, decimals(0), len(Q2_MISTAKES)),
    ],
)


# --------------------------------------------------------------------------- q3
@per_dataset
def _pvalues(df) -> pd.Series:
    """Two-sided p-values of the 19 tests of Tables 3 and 4, by use column."""
    from b2bsm import stats

    return stats.kendall_table(df, _tests()).set_index("x")["p_value"].astype(float)


def _adjusted(df, p, method="holm", family=None):
    from b2bsm import stats

    pvalues = _pvalues(df)
    if family is not None:
        pvalues = pvalues.iloc[:8] if family == 3 else pvalues.iloc[8:]
    values = pvalues.to_numpy()
    if method != "none":
        table = stats.adjust_pvalues(pd.DataFrame({"p_value": values}), method=method)
        values = table["p_adjusted"].to_numpy()
    adjusted = values
    return float(adjusted[list(pvalues.index).index(p["use"])])


Q3_MISTAKES = [
    Mistake(
        lambda df, p: _adjusted(df, p, "none"),
        "That is the unadjusted p-value; apply Holm's adjustment across all 19 tests.",
    ),
    Mistake(
        lambda df, p: _adjusted(df, p, "bonferroni"),
        "That is the Bonferroni adjustment; Holm's step-down method multiplies most p-values "
        "by less.",
    ),
    Mistake(
        lambda df, p: _adjusted(df, p, "fdr_bh"),
        "That is the Benjamini-Hochberg (false discovery rate) value; the question asks for "
        "Holm's.",
    ),
]
Q3_ALTERNATIVES = [
    lambda df, p: _adjusted(df, p, family=p["table"]),  # only the item's own table
]


QUESTIONS = [
    Question(
        id="q1",
        kind="number",
        points=2,
        prompt="Kendall's tau-b between use and potential for **{words}** (`{use}`, `{pot}`).",
        expected=_tau_b,
        precision=decimals(3),
        mistakes=Q1_MISTAKES,
        alternatives=Q1_ALTERNATIVES,
        params=PAIR_PARAMS,
        hints=(
            "Tau-b counts pairs of firms ranked the same way on both items minus pairs ranked "
            "the opposite way, with a correction for the many ties of a 5-point scale.",
            "Keep the firms that answered both items, then use the lesson's rank-correlation "
            "function and read the tau-b row.",
        ),
    ),
    Question(
        id="q2",
        kind="number",
        prompt="Pairwise deletion keeps every firm that answered both `{use}` and `{pot}`. How "
        "many of those firms would drop out if you instead deleted listwise across the whole "
        "block of `{block}_use_*` and `{block}_pot_*` columns?",
        expected=_dropped,
        precision=decimals(0),
        mistakes=Q2_MISTAKES,
        alternatives=Q2_ALTERNATIVES,
        params=PAIR_PARAMS,
        hints=(
            "Pairwise deletion needs answers to the two items only; listwise deletion needs "
            "answers to every column of the analysis.",
            "Count the firms complete on the pair, count the firms complete on the whole "
            "block, and take the difference.",
        ),
    ),
    fair_question(
        id="q3",
        kind="number",
        points=2,
        prompt="Take the 19 use/potential tests of Tables 3 and 4 together. What is the "
        "Holm-adjusted p-value of the test for **{words}** (`{use}` and its potential item)?",
        expected=_adjusted,
        precision=significant(2),
        mistakes=Q3_MISTAKES,
        alternatives=Q3_ALTERNATIVES,
        data=survey,
        options=_holm_options(),
        salt=403,
        hints=(
            "Holm's method orders the p-values and multiplies the smallest by the number of "
            "tests, the next by one less, and so on, never letting an adjusted value fall.",
            "Build the table of all 19 tests first (Tables 3 and 4 together), adjust the whole "
            "column at once, then read your item's row.",
        ),
    ),
    Question(
        id="q4",
        kind="choice",
        prompt="Firms that use social media more for marketing see more potential in it "
        "(tau-b about 0.5). What follows?",
        choices={
            "a": "Using social media for marketing makes firms see more potential in it.",
            "b": "Seeing potential in social media is what makes firms start to use it.",
            "c": "Little: a tau-b of 0.5 is too weak a link for a firm to act on in practice.",
            "d": "Use and potential go together; the survey cannot say what drives what.",
        },
        correct="d",
        explanations={
            "a": "That is one possible story, but a single cross-sectional survey cannot tell it "
            "apart from the reverse, or from a third factor driving both.",
            "b": "That is one possible story, but the data cannot single it out.",
            "c": "On 5-point items with many ties, a tau-b of 0.5 is a strong association.",
            "d": "An association in one cross-section fits several causal stories, including a "
            "third factor such as the firm's digital maturity.",
        },
        hints=("Ask what a single survey at one point in time can and cannot show about cause.",),
    ),
    Question(
        id="q5",
        kind="open",
        points=2,
        prompt="Tables 3 and 4 rank the functions by tau. Using bootstrap intervals, argue "
        "whether that ranking should guide a firm's priorities.",
        rubric="1 point: judges the order of two functions from an interval for the "
        "DIFFERENCE of their taus (lesson 04's paired bootstrap over firms), not from whether "
        "two separate intervals overlap (overlap is not a test), and reports that for "
        "neighbouring functions that interval includes zero, so their order is not "
        "established. 1 point: draws the practical conclusion (at most the extremes differ; "
        "a firm should not set priorities from the ranking alone, and a correlation says "
        "nothing about what pays off).",
    ),
]
