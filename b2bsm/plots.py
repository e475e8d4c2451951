"""The kit's plotting theme and the chart types the lessons repeat.

One call at the top of a notebook gives every figure the same readable,
colour-blind-safe look::

    >>> from b2bsm import plots
    >>> plots.set_theme()

The qualitative palette is Okabe & Ito's (2008) eight colours, distinguishable
under the common forms of colour-vision deficiency.  Sequential data use
``cividis`` and diverging data ``PuOr``; both stay readable in greyscale and
for colour-blind readers.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns

#: Okabe-Ito qualitative palette (black last: reserved for reference lines).
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
PALETTE = OKABE_ITO[:7]
SEQUENTIAL = "cividis"
DIVERGING = "PuOr"


def set_theme(font_scale: float = 1.1) -> None:
    """Apply the kit's theme to matplotlib and seaborn.

    Parameters
    ----------
    font_scale : float, default 1.1
        Multiplier on seaborn's ``notebook`` font sizes (use 1.4 for slides).

    Examples
    --------
    >>> from b2bsm.plots import set_theme
    >>> set_theme()
    """
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=font_scale)
    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 4.2),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "image.cmap": SEQUENTIAL,
            "legend.frameon": False,
        }
    )


def label(ax: plt.Axes, x: str, y: str, title: str | None = None) -> plt.Axes:
    """Label both axes (with units) and optionally title a chart; returns ``ax``."""
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if title:
        ax.set_title(title)
    return ax
