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
>>> ax = draw_engagement_cycle()
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
    return ax


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(
        textwrap.fill(line, width, break_on_hyphens=False) for line in text.split("\n")
    )


def draw_crm_process(*, ax=None):
    """Draw the CRM process (Reinartz et al. 2004) with social media's role per stage.

    Three stage boxes in a row, each with a note above it on where social media
    content acts, on a base of the resources that support the process.  Text on
    a coloured box is black or white, whichever contrasts more with the box
    (:func:`b2bsm.plots.text_colour_on`).

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on (``ax.figure`` is its figure).

    See Also
    --------
    draw_engagement_cycle : the other framework diagram of lesson 01.

    Examples
    --------
    >>> from b2bsm.frameworks import draw_crm_process
    >>> ax = draw_crm_process()
    >>> sorted(t.get_text() for t in ax.texts if t.get_fontweight() == "bold")[:3]
    ['Acquisition', 'Retention', 'Termination']
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from b2bsm import plots

    ax = _axes(ax, (10, 4.8))
    width, gap = 2.7, 0.75
    for i, (stage, what, social) in enumerate(CRM_STAGES):
        x = i * (width + gap)
        colour = plots.PALETTE[i]
        ink = plots.text_colour_on(colour)
        ax.add_patch(
            FancyBboxPatch(
                (x, 1.55),
                width,
                1.25,
                boxstyle="round,pad=0.05",
                facecolor=colour,
                edgecolor="none",
                gid=f"stage:{stage}",
            )
        )
        ax.text(
            x + width / 2,
            2.42,
            stage,
            ha="center",
            va="center",
            fontsize=13,
            fontweight="bold",
            color=ink,
        )
        ax.text(
            x + width / 2,
            1.9,
            _wrap(what, 26),
            ha="center",
            va="center",
            fontsize=9.5,
            color=ink,
        )
        ax.text(
            x + width / 2,
            3.0,
            _wrap(social.replace("\n", " "), 30),
            ha="center",
            va="bottom",
            fontsize=9,
            style="italic",
            gid="note",
        )
        if i < len(CRM_STAGES) - 1:
            ax.add_patch(
                FancyArrowPatch(
                    (x + width + 0.1, 2.17),
                    (x + width + gap - 0.1, 2.17),
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
    ax.set_ylim(0.3, 4.35)
    ax.axis("off")
    ax.set_title("The CRM process (after Reinartz, Krafft & Hoyer 2004)")
    return ax


def draw_engagement_cycle(*, ax=None):
    """Draw Sashi's (2012) customer engagement cycle with social media's role per stage.

    Seven stages clockwise from the top, each a coloured disc with its name in
    black or white (whichever contrasts more), and a note outside the ring on
    where social media content can act.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw the ring (it needs a square Axes); by default a new 9 x 8.5 inch
        figure.

    Returns
    -------
    matplotlib Axes
        ``ax``, or the Axes of the new figure.

    See Also
    --------
    draw_crm_process : the CRM process, the other framework of lesson 01.

    Examples
    --------
    >>> from b2bsm.frameworks import ENGAGEMENT_CYCLE, draw_engagement_cycle
    >>> ax = draw_engagement_cycle()
    >>> {stage for stage, _ in ENGAGEMENT_CYCLE} <= {t.get_text() for t in ax.texts}
    True
    """
    from matplotlib.patches import Circle, FancyArrowPatch

    from b2bsm import plots

    ax = _axes(ax, (9, 8.5))
    n = len(ENGAGEMENT_CYCLE)
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n  # clockwise from the top
    radius, node = 2.8, 0.85
    for i, ((stage, social), angle) in enumerate(zip(ENGAGEMENT_CYCLE, angles, strict=True)):
        x, y = radius * np.cos(angle), radius * np.sin(angle)
        colour = plots.OKABE_ITO[i % 7]
        ax.add_patch(Circle((x, y), node, facecolor=colour, edgecolor="none", gid=f"stage:{stage}"))
        ax.text(
            x,
            y,
            stage,
            ha="center",
            va="center",
            fontsize=9.5,
            fontweight="bold",
            color=plots.text_colour_on(colour),
        )
        # the note sits just outside its disc, anchored on the side facing away from the centre
        cos, sin = np.cos(angle), np.sin(angle)
        reach = radius + node + 0.15
        ha = "left" if cos > 0.3 else "right" if cos < -0.3 else "center"
        va = "bottom" if sin > 0.3 else "top" if sin < -0.3 else "center"
        ax.text(
            reach * cos,
            reach * sin,
            social,
            ha=ha,
            va=va,
            fontsize=8.5,
            style="italic",
            gid="note",
        )
        nxt = angles[(i + 1) % n]
        start = angle - 0.34
        end = nxt + 0.34
        ax.add_patch(
            FancyArrowPatch(
                (radius * np.cos(start), radius * np.sin(start)),
                (radius * np.cos(end), radius * np.sin(end)),
                connectionstyle="arc3,rad=-0.2",
                arrowstyle="-|>",
                mutation_scale=14,
                color="0.35",
            )
        )
    ax.text(
        0,
        0.2,
        "Customer\nengagement\ncycle",
        ha="center",
        va="center",
        fontsize=13,
        fontweight="bold",
    )
    ax.text(
        0,
        -0.95,
        "dissatisfaction at any stage\ncan break the cycle",
        ha="center",
        va="center",
        fontsize=8.5,
        color="0.25",
    )
    ax.set_xlim(-radius - 3.2, radius + 3.2)
    ax.set_ylim(-radius - 1.9, radius + 1.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("The customer engagement cycle (after Sashi 2012)")
    return ax
