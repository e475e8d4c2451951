"""What a renderer can see is wrong with a figure: overlapping or cut-off labels, and more.

:func:`layout_problems` is the check the lessons' figures pass (``tests/test_lesson_meaning.py``);
:mod:`b2bsm.plots` re-exports it next to the helpers that fix what it finds.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(
    r"^[\s$]*[-\u2212+]?[\d.,]+(\s*[%x\u00d7]\s*|\\times)?(10\^?\{?[-\u2212]?\d+\}?)?\s*%?[\s$]*$"
)


def drawn_tick_labels(axis) -> list:
    """Tick labels (major and minor) that are actually drawn on ``axis``, as Text objects.

    See Also
    --------
    layout_problems : uses them to find tick labels that overlap or are cut off.
    """
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
    b2bsm.plots.wrap_labels : shorten long tick labels.
    b2bsm.plots.label : add the axis labels it asks for.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from b2bsm.figure_checks import layout_problems
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
            labels = drawn_tick_labels(axis)
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
