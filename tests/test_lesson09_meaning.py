"""Lesson 09 says what its data show: the prose numbers, the figures and the data agree.

The lesson quotes its results in words (for the budget slide, the attribution comparison,
the censoring story). These tests recompute each quoted number from the shipped CRM extract
and look for it in the lesson's text, and inspect the figures as matplotlib objects.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from b2bsm.data import load_crm
from b2bsm.data.crm import attribution, reached_by

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "09_engagement_to_pipeline.ipynb"


@pytest.fixture(scope="module")
def crm():
    return load_crm()


@pytest.fixture(scope="module")
def prose():
    nb = nbformat.read(LESSON, as_version=4)
    return " ".join(c.source for c in nb.cells if c.cell_type == "markdown").replace("\n", " ")


def _groups(crm):
    return crm[crm["holdout"] == 0], crm[crm["holdout"] == 1]


def test_holdout_numbers_in_the_text_match_the_data(crm, prose):
    exposed, held = _groups(crm)
    lift = exposed["lead"].mean() - held["lead"].mean()
    low, high = confint_proportions_2indep(
        exposed["lead"].sum(), len(exposed), held["lead"].sum(), len(held), method="newcomb"
    )
    extra = [round(len(exposed) * v) for v in (lift, low, high)]
    assert f"about {extra[0]} extra leads" in prose
    assert f"{extra[1]} to {extra[2]}" in prose
    credited = int((exposed.loc[exposed["lead"] == 1, "last_touch"] == "sponsored post").sum())
    assert f"sponsored posts with {credited} of the exposed accounts' leads" in prose
    assert credited > extra[0]  # the point of section 5: the rule credits more than caused


def test_attribution_numbers_in_the_text_match_the_data(crm, prose):
    opps = crm[crm["opportunity"] == 1]
    last = attribution(opps, rule="last touch")["sponsored post"]
    exposed, held = _groups(crm)
    caused = len(exposed) * (exposed["opportunity"].mean() - held["opportunity"].mean())
    assert f"sponsored posts with {last:.0f} opportunities" in prose
    assert f"about {caused:.0f} (" in prose
    rules = {r: attribution(opps, rule=r) for r in ("first touch", "last touch", "position-based")}
    assert rules["first touch"].idxmax() == "organic post"  # "organic posts the stars"
    assert rules["last touch"].idxmax() == "webinar"
    assert all(round(v.sum()) == len(opps) for v in rules.values())
    assert f"same {len(opps)} opportunities" in prose


def test_censoring_story_matches_the_data(crm, prose):
    leads = crm[crm["lead"] == 1]
    naive = leads["opportunity"].mean()
    km180 = reached_by(leads["days_to_opportunity"], leads["opportunity"], 180)
    assert f"{naive:.3f}" in prose and km180 > naive + 0.05
    assert round(km180, 1) == 0.5  # "about half ... within 180 days"
    quarters = leads.groupby(leads["lead_day"] // 92)["opportunity"].mean()
    assert quarters.iloc[-1] < quarters.iloc[0] / 3  # the fourth quarter is mostly open


@pytest.mark.slow
def test_figures_show_what_the_text_says():
    """Run the lesson's code here: the KM curve never falls and ends near half, the funnel
    figure has four steps, the attribution figure has three bars and one holdout interval
    that crosses zero."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_lesson_meaning import lesson_figures

    figures = [fig for _, fig in lesson_figures(LESSON)]
    assert len(figures) == 3
    funnel, km, credit = (fig.axes[0] for fig in figures)
    assert len(funnel.get_yticklabels()) == 4
    step = km.lines[0].get_ydata()
    assert np.all(np.diff(step) >= 0) and 45 < step[-1] < 55
    bars = [p for p in credit.patches if p.get_width() > 0]
    assert len(bars) == 3
    segments = credit.collections[-1].get_segments()
    (x0, _), (x1, _) = segments[0]
    assert x0 < 0 < x1
