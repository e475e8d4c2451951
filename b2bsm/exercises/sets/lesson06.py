"""Exercise set for lesson 06: auditing published tables.

The published tables are the same for everyone, so the per-student part is a
*draft* table: a referee copy of a results table (item, n, printed %) in which
a few percentages were mistyped.  Each student id gets its own draft.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from b2bsm.exercises.questions import Mistake, Question

TITLE = "Lesson 06 · Auditing published tables"
__all__ = ["QUESTIONS", "TITLE", "load_data", "make_draft"]

DEFAULT_SEED = 2014
ITEMS = (
    "marketing",
    "communications",
    "product demos",
    "thought leadership",
    "customer leads",
    "sales support",
    "customer needs",
    "R&D participation",
    "customer service",
    "employer branding",
    "recruiting",
    "events",
)


def make_draft(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """A draft results table with 2-4 mistyped (GRIM-impossible) percentages.

    Every ``n`` is below 60, so whole counts are at least 1.67 points apart and a
    shift of 0.3-0.8 points can never land on another possible value.

    Examples
    --------
    >>> make_draft(1).columns.tolist()
    ['item', 'n', 'pct']
    """
    rng = np.random.default_rng(seed)
    size = len(ITEMS)
    n = rng.integers(8, 60, size=size)
    count = rng.binomial(n, rng.uniform(0.1, 0.7, size=size))
    pct = np.round(100 * count / n, 1)
    bad = rng.choice(size, size=int(rng.integers(2, 5)), replace=False)
    shift = rng.choice([0.3, 0.4, 0.5, 0.6, 0.7, 0.8], size=len(bad)) * rng.choice(
        [-1, 1], len(bad)
    )
    moved = pct[bad] + shift
    pct[bad] = np.round(np.where((moved < 0) | (moved > 100), pct[bad] - shift, moved), 1)
    return pd.DataFrame({"item": list(ITEMS), "n": n, "pct": pct})


def load_data(seed: int | None) -> pd.DataFrame:
    """The student's draft table (the shared one without a student id)."""
    return make_draft(DEFAULT_SEED if seed is None else seed)


def _grim(df: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    from b2bsm import stats

    return stats.grim_check(df["pct"], df["n"], decimals=decimals)


def _first_impossible(df: pd.DataFrame, column: str = "nearest_pct") -> float:
    table = _grim(df)
    return float(table.loc[~table["possible"], column].iloc[0])


def _table5_rows(possible: bool = False) -> int:
    from b2bsm import stats
    from b2bsm.data import published_tables

    rows = published_tables()["table5_potential_much_or_very_much_among_external_users_pct"]["rows"]
    fits = [len(stats.possible_denominators(r["pct"], n_max=16)) > 0 for r in rows]
    return int(sum(fits)) if possible else int(len(fits) - sum(fits))


def _turnover_p(dof: int = 3, upper: bool = True) -> float:
    from b2bsm import stats
    from b2bsm.data import published_tables

    chi2 = published_tables()["chi_square_external_use"]["by_turnover"]["chi2"]
    p = float(stats.chi2_p_value(chi2, dof))
    return p if upper else 1 - p


QUESTIONS = [
    Question(
        id="q1",
        prompt="How many of the printed percentages in your draft table cannot come from its n "
        "(GRIM test, percentages printed to 1 decimal)?",
        kind="number",
        points=2,
        tolerance=0,
        expected=lambda df: int((~_grim(df)["possible"]).sum()),
        mistakes=[
            Mistake(
                lambda df: int(_grim(df)["possible"].sum()),
                "You counted the percentages that ARE possible; the question asks for the "
                "impossible ones.",
            ),
            Mistake(
                lambda df: int((~_grim(df, decimals=0)["possible"]).sum()),
                "You checked with decimals=0, but the draft prints one decimal: pass "
                "decimals=1 (the default).",
            ),
        ],
        hint="stats.grim_check(draft['pct'], draft['n']) has a 'possible' column; count the "
        "False values.",
    ),
    Question(
        id="q2",
        prompt="For the FIRST impossible row of your draft (top to bottom), which percentage "
        "was probably meant? Give the nearest possible percentage (1 decimal).",
        kind="number",
        tolerance=0.05,
        expected=_first_impossible,
        mistakes=[
            Mistake(
                lambda df: _first_impossible(df, "nearest_count"),
                "That is the nearest whole COUNT of respondents; give it as a percentage of n.",
            ),
            Mistake(
                lambda df: _first_impossible(df, "pct"),
                "That is the printed (impossible) value itself; give the nearest possible one.",
            ),
        ],
    ),
    Question(
        id="q3",
        prompt="The paper prints chi2 = 2.62 for external use by turnover class (4 classes x "
        "used / not used). Which p-value belongs to it? (2 decimals)",
        kind="number",
        points=2,
        tolerance=0.005,
        expected=lambda df: _turnover_p(),
        mistakes=[
            Mistake(
                lambda df: _turnover_p(dof=1),
                "That uses 1 degree of freedom. A 4 x 2 table has (4 - 1) x (2 - 1) degrees "
                "of freedom.",
            ),
            Mistake(
                lambda df: _turnover_p(dof=4),
                "That uses 4 degrees of freedom: (rows - 1) x (columns - 1), not the number "
                "of rows.",
            ),
            Mistake(
                lambda df: _turnover_p(dof=8),
                "That uses the number of cells as degrees of freedom: it is (rows - 1) x "
                "(columns - 1).",
            ),
            Mistake(
                lambda df: _turnover_p(upper=False),
                "That is the lower tail (the CDF). The p-value is the UPPER tail: "
                "stats.chi2_p_value or scipy.stats.chi2.sf.",
            ),
        ],
    ),
    Question(
        id="q4",
        prompt="Table 5 prints percentages without their n (about 16 experienced firms). How "
        "many of its rows fit NO denominator from 1 to 16?",
        kind="number",
        tolerance=0,
        expected=lambda df: _table5_rows(),
        mistakes=[
            Mistake(
                lambda df: _table5_rows(possible=True),
                "You counted the rows that DO fit some n; the question asks for the rows that "
                "fit none.",
            ),
        ],
        hint="stats.possible_denominators(pct, n_max=16) is empty for a row that fits no n.",
    ),
    Question(
        id="q5",
        prompt="A percentage fails the GRIM test. What does that show?",
        kind="choice",
        choices={
            "a": "The authors invented their data.",
            "b": "The number as printed cannot be right for the stated n: a typo, a different "
            "denominator or a miscalculation, which the authors should be asked about.",
            "c": "Nothing: percentages are always rounded.",
            "d": "The statistical test in the paper is invalid.",
        },
        correct="b",
        explanations={
            "a": "GRIM shows an inconsistency, not its cause; typos and unreported missing "
            "answers are far more common than fraud.",
            "b": "An audit finding states the inconsistency and asks; it does not accuse.",
            "c": "Rounding is already allowed for: the test asks whether ANY whole count "
            "rounds to the printed value.",
            "d": "A typo in a descriptive table says nothing about a test elsewhere in the paper.",
        },
    ),
    Question(
        id="q6",
        prompt="Write the audit finding for your draft's first impossible row as you would "
        "send it to the authors: what is printed, why it cannot be right, what was probably "
        "meant, and what you ask them to check.",
        kind="open",
        points=2,
    ),
]
