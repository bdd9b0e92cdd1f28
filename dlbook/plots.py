"""Figures for every chapter: one house style, the recurring kinds of plot, and accessible,
self-contained animations.

Every chapter calls :func:`use_house_style` once; the figures that recur (training curves,
image grids) are functions here, so a folded figure cell on a page stays short and its
code is one click away on the API page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _checks

__all__ = ["HOUSE_STYLE", "animation_html", "image_grid", "training_curves", "use_house_style"]

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

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, for chaining.

    Raises
    ------
    TypeError
        If ``curves`` is not a mapping or ``logy`` is not a bool.
    ValueError
        If ``curves`` is empty or a curve is empty or not finite.
    """
    if not isinstance(curves, Mapping):
        raise TypeError(f"curves must be a mapping of label to values, got {type(curves).__name__}")
    if not curves:
        raise ValueError("curves is empty")
    start = _checks.as_int(start, "start")
    logy = _checks.as_bool(logy, "logy")
    for label, values in curves.items():
        y = _checks.as_array(values, f"curves[{label!r}]", ndim=1)
        ax.plot(
            np.arange(start, start + y.size),
            y,
            marker="o" if y.size <= 30 else None,
            markersize=3,
            label=label,
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

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``images`` is not numeric or ``ncols`` is not an int.
    ValueError
        If ``images`` is not 3-D, is empty or not finite, ``ncols < 1``, ``size <= 0``,
        or ``titles`` has the wrong length.
    """
    import matplotlib.pyplot as plt

    images = _checks.as_array(images, "images", ndim=3, dtype=None)
    ncols = _checks.as_int(ncols, "ncols", minimum=1)
    size = _checks.as_float(size, "size", above=0.0)
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
            ax.imshow(images[i], cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


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
