"""Figures for every chapter: one house style, the recurring kinds of plot, and accessible,
self-contained animations.

Every chapter calls :func:`use_house_style` once; the figures that recur (training curves,
image grids, loss contours) are functions here, so a folded figure cell on a page stays short
and its code is one click away on the API page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _checks

__all__ = [
    "HOUSE_STYLE",
    "animation_html",
    "image_grid",
    "loss_contours",
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
        raise TypeError(f"curves must be a mapping of label to values, got {type(curves).__name__}")
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
        raise ValueError(f"titles must have one entry per image ({len(images)}), got {len(titles)}")
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
        raise TypeError(f"animation must be a Matplotlib animation, got {type(animation).__name__}")
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str, got {type(alt).__name__}")
    if len(alt.strip()) < 12 or '"' in alt:
        raise ValueError("alt must describe the animation in at least 12 characters, without '\"'")
    html = animation.to_jshtml(**jshtml_kwargs)
    html = re.sub(r"<link[^>]*font-awesome[^>]*>", "", html)
    for css_class, char in _ICONS.items():
        html = html.replace(
            f'<i class="{css_class}"></i>', f'<span aria-hidden="true">{char}</span>'
        )
    html = re.sub(r'<img id="(_anim_img\w+)"', rf'<img id="\1" alt="{alt}"', html)
    html = re.sub(
        r'<input id="(_anim_slider\w+)"', r'<input id="\1" aria-label="Animation frame"', html
    )
    return html
