"""Practice questions of lesson 09 (from engagement to pipeline), on the shipped CRM extract.

Used in the lesson as::

    from b2bsm.practice import lesson09 as practice
    practice.check("p1", answer)
"""

from __future__ import annotations

from b2bsm.data.crm import attribution, load_crm, reached_by
from b2bsm.exercises.questions import Mistake, Question, decimals
from b2bsm.practice import practice_set

TITLE = "Lesson 09 practice"
load_data = load_crm


def _leads(crm):
    return crm[crm["lead"] == 1]


def _region(crm, of="all"):
    rows = crm[crm["region"] == "UK & Ireland"]
    if of == "clicked":
        rows = rows[rows["clicks"] > 0]
    return 100 * float(rows["lead"].mean())


def _quarter_share(crm, first=True):
    leads = _leads(crm)
    part = leads[leads["lead_day"] < 92] if first else leads[leads["lead_day"] >= 273]
    return float(part["opportunity"].mean())


def _km(crm, day=120, survival=False):
    leads = _leads(crm)
    share = reached_by(leads["days_to_opportunity"], leads["opportunity"], day)
    return 1 - share if survival else share


def _naive_by(crm, day=120):
    leads = _leads(crm)
    hit = (leads["opportunity"] == 1) & (leads["days_to_opportunity"] <= day)
    return float(hit.mean())


def _won_credit(crm, rule="position-based", outcome="won"):
    return float(attribution(crm[crm[outcome] == 1], rule=rule)["webinar"])


def _lift(crm, column="opportunity", scale=100.0, sign=1):
    rates = crm.groupby("holdout")[column].mean()
    return sign * scale * float(rates[0] - rates[1])


QUESTIONS = [
    Question(
        id="p1",
        kind="number",
        prompt="What percentage of the target accounts in the UK & Ireland region became a lead?",
        expected=_region,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda d: 100 * float((_leads(d)["region"] == "UK & Ireland").mean()),
                "That is the share of all leads that come from UK & Ireland. The question asks "
                "what share of that region's accounts became a lead: divide by its accounts.",
            ),
            Mistake(
                lambda d: _region(d, of="clicked"),
                "You divided by the region's accounts that clicked; the question asks about all "
                "target accounts in the region.",
            ),
            Mistake(
                lambda d: 100 * float(d["lead"].mean()),
                "That is the lead rate of all regions together; keep only the UK & Ireland "
                "rows first.",
            ),
        ],
    ),
    Question(
        id="p2",
        kind="number",
        prompt="Among the leads of the first quarter (lead_day below 92), what share had become "
        "an opportunity by the extract? Answer as a proportion.",
        expected=_quarter_share,
        precision=decimals(3),
        mistakes=[
            Mistake(
                lambda d: float(_leads(d)["opportunity"].mean()),
                "That is the share over all leads of the year; keep only the first quarter's.",
            ),
            Mistake(
                lambda d: _quarter_share(d, first=False),
                "That is the last quarter (lead_day 273 or more); the question asks about the "
                "first (lead_day below 92).",
            ),
            Mistake(
                lambda d: 100 * _quarter_share(d),
                "Right idea; give it as a proportion between 0 and 1, not a percentage.",
            ),
        ],
    ),
    Question(
        id="p3",
        kind="number",
        prompt="By the Kaplan-Meier estimate, what share of leads reach an opportunity within "
        "120 days of becoming a lead? Answer as a proportion.",
        expected=_km,
        precision=decimals(3),
        mistakes=[
            Mistake(
                _naive_by,
                "You counted the opportunities within 120 days among all leads, as if every "
                "open lead had failed; leads still open before day 120 must leave the risk set "
                "(censoring), which is what Kaplan-Meier does.",
            ),
            Mistake(
                lambda d: _km(d, survival=True),
                "That is the survival S(120), the share still WITHOUT an opportunity; the "
                "question asks for 1 - S(120).",
            ),
        ],
    ),
    Question(
        id="p4",
        kind="number",
        prompt="Repeat the position-based attribution for WON deals instead of opportunities. "
        "How many won deals does it credit to webinars?",
        expected=_won_credit,
        precision=decimals(1),
        mistakes=[
            Mistake(
                lambda d: _won_credit(d, "last touch"),
                "That is the last-touch count; position-based gives 40 % to the first and last "
                "click and shares 20 % among the middle ones.",
            ),
            Mistake(
                lambda d: _won_credit(d, "first touch"),
                "That is the first-touch count; position-based shares the credit over the path.",
            ),
            Mistake(
                lambda d: _won_credit(d, outcome="opportunity"),
                "That is the credit for opportunities; keep only the accounts with a won deal.",
            ),
        ],
    ),
    Question(
        id="p5",
        kind="number",
        prompt="How many percentage points higher is the opportunity rate of the exposed "
        "accounts (holdout 0) than that of the held-out accounts (holdout 1)?",
        expected=_lift,
        precision=decimals(2),
        mistakes=[
            Mistake(
                lambda d: _lift(d, sign=-1),
                "The sign is reversed: subtract the held-out rate from the exposed rate.",
            ),
            Mistake(
                lambda d: _lift(d, scale=1.0),
                "That is a difference of proportions; multiply by 100 for percentage points.",
            ),
            Mistake(
                lambda d: _lift(d, column="lead"),
                "That is the difference in LEAD rates; the question asks about opportunities.",
            ),
        ],
    ),
]

check, question = practice_set(TITLE, QUESTIONS, load_data)
