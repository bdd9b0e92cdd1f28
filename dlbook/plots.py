"""Figures that work for every reader: accessible, self-contained animations."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["animation_html"]

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
    if not isinstance(alt, str) or len(alt.strip()) < 12 or '"' in alt:
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
