"""What a network looks like inside: the spread of each layer's activations and gradients.

At initialisation, before any training, these numbers say whether a signal can pass through
the network at all. If the spread of the activations grows or shrinks by a constant factor
per layer, a deep network's last layers see numbers that are astronomically large or
indistinguishable from zero; if the gradient's size shrinks per layer on the way back (a
sigmoid's slope is at most 1/4), the first layers hardly learn. :func:`activation_spread`
and :func:`gradient_norms` measure both for a :class:`dlbook.numpy_nn.MLP`.
"""

from __future__ import annotations

import numpy as np

from . import _checks
from .numpy_nn import (
    LOSSES,
    MLP,
    _checked_batch,
    _forward,
    _loss_and_gradient,
    _param_views,
)

__all__ = ["activation_spread", "gradient_norms"]


def _activation_spread(net: MLP, x: np.ndarray) -> list[float]:
    _, activations = _forward(net, x)  # the input, then each hidden layer's output
    return [float(a.std()) for a in activations[1:]]


def activation_spread(net: MLP, x: np.ndarray) -> list[float]:
    """Standard deviation of each hidden layer's activations on a batch of inputs.

    Parameters
    ----------
    net : dlbook.numpy_nn.MLP
        The network, e.g. just initialised.
    x : numpy.ndarray
        Float inputs of shape ``(n, sizes[0])``, finite, n >= 1.

    Returns
    -------
    list of float
        One value per hidden layer, input side first: the standard deviation of all its
        activations over the batch (all units and samples together).

    Raises
    ------
    TypeError
        If ``net`` is not an MLP or ``x`` not a float array.
    ValueError
        If ``x`` has the wrong shape, is empty or holds nan or inf.
    """
    x, _ = _checked_batch(net, x)
    return _activation_spread(net, x)


def _gradient_norms(net: MLP, x: np.ndarray, y: np.ndarray, loss: str) -> list[float]:
    _, grad = _loss_and_gradient(net, x, y, loss)
    grad_w, _ = _param_views(grad, net.sizes)
    return [float(np.linalg.norm(g)) for g in grad_w]  # size of dL/dW, layer by layer


def gradient_norms(
    net: MLP, x: np.ndarray, y: np.ndarray, *, loss: str = "cross_entropy"
) -> list[float]:
    """Size of the loss gradient of each weight matrix: ``||dL/dW||`` layer by layer.

    Parameters
    ----------
    net : dlbook.numpy_nn.MLP
        The network.
    x, y : numpy.ndarray
        A mini-batch, as for :func:`dlbook.numpy_nn.loss_and_gradient`.
    loss : str, default "cross_entropy"
        ``"cross_entropy"`` or ``"mse"``.

    Returns
    -------
    list of float
        The Frobenius norm of ``dL/dW`` of each layer, input side first (the output
        layer last).

    Raises
    ------
    TypeError, ValueError
        As :func:`dlbook.numpy_nn.loss_and_gradient`.
    """
    loss = _checks.as_choice(loss, "loss", LOSSES)
    x, y = _checked_batch(net, x, y, loss)
    return _gradient_norms(net, x, y, loss)
