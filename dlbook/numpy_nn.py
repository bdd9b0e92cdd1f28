"""A multilayer perceptron in plain NumPy: forward pass, losses, backward pass, training.

Everything a reader needs to hold in their head is here: dense layers with a
sigmoid or ReLU activation, a softmax cross-entropy (or mean-squared-error)
loss, backpropagation over a whole mini-batch and a training loop that returns
its history as plain lists. The optimisers live in :mod:`dlbook.optim`, the
gradient checks in :mod:`dlbook.gradcheck`, the BLAS-thread helper in
:mod:`dlbook.timing` and accuracy in :mod:`dlbook.evaluation`.

All parameters of a network live in one flat 1-D array; the weight matrices and
bias vectors are views into it. The gradient has the same layout, so an
optimiser updates every parameter with a handful of whole-array operations.

Each public function checks its arguments (:mod:`dlbook._checks`) and calls a
short unchecked core (``_forward``, ``_backward``, ...), which is what the
chapter shows and what the training loop calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from . import _checks
from .evaluation import accuracy
from .optim import Optimizer, _minibatches
from .progress import epoch_line, show_progress

__all__ = [
    "INITS",
    "MLP",
    "backward",
    "cross_entropy_loss",
    "forward",
    "init_mlp",
    "loss_and_gradient",
    "mse_loss",
    "param_views",
    "predict",
    "sigmoid",
    "softmax",
    "train",
]

ACTIVATIONS = ("sigmoid", "relu")
LOSSES = ("cross_entropy", "mse")
INITS = ("normal", "lecun", "glorot", "he")
"""The weight initialisations :func:`init_mlp` knows, by the name of their inventors."""


# --------------------------------------------------------------------------- the network


def _layer_sizes(sizes: Any) -> tuple[int, ...]:
    """``sizes`` as a tuple of at least two ints >= 1 (checked)."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise TypeError(
            f"sizes must be a sequence of layer widths such as (784, 128, 10), "
            f"got {type(sizes).__name__}"
        )
    if len(sizes) < 2:
        raise ValueError(
            f"sizes needs an input and an output width, got {tuple(sizes)!r}"
        )
    return tuple(
        _checks.as_int(s, f"sizes[{i}]", minimum=1) for i, s in enumerate(sizes)
    )


def _num_params(sizes: Sequence[int]) -> int:
    return sum(m * n + n for m, n in pairwise(sizes))


def _float_dtype(dtype: Any) -> np.dtype:
    """``dtype`` as a NumPy floating dtype (checked)."""
    try:
        resolved = None if dtype is None else np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None:
        raise TypeError(
            f"dtype must be a NumPy floating type such as numpy.float32, got {dtype!r}"
        )
    if not np.issubdtype(resolved, np.floating):
        raise ValueError(
            f"dtype must be a floating type such as numpy.float32, got {resolved}"
        )
    return resolved


def _param_views(
    params: np.ndarray, sizes: Sequence[int]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    weights, biases, start = [], [], 0
    for m, n in pairwise(sizes):  # a layer with m inputs and n outputs
        weights.append(params[start : start + m * n].reshape(m, n))
        start += m * n
        biases.append(params[start : start + n])
        start += n
    return weights, biases


def param_views(
    params: np.ndarray, sizes: Sequence[int]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Cut a flat parameter (or gradient) array into weight matrices and bias vectors.

    Layer ``l`` maps ``sizes[l]`` inputs to ``sizes[l + 1]`` outputs, with a weight
    matrix of shape ``(sizes[l], sizes[l + 1])`` followed by its bias vector.

    Parameters
    ----------
    params : numpy.ndarray
        1-D float array of length ``sum(m * n + n)`` over consecutive ``(m, n)`` in ``sizes``.
    sizes : sequence of int
        Layer widths, input first; at least two, each >= 1.

    Returns
    -------
    weights, biases : list of numpy.ndarray
        Views into ``params`` (writing to them writes to ``params``).

    Raises
    ------
    TypeError
        If ``params`` is not a NumPy float array or ``sizes`` not a sequence of ints.
    ValueError
        If ``params`` is not 1-D or its length does not match ``sizes``, or a size is < 1.
    """
    sizes = _layer_sizes(sizes)
    # views into a converted copy would be useless
    if not isinstance(params, np.ndarray):
        raise TypeError(f"params must be a NumPy array, got {type(params).__name__}")
    _checks.as_array(params, "params", ndim=1, kind="float", dtype=None, finite=False)
    if params.size != _num_params(sizes):
        raise ValueError(
            f"params must have length {_num_params(sizes)} for sizes {sizes}, got {params.size}"
        )
    return _param_views(params, sizes)


@dataclass
class MLP:
    """A fully connected network: hidden layers with one activation, linear outputs.

    Create one with :func:`init_mlp`; the constructor checks its arguments.

    Attributes
    ----------
    sizes : tuple of int
        Layer widths, input first, e.g. ``(784, 128, 128, 128, 10)``.
    activation : str
        ``"sigmoid"`` or ``"relu"``, used by every hidden layer.
    params : numpy.ndarray
        All weights and biases in one flat float array (see :func:`param_views`).
    weights, biases : list of numpy.ndarray
        Views into ``params``, one per layer.

    Raises
    ------
    TypeError, ValueError
        As :func:`param_views`, or if ``activation`` is not one of the two names.
    """

    sizes: tuple[int, ...]
    activation: str
    params: np.ndarray
    weights: list[np.ndarray] = field(init=False, repr=False)
    biases: list[np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.activation = _checks.as_choice(self.activation, "activation", ACTIVATIONS)
        self.weights, self.biases = param_views(self.params, self.sizes)
        self.sizes = _layer_sizes(self.sizes)

    @property
    def num_params(self) -> int:
        """Number of trainable parameters."""
        return int(self.params.size)

    def astype(self, dtype: type | np.dtype) -> MLP:
        """Return a copy of the network with parameters of another floating dtype."""
        return MLP(self.sizes, self.activation, self.params.astype(_float_dtype(dtype)))


def _init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    # the standard deviation of a layer's weights,
    # from its numbers of inputs and outputs
    variance = {
        "normal": 1.0,  # N(0, 1), whatever the width
        "lecun": 1.0 / fan_in,  # keeps the variance of a linear layer's output
        "glorot": 2.0 / (fan_in + fan_out),  # a compromise between forward and backward
        "he": 2.0 / fan_in,  # ReLU zeroes half its inputs: twice LeCun's variance
    }[scheme]
    return float(np.sqrt(variance))


def init_mlp(
    sizes: Sequence[int],
    *,
    activation: str = "relu",
    seed: int = 0,
    dtype: type | np.dtype = np.float32,
    init: str | None = None,
) -> MLP:
    """Create a network with random normal weights and zero biases.

    The weights of a layer with ``fan_in`` inputs and ``fan_out`` outputs are drawn
    from a normal distribution with mean 0 and a standard deviation set by ``init``:
    1 (``"normal"``), ``sqrt(1 / fan_in)`` (``"lecun"``),
    ``sqrt(2 / (fan_in + fan_out))`` (``"glorot"``) or ``sqrt(2 / fan_in)`` (``"he"``).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, input first; at least two, each >= 1.
    activation : str, default "relu"
        ``"sigmoid"`` or ``"relu"``.
    seed : int, default 0
        Seed of the weight generator, >= 0.
    dtype : numpy dtype, default numpy.float32
        ``float32`` for training, ``float64`` for gradient checks.
    init : str, optional
        ``"normal"``, ``"lecun"``, ``"glorot"`` or ``"he"`` (see :data:`INITS`); by
        default ``"he"`` for ReLU and ``"lecun"`` for sigmoid units.

    Returns
    -------
    MLP
        The new network.

    Raises
    ------
    TypeError
        If ``sizes`` is not a sequence of ints, ``activation`` or ``init`` not a str,
        ``seed`` not an int or ``dtype`` not a NumPy dtype.
    ValueError
        If there are fewer than two sizes, a size is < 1, ``activation`` or ``init`` is
        unknown, ``seed`` < 0 or ``dtype`` is not a floating type.
    """
    sizes = _layer_sizes(sizes)
    activation = _checks.as_choice(activation, "activation", ACTIVATIONS)
    if init is None:
        init = "he" if activation == "relu" else "lecun"
    init = _checks.as_choice(init, "init", INITS)
    rng = np.random.default_rng(_checks.as_seed(seed))
    params = np.zeros(_num_params(sizes), dtype=_float_dtype(dtype))
    weights, _ = _param_views(params, sizes)
    for w in weights:
        w[...] = rng.normal(0.0, _init_std(init, *w.shape), size=w.shape)
    return MLP(sizes, activation, params)


# --------------------------------------------------------------------------- argument checks


def _checked_net(net: Any) -> MLP:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP (see init_mlp), got {type(net).__name__}")
    return net


def _checked_batch(
    net: Any,
    x: Any,
    y: Any = None,
    loss: str | None = None,
    names: tuple[str, str] = ("x", "y"),
) -> tuple[np.ndarray, np.ndarray | None]:
    """``net`` checked; ``x`` (and ``y`` for ``loss``) as arrays of the network's dtype."""
    net = _checked_net(net)
    x = _checks.as_array(
        x, names[0], shape=(None, net.sizes[0]), kind="float", dtype=net.params.dtype
    )
    if loss is None:
        return x, None
    if loss == "cross_entropy":
        y = _checks.as_labels(y, names[1], num_classes=net.sizes[-1])
        _checks.same_length(**{names[0]: x, names[1]: y})
    else:
        y = _checks.as_array(
            y, names[1], shape=(len(x), net.sizes[-1]), dtype=net.params.dtype
        )
    return x, y


# --------------------------------------------------------------------------- forward pass


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, written with tanh so that no input overflows.

    Parameters
    ----------
    z : numpy.ndarray
        Pre-activations: a non-empty, finite float array of any shape.

    Returns
    -------
    numpy.ndarray
        ``1 / (1 + exp(-z)) == (1 + tanh(z / 2)) / 2``, same shape and dtype.

    Raises
    ------
    TypeError
        If ``z`` is not a float array.
    ValueError
        If ``z`` is empty or holds nan or inf.
    """
    z = _checks.as_array(z, "z", kind="float", dtype=None)
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    # the hidden activation, in place; returns z
    if activation == "relu":
        np.maximum(z, 0, out=z)
    else:  # sigmoid, in place: (1 + tanh(z / 2)) / 2
        z *= 0.5
        np.tanh(z, out=z)
        z *= 0.5
        z += 0.5
    return z


def _forward(net: MLP, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    activations = [x]
    a = x
    for w, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
        z = a @ w  # (n, m) @ (m, k): the whole mini-batch at once
        z += b
        a = _activate(z, net.activation)
        activations.append(a)
    outputs = a @ net.weights[-1]
    outputs += net.biases[-1]
    return outputs, activations


def forward(net: MLP, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Run a mini-batch through the network.

    Layer by layer, ``z = a @ W + b`` and ``a = f(z)``; the last layer stays
    linear (its outputs are the logits of the softmax).

    Parameters
    ----------
    net : MLP
        The network.
    x : numpy.ndarray
        Float inputs of shape ``(n, sizes[0])`` with n >= 1, all finite.

    Returns
    -------
    outputs : numpy.ndarray
        Linear outputs (logits) of shape ``(n, sizes[-1])``.
    activations : list of numpy.ndarray
        The input and every hidden layer's activations, kept for :func:`backward`.

    Raises
    ------
    TypeError
        If ``net`` is not an :class:`MLP` or ``x`` not a float array.
    ValueError
        If ``x`` has the wrong shape, is empty or holds nan or inf.
    """
    x, _ = _checked_batch(net, x)
    return _forward(net, x)


# --------------------------------------------------------------------------- losses


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = logits - logits.max(axis=1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=1, keepdims=True)
    return e


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for any finite logits (the row maximum is subtracted).

    Parameters
    ----------
    logits : numpy.ndarray
        Finite float array of shape ``(n, k)``, n, k >= 1.

    Returns
    -------
    numpy.ndarray
        Probabilities of the same shape and dtype; each row sums to 1.

    Raises
    ------
    TypeError
        If ``logits`` is not a float array.
    ValueError
        If ``logits`` is not 2-D, is empty or holds nan or inf.
    """
    return _softmax(
        _checks.as_array(logits, "logits", ndim=2, kind="float", dtype=None)
    )


def _cross_entropy_loss(
    logits: np.ndarray, labels: np.ndarray
) -> tuple[float, np.ndarray]:
    n = logits.shape[0]
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=1)
    loss = float(np.mean(np.log(sums) - shifted[rows, labels]))  # mean of -log p[y]
    exp /= sums[:, None]  # softmax p
    exp[rows, labels] -= 1.0  # p - onehot(y)
    exp /= n
    return loss, exp


def cross_entropy_loss(
    logits: np.ndarray, labels: np.ndarray
) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient with respect to the logits.

    With ``p = softmax(z)`` the loss of one sample is ``-log p[y]`` and its
    gradient ``p - onehot(y)``; both are averaged over the batch. The log is
    taken as ``z[y] - max(z) - log(sum(exp(z - max(z))))``, so it never
    overflows nor takes ``log(0)``.

    Parameters
    ----------
    logits : numpy.ndarray
        Finite float array of shape ``(n, k)``.
    labels : numpy.ndarray
        Integer class labels of shape ``(n,)`` in ``[0, k)``.

    Returns
    -------
    loss : float
        Mean cross-entropy.
    grad : numpy.ndarray
        ``(softmax(logits) - onehot(labels)) / n``, shape ``(n, k)``.

    Raises
    ------
    TypeError
        If ``logits`` is not a float array or ``labels`` not an integer array.
    ValueError
        If a shape is wrong, the lengths differ, a label lies outside ``[0, k)``
        (``-1`` is not the last class) or ``logits`` holds nan or inf.
    """
    logits = _checks.as_array(logits, "logits", ndim=2, kind="float", dtype=None)
    labels = _checks.as_labels(labels, "labels", num_classes=logits.shape[1])
    _checks.same_length(logits=logits, labels=labels)
    return _cross_entropy_loss(logits, labels)


def _mse_loss(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    diff = outputs - targets
    n = outputs.shape[0]
    return float(0.5 * np.sum(diff * diff) / n), diff / n


def mse_loss(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error ``sum((outputs - targets)**2) / (2 n)`` and its gradient.

    Parameters
    ----------
    outputs : numpy.ndarray
        Finite float array of shape ``(n, k)``.
    targets : numpy.ndarray
        Finite real array of the same shape (no broadcasting: ``(n,)`` against
        ``(n, 1)`` is an error, not an ``(n, n)`` table of differences).

    Returns
    -------
    loss : float
        Half the squared error summed over outputs, averaged over the n samples.
    grad : numpy.ndarray
        ``(outputs - targets) / n``.

    Raises
    ------
    TypeError
        If ``outputs`` is not a float array or ``targets`` not numeric.
    ValueError
        If ``outputs`` is not 2-D, the shapes differ, or an array is empty or holds
        nan or inf.
    """
    outputs = _checks.as_array(outputs, "outputs", ndim=2, kind="float", dtype=None)
    targets = _checks.as_array(
        targets, "targets", shape=outputs.shape, dtype=outputs.dtype
    )
    return _mse_loss(outputs, targets)


_LOSSES = {"cross_entropy": _cross_entropy_loss, "mse": _mse_loss}


# --------------------------------------------------------------------------- backward pass


def _backward(
    net: MLP, activations: list[np.ndarray], delta: np.ndarray, grad: np.ndarray
) -> np.ndarray:
    grad_w, grad_b = _param_views(grad, net.sizes)
    for layer in range(len(net.weights) - 1, -1, -1):
        a_in = activations[layer]
        np.matmul(a_in.T, delta, out=grad_w[layer])  # dL/dW = a_in^T delta
        np.sum(delta, axis=0, out=grad_b[layer])  # dL/db = sum over the batch
        if layer == 0:
            break
        delta = delta @ net.weights[layer].T  # dL/da_in
        if net.activation == "relu":  # times f'(z): 1 where the unit was active
            np.multiply(delta, a_in > 0, out=delta)
        else:  # sigmoid: f'(z) = a (1 - a)
            delta *= a_in * (1 - a_in)
    return grad


def backward(
    net: MLP,
    activations: list[np.ndarray],
    grad_outputs: np.ndarray,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Backpropagate the gradient of the loss from the outputs to every parameter.

    With ``delta = dL/dz`` of a layer, the layer's gradients are
    ``dL/dW = a_in.T @ delta`` and ``dL/db = delta.sum(0)``, and the previous
    layer's ``delta`` is ``(delta @ W.T) * f'(z_in)``.

    Parameters
    ----------
    net : MLP
        The network.
    activations : list of numpy.ndarray
        As returned by :func:`forward` for the same batch: ``len(sizes) - 1`` arrays,
        the l-th of shape ``(n, sizes[l])``.
    grad_outputs : numpy.ndarray
        ``dL/d outputs``, shape ``(n, sizes[-1])``, finite.
    out : numpy.ndarray, optional
        Flat array like ``net.params`` (same shape and dtype) to write the gradient into.

    Returns
    -------
    numpy.ndarray
        The flat gradient, laid out like ``net.params``.

    Raises
    ------
    TypeError
        If ``net`` is not an :class:`MLP`, ``activations`` not a list or tuple of
        float arrays, or ``out`` not a NumPy array.
    ValueError
        If a shape does not fit the network, an array holds nan or inf, or ``out``
        has the wrong shape or dtype.
    """
    net = _checked_net(net)
    if not isinstance(activations, (list, tuple)):
        raise TypeError(
            f"activations must be the list returned by forward, got {type(activations).__name__}"
        )
    if len(activations) != len(net.sizes) - 1:
        raise ValueError(
            f"activations must hold {len(net.sizes) - 1} arrays, got {len(activations)}"
        )
    first = _checks.as_array(
        activations[0], "activations[0]", ndim=2, kind="float", dtype=None
    )
    n, dtype = first.shape[0], net.params.dtype
    activations = [
        _checks.as_array(
            a, f"activations[{i}]", shape=(n, net.sizes[i]), kind="float", dtype=dtype
        )
        for i, a in enumerate(activations)
    ]
    grad_outputs = _checks.as_array(
        grad_outputs, "grad_outputs", shape=(n, net.sizes[-1]), dtype=dtype
    )
    if out is None:
        out = np.empty_like(net.params)
    elif not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a NumPy array, got {type(out).__name__}")
    elif out.shape != net.params.shape or out.dtype != dtype:
        raise ValueError(
            f"out must have shape {net.params.shape} and dtype {dtype}, "
            f"got {out.shape} and {out.dtype}"
        )
    return _backward(net, activations, grad_outputs, out)


def _loss_and_gradient(
    net: MLP, x: np.ndarray, y: np.ndarray, loss: str
) -> tuple[float, np.ndarray]:
    outputs, activations = _forward(net, x)
    value, delta = _LOSSES[loss](outputs, y)
    return value, _backward(net, activations, delta, np.empty_like(net.params))


def loss_and_gradient(
    net: MLP, x: np.ndarray, y: np.ndarray, *, loss: str = "cross_entropy"
) -> tuple[float, np.ndarray]:
    """Loss of a mini-batch and its gradient with respect to every parameter.

    Parameters
    ----------
    net : MLP
        The network.
    x : numpy.ndarray
        Float inputs, shape ``(n, sizes[0])``, finite, n >= 1.
    y : numpy.ndarray
        Integer labels of shape ``(n,)`` in ``[0, sizes[-1])`` for ``"cross_entropy"``,
        real targets of shape ``(n, sizes[-1])`` for ``"mse"``.
    loss : str, default "cross_entropy"
        ``"cross_entropy"`` (softmax of the outputs) or ``"mse"``.

    Returns
    -------
    loss : float
        The mean loss.
    grad : numpy.ndarray
        Flat gradient laid out like ``net.params``.

    Raises
    ------
    TypeError
        If ``net`` is not an :class:`MLP`, ``x`` not a float array, ``y`` of the
        wrong kind (float labels) or ``loss`` not a str.
    ValueError
        If a shape or length is wrong, a label is out of range, an array holds nan or
        inf, or ``loss`` is unknown.
    """
    loss = _checks.as_choice(loss, "loss", LOSSES)
    x, y = _checked_batch(net, x, y, loss)
    return _loss_and_gradient(net, x, y, loss)


# --------------------------------------------------------------------------- training


def _predict(net: MLP, x: np.ndarray, batch_size: int) -> np.ndarray:
    return np.concatenate(
        [
            _softmax(_forward(net, x[i : i + batch_size])[0])
            for i in range(0, len(x), batch_size)
        ]
    )


def predict(net: MLP, x: np.ndarray, *, batch_size: int = 4096) -> np.ndarray:
    """Class probabilities (the softmax of the outputs) of each row of ``x``.

    Like Keras's ``Model.predict``: turn them into labels with
    :func:`dlbook.evaluation.predicted_labels` and score them with
    :func:`dlbook.evaluation.accuracy`.

    Parameters
    ----------
    net : MLP
        The network.
    x : numpy.ndarray
        Float inputs, shape ``(n, sizes[0])``, finite, n >= 1.
    batch_size : int, default 4096
        Rows per forward pass (bounds the memory used), >= 1.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(n, sizes[-1])`` in the network's dtype; each row sums to 1.

    Raises
    ------
    TypeError
        If ``net`` is not an :class:`MLP`, ``x`` not a float array or ``batch_size``
        not an int.
    ValueError
        If ``x`` has the wrong shape, is empty or holds nan or inf, or ``batch_size`` < 1.
    """
    x, _ = _checked_batch(net, x)
    return _predict(net, x, _checks.as_int(batch_size, "batch_size", minimum=1))


def _train_epoch(net, x, y, batch_size, optimizer, loss_fn, rng) -> tuple[float, float]:
    grad = np.empty_like(net.params)
    total_loss, correct = 0.0, 0
    for idx in _minibatches(len(x), batch_size, rng):  # a new shuffle every epoch
        xb, yb = x[idx], y[idx]
        outputs, activations = _forward(net, xb)
        if y.ndim == 1:  # class labels: count the right answers
            correct += int(np.count_nonzero(outputs.argmax(axis=1) == yb))
        value, delta = loss_fn(outputs, yb)
        _backward(net, activations, delta, grad)
        optimizer._step(net.params, grad)
        total_loss += value * len(idx)
    return total_loss / len(x), correct / len(x)


def train(
    net: MLP,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    optimizer: Optimizer,
    loss: str = "cross_entropy",
    seed: int = 0,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    schedule: Callable[[int], float] | None = None,
    restore_best: bool = False,
) -> dict[str, list[float]]:
    """Train ``net`` in place with mini-batches; return the history of every epoch.

    Each epoch shuffles the rows, then for every mini-batch runs the forward
    pass, the loss, the backward pass and one optimiser step. The arguments are
    checked once, before the first epoch.

    Parameters
    ----------
    net : MLP
        The network, trained in place.
    x, y : numpy.ndarray
        Training inputs and targets, as for :func:`loss_and_gradient`.
    epochs : int
        Passes over the data, >= 1.
    batch_size : int
        Rows per step, >= 1 (the last batch of an epoch may be smaller).
    optimizer : dlbook.optim.Optimizer
        Updates the parameters, e.g. :class:`dlbook.optim.Adam`; a fresh one, or one
        that has only stepped on parameters of this shape.
    loss : str, default "cross_entropy"
        ``"cross_entropy"`` or ``"mse"``.
    seed : int, default 0
        Seed of the shuffling, >= 0.
    validation_data : tuple of numpy.ndarray, optional
        ``(x_val, labels_val)`` whose accuracy is measured after each epoch.
    schedule : callable, optional
        ``schedule(epoch)`` (epoch counted from 0) returns the learning rate set on
        the optimiser before that epoch, a finite number > 0; without it the rate
        stays as it is.
    restore_best : bool, default False
        Needs ``validation_data``. After the last epoch, put back the parameters of the
        epoch with the highest validation accuracy (the first, if several tie): the
        number of epochs is then chosen on the validation set (early stopping).

    Returns
    -------
    dict of str to list of float
        ``loss`` (mean training loss of each epoch), ``epoch_seconds``,
        ``learning_rate``, ``accuracy`` (training accuracy over the epoch's
        batches, cross-entropy only) and ``val_accuracy`` when
        ``validation_data`` is given.

    Raises
    ------
    TypeError
        If an argument has the wrong type (see :func:`loss_and_gradient`; ``optimizer``
        must be a :class:`dlbook.optim.Optimizer`, ``schedule`` a callable,
        ``validation_data`` a tuple, ``restore_best`` a bool).
    ValueError
        If an array is invalid, a count is < 1, ``optimizer`` holds state for other
        parameters, ``schedule`` returns a rate that is not a finite number > 0, or
        ``restore_best`` is True without ``validation_data``.
    """
    loss = _checks.as_choice(loss, "loss", LOSSES)
    x, y = _checked_batch(net, x, y, loss)
    epochs = _checks.as_int(epochs, "epochs", minimum=1)
    batch_size = _checks.as_int(batch_size, "batch_size", minimum=1)
    rng = np.random.default_rng(_checks.as_seed(seed))
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a dlbook.optim optimiser such as Adam(), "
            f"got {type(optimizer).__name__}"
        )
    optimizer._match_state(net.params.shape, "optimizer")
    if schedule is not None and not callable(schedule):
        raise TypeError(
            f"schedule must be a function of the epoch, got {type(schedule).__name__}"
        )
    restore_best = _checks.as_bool(restore_best, "restore_best")
    if restore_best and validation_data is None:
        raise ValueError(
            "restore_best needs validation_data to choose the best epoch on"
        )
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)):
            raise TypeError(
                f"validation_data must be a tuple (x_val, labels_val), "
                f"got {type(validation_data).__name__}"
            )
        if len(validation_data) != 2:
            raise ValueError(
                f"validation_data must hold two arrays (x_val, labels_val), "
                f"got {len(validation_data)}"
            )
        x_val, y_val = _checked_batch(
            net,
            *validation_data,
            "cross_entropy",
            ("validation_data[0]", "validation_data[1]"),
        )
    history: dict[str, list[float]] = {
        "loss": [],
        "epoch_seconds": [],
        "learning_rate": [],
    }
    if loss == "cross_entropy":
        history["accuracy"] = []
    if validation_data is not None:
        history["val_accuracy"] = []
    best_accuracy, best_params = -1.0, net.params
    for epoch in range(epochs):
        if schedule is not None:
            rate = _checks.as_float(schedule(epoch), f"schedule({epoch})", above=0.0)
            optimizer.learning_rate = rate
        history["learning_rate"].append(optimizer.learning_rate)
        start = time.perf_counter()
        mean_loss, train_accuracy = _train_epoch(
            net, x, y, batch_size, optimizer, _LOSSES[loss], rng
        )
        history["epoch_seconds"].append(time.perf_counter() - start)
        history["loss"].append(mean_loss)
        if loss == "cross_entropy":
            history["accuracy"].append(train_accuracy)
        if validation_data is not None:
            labels = _predict(net, x_val, 4096).argmax(axis=1)
            history["val_accuracy"].append(accuracy(y_val, labels))
            if restore_best and history["val_accuracy"][-1] > best_accuracy:
                best_accuracy = history["val_accuracy"][-1]
                best_params = net.params.copy()
        # a learner in JupyterLab sees each epoch; the book does not
        if show_progress():
            latest = {
                k: v[-1] for k, v in history.items() if k in ("loss", "val_accuracy")
            }
            print(epoch_line(epoch + 1, epochs, latest), flush=True)
    if restore_best:
        net.params[...] = best_params  # in place: the weight views stay valid
    return history
