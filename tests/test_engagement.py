"""The engagement simulator keeps its promises; the models recover its truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from b2bsm import engagement as eng
from b2bsm._paths import data_dir
from b2bsm.data import load_posts
from b2bsm.data._package import write_table


@pytest.fixture(scope="module")
def posts():
    return load_posts()


def test_shipped_file_is_what_the_generator_writes(tmp_path):
    path = tmp_path / "posts_b2b.csv"
    write_table(eng.build_table(), path)
    assert path.read_bytes() == (data_dir() / "posts_b2b.csv").read_bytes()


def test_loaded_types_follow_the_schema(posts):
    assert len(posts) == 20_000 and posts["account"].nunique() == 120
    assert list(posts["format"].cat.categories) == ["text", "visual"]
    assert posts["likes"].min() >= 0 and str(posts["likes"].dtype) == "Int64"


def test_seeds_reproduce_and_differ():
    a = eng.simulate_posts(2000, 30, seed=5)
    b = eng.simulate_posts(2000, 30, seed=5)
    c = eng.simulate_posts(2000, 30, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_counts_are_overdispersed_and_comments_rarer_and_correlated(posts):
    likes, comments = posts["likes"].astype(float), posts["comments"].astype(float)
    assert likes.var() > 5 * likes.mean()
    assert comments.mean() < likes.mean() / 5
    assert np.corrcoef(likes / posts["followers"], comments / posts["followers"])[0, 1] > 0.2
    ratio = eng.overdispersion(posts, "likes")["dispersion_ratio"].iloc[0]
    assert ratio > 5


@pytest.mark.parametrize("outcome", ["likes", "comments"])
def test_regression_recovers_every_true_effect(posts, outcome):
    fit = eng.fit_engagement(posts, outcome).set_index("term")
    truth = eng.true_effects().query("outcome == @outcome").set_index("term")["true_irr"]
    for term, value in truth.items():
        assert fit.loc[term, "ci_low"] <= value <= fit.loc[term, "ci_high"], (term, value)
    assert 0.2 < fit.attrs["alpha"] < 2


def test_effect_directions_follow_the_literature(posts):
    likes = eng.fit_engagement(posts, "likes").set_index("term")["irr"]
    comments = eng.fit_engagement(posts, "comments").set_index("term")["irr"]
    for irr in (likes, comments):
        assert (
            irr["info_cues"] > 1 and irr["visual:info_cues"] > 1
        )  # informational: up, more in visual
        assert irr["emo_cues"] < 1 and irr["visual:emo_cues"] < 1  # emotional: down, more in visual
    assert comments["strategy[participation_invite]"] > 1.3
    assert abs(np.log(comments["info_cues"])) > abs(np.log(likes["info_cues"]))


def test_poisson_standard_errors_are_too_small(posts):
    nb = eng.fit_engagement(posts, "likes", cluster=False).set_index("term")
    po = eng.fit_engagement(posts, "likes", family="poisson", cluster=False).set_index("term")
    width = lambda t: np.log(t["ci_high"] / t["ci_low"])  # noqa: E731
    assert (width(po) < width(nb)).all()


def test_true_effects_follow_params():
    params = eng.EngagementParams().with_(info_text=0.3, comment_cue_scale=2.0)
    t = eng.true_effects(params).set_index(["outcome", "term"])["true_irr"]
    assert t["likes", "info_cues"] == pytest.approx(np.exp(0.3))
    assert t["comments", "info_cues"] == pytest.approx(np.exp(0.6))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dispersion_likes": -0.1}, "zero or positive"),
        ({"likes_per_1000": 0}, "positive number"),
        ({"info_text": 9}, "between -3 and 3"),
        ({"visual_share": 1.5}, "between 0 and 1"),
        ({"strategy_likes": {"memes": 0.1}}, "unknown strategies"),
        ({"strategy_shares": {"storytelling": 1.0}}, "non-negative share"),
    ],
)
def test_invalid_parameters_are_rejected_clearly(change, message):
    with pytest.raises(ValueError, match=message):
        eng.EngagementParams(**change)


def test_bad_inputs_name_the_fix(posts):
    with pytest.raises(ValueError, match="n_posts must be a positive"):
        eng.simulate_posts(0)
    with pytest.raises(TypeError, match="unknown parameter"):
        eng.EngagementParams().with_(likes=3)
    with pytest.raises(ValueError, match="outcome must be one of"):
        eng.fit_engagement(posts, "shares")
    with pytest.raises(ValueError, match="family must be"):
        eng.fit_engagement(posts, "likes", family="gaussian")
    with pytest.raises(KeyError, match="fit_engagement needs"):
        eng.fit_engagement(posts.drop(columns="followers"), "likes")
    with pytest.raises(ValueError, match="effect_irr"):
        eng.simulate_experiment_power(-1, 100)
    with pytest.raises(ValueError, match="at least 2"):
        eng.simulate_experiment_power(1.2, 1)
    with pytest.raises(ValueError, match="dispersion"):
        eng.simulate_experiment_power(1.2, 50, dispersion=-1)


def test_large_simulation_is_vectorised():
    big = eng.simulate_posts(200_000, 300, seed=1)
    assert len(big) == 200_000 and big["account"].nunique() == 300


def test_vectorised_power_agrees_with_the_statsmodels_loop():
    fast = eng.simulate_experiment_power(1.3, 60, dispersion=0.5, n_sims=4000, seed=3).iloc[0]
    slow = eng.simulate_experiment_power_naive(1.3, 60, dispersion=0.5, n_sims=150, seed=4).iloc[0]
    tolerance = 3 * np.hypot(fast["mc_se"], slow["mc_se"]) + 0.03
    assert abs(fast["power"] - slow["power"]) < tolerance


def test_power_is_alpha_without_effect_and_grows_with_n():
    null = eng.simulate_experiment_power(1.0, 200, n_sims=6000, seed=9).iloc[0]
    assert abs(null["power"] - 0.05) < 4 * null["mc_se"] + 0.005
    curve = eng.power_curve(1.2, [25, 100, 400], n_sims=2000, seed=2)
    assert curve["power"].is_monotonic_increasing


def test_peeking_inflates_false_positives():
    t = eng.peeking_false_positive_rate(days=15, posts_per_day=10, n_sims=3000, seed=4)
    assert t["stopped_by_now"].is_monotonic_increasing
    assert t["stopped_by_now"].iloc[-1] > 2 * t.attrs["fixed_design_rate"]
    assert abs(t.attrs["fixed_design_rate"] - 0.05) < 0.02


def test_power_explorer_redraws_when_a_slider_moves():
    box = eng.power_explorer()
    before = bytes(box.figure.value)
    assert before.startswith(b"\x89PNG")
    box.sliders["posts_per_arm"].value = 400
    assert bytes(box.figure.value) != before
