"""Exercise set for lesson 02: meet the survey data (the answer key; not shipped to students)."""

from __future__ import annotations

import functools

import pandas as pd

from b2bsm.exercises import data as _data
from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm_teach.exercises.sets._common import fair_question
from b2bsm_teach.exercises.sets._survey import SIZE_LABELS, TOOL_WORDS, at_least, internal, survey

TITLE = "Lesson 02 · Meet the survey data"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

load_data = functools.partial(_data.load_data, "02")

TOOL_OPTIONS = [{"tool": key, "words": words} for key, words in TOOL_WORDS.items()]
INTERFACES = ("internal", "customer", "partner")


# --------------------------------------------------------------------------- q1
def _tool_count(df, p, level=3, interface="internal"):
    return int(at_least(df, f"tool_{interface}_{p['tool']}", level).sum())


def _tool_as_text(df, p):
    """The slip of comparing Likert answers as text: alphabetical order, not the scale's."""
    answers = df[f"tool_internal_{p['tool']}"].dropna().astype(str)
    return int((answers >= "moderately").sum())


def _tool_exactly_moderate(df, p):
    return int((at_least(df, f"tool_internal_{p['tool']}", 3)).sum()) - _tool_count(df, p, 4)


Q1_MISTAKES = [
    Mistake(
        lambda df, p: _tool_count(df, p, 4),
        "You counted only 'actively' and 'very actively'. 'At least moderately' also "
        "includes 'moderately' (code 3).",
    ),
    Mistake(
        lambda df, p: _tool_count(df, p, 2),
        "You included 'a little' (code 2); 'at least moderately' starts at 'moderately'.",
    ),
    Mistake(
        lambda df, p: _tool_count(df, p, interface="customer"),
        "That is the count in the customer interface; the question asks about internal use.",
    ),
    Mistake(
        _tool_as_text,
        "You compared the answers as text, so they were ordered alphabetically: 'not at all' "
        "and 'very actively' sort after 'moderately', 'actively' before it. Compare them on "
        "the scale's own order, as lesson 02 does with the ordered categories (or their "
        "codes, 'moderately' = 3).",
        section="section 2, Likert answers are ordered categories",
    ),
]
Q1_ALTERNATIVES = [
    lambda df, p: _tool_count(df, p, interface="partner"),
    _tool_exactly_moderate,
]


# --------------------------------------------------------------------------- q2
def _tool_any(df, p, how="any", interfaces=INTERFACES, scale=100.0):
    used = pd.concat([at_least(df, f"tool_{i}_{p['tool']}") for i in interfaces], axis=1)
    flag = used.any(axis=1) if how == "any" else used.all(axis=1)
    return scale * float(flag.mean())


Q2_MISTAKES = [
    Mistake(
        lambda df, p: _tool_any(df, p, scale=1.0),
        "That is a proportion between 0 and 1; the question asks for a percentage.",
    ),
    Mistake(
        lambda df, p: _tool_any(df, p, interfaces=("internal",)),
        "You counted internal use only; a firm counts if it uses the tool in ANY of the "
        "three interfaces.",
    ),
    Mistake(
        lambda df, p: _tool_any(df, p, interfaces=("customer", "partner")),
        "You counted external use only (customers or partners); internal use counts too.",
    ),
    Mistake(
        lambda df, p: _tool_any(df, p, how="all"),
        "You required use in all three interfaces at once (and); the question asks for at "
        "least one of them (or).",
    ),
]
Q2_ALTERNATIVES = [
    # the average of the three interface percentages
    lambda df, p: sum(_tool_any(df, p, interfaces=(i,)) for i in INTERFACES) / 3,
]


# --------------------------------------------------------------------------- q3
BLOCKS = {
    "customer": ("cust_use_", "cust_pot_"),
    "partner": ("part_use_", "part_pot_"),
    "both": ("cust_use_", "cust_pot_", "part_use_", "part_pot_"),
}
BLOCK_OPTIONS = [
    {
        "block": "customer",
        "columns": "the 20 customer-function columns (`cust_use_*` and `cust_pot_*`)",
    },
    {
        "block": "partner",
        "columns": "the 22 partner-function columns (`part_use_*` and `part_pot_*`)",
    },
    {
        "block": "both",
        "columns": "all 42 business-function columns (`cust_use_*`, `cust_pot_*`, "
        "`part_use_*` and `part_pot_*`)",
    },
]


def _columns(df, p, kinds=("use_", "pot_")):
    prefixes = [x for x in BLOCKS[p["block"]] if x.endswith(kinds)]
    return [c for c in df.columns if c.startswith(tuple(prefixes))]


def _listwise(df, p):
    return int(df[_columns(df, p)].dropna().shape[0])


def _first_pair(df, p):
    use = _columns(df, p, ("use_",))[0]
    return int(df[[use, use.replace("_use_", "_pot_")]].dropna().shape[0])


Q3_MISTAKES = [
    Mistake(
        _first_pair,
        "That is the N of one pair of columns (pairwise deletion). Listwise deletion keeps "
        "only the firms that answered every one of the columns.",
    ),
    Mistake(
        lambda df, p: len(df),
        "That is every firm: nobody was dropped. Listwise deletion drops each firm with a "
        "missing answer in any of the columns.",
    ),
    Mistake(
        lambda df, p: int(df[_columns(df, p, ("use_",))].dropna().shape[0]),
        "You used the use columns only; the potential columns belong to the analysis too.",
    ),
    Mistake(
        lambda df, p: int(df.dropna().shape[0]),
        "You ran dropna() on the whole survey, so a firm was dropped for a missing answer in "
        "ANY column, also columns outside this analysis. Select the analysis columns first, "
        "then drop the firms with a missing answer among them.",
        section="section 3, Missing answers: pairwise or listwise?",
    ),
]
Q3_ALTERNATIVES = [
    lambda df, p: int(df[_columns(df, p)].notna().any(axis=1).sum()),
]


# --------------------------------------------------------------------------- q4
def _by_size(df, mask=None, pct=False):
    firms = df if mask is None else df[mask]
    counts = (
        firms["size"]
        .value_counts(sort=False)
        .reindex(pd.CategoricalIndex(list(SIZE_LABELS.values())), fill_value=0)
    )
    values = counts.to_numpy()
    if pct:
        values = 100 * values / values.sum()
    return pd.DataFrame({"size": counts.index.astype(str), "firms": values})


def _internal_by_size(df, p=None):
    return _by_size(df, internal(df))


Q4_MISTAKES = [
    Mistake(
        lambda df, p=None: _by_size(df),
        "Those are all firms in each size class (Table 1); keep only the firms that use "
        "social media internally at least moderately.",
    ),
    Mistake(
        lambda df, p=None: _by_size(df, internal(df), pct=True),
        "Your table holds percentages; the question asks for numbers of firms.",
    ),
    Mistake(
        lambda df, p=None: _by_size(df, at_least(df, "use_internal", 2)),
        "You included firms that use social media only 'a little' (code 2); the question "
        "starts at 'moderately'.",
    ),
]
Q4_ALTERNATIVES = [
    lambda df, p=None: _by_size(df, at_least(df, "use_customer") | at_least(df, "use_partner")),
    lambda df, p=None: _by_size(df, at_least(df, "use_internal", 4)),
]


QUESTIONS = [
    fair_question(
        id="q1",
        kind="number",
        prompt="How many firms use **{words}** internally at least moderately "
        "(column `tool_internal_{tool}`)?",
        expected=_tool_count,
        precision=decimals(0),
        mistakes=Q1_MISTAKES,
        alternatives=Q1_ALTERNATIVES,
        data=survey,
        options=TOOL_OPTIONS,
        salt=201,
        hints=(
            "The answers are ordered categories: 'at least moderately' means 'moderately' "
            "or any answer above it.",
            "Compare the ordered column with the category 'moderately' and count the firms "
            "for which the comparison holds.",
        ),
    ),
    fair_question(
        id="q2",
        kind="number",
        points=2,
        prompt="What percentage of all firms use **{words}** at least moderately in at least "
        "one of the three interfaces: internally, with customers or with partners "
        "(columns `tool_internal_{tool}`, `tool_customer_{tool}`, `tool_partner_{tool}`)? "
        "Give a percentage, e.g. 12.8, not a proportion.",
        expected=_tool_any,
        precision=decimals(1),
        mistakes=Q2_MISTAKES,
        alternatives=Q2_ALTERNATIVES,
        data=survey,
        options=TOOL_OPTIONS,
        salt=202,
        hints=(
            "A firm counts once if it uses the tool at least moderately in one interface or "
            "more: this is an 'or' across three columns.",
            "Build one True/False value per firm that combines the three conditions with "
            "'or', then take the share of True values over all firms and express it in percent.",
        ),
    ),
    fair_question(
        id="q3",
        kind="number",
        points=2,
        prompt="With listwise deletion, how many firms remain for an analysis of {columns}?",
        expected=_listwise,
        precision=decimals(0),
        mistakes=Q3_MISTAKES,
        alternatives=Q3_ALTERNATIVES,
        data=survey,
        options=BLOCK_OPTIONS,
        salt=203,
        hints=(
            "Listwise deletion keeps a firm only if it has no missing answer in any of the "
            "columns of the analysis.",
            "Select exactly those columns, drop every row with a missing value among them, "
            "and count the rows that remain.",
        ),
    ),
    Question(
        id="q4",
        kind="table",
        points=2,
        prompt="Make a DataFrame with columns `size` and `firms`: among the firms that use "
        "social media internally at least moderately (`use_internal`), the number of firms "
        "in each size class, in the order small, medium, large (as in Table 1).",
        expected=_internal_by_size,
        precision=decimals(0),
        mistakes=Q4_MISTAKES,
        alternatives=Q4_ALTERNATIVES,
        hints=(
            "First restrict the survey to the internal users, then count firms per size class.",
            "Counting the values of the ordered size column without sorting by frequency "
            "keeps the order small, medium, large; put the labels and the counts in two "
            "columns.",
        ),
    ),
    Question(
        id="q5",
        kind="choice",
        prompt="Why is the mean of Likert codes (1-5) a questionable summary of an item?",
        choices={
            "a": "A mean needs at least 30 answers per item, and several items have fewer.",
            "b": "Likert answers are not normally distributed, so their mean is biased.",
            "c": "The codes only rank the answers; a mean treats the steps as equal.",
            "d": "Missing answers are counted as zeros and pull the mean down.",
        },
        correct="c",
        explanations={
            "a": "Sample size affects how precise a mean is, not whether it means anything; "
            "and the items here have well over 100 answers.",
            "b": "A mean is unbiased for any distribution with a mean; normality is not the issue.",
            "c": "Nothing says 'a little' to 'moderately' is as far as 'actively' to 'very "
            "actively'; counts, shares and medians need only the order.",
            "d": "pandas leaves missing answers out of a mean; they are not zeros.",
        },
        hints=("Ask what the numbers 1 to 5 stand for: amounts, or positions in an order?",),
    ),
    Question(
        id="q6",
        kind="open",
        points=2,
        prompt="Table 2 prints 36 % internal users among the 9 refining firms. Explain why "
        "this cannot be right and what the authors probably meant.",
        rubric="1 point: shows that no whole number of the 9 firms gives 36 % (3/9 = 33.3 %, "
        "4/9 = 44.4 %), i.e. the percentage is impossible for n = 9. 1 point: proposes a "
        "plausible reading (a typo for 33 % or 44 %, or a different denominator such as 11 "
        "firms giving 4/11 = 36.4 %) and says the authors should be asked.",
    ),
]
