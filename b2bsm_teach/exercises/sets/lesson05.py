"""Exercise set for lesson 05: potential, barriers and the use-potential gap (answer key).

Every survey variant keeps the paper's margins (16 external users, Table 5,
the "very important" counts of Table 6), so the questions ask about an item
chosen from the student's id: a tool for the interval (q1), a barrier and a
threshold the paper did not print (q2), a use/potential pair (q3) and a
comparison group for a Table 5 style summary (q4).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from b2bsm.exercises import data as _data
from b2bsm.exercises.questions import Mistake, Question, decimals, significant
from b2bsm_teach.exercises.sets._common import fair_question, per_dataset
from b2bsm_teach.exercises.sets._survey import (
    SIZE_LABELS,
    TOOL_WORDS,
    at_least,
    code,
    external,
    internal,
    survey,
)

TITLE = "Lesson 05 · Potential and barriers"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

load_data = functools.partial(_data.load_data, "05")

WHERE = {"internal": "internally", "customer": "with customers", "partner": "with partners"}


# --------------------------------------------------------------------------- q1
GROUP_WORDS = {
    "all": "all firms",
    "sme": "the SMEs (small and medium firms)",
    "small": "the small firms (fewer than 50 employees)",
}
TOOL_OPTIONS = [
    {
        "column": f"tool_internal_{tool}",
        "words": words,
        "group": group,
        "group_words": group_words,
    }
    for tool, words in TOOL_WORDS.items()
    for group, group_words in GROUP_WORDS.items()
]


def _group(df, group) -> pd.Series:
    """True for the firms of the group."""
    if group == "sme":
        return df["size"] != SIZE_LABELS["large"]
    if group == "small":
        return df["size"] == SIZE_LABELS["small"]
    return pd.Series(True, index=df.index)


def _counts(df, p, group=None) -> tuple[int, int]:
    members = _group(df, group or p["group"])
    return int((at_least(df, p["column"]) & members).sum()), int(members.sum())


def _interval(df, p, method="wilson", scale=100.0, side=0, group=None):
    from b2bsm import stats

    k, n = _counts(df, p, group)
    bounds = stats.proportion_ci(k, n, method=method)
    return scale * float(bounds[side])


def _jeffreys(df, p):
    from scipy.stats import beta

    k, n = _counts(df, p)
    return 100 * float(beta.ppf(0.025, k + 0.5, n - k + 0.5)) if k > 0 else 0.0


Q1_MISTAKES = [
    Mistake(
        lambda df, p: _interval(df, p, "normal"),
        "That is the normal-approximation (Wald) interval; for a small share it reaches too "
        "far down. The question asks for Wilson's.",
    ),
    Mistake(
        lambda df, p: _interval(df, p, "beta"),
        "That is the Clopper-Pearson ('exact', beta) interval; the question asks for Wilson's.",
    ),
    Mistake(
        lambda df, p: _interval(df, p, scale=1.0),
        "That is a proportion between 0 and 1; give the lower end in percent.",
    ),
    Mistake(
        lambda df, p: _interval(df, p, side=1),
        "That is the upper end of the interval; the question asks for the lower end.",
    ),
]
Q1_ALTERNATIVES = [
    lambda df, p: _interval(df, p, "agresti_coull"),
    _jeffreys,
    lambda df, p: _interval(df, p, group="all" if p["group"] != "all" else "sme"),
]


# --------------------------------------------------------------------------- q2
def _barrier_options():
    from b2bsm.codebook import BARRIERS

    return [{"column": f"barrier_{key}", "words": words} for key, words in BARRIERS.items()]


def _barrier_pct(df, p, level=3, denominator="answered", only=False, scale=100.0):
    codes = code(df, p["column"])
    hits = int((codes == level).sum()) if only else int((codes >= level).sum())
    n = int(codes.notna().sum()) if denominator == "answered" else len(df)
    return scale * hits / n


Q2_MISTAKES = [
    Mistake(
        lambda df, p: _barrier_pct(df, p, denominator="all"),
        "You divided by all 125 firms. Firms that skipped the item did not answer it: divide "
        "by the firms that answered, as Table 6 does.",
    ),
    Mistake(
        lambda df, p: _barrier_pct(df, p, level=4),
        "You counted only 'very important'; 'at least important' includes 'important' too.",
    ),
    Mistake(
        lambda df, p: _barrier_pct(df, p, scale=1.0),
        "That is a proportion; give a percentage.",
    ),
]
Q2_ALTERNATIVES = [
    lambda df, p: _barrier_pct(df, p, only=True),
    lambda df, p: _barrier_pct(df, p, level=2),
    lambda df, p: _barrier_pct(df, p, level=4, denominator="all"),
]


# --------------------------------------------------------------------------- q3
LEVELS = {
    "moderately": ("moderately", "some"),
    "actively": ("actively", "much"),
}


def _gap_options():
    from b2bsm.codebook import CUSTOMER_FUNCTIONS, PARTNER_FUNCTIONS, function_columns

    options = []
    for interface, items in (("customer", CUSTOMER_FUNCTIONS), ("partner", PARTNER_FUNCTIONS)):
        for key, words in items.items():
            use, pot = function_columns(interface, key)
            for use_level, pot_level in LEVELS.values():
                options.append(
                    {
                        "use": use,
                        "pot": pot,
                        "words": f"{words} ({WHERE[interface]})",
                        "use_level": use_level,
                        "pot_level": pot_level,
                    }
                )
    return options


@per_dataset
def _shares(df, p, firms="all", use_level=None, pot_level=None):
    from b2bsm import stats

    rows = df[external(df)] if firms == "external" else df
    return stats.paired_shares(
        rows,
        [(p["use"], p["pot"])],
        at_least_x=use_level or p["use_level"],
        at_least_y=pot_level or p["pot_level"],
    ).iloc[0]


def _gap_p(df, p, firms="all"):
    return float(_shares(df, p, firms)["p_value"])


def _discordant(df, p):
    row = _shares(df, p)
    return int(row["n_y_only"]), int(row["n_x_only"])


def _one_sided(df, p):
    from scipy.stats import binomtest

    up, down = _discordant(df, p)
    return float(binomtest(up, up + down, 0.5, alternative="greater").pvalue) if up + down else 1.0


def _mcnemar_chi2(df, p, correction=True):
    from scipy.stats import chi2

    up, down = _discordant(df, p)
    if up + down == 0:
        return 1.0
    stat = (abs(up - down) - (1 if correction else 0)) ** 2 / (up + down)
    return float(chi2.sf(stat, 1))


def _unpaired(df, p):
    """Fisher's exact test on the two shares as if they came from different firms."""
    from scipy.stats import fisher_exact

    row = _shares(df, p)
    n = int(row["n"])
    yes_x, yes_y = round(float(row["pct_x"]) * n / 100), round(float(row["pct_y"]) * n / 100)
    return float(fisher_exact([[yes_x, n - yes_x], [yes_y, n - yes_y]]).pvalue)


def _wilcoxon_codes(df, p):
    """Wilcoxon signed-rank test on the differences of the codes (a slip: other scales)."""
    import warnings

    from scipy.stats import wilcoxon

    both = df[[p["use"], p["pot"]]].dropna()
    diff = (code(both, p["use"]) - code(both, p["pot"])).to_numpy(dtype=float)
    with warnings.catch_warnings():  # ties and zeros: scipy says it switches to the normal approx
        warnings.simplefilter("ignore", UserWarning)
        return float(wilcoxon(diff).pvalue)


def _other_levels(df, p):
    use_level, pot_level = LEVELS["actively" if p["use_level"] == "moderately" else "moderately"]
    return float(_shares(df, p, use_level=use_level, pot_level=pot_level)["p_value"])


Q3_MISTAKES = [
    Mistake(
        _unpaired,
        "You compared the two shares as if they came from different firms. Both shares come "
        "from the same firms (those that answered both items), so the test must be paired: "
        "only the firms that are 'yes' on one item and 'no' on the other carry information "
        "(McNemar's test).",
    ),
    Mistake(
        _one_sided,
        "That is a one-sided p-value; the question asks for the two-sided test.",
    ),
    Mistake(
        lambda df, p: _gap_p(df, p, "external"),
        "You used the external users only; the question asks about every firm that answered "
        "both items.",
    ),
    Mistake(
        _wilcoxon_codes,
        "That is a Wilcoxon signed-rank test on the differences of the codes. Use and "
        "potential are rated on different scales, so their codes cannot be subtracted; turn "
        "each item into yes/no at its threshold and compare the two shares with McNemar's "
        "exact test, as in lesson 05's section on two shares from the same firms.",
        section="section 4, Two shares from the same firms: McNemar's test",
    ),
]
Q3_ALTERNATIVES = [
    _mcnemar_chi2,
    lambda df, p: _mcnemar_chi2(df, p, correction=False),
    _other_levels,
]


# --------------------------------------------------------------------------- q4
GROUPS = {
    "inexperienced": "the firms WITHOUT external experience (no at least moderate use with "
    "customers or partners)",
    "internal": "the firms that use social media internally at least moderately (`use_internal`)",
}
BLOCK_WORDS = {"cust": "customer", "part": "partner"}


def _first_function(block: str) -> str:
    """The key of a block's first function, for the prompt's example of an `item` name."""
    from b2bsm.data.survey import CUSTOMER_FUNCTIONS, PARTNER_FUNCTIONS

    return next(iter(CUSTOMER_FUNCTIONS if block == "cust" else PARTNER_FUNCTIONS))


SUMMARY_OPTIONS = [
    {
        "group": group,
        "group_words": words,
        "block": block,
        "block_words": BLOCK_WORDS[block],
        "example": _first_function(block),
    }
    for group, words in GROUPS.items()
    for block in BLOCK_WORDS
]


def _members(df, group):
    if group == "inexperienced":
        return ~external(df)
    if group == "experienced":
        return external(df)
    if group == "all":
        return pd.Series(True, index=df.index)
    return internal(df)


def _summary(df, p, level=4, group=None, denominator="answered"):
    members = _members(df, group or p["group"]).to_numpy(dtype=bool)
    items = [c for c in df.columns if c.startswith(f"{p['block']}_pot_")]
    rows = []
    for item in items:
        codes = code(df, item)[members]
        n = int(codes.notna().sum())
        hits = int((codes >= level).sum())
        base = n if denominator == "answered" else int(members.sum())
        rows.append({"item": item, "n": n, "pct": 100 * hits / base if base else np.nan})
    return pd.DataFrame(rows)


Q4_MISTAKES = [
    Mistake(
        lambda df, p: _summary(df, p, group="all"),
        "You used all firms; the question asks about one group of firms only.",
    ),
    Mistake(
        lambda df, p: _summary(df, p, level=3),
        "You counted 'some' potential too (code 3); the question asks for 'much' or 'very "
        "much' (code 4 or 5).",
    ),
    Mistake(
        lambda df, p: _summary(df, p, group="experienced"),
        "That is the group of Table 5 (the firms WITH external experience); the question "
        "asks about another group.",
    ),
    Mistake(
        lambda df, p: _summary(df, p, denominator="group"),
        "Your percentages divide by every firm of the group; divide by the firms that "
        "answered the item (the row's n), so that a firm without an answer counts in neither.",
        section="section 2, Table 5: where experienced firms see potential",
    ),
]
Q4_ALTERNATIVES = [
    lambda df, p: _summary(df, p, level=5),
]


QUESTIONS = [
    fair_question(
        id="q1",
        kind="number",
        points=2,
        prompt="The lower end, **in percent**, of the 95 % Wilson interval for the share of "
        "{group_words} that use **{words}** internally at least moderately (`{column}`).",
        expected=_interval,
        precision=decimals(1),
        mistakes=Q1_MISTAKES,
        alternatives=Q1_ALTERNATIVES,
        data=survey,
        options=TOOL_OPTIONS,
        salt=501,
        hints=(
            "An interval for a share needs the number of firms with the property and the "
            "number of firms asked.",
            "Keep the firms of your group, count those at 'moderately' or above, pass both "
            "counts to the lesson's interval function with the Wilson method, and turn the "
            "lower end into percent.",
        ),
    ),
    fair_question(
        id="q2",
        kind="number",
        prompt="What percentage of the firms **that answered the item** rate the barrier "
        '"{words}" (`{column}`) as at least "important" (important or very important)?',
        expected=_barrier_pct,
        precision=decimals(1),
        mistakes=Q2_MISTAKES,
        alternatives=Q2_ALTERNATIVES,
        data=survey,
        options=_barrier_options(),
        salt=502,
        hints=(
            "Two choices decide this percentage: which answers count, and which firms form "
            "the denominator.",
            "The barrier scale has four steps; count the top two and divide by the firms "
            "with a non-missing answer.",
        ),
    ),
    fair_question(
        id="q3",
        kind="number",
        points=2,
        prompt="Use and potential are rated on different scales, so compare shares: among the "
        "firms that answered both items, the share that use social media at least "
        "**{use_level}** for **{words}** (`{use}`) and the share that see at least "
        "**{pot_level}** potential in it (`{pot}`). Give the two-sided p-value of McNemar's "
        "exact test of whether the two shares differ.",
        expected=_gap_p,
        precision=significant(2),
        mistakes=Q3_MISTAKES,
        alternatives=Q3_ALTERNATIVES,
        data=survey,
        options=_gap_options(),
        salt=503,
        hints=(
            "The two shares come from the same firms, so the test looks only at the firms "
            "that are 'yes' on one item and 'no' on the other.",
            "Turn each item into yes/no with its own threshold, keep the firms that answered "
            "both, and use the McNemar function that lesson 05 writes in its section on two "
            "shares from the same firms; take its exact two-sided p-value.",
        ),
    ),
    fair_question(
        id="q4",
        kind="table",
        points=2,
        prompt="A Table 5 style summary for a comparison group. Make a DataFrame with columns "
        "`item`, `n` and `pct`, one row per `{block}_pot_*` column ({block_words} functions) "
        "in the survey's column order: `item` holds the column's name (e.g. "
        "`{block}_pot_{example}`), `n` how many of {group_words} answered it, and `pct` the "
        "percentage of those who rate the potential 'much' or 'very much' (code 4 or 5).",
        expected=_summary,
        precision=decimals(1),
        mistakes=Q4_MISTAKES,
        alternatives=Q4_ALTERNATIVES,
        data=survey,
        options=SUMMARY_OPTIONS,
        salt=504,
        hints=(
            "Each row is a share among the firms of your group that answered that item, so "
            "n can differ from row to row.",
            "Restrict the survey to your group first, then use the lesson's proportions "
            "function with the right threshold on the potential columns.",
        ),
    ),
    Question(
        id="q5",
        kind="choice",
        prompt="Table 5 ranks functions by the share of experienced firms seeing potential, "
        "with about 15 firms per row. What may you conclude?",
        choices={
            "a": "Most functions cannot be told apart: each share is far too imprecise.",
            "b": "The top function has the most potential, since its share is the highest.",
            "c": "Firms see no potential in the functions whose share is below 50 %.",
            "d": "The ranking is reliable because every share comes with its own 95 % interval.",
        },
        correct="a",
        explanations={
            "a": "With n near 15 a Wilson interval is about 45 points wide, so gaps of a few "
            "points between functions are well within chance; to compare two functions, test "
            "their difference on the same firms (McNemar), not whether intervals overlap.",
            "b": "With n near 15 one firm moves a share by about 7 points; the top spot could "
            "easily go to another function in a new sample.",
            "c": "The share counts firms rating the potential high, not whether there is any "
            "potential.",
            "d": "Having intervals does not make them narrow; here each spans about 45 points.",
        },
        hints=("Think about how wide an interval for a share is when n is about 15.",),
    ),
    Question(
        id="q6",
        kind="open",
        points=2,
        prompt="Most firms rate the potential of social media above their use of it. Write "
        "two or three sentences to a marketing manager on what this gap does and does not "
        "tell them.",
        rubric="1 point: states what the gap shows (a consistent, statistically clear "
        "difference: firms believe social media could do more than they use it for). 1 point: "
        "states what it does not show (that using it would pay off; most raters have little "
        "experience, and a rating is a belief, not a measured effect), ideally with a next "
        "step such as a small measured pilot.",
    ),
]
