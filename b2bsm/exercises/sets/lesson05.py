"""Exercise set for lesson 05: potential, barriers and the use-potential gap."""

from __future__ import annotations

import pandas as pd

from b2bsm.exercises.questions import Mistake, Question
from b2bsm.exercises.sets._survey import code, external, load_data

TITLE = "Lesson 05 · Potential and barriers"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

BARRIER = "barrier_cannot_evaluate_benefits"
GAP_PAIR = ("cust_use_rnd_participation", "cust_pot_rnd_participation")


def _external_interval(df, method="wilson", scale=100.0):
    from b2bsm import stats

    low, _ = stats.proportion_ci(int(external(df).sum()), len(df), method=method)
    return scale * float(low)


def _barrier_pct(df, denominator="answered"):
    very = int((code(df, BARRIER) == 4).sum())
    n = int(df[BARRIER].notna().sum()) if denominator == "answered" else len(df)
    return 100 * very / n


def _gap_row(df, test="sign", users_only=True) -> pd.Series:
    from b2bsm import stats

    users = df[external(df)] if users_only else df
    return stats.paired_comparison(users, [GAP_PAIR], test=test).iloc[0]


def _gap_p(df, test="sign", users_only=True):
    return float(_gap_row(df, test, users_only)["p_value"])


def _gap_p_one_sided(df):
    from scipy import stats as sps

    row = _gap_row(df)
    up, down = int(row["n_y_higher"]), int(row["n_x_higher"])
    return float(sps.binomtest(up, up + down, 0.5, alternative="greater").pvalue)


def _experienced_table(df, at_least=4, users_only=True):
    from b2bsm import stats

    items = [c for c in df.columns if c.startswith("cust_pot_")]
    firms = df[external(df)] if users_only else df
    table = stats.proportions(firms, items, at_least=at_least)
    return pd.DataFrame({"item": table["item"], "n": table["n"], "pct": table["pct"]})


QUESTIONS = [
    Question(
        id="q1",
        prompt="Lower end (in %) of the 95 % Wilson interval for the share of all firms that "
        "use social media externally (1 decimal).",
        kind="number",
        points=2,
        tolerance=0.05,
        expected=_external_interval,
        mistakes=[
            Mistake(
                lambda df: _external_interval(df, "normal"),
                "That is the normal-approximation (Wald) interval; with a share this small it "
                "is too narrow at the bottom. Use method='wilson'.",
            ),
            Mistake(
                lambda df: _external_interval(df, "beta"),
                "That is the Clopper-Pearson ('exact', beta) interval; the question asks for "
                "Wilson's.",
            ),
            Mistake(
                lambda df: _external_interval(df, scale=1.0),
                "That is a proportion between 0 and 1; give the lower end in percent.",
            ),
        ],
        hint="Count the external users, then stats.proportion_ci(successes, n) (Wilson is "
        "the default) and multiply by 100.",
    ),
    Question(
        id="q2",
        prompt="What percentage of the firms that answered the item rate 'cannot evaluate the "
        "benefits' (barrier_cannot_evaluate_benefits) as 'very important'? (1 decimal)",
        kind="number",
        tolerance=0.05,
        expected=_barrier_pct,
        mistakes=[
            Mistake(
                lambda df: _barrier_pct(df, "all"),
                "You divided by all 125 firms. Firms that skipped the item did not answer it: "
                "divide by the firms that answered, as Table 6 does.",
            ),
            Mistake(
                lambda df: _barrier_pct(df) / 100,
                "That is a proportion; give a percentage (multiply by 100).",
            ),
        ],
        hint="'very important' is the top of the 4-point scale (code 4).",
    ),
    Question(
        id="q3",
        prompt="Among the EXTERNAL users only: two-sided p-value of the exact sign test of "
        "use vs potential for 'customer participation in R&D' (cust_use_rnd_participation, "
        "cust_pot_rnd_participation), 4 decimals.",
        kind="number",
        points=2,
        tolerance=0.0005,
        expected=_gap_p,
        mistakes=[
            Mistake(
                lambda df: _gap_p(df, "wilcoxon"),
                "That is the Wilcoxon signed-rank test's p-value; the question asks for the "
                "sign test (test='sign'), which uses only the direction of each difference.",
            ),
            Mistake(
                _gap_p_one_sided,
                "That is a one-sided p-value; the question asks for the two-sided test.",
            ),
            Mistake(
                lambda df: _gap_p(df, users_only=False),
                "You used all firms; the question asks about the external users only.",
            ),
        ],
        hint="Filter the external users, then stats.paired_comparison(..., test='sign').",
    ),
    Question(
        id="q4",
        prompt="A DataFrame with columns 'item', 'n' and 'pct': for each cust_pot_* column, "
        "among the EXTERNAL users only, how many answered and the % rating the potential "
        "'much' or 'very much' (code 4 or 5), in the survey's column order.",
        kind="table",
        points=2,
        tolerance=0.05,
        expected=_experienced_table,
        mistakes=[
            Mistake(
                lambda df: _experienced_table(df, users_only=False),
                "You used all firms; Table 5 asks only the firms with external experience.",
            ),
            Mistake(
                lambda df: _experienced_table(df, at_least=3),
                "You counted 'some' potential too (code 3); the question asks for 'much' or "
                "'very much' (code 4 or 5).",
            ),
        ],
        hint="Filter the external users first, then stats.proportions(..., at_least=4).",
    ),
    Question(
        id="q5",
        prompt="Table 5 ranks functions by the share of experienced firms seeing potential, "
        "with about 15 firms per row. What may you conclude?",
        kind="choice",
        choices={
            "a": "The top function is the one with the most potential for B2B firms.",
            "b": "The intervals overlap almost completely, so the data cannot tell most of "
            "the functions apart.",
            "c": "Functions below 50 % have no potential.",
            "d": "The ranking is reliable because every share has a confidence interval.",
        },
        correct="b",
        explanations={
            "a": "With n near 15 one firm moves a share by about 7 points; the top spot could "
            "easily go to another function in a new sample.",
            "b": "Wilson intervals for n near 15 are about 45 points wide, so only the "
            "extremes could differ.",
            "c": "The share says how many firms rated the potential high, not whether there is "
            "any potential.",
            "d": "Having intervals does not make them narrow; here they overlap almost completely.",
        },
    ),
    Question(
        id="q6",
        prompt="Most firms rate the potential of social media above their use of it. Write "
        "two or three sentences to a marketing manager on what this gap does and does not "
        "tell them.",
        kind="open",
        points=2,
    ),
]
