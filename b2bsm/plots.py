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

from typing import TYPE_CHECKING

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns

# the layout check lives in its own module; plots.layout_problems is its public name too
from b2bsm.figure_checks import drawn_tick_labels as drawn_tick_labels
from b2bsm.figure_checks import layout_problems as layout_problems

if TYPE_CHECKING:  # annotations only: the module does not need pandas to load
    import pandas as pd

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

    See Also
    --------
    PALETTE : the qualitative colours the theme uses.
    label : label the axes of a chart in the kit's style.

    References
    ----------
    Okabe, M., & Ito, K. (2008). *Color Universal Design (CUD): How to make figures and
        presentations that are friendly to colorblind people*. https://jfly.uni-koeln.de/color/

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
    """Label both axes (with units) and optionally title a chart; returns ``ax``.

    See Also
    --------
    set_theme : the theme every chart shares.
    interval_plot : a chart to label.
    """
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if title:
        ax.set_title(title)
    return ax


def relative_luminance(colour) -> float:
    """WCAG 2 relative luminance of a matplotlib colour (0 = black, 1 = white).

    See Also
    --------
    contrast_ratio : the WCAG contrast of two colours, from their luminances.

    Examples
    --------
    >>> from b2bsm.plots import relative_luminance
    >>> relative_luminance("white"), relative_luminance("black")
    (1.0, 0.0)
    """
    import numpy as np
    from matplotlib.colors import to_rgb

    rgb = np.asarray(to_rgb(colour), dtype="float64")
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(np.round(linear @ [0.2126, 0.7152, 0.0722], 12))


def contrast_ratio(foreground, background) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (none) to 21 (black on white).

    Normal-size text needs at least 4.5 to be readable for people with low
    vision (WCAG 2, success criterion 1.4.3).

    See Also
    --------
    relative_luminance : the luminance of one colour.
    text_colour_on : black or white text, whichever contrasts more.

    Examples
    --------
    >>> from b2bsm.plots import contrast_ratio
    >>> round(contrast_ratio("black", "white"), 1)
    21.0
    >>> contrast_ratio("white", "#E69F00") < 4.5    # white on Okabe-Ito orange
    True
    """
    light, dark = sorted([relative_luminance(foreground), relative_luminance(background)])[::-1]
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(background) -> str:
    """``"black"`` or ``"white"``, whichever is easier to read on ``background``.

    See Also
    --------
    contrast_ratio : how the choice is made.

    Examples
    --------
    >>> from b2bsm.plots import OKABE_ITO, text_colour_on
    >>> [text_colour_on(c) for c in OKABE_ITO[:3]]
    ['white', 'black', 'black']
    """
    if contrast_ratio("white", background) >= contrast_ratio("black", background):
        return "white"
    return "black"


def wrap_labels(labels, width: int = 30) -> list[str]:
    """Break long tick labels into lines of at most ``width`` characters.

    Wrapping keeps every word of a label, unlike cutting it off with "...".

    See Also
    --------
    layout_problems : finds labels that still overlap.

    Examples
    --------
    >>> from b2bsm.plots import wrap_labels
    >>> wrap_labels(["No need - things are done with emails and by phone", "Short"], 25)
    ['No need - things are done\\nwith emails and by phone', 'Short']
    """
    import textwrap

    return [textwrap.fill(str(text), width=width, break_long_words=False) for text in labels]


def integer_ticks(axis) -> None:
    """Put ticks only at whole numbers on ``axis`` (e.g. ``ax.xaxis``), for days or counts.

    See Also
    --------
    log_ticks : plain-number ticks on a logarithmic axis.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from b2bsm.plots import integer_ticks
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2, 3, 4, 5, 6, 7], [0, 1, 0, 1, 0, 1, 0])
    >>> integer_ticks(ax.xaxis)
    >>> all(float(t).is_integer() for t in ax.get_xticks())
    True
    >>> plt.close(fig)
    """
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def log_ticks(axis, ticks) -> None:
    """Label a logarithmic ``axis`` at the given values as plain numbers (25, 100, 400).

    matplotlib labels a log axis in powers of ten and, over less than a decade
    or two, also labels minor ticks (3 x 10^1, 4 x 10^1, ...), whose labels run
    into each other.  This puts major ticks exactly at ``ticks`` and drops the
    minor labels.

    See Also
    --------
    integer_ticks : ticks at whole numbers only.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from b2bsm.plots import log_ticks
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([25, 800], [0.1, 0.9])
    >>> ax.set_xscale("log")
    >>> log_ticks(ax.xaxis, [25, 100, 400])
    >>> fig.canvas.draw()
    >>> [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    ['25', '100', '400']
    >>> plt.close(fig)
    """
    from matplotlib.ticker import FixedLocator, NullFormatter, StrMethodFormatter

    axis.set_major_locator(FixedLocator(list(ticks)))
    axis.set_major_formatter(StrMethodFormatter("{x:g}"))
    axis.set_minor_formatter(NullFormatter())


def png_bytes(fig, dpi: int = 90) -> bytes:
    """A figure rendered to PNG bytes, e.g. for the ``ipywidgets.Image`` of an explorer.

    An image widget shows the same picture in JupyterLab, on Binder and in a
    static view of the notebook, unlike a live matplotlib backend.

    See Also
    --------
    slider_explorer : shows figures as these PNGs.

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


def slider_explorer(sliders: dict, draw, *, row: bool = False, max_width: str = "900px"):
    """Sliders, a figure and a summary that redraw together: the one frame of the explorers.

    Parameters
    ----------
    sliders : dict
        Name -> ipywidgets slider; ``draw`` gets their values under these names.
    draw : callable
        ``draw(values) -> (figure, summary_html)``, with ``values`` a dict of the
        sliders' current values.  The figure is shown as a PNG
        (:func:`png_bytes`), so it renders the same in JupyterLab, on Binder and in
        a static view of the notebook, and is closed afterwards.
    row : bool
        Put the sliders side by side (default: one under the other).
    max_width : str
        CSS width limit of the figure.

    Returns
    -------
    ipywidgets.VBox
        Sliders, summary and figure, with the attributes ``sliders`` (the dict),
        ``figure`` (the Image widget), ``summary`` (the HTML widget) and
        ``redraw`` (redraw now), for tests and notebooks.

    See Also
    --------
    png_bytes : how each figure is rendered.
    b2bsm.engagement.power_explorer, b2bsm.market.journey_explorer : explorers built on it.
    """
    import ipywidgets as widgets

    figure = widgets.Image(format="png", layout=widgets.Layout(max_width=max_width))
    summary = widgets.HTML()

    def redraw(_change=None) -> None:
        fig, text = draw({name: slider.value for name, slider in sliders.items()})
        summary.value = text
        figure.value = png_bytes(fig)
        plt.close(fig)  # a no-op for a figure pyplot does not manage

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    controls = [widgets.HBox(list(sliders.values()))] if row else list(sliders.values())
    box = widgets.VBox([*controls, summary, figure])
    box.sliders, box.figure, box.summary, box.redraw = sliders, figure, summary, redraw
    return box


def interval_plot(
    data: pd.DataFrame,
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
    data : pandas.DataFrame
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

    See Also
    --------
    label : label the axes of the chart.
    b2bsm.stats.proportions : shares with Wilson intervals, one row per item.
    b2bsm.stats.bootstrap_tau : correlations with bootstrap intervals.

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
        if col not in data.columns:
            raise KeyError(f"column {col!r} not in the table; it has {list(data.columns)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 0.45 * len(data) + 1.2))
    pos = list(range(len(data)))[::-1]
    groups = [(None, data)] if hue is None else data.groupby(hue, sort=False)
    colours = dict(zip([k for k, _ in groups], PALETTE, strict=False))
    where = dict(zip(data.index, pos, strict=True))
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
    ax.set_yticks(pos, data[y].astype(str).tolist())
    ax.grid(axis="y", visible=False)
    if reference is not None:
        ax.axvline(reference, color=OKABE_ITO[-1], linestyle="--", linewidth=1)
    if hue is not None:
        ax.legend(title=hue)
    return ax
