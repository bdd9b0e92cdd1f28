"""Glue for the book, figures for the learner: the chapters' one ``glue`` function.

Inside the book's build (``DLBOOK_QUIET=1``, see :mod:`dlbook.progress`) :func:`glue` is
myst-nb's ``glue``, unchanged: the value is stored in the notebook for the page to paste.
Anywhere else (a chapter opened in JupyterLab, on Binder or in the browser) there is no page
to paste into: a figure is shown under the cell that drew it, as the page shows it, and a
number or a sentence does nothing (the learner notebook already has it in its prose).
"""

from __future__ import annotations

from typing import Any

from . import _checks, progress

__all__ = ["glue", "shows_outside_the_book"]


def shows_outside_the_book(value: Any) -> bool:
    """Whether :func:`glue` displays ``value`` outside the book's build.

    Parameters
    ----------
    value : object
        A glued value.

    Returns
    -------
    bool
        True for a Matplotlib figure and for IPython display objects other than Markdown
        (HTML, an image); False for numbers, strings and Markdown sentences, which a learner
        notebook already shows in its prose.
    """
    from IPython.display import DisplayObject, Markdown
    from matplotlib.figure import Figure

    if isinstance(value, Figure):
        return True
    return isinstance(value, DisplayObject) and not isinstance(value, Markdown)


def glue(name: str, value: Any, display: bool = True) -> None:
    """Glue ``value`` under ``name`` in the book; show it where a learner runs the chapter.

    Parameters
    ----------
    name : str
        The name under which the chapter's prose pastes the value (a glue role or directive).
    value : object
        The value: a plain ``float``/``int``/``str``, a Markdown sentence, a figure.
    display : bool, optional
        Passed to myst-nb inside the build: also show the value where it was glued.

    Raises
    ------
    TypeError
        If ``name`` is not a str or ``display`` not a bool.
    ValueError
        If ``name`` is empty.

    Notes
    -----
    Outside the build a figure is displayed at once, so the usual ``plt.close(fig)`` after
    gluing keeps it (it only stops the inline backend from drawing it a second time).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if not name:
        raise ValueError("name must not be empty")
    display = _checks.as_bool(display, "display")
    if not progress.show_progress():
        from myst_nb import glue as myst_glue

        myst_glue(name, value, display=display)
    elif shows_outside_the_book(value):
        from IPython.display import display as ipython_display

        ipython_display(value)
