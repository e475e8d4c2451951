"""B2B versus B2C buying: a purchase-journey simulation of Hall's five differences.

Hall's five differences (Hall 2017, as summarised by Mankonen 2024) are a
dataset: :func:`b2bsm.data.load_b2b_vs_b2c`.  This module holds a small,
documented simulation of purchase journeys, :func:`simulate_journeys`,
  that turns those differences into numbers a student can plot: a B2B *buying
  centre* of several people who each deliberate and consult many information
  touch-points, against a B2C buyer who often decides on the spot.

The simulation is a teaching model, not an estimate: its default parameters
are illustrative assumptions stated in :class:`MarketParams`, and lesson 01
invites students to change them.

Examples
--------
>>> from b2bsm.market import B2B, B2C, simulate_journeys
>>> b2b = simulate_journeys(B2B, n_buyers=1000, seed=1)
>>> b2c = simulate_journeys(B2C, n_buyers=1000, seed=1)
>>> bool(b2b["days_to_purchase"].median() > b2c["days_to_purchase"].median())
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from b2bsm._checks import random_generator, whole_number

__all__ = [
    "B2B",
    "B2C",
    "MarketParams",
    "compare_markets",
    "journey_explorer",
    "plot_journeys",
    "simulate_journeys",
    "summarise_journeys",
]


@dataclass(frozen=True)
class MarketParams:
    """Assumptions of the purchase-journey simulation for one market.

    Every buyer is a *buying centre*: one person in a typical consumer purchase,
    several in a business purchase.  Each member consults a number of
    information touch-points (a website visit, a post, a webinar, a sales call)
    and deliberates for a while; the purchase happens when the slowest member
    is ready and the group has aligned.  Some buyers decide on impulse at their
    first touch-point.

    Parameters
    ----------
    name : str
        Label of the market in tables and plots.
    stakeholders : float
        Mean size of the buying centre (at least 1).  Drawn per buyer as
        ``1 + Poisson(stakeholders - 1)``.
    deliberation_days : float
        Mean days one member deliberates (> 0).  Gamma-distributed with shape 2,
        so some members are much slower than others.
    touchpoints : float
        Mean information touch-points per member (at least 1).  Drawn as
        ``1 + Poisson(touchpoints - 1)``.
    alignment_days : float
        Extra days the group needs per additional member to agree (>= 0).
    impulse_share : float
        Probability (0 to 1) that a buyer decides at the first touch-point,
        within a day.

    Examples
    --------
    >>> from b2bsm.market import B2B
    >>> B2B.stakeholders
    6.0
    >>> MarketParams("test", stakeholders=0.5)
    Traceback (most recent call last):
    ...
    ValueError: stakeholders must be at least 1 (a buyer is at least one person); got 0.5.
    """

    name: str = "market"
    stakeholders: float = 1.0
    deliberation_days: float = 2.0
    touchpoints: float = 1.5
    alignment_days: float = 0.0
    impulse_share: float = 0.0

    def __post_init__(self) -> None:
        rules = {
            "stakeholders": (1.0, None, "a buyer is at least one person"),
            "touchpoints": (1.0, None, "every journey has at least one touch-point"),
            "deliberation_days": (0.0, None, "deliberation takes some time"),
            "alignment_days": (0.0, None, "alignment cannot take negative time"),
            "impulse_share": (0.0, 1.0, "it is a probability"),
        }
        for name, (low, high, why) in rules.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise ValueError(f"{name} must be a number; got {value!r}.")
            if not np.isfinite(value):
                raise ValueError(f"{name} must be finite; got {value!r}.")
            if name == "deliberation_days" and value <= 0:
                raise ValueError(f"{name} must be greater than 0 ({why}); got {value}.")
            if value < low:
                raise ValueError(f"{name} must be at least {low:g} ({why}); got {value}.")
            if high is not None and value > high:
                raise ValueError(
                    f"{name} must be between {low:g} and {high:g} ({why}); got {value}."
                )
        object.__setattr__(self, "stakeholders", float(self.stakeholders))

    def with_(self, **changes: Any) -> MarketParams:
        """A copy with some assumptions changed (validated again)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(
                f"Unknown market parameter(s) {sorted(unknown)}; "
                f"choose from {[f.name for f in fields(self)]}."
            )
        return replace(self, **changes)


#: Illustrative B2B buying centre: about six people, weeks of deliberation,
#: several touch-points each, a week of alignment per extra person, no impulse.
B2B = MarketParams(
    name="B2B",
    stakeholders=6.0,
    deliberation_days=30.0,
    touchpoints=4.0,
    alignment_days=5.0,
    impulse_share=0.0,
)
#: Illustrative consumer purchase: one person, two days on average, few
#: touch-points, and four buyers in ten decide on impulse.
B2C = MarketParams(
    name="B2C",
    stakeholders=1.0,
    deliberation_days=2.0,
    touchpoints=1.5,
    alignment_days=0.0,
    impulse_share=0.4,
)


def simulate_journeys(
    params: MarketParams, n_buyers: int = 500, seed: int | np.random.Generator = 0
) -> pd.DataFrame:
    """Simulate purchase journeys, one row per buyer (vectorised).

    Parameters
    ----------
    params : MarketParams
        The market's assumptions, e.g. :data:`B2B` or :data:`B2C`.
    n_buyers : int, default 500
        Number of buyers (buying centres) to simulate.
    seed : int or numpy.random.Generator, default 0
        Seed, or the notebook's generator, for reproducible draws.

    Returns
    -------
    pandas.DataFrame
        Columns ``buyer``, ``market``, ``stakeholders`` (people in the buying
        centre), ``touchpoints`` (information contacts in the whole journey),
        ``days_to_purchase`` and ``impulse`` (decided at the first contact).

    See Also
    --------
    compare_markets : several markets from one generator, stacked.
    summarise_journeys : medians and means per market.

    References
    ----------
    Hall, S. (2017). *Innovative B2B Marketing*. Kogan Page.

    Examples
    --------
    >>> from b2bsm.market import B2C, simulate_journeys
    >>> simulate_journeys(B2C, n_buyers=3, seed=0).columns.tolist()
    ['buyer', 'market', 'stakeholders', 'touchpoints', 'days_to_purchase', 'impulse']
    """
    if not isinstance(params, MarketParams):
        raise TypeError(
            f"params must be a MarketParams (e.g. b2bsm.market.B2B); got {type(params).__name__}."
        )
    n = whole_number(n_buyers, "n_buyers")
    rng = random_generator(seed)

    people = 1 + rng.poisson(params.stakeholders - 1.0, size=n)
    width = int(people.max())
    member = np.arange(width)[None, :] < people[:, None]  # (n, width) mask of real members
    contacts = np.where(member, 1 + rng.poisson(params.touchpoints - 1.0, size=(n, width)), 0)
    thinking = rng.gamma(shape=2.0, scale=params.deliberation_days / 2.0, size=(n, width))
    slowest = np.where(member, thinking, 0.0).max(axis=1)
    days = slowest + params.alignment_days * (people - 1)

    impulse = rng.random(n) < params.impulse_share
    days = np.where(impulse, rng.uniform(0.0, 1.0, size=n), days)
    touchpoints = np.where(impulse, 1, contacts.sum(axis=1))
    people = np.where(impulse, 1, people)
    return pd.DataFrame(
        {
            "buyer": np.arange(1, n + 1),
            "market": params.name,
            "stakeholders": people,
            "touchpoints": touchpoints,
            "days_to_purchase": days.round(2),
            "impulse": impulse,
        }
    )


def compare_markets(
    markets: tuple[MarketParams, ...] = (B2B, B2C),
    n_buyers: int = 500,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Simulate several markets with one generator and stack the journeys.

    See Also
    --------
    simulate_journeys : one market.
    plot_journeys : the journeys as two histograms.

    Examples
    --------
    >>> from b2bsm.market import compare_markets
    >>> sorted(compare_markets(n_buyers=10, seed=1)["market"].unique())
    ['B2B', 'B2C']
    """
    rng = random_generator(seed)
    frames = [simulate_journeys(m, n_buyers, rng) for m in markets]
    return pd.concat(frames, ignore_index=True)


def summarise_journeys(data: pd.DataFrame) -> pd.DataFrame:
    """One row per market: medians and means that summarise the journeys.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``market`` with ``buyers``, ``median_days``, ``p90_days``,
        ``mean_touchpoints``, ``mean_stakeholders`` and ``impulse_pct``.

    See Also
    --------
    compare_markets : journeys of several markets to summarise.
    plot_journeys : the same journeys as two histograms.
    """
    needed = {"market", "days_to_purchase", "touchpoints", "stakeholders", "impulse"}
    missing = needed - set(data.columns)
    if missing:
        raise KeyError(
            f"columns {sorted(missing)} missing: pass the output of simulate_journeys()."
        )
    g = data.groupby("market", sort=False)
    return pd.DataFrame(
        {
            "buyers": g.size(),
            "median_days": g["days_to_purchase"].median().round(1),
            "p90_days": g["days_to_purchase"].quantile(0.9).round(1),
            "mean_touchpoints": g["touchpoints"].mean().round(1),
            "mean_stakeholders": g["stakeholders"].mean().round(1),
            "impulse_pct": (100 * g["impulse"].mean()).round(1),
        }
    )


def plot_journeys(data: pd.DataFrame, *, ax=None) -> np.ndarray:
    """Two panels: days to purchase (log scale) and touch-points, by market.

    Parameters
    ----------
    data : pandas.DataFrame
        Journeys, one row per buyer, as from :func:`simulate_journeys` or
        :func:`compare_markets`.
    ax : pair of matplotlib Axes, optional
        Where to draw the two panels (e.g. ``plt.subplots(1, 2)[1]``); by
        default a new figure of two panels side by side.

    Returns
    -------
    numpy.ndarray of two matplotlib Axes
        The days panel and the touch-points panel; ``axes[0].figure`` is the
        figure.

    See Also
    --------
    summarise_journeys : the same journeys as a table of medians and means.
    journey_explorer : this plot with sliders for the B2B assumptions.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from b2bsm.market import compare_markets, plot_journeys
    >>> axes = plot_journeys(compare_markets(n_buyers=50, seed=1))
    >>> [a.get_xscale() for a in axes]  # days on a log scale, touch-points plain
    ['log', 'linear']
    >>> plt.close(axes[0].figure)
    """
    import matplotlib.pyplot as plt

    from b2bsm import plots

    if ax is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    else:
        axes = np.asarray(ax, dtype=object).ravel()
        if len(axes) != 2:
            raise ValueError(
                f"ax must be two matplotlib Axes (one per panel); got {len(axes)}. "
                "Pass e.g. plt.subplots(1, 2)[1]."
            )
        fig = axes[0].figure
    markets = list(dict.fromkeys(data["market"]))
    bins_days = np.logspace(-2, np.log10(max(data["days_to_purchase"].max(), 1) * 1.2), 40)
    top = int(data["touchpoints"].max())
    bins_tp = np.arange(0.5, top + 1.5, max(1, top // 30))
    for i, market in enumerate(markets):
        part = data[data["market"] == market]
        colour = plots.PALETTE[i % len(plots.PALETTE)]
        axes[0].hist(
            part["days_to_purchase"].clip(lower=0.01),
            bins=bins_days,
            alpha=0.6,
            color=colour,
            label=market,
        )
        axes[1].hist(part["touchpoints"], bins=bins_tp, alpha=0.6, color=colour, label=market)
    axes[0].set_xscale("log")
    plots.log_ticks(axes[0].xaxis, [0.01, 0.1, 1, 10, 100, 1000])
    plots.integer_ticks(axes[1].xaxis)
    plots.label(
        axes[0],
        "Days from first contact to purchase (log scale)",
        "Buyers (count)",
        "Time to purchase",
    )
    plots.label(
        axes[1], "Information touch-points in the journey", "Buyers (count)", "Touch-points"
    )
    axes[0].legend(title="Market")
    fig.tight_layout()
    return np.asarray(axes, dtype=object)


def journey_explorer(n_buyers: int = 400, seed: int = 1):
    """Sliders for the B2B assumptions; the journey plot redraws live.

    The B2C market stays at its defaults as the reference.  Returns an
    ``ipywidgets.VBox`` whose ``sliders`` attribute maps parameter names to the
    slider widgets and whose ``figure`` attribute is the ``Image`` widget showing
    the plot (useful for tests).

    See Also
    --------
    plot_journeys : the plot the explorer redraws.
    b2bsm.plots.slider_explorer : the frame of every explorer.
    """
    import ipywidgets as widgets

    from b2bsm.plots import slider_explorer

    style = {"description_width": "initial"}
    layout = widgets.Layout(width="480px")
    # parameter: (lowest, highest, step, label); each slider starts at the B2B default
    ranges = {
        "stakeholders": (1, 12, 0.5, "Stakeholders in the buying centre"),
        "deliberation_days": (1, 90, 1, "Deliberation per person (days)"),
        "touchpoints": (1, 10, 0.5, "Touch-points per person"),
    }
    sliders = {
        name: widgets.FloatSlider(
            value=getattr(B2B, name),
            min=low,
            max=high,
            step=step,
            description=words,
            style=style,
            layout=layout,
        )
        for name, (low, high, step, words) in ranges.items()
    }

    def draw(values):
        journeys = compare_markets((B2B.with_(**values), B2C), n_buyers=n_buyers, seed=seed)
        table = summarise_journeys(journeys)
        text = (
            f"<b>B2B median:</b> {table.loc['B2B', 'median_days']} days, "
            f"{table.loc['B2B', 'mean_touchpoints']} touch-points &nbsp;|&nbsp; "
            f"<b>B2C median:</b> {table.loc['B2C', 'median_days']} days, "
            f"{table.loc['B2C', 'mean_touchpoints']} touch-points"
        )
        return plot_journeys(journeys)[0].figure, text

    return slider_explorer(sliders, draw)


def params_table(*markets: MarketParams) -> pd.DataFrame:
    """The assumptions of several markets side by side (one column per market).

    See Also
    --------
    MarketParams : the assumptions of one market.
    simulate_journeys : journeys drawn from them.
    """
    markets = markets or (B2B, B2C)
    return pd.DataFrame({m.name: asdict(m) for m in markets}).drop(index="name")
