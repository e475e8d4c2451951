"""The purchase-journey simulation, the B2B/B2C dataset and the framework figures."""

from __future__ import annotations

import matplotlib
import matplotlib.colors
import matplotlib.patches
import numpy as np
import pandas as pd
import pytest

from b2bsm import frameworks, market
from b2bsm._paths import data_dir
from b2bsm.data import b2b_vs_b2c, load_b2b_vs_b2c
from b2bsm.data._package import write_table
from b2bsm.market import B2B, B2C, MarketParams, compare_markets, simulate_journeys

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def journeys() -> pd.DataFrame:
    return compare_markets(n_buyers=3000, seed=11)


def test_b2b_journeys_are_longer_with_more_touchpoints_and_people(journeys):
    by = journeys.groupby("market")
    assert by["days_to_purchase"].mean()["B2B"] > 10 * by["days_to_purchase"].mean()["B2C"]
    assert by["touchpoints"].mean()["B2B"] > 5 * by["touchpoints"].mean()["B2C"]
    assert by["stakeholders"].mean()["B2B"] == pytest.approx(B2B.stakeholders, rel=0.05)
    assert (journeys.loc[journeys["market"] == "B2C", "stakeholders"] == 1).all()


def test_impulse_share_is_respected(journeys):
    b2c = journeys[journeys["market"] == "B2C"]
    assert b2c["impulse"].mean() == pytest.approx(B2C.impulse_share, abs=0.03)
    assert not journeys.loc[journeys["market"] == "B2B", "impulse"].any()
    impulsive = b2c[b2c["impulse"]]
    assert (impulsive["touchpoints"] == 1).all() and (impulsive["days_to_purchase"] <= 1).all()


def test_more_stakeholders_means_longer_journeys():
    small = simulate_journeys(B2B.with_(stakeholders=2), 2000, seed=3)
    large = simulate_journeys(B2B.with_(stakeholders=10), 2000, seed=3)
    assert large["days_to_purchase"].median() > small["days_to_purchase"].median()
    assert large["touchpoints"].mean() > small["touchpoints"].mean()


def test_seeds_reproduce_and_differ():
    a = simulate_journeys(B2B, 200, seed=5)
    pd.testing.assert_frame_equal(a, simulate_journeys(B2B, 200, seed=5))
    assert not a.equals(simulate_journeys(B2B, 200, seed=6))
    rng = np.random.default_rng(5)
    pd.testing.assert_frame_equal(a, simulate_journeys(B2B, 200, seed=rng))


def test_output_is_tidy():
    df = simulate_journeys(B2C, 50, seed=0)
    assert list(df.columns) == [
        "buyer", "market", "stakeholders", "touchpoints", "days_to_purchase", "impulse"
    ]  # fmt: skip
    assert len(df) == 50 and df["buyer"].is_unique
    assert (df["touchpoints"] >= 1).all() and (df["days_to_purchase"] >= 0).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stakeholders": 0.5}, "stakeholders must be at least 1"),
        ({"touchpoints": 0}, "touchpoints must be at least 1"),
        ({"deliberation_days": 0}, "deliberation_days must be greater than 0"),
        ({"alignment_days": -1}, "alignment_days must be at least 0"),
        ({"impulse_share": 1.5}, "impulse_share must be between 0 and 1"),
        ({"stakeholders": "six"}, "stakeholders must be a number"),
        ({"deliberation_days": float("nan")}, "deliberation_days must be finite"),
    ],
)
def test_invalid_parameters_are_rejected_clearly(change, message):
    with pytest.raises(ValueError, match=message):
        MarketParams("bad", **change)
    with pytest.raises(ValueError, match=message):
        B2B.with_(**change)


def test_unknown_parameter_and_bad_inputs():
    with pytest.raises(ValueError, match="Unknown market parameter"):
        B2B.with_(buyers=3)
    with pytest.raises(ValueError, match="n_buyers must be a positive integer"):
        simulate_journeys(B2B, 0)
    with pytest.raises(TypeError, match="params must be a MarketParams"):
        simulate_journeys({"stakeholders": 3}, 10)
    with pytest.raises(KeyError, match="simulate_journeys"):
        market.summarise_journeys(pd.DataFrame({"market": ["x"]}))


def test_simulation_is_vectorised_enough_for_live_widgets():
    # a million buyers in one call: no Python loop over buyers
    df = simulate_journeys(B2B, 1_000_000, seed=0)
    assert len(df) == 1_000_000


def test_summary_table(journeys):
    table = market.summarise_journeys(journeys)
    assert list(table.index) == ["B2B", "B2C"]
    assert table.loc["B2B", "median_days"] > table.loc["B2C", "median_days"]


def test_dataset_is_rebuilt_byte_for_byte_and_loads(tmp_path):
    path = tmp_path / "b2b_vs_b2c.csv"
    write_table(b2b_vs_b2c.build_table(), path)
    assert path.read_bytes() == (data_dir() / "b2b_vs_b2c.csv").read_bytes()
    table = load_b2b_vs_b2c()
    assert len(table) == 5 and list(table.columns) == ["dimension", "b2b", "b2c", "source"]
    assert table["source"].str.contains("Hall").all()


def test_explorer_redraws_when_a_slider_moves():
    box = market.journey_explorer(n_buyers=200)
    before_plot = box.figure.value
    assert bytes(before_plot).startswith(b"\x89PNG")
    before_text = box.summary.value
    box.sliders["stakeholders"].value = 11
    assert box.summary.value != before_text
    assert box.figure.value != before_plot
    assert {"stakeholders", "deliberation_days", "touchpoints"} == set(box.sliders)


def _stage_patches(ax):
    return {
        patch.get_gid().removeprefix("stage:"): patch
        for patch in ax.patches
        if (patch.get_gid() or "").startswith("stage:")
    }


def _background(patch):
    """The colour a reader sees under a patch: its face colour composited on white."""
    r, g, b, a = matplotlib.colors.to_rgba(patch.get_facecolor())
    return tuple(a * c + (1 - a) for c in (r, g, b))


def _display_box(ax, patch):
    return patch.get_window_extent(ax.figure.canvas.get_renderer())


@pytest.mark.parametrize("draw", [frameworks.draw_crm_process, frameworks.draw_engagement_cycle])
def test_framework_labels_are_readable_and_fit_their_shapes(draw):
    from b2bsm import plots

    fig = draw().figure
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    stages = _stage_patches(ax)
    assert len(stages) >= 3
    for text in ax.texts:
        name = text.get_text()
        if name not in stages:
            continue
        patch = stages[name]
        ratio = plots.contrast_ratio(text.get_color(), _background(patch))
        assert ratio >= 4.5, f"{name!r}: contrast {ratio:.1f} < 4.5 (WCAG AA) on its shape"
        inner = text.get_window_extent(renderer)
        outer = _display_box(ax, patch)
        assert outer.x0 <= inner.x0 and inner.x1 <= outer.x1, f"{name!r} spills out of its shape"
        assert outer.y0 <= inner.y0 and inner.y1 <= outer.y1, f"{name!r} spills out of its shape"


@pytest.mark.parametrize("draw", [frameworks.draw_crm_process, frameworks.draw_engagement_cycle])
def test_framework_texts_do_not_overlap_each_other_or_other_shapes(draw):
    fig = draw().figure
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_text().strip()]
    boxes = [(t.get_text(), t.get_window_extent(renderer).padded(3)) for t in texts]
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            assert not box_a.overlaps(box_b), f"{a!r} and {b!r} overlap (3 px margin)"
    notes = [t for t in texts if t.get_gid() == "note"]
    assert len(notes) == len(_stage_patches(ax))
    for note in notes:
        box = note.get_window_extent(renderer)
        for name, patch in _stage_patches(ax).items():
            shape = _display_box(ax, patch)
            if isinstance(patch, matplotlib.patches.Circle):
                # distance from the disc's centre to the nearest point of the note's box
                cx, cy = (shape.x0 + shape.x1) / 2, (shape.y0 + shape.y1) / 2
                dx = max(box.x0 - cx, 0, cx - box.x1)
                dy = max(box.y0 - cy, 0, cy - box.y1)
                assert np.hypot(dx, dy) > shape.width / 2, f"note runs into {name!r}"
            else:
                assert not box.overlaps(shape), f"note {note.get_text()!r} runs into {name!r}"


def test_text_colour_rule_catches_white_on_orange():
    """The contrast check above must be able to fail: the old diagrams' white on orange."""
    from b2bsm import plots

    assert plots.contrast_ratio("white", plots.OKABE_ITO[1]) < 4.5
    assert plots.text_colour_on(plots.OKABE_ITO[1]) == "black"


def test_framework_figures_draw_every_stage():
    fig = frameworks.draw_crm_process().figure
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"Acquisition", "Retention", "Termination"} <= texts
    fig = frameworks.draw_engagement_cycle().figure
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {stage for stage, _ in frameworks.ENGAGEMENT_CYCLE} <= texts
