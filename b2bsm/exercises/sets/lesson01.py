"""Exercise set for lesson 01: how B2B differs from B2C (simulated purchase journeys)."""

from __future__ import annotations

import pandas as pd

from b2bsm.exercises.questions import Mistake, Question

TITLE = "Lesson 01 · How B2B differs from B2C"
__all__ = ["QUESTIONS", "TITLE", "load_data"]

#: Seed of the shared (no student id) journeys, and buyers per market.
DEFAULT_SEED = 2017
N_BUYERS = 1000


def load_data(seed: int | None) -> pd.DataFrame:
    """Simulated journeys of 1,000 B2B and 1,000 B2C buyers (seeded per student)."""
    from b2bsm.market import B2B, B2C, compare_markets

    return compare_markets(
        (B2B, B2C), n_buyers=N_BUYERS, seed=DEFAULT_SEED if seed is None else seed
    )


def _days(df: pd.DataFrame, market: str) -> pd.Series:
    return df.loc[df["market"] == market, "days_to_purchase"]


def _open_after(df: pd.DataFrame, market: str = "B2B", days: float = 90, scale=100.0) -> float:
    return scale * float((_days(df, market) > days).mean())


def _touchpoints(df: pd.DataFrame, how: str = "mean") -> pd.DataFrame:
    per_market = df.groupby("market", sort=False)["touchpoints"].agg(how)
    return pd.DataFrame({"market": per_market.index, "touchpoints": per_market.to_numpy()})


QUESTIONS = [
    Question(
        id="q1",
        prompt="Median days to purchase of the B2B buyers (1 decimal).",
        kind="number",
        tolerance=0.05,
        expected=lambda df: float(_days(df, "B2B").median()),
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
        hint="Filter journeys['market'] == 'B2B', then take the median of days_to_purchase.",
    ),
    Question(
        id="q2",
        prompt="What percentage of B2B journeys are still open (no purchase yet) after 90 days? "
        "Give a percentage, e.g. 12.3.",
        kind="number",
        points=2,
        tolerance=0.05,
        expected=_open_after,
        mistakes=[
            Mistake(
                lambda df: _open_after(df, scale=1.0),
                "That is a proportion between 0 and 1; give a percentage (multiply by 100).",
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
        hint="A journey is still open after 90 days when days_to_purchase > 90.",
    ),
    Question(
        id="q3",
        prompt="A DataFrame with columns 'market' and 'touchpoints': the MEAN number of "
        "touch-points per buyer in each market, B2B first.",
        kind="table",
        points=2,
        tolerance=0.01,
        expected=_touchpoints,
        mistakes=[
            Mistake(
                lambda df: _touchpoints(df, "median"),
                "Those are medians; the question asks for the mean number of touch-points.",
            ),
            Mistake(
                lambda df: _touchpoints(df, "sum"),
                "Those are totals over all buyers; divide by the number of buyers (the mean).",
            ),
        ],
        hint="groupby('market', sort=False)['touchpoints'].mean(), then build the two columns.",
    ),
    Question(
        id="q4",
        prompt="How many times longer is the median B2B journey than the median B2C journey? "
        "(B2B median divided by B2C median, 1 decimal)",
        kind="number",
        tolerance=0.05,
        expected=lambda df: float(_days(df, "B2B").median() / _days(df, "B2C").median()),
        mistakes=[
            Mistake(
                lambda df: float(_days(df, "B2C").median() / _days(df, "B2B").median()),
                "You divided the other way round: B2B median divided by B2C median.",
            ),
            Mistake(
                lambda df: float(_days(df, "B2B").mean() / _days(df, "B2C").mean()),
                "That is the ratio of the means; the question asks for the medians.",
            ),
        ],
    ),
    Question(
        id="q5",
        prompt="In the simulation, what mainly makes B2B journeys longer?",
        kind="choice",
        choices={
            "a": "B2B buyers are slower readers than consumers.",
            "b": "Several people must each be convinced and then agree, so the journey "
            "waits for the slowest of them.",
            "c": "B2B products are always more expensive.",
            "d": "B2B firms do not use social media.",
        },
        correct="b",
        explanations={
            "a": "Nothing in the model makes an individual slower; look at what changes with "
            "the number of stakeholders.",
            "b": "The buying centre's size drives both the number of touch-points and the time "
            "to align, which is why B2B content builds relationships over months.",
            "c": "Price is not in the model; the journey is long because of who takes part.",
            "d": "The model says nothing about social media use; it models the buying process.",
        },
    ),
    Question(
        id="q6",
        prompt="Given how long B2B journeys are, which statement about B2B social media content "
        "fits best?",
        kind="choice",
        choices={
            "a": "A B2B post should be judged by the sales it makes in the week after posting.",
            "b": "Likes and comments are worthless for B2B firms.",
            "c": "A B2B post is one touch-point in a long, multi-person journey: judge it by "
            "what it does for the relationship (reach, engagement, dialogue).",
            "d": "B2B firms should post only product prices.",
        },
        correct="c",
        explanations={
            "a": "With nearly every B2B journey still open after a month, a one-week sales window "
            "misses nearly all of a post's effect.",
            "b": "Engagement is how content keeps a long relationship alive between meetings.",
            "c": "That is why lessons 07 and 08 model engagement rather than sales.",
            "d": "Prices rarely move a buying centre; trust and useful information do.",
        },
    ),
    Question(
        id="q7",
        prompt="A manager proposes measuring a LinkedIn campaign by sales booked in the two "
        "weeks after it. Using your answers above, explain in a few sentences why this "
        "undervalues the campaign and what you would measure instead.",
        kind="open",
        points=2,
    ),
]
