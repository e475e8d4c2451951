"""Practice questions of lesson 01 (B2B vs B2C), on the lesson's simulated journeys.

The journeys are the lesson's own: 2,000 buyers per market from
``compare_markets`` with the lesson's generator (seed 2017), drawn first.
"""

from __future__ import annotations

import numpy as np

from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm.market import B2B, B2C, compare_markets
from b2bsm.practice import practice_set

TITLE = "Lesson 01 practice"
FINANCE_SHARE = 0.2  # lesson 01's assumed share of finance approvers among members
PEOPLE = 6


def load_data():
    """The lesson's journeys: the first draw of ``np.random.default_rng(2017)``."""
    return compare_markets((B2B, B2C), n_buyers=2000, seed=np.random.default_rng(2017))


def _open_after(journeys, market="B2B", days=60, scale=100.0):
    part = journeys.loc[journeys["market"] == market, "days_to_purchase"]
    return scale * float((part > days).mean())


def _per_person(journeys, market="B2B", how="ratio"):
    part = journeys[journeys["market"] == market]
    if how == "total":
        return float(part["touchpoints"].mean())
    if how == "means":
        return float(part["touchpoints"].mean() / part["stakeholders"].mean())
    return float((part["touchpoints"] / part["stakeholders"]).mean())


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt="On average, how many information touch-points does ONE member of a B2B "
        "buying centre consult? (Divide each journey's touch-points by its people, then "
        "average.)",
        expected=_per_person,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda d: _per_person(d, how="total"),
                "That is per buying centre; divide each journey's touch-points by its number "
                "of people first.",
            ),
            Mistake(
                lambda d: _per_person(d, market="B2C"),
                "That is the consumer market; keep the B2B rows.",
            ),
        ],
    ),
    Question(
        id="p2",
        kind="number",
        prompt="What percentage of the simulated B2B journeys are still open after 60 days?",
        expected=_open_after,
        precision=decimals(0),
        mistakes=[
            Mistake(
                lambda d: _open_after(d, "B2C"),
                "That is the consumer market; keep the B2B rows.",
            ),
            Mistake(
                lambda d: 100 - _open_after(d),
                "That is the share already CLOSED after 60 days; the question asks how many "
                "are still open.",
            ),
        ],
    ),
    Question(
        id="p3",
        kind="number",
        prompt="Suppose each member of a six-person buying centre is a finance approver with "
        "probability 0.2, independently. What percentage of such buying centres include at "
        "least one finance approver?",
        expected=lambda d: 100 * (1 - (1 - FINANCE_SHARE) ** PEOPLE),
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda d: 100 * FINANCE_SHARE * PEOPLE,
                "Adding 20 % six times counts the buying centres with two or more approvers "
                "more than once; work out the chance of NO approver and subtract it from one.",
            ),
            Mistake(
                lambda d: 100 * (1 - FINANCE_SHARE) ** PEOPLE,
                "That is the chance of NO finance approver; the question asks for at least one.",
            ),
        ],
    ),
]

check, question = practice_set(TITLE, QUESTIONS, load_data)
