"""The simulated CRM extract (lesson 09): byte-stable, consistent, and true to its assumptions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b2bsm._paths import data_dir
from b2bsm.data import load_crm
from b2bsm.data._package import resource, write_table
from b2bsm.data.crm import CHANNELS, EXTRACT_DAY, CRMParams, build_table, simulate_crm


@pytest.fixture(scope="module")
def crm():
    return load_crm()


def test_shipped_file_is_what_the_generator_writes(tmp_path):
    path = tmp_path / "crm_pipeline.csv"
    write_table(build_table(), path)
    assert path.read_bytes() == (data_dir() / "crm_pipeline.csv").read_bytes()


def test_loaded_columns_follow_the_schema(crm):
    fields = [f["name"] for f in resource("crm_pipeline")["schema"]["fields"]]
    assert list(crm.columns) == fields and crm["account"].is_unique and len(crm) == 8000


def test_the_funnel_only_narrows(crm):
    assert (crm["lead"] >= crm["opportunity"]).all() and (crm["opportunity"] >= crm["won"]).all()
    assert (crm.loc[crm["lead"] == 1, "clicks"] >= 1).all()
    assert crm["deal_eur"].notna().eq(crm["won"] == 1).all()
    assert crm["lead_day"].notna().eq(crm["lead"] == 1).all()


def test_paths_match_clicks_and_touches(crm):
    clicked = crm[crm["clicks"] > 0]
    parts = clicked["path"].str.split(" > ")
    assert (parts.str.len() == clicked["clicks"]).all()
    assert (parts.str[0] == clicked["first_touch"]).all()
    assert (parts.str[-1] == clicked["last_touch"]).all()
    assert set(parts.explode()) <= set(CHANNELS)
    held_out = crm[crm["holdout"] == 1]
    assert not held_out["path"].fillna("").str.contains("sponsored").any()


def test_times_are_right_censored_at_the_extract(crm):
    leads = crm[crm["lead"] == 1]
    end = leads["lead_day"] + leads["days_to_opportunity"]
    assert (end[leads["opportunity"] == 1] < EXTRACT_DAY).all()
    assert (end[leads["opportunity"] == 0] == EXTRACT_DAY).all()
    # late leads had less time: their observed conversion is far lower than early leads'
    early = leads.loc[leads["lead_day"] < 120, "opportunity"].mean()
    late = leads.loc[leads["lead_day"] >= 300, "opportunity"].mean()
    assert late < early / 2


def test_the_holdout_recovers_the_assumed_uplift_on_average():
    """Across seeds the lead ratio exposed / held out is about 1.4 (the hazard uplift)."""
    ratios = []
    for seed in range(12):
        d = simulate_crm(seed, n_accounts=8000)
        rates = d.groupby("holdout")["lead"].mean()
        ratios.append(rates[0] / rates[1])
    assert 1.15 < np.mean(ratios) < 1.45
    none = simulate_crm(3, 8000, CRMParams(sponsored_uplift=0.0))
    overall = none["lead"].mean()
    assert abs(overall - 0.08) < 0.015


def test_seeds_reproduce_and_bad_sizes_are_refused():
    pd.testing.assert_frame_equal(simulate_crm(5, 500), simulate_crm(5, 500))
    assert not simulate_crm(5, 500).equals(simulate_crm(6, 500))
    with pytest.raises(ValueError, match="at least 100"):
        simulate_crm(1, 10)
