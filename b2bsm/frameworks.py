"""Relationship-marketing frameworks drawn as figures (lesson 01).

* :func:`draw_crm_process`: the customer relationship management process of
  Reinartz, Krafft & Hoyer (2004), three stages (acquisition, retention,
  termination) on a base of supporting resources;
* :func:`draw_engagement_cycle`: Sashi's (2012) customer engagement cycle,
  seven stages from connection to engagement.

Each stage carries a short note on where social media content can act.  The
notes are the kit's own teaching summary, not the authors' words.

Examples
--------
>>> from b2bsm.frameworks import draw_engagement_cycle
>>> fig = draw_engagement_cycle()
"""

from __future__ import annotations

import numpy as np

#: (stage, what happens, where social media content can act)
CRM_STAGES = [
    (
        "Acquisition",
        "initiating the relationship",
        "expert articles, case studies and webinars\nthat earn attention and leads",
    ),
    (
        "Retention",
        "maintaining and growing it",
        "service, user communities, co-creation\nand regular useful updates",
    ),
    (
        "Termination",
        "ending unprofitable or failing ties",
        "listening for dissatisfaction early;\nwin-back or a respectful exit",
    ),
]
CRM_SUPPORT = "Supported by people, IT systems, performance metrics and the marketing strategy"

#: (stage, where social media content can act)
ENGAGEMENT_CYCLE = [
    ("Connection", "be findable: profiles,\nsearchable expert content"),
    ("Interaction", "answer, comment,\ninvite dialogue"),
    ("Satisfaction", "fast public service,\nhelpful how-to content"),
    ("Retention", "keep delivering value\nbetween purchases"),
    ("Commitment", "communities, shared\nproblems, trust"),
    ("Advocacy", "customer stories,\nreferences, shares"),
    ("Engagement", "co-creation: customers\nshape offers and content"),
]


def _axes(ax, size):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax.figure, ax


def draw_crm_process(ax=None):
    """Draw the CRM process (Reinartz et al. 2004) with social media's role per stage.

    Returns the matplotlib ``Figure``.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from b2bsm import plots

    fig, ax = _axes(ax, (10, 4.2))
    width, gap = 2.6, 0.7
    for i, (stage, what, social) in enumerate(CRM_STAGES):
        x = i * (width + gap)
        ax.add_patch(
            FancyBboxPatch(
                (x, 1.6),
                width,
                1.1,
                boxstyle="round,pad=0.05",
                facecolor=plots.PALETTE[i],
                alpha=0.85,
                edgecolor="none",
            )
        )
        ax.text(
            x + width / 2,
            2.3,
            stage,
            ha="center",
            va="center",
            fontsize=13,
            fontweight="bold",
            color="white",
        )
        ax.text(x + width / 2, 1.9, what, ha="center", va="center", fontsize=9, color="white")
        ax.text(x + width / 2, 3.35, social, ha="center", va="center", fontsize=9, style="italic")
        if i < len(CRM_STAGES) - 1:
            ax.add_patch(
                FancyArrowPatch(
                    (x + width + 0.08, 2.15),
                    (x + width + gap - 0.08, 2.15),
                    arrowstyle="-|>",
                    mutation_scale=18,
                    color="0.3",
                )
            )
    total = len(CRM_STAGES) * width + (len(CRM_STAGES) - 1) * gap
    ax.add_patch(
        FancyBboxPatch(
            (0, 0.5), total, 0.6, boxstyle="round,pad=0.05", facecolor="0.88", edgecolor="none"
        )
    )
    ax.text(total / 2, 0.8, CRM_SUPPORT, ha="center", va="center", fontsize=10)
    ax.text(0, 4.05, "Where social media content acts:", fontsize=10, fontweight="bold")
    ax.set_xlim(-0.2, total + 0.2)
    ax.set_ylim(0.3, 4.3)
    ax.axis("off")
    ax.set_title("The CRM process (after Reinartz, Krafft & Hoyer 2004)")
    return fig


def draw_engagement_cycle(ax=None):
    """Draw Sashi's (2012) customer engagement cycle with social media's role per stage.

    Returns the matplotlib ``Figure``.
    """
    from matplotlib.patches import Circle, FancyArrowPatch

    from b2bsm import plots

    fig, ax = _axes(ax, (8.5, 8.5))
    n = len(ENGAGEMENT_CYCLE)
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n  # clockwise from the top
    radius, node = 2.25, 0.7
    for i, ((stage, social), angle) in enumerate(zip(ENGAGEMENT_CYCLE, angles, strict=True)):
        x, y = radius * np.cos(angle), radius * np.sin(angle)
        ax.add_patch(
            Circle((x, y), node, facecolor=plots.OKABE_ITO[i % 7], alpha=0.9, edgecolor="none")
        )
        ax.text(
            x,
            y,
            stage,
            ha="center",
            va="center",
            fontsize=10,
            fontweight="bold",
            color="black" if i in (1, 4, 6) else "white",
        )
        lx, ly = (radius + 1.45) * np.cos(angle), (radius + 1.45) * np.sin(angle)
        ax.text(lx, ly, social, ha="center", va="center", fontsize=8.5, style="italic")
        nxt = angles[(i + 1) % n]
        start = angle - 0.24
        end = nxt + 0.24
        ax.add_patch(
            FancyArrowPatch(
                (radius * np.cos(start), radius * np.sin(start)),
                (radius * np.cos(end), radius * np.sin(end)),
                connectionstyle="arc3,rad=-0.25",
                arrowstyle="-|>",
                mutation_scale=15,
                color="0.35",
            )
        )
    ax.text(
        0,
        0.15,
        "Customer\nengagement\ncycle",
        ha="center",
        va="center",
        fontsize=13,
        fontweight="bold",
    )
    ax.text(
        0,
        -0.65,
        "dissatisfaction at any stage\ncan break the cycle",
        ha="center",
        va="center",
        fontsize=8.5,
        color="0.3",
    )
    lim = radius + 2.3
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("The customer engagement cycle (after Sashi 2012)")
    return fig
