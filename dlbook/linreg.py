"""One neuron, two parameters: linear regression from Celsius to Fahrenheit by gradient descent.

The model is ``y_hat = w * x + b`` with the mean squared error (MSE) loss

    L(w, b) = mean((w * x + b - y) ** 2).

Everything here works in float64: the data set is tiny, and the gradient checks in the
tests need the precision.

Each taught function is a short, unchecked core (``_mse_gradients``, ``_gradient_descent``,
...) that the chapter shows, and a public function that checks its arguments with
``dlbook._checks`` and calls the core. Loops call the cores, so nothing is checked twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from . import _checks

__all__ = [
    "NOISE_STD",
    "TRUE_BIAS",
    "TRUE_WEIGHT",
    "GDHistory",
    "closed_form_fit",
    "fit_standardiser",
    "gradient_descent",
    "largest_stable_learning_rate",
    "largest_stable_minibatch_rate",
    "loss_grid",
    "losses_along_path",
    "make_temperature_data",
    "minibatch_gradient",
    "mse",
    "mse_gradients",
    "mse_hessian",
    "predict",
    "random_initial_parameters",
    "standardise",
    "steps_to_converge",
    "steps_to_settle",
    "train_test_split",
    "unstandardise_parameters",
]

TRUE_WEIGHT = 1.8
"""Degrees Fahrenheit per degree Celsius."""
TRUE_BIAS = 32.0
"""Degrees Fahrenheit at 0 degrees Celsius."""
NOISE_STD = 2.0
"""Standard deviation, in degrees Fahrenheit, of the simulated measurement noise."""


# --- the cores: the algorithms the chapter shows, without docstrings or checks ----------------


def _make_temperature_data(n, low, high, noise_std, seed):
    rng = np.random.default_rng(seed)
    celsius = rng.uniform(low, high, size=n)
    fahrenheit = TRUE_WEIGHT * celsius + TRUE_BIAS + rng.normal(0.0, noise_std, size=n)
    return celsius, fahrenheit


def _mse(y_pred, y_true):
    return np.mean((y_pred - y_true) ** 2)


def _mse_gradients(x, y, w, b):
    residual = w * x + b - y
    dw = 2.0 * np.mean(residual * x)
    db = 2.0 * np.mean(residual)
    return dw, db


def _gradient_descent(
    x, y, learning_rate, steps, w, b, max_loss=np.inf, target_loss=None
):
    # Record w, b and the training loss at the start and after every step.
    ws, bs, losses = [w], [b], [_mse(w * x + b, y)]
    for _ in range(steps):
        dw, db = _mse_gradients(x, y, w, b)
        w = w - learning_rate * dw
        b = b - learning_rate * db
        loss = _mse(w * x + b, y)
        if not loss <= max_loss:  # nan, inf or past max_loss: diverged
            return ws, bs, losses, True
        ws.append(w)
        bs.append(b)
        losses.append(loss)
        if target_loss is not None and loss <= target_loss:
            break  # close enough: stop early
    return ws, bs, losses, False


def _closed_form_fit(x, y):
    dx = x - x.mean()
    w = np.mean(dx * (y - y.mean())) / np.mean(dx**2)  # cov(x, y) / var(x)
    b = y.mean() - w * x.mean()
    return w, b


def _mse_hessian(x):
    mean_x = np.mean(x)
    return 2.0 * np.array([[np.mean(x**2), mean_x], [mean_x, 1.0]])


def _largest_stable_learning_rate(x):
    # eigenvalues in ascending order
    lambda_max = np.linalg.eigvalsh(_mse_hessian(x))[-1]
    return 2.0 / lambda_max


def _standardise(x, mean, std):
    return (x - mean) / std


def _minibatch_gradient(x, y, params, batch):
    # the full-batch formula, on the samples of one mini-batch
    dw, db = _mse_gradients(x[batch], y[batch], params[0], params[1])
    return np.array([dw, db])


def _largest_stable_minibatch_rate(x):
    # sample i's Hessian 2 [[x_i**2, x_i], [x_i, 1]]: largest eigenvalue 2 (1 + x_i**2)
    return 1.0 / (1.0 + np.max(x**2))


def _mse_from_moments(x, y, w, b):
    # mean((w x + b - y)**2) expanded: the cost does not grow with the number of pairs
    m_x, m_y, m_xx = x.mean(), y.mean(), np.mean(x * x)
    m_xy, m_yy = np.mean(x * y), np.mean(y * y)
    return w**2 * m_xx + 2 * w * b * m_x + b**2 - 2 * w * m_xy - 2 * b * m_y + m_yy


# --- the public, checked functions ------------------------------------------------------------


def make_temperature_data(
    n: int = 160,
    *,
    low: float = -30.0,
    high: float = 50.0,
    noise_std: float = NOISE_STD,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Simulate ``n`` thermometer readings: Celsius inputs and noisy Fahrenheit targets.

    The Celsius values are drawn uniformly from ``[low, high)``; each Fahrenheit value is
    the exact conversion ``1.8 * c + 32`` plus Gaussian measurement noise with standard
    deviation ``noise_std`` (in degrees Fahrenheit).

    Parameters
    ----------
    n : int, default 160
        Number of pairs, at least 2.
    low, high : float, default -30.0 and 50.0
        Range of the Celsius readings, ``low < high``.
    noise_std : float, default :data:`NOISE_STD`
        Standard deviation of the measurement noise, >= 0.
    seed : int, default 0
        Seed of the NumPy generator, so the data are the same on every build.

    Returns
    -------
    celsius, fahrenheit : numpy.ndarray
        Two float64 arrays of shape ``(n,)``.

    Raises
    ------
    TypeError
        If ``n`` or ``seed`` is not an int, or a bound or ``noise_std`` is not a number.
    ValueError
        If ``n < 2``, ``low >= high`` (or their range overflows), ``noise_std < 0``,
        ``seed < 0``, a number is not finite or is a bool, or the values overflow.
    """
    n = _checks.as_int(n, "n", minimum=2)
    seed = _checks.as_seed(seed)
    low = _checks.as_float(low, "low")
    high = _checks.as_float(high, "high")
    noise_std = _checks.as_float(noise_std, "noise_std", minimum=0.0)
    if not low < high:
        raise ValueError(f"low must be below high, got low={low}, high={high}")
    if not np.isfinite(high - low):
        raise ValueError(f"high - low overflows, got low={low}, high={high}")
    with np.errstate(over="ignore", invalid="ignore"):
        celsius, fahrenheit = _make_temperature_data(n, low, high, noise_std, seed)
    if not np.all(np.isfinite(fahrenheit)):
        raise ValueError(
            "the Fahrenheit values overflow: low, high or noise_std is too large"
        )
    return celsius, fahrenheit


def train_test_split(
    x: np.ndarray, y: np.ndarray, *, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the pairs and hold out a fraction of them for testing.

    Parameters
    ----------
    x, y : numpy.ndarray
        Inputs and targets, one-dimensional, same length (at least 2), finite.
    test_fraction : float, default 0.2
        Fraction of the pairs held out, strictly between 0 and 1. The test set gets
        ``round(test_fraction * n)`` pairs, at least one, and the training set at least one.
    seed : int, default 0
        Seed of the shuffle.

    Returns
    -------
    x_train, y_train, x_test, y_test : numpy.ndarray
        float64 arrays.

    Raises
    ------
    TypeError
        If an array is not numeric, ``test_fraction`` is not a number or ``seed`` not an int.
    ValueError
        If the arrays are not 1-D, empty, non-finite, of different lengths or too short to
        split, ``test_fraction`` is not in (0, 1), or ``seed < 0``.
    """
    x = _checks.as_array(x, "x", ndim=1)
    y = _checks.as_array(y, "y", ndim=1)
    _checks.same_length(x=x, y=y)
    test_fraction = _checks.as_float(
        test_fraction, "test_fraction", above=0.0, below=1.0
    )
    seed = _checks.as_seed(seed)
    if x.size < 2:
        raise ValueError(f"x and y need at least 2 pairs to split, got {x.size}")
    n_test = min(max(round(test_fraction * x.size), 1), x.size - 1)
    order = np.random.default_rng(seed).permutation(x.size)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def random_initial_parameters(
    seed: int = 0, *, scale: float = 1.0
) -> tuple[float, float]:
    """Draw a starting weight and bias from a normal distribution, as a neuron starts.

    Parameters
    ----------
    seed : int, default 0
        Seed of the NumPy generator.
    scale : float, default 1.0
        Standard deviation of the normal distribution, > 0.

    Returns
    -------
    w0, b0 : float
        The starting weight and bias.

    Raises
    ------
    TypeError
        If ``seed`` is not an int or ``scale`` not a number.
    ValueError
        If ``seed < 0`` or ``scale`` is not a finite number > 0.
    """
    seed = _checks.as_seed(seed)
    scale = _checks.as_float(scale, "scale", above=0.0)
    w0, b0 = np.random.default_rng(seed).normal(0.0, scale, size=2)
    return float(w0), float(b0)


def predict(x: np.ndarray, w: float, b: float) -> np.ndarray:
    """The forward pass of one linear neuron: ``w * x + b``.

    Parameters
    ----------
    x : numpy.ndarray
        Inputs, one-dimensional, non-empty, finite.
    w, b : float
        Weight and bias, finite.

    Returns
    -------
    numpy.ndarray
        float64 predictions of the same shape as ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or ``w`` or ``b`` is not a number.
    ValueError
        If ``x`` is not 1-D, empty or non-finite, ``w`` or ``b`` is not finite, or the
        result overflows.
    """
    x = _checks.as_array(x, "x", ndim=1)
    w, b = _checks.as_float(w, "w"), _checks.as_float(b, "b")
    with np.errstate(over="ignore", invalid="ignore"):
        y_hat = w * x + b
    if not np.all(np.isfinite(y_hat)):
        raise ValueError("w * x + b overflows float64: x, w or b is too large")
    return y_hat


def mse(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """Mean squared error between predictions and targets.

    Parameters
    ----------
    y_pred, y_true : numpy.ndarray
        One-dimensional, same length, non-empty, finite.

    Returns
    -------
    float
        ``mean((y_pred - y_true) ** 2)``, in squared units of ``y``.

    Raises
    ------
    TypeError
        If an array is not numeric.
    ValueError
        If the arrays are not 1-D, empty, non-finite or of different lengths, or the squared
        error overflows.
    """
    y_pred = _checks.as_array(y_pred, "y_pred", ndim=1)
    y_true = _checks.as_array(y_true, "y_true", ndim=1)
    _checks.same_length(y_pred=y_pred, y_true=y_true)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(_mse(y_pred, y_true))
    if not np.isfinite(loss):
        raise ValueError(
            "the squared error overflows float64: y_pred or y_true is too large"
        )
    return loss


def mse_gradients(
    x: np.ndarray, y: np.ndarray, w: float, b: float
) -> tuple[float, float]:
    """The backward pass: the partial derivatives of the MSE in ``w`` and ``b``.

    With the residuals ``r = w * x + b - y`` over ``n`` pairs,
    ``dL/dw = (2 / n) * sum(r * x)`` and ``dL/db = (2 / n) * sum(r)``.

    Parameters
    ----------
    x, y : numpy.ndarray
        Inputs and targets, one-dimensional, same length, non-empty, finite.
    w, b : float
        The point at which the gradient is taken, finite.

    Returns
    -------
    dw, db : float
        ``dL/dw`` and ``dL/db``.

    Raises
    ------
    TypeError
        If an array is not numeric or ``w`` or ``b`` is not a number.
    ValueError
        If the arrays are not 1-D, empty, non-finite or of different lengths, ``w`` or ``b``
        is not finite, or the gradient overflows.
    """
    x = _checks.as_array(x, "x", ndim=1)
    y = _checks.as_array(y, "y", ndim=1)
    _checks.same_length(x=x, y=y)
    w, b = _checks.as_float(w, "w"), _checks.as_float(b, "b")
    with np.errstate(over="ignore", invalid="ignore"):
        dw, db = _mse_gradients(x, y, w, b)
    if not (np.isfinite(dw) and np.isfinite(db)):
        raise ValueError("the gradient overflows float64: x, y, w or b is too large")
    return float(dw), float(db)


def mse_hessian(x: np.ndarray) -> np.ndarray:
    """The Hessian of the MSE in ``(w, b)``: constant, because the loss is quadratic.

    ``H = 2 * [[mean(x**2), mean(x)], [mean(x), 1]]``; it does not depend on ``y``,
    ``w`` or ``b``.

    Parameters
    ----------
    x : numpy.ndarray
        Inputs, one-dimensional, non-empty, finite.

    Returns
    -------
    numpy.ndarray
        A symmetric float64 array of shape (2, 2), rows and columns ordered ``(w, b)``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.
    ValueError
        If ``x`` is not 1-D, empty or non-finite, or so large that ``mean(x**2)`` overflows.
    """
    x = _checks.as_array(x, "x", ndim=1)
    with np.errstate(over="ignore"):
        hessian = _mse_hessian(x)
    if not np.all(np.isfinite(hessian)):
        raise ValueError("x is too large: mean(x**2) overflows float64")
    return hessian


def largest_stable_learning_rate(x: np.ndarray) -> float:
    """The step size above which gradient descent on the MSE diverges: ``2 / lambda_max``.

    Along the Hessian's eigenvector with eigenvalue ``lambda``, one step multiplies the
    distance to the minimum by ``1 - learning_rate * lambda``. Every direction shrinks
    exactly when ``learning_rate < 2 / lambda_max``.

    Parameters
    ----------
    x : numpy.ndarray
        Inputs, one-dimensional, non-empty, finite.

    Returns
    -------
    float
        ``2 / lambda_max`` of :func:`mse_hessian` of ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not an array of numbers.
    ValueError
        If ``x`` is not a non-empty, finite 1-D array, or ``mean(x**2)`` overflows.
    """
    x = _checks.as_array(x, "x", ndim=1)
    mse_hessian(x)  # raises if mean(x**2) overflows
    return float(_largest_stable_learning_rate(x))


@dataclass(frozen=True)
class GDHistory:
    """The whole record of a gradient-descent run.

    Entry ``k`` of each array holds the value after ``k`` steps (entry 0 is the start), so
    a run of ``steps`` steps that did not diverge has ``steps + 1`` entries.

    Attributes
    ----------
    w : numpy.ndarray
        Weight after each step.
    b : numpy.ndarray
        Bias after each step.
    train_loss : numpy.ndarray
        Training MSE after each step.
    test_loss : numpy.ndarray or None
        Test MSE after each step, or ``None`` when no test set was given.
    learning_rate : float
        The step size used.
    diverged : bool
        True when the run stopped early because the loss became non-finite or grew past
        ``blowup`` times its starting value. The arrays then end at the last finite step.

    Raises
    ------
    TypeError
        If an array is not numeric, ``learning_rate`` is not a number or ``diverged`` is
        not a bool.
    ValueError
        If an array is not 1-D, empty or non-finite, the arrays differ in length, or
        ``learning_rate`` is not a finite number > 0.
    """

    w: np.ndarray
    b: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray | None
    learning_rate: float
    diverged: bool

    def __post_init__(self) -> None:
        names = ("w", "b", "train_loss") + (
            () if self.test_loss is None else ("test_loss",)
        )
        arrays = {
            name: _checks.as_array(getattr(self, name), name, ndim=1) for name in names
        }
        _checks.same_length(**arrays)
        for name, array in arrays.items():
            object.__setattr__(self, name, array)
        learning_rate = _checks.as_float(self.learning_rate, "learning_rate", above=0.0)
        object.__setattr__(self, "learning_rate", learning_rate)
        object.__setattr__(self, "diverged", _checks.as_bool(self.diverged, "diverged"))

    @property
    def steps_run(self) -> int:
        """Number of steps recorded after the start."""
        return int(self.w.size - 1)


def gradient_descent(
    x: np.ndarray,
    y: np.ndarray,
    *,
    learning_rate: float,
    steps: int,
    w0: float = 0.0,
    b0: float = 0.0,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    target_loss: float | None = None,
    blowup: float = 1e6,
) -> GDHistory:
    """Fit ``w`` and ``b`` by full-batch gradient descent on the training MSE.

    Each step computes the gradient (the core of :func:`mse_gradients`) and moves against
    it: ``w -= learning_rate * dL/dw`` and ``b -= learning_rate * dL/db``. A run that
    diverges stops early and says so in :attr:`GDHistory.diverged`; it never returns
    ``nan`` or ``inf``. The arguments are checked once, before the loop.

    Parameters
    ----------
    x, y : numpy.ndarray
        Training inputs and targets, one-dimensional, same length, non-empty, finite.
    learning_rate : float
        Step size, > 0.
    steps : int
        Number of updates, >= 1.
    w0, b0 : float, default 0.0
        Starting weight and bias.
    x_test, y_test : numpy.ndarray, optional
        A held-out set, given together, on which the loss is also recorded at every step.
    target_loss : float, optional
        Stop as soon as the training loss is at or below this value (>= 0); the history then
        ends at that step. By default all ``steps`` are run.
    blowup : float, default 1e6
        The run counts as diverged once the training loss exceeds ``blowup`` times its
        starting value (or stops being finite); must be > 1.

    Returns
    -------
    GDHistory
        Parameters and losses at every step.

    Raises
    ------
    TypeError
        If an array is not numeric, ``steps`` is not an int, or a number is not a number.
    ValueError
        If the data are not 1-D, empty, non-finite or of different lengths, only one of
        ``x_test`` and ``y_test`` is given, ``learning_rate <= 0``, ``steps < 1``,
        ``target_loss < 0``, ``blowup <= 1``, a number is not finite or is a bool, or the
        starting loss overflows.
    """
    x = _checks.as_array(x, "x", ndim=1)
    y = _checks.as_array(y, "y", ndim=1)
    _checks.same_length(x=x, y=y)
    learning_rate = _checks.as_float(learning_rate, "learning_rate", above=0.0)
    steps = _checks.as_int(steps, "steps", minimum=1)
    w0, b0 = _checks.as_float(w0, "w0"), _checks.as_float(b0, "b0")
    blowup = _checks.as_float(blowup, "blowup", above=1.0)
    if target_loss is not None:
        target_loss = _checks.as_float(target_loss, "target_loss", minimum=0.0)
    if (x_test is None) != (y_test is None):
        raise ValueError("x_test and y_test must be given together")
    if x_test is not None:
        x_test = _checks.as_array(x_test, "x_test", ndim=1)
        y_test = _checks.as_array(y_test, "y_test", ndim=1)
        _checks.same_length(x_test=x_test, y_test=y_test)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported as data
        start_loss = _mse(w0 * x + b0, y)
        if not np.isfinite(start_loss):
            raise ValueError(
                "the starting loss overflows: x, y, w0 or b0 are too large"
            )
        max_loss = blowup * max(start_loss, np.finfo(np.float64).tiny)
        w, b, train_loss, diverged = _gradient_descent(
            x, y, learning_rate, steps, w0, b0, max_loss, target_loss
        )
        test_loss = None
        if x_test is not None:
            params = zip(w, b, strict=True)
            test_loss = [_mse(wk * x_test + bk, y_test) for wk, bk in params]
    if test_loss is not None and not np.all(np.isfinite(test_loss)):
        raise ValueError("the test loss overflows: x_test or y_test is too large")
    return GDHistory(
        w=np.array(w, dtype=np.float64),
        b=np.array(b, dtype=np.float64),
        train_loss=np.array(train_loss, dtype=np.float64),
        test_loss=None if test_loss is None else np.array(test_loss, dtype=np.float64),
        learning_rate=learning_rate,
        diverged=diverged,
    )


def closed_form_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The least-squares ``w`` and ``b``, solved exactly instead of by descent.

    ``w = cov(x, y) / var(x)`` and ``b = mean(y) - w * mean(x)``: the point where both
    partial derivatives of the MSE are zero.

    Parameters
    ----------
    x, y : numpy.ndarray
        One-dimensional, same length, finite; ``x`` must not be constant.

    Returns
    -------
    w, b : float
        The minimiser of the MSE.

    Raises
    ------
    TypeError
        If an array is not numeric.
    ValueError
        If the arrays are not 1-D, empty, non-finite or of different lengths, or ``x`` is
        constant (or its spread too small or too large for float64 to give a slope).
    """
    x = _checks.as_array(x, "x", ndim=1)
    y = _checks.as_array(y, "y", ndim=1)
    _checks.same_length(x=x, y=y)
    _checks.has_spread(x, "x")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        w, b = _closed_form_fit(x, y)
    if not (np.isfinite(w) and np.isfinite(b)):
        raise ValueError(
            "x spreads too little or too much for float64 to give a finite slope"
        )
    return float(w), float(b)


def fit_standardiser(x: np.ndarray) -> tuple[float, float]:
    """The mean and standard deviation that :func:`standardise` uses.

    Compute them on the training inputs only, and reuse them for the test inputs.

    Parameters
    ----------
    x : numpy.ndarray
        One-dimensional, non-empty, finite, not constant.

    Returns
    -------
    mean, std : float
        ``mean(x)`` and the population standard deviation of ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.
    ValueError
        If ``x`` is not 1-D, empty, non-finite or constant (or its spread is too small or
        too large for float64).
    """
    x = _checks.as_array(x, "x", ndim=1)
    _checks.has_spread(x, "x")
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        mean, std = float(np.mean(x)), float(np.std(x))
    if not (np.isfinite(mean) and np.isfinite(std) and std > 0.0):
        raise ValueError(
            f"x spreads too little or too much to standardise: std = {std}"
        )
    return mean, std


def standardise(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Shift and scale inputs: ``(x - mean) / std``.

    Parameters
    ----------
    x : numpy.ndarray
        One-dimensional, non-empty, finite.
    mean, std : float
        From :func:`fit_standardiser`; ``std > 0``.

    Returns
    -------
    numpy.ndarray
        float64 array of the same shape.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or ``mean`` or ``std`` is not a number.
    ValueError
        If ``x`` is not 1-D, empty or non-finite, ``mean`` is not finite, or ``std`` is
        not a finite number > 0.
    """
    x = _checks.as_array(x, "x", ndim=1)
    mean = _checks.as_float(mean, "mean")
    std = _checks.as_float(std, "std", above=0.0)
    return _standardise(x, mean, std)


def unstandardise_parameters(
    w: float, b: float, mean: float, std: float
) -> tuple[float, float]:
    """Turn parameters learned on standardised inputs into parameters for raw inputs.

    ``w_s * (x - mean) / std + b_s = (w_s / std) * x + (b_s - w_s * mean / std)``.

    Parameters
    ----------
    w, b : float
        Weight and bias learned on ``standardise(x, mean, std)``.
    mean, std : float
        The standardiser's statistics; ``std > 0``.

    Returns
    -------
    w_raw, b_raw : float
        The same line in the original units.

    Raises
    ------
    TypeError
        If an argument is not a number.
    ValueError
        If a value is not finite or is a bool, ``std <= 0``, or the result overflows.
    """
    w, b = _checks.as_float(w, "w"), _checks.as_float(b, "b")
    mean = _checks.as_float(mean, "mean")
    std = _checks.as_float(std, "std", above=0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        w_raw, b_raw = np.float64(w) / std, b - np.float64(w) * mean / std
    if not (np.isfinite(w_raw) and np.isfinite(b_raw)):
        raise ValueError(f"w / std overflows: w = {w}, mean = {mean}, std = {std}")
    return float(w_raw), float(b_raw)


def _within(loss: np.ndarray, optimum: float, rtol: float) -> np.ndarray:
    """Checked arguments of the two step counters: is each loss within ``rtol`` of ``optimum``?"""
    loss = _checks.as_array(loss, "loss", ndim=1)
    optimum = _checks.as_float(optimum, "optimum", above=0.0)
    rtol = _checks.as_float(rtol, "rtol", above=0.0)
    return loss <= (1.0 + rtol) * optimum


def steps_to_converge(
    loss: np.ndarray, optimum: float, *, rtol: float = 1e-3
) -> int | None:
    """The first step at which the loss is within ``rtol`` of the optimal loss.

    Parameters
    ----------
    loss : numpy.ndarray
        Loss after each step (entry 0 is the start), e.g. :attr:`GDHistory.train_loss`.
    optimum : float
        The smallest achievable loss, e.g. the MSE of :func:`closed_form_fit`; > 0.
    rtol : float, default 1e-3
        Converged means ``loss <= (1 + rtol) * optimum``; > 0.

    Returns
    -------
    int or None
        The step index, or ``None`` if the run never got there.

    Raises
    ------
    TypeError
        If ``loss`` is not numeric or ``optimum`` or ``rtol`` is not a number.
    ValueError
        If ``loss`` is not 1-D, empty or non-finite, or ``optimum`` or ``rtol`` is not a
        finite number > 0.
    """
    hits = np.flatnonzero(_within(loss, optimum, rtol))
    return int(hits[0]) if hits.size else None


def loss_grid(
    x: np.ndarray, y: np.ndarray, w_values: np.ndarray, b_values: np.ndarray
) -> np.ndarray:
    """The MSE at every point of a ``(w, b)`` grid, for drawing the loss surface.

    Uses the expansion ``L = w**2 m_xx + 2 w b m_x + b**2 - 2 w m_xy - 2 b m_y + m_yy``
    (``m`` are means over the data), so the cost does not grow with the data set.

    Parameters
    ----------
    x, y : numpy.ndarray
        Inputs and targets, one-dimensional, same length, non-empty, finite.
    w_values, b_values : numpy.ndarray
        One-dimensional, non-empty, finite grids of weights and biases.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(len(b_values), len(w_values))``: row ``i``, column ``j`` is the
        loss at ``(w_values[j], b_values[i])``, the layout ``matplotlib.contour`` expects
        (and :func:`dlbook.plots.loss_contours` draws).

    Raises
    ------
    TypeError
        If an array is not numeric.
    ValueError
        If an array is not 1-D, empty or non-finite, ``x`` and ``y`` differ in length, or
        the values are so large that the loss overflows.
    """
    x = _checks.as_array(x, "x", ndim=1)
    y = _checks.as_array(y, "y", ndim=1)
    _checks.same_length(x=x, y=y)
    w = _checks.as_array(w_values, "w_values", ndim=1)[np.newaxis, :]
    b = _checks.as_array(b_values, "b_values", ndim=1)[:, np.newaxis]
    with np.errstate(over="ignore", invalid="ignore"):
        grid = _mse_from_moments(x, y, w, b)
    if not np.all(np.isfinite(grid)):
        raise ValueError(
            "the loss overflows on this grid: x, y, w_values or b_values too large"
        )
    return np.maximum(grid, 0.0)


def minibatch_gradient(
    x: np.ndarray, y: np.ndarray
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The gradient of the MSE over a mini-batch, as :func:`dlbook.optim.minimise` asks for it.

    The returned function maps ``params = [w, b]`` and an index array ``batch`` to
    ``[dL/dw, dL/db]`` of the mean squared error over the pairs ``x[batch], y[batch]``: the
    formula of :func:`mse_gradients`, on a subset. ``x`` and ``y`` are checked once, here;
    the function itself checks nothing, so a training loop can call it at every step.

    Parameters
    ----------
    x, y : numpy.ndarray
        Training inputs and targets, one-dimensional, same length, non-empty, finite.

    Returns
    -------
    callable
        ``gradient(params, batch) -> numpy.ndarray`` of shape (2,).

    Raises
    ------
    TypeError
        If an array is not numeric.
    ValueError
        If the arrays are not 1-D, empty, non-finite or of different lengths.
    """
    x = _checks.as_array(x, "x", ndim=1)
    y = _checks.as_array(y, "y", ndim=1)
    _checks.same_length(x=x, y=y)
    return partial(_minibatch_gradient, x, y)


def largest_stable_minibatch_rate(x: np.ndarray) -> float:
    """The learning rate below which every mini-batch step, even on one sample, is stable.

    One sample's loss ``(w * x_i + b - y_i)**2`` has the Hessian
    ``2 * [[x_i**2, x_i], [x_i, 1]]``, whose largest eigenvalue is ``2 * (1 + x_i**2)``, so
    a step on it alone shrinks the error (or leaves it) only when the rate is below
    ``2 / (2 * (1 + x_i**2))``. A mini-batch's Hessian is the mean of its samples'
    Hessians, and its largest eigenvalue is at most the largest of theirs: the rate
    ``1 / (1 + max(x**2))`` keeps every step of every batch size stable.

    Parameters
    ----------
    x : numpy.ndarray
        Inputs, one-dimensional, non-empty, finite.

    Returns
    -------
    float
        ``1 / (1 + max(x**2))``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.
    ValueError
        If ``x`` is not 1-D, empty or non-finite, or ``x**2`` overflows.
    """
    x = _checks.as_array(x, "x", ndim=1)
    with np.errstate(over="ignore", under="ignore"):
        rate = _largest_stable_minibatch_rate(x)
    if not rate > 0.0:
        raise ValueError("x is too large: x**2 overflows float64")
    return float(rate)


def losses_along_path(x: np.ndarray, y: np.ndarray, params: np.ndarray) -> np.ndarray:
    """The MSE on ``x, y`` at every ``(w, b)`` of a recorded path.

    Parameters
    ----------
    x, y : numpy.ndarray
        Inputs and targets, one-dimensional, same length, non-empty, finite.
    params : numpy.ndarray
        Shape ``(k, 2)``, one ``(w, b)`` per row, e.g. :attr:`dlbook.optim.Trajectory.params`.

    Returns
    -------
    numpy.ndarray
        Shape ``(k,)``: the loss at each row, from the expansion that :func:`loss_grid`
        uses (the cost does not grow with the number of pairs).

    Raises
    ------
    TypeError
        If an array is not numeric.
    ValueError
        If an array is empty or non-finite, has the wrong shape, ``x`` and ``y`` differ in
        length, or the loss overflows.
    """
    x = _checks.as_array(x, "x", ndim=1)
    y = _checks.as_array(y, "y", ndim=1)
    _checks.same_length(x=x, y=y)
    params = _checks.as_array(params, "params", shape=(None, 2))
    with np.errstate(over="ignore", invalid="ignore"):
        losses = _mse_from_moments(x, y, params[:, 0], params[:, 1])
    if not np.all(np.isfinite(losses)):
        raise ValueError("the loss overflows: x, y or params is too large")
    return np.maximum(losses, 0.0)


def steps_to_settle(
    loss: np.ndarray, optimum: float, *, rtol: float = 1e-3
) -> int | None:
    """The first step from which the loss stays within ``rtol`` of the optimum to the end.

    Unlike :func:`steps_to_converge` (the first visit), a run that gets close and then
    leaves again counts only from its last return. Gradient descent on a quadratic below its
    largest stable rate never leaves, so the two agree there; momentum and Adam can leave.

    Parameters
    ----------
    loss : numpy.ndarray
        Loss after each step (entry 0 is the start).
    optimum : float
        The smallest achievable loss, > 0.
    rtol : float, default 1e-3
        Within means ``loss <= (1 + rtol) * optimum``; > 0.

    Returns
    -------
    int or None
        The step index, or ``None`` if the last recorded loss is not within ``rtol``.

    Raises
    ------
    TypeError
        If ``loss`` is not numeric or ``optimum`` or ``rtol`` is not a number.
    ValueError
        If ``loss`` is not 1-D, empty or non-finite, or ``optimum`` or ``rtol`` is not a
        finite number > 0.
    """
    outside = np.flatnonzero(~_within(loss, optimum, rtol))
    if outside.size == 0:
        return 0
    return None if outside[-1] == loss.size - 1 else int(outside[-1] + 1)
