"""Is a backward pass right? Finite differences and TensorFlow's automatic differentiation.

A bug in a backward pass rarely crashes anything: the network just learns worse. Two
independent references catch it: central differences, one parameter at a time
(:func:`numerical_gradient`, :func:`gradient_check`), and the same loss written with
TensorFlow operations under a ``tf.GradientTape`` (:func:`tensorflow_gradient`).
:func:`compare_gradients` and :func:`relative_error` say how far two gradients differ.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import _checks
from .numpy_nn import (
    _LOSSES,
    LOSSES,
    MLP,
    _checked_batch,
    _checked_net,
    _forward,
    _loss_and_gradient,
    _param_views,
)

__all__ = [
    "compare_gradients",
    "gradient_check",
    "numerical_gradient",
    "relative_error",
    "tensorflow_gradient",
]


def _numerical_gradient(
    loss_at: Callable[[], float], params: np.ndarray, eps: float, indices: np.ndarray
) -> np.ndarray:
    # move each chosen entry by +-eps in turn; loss_at() gives the loss there
    grad = np.empty(len(indices), dtype=params.dtype)
    for j, i in enumerate(indices):
        old = params[i]
        params[i] = old + eps
        plus = loss_at()  # one forward pass
        params[i] = old - eps
        minus = loss_at()  # and another, for every single parameter
        params[i] = old
        grad[j] = (plus - minus) / (2 * eps)
    return grad


def _checked_float64(
    net, x, y, loss, eps
) -> tuple[MLP, np.ndarray, np.ndarray, str, float]:
    """Checked arguments, with a float64 copy of ``net`` and ``x`` (rounding well below eps**2)."""
    loss = _checks.as_choice(loss, "loss", LOSSES)
    eps = _checks.as_float(eps, "eps", above=0.0)
    net64 = _checked_net(net).astype(np.float64)
    x64, y64 = _checked_batch(net64, x, y, loss)
    return net64, x64, y64, loss, eps


def _network_gradient(
    net64: MLP, x64, y64, loss: str, eps: float, indices=None
) -> np.ndarray:
    loss_fn = _LOSSES[loss]
    indices = np.arange(net64.params.size) if indices is None else indices
    return _numerical_gradient(
        lambda: loss_fn(_forward(net64, x64)[0], y64)[0], net64.params, eps, indices
    )


def numerical_gradient(
    net: MLP,
    x: np.ndarray,
    y: np.ndarray,
    *,
    loss: str = "cross_entropy",
    eps: float = 1e-6,
    indices: np.ndarray | None = None,
) -> np.ndarray:
    """Gradient by central differences, one parameter at a time (slow; for checks).

    ``dL/dp ~ (L(p + eps) - L(p - eps)) / (2 eps)``, computed in float64 on a copy of
    the network, so ``net`` is left as it was.

    Parameters
    ----------
    net : dlbook.numpy_nn.MLP
        The network (small: every parameter costs two forward passes).
    x, y : numpy.ndarray
        A mini-batch, as for :func:`dlbook.numpy_nn.loss_and_gradient`.
    loss : str, default "cross_entropy"
        ``"cross_entropy"`` or ``"mse"``.
    eps : float, default 1e-6
        The step, a finite number > 0.
    indices : numpy.ndarray, optional
        Positions in the flat ``net.params`` (1-D ints in ``[0, net.num_params)``) of the
        parameters to differentiate; by default all of them.

    Returns
    -------
    numpy.ndarray
        float64 partial derivatives: laid out like ``net.params`` by default, else one per
        entry of ``indices``, in their order.

    Raises
    ------
    TypeError, ValueError
        As :func:`dlbook.numpy_nn.loss_and_gradient`, if ``eps`` is not a finite
        number > 0, or if ``indices`` is not a non-empty 1-D integer array of positions
        in range.
    """
    net64, x64, y64, loss, eps = _checked_float64(net, x, y, loss, eps)
    if indices is not None:
        indices = _checks.as_array(
            indices, "indices", ndim=1, kind="int", dtype=np.int64
        )
        if indices.min() < 0 or indices.max() >= net64.num_params:
            raise ValueError(
                f"indices must be positions in [0, {net64.num_params}), "
                f"got {indices.min()} to {indices.max()}"
            )
    return _network_gradient(net64, x64, y64, loss, eps, indices)


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(float(np.linalg.norm(a) + np.linalg.norm(b)), 1e-300)
    return float(np.linalg.norm(a - b) / scale)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Relative difference of two arrays, ``||a - b|| / max(||a|| + ||b||, 1e-300)``.

    Parameters
    ----------
    a, b : numpy.ndarray
        Finite real arrays of the same shape (no broadcasting).

    Returns
    -------
    float
        0 for identical arrays, at most 1.

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If the shapes differ, or an array is empty or holds nan or inf.
    """
    a = _checks.as_array(a, "a")
    b = _checks.as_array(b, "b", shape=a.shape)
    return _relative_error(a, b)


def _compare_gradients(sizes, a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    wa, ba = _param_views(a, sizes)
    wb, bb = _param_views(b, sizes)
    errors = {}
    for layer in range(len(wa)):
        errors[f"W{layer + 1}"] = _relative_error(wa[layer], wb[layer])
        errors[f"b{layer + 1}"] = _relative_error(ba[layer], bb[layer])
    return errors


def compare_gradients(net: MLP, a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """:func:`relative_error` of two flat gradients, weight matrix by bias vector.

    Parameters
    ----------
    net : dlbook.numpy_nn.MLP
        The network both gradients belong to (it gives their layout).
    a, b : numpy.ndarray
        Flat finite gradients laid out like ``net.params``.

    Returns
    -------
    dict of str to float
        The relative error of each weight matrix (``"W1"``, ...) and bias vector
        (``"b1"``, ...).

    Raises
    ------
    TypeError
        If ``net`` is not an MLP or a gradient is not numeric.
    ValueError
        If a gradient's shape differs from ``net.params`` or it holds nan or inf.
    """
    net = _checked_net(net)
    a = _checks.as_array(a, "a", shape=net.params.shape)
    b = _checks.as_array(b, "b", shape=net.params.shape)
    return _compare_gradients(net.sizes, a, b)


def gradient_check(
    net: MLP,
    x: np.ndarray,
    y: np.ndarray,
    *,
    loss: str = "cross_entropy",
    eps: float = 1e-6,
) -> dict[str, float]:
    """Compare backpropagation with central differences, parameter array by array.

    Both are computed in float64 on a copy of the network.

    Parameters
    ----------
    net : dlbook.numpy_nn.MLP
        A small network (the numerical gradient costs two forward passes per parameter).
    x, y : numpy.ndarray
        A mini-batch, as for :func:`dlbook.numpy_nn.loss_and_gradient`.
    loss : str, default "cross_entropy"
        ``"cross_entropy"`` or ``"mse"``.
    eps : float, default 1e-6
        Finite-difference step, a finite number > 0.

    Returns
    -------
    dict of str to float
        :func:`relative_error` of each weight matrix (``"W1"``, ...) and bias
        vector (``"b1"``, ...).

    Raises
    ------
    TypeError, ValueError
        As :func:`numerical_gradient`.
    """
    net64, x64, y64, loss, eps = _checked_float64(net, x, y, loss, eps)
    _, analytic = _loss_and_gradient(net64, x64, y64, loss)
    numeric = _network_gradient(net64, x64, y64, loss, eps)
    return _compare_gradients(net64.sizes, analytic, numeric)


def _tensorflow_gradient(net: MLP, x: np.ndarray, y: np.ndarray, loss: str):
    from dlbook.repro import import_tensorflow

    tf = import_tensorflow()
    weights = [tf.Variable(w) for w in net.weights]
    biases = [tf.Variable(b) for b in net.biases]
    act = tf.nn.relu if net.activation == "relu" else tf.sigmoid
    with tf.GradientTape() as tape:
        a = tf.constant(x)
        for w, b in zip(weights[:-1], biases[:-1], strict=True):
            a = act(tf.matmul(a, w) + b)
        outputs = tf.matmul(a, weights[-1]) + biases[-1]
        if loss == "cross_entropy":
            per_sample = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=y, logits=outputs
            )
            value = tf.reduce_mean(per_sample)
        else:
            value = 0.5 * tf.reduce_sum(tf.square(outputs - y)) / x.shape[0]
    grads = tape.gradient(
        value, [v for pair in zip(weights, biases, strict=True) for v in pair]
    )
    flat = np.concatenate([g.numpy().ravel() for g in grads]).astype(net.params.dtype)
    return float(value.numpy()), flat


def tensorflow_gradient(
    net: MLP, x: np.ndarray, y: np.ndarray, *, loss: str = "cross_entropy"
) -> tuple[float, np.ndarray]:
    """The same loss and gradient computed by TensorFlow's automatic differentiation.

    The network's weights become ``tf.Variable`` s (in the network's dtype), the
    forward pass is rewritten with TensorFlow operations under a
    ``tf.GradientTape``, and the tape's gradients are laid out like ``net.params``.

    Parameters
    ----------
    net : dlbook.numpy_nn.MLP
        The network; use float64 for a tight comparison.
    x, y : numpy.ndarray
        A mini-batch, as for :func:`dlbook.numpy_nn.loss_and_gradient`.
    loss : str, default "cross_entropy"
        ``"cross_entropy"`` or ``"mse"``.

    Returns
    -------
    loss : float
        TensorFlow's mean loss.
    grad : numpy.ndarray
        Flat gradient laid out like ``net.params``.

    Raises
    ------
    TypeError, ValueError
        As :func:`dlbook.numpy_nn.loss_and_gradient`.
    """
    loss = _checks.as_choice(loss, "loss", LOSSES)
    x, y = _checked_batch(net, x, y, loss)
    return _tensorflow_gradient(net, x, y, loss)
