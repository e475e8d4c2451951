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


def png_bytes(fig, dpi: int = 90) -> bytes:
    """A figure rendered to PNG bytes, e.g. for the ``ipywidgets.Image`` of an explorer.

    An image widget shows the same picture in JupyterLab, on Binder and in a
    static view of the notebook, unlike a live matplotlib backend.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> png_bytes(Figure(figsize=(2, 1)))[:4]
    b'\\x89PNG'
    """
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def interval_plot(
    table,
    *,
    y: str,
    estimate: str,
    low: str,
    high: str,
    hue: str | None = None,
    ax: plt.Axes | None = None,
    reference: float | None = None,
) -> plt.Axes:
    """Dot-and-whisker chart: one row per item, a point estimate and its interval.

    The chart the survey lessons repeat for shares with Wilson intervals,
    correlations with bootstrap intervals and the like.  Rows are drawn in the
    table's order, top to bottom.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per item.
    y : str
        Column with the item labels.
    estimate, low, high : str
        Columns with the point estimate and the interval's ends.
    hue : str, optional
        Column that colours the rows (e.g. interface); a legend is added.
    ax : matplotlib Axes, optional
    reference : float, optional
        Draw a dashed vertical reference line here (e.g. 0 or 50 %).

    Returns
    -------
    matplotlib Axes (label it with :func:`label`)

    Examples
    --------
    >>> import pandas as pd
    >>> from b2bsm.plots import interval_plot
    >>> t = pd.DataFrame({"item": ["a", "b"], "pct": [40, 20], "lo": [30, 10], "hi": [50, 35]})
    >>> ax = interval_plot(t, y="item", estimate="pct", low="lo", high="hi")
    >>> [tick.get_text() for tick in ax.get_yticklabels()]
    ['a', 'b']
    """
    for col in [y, estimate, low, high] + ([hue] if hue else []):
        if col not in table.columns:
            raise KeyError(f"column {col!r} not in the table; it has {list(table.columns)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 0.45 * len(table) + 1.2))
    pos = list(range(len(table)))[::-1]
    groups = [(None, table)] if hue is None else table.groupby(hue, sort=False)
    colours = dict(zip([k for k, _ in groups], PALETTE, strict=False))
    where = dict(zip(table.index, pos, strict=True))
    for key, part in groups:
        ys = [where[i] for i in part.index]
        ax.errorbar(
            part[estimate],
            ys,
            xerr=[part[estimate] - part[low], part[high] - part[estimate]],
            fmt="o",
            color=colours[key],
            ecolor=colours[key],
            elinewidth=2,
            capsize=3,
            label=None if key is None else str(key),
        )
    ax.set_yticks(pos, table[y].astype(str).tolist())
    ax.grid(axis="y", visible=False)
    if reference is not None:
        ax.axvline(reference, color=OKABE_ITO[-1], linestyle="--", linewidth=1)
    if hue is not None:
        ax.legend(title=hue)
    return ax
