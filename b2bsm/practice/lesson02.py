"""Practice of lesson 02 (meet the survey data), on the shipped survey.

Ordered answers, listwise N and shares within a group; the mistakes are the slips the lesson
warns about (answers compared as text, every firm kept, the wrong denominator).
"""

from __future__ import annotations

from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm.practice import practice_set
from b2bsm.practice._survey import as_text_at_least, at_least, group_share, pct, survey

TITLE = "Lesson 02 practice"
__all__ = ["QUESTIONS", "TITLE", "check", "question"]

SERVICE = "cust_use_customer_service"
ELECTRONICS = "Electronics and electricity"


def _barrier_columns(df):
    return [c for c in df.columns if c.startswith("barrier_")]


def _listwise(df):
    return int(df[_barrier_columns(df)].dropna().shape[0])


def _electronics_partner(df, level=3, scale=100.0):
    return group_share(df, df["industry"] == ELECTRONICS, "use_partner", level, scale)


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt="How many firms use social media **at least moderately** for customer service "
        f"(column `{SERVICE}`)?",
        expected=lambda df: int(at_least(df, SERVICE, 3).sum()),
        precision=decimals(0),
        mistakes=[
            Mistake(
                lambda df: int(as_text_at_least(df, SERVICE, "moderately").sum()),
                "You compared the answers as text, so alphabetically: 'not at all' and 'very "
                "actively' come after 'moderately', 'actively' before it. Compare the ordered "
                "categorical itself (no `.astype(str)`).",
            ),
            Mistake(
                lambda df: int(at_least(df, SERVICE, 4).sum()),
                "You counted only answers above 'moderately'; 'at least moderately' includes "
                "'moderately' itself (`>=`, not `>`).",
            ),
            Mistake(
                lambda df: int(at_least(df, SERVICE, 2).sum()),
                "You started at 'a little' (code 2); 'at least moderately' starts at code 3.",
            ),
        ],
        hints=("`(survey[column] >= 'moderately').sum()` counts the firms at or above a level.",),
    ),
    Question(
        id="p2",
        kind="choice",
        prompt="Which summary of the answers to `cust_use_marketing` needs **no** assumption "
        "beyond their order?",
        choices={
            "a": "the mean of the codes 1-5",
            "b": "the median answer",
            "c": "the standard deviation of the codes 1-5",
            "d": "the difference between the mean codes of two industries",
        },
        correct="b",
        explanations={
            "a": "A mean adds the codes up, so it assumes equal steps between the answers.",
            "b": "The median only asks which answer sits in the middle when the firms are "
            "lined up in order: the order is all it uses.",
            "c": "A standard deviation measures distances between codes, so it assumes equal "
            "steps too.",
            "d": "A difference of means inherits the equal-steps assumption of each mean.",
        },
        hints=("Ask of each summary: does it add or subtract codes, or only line them up?",),
    ),
    Question(
        id="p3",
        kind="number",
        prompt="How many firms answered **every one** of the barrier questions (all columns "
        "whose name starts with `barrier_`), the listwise N?",
        expected=_listwise,
        precision=decimals(0),
        mistakes=[
            Mistake(
                len,
                "That is every firm: nobody was dropped. Listwise deletion drops each firm "
                "with a missing answer in any of the columns (`.dropna()` on those columns).",
            ),
            Mistake(
                lambda df: int(df[_barrier_columns(df)[0]].notna().sum()),
                "That is the N of a single column. Listwise deletion keeps only the firms that "
                "answered every one of the columns.",
            ),
            Mistake(
                lambda df: len(df) - _listwise(df),
                "That is the number of firms with at least one gap; the listwise N is the "
                "number that remain.",
            ),
            Mistake(
                lambda df: int(df.dropna().shape[0]),
                "You dropped firms with a gap in *any* column of the survey; keep to the "
                "barrier columns (`survey[columns].dropna()`).",
            ),
        ],
        hints=("Select the barrier columns, drop the rows with a missing answer, count rows.",),
    ),
    Question(
        id="p4",
        kind="number",
        prompt=f"What percentage of the **{ELECTRONICS}** firms use social media at least "
        "moderately **with partners** (column `use_partner`)?",
        expected=_electronics_partner,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda df: _electronics_partner(df, scale=1.0),
                "That is a proportion between 0 and 1; the question asks for a percentage.",
            ),
            Mistake(
                lambda df: pct((df["industry"] == ELECTRONICS) & at_least(df, "use_partner", 3)),
                "You divided by all 125 firms; the share is of the firms *in that industry*.",
            ),
            Mistake(
                lambda df: int(
                    ((df["industry"] == ELECTRONICS) & at_least(df, "use_partner", 3)).sum()
                ),
                "That is the number of firms; divide by the number of firms in the industry.",
            ),
            Mistake(
                lambda df: _electronics_partner(df, level=2),
                "You started at 'a little' (code 2); 'at least moderately' starts at code 3.",
            ),
        ],
        hints=("Filter the industry's firms, then take the mean of `>= 'moderately'` x 100.",),
    ),
]

check, question = practice_set(TITLE, QUESTIONS, survey)
