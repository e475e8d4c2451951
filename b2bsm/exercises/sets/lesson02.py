"""Exercise set for lesson 02: meet the survey data."""

from __future__ import annotations

import pandas as pd

from b2bsm.exercises.questions import Mistake, Question
from b2bsm.exercises.sets._survey import code, external, load_data

TITLE = "Lesson 02 · Meet the survey data"
__all__ = ["QUESTIONS", "TITLE", "load_data"]


def _customer_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith(("cust_use_", "cust_pot_"))]


def _size_table(df: pd.DataFrame) -> pd.DataFrame:
    counts = df["size"].value_counts(sort=False)
    return pd.DataFrame({"size": counts.index.astype(str), "firms": counts.to_numpy()})


def _size_table_pct(df: pd.DataFrame) -> pd.DataFrame:
    table = _size_table(df)
    table["firms"] = 100 * table["firms"] / table["firms"].sum()
    return table


QUESTIONS = [
    Question(
        id="q1",
        prompt="How many firms use social media at least moderately with customers (use_customer)?",
        kind="number",
        expected=lambda df: int((code(df, "use_customer") >= 3).sum()),
        mistakes=[
            Mistake(
                lambda df: int((code(df, "use_customer") >= 4).sum()),
                "You counted only 'actively' and 'very actively'; 'at least moderately' also "
                "includes 'moderately' (code 3).",
            ),
            Mistake(
                lambda df: int((code(df, "use_customer") >= 2).sum()),
                "You included 'a little' (code 2); 'at least moderately' starts at code 3.",
            ),
            Mistake(
                lambda df: int(external(df).sum()),
                "That counts customer OR partner use; the question asks about customers only.",
            ),
        ],
        hint="Compare the ordered categorical with 'moderately' (>=) and count the True values.",
    ),
    Question(
        id="q2",
        prompt="What percentage of all firms use social media externally (customers or "
        "partners, at least moderately)? Give a percentage, e.g. 12.3.",
        kind="number",
        points=2,
        tolerance=0.05,
        expected=lambda df: 100 * float(external(df).mean()),
        mistakes=[
            Mistake(
                lambda df: float(external(df).mean()),
                "That looks like a proportion (between 0 and 1); the question asks for a "
                "percentage (multiply by 100).",
            ),
            Mistake(
                lambda df: 100 * float((code(df, "use_customer") >= 3).mean()),
                "You counted customer use only; external use means customers OR partners.",
            ),
            Mistake(
                lambda df: (
                    100
                    * float(
                        ((code(df, "use_customer") >= 3) & (code(df, "use_partner") >= 3)).mean()
                    )
                ),
                "You required both customer AND partner use; external use means either one.",
            ),
        ],
        hint="Build a True/False Series with | (or) and take its mean times 100.",
    ),
    Question(
        id="q3",
        prompt="With listwise deletion, how many firms remain for an analysis of all 20 "
        "customer-function columns (cust_use_* and cust_pot_*)?",
        kind="number",
        points=2,
        tolerance=0,
        expected=lambda df: int(df[_customer_columns(df)].dropna().shape[0]),
        mistakes=[
            Mistake(
                lambda df: int(df[["cust_use_marketing", "cust_pot_marketing"]].dropna().shape[0]),
                "That is the N of one pair of columns (pairwise deletion). Listwise deletion "
                "keeps only firms that answered every one of the 20 columns.",
            ),
            Mistake(
                lambda df: len(df),
                "That is every firm: you did not drop anyone. Listwise deletion drops firms "
                "with a missing answer in any of the columns.",
            ),
            Mistake(
                lambda df: int(
                    df[[c for c in df.columns if c.startswith("cust_use_")]].dropna().shape[0]
                ),
                "You used the 10 use columns only; include the 10 potential columns too.",
            ),
        ],
    ),
    Question(
        id="q4",
        prompt="Make a DataFrame with columns 'size' and 'firms': the number of firms in each "
        "size class, in the order small, medium, large (Table 1).",
        kind="table",
        points=2,
        tolerance=0,
        expected=_size_table,
        mistakes=[
            Mistake(
                _size_table_pct,
                "Your table holds percentages; the question asks for the number of firms.",
            )
        ],
        hint="value_counts(sort=False) keeps the categories' order; then build the two columns.",
    ),
    Question(
        id="q5",
        prompt="Why is the mean of Likert codes (1-5) a questionable summary?",
        kind="choice",
        choices={
            "a": "Means cannot be computed when some answers are missing.",
            "b": "The codes are ranks: nothing says the steps between answers are equal, and a "
            "mean assumes they are.",
            "c": "Means are always larger than medians for survey data.",
            "d": "pandas cannot average categorical columns, so the number would be wrong.",
        },
        correct="b",
        explanations={
            "a": "Missing answers are simply left out of a mean, as of any summary.",
            "b": "A mean treats 'a little' to 'moderately' as the same distance as 'actively' "
            "to 'very actively'; counts, shares and medians need only the order.",
            "c": "That is not a rule; it depends on the skew of the answers.",
            "d": "pandas can average the codes; the problem is what the number means.",
        },
    ),
    Question(
        id="q6",
        prompt="Table 2 prints 36 % internal users among the 9 refining firms. Explain why this "
        "cannot be right and what the authors probably meant.",
        kind="open",
        points=2,
    ),
]
