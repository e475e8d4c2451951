"""Exercise set for lesson 04: use and potential (rank correlation)."""

from __future__ import annotations

from b2bsm.exercises.questions import Mistake, Question
from b2bsm.exercises.sets._survey import load_data

TITLE = "Lesson 04 · Use and potential"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

PAIR = ("cust_use_marketing", "cust_pot_marketing")


def _rank(df, method):
    from b2bsm import stats

    t = stats.rank_correlations(df, *PAIR).set_index("method")
    return float(t.loc[method, "estimate"])


def _listwise_tau(df):
    from scipy.stats import kendalltau

    from b2bsm.data.survey import likert_codes

    cols = [c for c in df.columns if c.startswith(("cust_use_", "cust_pot_"))]
    complete = df[cols].dropna()
    return float(
        kendalltau(likert_codes(complete[PAIR[0]]), likert_codes(complete[PAIR[1]])).statistic
    )


def _partner_taus(df):
    from b2bsm import stats
    from b2bsm.data.survey import TABLE3, TABLE4, function_columns

    pairs = [function_columns("customer", k) for k in TABLE3]
    pairs += [function_columns("partner", k) for k in TABLE4]
    return stats.kendall_table(df, pairs)


def _adjusted(df, method):
    from b2bsm import stats

    t = stats.adjust_pvalues(_partner_taus(df), method=method)
    return float(t.loc[t["x"] == "part_use_induction", "p_adjusted"].iloc[0])


QUESTIONS = [
    Question(
        id="q1",
        prompt="Kendall's tau-b between use and potential for customer marketing (3 decimals).",
        kind="number",
        points=2,
        tolerance=0.001,
        expected=lambda df: _rank(df, "kendall_b"),
        mistakes=[
            Mistake(
                lambda df: _rank(df, "kendall_c"),
                "That is tau-c (Stuart's); the paper and scipy's default report tau-b.",
            ),
            Mistake(
                lambda df: _rank(df, "spearman"),
                "That is Spearman's rho, a different coefficient; use Kendall's tau-b.",
            ),
            Mistake(
                _listwise_tau,
                "You dropped firms listwise (any missing customer item). Use every firm that "
                "answered both of these two items (pairwise deletion).",
            ),
        ],
    ),
    Question(
        id="q2",
        prompt="How many firms enter that correlation (its pairwise N)?",
        kind="number",
        tolerance=0,
        expected=lambda df: int(df[list(PAIR)].dropna().shape[0]),
        mistakes=[
            Mistake(
                lambda df: len(df),
                "That counts every firm; firms with a missing answer on either item drop out.",
            ),
        ],
    ),
    Question(
        id="q3",
        prompt="Across the 19 tests of Tables 3 and 4, the Holm-adjusted p-value for "
        "'induction' (4 decimals).",
        kind="number",
        points=2,
        tolerance=0.0001,
        expected=lambda df: _adjusted(df, "holm"),
        mistakes=[
            Mistake(
                lambda df: float(
                    _partner_taus(df).set_index("x").loc["part_use_induction", "p_value"]
                ),
                "That is the unadjusted p-value; apply Holm's adjustment across all 19 tests.",
            ),
            Mistake(
                lambda df: _adjusted(df, "bonferroni"),
                "That is the Bonferroni adjustment; Holm's step-down method gives a smaller value.",
            ),
            Mistake(
                lambda df: _adjusted(df, "fdr_bh"),
                "That is the Benjamini-Hochberg value; the question asks for Holm.",
            ),
        ],
    ),
    Question(
        id="q4",
        prompt="Firms that use social media more for marketing see more potential in it "
        "(tau-b about 0.5). What follows?",
        kind="choice",
        choices={
            "a": "Using social media makes firms see more potential.",
            "b": "Seeing potential makes firms use social media.",
            "c": "Use and potential go together; this survey cannot say which causes which, or "
            "whether a third factor drives both.",
            "d": "Nothing: a tau of 0.5 is too weak to matter.",
        },
        correct="c",
        explanations={
            "a": "That is one possible story, but a single cross-sectional survey cannot tell it "
            "apart from others.",
            "b": "That is one possible story, but the data cannot single it out.",
            "c": "An association in a cross-section fits several causal stories.",
            "d": "A tau-b of 0.5 on 5-point items is a strong association.",
        },
    ),
    Question(
        id="q5",
        prompt="Tables 3 and 4 rank the functions by tau. Using bootstrap intervals, argue "
        "whether that ranking should guide a firm's priorities.",
        kind="open",
        points=2,
    ),
]
