"""Engagement with B2B brand posts: a simulator, count regressions and experiment design.

* :mod:`~b2bsm.engagement.simulate`: post-level likes and comments
  (:func:`simulate_posts`, the assumptions in :class:`EngagementParams`,
  :func:`true_effects`);
* :mod:`~b2bsm.engagement.models`: NB2 and Poisson regressions with clustered
  errors (:func:`fit_engagement`) and :func:`overdispersion`;
* :mod:`~b2bsm.engagement.power`: power of an A/B test by simulation
  (:func:`simulate_experiment_power`, :func:`power_curve`) and the false
  positives of peeking (:func:`peeking_false_positive_rate`);
* :mod:`~b2bsm.engagement.explorer`: :func:`power_explorer`, sliders and a figure.

The shipped dataset of 20,000 posts is :func:`b2bsm.data.load_posts`.

Examples
--------
>>> from b2bsm.engagement import simulate_posts
>>> posts = simulate_posts(n_posts=1000, n_accounts=20, seed=1)
>>> bool(posts["likes"].mean() > posts["comments"].mean())
True
"""

from __future__ import annotations

from b2bsm.engagement.explorer import (
    EXPLORER_MAX_DISPERSION,
    EXPLORER_POSTS,
    power_explorer,
)
from b2bsm.engagement.models import FORMULA, fit_engagement, overdispersion
from b2bsm.engagement.power import (
    POWER_TEST,
    peeking_false_positive_rate,
    power_curve,
    simulate_experiment_power,
    simulate_experiment_power_naive,
)
from b2bsm.engagement.simulate import (
    DEFAULT_ACCOUNTS,
    DEFAULT_POSTS,
    DEFAULT_SEED,
    FORMATS,
    OUTCOMES,
    STRATEGIES,
    EngagementParams,
    simulate_posts,
    true_effects,
)

__all__ = [
    "DEFAULT_ACCOUNTS",
    "DEFAULT_POSTS",
    "DEFAULT_SEED",
    "EXPLORER_MAX_DISPERSION",
    "EXPLORER_POSTS",
    "FORMATS",
    "FORMULA",
    "OUTCOMES",
    "POWER_TEST",
    "STRATEGIES",
    "EngagementParams",
    "fit_engagement",
    "overdispersion",
    "peeking_false_positive_rate",
    "power_curve",
    "power_explorer",
    "simulate_experiment_power",
    "simulate_experiment_power_naive",
    "simulate_posts",
    "true_effects",
]
