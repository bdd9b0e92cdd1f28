"""One neuron, two parameters: linear regression from Celsius to Fahrenheit by gradient descent.

The model is ``y_hat = w * x + b`` with the mean squared error (MSE) loss

    L(w, b) = mean((w * x + b - y) ** 2).

Everything here works in float64: the data set is tiny, and the gradient checks in the
tests need the precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "NOISE_STD",
    "TRUE_BIAS",
    "TRUE_WEIGHT",
    "GDHistory",
    "closed_form_fit",
    "fit_standardiser",
    "gradient_descent",
    "largest_stable_learning_rate",
    "loss_grid",
    "make_temperature_data",
    "mse",
    "mse_gradients",
    "mse_hessian",
    "predict",
    "random_initial_parameters",
    "standardise",
    "steps_to_converge",
    "train_test_split",
    "unstandardise_parameters",
]

TRUE_WEIGHT = 1.8
"""Degrees Fahrenheit per degree Celsius."""
TRUE_BIAS = 32.0
"""Degrees Fahrenheit at 0 degrees Celsius."""
NOISE_STD = 2.0
"""Standard deviation, in degrees Fahrenheit, of the simulated measurement noise."""


def _as_vector(values: object, name: str) -> np.ndarray:
    """Return ``values`` as a non-empty, finite, one-dimensional float64 array."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers: {error}") from error
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains non-finite values (nan or inf)")
    return array


def _as_pair(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Check ``x`` and ``y`` with :func:`_as_vector` and that their lengths match."""
    x = _as_vector(x, "x")
    y = _as_vector(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    return x, y


def _as_finite_float(value: object, name: str) -> float:
    """Return ``value`` as a finite Python float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _as_count(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as a Python int that is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


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
        If ``n`` or ``seed`` is not an int.
    ValueError
        If ``n < 2``, ``low >= high``, ``noise_std < 0`` or ``seed < 0``.
    """
    n = _as_count(n, "n", 2)
    seed = _as_count(seed, "seed", 0)
    low = _as_finite_float(low, "low")
    high = _as_finite_float(high, "high")
    noise_std = _as_finite_float(noise_std, "noise_std")
    if low >= high:
        raise ValueError(f"low must be below high, got low={low}, high={high}")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
    rng = np.random.default_rng(seed)
    celsius = rng.uniform(low, high, size=n)
    fahrenheit = TRUE_WEIGHT * celsius + TRUE_BIAS + rng.normal(0.0, noise_std, size=n)
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
    ValueError
        If the arrays are empty, non-finite, of different lengths or too short to split,
        or if ``test_fraction`` is not in (0, 1).
    """
    x, y = _as_pair(x, y)
    test_fraction = _as_finite_float(test_fraction, "test_fraction")
    seed = _as_count(seed, "seed", 0)
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    if x.size < 2:
        raise ValueError(f"need at least 2 pairs to split, got {x.size}")
    n_test = min(max(round(test_fraction * x.size), 1), x.size - 1)
    order = np.random.default_rng(seed).permutation(x.size)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def random_initial_parameters(seed: int = 0, *, scale: float = 1.0) -> tuple[float, float]:
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
    ValueError
        If ``seed < 0`` or ``scale <= 0``.
    """
    seed = _as_count(seed, "seed", 0)
    scale = _as_finite_float(scale, "scale")
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    w0, b0 = np.random.default_rng(seed).normal(0.0, scale, size=2)
    return float(w0), float(b0)


def predict(x: np.ndarray, w: float, b: float) -> np.ndarray:
    """The forward pass of one linear neuron: ``w * x + b``.

    Parameters
    ----------
    x : numpy.ndarray
        Inputs, one-dimensional, non-empty, finite.
    w, b : float
        Weight and bias.

    Returns
    -------
    numpy.ndarray
        float64 predictions of the same shape as ``x``.

    Raises
    ------
    ValueError
        If ``x`` is empty or non-finite, or ``w`` or ``b`` is not finite.
    """
    x = _as_vector(x, "x")
    return _as_finite_float(w, "w") * x + _as_finite_float(b, "b")


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
    ValueError
        If the arrays are empty, non-finite or of different lengths.
    """
    y_pred, y_true = _as_pair(y_pred, y_true)
    return float(np.mean((y_pred - y_true) ** 2))


def mse_gradients(x: np.ndarray, y: np.ndarray, w: float, b: float) -> tuple[float, float]:
    """The backward pass: the partial derivatives of the MSE in ``w`` and ``b``.

    With the residuals ``r = w * x + b - y`` over ``n`` pairs,
    ``dL/dw = (2 / n) * sum(r * x)`` and ``dL/db = (2 / n) * sum(r)``.

    Parameters
    ----------
    x, y : numpy.ndarray
        Inputs and targets, one-dimensional, same length, non-empty, finite.
    w, b : float
        The point at which the gradient is taken.

    Returns
    -------
    dw, db : float
        ``dL/dw`` and ``dL/db``.

    Raises
    ------
    ValueError
        If the arrays are empty, non-finite or of different lengths.
    """
    x, y = _as_pair(x, y)
    residual = w * x + b - y
    dw = 2.0 * np.mean(residual * x)
    db = 2.0 * np.mean(residual)
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
    ValueError
        If ``x`` is empty or non-finite.
    """
    x = _as_vector(x, "x")
    mean_x = np.mean(x)
    return 2.0 * np.array([[np.mean(x**2), mean_x], [mean_x, 1.0]])


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
    ValueError
        If ``x`` is empty or non-finite.
    """
    return float(2.0 / np.linalg.eigvalsh(mse_hessian(x))[-1])


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
    """

    w: np.ndarray
    b: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray | None
    learning_rate: float
    diverged: bool

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

    Each step computes the gradient with :func:`mse_gradients` and moves against it:
    ``w -= learning_rate * dL/dw`` and ``b -= learning_rate * dL/db``. A run that
    diverges stops early and says so in :attr:`GDHistory.diverged`; it never
    returns ``nan`` or ``inf``.

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
    ValueError
        If the data are empty, non-finite or of different lengths, only one of ``x_test``
        and ``y_test`` is given, ``learning_rate <= 0``, ``steps < 1``, ``target_loss < 0``
        or ``blowup <= 1``.
    TypeError
        If ``steps`` is not an int.
    """
    x, y = _as_pair(x, y)
    learning_rate = _as_finite_float(learning_rate, "learning_rate")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    steps = _as_count(steps, "steps", 1)
    blowup = _as_finite_float(blowup, "blowup")
    if blowup <= 1:
        raise ValueError(f"blowup must be > 1, got {blowup}")
    if target_loss is not None:
        target_loss = _as_finite_float(target_loss, "target_loss")
        if target_loss < 0:
            raise ValueError(f"target_loss must be >= 0, got {target_loss}")
    if (x_test is None) != (y_test is None):
        raise ValueError("x_test and y_test must be given together")
    has_test = x_test is not None
    if has_test:
        x_test, y_test = _as_pair(x_test, y_test)

    w = np.empty(steps + 1)
    b = np.empty(steps + 1)
    train = np.empty(steps + 1)
    test = np.empty(steps + 1)
    w[0], b[0] = _as_finite_float(w0, "w0"), _as_finite_float(b0, "b0")
    train[0] = np.mean((w[0] * x + b[0] - y) ** 2)
    if has_test:
        test[0] = np.mean((w[0] * x_test + b[0] - y_test) ** 2)
    limit = blowup * max(train[0], np.finfo(np.float64).tiny)

    # The loop: one full-batch gradient step per iteration.
    last, diverged = steps, False
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported as data
        for k in range(1, steps + 1):
            dw, db = mse_gradients(x, y, w[k - 1], b[k - 1])
            w[k] = w[k - 1] - learning_rate * dw
            b[k] = b[k - 1] - learning_rate * db
            train[k] = np.mean((w[k] * x + b[k] - y) ** 2)
            if not (np.isfinite(w[k]) and np.isfinite(b[k]) and train[k] <= limit):
                last, diverged = k - 1, True
                break
            if has_test:
                test[k] = np.mean((w[k] * x_test + b[k] - y_test) ** 2)
            if target_loss is not None and train[k] <= target_loss:
                last = k
                break
    keep = slice(0, last + 1)
    return GDHistory(
        w=w[keep].copy(),
        b=b[keep].copy(),
        train_loss=train[keep].copy(),
        test_loss=test[keep].copy() if has_test else None,
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
    ValueError
        If the arrays are empty, non-finite or of different lengths, or ``x`` is constant.
    """
    x, y = _as_pair(x, y)
    dx = x - x.mean()
    var_x = float(np.mean(dx**2))
    if var_x == 0.0:
        raise ValueError("x is constant, so the slope is undetermined")
    w = float(np.mean(dx * (y - y.mean())) / var_x)
    return w, float(y.mean() - w * x.mean())


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
    ValueError
        If ``x`` is empty, non-finite or constant.
    """
    x = _as_vector(x, "x")
    std = float(np.std(x))
    if std == 0.0:
        raise ValueError("x is constant, so it cannot be standardised")
    return float(np.mean(x)), std


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
    ValueError
        If ``x`` is empty or non-finite, or ``std <= 0``.
    """
    x = _as_vector(x, "x")
    mean = _as_finite_float(mean, "mean")
    std = _as_finite_float(std, "std")
    if std <= 0:
        raise ValueError(f"std must be > 0, got {std}")
    return (x - mean) / std


def unstandardise_parameters(w: float, b: float, mean: float, std: float) -> tuple[float, float]:
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
    ValueError
        If a value is not finite or ``std <= 0``.
    """
    w, b = _as_finite_float(w, "w"), _as_finite_float(b, "b")
    mean, std = _as_finite_float(mean, "mean"), _as_finite_float(std, "std")
    if std <= 0:
        raise ValueError(f"std must be > 0, got {std}")
    return w / std, b - w * mean / std


def steps_to_converge(loss: np.ndarray, optimum: float, *, rtol: float = 1e-3) -> int | None:
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
    ValueError
        If ``loss`` is empty or non-finite, or ``optimum`` or ``rtol`` is not > 0.
    """
    loss = _as_vector(loss, "loss")
    optimum = _as_finite_float(optimum, "optimum")
    rtol = _as_finite_float(rtol, "rtol")
    if optimum <= 0:
        raise ValueError(f"optimum must be > 0, got {optimum}")
    if rtol <= 0:
        raise ValueError(f"rtol must be > 0, got {rtol}")
    hits = np.flatnonzero(loss <= (1.0 + rtol) * optimum)
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
        loss at ``(w_values[j], b_values[i])``, the layout ``matplotlib.contour`` expects.

    Raises
    ------
    ValueError
        If an array is empty or non-finite, or ``x`` and ``y`` differ in length.
    """
    x, y = _as_pair(x, y)
    w = _as_vector(w_values, "w_values")[np.newaxis, :]
    b = _as_vector(b_values, "b_values")[:, np.newaxis]
    m_x, m_y, m_xx = x.mean(), y.mean(), np.mean(x * x)
    m_xy, m_yy = np.mean(x * y), np.mean(y * y)
    grid = w**2 * m_xx + 2 * w * b * m_x + b**2 - 2 * w * m_xy - 2 * b * m_y + m_yy
    return np.maximum(grid, 0.0)
