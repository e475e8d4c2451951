"""Exercise set for lesson 01: how B2B differs from B2C (the answer key; not shipped to students).

Every student id simulates its own 1,000 B2B and 1,000 B2C purchase journeys
(:mod:`b2bsm.exercises.data`), so every computed answer differs between
students.
"""

from __future__ import annotations

import functools

import pandas as pd

from b2bsm.exercises import data as _data
from b2bsm.exercises.data import JOURNEY_SEED, N_BUYERS
from b2bsm.exercises.questions import Mistake, Question, decimals

TITLE = "Lesson 01 · How B2B differs from B2C"
__all__ = ["DEFAULT_SEED", "N_BUYERS", "QUESTIONS", "TITLE", "load_data"]

DEFAULT_SEED = JOURNEY_SEED
load_data = functools.partial(_data.load_data, "01")


def _days(df: pd.DataFrame, market: str) -> pd.Series:
    return df.loc[df["market"] == market, "days_to_purchase"]


def _open_after(df: pd.DataFrame, market: str | None = "B2B", days: float = 90, scale=100.0):
    values = df["days_to_purchase"] if market is None else _days(df, market)
    return scale * float((values > days).mean())


def _per_market(df: pd.DataFrame, how: str = "mean", column: str = "touchpoints"):
    per_market = df.groupby("market", sort=False)[column].agg(how)
    return pd.DataFrame({"market": per_market.index, "touchpoints": per_market.to_numpy()})


def _trimmed(df: pd.DataFrame) -> float:
    from scipy.stats import trim_mean

    return float(trim_mean(_days(df, "B2B"), 0.1))


def _median_ratio(df: pd.DataFrame) -> float:
    return float(_days(df, "B2B").median() / _days(df, "B2C").median())


QUESTIONS = [
    Question(
        id="q1",
        kind="number",
        prompt="The median number of days to purchase of the B2B buyers.",
        expected=lambda df: float(_days(df, "B2B").median()),
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda df: float(_days(df, "B2B").mean()),
                "That is the mean. A few very long journeys pull the mean up; the question "
                "asks for the median.",
            ),
            Mistake(
                lambda df: float(df["days_to_purchase"].median()),
                "That is the median over both markets; keep only the B2B rows first.",
            ),
            Mistake(
                lambda df: float(_days(df, "B2C").median()),
                "That is the B2C median; the question asks about B2B buyers.",
            ),
        ],
        alternatives=[_trimmed],
        hints=(
            "The median is the middle journey when the B2B journeys are sorted by length.",
            "Keep the rows of the B2B market, then take the median of their days to purchase.",
        ),
    ),
    Question(
        id="q2",
        kind="number",
        points=2,
        prompt="What percentage of B2B journeys are still open (no purchase yet) after 90 days? "
        "Give a percentage, e.g. 12.3, not a proportion.",
        expected=_open_after,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda df: _open_after(df, scale=1.0),
                "That is a proportion between 0 and 1; give a percentage.",
            ),
            Mistake(
                lambda df: 100 - _open_after(df),
                "That is the share that HAS bought within 90 days; the question asks for the "
                "journeys still open.",
            ),
            Mistake(
                lambda df: _open_after(df, "B2C"),
                "That is the B2C share; the question asks about B2B journeys.",
            ),
        ],
        alternatives=[lambda df: _open_after(df, None), lambda df: _open_after(df, days=60)],
        hints=(
            "A journey is still open after 90 days when its purchase comes later than day 90.",
            "Among the B2B journeys, take the share whose days to purchase exceed 90, in percent.",
        ),
    ),
    Question(
        id="q3",
        kind="table",
        points=2,
        prompt="A DataFrame with columns `market` and `touchpoints`: the MEAN number of "
        "touch-points per buyer in each market, B2B first.",
        expected=_per_market,
        precision=decimals(2),
        mistakes=[
            Mistake(
                lambda df: _per_market(df, "median"),
                "Those are medians; the question asks for the mean number of touch-points.",
            ),
            Mistake(
                lambda df: _per_market(df, "sum"),
                "Those are totals over all buyers; the question asks for the mean per buyer.",
            ),
        ],
        alternatives=[lambda df: _per_market(df, column="stakeholders")],
        hints=(
            "One row per market, each holding the average over that market's buyers.",
            "Group the journeys by market without sorting the groups, average the "
            "touch-points, and put the market names and the means in two columns.",
        ),
    ),
    Question(
        id="q4",
        kind="number",
        prompt="How many times longer is the median B2B journey than the median B2C journey? "
        "(The B2B median divided by the B2C median.)",
        expected=_median_ratio,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda df: float(_days(df, "B2C").median() / _days(df, "B2B").median()),
                "You divided the other way round: the B2B median divided by the B2C median.",
            ),
            Mistake(
                lambda df: float(_days(df, "B2B").mean() / _days(df, "B2C").mean()),
                "That is the ratio of the means; the question asks for the medians.",
            ),
        ],
        alternatives=[
            lambda df: float(_days(df, "B2B").median() - _days(df, "B2C").median()),
        ],
        hints=(
            "'How many times longer' asks for a ratio, not a difference.",
            "Compute the median days of each market separately, then divide.",
        ),
    ),
    Question(
        id="q5",
        kind="choice",
        prompt="In the simulation, what mainly makes B2B journeys longer?",
        choices={
            "a": "Several people must each be won over, and the deal waits for the slowest.",
            "b": "B2B buyers read more slowly and need longer to take in each touch-point.",
            "c": "B2B products cost more, so each buyer spends longer comparing offers.",
            "d": "B2B firms post less on social media, so buyers meet fewer touch-points.",
        },
        correct="a",
        explanations={
            "a": "The buying centre's size drives both the number of touch-points and the "
            "time to align, which is why B2B content builds relationships over months.",
            "b": "Nothing in the model makes an individual slower; look at what changes with "
            "the number of stakeholders.",
            "c": "Price is not in the model; the journey is long because of who takes part.",
            "d": "The model says nothing about social media activity; B2B buyers meet MORE "
            "touch-points, not fewer.",
        },
        hints=("Look at which parameter of the simulation differs most between the markets.",),
    ),
    Question(
        id="q6",
        kind="choice",
        prompt="Given how long B2B journeys are, which statement about B2B social media content "
        "fits best?",
        choices={
            "a": "Judge a B2B post by the sales it brings in during the first week after posting.",
            "b": "Likes and comments matter little to B2B firms, as their buyers are firms.",
            "c": "B2B posts should mainly state prices, because buyers compare many offers.",
            "d": "A post is one touch-point in a long journey; judge it by the relationship.",
        },
        correct="d",
        explanations={
            "a": "With most B2B journeys still open after a month, a one-week sales window "
            "misses nearly all of a post's effect.",
            "b": "Engagement is how content keeps a long relationship alive between meetings.",
            "c": "Prices rarely move a buying centre; trust and useful information do.",
            "d": "That is why lessons 07 and 08 model engagement (reach, likes, dialogue) "
            "rather than sales.",
        },
        hints=("Compare the length of a B2B journey with the time window each option uses.",),
    ),
    Question(
        id="q7",
        kind="open",
        points=2,
        prompt="A manager proposes measuring a LinkedIn campaign by sales booked in the two "
        "weeks after it. Using your answers above, explain in a few sentences why this "
        "undervalues the campaign and what you would measure instead.",
        rubric="1 point: uses the journey lengths from q1-q2 (median B2B journey of months, "
        "most journeys still open after 90 days) to show that a two-week window misses almost "
        "all purchases the campaign could influence. 1 point: proposes relationship measures "
        "over a longer window (reach, engagement, dialogue, leads or pipeline stages, "
        "follow-up of the contacted buying centres).",
    ),
]
