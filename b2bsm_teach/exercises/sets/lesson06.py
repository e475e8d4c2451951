"""Exercise set for lesson 06: auditing published tables (the answer key; not shipped to students).

The published tables are the same for everyone, so the per-student part is a
*draft*: a referee copy of a results table (item, n, printed %) in which a few
percentages were mistyped, and a chi-square statistic quoted in its text.  Each
student id gets its own draft and statistic (see :mod:`b2bsm.exercises.data`).
The question on the paper's own Table 5 varies by the range of denominators asked.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from b2bsm.exercises import data as _data
from b2bsm.exercises.data import DRAFT_SEED, make_draft
from b2bsm.exercises.questions import Mistake, Question, decimals, significant
from b2bsm_teach.exercises.sets._common import fair_question

TITLE = "Lesson 06 · Auditing published tables"
__all__ = ["DEFAULT_SEED", "QUESTIONS", "TITLE", "load_data", "make_draft"]

DEFAULT_SEED = DRAFT_SEED
load_data = functools.partial(_data.load_data, "06")


def draft(seed: int | None) -> pd.DataFrame:
    return _data.shared_data("06", seed)


def _grim(df: pd.DataFrame, decimals_: int = 1) -> pd.DataFrame:
    from b2bsm import stats

    return stats.grim_check(df["pct"], df["n"], decimals=decimals_)


# --------------------------------------------------------------------------- q1
def _rows(df, mask):
    return df.loc[np.asarray(mask, bool), ["item", "n", "pct"]].reset_index(drop=True)


def _impossible(df, p=None, decimals_=1):
    return _rows(df, ~_grim(df, decimals_)["possible"].to_numpy())


Q1_MISTAKES = [
    Mistake(
        lambda df, p=None: _rows(df, _grim(df)["possible"].to_numpy()),
        "Those are the rows that ARE possible; the question asks for the impossible ones.",
    ),
    Mistake(
        lambda df, p=None: _rows(df, ~_exact(df)),
        "You compared the printed value with the exact count / n, without rounding it the "
        "way the table prints it (1 decimal); most rows then look impossible.",
    ),
]
Q1_ALTERNATIVES = [lambda df, p=None: _impossible(df, decimals_=2)]


def _exact(df):
    """Rows whose printed percentage equals some count / n exactly (no rounding)."""
    n = df["n"].to_numpy()
    pct = df["pct"].to_numpy(dtype=float)
    count = np.round(pct * n / 100)
    return np.isclose(100 * count / n, pct, rtol=0, atol=1e-9)


# --------------------------------------------------------------------------- q2
def _first(df) -> pd.Series:
    table = _grim(df)
    return table.loc[~table["possible"]].iloc[0]


def _nearest(df, p=None, column="nearest_pct"):
    return float(_first(df)[column])


def _other_side(df, p=None):
    """The possible percentage on the other side of the printed value."""
    row = _first(df)
    n, pct, nearest = int(row["n"]), float(row["pct"]), int(row["nearest_count"])
    other = nearest + (1 if 100 * nearest / n < pct else -1)
    return 100 * min(max(other, 0), n) / n


Q2_MISTAKES = [
    Mistake(
        lambda df, p=None: _nearest(df, column="nearest_count"),
        "That is the nearest whole COUNT of respondents; give it as a percentage of n.",
    ),
    Mistake(
        lambda df, p=None: _nearest(df, column="pct"),
        "That is the printed (impossible) value itself; give the nearest possible one.",
    ),
]
Q2_ALTERNATIVES = [_other_side]


# --------------------------------------------------------------------------- q3
ROWS = {3: "firm size (3 classes)", 4: "turnover class (4 classes)", 6: "industry (6 classes)"}
STAT_OPTIONS = [
    {"chi2": f"{value / 100:.2f}", "rows": rows, "rows_words": words}
    for rows, words in ROWS.items()
    for value in range(100, 1201, 7)
]


def _chi2_p(df, p, dof=None, upper=True):
    from b2bsm import stats

    dof = int(p["rows"]) - 1 if dof is None else dof
    value = float(stats.chi2_p_value(float(p["chi2"]), dof))
    return value if upper else 1 - value


Q3_MISTAKES = [
    Mistake(
        lambda df, p: _chi2_p(df, p, dof=1),
        "That uses 1 degree of freedom, right only for a 2 x 2 table. A table with r rows and "
        "2 columns has (r - 1) x (2 - 1) degrees of freedom.",
    ),
    Mistake(
        lambda df, p: _chi2_p(df, p, dof=int(p["rows"])),
        "That uses the number of rows as degrees of freedom: it is (rows - 1) x (columns - 1).",
    ),
    Mistake(
        lambda df, p: _chi2_p(df, p, dof=2 * int(p["rows"])),
        "That uses the number of cells as degrees of freedom: it is (rows - 1) x (columns - 1).",
    ),
    Mistake(
        lambda df, p: _chi2_p(df, p, upper=False),
        "That is the lower tail (the distribution function). The p-value is the UPPER tail, "
        "the chance of a statistic at least this large.",
    ),
]
Q3_ALTERNATIVES = [
    lambda df, p: _chi2_p(df, p, dof=2 * (int(p["rows"]) - 1)),
    lambda df, p: math.erfc(math.sqrt(float(p["chi2"]) / 2)) / 2,  # a one-sided z reading
]


# --------------------------------------------------------------------------- q4
def _table5_options():
    from b2bsm.data import published_tables

    rows = published_tables()["table5_potential_much_or_very_much_among_external_users_pct"]
    return [
        {"item": r["item"], "interface": r["interface"], "pct": f"{float(r['pct']):.1f}"}
        for r in rows["rows"]
    ]


N_LIMIT = 500


def _denominators(p, decimals_=1):
    from b2bsm import stats

    return stats.possible_denominators(float(p["pct"]), n_max=N_LIMIT, decimals=decimals_)


def _smallest_n(df, p, column="n", decimals_=1):
    fits = _denominators(p, decimals_)
    return float(fits[column].iloc[0]) if len(fits) else float("nan")


def _fits_up_to_16(df, p):
    return float((_denominators(p)["n"] <= 16).sum())


Q4_MISTAKES = [
    Mistake(
        lambda df, p: _smallest_n(df, p, column="count"),
        "That is the number of firms with the answer (the count), not the denominator n.",
    ),
]
Q4_ALTERNATIVES = [_fits_up_to_16]


QUESTIONS = [
    Question(
        id="q1",
        kind="table",
        points=2,
        prompt="Which printed percentages in your draft table cannot come from their n (GRIM "
        "test, percentages printed to 1 decimal)? Make a DataFrame with the draft's columns "
        "`item`, `n` and `pct`, holding only those rows, in the draft's order.",
        expected=_impossible,
        precision=decimals(1),
        mistakes=Q1_MISTAKES,
        alternatives=Q1_ALTERNATIVES,
        hints=(
            "A percentage of n respondents must be a whole count divided by n, rounded the "
            "way the table prints it.",
            "Run the lesson's GRIM check on the pct and n columns and keep the rows it marks "
            "as impossible.",
        ),
    ),
    Question(
        id="q2",
        kind="number",
        prompt="For the FIRST impossible row of your draft (top to bottom), which percentage "
        "was probably meant? Give the possible percentage nearest to the printed one.",
        expected=_nearest,
        precision=decimals(1),
        mistakes=Q2_MISTAKES,
        alternatives=Q2_ALTERNATIVES,
        hints=(
            "The likely intended value is the closest percentage that a whole number of the "
            "row's n respondents can produce.",
            "The GRIM check reports the nearest possible count and percentage for every row.",
        ),
    ),
    fair_question(
        id="q3",
        kind="number",
        points=2,
        prompt="The text of your draft reports chi2 = {chi2} for external use (used / not "
        "used) by {rows_words}. Which p-value belongs to it?",
        expected=_chi2_p,
        precision=significant(2),
        mistakes=Q3_MISTAKES,
        alternatives=Q3_ALTERNATIVES,
        data=lambda seed: None,
        options=STAT_OPTIONS,
        salt=603,
        hints=(
            "A chi-square statistic means nothing without its degrees of freedom, which come "
            "from the shape of the table.",
            "Work out the degrees of freedom of a table with that many rows and two columns, "
            "then take the upper tail of the chi-square distribution.",
        ),
    ),
    fair_question(
        id="q4",
        kind="number",
        prompt="Table 5 of the paper prints percentages without their n. Its row "
        "'{item}' ({interface} interface) reads {pct} %. What is the smallest number of firms "
        "n for which a whole count out of n, rounded to 1 decimal, gives exactly this "
        "percentage?",
        expected=_smallest_n,
        precision=decimals(0),
        mistakes=Q4_MISTAKES,
        alternatives=Q4_ALTERNATIVES,
        data=lambda seed: None,
        options=_table5_options(),
        salt=604,
        hints=(
            "A denominator fits when some whole count out of it rounds to the printed "
            "percentage; about 16 firms answered, but the printed value may need another n.",
            "Try the denominators in increasing order (the lesson has a function that lists "
            "the ones that fit) and stop at the first.",
        ),
    ),
    Question(
        id="q5",
        kind="choice",
        prompt="A percentage fails the GRIM test. What does that show?",
        choices={
            "a": "The authors invented their data, and the paper should be retracted.",
            "b": "Nothing: printed percentages are rounded, so small mismatches like this are "
            "normal.",
            "c": "The number as printed cannot be right for its n; the authors should be asked.",
            "d": "The paper's significance tests are invalid and must be recomputed.",
        },
        correct="c",
        explanations={
            "a": "GRIM shows an inconsistency, not its cause; typos and unreported missing "
            "answers are far more common than fraud.",
            "b": "Rounding is already allowed for: the test asks whether ANY whole count rounds "
            "to the printed value.",
            "c": "A typo, a different denominator or a miscalculation: an audit finding states "
            "the inconsistency and asks, it does not accuse.",
            "d": "A typo in a descriptive table says nothing about a test elsewhere in the paper.",
        },
        hints=("Separate what the check establishes from guesses about why it happened.",),
    ),
    Question(
        id="q6",
        kind="open",
        points=2,
        prompt="Write the audit finding for your draft's first impossible row as you would "
        "send it to the authors: what is printed, why it cannot be right, what was probably "
        "meant, and what you ask them to check.",
        rubric="1 point: quotes the printed row (item, n, %) and shows why no whole count out "
        "of n gives that percentage (the two nearest possible values). 1 point: names the "
        "probable intended value and asks a neutral, checkable question (typo, different "
        "denominator, missing answers), without accusing the authors.",
    ),
]
