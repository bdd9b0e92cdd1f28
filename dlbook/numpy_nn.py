"""A multilayer perceptron in plain NumPy: forward and backward passes, SGD and Adam.

Everything a reader needs to hold in their head is here: dense layers with a
sigmoid or ReLU activation, a softmax cross-entropy (or mean-squared-error)
loss, backpropagation over a whole mini-batch, two optimisers, a gradient
checker and a training loop that returns its history as plain lists.

All parameters of a network live in one flat 1-D array; the weight matrices and
bias vectors are views into it. The gradient has the same layout, so an
optimiser updates every parameter with a handful of whole-array operations.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "accuracy",
    "backward",
    "blas_threads",
    "cross_entropy_loss",
    "forward",
    "gradient_check",
    "init_mlp",
    "loss_and_gradient",
    "mse_loss",
    "numerical_gradient",
    "param_views",
    "predict",
    "relative_error",
    "sigmoid",
    "softmax",
    "tensorflow_gradient",
    "train",
]

ACTIVATIONS = ("sigmoid", "relu")
LOSSES = ("cross_entropy", "mse")


# --------------------------------------------------------------------------- the network


def param_views(
    params: np.ndarray, sizes: Sequence[int]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Cut a flat parameter (or gradient) array into weight matrices and bias vectors.

    Layer ``l`` maps ``sizes[l]`` inputs to ``sizes[l + 1]`` outputs, with a weight
    matrix of shape ``(sizes[l], sizes[l + 1])`` followed by its bias vector.

    Parameters
    ----------
    params : numpy.ndarray
        1-D array of length ``sum(m * n + n)`` over consecutive ``(m, n)`` in ``sizes``.
    sizes : sequence of int
        Layer widths, input first.

    Returns
    -------
    weights, biases : list of numpy.ndarray
        Views into ``params`` (writing to them writes to ``params``).

    Raises
    ------
    ValueError
        If ``params`` is not 1-D or its length does not match ``sizes``.
    """
    sizes = [int(s) for s in sizes]
    expected = sum(m * n + n for m, n in pairwise(sizes))
    if params.ndim != 1 or params.size != expected:
        raise ValueError(f"params must be 1-D of length {expected}, got shape {params.shape}")
    weights, biases, start = [], [], 0
    for m, n in pairwise(sizes):
        weights.append(params[start : start + m * n].reshape(m, n))
        start += m * n
        biases.append(params[start : start + n])
        start += n
    return weights, biases


@dataclass
class MLP:
    """A fully connected network: hidden layers with one activation, linear outputs.

    Attributes
    ----------
    sizes : tuple of int
        Layer widths, input first, e.g. ``(784, 128, 128, 128, 10)``.
    activation : str
        ``"sigmoid"`` or ``"relu"``, used by every hidden layer.
    params : numpy.ndarray
        All weights and biases in one flat array (see :func:`param_views`).
    weights, biases : list of numpy.ndarray
        Views into ``params``, one per layer.
    """

    sizes: tuple[int, ...]
    activation: str
    params: np.ndarray
    weights: list[np.ndarray] = field(init=False, repr=False)
    biases: list[np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        self.weights, self.biases = param_views(self.params, self.sizes)

    @property
    def num_params(self) -> int:
        """Number of trainable parameters."""
        return int(self.params.size)

    def astype(self, dtype: type | np.dtype) -> MLP:
        """Return a copy of the network with parameters of another dtype."""
        return MLP(self.sizes, self.activation, self.params.astype(dtype))


def init_mlp(
    sizes: Sequence[int],
    *,
    activation: str = "relu",
    seed: int = 0,
    dtype: type | np.dtype = np.float32,
) -> MLP:
    """Create a network with random weights and zero biases.

    Weights are drawn from a normal distribution scaled to keep the variance of
    the signal constant through the layers: ``sqrt(2 / fan_in)`` for ReLU (He),
    ``sqrt(1 / fan_in)`` for sigmoid (LeCun).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, input first; at least two, each >= 1.
    activation : str, default "relu"
        ``"sigmoid"`` or ``"relu"``.
    seed : int, default 0
        Seed of the weight generator.
    dtype : numpy dtype, default numpy.float32
        ``float32`` for training, ``float64`` for gradient checks.

    Returns
    -------
    MLP
        The new network.

    Raises
    ------
    ValueError
        If there are fewer than two sizes, a size is < 1, ``activation`` is
        unknown or ``dtype`` is not a floating type.
    """
    sizes = tuple(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes needs an input and an output width, got {sizes!r}")
    for i, s in enumerate(sizes):
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError(f"sizes[{i}] must be a positive int, got {s!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if not np.issubdtype(np.dtype(dtype), np.floating):
        raise ValueError(f"dtype must be a floating type, got {dtype!r}")
    sizes = tuple(int(s) for s in sizes)
    rng = np.random.default_rng(seed)
    gain = 2.0 if activation == "relu" else 1.0
    total = sum(m * n + n for m, n in pairwise(sizes))
    params = np.zeros(total, dtype=dtype)
    weights, _ = param_views(params, sizes)
    for w in weights:
        w[...] = rng.normal(0.0, np.sqrt(gain / w.shape[0]), size=w.shape)
    return MLP(sizes, activation, params)


# --------------------------------------------------------------------------- forward pass


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, written with tanh so that no input overflows.

    Parameters
    ----------
    z : numpy.ndarray
        Pre-activations.

    Returns
    -------
    numpy.ndarray
        ``1 / (1 + exp(-z)) == (1 + tanh(z / 2)) / 2``, same shape and dtype.
    """
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    """Apply the hidden activation in place and return ``z``."""
    if activation == "relu":
        np.maximum(z, 0, out=z)
    else:  # sigmoid, in place: (1 + tanh(z / 2)) / 2
        z *= 0.5
        np.tanh(z, out=z)
        z *= 0.5
        z += 0.5
    return z


def _forward(net: MLP, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Forward pass without input checks; see :func:`forward`."""
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
        Inputs of shape ``(n, sizes[0])`` with n >= 1, all finite.

    Returns
    -------
    outputs : numpy.ndarray
        Linear outputs (logits) of shape ``(n, sizes[-1])``.
    activations : list of numpy.ndarray
        The input and every hidden layer's activations, kept for :func:`backward`.

    Raises
    ------
    TypeError, ValueError
        If ``x`` has the wrong type, shape, or non-finite values.
    """
    x = _check_x(net, x)
    return _forward(net, x)


# --------------------------------------------------------------------------- losses


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for any finite logits (the row maximum is subtracted).

    Parameters
    ----------
    logits : numpy.ndarray
        Array of shape ``(n, k)``.

    Returns
    -------
    numpy.ndarray
        Probabilities of the same shape; each row sums to 1.
    """
    e = logits - logits.max(axis=1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=1, keepdims=True)
    return e


def cross_entropy_loss(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient with respect to the logits.

    With ``p = softmax(z)`` the loss of one sample is ``-log p[y]`` and its
    gradient ``p - onehot(y)``; both are averaged over the batch. The log is
    taken as ``z[y] - max(z) - log(sum(exp(z - max(z))))``, so it never
    overflows nor takes ``log(0)``.

    Parameters
    ----------
    logits : numpy.ndarray
        Array of shape ``(n, k)``.
    labels : numpy.ndarray
        Integer class labels of shape ``(n,)`` in ``[0, k)``.

    Returns
    -------
    loss : float
        Mean cross-entropy.
    grad : numpy.ndarray
        ``(softmax(logits) - onehot(labels)) / n``, shape ``(n, k)``.
    """
    n = logits.shape[0]
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=1)
    loss = float(np.mean(np.log(sums) - shifted[rows, labels]))
    exp /= sums[:, None]
    exp[rows, labels] -= 1.0
    exp /= n
    return loss, exp


def mse_loss(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error ``sum((outputs - targets)**2) / (2 n)`` and its gradient.

    Parameters
    ----------
    outputs, targets : numpy.ndarray
        Arrays of the same shape ``(n, k)``.

    Returns
    -------
    loss : float
        Half the squared error summed over outputs, averaged over the n samples.
    grad : numpy.ndarray
        ``(outputs - targets) / n``.
    """
    diff = outputs - targets
    n = outputs.shape[0]
    return float(0.5 * np.sum(diff * diff) / n), diff / n


# --------------------------------------------------------------------------- backward pass


def _backward(
    net: MLP, activations: list[np.ndarray], delta: np.ndarray, grad: np.ndarray
) -> np.ndarray:
    """Backward pass without checks; writes into ``grad`` and returns it."""
    grad_w, grad_b = param_views(grad, net.sizes)
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
        As returned by :func:`forward` for the same batch.
    grad_outputs : numpy.ndarray
        ``dL/d outputs``, shape ``(n, sizes[-1])``.
    out : numpy.ndarray, optional
        Flat array like ``net.params`` to write the gradient into.

    Returns
    -------
    numpy.ndarray
        The flat gradient, laid out like ``net.params``.

    Raises
    ------
    ValueError
        If the shapes do not fit the network or ``out`` has the wrong shape or dtype.
    """
    if len(activations) != len(net.sizes) - 1:
        raise ValueError(
            f"activations must hold {len(net.sizes) - 1} arrays, got {len(activations)}"
        )
    n = activations[0].shape[0]
    if grad_outputs.shape != (n, net.sizes[-1]):
        raise ValueError(
            f"grad_outputs must have shape {(n, net.sizes[-1])}, got {grad_outputs.shape}"
        )
    if out is None:
        out = np.empty_like(net.params)
    elif out.shape != net.params.shape or out.dtype != net.params.dtype:
        raise ValueError(
            f"out must have shape {net.params.shape} and dtype {net.params.dtype}, "
            f"got {out.shape} and {out.dtype}"
        )
    return _backward(net, activations, np.array(grad_outputs, dtype=net.params.dtype), out)


# --------------------------------------------------------------------------- input checks


def _check_x(net: MLP, x: np.ndarray) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a NumPy array, got {type(x).__name__}")
    if x.ndim != 2 or x.shape[1] != net.sizes[0]:
        raise ValueError(f"x must have shape (n, {net.sizes[0]}), got {x.shape}")
    if x.shape[0] == 0:
        raise ValueError("x is an empty batch (n = 0)")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a floating array, got dtype {x.dtype}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinite values")
    return x.astype(net.params.dtype, copy=False)


def _check_y(net: MLP, y: np.ndarray, n: int, loss: str) -> np.ndarray:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    if not isinstance(y, np.ndarray):
        raise TypeError(f"y must be a NumPy array, got {type(y).__name__}")
    k = net.sizes[-1]
    if loss == "cross_entropy":
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
        if y.shape != (n,):
            raise ValueError(f"y must have shape ({n},), got {y.shape}")
        if y.min() < 0 or y.max() >= k:
            raise ValueError(f"labels in y must lie in [0, {k}), got {y.min()}..{y.max()}")
        return y
    if y.shape != (n, k):
        raise ValueError(f"y must have shape ({n}, {k}) for the mse loss, got {y.shape}")
    if not np.issubdtype(y.dtype, np.floating) or not np.all(np.isfinite(y)):
        raise ValueError("y must be a finite floating array for the mse loss")
    return y.astype(net.params.dtype, copy=False)


def _loss_fn(loss: str):
    return cross_entropy_loss if loss == "cross_entropy" else mse_loss


# --------------------------------------------------------------------------- gradients


def loss_and_gradient(
    net: MLP, x: np.ndarray, y: np.ndarray, *, loss: str = "cross_entropy"
) -> tuple[float, np.ndarray]:
    """Loss of a mini-batch and its gradient with respect to every parameter.

    Parameters
    ----------
    net : MLP
        The network.
    x : numpy.ndarray
        Inputs, shape ``(n, sizes[0])``, finite, n >= 1.
    y : numpy.ndarray
        Integer labels of shape ``(n,)`` for ``"cross_entropy"``, float targets of
        shape ``(n, sizes[-1])`` for ``"mse"``.
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
    TypeError, ValueError
        If an input has the wrong type, shape or values, or ``loss`` is unknown.
    """
    x = _check_x(net, x)
    y = _check_y(net, y, x.shape[0], loss)
    outputs, activations = _forward(net, x)
    value, delta = _loss_fn(loss)(outputs, y)
    return value, _backward(net, activations, delta, np.empty_like(net.params))


def numerical_gradient(
    net: MLP, x: np.ndarray, y: np.ndarray, *, loss: str = "cross_entropy", eps: float = 1e-6
) -> np.ndarray:
    """Gradient by central differences, one parameter at a time (slow; for checks).

    ``dL/dp ~ (L(p + eps) - L(p - eps)) / (2 eps)``, computed in float64.

    Parameters
    ----------
    net : MLP
        The network (its parameters are restored afterwards).
    x, y : numpy.ndarray
        A mini-batch, as for :func:`loss_and_gradient`.
    loss : str, default "cross_entropy"
        The loss.
    eps : float, default 1e-6
        The step.

    Returns
    -------
    numpy.ndarray
        Flat float64 gradient laid out like ``net.params``.

    Raises
    ------
    ValueError
        If ``eps`` is not positive, or as :func:`loss_and_gradient`.
    """
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    net64 = net.astype(np.float64)
    x = _check_x(net64, x)
    y = _check_y(net64, y, x.shape[0], loss)
    fn = _loss_fn(loss)
    grad = np.empty_like(net64.params)
    for i in range(net64.params.size):
        old = net64.params[i]
        net64.params[i] = old + eps
        plus = fn(_forward(net64, x)[0], y)[0]
        net64.params[i] = old - eps
        minus = fn(_forward(net64, x)[0], y)[0]
        net64.params[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Relative difference of two arrays, ``||a - b|| / max(||a|| + ||b||, 1e-300)``.

    Parameters
    ----------
    a, b : numpy.ndarray
        Arrays of the same shape.

    Returns
    -------
    float
        0 for identical arrays, at most 1.

    Raises
    ------
    ValueError
        If the shapes differ.
    """
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    scale = max(float(np.linalg.norm(a) + np.linalg.norm(b)), 1e-300)
    return float(np.linalg.norm(a - b) / scale)


def _per_parameter(net: MLP, a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    wa, ba = param_views(a, net.sizes)
    wb, bb = param_views(b, net.sizes)
    errors = {}
    for layer in range(len(wa)):
        errors[f"W{layer + 1}"] = relative_error(wa[layer], wb[layer])
        errors[f"b{layer + 1}"] = relative_error(ba[layer], bb[layer])
    return errors


def gradient_check(
    net: MLP, x: np.ndarray, y: np.ndarray, *, loss: str = "cross_entropy", eps: float = 1e-6
) -> dict[str, float]:
    """Compare backpropagation with central differences, parameter array by array.

    Both are computed in float64 on a copy of the network.

    Parameters
    ----------
    net : MLP
        A small network (the numerical gradient costs two forward passes per parameter).
    x, y : numpy.ndarray
        A mini-batch, as for :func:`loss_and_gradient`.
    loss : str, default "cross_entropy"
        The loss.
    eps : float, default 1e-6
        Finite-difference step.

    Returns
    -------
    dict of str to float
        :func:`relative_error` of each weight matrix (``"W1"``, ...) and bias
        vector (``"b1"``, ...).

    Raises
    ------
    TypeError, ValueError
        As :func:`loss_and_gradient` and :func:`numerical_gradient`.
    """
    net64 = net.astype(np.float64)
    x64 = np.asarray(x, dtype=np.float64) if isinstance(x, np.ndarray) else x
    _, analytic = loss_and_gradient(net64, x64, y, loss=loss)
    numeric = numerical_gradient(net64, x64, y, loss=loss, eps=eps)
    return _per_parameter(net64, analytic, numeric)


def tensorflow_gradient(
    net: MLP, x: np.ndarray, y: np.ndarray, *, loss: str = "cross_entropy"
) -> tuple[float, np.ndarray]:
    """The same loss and gradient computed by TensorFlow's automatic differentiation.

    The network's weights become ``tf.Variable`` s (in the network's dtype), the
    forward pass is rewritten with TensorFlow operations under a
    ``tf.GradientTape``, and the tape's gradients are laid out like ``net.params``.

    Parameters
    ----------
    net : MLP
        The network; use float64 for a tight comparison.
    x, y : numpy.ndarray
        A mini-batch, as for :func:`loss_and_gradient`.
    loss : str, default "cross_entropy"
        The loss.

    Returns
    -------
    loss : float
        TensorFlow's mean loss.
    grad : numpy.ndarray
        Flat gradient laid out like ``net.params``.

    Raises
    ------
    TypeError, ValueError
        As :func:`loss_and_gradient`.
    """
    from dlbook.repro import import_tensorflow

    tf = import_tensorflow()
    x = _check_x(net, x)
    y = _check_y(net, y, x.shape[0], loss)
    weights = [tf.Variable(w) for w in net.weights]
    biases = [tf.Variable(b) for b in net.biases]
    act = tf.nn.relu if net.activation == "relu" else tf.sigmoid
    with tf.GradientTape() as tape:
        a = tf.constant(x)
        for w, b in zip(weights[:-1], biases[:-1], strict=True):
            a = act(tf.matmul(a, w) + b)
        outputs = tf.matmul(a, weights[-1]) + biases[-1]
        if loss == "cross_entropy":
            per_sample = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=outputs)
            value = tf.reduce_mean(per_sample)
        else:
            value = 0.5 * tf.reduce_sum(tf.square(outputs - y)) / x.shape[0]
    grads = tape.gradient(value, [v for pair in zip(weights, biases, strict=True) for v in pair])
    flat = np.concatenate([g.numpy().ravel() for g in grads]).astype(net.params.dtype)
    return float(value.numpy()), flat


# --------------------------------------------------------------------------- optimisers


class SGD:
    """Plain stochastic gradient descent: ``params -= learning_rate * grad``.

    Parameters
    ----------
    learning_rate : float, default 0.1
        Step size, > 0.

    Raises
    ------
    ValueError
        If ``learning_rate`` is not positive.
    """

    def __init__(self, learning_rate: float = 0.1) -> None:
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
        self.learning_rate = float(learning_rate)

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Update ``params`` in place."""
        params -= self.learning_rate * grad


class Adam:
    """Adam (Kingma & Ba, 2015), the same update as Keras's ``Adam``.

    Keras keeps running means of the gradient, ``m = beta1 m + (1 - beta1) g``,
    and of its square, ``v = beta2 v + (1 - beta2) g**2``, and moves
    ``params -= alpha_t * m / (sqrt(v) + eps)`` with the bias correction folded
    into ``alpha_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)``.

    Here the state is stored rescaled, ``M = m / (1 - beta1)`` and
    ``V = v / (1 - beta2)``, so each running mean costs two or three whole-array
    operations (``M = beta1 M + g``); the constants move into the step size and
    ``eps``. All ten operations of a step work in place on the flat parameter
    array, which is what makes small batches cheap.

    Parameters
    ----------
    learning_rate : float, default 1e-3
        Step size, > 0.
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the two running means, in [0, 1).
    eps : float, default 1e-7
        Added to ``sqrt(v)`` (Keras's default).

    Raises
    ------
    ValueError
        If a hyper-parameter is out of range.
    """

    def __init__(
        self,
        learning_rate: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-7,
    ) -> None:
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(f"beta1 and beta2 must lie in [0, 1), got {beta1!r}, {beta2!r}")
        if not eps > 0:
            raise ValueError(f"eps must be > 0, got {eps!r}")
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.t = 0
        self._m = self._v = self._tmp = None

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Update ``params`` in place (the state is created at the first call)."""
        if self._m is None:
            self._m, self._v, self._tmp = (np.zeros_like(params) for _ in range(3))
        m, v, tmp = self._m, self._v, self._tmp  # m and v hold M and V (see above)
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        m *= b1  # M = beta1 M + g
        m += grad
        np.multiply(grad, grad, out=tmp)  # V = beta2 V + g**2
        v *= b2
        v += tmp
        c = np.sqrt(1 - b2)
        alpha = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t) * (1 - b1) / c
        np.sqrt(v, out=tmp)  # params -= alpha * M / (sqrt(V) + eps / c)
        tmp += self.eps / c
        np.divide(m, tmp, out=tmp)
        tmp *= alpha
        params -= tmp


# --------------------------------------------------------------------------- BLAS threads


@contextmanager
def blas_threads(n: int) -> Iterator[int]:
    """Run a block with NumPy's BLAS limited to ``n`` threads (through ``threadpoolctl``).

    The matrices of a small network are too small to split across threads
    with profit; on a machine shared with other processes, threads that wait
    for each other make every product many times slower.

    Parameters
    ----------
    n : int
        Number of threads, >= 1.

    Yields
    ------
    int
        The number of threads BLAS used before (0 if no BLAS library was found).

    Raises
    ------
    ValueError
        If ``n`` < 1.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    from threadpoolctl import threadpool_info, threadpool_limits

    blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    with threadpool_limits(limits=int(n), user_api="blas"):
        yield max(blas, default=0)


# --------------------------------------------------------------------------- training


def predict(net: MLP, x: np.ndarray, *, batch_size: int = 4096) -> np.ndarray:
    """Predicted class (argmax of the outputs) of each row of ``x``.

    Parameters
    ----------
    net : MLP
        The network.
    x : numpy.ndarray
        Inputs, shape ``(n, sizes[0])``.
    batch_size : int, default 4096
        Rows per forward pass (bounds the memory used).

    Returns
    -------
    numpy.ndarray
        int64 array of shape ``(n,)``.

    Raises
    ------
    TypeError, ValueError
        If ``x`` is not a valid input.
    """
    x = _check_x(net, x)
    return np.concatenate(
        [
            _forward(net, x[i : i + batch_size])[0].argmax(axis=1)
            for i in range(0, len(x), batch_size)
        ]
    )


def accuracy(net: MLP, x: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of rows of ``x`` whose predicted class equals the label.

    Parameters
    ----------
    net : MLP
        The network.
    x : numpy.ndarray
        Inputs, shape ``(n, sizes[0])``.
    labels : numpy.ndarray
        Integer labels, shape ``(n,)``.

    Returns
    -------
    float
        Accuracy in [0, 1].

    Raises
    ------
    TypeError, ValueError
        If an input is invalid.
    """
    x = _check_x(net, x)
    labels = _check_y(net, labels, x.shape[0], "cross_entropy")
    return float(np.mean(predict(net, x) == labels))


def train(
    net: MLP,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    optimizer: SGD | Adam,
    loss: str = "cross_entropy",
    seed: int = 0,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    schedule: Callable[[int], float] | None = None,
) -> dict[str, list[float]]:
    """Train ``net`` in place with mini-batches; return the history of every epoch.

    Each epoch shuffles the rows, then for every mini-batch runs
    :func:`forward`, the loss, :func:`backward` and one optimiser step.

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
    optimizer : SGD or Adam
        Updates the parameters.
    loss : str, default "cross_entropy"
        ``"cross_entropy"`` or ``"mse"``.
    seed : int, default 0
        Seed of the shuffling.
    validation_data : tuple of numpy.ndarray, optional
        ``(x_val, labels_val)`` whose accuracy is measured after each epoch.
    schedule : callable, optional
        ``schedule(epoch)`` (epoch counted from 0) returns the learning rate set on
        the optimiser before that epoch; without it the rate stays as it is.

    Returns
    -------
    dict of str to list of float
        ``loss`` (mean training loss of each epoch), ``epoch_seconds``, and
        ``learning_rate``, ``accuracy`` (training accuracy over the epoch's
        batches, cross-entropy only) and ``val_accuracy`` when
        ``validation_data`` is given.

    Raises
    ------
    TypeError, ValueError
        If an input is invalid or ``epochs``/``batch_size`` < 1.
    """
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    x = _check_x(net, x)
    y = _check_y(net, y, x.shape[0], loss)
    if validation_data is not None:
        x_val = _check_x(net, validation_data[0])
        y_val = _check_y(net, validation_data[1], x_val.shape[0], "cross_entropy")
    loss_fn = _loss_fn(loss)
    rng = np.random.default_rng(seed)
    grad = np.empty_like(net.params)
    n = x.shape[0]
    history: dict[str, list[float]] = {"loss": [], "epoch_seconds": [], "learning_rate": []}
    if loss == "cross_entropy":
        history["accuracy"] = []
    if validation_data is not None:
        history["val_accuracy"] = []
    for epoch in range(epochs):
        if schedule is not None:
            rate = float(schedule(epoch))
            if not rate > 0:
                raise ValueError(f"schedule({epoch}) must be > 0, got {rate!r}")
            optimizer.learning_rate = rate
        history["learning_rate"].append(float(optimizer.learning_rate))
        start = time.perf_counter()
        order = rng.permutation(n)
        total_loss, correct = 0.0, 0
        for i in range(0, n, batch_size):
            idx = order[i : i + batch_size]
            xb, yb = x[idx], y[idx]
            outputs, activations = _forward(net, xb)
            if loss == "cross_entropy":
                correct += int(np.count_nonzero(outputs.argmax(axis=1) == yb))
            value, delta = loss_fn(outputs, yb)
            _backward(net, activations, delta, grad)
            optimizer.step(net.params, grad)
            total_loss += value * len(idx)
        history["epoch_seconds"].append(time.perf_counter() - start)
        history["loss"].append(total_loss / n)
        if loss == "cross_entropy":
            history["accuracy"].append(correct / n)
        if validation_data is not None:
            history["val_accuracy"].append(float(np.mean(predict(net, x_val) == y_val)))
    return history
