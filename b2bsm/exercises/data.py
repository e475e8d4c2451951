"""The data of every exercise set: public, so a student release can build it without the key.

A set's questions (its answer key) live in the instructor package
(``b2bsm_teach/exercises/sets/lessonNN.py``), which a student release does not
ship; the data a student works on must still be buildable
there, so every loader is here.  ``load_data(set_id, seed)`` gives the shipped
data (``seed=None``) or the seeded variant of one student id.

Generating a survey variant takes about a second, so variants are cached per
seed (a few dozen at most) and every call returns a fresh copy: a student who
edits ``ex.data`` cannot change what the checker sees.

Examples
--------
>>> from b2bsm.exercises.data import load_data
>>> load_data("06", 1).columns.tolist()
['item', 'n', 'pct']
>>> load_data("08", None).shape
(80, 2)
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from b2bsm._checks import seed_value

__all__ = ["LOADERS", "load_data", "make_draft", "make_pilot", "shared_data"]

#: Seeds of the shared data (no student id) of the simulated sets.
JOURNEY_SEED = 2017
DRAFT_SEED = 2014
PILOT_SEED = 2024
#: Buyers per market in set 01, posts of a pilot in set 08.
N_BUYERS = 1000
PILOT_POSTS = 80
#: Rows of the audit draft of set 06 (the functions of the survey's Table 5).
DRAFT_ITEMS = (
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
#: How many variants each loader keeps in memory.
CACHE_SIZE = 64


# --------------------------------------------------------------------------- generators
def make_draft(seed: int = DRAFT_SEED) -> pd.DataFrame:
    """A referee's draft results table (item, n, printed %) with 2-4 mistyped percentages.

    Every row has at least one respondent in its count, so no percentage is 0.

    Every ``n`` is below 60, so possible percentages are at least 1.67 points
    apart and a shift of 0.3-0.8 points can never land on another possible value.

    Examples
    --------
    >>> make_draft(1).columns.tolist()
    ['item', 'n', 'pct']
    >>> make_draft(1).equals(make_draft(1))
    True
    """
    rng = np.random.default_rng(seed)
    size = len(DRAFT_ITEMS)
    n = rng.integers(8, 60, size=size)
    count = np.maximum(rng.binomial(n, rng.uniform(0.1, 0.7, size=size)), 1)
    pct = np.round(100 * count / n, 1)
    bad = rng.choice(size, size=int(rng.integers(2, 5)), replace=False)
    shift = rng.choice([0.3, 0.4, 0.5, 0.6, 0.7, 0.8], size=len(bad)) * rng.choice(
        [-1, 1], len(bad)
    )
    moved = pct[bad] + shift
    pct[bad] = np.round(np.where((moved < 0) | (moved > 100), pct[bad] - shift, moved), 1)
    return pd.DataFrame({"item": list(DRAFT_ITEMS), "n": n, "pct": pct})


def make_pilot(seed: int = PILOT_SEED) -> pd.DataFrame:
    """Likes of 80 pilot posts of one account: negative binomial (gamma-Poisson) counts.

    The account's true mean (20-60 likes) and dispersion (0.4-1.2) are drawn
    from the seed, so every student plans from a different pilot.

    Examples
    --------
    >>> make_pilot(1).shape
    (80, 2)
    """
    rng = np.random.default_rng(seed)
    mean = float(rng.uniform(20, 60))
    dispersion = float(rng.uniform(0.4, 1.2))
    rate = rng.gamma(shape=1 / dispersion, scale=mean * dispersion, size=PILOT_POSTS)
    return pd.DataFrame({"post": np.arange(1, PILOT_POSTS + 1), "likes": rng.poisson(rate)})


# --------------------------------------------------------------------------- loaders
@functools.lru_cache(maxsize=CACHE_SIZE)
def _journeys(seed: int | None) -> pd.DataFrame:
    from b2bsm.market import B2B, B2C, compare_markets

    return compare_markets(
        (B2B, B2C), n_buyers=N_BUYERS, seed=JOURNEY_SEED if seed is None else seed
    )


@functools.lru_cache(maxsize=CACHE_SIZE)
def _survey(seed: int | None) -> pd.DataFrame:
    from b2bsm.data import generate_survey, load_survey

    return load_survey() if seed is None else generate_survey(seed)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _draft(seed: int | None) -> pd.DataFrame:
    return make_draft(DRAFT_SEED if seed is None else seed)


@functools.lru_cache(maxsize=8)
def _posts(seed: int | None) -> pd.DataFrame:
    from b2bsm.data import load_posts
    from b2bsm.engagement import simulate_posts

    return load_posts() if seed is None else simulate_posts(seed=seed)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _pilot(seed: int | None) -> pd.DataFrame:
    return make_pilot(PILOT_SEED if seed is None else seed)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _crm(seed: int | None) -> pd.DataFrame:
    from b2bsm.data import apply_schema
    from b2bsm.data.crm import RESOURCE, load_crm, simulate_crm

    return (
        load_crm() if seed is None else apply_schema(simulate_crm(seed), schema=RESOURCE["schema"])
    )


#: Set id -> loader of its data (``loader(seed)``; seed None is the shipped data).
LOADERS = {
    "01": _journeys,
    "02": _survey,
    "03": _survey,
    "04": _survey,
    "05": _survey,
    "06": _draft,
    "07": _posts,
    "08": _pilot,
    "09": _crm,
}


def shared_data(set_id: str, seed: int | None) -> pd.DataFrame:
    """The cached dataset object itself, not a copy: for code that only reads it.

    The answer key uses it so that statistics computed once per dataset (model
    fits, tables of tests) are reused; never modify the result.

    >>> shared_data("08", None) is shared_data("08", None)
    True
    """
    loader = LOADERS.get(str(set_id))
    if loader is None:
        raise ValueError(
            f"no exercise set {set_id!r}; the sets with data are {', '.join(LOADERS)}."
        )
    return loader(None if seed is None else seed_value(seed, "seed (from variant_seed)"))


def load_data(set_id: str, seed: int | None) -> pd.DataFrame:
    """The data of exercise set ``set_id`` for a dataset seed (None: the shipped data).

    Parameters
    ----------
    set_id : str
        ``"01"`` ... ``"09"``.
    seed : int or None
        The seed of a student id (:func:`b2bsm.exercises.variant_seed`), or None.

    Returns
    -------
    pandas.DataFrame
        A fresh copy; changing it changes nothing the checker sees.

    Examples
    --------
    >>> load_data("01", None)["market"].unique().tolist()
    ['B2B', 'B2C']
    """
    return shared_data(set_id, seed).copy()
