"""Exercise set for lesson 09: from engagement to pipeline (answer key).

Every student id gets its own simulated CRM extract (same design as the shipped
file, :func:`b2bsm.data.crm.simulate_crm` with the id's seed), so every
computed answer differs between students; q2 also varies the horizon and q3
the channel it asks about.
"""

from __future__ import annotations

import functools
import math

import pandas as pd

from b2bsm.data.crm import attribution, reached_by
from b2bsm.exercises import data as _data
from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm_teach.exercises.sets._common import fair_question

TITLE = "Lesson 09 · From engagement to pipeline"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

load_data = functools.partial(_data.load_data, "09")
Z = 1.959963984540054  # the 97.5 % normal quantile


def crm(seed: int | None) -> pd.DataFrame:
    return _data.shared_data("09", seed)


# --------------------------------------------------------------------------- q1
def _won_counts(df: pd.DataFrame) -> tuple[int, int]:
    opps = df[df["opportunity"] == 1]
    return int(opps["won"].sum()), len(opps)


def _wilson_low(df, counts=_won_counts):
    from statsmodels.stats.proportion import proportion_confint

    won, n = counts(df)
    return float(proportion_confint(won, n, alpha=0.05, method="wilson")[0])


def _wald_low(df):
    won, n = _won_counts(df)
    p = won / n
    return p - Z * math.sqrt(p * (1 - p) / n)


def _won_of_leads(df):
    leads = df[df["lead"] == 1]
    return int(leads["won"].sum()), len(leads)


Q1_MISTAKES = [
    Mistake(
        _wald_low,
        "That is the normal-approximation (Wald) interval, p plus or minus 1.96 standard "
        "errors; the question asks for the Wilson interval, which lesson 05 and lesson 09 use.",
    ),
    Mistake(
        lambda df: _won_counts(df)[0] / _won_counts(df)[1],
        "That is the share itself; the question asks for the lower end of its interval.",
    ),
    Mistake(
        lambda df: _wilson_low(df, _won_of_leads),
        "Your denominator is all leads; the step asked about is from opportunity to won deal, "
        "so divide by the opportunities.",
    ),
]


# --------------------------------------------------------------------------- q2
def _leads(df):
    return df[df["lead"] == 1]


def _km(df, p, survival=False):
    leads = _leads(df)
    share = reached_by(leads["days_to_opportunity"], leads["opportunity"], p["days"])
    return 1 - share if survival else share


def _naive(df, p):
    leads = _leads(df)
    hit = (leads["opportunity"] == 1) & (leads["days_to_opportunity"] <= p["days"])
    return float(hit.mean())


def _closed_only(df, p):
    closed = _leads(df)[_leads(df)["opportunity"] == 1]
    return float((closed["days_to_opportunity"] <= p["days"]).mean())


Q2_MISTAKES = [
    Mistake(
        _naive,
        "You divided the opportunities within the horizon by all leads, as if every lead still "
        "open had failed. Leads observed for less time must leave the risk set when their "
        "observation ends (censoring): that is what Kaplan-Meier does.",
    ),
    Mistake(
        lambda df, p: _km(df, p, survival=True),
        "That is the survival S(t), the share still WITHOUT an opportunity; the question asks "
        "for the share that reached one, 1 - S(t).",
    ),
    Mistake(
        _closed_only,
        "You kept only the leads that already have an opportunity; the question asks about all "
        "leads, including the ones still open.",
    ),
]
DAY_OPTIONS = [{"days": d} for d in (60, 75, 90, 105, 120, 150)]


# --------------------------------------------------------------------------- q3
def _credit(df, p, rule="position-based"):
    return float(attribution(df[df["opportunity"] == 1], rule=rule)[p["channel"]])


Q3_MISTAKES = [
    Mistake(
        lambda df, p: _credit(df, p, "last touch"),
        "That is the last-touch count. Position-based gives 40 % to the first click, 40 % to "
        "the last and shares 20 % among the clicks in between.",
    ),
    Mistake(
        lambda df, p: _credit(df, p, "first touch"),
        "That is the first-touch count; position-based shares each opportunity over its path.",
    ),
    Mistake(
        lambda df, p: _credit(df, p, "linear"),
        "You shared each opportunity equally over its clicks (linear attribution); "
        "position-based gives the first and last click 40 % each.",
    ),
]
CHANNEL_OPTIONS = [
    {"channel": c} for c in ("organic post", "sponsored post", "webinar", "newsletter")
]


# --------------------------------------------------------------------------- q4
def _lift(df, column="lead", scale=1000.0, sign=1):
    rates = df.groupby("holdout")[column].mean()
    return sign * scale * float(rates[0] - rates[1])


Q4_MISTAKES = [
    Mistake(
        lambda df: _lift(df, sign=-1),
        "The sign is reversed: the campaign's effect is the exposed rate (holdout 0) minus the "
        "held-out rate (holdout 1).",
    ),
    Mistake(
        lambda df: _lift(df, scale=100.0),
        "That is a difference in percentage points; the question asks for leads per 1,000 "
        "exposed accounts.",
    ),
]


QUESTIONS = [
    Question(
        id="q1",
        kind="number",
        prompt="Of the opportunities in your extract, what share was won by the day of the "
        "extract? Give the LOWER end of its Wilson 95 % interval, as a proportion.",
        expected=_wilson_low,
        precision=decimals(3),
        mistakes=Q1_MISTAKES,
        hints=(
            "A share from a few hundred opportunities is uncertain; the Wilson interval is the "
            "one lesson 05 recommends for proportions.",
            "Count the won deals and the opportunities, then ask statsmodels for the Wilson "
            "interval of that proportion and keep its lower end.",
        ),
    ),
    fair_question(
        id="q2",
        kind="number",
        prompt="By the Kaplan-Meier estimate, what share of your leads reach an opportunity "
        "within {days} days of becoming a lead? Answer as a proportion.",
        expected=_km,
        precision=decimals(3),
        mistakes=Q2_MISTAKES,
        data=crm,
        options=DAY_OPTIONS,
        salt=902,
        hints=(
            "A lead with no opportunity yet on the day of the extract is censored: it is "
            "still open, not lost.",
            "Fit the Kaplan-Meier curve to the leads' days and event indicator, read the "
            "survival at the horizon (the last step at or before it) and subtract it from one.",
        ),
    ),
    fair_question(
        id="q3",
        kind="number",
        prompt="Position-based (U-shaped) attribution gives 40 % of each opportunity to the "
        "first click of its path, 40 % to the last and shares 20 % equally among the clicks in "
        "between (one click: 100 %; two clicks: 50 % each). How many of your opportunities "
        "does it credit to the channel '{channel}'?",
        expected=_credit,
        precision=decimals(1),
        mistakes=Q3_MISTAKES,
        data=crm,
        options=CHANNEL_OPTIONS,
        salt=903,
        hints=(
            "Each opportunity's credit of 1 is shared among the clicks of its path, by "
            "position in the path.",
            "Split each path into one row per click, number the clicks of each account, give "
            "each click its share, then add up the shares of the channel.",
        ),
    ),
    Question(
        id="q4",
        kind="number",
        prompt="A random quarter of your accounts was held out of the sponsored campaign. How "
        "many extra LEADS per 1,000 exposed accounts did the campaign cause? (The exposed "
        "lead rate minus the held-out lead rate, times 1,000.)",
        expected=_lift,
        precision=decimals(1),
        mistakes=Q4_MISTAKES,
        hints=(
            "Randomisation makes the exposed and the held-out accounts alike except for the "
            "campaign, so the difference of their lead rates is the campaign's effect.",
            "Take the lead rate of each group over all its accounts, subtract the held-out "
            "rate from the exposed rate and scale to 1,000 accounts.",
        ),
    ),
    Question(
        id="q5",
        kind="choice",
        prompt="Last-touch attribution credits sponsored posts with more leads than the "
        "holdout says the campaign caused. What is the most likely reason?",
        choices={
            "a": "Last touch counts every click twice, so all channels get too much credit.",
            "b": "Accounts that would have converted anyway clicked a sponsored post last.",
            "c": "The holdout is biased, because held-out accounts were the least interested.",
            "d": "Sponsored posts are seen by more people, so they must cause more leads.",
        },
        correct="b",
        explanations={
            "a": "Each lead is credited exactly once under last touch; the credits add up to "
            "the number of leads.",
            "b": "Attribution shares out outcomes that happened, including those the campaign "
            "did not cause; retargeting puts sponsored posts on the paths of interested accounts.",
            "c": "The holdout was drawn at random, so it is alike in interest on average; that "
            "is why it measures the causal effect.",
            "d": "Reach is not effect: the holdout compares leads with and without the campaign "
            "and finds fewer extra leads than the rule credits.",
        },
        hints=("Ask what would have happened to those accounts without the campaign.",),
    ),
    Question(
        id="q6",
        kind="choice",
        prompt="In the extract, leads from the last quarter of the year became opportunities "
        "far less often than leads from the first quarter. What explains it best?",
        choices={
            "a": "Most of them are still open: they had weeks, the buying centre needs months.",
            "b": "Late-year leads are of lower quality, so sales disqualifies more of them.",
            "c": "The sponsored campaign stopped working in the fourth quarter of the year.",
            "d": "Kaplan-Meier removed the fourth-quarter leads from the estimate of the share.",
        },
        correct="a",
        explanations={
            "a": "They are right-censored: a lead from day 340 had 25 days, while lesson 01's "
            "buying centres need one to three months to agree.",
            "b": "The simulation gives every lead the same chance whatever its day; the "
            "difference is only the time observed.",
            "c": "The campaign's effect does not change over the year in these data; the "
            "follow-up time does.",
            "d": "Kaplan-Meier keeps every lead in the risk set for as long as it was observed; "
            "it removes no lead.",
        },
        hints=("How many days did a lead from December have before the extract was taken?",),
    ),
    Question(
        id="q7",
        kind="open",
        points=2,
        prompt="Write the five-sentence note you would take to a budget meeting about the "
        "sponsored campaign, using your q1, q2 and q4 results: what it caused, how sure you "
        "are, what the extract cannot show yet, and what you would change next year.",
        rubric="1 point: the effect is stated from the holdout (extra leads per 1,000 accounts "
        "from q4, with an interval or an honest word on its uncertainty), not from an "
        "attribution rule, and linked to pipeline value through the censoring-aware share of "
        "leads that become opportunities (q2) and the win rate (q1). 1 point: the limits are "
        "named (open deals and censoring, no holdout for the other channels, the simulated "
        "assumptions) and a concrete change is proposed (keep a larger holdout, read the "
        "result after the sales cycle).",
    ),
]
