"""Figures for every chapter: one house style, the recurring kinds of plot, and accessible,
self-contained animations.

Every chapter calls :func:`use_house_style` once; the figures that recur (training curves,
image grids, loss contours and the optimiser paths over them, pictures of networks and
computational graphs) are functions here,
so a folded figure cell on a page stays short and its code is one click away on the API page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _checks

__all__ = [
    "HOUSE_STYLE",
    "accuracy_intervals",
    "animation_html",
    "draw_graph",
    "draw_network",
    "image_grid",
    "loss_contours",
    "optimiser_path",
    "training_curves",
    "use_house_style",
]

HOUSE_STYLE: dict[str, Any] = {
    "figure.dpi": 110,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}
"""The one set of Matplotlib ``rcParams`` every figure of the book is drawn with."""


def use_house_style() -> None:
    """Apply :data:`HOUSE_STYLE` to Matplotlib (call once at the top of a chapter)."""
    import matplotlib as mpl

    mpl.rcParams.update(HOUSE_STYLE)


def training_curves(
    ax: Any,
    curves: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    start: int = 1,
    logy: bool = False,
    title: str | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
) -> Any:
    """Draw one line per entry of ``curves`` (label -> values per epoch or step) on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    curves : mapping of str to sequence of float
        Label in the legend -> one value per epoch (or step); at least one curve, each
        non-empty and finite.
    xlabel, ylabel : str
        Axis labels; say what the values are and whether they are train or test figures.
    start : int, default 1
        The x value of the first entry (1 for "after epoch 1", 0 for "at the start").
    logy : bool, default False
        Logarithmic y axis.
    title : str, optional
        Axes title.
    styles : mapping of str to mapping, optional
        Matplotlib line keywords per label, e.g. ``{"CNN train": {"color": "tab:blue",
        "linestyle": "--"}}``; labels not named keep the defaults.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, for chaining.

    Raises
    ------
    TypeError
        If ``curves`` or ``styles`` is not a mapping or ``logy`` is not a bool.
    ValueError
        If ``curves`` is empty, a curve is empty or not finite, or ``styles`` names a
        label that ``curves`` lacks.
    """
    if not isinstance(curves, Mapping):
        raise TypeError(
            f"curves must be a mapping of label to values, got {type(curves).__name__}"
        )
    if not curves:
        raise ValueError("curves is empty")
    start = _checks.as_int(start, "start")
    logy = _checks.as_bool(logy, "logy")
    styles = {} if styles is None else styles
    if not isinstance(styles, Mapping):
        raise TypeError(
            f"styles must be a mapping of label to keywords, got {type(styles).__name__}"
        )
    if set(styles) - set(curves):
        raise ValueError(
            f"styles names labels that curves lacks: {sorted(set(styles) - set(curves))}"
        )
    for label, values in curves.items():
        y = _checks.as_array(values, f"curves[{label!r}]", ndim=1)
        ax.plot(
            np.arange(start, start + y.size),
            y,
            **{
                "marker": "o" if y.size <= 30 else None,
                "markersize": 3,
                "label": label,
                **styles.get(label, {}),
            },
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    return ax


def image_grid(
    images: np.ndarray,
    *,
    ncols: int = 10,
    titles: Sequence[str] | None = None,
    cmap: str = "gray_r",
    size: float = 1.0,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Any:
    """Show a stack of grey images (shape ``(n, height, width)``) in a grid; return the figure.

    Parameters
    ----------
    images : numpy.ndarray
        Shape ``(n, height, width)``, n >= 1, finite values.
    ncols : int, default 10
        Images per row (>= 1).
    titles : sequence of str, optional
        One title per image.
    cmap : str, default "gray_r"
        Colour map: ink dark on white, as the book draws digits.
    size : float, default 1.0
        Inches per image.
    vmin, vmax : float, optional
        The values drawn with the colour map's ends, the same for every image (e.g.
        ``vmin=-1, vmax=1`` with a diverging map, so that 0 is its middle); by default each
        image is stretched over its own range.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``images`` is not numeric or ``ncols`` is not an int.
    ValueError
        If ``images`` is not 3-D, is empty or not finite, ``ncols < 1``, ``size <= 0``,
        ``titles`` has the wrong length, or ``vmin``/``vmax`` is not finite or
        ``vmin >= vmax``.
    """
    import matplotlib.pyplot as plt

    images = _checks.as_array(images, "images", ndim=3, dtype=None)
    ncols = _checks.as_int(ncols, "ncols", minimum=1)
    size = _checks.as_float(size, "size", above=0.0)
    vmin = None if vmin is None else _checks.as_float(vmin, "vmin")
    vmax = None if vmax is None else _checks.as_float(vmax, "vmax")
    if vmin is not None and vmax is not None and vmin >= vmax:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin} and vmax={vmax}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(
            f"titles must have one entry per image ({len(images)}), got {len(titles)}"
        )
    n = len(images)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows * 1.1), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap=cmap, vmin=vmin, vmax=vmax)
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def loss_contours(
    ax: Any,
    w_grid: np.ndarray,
    b_grid: np.ndarray,
    loss: np.ndarray,
    *,
    levels: int = 25,
    lowest: float | None = None,
    minimum: Sequence[float] | None = None,
    minimum_label: str = "minimum",
    colorbar_label: str = "loss (log scale)",
    colorbar_ticks: Sequence[float] | None = None,
    xlabel: str = "weight w",
    ylabel: str = "bias b",
) -> Any:
    """Filled contours of a loss over a ``(w, b)`` grid, on a log scale, with a colour bar.

    Levels are spaced geometrically from ``lowest`` to the largest loss, so the narrow
    floor of a valley is as visible as its walls; every second level is also drawn as a
    thin white line. Draw optimiser paths on ``ax`` afterwards (``ax.plot(w, b)``).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw; the colour bar takes room from it.
    w_grid, b_grid : numpy.ndarray
        One-dimensional, finite grids of weights (x axis) and biases (y axis).
    loss : numpy.ndarray
        Shape ``(len(b_grid), len(w_grid))``, finite, >= 0, as
        :func:`dlbook.linreg.loss_grid` returns it.
    levels : int, default 25
        Number of contour levels, >= 2.
    lowest : float, optional
        The lowest level, > 0 and below the largest loss (e.g. the minimal loss); by
        default the smallest positive value of ``loss``.
    minimum : pair of float, optional
        ``(w, b)`` of the minimum, marked with a black star.
    minimum_label : str, default "minimum"
        The star's legend label.
    colorbar_label : str, default "loss (log scale)"
        Label of the colour bar: say what the loss is and its unit.
    colorbar_ticks : sequence of float, optional
        Tick values of the colour bar; by default Matplotlib's.
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    matplotlib.contour.QuadContourSet
        The filled contours.

    Raises
    ------
    TypeError
        If ``ax`` is not a Matplotlib axes, an array is not numeric, or ``levels`` is not
        an int.
    ValueError
        If a grid is not 1-D, empty or non-finite, ``loss`` has the wrong shape, is
        negative, non-finite or has no positive value, ``levels < 2``, ``lowest`` is not a
        finite number in (0, max(loss)), or ``minimum`` is not a finite pair.
    """
    from matplotlib.colors import LogNorm

    if not hasattr(ax, "contourf"):
        raise TypeError(f"ax must be a Matplotlib Axes, got {type(ax).__name__}")
    w_grid = _checks.as_array(w_grid, "w_grid", ndim=1)
    b_grid = _checks.as_array(b_grid, "b_grid", ndim=1)
    loss = _checks.as_array(loss, "loss", shape=(b_grid.size, w_grid.size))
    levels = _checks.as_int(levels, "levels", minimum=2)
    if loss.min() < 0:
        raise ValueError(f"loss must be >= 0, got a minimum of {loss.min()}")
    top = float(loss.max())
    if lowest is None:
        if top <= 0:
            raise ValueError("loss has no positive value to draw on a log scale")
        lowest = float(loss[loss > 0].min())
    lowest = _checks.as_float(lowest, "lowest", above=0.0)
    if lowest >= top:
        raise ValueError(f"lowest must be below the largest loss {top}, got {lowest}")
    if minimum is not None:
        minimum = _checks.as_array(minimum, "minimum", shape=(2,))

    bounds = np.geomspace(lowest, top, levels)
    filled = ax.contourf(
        w_grid, b_grid, loss, levels=bounds, cmap="viridis_r", norm=LogNorm(), alpha=0.8
    )
    ax.contour(w_grid, b_grid, loss, levels=bounds[::2], colors="white", linewidths=0.5)
    bar = ax.figure.colorbar(filled, ax=ax, ticks=colorbar_ticks, format="%g")
    bar.set_label(colorbar_label)
    if minimum is not None:
        ax.plot(*minimum, "*", color="k", ms=14, zorder=5, label=minimum_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(False)
    return filled


_PATH_WIDTH = (
    1.1  # an optimiser's path (optimiser_path): thin, so nearby steps stay apart
)

_LINESTYLES = ("-", "--", ":", "-.")


def optimiser_path(
    ax: Any,
    path: np.ndarray,
    *,
    label: str | None = None,
    color: Any = "C0",
    marker: str = "o",
    linestyle: str = "-",
    filled: bool = True,
    every: int = 1,
    joined: int | None = None,
    strokes: bool = False,
    markersize: float = 4.0,
    zorder: float = 3.0,
) -> Any:
    """An optimiser's path over loss contours: a thin line, with a marker every few steps.

    Thousands of steps drawn as one line fill an area: a path that crosses a narrow valley at
    every step becomes a solid wedge, and a path drawn under it disappears. This draws what a
    reader can follow, in one of three ways:

    * by default, a thin line through every iterate, with a marker on every ``every``-th one
      and on the last;
    * with ``joined=k``, the line only for the first ``k`` steps; the later iterates are
      marked (every ``every``-th, and the last) but not joined;
    * with ``strokes=True``, one step in every ``every`` drawn as a segment from the iterate
      it starts at to the one it ends at, both ends marked, and the last iterate marked: for a
      path that zigzags across a valley, where a line through every ``every``-th iterate would
      not be the path at all.

    The line has a thin white edge, so it stays visible on dark and light contours alike, and
    filled markers have a white rim. Tell paths apart by marker, fill and line style as well as
    by colour: the figure then reads in greyscale and for colour-blind readers.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw (for instance over :func:`loss_contours`).
    path : numpy.ndarray
        Shape ``(n, 2)``, finite: the iterates ``(w, b)``, the start first.
    label : str, optional
        Legend label of the returned line.
    color : Matplotlib colour, default "C0"
    marker : str, default "o"
        A Matplotlib marker (``"o"``, ``"s"``, ``"^"``, ``"D"``, ``"x"``, ...).
    linestyle : {"-", "--", ":", "-."}, default "-"
    filled : bool, default True
        Filled markers in the path's colour, or open ones (white inside).
    every : int, default 1
        Mark every ``every``-th iterate (with ``strokes``: draw every ``every``-th step).
    joined : int, optional
        Join only the first ``joined`` steps by a line (0: none); by default all of them.
    strokes : bool, default False
        Draw sampled steps as separate segments (see above); not with ``joined``.
    markersize : float, default 4.0
    zorder : float, default 3.0
        Drawing order: contours are below 3, the minimum's star of :func:`loss_contours` at 5.

    Returns
    -------
    matplotlib.lines.Line2D
        The line that carries ``label``, with the path's line style and marker, for a legend.

    Raises
    ------
    TypeError
        If ``ax`` is not a Matplotlib axes, ``path`` is not numeric, ``label``, ``marker``
        or ``linestyle`` is not a str, ``every`` or ``joined`` not an int, ``filled`` or
        ``strokes`` not a bool, or ``markersize`` or ``zorder`` not a number.
    ValueError
        If ``path`` is not of shape ``(n, 2)``, empty or non-finite, ``color`` is not a
        colour, ``marker`` not a Matplotlib marker, ``linestyle`` not one of the four,
        ``every < 1``, ``joined < 0``, ``markersize`` not positive, ``zorder`` not finite,
        or both ``joined`` and ``strokes`` are given.
    """
    from matplotlib import patheffects
    from matplotlib.colors import is_color_like
    from matplotlib.lines import Line2D

    if not hasattr(ax, "plot"):
        raise TypeError(f"ax must be a Matplotlib Axes, got {type(ax).__name__}")
    path = _checks.as_array(path, "path", shape=(None, 2))
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a str, got {type(label).__name__}")
    if not isinstance(color, (str, tuple)):
        raise TypeError(
            f"color must be a Matplotlib colour (a str or a tuple), got {color!r}"
        )
    if not is_color_like(color):
        raise ValueError(f"color must be a Matplotlib colour, got {color!r}")
    if not isinstance(marker, str):
        raise TypeError(f"marker must be a str, got {type(marker).__name__}")
    if marker not in Line2D.markers or marker in ("", " ", "None", "none"):
        raise ValueError(
            f"marker must be a Matplotlib marker such as 'o' or 's', got {marker!r}"
        )
    linestyle = _checks.as_choice(linestyle, "linestyle", _LINESTYLES)
    filled = _checks.as_bool(filled, "filled")
    every = _checks.as_int(every, "every", minimum=1)
    if joined is not None:
        joined = _checks.as_int(joined, "joined", minimum=0)
    strokes = _checks.as_bool(strokes, "strokes")
    if strokes and joined is not None:
        raise ValueError(
            "give joined or strokes, not both: strokes already leaves steps unjoined"
        )
    markersize = _checks.as_float(markersize, "markersize", above=0.0)
    zorder = _checks.as_float(zorder, "zorder")
    style = {
        "color": color,
        "marker": marker,
        "markersize": markersize,
        "zorder": zorder,
    }
    if marker in Line2D.filled_markers and filled:
        style.update(
            markerfacecolor=color, markeredgecolor="white", markeredgewidth=0.5
        )
    elif marker in Line2D.filled_markers:
        style.update(
            markerfacecolor="white", markeredgecolor=color, markeredgewidth=1.0
        )
    else:  # x, +, |: markers made of lines only
        style.update(markeredgecolor=color, markeredgewidth=1.0)
    halo = patheffects.withStroke(
        linewidth=_PATH_WIDTH + 0.9, foreground="white", alpha=0.6
    )
    line = {"linestyle": linestyle, "linewidth": _PATH_WIDTH, "path_effects": [halo]}
    return _optimiser_path(ax, path, label, every, joined, strokes, style, line)


def _optimiser_path(ax, path, label, every, joined, strokes, style, line) -> Any:
    last = len(path) - 1
    marks = sorted(set(range(0, last + 1, every)) | {last})
    if strokes:
        starts = np.arange(0, last, every)
        gaps = np.full((starts.size, 2), np.nan)
        drawn = np.stack([path[starts], path[starts + 1], gaps], axis=1).reshape(-1, 2)
        (handle,) = ax.plot(drawn[:, 0], drawn[:, 1], label=label, **line, **style)
        rest = [] if last in starts + 1 else [last]
    else:
        stop = last if joined is None else min(joined, last)
        (handle,) = ax.plot(
            path[: stop + 1, 0],
            path[: stop + 1, 1],
            label=label,
            markevery=[i for i in marks if i <= stop],
            **line,
            **style,
        )
        rest = [i for i in marks if i > stop]
    if rest:
        ax.plot(path[rest, 0], path[rest, 1], linestyle="none", **style)
    return handle


def draw_graph(
    ax: Any,
    positions: Mapping[Any, Sequence[float]],
    edges: Sequence[tuple[Any, Any]],
    *,
    node_labels: Mapping[Any, str] | None = None,
    edge_labels: Mapping[tuple[Any, Any], str] | None = None,
    edge_labels_below: Mapping[tuple[Any, Any], str] | None = None,
    node_colors: Mapping[Any, str] | None = None,
    label_at: float = 0.5,
    radius: float = 0.28,
    fontsize: float = 10,
) -> Any:
    """Draw a directed graph: round nodes at given places, arrows with text along them.

    Made for computational graphs (the value flowing forward above each edge, the adjoint
    flowing back below it, in red) and for pictures of small networks
    (:func:`draw_network`). The axes get an equal aspect ratio, so that nodes are round,
    and no frame.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    positions : mapping of node to pair of float
        The centre ``(x, y)`` of every node, in data units (nodes one unit apart leave room
        for short labels). Nodes may be any hashable objects, e.g. ``dlbook.autodiff.Value``.
    edges : sequence of pairs
        ``(source, target)`` for each arrow; both must be in ``positions`` and differ.
    node_labels : mapping of node to str, optional
        Text inside each node (Matplotlib mathtext allowed); by default ``str(node)``.
    edge_labels : mapping of edge to str, optional
        Text on the left of the edge as it runs (above a left-to-right edge).
    edge_labels_below : mapping of edge to str, optional
        Text on the right of the edge as it runs (below a left-to-right edge), in red.
    node_colors : mapping of node to colour, optional
        Fill colour per node; white by default.
    label_at : float, default 0.5
        Where along each edge its labels sit, as a fraction from source to target, in (0, 1).
    radius : float, default 0.28
        Radius of the nodes, in data units, > 0.
    fontsize : float, default 10
        Size of the node labels in points, > 0 (edge labels are 85 % of it).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, for chaining.

    Raises
    ------
    TypeError
        If ``ax`` is not a Matplotlib axes, ``positions`` or a label argument is not a
        mapping, ``edges`` not a sequence of pairs, or a label is not a str.
    ValueError
        If ``positions`` is empty or holds a position that is not a finite pair, an edge
        names an unknown node or joins a node to itself, a label names an unknown node or
        edge, ``label_at`` is outside (0, 1), or ``radius`` or ``fontsize`` is not a finite
        number > 0.
    """
    if not hasattr(ax, "add_patch"):
        raise TypeError(f"ax must be a Matplotlib Axes, got {type(ax).__name__}")
    if not isinstance(positions, Mapping):
        raise TypeError(
            f"positions must be a mapping of node to (x, y), got {type(positions).__name__}"
        )
    if not positions:
        raise ValueError("positions is empty: there is no node to draw")
    where = {
        node: tuple(
            float(v) for v in _checks.as_array(xy, f"positions[{node!r}]", shape=(2,))
        )
        for node, xy in positions.items()
    }
    if isinstance(edges, (str, bytes)) or not isinstance(edges, Sequence):
        raise TypeError(
            f"edges must be a sequence of (source, target) pairs, got {type(edges).__name__}"
        )
    for i, edge in enumerate(edges):
        if not isinstance(edge, tuple) or len(edge) != 2:
            raise TypeError(f"edges[{i}] must be a (source, target) pair, got {edge!r}")
        if edge[0] not in where or edge[1] not in where:
            raise ValueError(f"edges[{i}] joins a node that positions lacks: {edge!r}")
        if edge[0] is edge[1]:
            raise ValueError(f"edges[{i}] joins a node to itself: {edge!r}")
    node_labels = _label_map(node_labels, "node_labels", where)
    edge_labels = _label_map(edge_labels, "edge_labels", set(edges))
    edge_labels_below = _label_map(edge_labels_below, "edge_labels_below", set(edges))
    if node_colors is None:
        node_colors = {}
    if not isinstance(node_colors, Mapping):
        raise TypeError(
            f"node_colors must be a mapping of node to colour, got {type(node_colors).__name__}"
        )
    label_at = _checks.as_float(label_at, "label_at", above=0.0, below=1.0)
    radius = _checks.as_float(radius, "radius", above=0.0)
    fontsize = _checks.as_float(fontsize, "fontsize", above=0.0)
    style = {"label_at": label_at, "radius": radius, "fontsize": fontsize}
    _draw_graph(
        ax,
        where,
        edges,
        node_labels,
        edge_labels,
        edge_labels_below,
        node_colors,
        style,
    )
    return ax


def _label_map(labels: Any, name: str, keys: Any) -> dict[Any, str]:
    if labels is None:
        return {}
    if not isinstance(labels, Mapping):
        raise TypeError(f"{name} must be a mapping, got {type(labels).__name__}")
    for key, text in labels.items():
        if key not in keys:
            raise ValueError(
                f"{name} has a label for {key!r}, which is not in the graph"
            )
        if not isinstance(text, str):
            raise TypeError(f"{name}[{key!r}] must be a str, got {type(text).__name__}")
    return dict(labels)


def _draw_graph(ax, where, edges, node_labels, above, below, colors, style) -> None:
    from matplotlib.patches import Circle, FancyArrowPatch
    from matplotlib.transforms import offset_copy

    radius, size = style["radius"], style["fontsize"]
    for node, (x, y) in where.items():
        circle = Circle(
            (x, y), radius, facecolor=colors.get(node, "white"), edgecolor="0.2"
        )
        ax.add_patch(circle).set_zorder(3)
        ax.text(x, y, node_labels.get(node, str(node)), ha="center", va="center", fontsize=size,
                zorder=4)  # fmt: skip
    for edge in edges:
        (x0, y0), (x1, y1) = where[edge[0]], where[edge[1]]
        ux, uy = np.array([x1 - x0, y1 - y0]) / np.hypot(x1 - x0, y1 - y0)
        ends = (
            (x0 + radius * ux, y0 + radius * uy),
            (x1 - radius * ux, y1 - radius * uy),
        )
        arrow = FancyArrowPatch(*ends, arrowstyle="-|>", mutation_scale=11, color="0.4")
        ax.add_patch(arrow).set_zorder(2)
        at = (x0 + style["label_at"] * (x1 - x0), y0 + style["label_at"] * (y1 - y0))
        angle = float(np.degrees(np.arctan2(uy, ux)))
        for text, va, colour, side in ((above.get(edge), "bottom", "black", 1.5),
                                       (below.get(edge), "top", "tab:red", -1.5)):  # fmt: skip
            if text:  # 1.5 points off the line, on its left or its right
                shift = offset_copy(
                    ax.transData, ax.figure, -side * uy, side * ux, units="points"
                )
                ax.text(*at, text, ha="center", va=va, rotation=angle, rotation_mode="anchor",
                        fontsize=0.85 * size, color=colour, zorder=4, transform=shift)  # fmt: skip
    xs, ys = zip(*where.values(), strict=True)
    ax.set_xlim(min(xs) - 2 * radius, max(xs) + 2 * radius)
    ax.set_ylim(min(ys) - 2 * radius, max(ys) + 2 * radius)
    ax.set_aspect("equal")
    ax.axis("off")


def _str_list(value: Any, name: str, length: int) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence, got {type(value).__name__}")
    if len(value) != length:
        raise ValueError(f"{name} must have {length} entries, got {len(value)}")
    return list(value)


def _str_entries(value: Any, name: str, length: int) -> list[str]:
    entries = _str_list(value, name, length)
    for i, text in enumerate(entries):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{i}] must be a str, got {type(text).__name__}")
    return entries


def draw_network(
    ax: Any,
    sizes: Sequence[int],
    *,
    weight_labels: Sequence[Sequence[Sequence[str]]] | None = None,
    unit_labels: Sequence[Sequence[str]] | None = None,
    layer_names: Sequence[str] | None = None,
    label_at: float = 0.3,
    fontsize: float = 10,
) -> Any:
    r"""Draw a small fully connected network: units in columns, a weight on every arrow.

    Layer ``l`` is a column of ``sizes[l]`` units, and every unit is joined to every unit of
    the next layer by an arrow labelled with its weight. The labels follow the book's row
    convention ``z = a W + b``: entry ``W[i, j]`` of layer ``l`` carries unit ``i`` of layer
    ``l - 1`` to unit ``j`` of layer ``l``, written :math:`W^{(l)}_{ij}` by default.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    sizes : sequence of int
        Units per layer, input first: at least two layers of 1 to 8 units.
    weight_labels : sequence of tables of str, optional
        For each pair of consecutive layers, a ``sizes[l]`` by ``sizes[l + 1]`` table (rows
        of str), e.g. the weights as text; by default the symbols :math:`W^{(l)}_{ij}`.
    unit_labels : sequence of sequences of str, optional
        One label per unit of each layer; by default :math:`x_i` for the inputs,
        :math:`h_j` (:math:`h^{(l)}_j` with several hidden layers) for hidden units and
        :math:`\hat y` (:math:`\hat y_k`) for the outputs.
    layer_names : sequence of str, optional
        A caption under each column; by default "input layer", "hidden layer", "output
        layer".
    label_at : float, default 0.3
        Where along each arrow its weight sits, as a fraction from its source, in (0, 1).
    fontsize : float, default 10
        Size of the unit labels in points, > 0.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, for chaining.

    Raises
    ------
    TypeError
        If ``ax`` is not a Matplotlib axes, ``sizes`` not a sequence of ints, a label
        argument not a sequence or a label not a str.
    ValueError
        If there are fewer than two layers, a layer has fewer than 1 or more than 8 units,
        a label argument has the wrong number of entries, or ``label_at`` or ``fontsize``
        is out of range.
    """
    if not hasattr(ax, "add_patch"):
        raise TypeError(f"ax must be a Matplotlib Axes, got {type(ax).__name__}")
    sizes = _checks.as_ints(sizes, "sizes", minimum=1, min_length=2)
    if max(sizes) > 8:
        raise ValueError(
            f"sizes must have at most 8 units per layer to stay legible, got {sizes}"
        )
    depth = len(sizes) - 1
    if unit_labels is None:
        unit_labels = _default_unit_labels(sizes)
    units = _str_list(unit_labels, "unit_labels", len(sizes))
    for layer, n in enumerate(sizes):
        _str_entries(units[layer], f"unit_labels[{layer}]", n)
    if weight_labels is None:
        weight_labels = [
            [[f"$W^{{({layer + 1})}}_{{{i + 1}{j + 1}}}$" for j in range(sizes[layer + 1])]
             for i in range(sizes[layer])]
            for layer in range(depth)
        ]  # fmt: skip
    tables = _str_list(weight_labels, "weight_labels", depth)
    for layer in range(depth):
        rows = _str_list(tables[layer], f"weight_labels[{layer}]", sizes[layer])
        for i, row in enumerate(rows):
            _str_entries(row, f"weight_labels[{layer}][{i}]", sizes[layer + 1])
    if layer_names is None:
        hidden = (
            ["hidden layer"]
            if depth == 2
            else [f"hidden layer {k}" for k in range(1, depth)]
        )
        layer_names = ["input layer", *hidden, "output layer"]
    names = _str_entries(layer_names, "layer_names", len(sizes))
    label_at = _checks.as_float(label_at, "label_at", above=0.0, below=1.0)
    fontsize = _checks.as_float(fontsize, "fontsize", above=0.0)
    _draw_network(ax, sizes, tables, units, names, label_at, fontsize)
    return ax


def _default_unit_labels(sizes: Sequence[int]) -> list[list[str]]:
    depth = len(sizes) - 1
    labels = [[f"$x_{{{i + 1}}}$" for i in range(sizes[0])]]
    for layer in range(1, depth):
        tag = f"^{{({layer})}}" if depth > 2 else ""
        labels.append([f"$h{tag}_{{{j + 1}}}$" for j in range(sizes[layer])])
    outputs = (
        ["$\\hat y$"]
        if sizes[-1] == 1
        else [f"$\\hat y_{{{k + 1}}}$" for k in range(sizes[-1])]
    )
    return [*labels, outputs]


def _draw_network(ax, sizes, tables, units, names, label_at, fontsize) -> None:
    gap = 2.0  # horizontal distance between layers, in units of the vertical one
    positions, labels, colours, edges, weights = {}, {}, {}, [], {}
    for layer, n in enumerate(sizes):
        colour = (
            "0.85"
            if layer == 0
            else "#fdbf6f"
            if layer == len(sizes) - 1
            else "#a6cee3"
        )
        for unit in range(n):
            positions[layer, unit] = (gap * layer, (n - 1) / 2 - unit)
            labels[layer, unit] = units[layer][unit]
            colours[layer, unit] = colour
    for layer in range(len(sizes) - 1):
        for i in range(sizes[layer]):
            for j in range(sizes[layer + 1]):
                edges.append(((layer, i), (layer + 1, j)))
                weights[edges[-1]] = tables[layer][i][j]
    style = {"label_at": label_at, "radius": 0.3, "fontsize": fontsize}
    _draw_graph(ax, positions, edges, labels, weights, {}, colours, style)
    bottom = min(y for _, y in positions.values()) - 0.55
    for layer, name in enumerate(names):
        ax.text(
            gap * layer, bottom, name, ha="center", va="top", fontsize=0.9 * fontsize
        )
    ax.set_ylim(bottom - 0.5, ax.get_ylim()[1])


def accuracy_intervals(
    ax: Any,
    accuracies: Mapping[str, float],
    intervals: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "test accuracy (%)",
    colors: Mapping[str, str] | None = None,
) -> Any:
    """Dot-and-whisker chart: one row per model, a dot at its accuracy, a bar over its interval.

    Accuracies are drawn in percent, the first entry at the top. Two bars that do not
    overlap show a clear difference; overlapping bars do not show that there is none (two
    models scored on the same examples are better compared with
    :func:`dlbook.evaluation.mcnemar`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    accuracies : mapping of str to float
        Label -> accuracy in [0, 1]; at least one.
    intervals : mapping of str to pair of float
        Label -> ``(low, high)`` in [0, 1] around the accuracy, e.g. from
        :func:`dlbook.evaluation.accuracy_interval`; the same labels as ``accuracies``.
    xlabel : str, default "test accuracy (%)"
        Axis label: say which data the accuracies are measured on.
    colors : mapping of str to str, optional
        Matplotlib colour per label; labels not named are drawn in black.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, for chaining.

    Raises
    ------
    TypeError
        If ``ax`` is not a Matplotlib axes, a mapping is not a mapping, or a value is not
        a number.
    ValueError
        If ``accuracies`` is empty, the labels of the two mappings differ, a value is not
        finite or lies outside [0, 1], an interval is not a pair or does not contain its
        accuracy, or ``colors`` names a label that ``accuracies`` lacks.
    """
    if not hasattr(ax, "errorbar"):
        raise TypeError(f"ax must be a Matplotlib Axes, got {type(ax).__name__}")
    colors = {} if colors is None else colors
    for name, value in (
        ("accuracies", accuracies),
        ("intervals", intervals),
        ("colors", colors),
    ):
        if not isinstance(value, Mapping):
            raise TypeError(
                f"{name} must be a mapping keyed by label, got {type(value).__name__}"
            )
    if not accuracies:
        raise ValueError("accuracies is empty")
    if set(intervals) != set(accuracies):
        raise ValueError(
            f"intervals must have the labels of accuracies: {sorted(accuracies)}, "
            f"got {sorted(intervals)}"
        )
    if set(colors) - set(accuracies):
        raise ValueError(
            f"colors names labels accuracies lacks: {sorted(set(colors) - set(accuracies))}"
        )
    for row, (label, acc) in enumerate(accuracies.items()):
        acc = _checks.as_float(acc, f"accuracies[{label!r}]", minimum=0.0, maximum=1.0)
        low, high = _checks.as_array(
            intervals[label], f"intervals[{label!r}]", shape=(2,)
        )
        if not 0.0 <= low <= acc <= high <= 1.0:
            raise ValueError(
                f"intervals[{label!r}] = ({low}, {high}) must lie in [0, 1] and contain the "
                f"accuracy {acc}"
            )
        color = colors.get(label, "black")
        ax.errorbar(100 * acc, -row, xerr=[[100 * (acc - low)], [100 * (high - acc)]],
                    fmt="o", color=color, capsize=4, markersize=6)  # fmt: skip
    ax.set_yticks(-np.arange(len(accuracies)), list(accuracies))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    return ax


# Matplotlib's player draws its buttons with Font Awesome 4 icons loaded from a CDN; offline (and
# for screen readers) they are blank. These characters need no font download.
_ICONS = {
    "fa fa-minus": "−",
    "fa fa-fast-backward": "⏮",
    "fa fa-step-backward": "⏪",
    "fa fa-play fa-flip-horizontal": "◀",
    "fa fa-pause": "⏸",
    "fa fa-play": "▶",
    "fa fa-step-forward": "⏩",
    "fa fa-fast-forward": "⏭",
    "fa fa-plus": "+",
}


def animation_html(animation: Any, alt: str, **jshtml_kwargs: Any) -> str:
    """Render a Matplotlib animation as self-contained, accessible HTML.

    Wraps ``animation.to_jshtml()``: every frame is embedded in the page (no external
    player), the Font Awesome stylesheet that Matplotlib loads from a CDN is removed and its
    icons replaced by plain characters, the frame image gets ``alt`` text and the frame
    slider an accessible label.

    Parameters
    ----------
    animation : matplotlib.animation.Animation
        The animation, e.g. a ``FuncAnimation``.
    alt : str
        What the animation shows, for readers who cannot see it (at least 12 characters).
    **jshtml_kwargs
        Passed on to ``to_jshtml`` (``fps``, ``default_mode``, ``embed_frames``).

    Returns
    -------
    str
        HTML to display with ``IPython.display.HTML``.

    Raises
    ------
    TypeError
        If ``animation`` has no ``to_jshtml`` method.
    ValueError
        If ``alt`` is shorter than 12 characters or contains a double quote.
    """
    if not hasattr(animation, "to_jshtml"):
        raise TypeError(
            f"animation must be a Matplotlib animation, got {type(animation).__name__}"
        )
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str, got {type(alt).__name__}")
    if len(alt.strip()) < 12 or '"' in alt:
        raise ValueError(
            "alt must describe the animation in at least 12 characters, without '\"'"
        )
    html = animation.to_jshtml(**jshtml_kwargs)
    html = re.sub(r"<link[^>]*font-awesome[^>]*>", "", html)
    for css_class, char in _ICONS.items():
        html = html.replace(
            f'<i class="{css_class}"></i>', f'<span aria-hidden="true">{char}</span>'
        )
    # Valid HTML: no <style> in the body (the player's few rules are in the book's dlbook.css),
    # and the frame <img> gets a placeholder src until the player's script sets the first frame.
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(
        r'<img id="(_anim_img\w+)"', rf'<img id="\1" src="data:," alt="{alt}"', html
    )
    html = re.sub(
        r'<input id="(_anim_slider\w+)"',
        r'<input id="\1" aria-label="Animation frame"',
        html,
    )
    return html
