"""Signs of life for long work: progress lines when a learner runs a chapter, silence in the book.

A chapter run in JupyterLab (on Binder or at home) should show each training run advancing,
epoch by epoch, with its loss; the built pages must not carry those lines. The book's build
sets ``DLBOOK_QUIET=1`` in its own environment (``_ext/dlbook_guard.py``), which the kernels
it starts inherit; everywhere else progress is shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from . import _checks

__all__ = ["QUIET_ENV", "epoch_line", "keras_verbosity", "show_progress"]

QUIET_ENV = "DLBOOK_QUIET"
"""Environment variable that silences progress when set to ``1`` (the book's build sets it)."""


def show_progress() -> bool:
    """Whether long work should report its progress (False inside the book's build).

    Returns
    -------
    bool
        False when the environment variable :data:`QUIET_ENV` is ``1``, ``true`` or ``yes``.
    """
    return os.environ.get(QUIET_ENV, "").strip().lower() not in ("1", "true", "yes")


def keras_verbosity() -> int:
    """The ``verbose`` argument for Keras's ``fit``: one line per epoch, or nothing in the build.

    Returns
    -------
    int
        2 (a line per epoch with its loss and metrics) when :func:`show_progress`, else 0.
    """
    return 2 if show_progress() else 0


def epoch_line(epoch: int, epochs: int, metrics: Mapping[str, float]) -> str:
    """One progress line, e.g. ``epoch 3/8: loss 0.1234, val_accuracy 0.9712``.

    Parameters
    ----------
    epoch : int
        The epoch just finished, from 1.
    epochs : int
        How many epochs the run has, at least ``epoch``.
    metrics : mapping of str to float
        Names and values to show, in order.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``metrics`` is not a mapping or an epoch count is not an int.
    ValueError
        If ``epoch`` is not in ``1..epochs``.
    """
    epochs = _checks.as_int(epochs, "epochs", minimum=1)
    epoch = _checks.as_int(epoch, "epoch", minimum=1, maximum=epochs)
    if not isinstance(metrics, Mapping):
        raise TypeError(
            f"metrics must be a mapping of name to value, got {type(metrics).__name__}"
        )
    shown = ", ".join(f"{name} {float(value):.4g}" for name, value in metrics.items())
    return f"epoch {epoch}/{epochs}: {shown}" if shown else f"epoch {epoch}/{epochs}"
