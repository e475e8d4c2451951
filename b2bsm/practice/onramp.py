"""Practice of the Python on-ramp (notebooks/00b_python_onramp.ipynb), on the shipped survey.

Selecting, filtering, ``groupby`` and ordered categoricals: each question names the slip a
beginner typically makes with that step.
"""

from __future__ import annotations

from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm.practice import practice_set
from b2bsm.practice._survey import as_text_at_least, at_least, group_share, pct, survey

TITLE = "Python on-ramp practice"
__all__ = ["QUESTIONS", "TITLE", "check", "question"]

MEDIUM, MIDDLE_TURNOVER, SMALL = "Medium (50-250)", "EUR 11-50 m", "Small (< 50)"


# --------------------------------------------------------------------------- p1
def _refining(df):
    return int((df["industry"] == "Refining of metals").sum())


# --------------------------------------------------------------------------- p2
def _medium_and_turnover(df, how="and"):
    medium, turnover = df["size"] == MEDIUM, df["turnover"] == MIDDLE_TURNOVER
    return int((medium & turnover if how == "and" else medium | turnover).sum())


# --------------------------------------------------------------------------- p4
def _small_internal(df, level=3, scale=100.0):
    return group_share(df, df["size"] == SMALL, "use_internal", level, scale)


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt="How many of the surveyed firms are in the industry **Refining of metals**?",
        expected=_refining,
        precision=decimals(0),
        mistakes=[
            Mistake(
                lambda df: 100 * _refining(df) / len(df),
                "That is a percentage of all firms; the question asks for the number of firms.",
            ),
            Mistake(
                lambda df: len(df) - _refining(df),
                "You counted the firms *outside* that industry: keep the rows where the "
                "condition is True.",
            ),
        ],
        hints=("`value_counts()` on the `industry` column counts the firms of every industry.",),
    ),
    Question(
        id="p2",
        kind="number",
        prompt="How many firms are **medium-sized** (50-250 employees) **and** have a turnover "
        "of **EUR 11-50 m**?",
        expected=_medium_and_turnover,
        precision=decimals(0),
        mistakes=[
            Mistake(
                lambda df: _medium_and_turnover(df, how="or"),
                "You combined the two conditions with `|` (or): that keeps firms that meet "
                "*either* one. Use `&` (and) to keep firms that meet both.",
            ),
            Mistake(
                lambda df: int((df["size"] == MEDIUM).sum()),
                "That counts every medium-sized firm; the turnover condition is missing.",
            ),
            Mistake(
                lambda df: int((df["turnover"] == MIDDLE_TURNOVER).sum()),
                "That counts every firm with EUR 11-50 m turnover; the size condition is missing.",
            ),
        ],
        hints=(
            "Write each condition in its own brackets and join them with `&`.",
            "`(survey['size'] == ...) & (survey['turnover'] == ...)` is True where both hold.",
        ),
    ),
    Question(
        id="p4",
        kind="number",
        prompt="What percentage of the **small** firms (fewer than 50 employees) use social "
        "media internally **at least moderately** (column `use_internal`)?",
        expected=_small_internal,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda df: pct(
                    as_text_at_least(df[df["size"] == SMALL], "use_internal", "moderately")
                ),
                "You compared the answers as text, which puts them in alphabetical order "
                "('not at all' comes after 'moderately'). Compare the ordered categorical "
                "itself, `>= 'moderately'`, without `.astype(str)`.",
            ),
            Mistake(
                lambda df: _small_internal(df, scale=1.0),
                "That is a proportion between 0 and 1; the question asks for a percentage.",
            ),
            Mistake(
                lambda df: pct((df["size"] == SMALL) & at_least(df, "use_internal", 3)),
                "You divided by all 125 firms; the question asks for a share *of the small firms*.",
            ),
            Mistake(
                lambda df: _small_internal(df, level=4),
                "You left out 'moderately' itself: 'at least moderately' includes it.",
            ),
        ],
        hints=(
            "Filter the small firms first, then take the mean of a True/False column.",
            "`.groupby('size', observed=True)['use_internal']` followed by a share per group "
            "also works.",
        ),
    ),
    Question(
        id="p3",
        kind="choice",
        prompt="You store three answers as `pd.Categorical(['low', 'high', 'medium'], "
        "ordered=True)`, **without** `categories=`. In which order does pandas put them?",
        choices={
            "a": "low < medium < high, the order the words mean",
            "b": "high < low < medium, alphabetical order",
            "c": "low < high < medium, the order they were typed in",
            "d": "pandas refuses to make an ordered categorical without categories",
        },
        correct="b",
        explanations={
            "a": "pandas does not know what the words mean; without `categories=` it sorts "
            "the labels it finds.",
            "b": "Without `categories=` pandas sorts the labels alphabetically, so the order is "
            "wrong for a scale: always list the categories yourself.",
            "c": "pandas ignores the order in which the answers happen to come; without "
            "`categories=` it sorts the labels alphabetically.",
            "d": "It makes one without complaint, which is why the slip is easy to miss.",
        },
        hints=("Try it: build the categorical and print `.categories`.",),
    ),
]

check, question = practice_set(TITLE, QUESTIONS, survey)
