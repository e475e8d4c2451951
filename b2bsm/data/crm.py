"""A simulated CRM extract: from social media touches to leads, opportunities and won deals.

The dataset ``crm_pipeline`` follows 8,000 target accounts of a B2B technology
supplier through one year of campaigns (day 0 to day 364; the extract is taken on
day 365).  Each account may click on content from four channels (organic LinkedIn
company-page posts, sponsored LinkedIn posts, webinars, the email newsletter),
become a lead, then an opportunity and finally a won deal.  A random quarter of
the accounts was held out of the sponsored campaign (the firm excluded their
company list from the paid audience), so the campaign's effect can be estimated
without attribution rules.

Every number here is **the kit's own assumption**, chosen to give B2B-like
orders of magnitude for teaching (lesson 09); no source gives them.  The time
a lead's buying centre needs before sales opens an opportunity comes from
lesson 01's journey model (:func:`b2bsm.market.simulate_journeys` with
:data:`b2bsm.market.B2B`): the slowest of several members deliberates and the
group aligns, so weeks to months pass.

Examples
--------
>>> from b2bsm.data.crm import simulate_crm
>>> crm = simulate_crm(seed=1, n_accounts=500)
>>> crm.columns.tolist()[:4]
['account', 'region', 'holdout', 'stakeholders']
>>> bool((crm["lead"] >= crm["opportunity"]).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CHANNELS",
    "DEFAULT_SEED",
    "EXTRACT_DAY",
    "RESOURCE",
    "CRMParams",
    "attribution",
    "build_table",
    "load_crm",
    "reached_by",
    "simulate_crm",
]

DEFAULT_SEED = 2025
DEFAULT_ACCOUNTS = 8000
#: Day of the extract: everything still open on this day is right-censored.
EXTRACT_DAY = 365
CHANNELS = ("organic post", "sponsored post", "webinar", "newsletter")
REGIONS = ("Nordics", "DACH", "Benelux", "UK & Ireland")
SEPARATOR = " > "
MAX_TOUCHES = 15


@dataclass(frozen=True)
class CRMParams:
    """The simulation's assumptions (every one of them the kit's own, for teaching).

    Parameters
    ----------
    lead_rate : float
        Share of held-out accounts (no sponsored posts) that become a lead within the year.
    sponsored_uplift : float
        Relative increase of each account's lead hazard that the sponsored campaign
        causes (0.4: 40 % more); the only causal effect of the campaign here.
    clicks_per_account : float
        Mean clicks a year of an account of average interest, without sponsored posts.
    sponsored_clicks : float
        Extra clicks a year on sponsored posts, for an account of average interest.
    opportunity_share : float
        Share of leads whose buying centre ever agrees to an opportunity.
    win_share : float
        Share of opportunities that are eventually won.
    close_days : float
        Mean days from opportunity to a won deal (gamma, shape 2).
    deal_median_eur : float
        Median value of a won deal (log-normal, sigma 0.6), euros.
    holdout_share : float
        Share of accounts held out of the sponsored campaign at random.
    """

    lead_rate: float = 0.08
    sponsored_uplift: float = 0.4
    clicks_per_account: float = 1.6
    sponsored_clicks: float = 0.9
    opportunity_share: float = 0.45
    win_share: float = 0.30
    close_days: float = 60.0
    deal_median_eur: float = 45_000.0
    holdout_share: float = 0.25


#: Channel mix (CHANNELS order) of clicks before the lead, and of the click that
#: fills the form: sponsored posts retarget interested accounts, so they often come
#: last; webinars and newsletters are where forms are filled.  Kit's assumptions.
BROWSE_MIX = (0.45, 0.30, 0.10, 0.15)
CLOSE_MIX = (0.10, 0.30, 0.35, 0.25)


def _mix(weights, exposed: np.ndarray) -> np.ndarray:
    """Per-account channel probabilities: no sponsored posts for held-out accounts."""
    w = np.tile(np.asarray(weights, dtype=float), (len(exposed), 1))
    w[~exposed, 1] = 0.0
    return w / w.sum(axis=1, keepdims=True)


def _draw(rng: np.random.Generator, probs: np.ndarray, width: int) -> np.ndarray:
    """A channel index for each of ``width`` clicks of each account (rows of ``probs``)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random((len(probs), width, 1))
    return (u > cum[:, None, :-1]).sum(axis=2)


def simulate_crm(
    seed: int | np.random.Generator = DEFAULT_SEED,
    n_accounts: int = DEFAULT_ACCOUNTS,
    params: CRMParams | None = None,
) -> pd.DataFrame:
    """Simulate the CRM extract: one row per target account (vectorised).

    How it works (every number is a :class:`CRMParams` assumption): accounts
    differ in interest (gamma, mean 1); an account becomes a lead with chance
    ``1 - exp(-c * interest)``, where the sponsored campaign multiplies ``c`` by
    ``1 + sponsored_uplift`` for exposed accounts; a lead's path is its clicks
    before the form fill (more for more interested accounts) and the click that
    filled the form; the time from lead to opportunity is the buying centre's
    journey of lesson 01 (:data:`b2bsm.market.B2B`); everything still open on
    day 365 is right-censored.

    Parameters
    ----------
    seed : int or numpy.random.Generator
        Seed (or generator) of every random draw.
    n_accounts : int
        Target accounts (at least 100).
    params : CRMParams, optional
        The assumptions; the defaults make the shipped file.

    Returns
    -------
    pandas.DataFrame
        Columns described in ``data/crm_pipeline.md``: ``account``, ``region``,
        ``holdout``, ``stakeholders``, ``clicks``, ``first_touch``,
        ``last_touch``, ``path``, ``lead``, ``lead_day``, ``opportunity``,
        ``days_to_opportunity``, ``won``, ``deal_eur``.

    See Also
    --------
    CRMParams : the assumptions behind the draws.
    load_crm : the shipped extract, drawn with the default seed.
    attribution : credit per channel for the simulated outcomes.

    Examples
    --------
    >>> crm = simulate_crm(seed=3, n_accounts=300)
    >>> sorted(crm["holdout"].unique().tolist())
    [0, 1]
    """
    from b2bsm.market import B2B, simulate_journeys

    if isinstance(n_accounts, bool) or not isinstance(n_accounts, (int, np.integer)):
        raise ValueError(f"n_accounts must be a whole number; got {n_accounts!r}.")
    if n_accounts < 100:
        raise ValueError(f"n_accounts must be at least 100 for a usable funnel; got {n_accounts}.")
    p = params or CRMParams()
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = int(n_accounts)

    holdout = (rng.permutation(n) < round(p.holdout_share * n)).astype(int)
    exposed = holdout == 0
    region = rng.choice(len(REGIONS), size=n)
    journeys = simulate_journeys(B2B, n_buyers=n, seed=rng)  # lesson 01's buying centres
    interest = rng.gamma(shape=1.0, scale=1.0, size=n)

    # lead: hazard c * interest; with gamma(1, 1) interest, P(lead) = 1 - 1 / (1 + c)
    c = p.lead_rate / (1.0 - p.lead_rate) * np.where(exposed, 1.0 + p.sponsored_uplift, 1.0)
    lead = rng.random(n) < 1.0 - np.exp(-c * interest)

    # clicks: before the lead (or all year without one), then the form-filling click
    rate = interest * (p.clicks_per_account + np.where(exposed, p.sponsored_clicks, 0.0))
    browse = np.minimum(rng.poisson(rate), MAX_TOUCHES - 1)
    clicks = browse + lead
    channel = _draw(rng, _mix(BROWSE_MIX, exposed), MAX_TOUCHES)
    closing = _draw(rng, _mix(CLOSE_MIX, exposed), 1)[:, 0]
    channel[np.arange(n), browse] = np.where(lead, closing, channel[np.arange(n), browse])

    names = np.asarray(CHANNELS, dtype=object)
    path = names[channel[:, 0]].copy()
    for j in range(1, MAX_TOUCHES):
        path = np.where(j < clicks, path + SEPARATOR + names[channel[:, j]], path)
    has = clicks > 0
    last = names[channel[np.arange(n), np.maximum(clicks - 1, 0)]]

    # lead -> opportunity after the buying centre's journey; censored at the extract
    lead_day = rng.integers(0, EXTRACT_DAY, size=n)
    will_open = lead & (rng.random(n) < p.opportunity_share)
    journey_days = np.ceil(journeys["days_to_purchase"].to_numpy()).astype(int)
    opp_day = lead_day + journey_days
    opportunity = will_open & (opp_day < EXTRACT_DAY)
    days_to_opp = np.where(opportunity, journey_days, EXTRACT_DAY - lead_day)

    # opportunity -> won deal, censored the same way
    close = np.ceil(rng.gamma(2.0, p.close_days / 2.0, size=n)).astype(int)
    won = opportunity & (rng.random(n) < p.win_share) & (opp_day + close < EXTRACT_DAY)
    value = np.round(p.deal_median_eur * np.exp(rng.normal(0.0, 0.6, size=n)), -2)

    return pd.DataFrame(
        {
            "account": np.arange(1, n + 1),
            "region": np.asarray(REGIONS, dtype=object)[region],
            "holdout": holdout,
            "stakeholders": journeys["stakeholders"].to_numpy(),
            "clicks": clicks,
            "first_touch": np.where(has, names[channel[:, 0]], None),
            "last_touch": np.where(has, last, None),
            "path": np.where(has, path, None),
            "lead": lead.astype(int),
            "lead_day": _where(lead, lead_day),
            "opportunity": opportunity.astype(int),
            "days_to_opportunity": _where(lead, days_to_opp),
            "won": won.astype(int),
            "deal_eur": _where(won, value.astype(np.int64)),
        }
    )


def _where(keep: np.ndarray, values: np.ndarray) -> pd.Series:
    """Whole numbers where ``keep`` is true, missing elsewhere (nullable Int64)."""
    return pd.Series(values, dtype="Int64").where(pd.Series(keep), pd.NA)


def build_table(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The default dataset as written to ``data/crm_pipeline.csv``.

    See Also
    --------
    simulate_crm : the simulation that writes it.
    load_crm : the shipped, verified file.
    """
    return simulate_crm(seed, DEFAULT_ACCOUNTS)


def load_crm() -> pd.DataFrame:
    """Load the shipped CRM extract (verified against ``datapackage.json``, typed).

    See Also
    --------
    simulate_crm : the same extract for another seed.
    attribution, reached_by : analyses of it.

    Examples
    --------
    >>> from b2bsm.data.crm import load_crm
    >>> len(load_crm())
    8000
    """
    from b2bsm.data._package import read_resource

    return read_resource("crm_pipeline")


# --------------------------------------------------------------------------- analysis helpers
RULES = ("first touch", "last touch", "position-based", "linear")


def attribution(data: pd.DataFrame, *, rule: str = "position-based") -> pd.Series:
    """Credit per channel for the outcomes of the accounts in ``data``, by an attribution rule.

    Rules: ``"first touch"`` and ``"last touch"`` give the whole outcome to one
    click; ``"position-based"`` gives 40 % each to the first and last click and
    shares 20 % among the clicks in between (one click: 100 %, two: 50/50);
    ``"linear"`` shares it equally.  None of them is causal (lesson 09).

    Parameters
    ----------
    data : DataFrame
        Rows of the CRM extract with ``account``, ``clicks`` and ``path`` (e.g. the
        accounts with an opportunity).
    rule : str
        One of ``"first touch"``, ``"last touch"``, ``"position-based"``, ``"linear"``.

    Returns
    -------
    pandas.Series
        Credit (in outcomes) per channel, in :data:`CHANNELS` order; it sums to
        the number of accounts with at least one click.

    See Also
    --------
    reached_by : how long the outcomes take (Kaplan-Meier).
    load_crm : the CRM extract.

    Examples
    --------
    >>> toy = pd.DataFrame({"account": [1, 2], "clicks": [1, 3],
    ...                     "path": ["webinar", "organic post > newsletter > webinar"]})
    >>> attribution(toy, rule="position-based").round(2).tolist()
    [0.4, 0.0, 1.4, 0.2]
    """
    if rule not in RULES:
        raise ValueError(f"unknown attribution rule {rule!r}; choose one of {', '.join(RULES)}.")
    missing = {"account", "clicks", "path"} - set(data.columns)
    if missing:
        raise KeyError(f"columns {sorted(missing)} missing: pass rows of the CRM extract.")
    clicked = data[data["clicks"] > 0]
    touches = clicked.assign(channel=clicked["path"].str.split(SEPARATOR)).explode("channel")
    position = touches.groupby("account").cumcount().to_numpy()
    n = touches["clicks"].to_numpy(dtype=float)
    first, last = position == 0, position == n - 1
    if rule == "first touch":
        credit = first * 1.0
    elif rule == "last touch":
        credit = last * 1.0
    elif rule == "linear":
        credit = 1.0 / n
    else:
        middle = 0.2 / np.maximum(n - 2, 1)
        credit = np.select([n == 1, n == 2, first | last], [1.0, 0.5, 0.4], default=middle)
    totals = pd.Series(credit, index=touches["channel"].to_numpy()).groupby(level=0).sum()
    return totals.reindex(list(CHANNELS), fill_value=0.0).rename(rule)


def reached_by(times, events, day: float) -> float:
    """Kaplan-Meier estimate of the share of cases with the event by ``day``.

    ``times`` are days to the event or to censoring, ``events`` 1 for an event
    and 0 for a censored (still open) case; the estimate is 1 - S(day) from
    :class:`statsmodels.duration.survfunc.SurvfuncRight`.

    See Also
    --------
    attribution : who gets the credit for the outcomes.
    load_crm : the CRM extract with days and censoring.

    References
    ----------
    Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete observations.
        *Journal of the American Statistical Association*, 53(282), 457-481.

    Examples
    --------
    >>> round(reached_by([1, 2, 3, 4], [1, 0, 1, 0], 3), 3)
    0.625
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    km = SurvfuncRight(np.asarray(times, dtype=float), np.asarray(events, dtype=float))
    before = km.surv_times <= day
    return float(1.0 - km.surv_prob[before][-1]) if before.any() else 0.0


def _int(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "type": "integer", "description": description}


def _text(name: str, description: str, categories=None) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": "string", "description": description}
    if categories is not None:
        field["categories"] = list(categories)
    return field


RESOURCE: dict[str, Any] = {
    "path": "crm_pipeline.csv",
    "title": "Simulated CRM extract: social media touches to leads, opportunities and deals",
    "description": (
        "SYNTHETIC: 8,000 target accounts of a B2B supplier over one year of campaigns, "
        "generated by b2bsm.data.crm.simulate_crm with seed 2025. Every rate, delay and "
        "value is the kit's own assumption for teaching; the lead-to-opportunity delay "
        "comes from lesson 01's buying-centre journey model. See data/crm_pipeline.md."
    ),
    "synthetic": True,
    "format": "csv",
    "mediatype": "text/csv",
    "encoding": "utf-8",
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
    "generator": "b2bsm.data.crm.build_table",
    "schema": {
        "fields": [
            _int("account", "Target account number (1, 2, ...)."),
            _text("region", "Sales region of the account.", REGIONS),
            _int("holdout", "1 if the account was held out of the sponsored campaign at random."),
            _int("stakeholders", "People in the account's buying centre (lesson 01's model)."),
            _int("clicks", "Clicks on campaign content up to the lead (all clicks if no lead)."),
            _text("first_touch", "Channel of the first click (empty: no click)."),
            _text("last_touch", "Channel of the last click counted in clicks."),
            _text("path", "Channels of the counted clicks in order, separated by ' > '."),
            _int("lead", "1 if someone at the account filled a form (a lead)."),
            _int("lead_day", "Day of the campaign year (0-364) the account became a lead."),
            _int("opportunity", "1 if sales opened an opportunity before the extract (day 365)."),
            _int(
                "days_to_opportunity",
                "Leads only: days from lead to opportunity, or, if still open, days from the "
                "lead to the extract (a right-censored time).",
            ),
            _int("won", "1 if the deal was won before the extract."),
            _int("deal_eur", "Value of the won deal, euros (won deals only)."),
        ],
        "primaryKey": ["account"],
        "missingValues": [""],
    },
}
