"""The power explorer: sliders for effect, posts per arm and dispersion, and its figure."""

from __future__ import annotations

import numpy as np

from b2bsm.engagement.power import power_curve, simulate_experiment_power

EXPLORER_POSTS = (10, 1000)
EXPLORER_MAX_DISPERSION = 3.0


def _power_figure(effect_irr, posts_per_arm, dispersion, baseline=20.0, n_sims=500, seed=0):
    from matplotlib.figure import Figure

    from b2bsm.plots import OKABE_ITO

    sizes = np.unique(np.round(np.geomspace(*EXPLORER_POSTS, 12)).astype(int))
    curve = power_curve(effect_irr, sizes, dispersion, baseline, n_sims, seed)
    point = simulate_experiment_power(
        effect_irr, posts_per_arm, dispersion, baseline, n_sims * 2, seed + 1
    )
    size = float(point["size"].iloc[0])
    fig = Figure(figsize=(7, 4.2))
    ax = fig.subplots()
    ax.plot(curve["posts_per_arm"], curve["power"], marker="o", color=OKABE_ITO[0])
    ax.plot(posts_per_arm, point["power"].iloc[0], marker="D", markersize=10, color=OKABE_ITO[5])
    ax.axhline(0.8, color=OKABE_ITO[-1], linestyle="--", linewidth=1)
    ax.axhline(0.05, color=OKABE_ITO[-1], linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("posts per arm (log scale)")
    ax.set_ylabel("power (probability of p < 0.05)")
    ax.set_title(
        f"IRR {effect_irr:.2f}, dispersion {dispersion:.1f}: "
        f"power {point['power'].iloc[0]:.2f} at {posts_per_arm} posts per arm",
        loc="left",
        fontsize=11,
    )
    ax.grid(alpha=0.3)
    fig.text(
        0.99,
        0.01,
        f"t-test; simulated false-positive rate at {posts_per_arm} posts per arm: {size:.3f}",
        ha="right",
        va="bottom",
        fontsize=8,
    )
    return fig, float(point["power"].iloc[0]), size


def power_explorer(
    effect_irr: float = 1.2,
    posts_per_arm: int = 100,
    dispersion: float = 0.5,
    baseline: float = 20.0,
):
    """Interactive power explorer: sliders for effect, posts per arm, dispersion.

    ``baseline`` is the mean count in the control arm (fixed while exploring).
    The power curve is redrawn (by simulation, with the t-test of
    :func:`simulate_experiment_power`) whenever a slider moves, and the summary
    states the simulated false-positive rate (size) at the chosen design next
    to the power.  Slider ranges: posts per arm from
    ``EXPLORER_POSTS[0]`` to ``EXPLORER_POSTS[1]``, dispersion from 0 to
    ``EXPLORER_MAX_DISPERSION``; the test holds its size over all of them.  The
    figure is an ``ipywidgets.Image`` of a PNG, so it renders the same in
    JupyterLab, on Binder and in a static notebook view.

    Returns
    -------
    ipywidgets.VBox
        The sliders and the figure; ``box.figure`` is the Image widget and
        ``box.sliders`` a dict of the three sliders.

    See Also
    --------
    b2bsm.engagement.power_curve : the curve the explorer draws.
    b2bsm.engagement.simulate_experiment_power : the power at one design.
    """
    import ipywidgets as widgets

    from b2bsm.plots import slider_explorer

    # redraw once the slider is released: each redraw runs a simulation
    common = {"continuous_update": False, "style": {"description_width": "initial"}}
    effect = widgets.FloatSlider(
        value=effect_irr,
        min=1.0,
        max=1.6,
        step=0.02,
        description="effect (IRR)",
        **common,
    )
    size = widgets.IntSlider(
        value=posts_per_arm,
        min=EXPLORER_POSTS[0],
        max=EXPLORER_POSTS[1],
        step=10,
        description="posts per arm",
        **common,
    )
    disp = widgets.FloatSlider(
        value=dispersion,
        min=0.0,
        max=EXPLORER_MAX_DISPERSION,
        step=0.1,
        description="dispersion (alpha)",
        **common,
    )

    def draw(values):
        fig, power, false_pos = _power_figure(
            values["effect"], values["posts_per_arm"], values["dispersion"], baseline
        )
        verdict = "enough" if power >= 0.8 else "too little"
        text = (
            f"<b>Power {power:.2f}</b> with {values['posts_per_arm']} posts per arm for a "
            f"true IRR of {values['effect']:.2f} (dispersion {values['dispersion']:.1f}, "
            f"baseline {baseline:g}): {verdict} for the usual 80 % target. Without any effect "
            f"the test rejects in {100 * false_pos:.1f} % of simulated experiments (its size; "
            "nominal 5 %)."
        )
        return fig, text

    sliders = {"effect": effect, "posts_per_arm": size, "dispersion": disp}
    return slider_explorer(sliders, draw, row=True, max_width="640px")
