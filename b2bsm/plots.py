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

import re
from typing import TYPE_CHECKING

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns

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


_NUMBER = re.compile(
    r"^[\s$]*[-\u2212+]?[\d.,]+(\s*[%x\u00d7]\s*|\\times)?(10\^?\{?[-\u2212]?\d+\}?)?\s*%?[\s$]*$"
)


def _drawn_tick_labels(axis) -> list:
    """Tick labels (major and minor) that are actually drawn on ``axis``."""
    labels = []
    for tick in axis._update_ticks():  # the ticks inside the view limits, positioned
        for text in (tick.label1, tick.label2):
            if text.get_visible() and text.get_text().strip():
                labels.append(text)
    return labels


def _overlap(a, b, tolerance: float = 1.0) -> bool:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > tolerance and height > tolerance


def _data_points(ax):
    """Display coordinates of the data an Axes draws (lines, markers, whiskers)."""
    import numpy as np

    points = []
    for line in ax.get_lines():
        if line.get_transform() != ax.transData or not line.get_visible():
            continue  # reference lines such as axhline span the axes by design
        xy = np.asarray(line.get_xydata(), dtype="float64")
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) > 1 and line.get_linestyle() not in ("None", "", " "):
            steps = np.linspace(0, 1, 12)[:, None, None]
            xy = (xy[:-1][None] + steps * (xy[1:] - xy[:-1])[None]).reshape(-1, 2)
        if len(xy):
            points.append(ax.transData.transform(xy))
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        offsets = np.asarray(collection.get_offsets(), dtype="float64")
        if len(offsets) and collection.get_offset_transform() == ax.transData:
            points.append(ax.transData.transform(offsets[np.isfinite(offsets).all(axis=1)]))
        for path in collection.get_paths():
            if collection.get_transform() != ax.transData or len(path.vertices) > 200:
                continue
            xy = np.asarray(path.vertices, dtype="float64")
            if len(xy) > 1:
                steps = np.linspace(0, 1, 12)[:, None, None]
                xy = (xy[:-1][None] + steps * (xy[1:] - xy[:-1])[None]).reshape(-1, 2)
            points.append(ax.transData.transform(xy[np.isfinite(xy).all(axis=1)]))
    return points


def layout_problems(fig) -> list[str]:
    """What a renderer can see is wrong with a figure's layout, as readable sentences.

    Draws ``fig`` and reports: tick labels that overlap each other; text
    (annotations, titles, axis labels) that overlaps other text; an axis with
    numbers on it but no label; a legend drawn over data points or lines;
    labels cut off with "...".  An empty list means none was found.

    See Also
    --------
    wrap_labels : shorten long tick labels.
    label : add the axis labels it asks for.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from b2bsm.plots import layout_problems
    >>> fig, ax = plt.subplots(figsize=(2, 2))
    >>> _ = ax.bar(["a rather long label", "another long label"], [1, 2])
    >>> [p.split(":")[0] for p in layout_problems(fig)]
    ['x tick labels overlap', 'y axis has numbers but no label']
    >>> plt.close(fig)
    """
    import numpy as np

    if not hasattr(fig.canvas, "get_renderer"):  # a closed or never-shown figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    problems: list[str] = []
    for ax in fig.axes:
        where = f" (axes {ax.get_title()!r})" if ax.get_title() else ""
        tick_boxes = []
        for name, axis, label in (("x", ax.xaxis, ax.xaxis.label), ("y", ax.yaxis, ax.yaxis.label)):
            if not ax.axison or not axis.get_visible():
                continue
            labels = _drawn_tick_labels(axis)
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels]
            tick_boxes += boxes
            clashes = [
                f"{a!r} and {b!r}"
                for i, (a, box_a) in enumerate(boxes)
                for b, box_b in boxes[i + 1 :]
                if _overlap(box_a, box_b)
            ]
            if clashes:
                problems.append(f"{name} tick labels overlap{where}: " + "; ".join(clashes[:3]))
            cut = [
                t.get_text() for t in labels if t.get_text().rstrip().endswith(("...", "\u2026"))
            ]
            if cut:
                problems.append(f"{name} tick labels are cut off{where}: {cut[:3]}")
            numeric = [t for t in labels if _NUMBER.match(t.get_text())]
            if numeric and not label.get_text().strip():
                problems.append(f"{name} axis has numbers but no label{where}")
        texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
        texts += [
            t
            for t in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label)
            if t.get_visible() and t.get_text().strip()
        ]
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
        for i, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[i + 1 :] + tick_boxes:
                if _overlap(box_a, box_b):
                    problems.append(f"text overlaps text{where}: {a!r} and {b!r}")
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            box = legend.get_window_extent(renderer).padded(-2)
            for xy in _data_points(ax):
                inside = (
                    (xy[:, 0] > box.x0)
                    & (xy[:, 0] < box.x1)
                    & (xy[:, 1] > box.y0)
                    & (xy[:, 1] < box.y1)
                )
                if np.any(inside):
                    problems.append(f"the legend covers data{where}")
                    break
            for a, text_box in boxes:
                if _overlap(box, text_box):
                    problems.append(f"the legend covers the text {a!r}{where}")
    return problems


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
