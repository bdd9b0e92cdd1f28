"""Optimisers that update one flat parameter array in place, and the loop that feeds them.

An optimiser knows nothing about networks: it sees a 1-D float array of parameters and a
gradient of the same shape, and moves the parameters a step downhill. Any model whose
parameters live in one flat array (the NumPy network of :mod:`dlbook.numpy_nn`, the two
numbers of a linear fit) can use them: plain :class:`SGD`, heavy-ball :class:`Momentum` and
:class:`Adam`.

Each optimiser has a checked public :meth:`Optimizer.step` and an unchecked core ``_step``
that training loops call once their arrays have been checked.

Around them: :func:`minibatches` (the shuffled mini-batches of one epoch), :func:`minimise`
(epochs of mini-batch steps on any gradient function, with the whole path recorded),
:func:`cosine_decay` (a learning-rate schedule) and :func:`heavy_ball_parameters` (the
optimal momentum settings for a quadratic).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

from . import _checks

__all__ = [
    "SGD",
    "Adam",
    "Momentum",
    "Optimizer",
    "Trajectory",
    "cosine_decay",
    "heavy_ball_parameters",
    "minibatches",
    "minimise",
]


class Optimizer:
    """What every optimiser shares: a checked learning rate and a checked :meth:`step`.

    Subclasses implement ``_step(params, grad)``, the update itself, without checks.

    Parameters
    ----------
    learning_rate : float
        Step size, a finite number > 0. It may be changed between steps (a schedule);
        every new value is checked.

    Raises
    ------
    TypeError
        If ``learning_rate`` is not a real number.
    ValueError
        If ``learning_rate`` is a bool, not finite, or <= 0.
    """

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate

    @property
    def learning_rate(self) -> float:
        """The step size (a finite float > 0; setting it checks the new value)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = _checks.as_float(value, "learning_rate", above=0.0)

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Move ``params`` one step against ``grad``, in place.

        Parameters
        ----------
        params : numpy.ndarray
            1-D float array of parameters, updated in place.
        grad : numpy.ndarray
            The gradient of the loss with respect to ``params``: same shape, finite.

        Raises
        ------
        TypeError
            If ``params`` is not a float NumPy array or ``grad`` is not numeric.
        ValueError
            If the shapes differ, an array is empty, holds nan or inf, or ``params``
            does not match the optimiser's state.
        """
        if not isinstance(params, np.ndarray):  # a converted copy would lose the update
            raise TypeError(
                f"params must be a NumPy array (it is updated in place), "
                f"got {type(params).__name__}"
            )
        _checks.as_array(params, "params", ndim=1, kind="float", dtype=None)
        self._match_state(params.shape, "params")
        grad = _checks.as_array(grad, "grad", shape=params.shape, dtype=params.dtype)
        self._step(params, grad)

    def _match_state(self, shape: tuple[int, ...], name: str) -> None:
        state = self._state_shape()
        if state is not None and shape != state:
            raise ValueError(
                f"{name}: this optimiser holds state for parameters of shape {state} from "
                f"earlier steps, not {shape}; use a new optimiser for other parameters"
            )

    def _state_shape(self) -> tuple[int, ...] | None:
        return None

    def _step(self, params: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define _step")


class SGD(Optimizer):
    """Plain stochastic gradient descent: ``params -= learning_rate * grad``.

    Parameters
    ----------
    learning_rate : float, default 0.1
        Step size, a finite number > 0.

    Raises
    ------
    TypeError
        If ``learning_rate`` is not a real number.
    ValueError
        If ``learning_rate`` is a bool, not finite, or <= 0.

    Examples
    --------
    >>> params = np.array([1.0, 2.0])
    >>> SGD(0.5).step(params, np.array([2.0, -2.0]))
    >>> params
    array([0., 3.])
    """

    def __init__(self, learning_rate: float = 0.1) -> None:
        super().__init__(learning_rate)

    def _step(self, params: np.ndarray, grad: np.ndarray) -> None:
        params -= self.learning_rate * grad


class Momentum(Optimizer):
    """Heavy-ball momentum (Polyak, 1964): a velocity that remembers earlier steps.

    ``velocity = beta * velocity - learning_rate * grad`` and ``params += velocity``; the
    same update as Keras's ``SGD(momentum=beta)``. Written without the velocity it is
    ``theta_next = theta - learning_rate * grad + beta * (theta - theta_previous)``. The
    velocity is created at the first step, for the shape of the parameters of that step.

    Parameters
    ----------
    learning_rate : float, default 0.01
        Step size, a finite number > 0.
    beta : float, default 0.9
        How much of the previous step is kept, in [0, 1); 0 is plain SGD.

    Raises
    ------
    TypeError
        If a hyper-parameter is not a real number.
    ValueError
        If a hyper-parameter is a bool, not finite, or out of range.

    Examples
    --------
    >>> params = np.array([1.0])
    >>> optimizer = Momentum(0.5, beta=0.5)
    >>> optimizer.step(params, np.array([1.0]))  # velocity -0.5
    >>> optimizer.step(params, np.array([1.0]))  # velocity 0.5 * -0.5 - 0.5 = -0.75
    >>> params
    array([-0.25])
    """

    def __init__(self, learning_rate: float = 0.01, beta: float = 0.9) -> None:
        super().__init__(learning_rate)
        self.beta = _checks.as_float(beta, "beta", minimum=0.0, below=1.0)
        self._velocity = None

    def _state_shape(self) -> tuple[int, ...] | None:
        return None if self._velocity is None else self._velocity.shape

    def _step(self, params: np.ndarray, grad: np.ndarray) -> None:
        if self._velocity is None:  # at rest before the first step
            self._velocity = np.zeros_like(params)
        self._velocity *= self.beta  # keep part of the last step
        self._velocity -= self.learning_rate * grad  # add a gradient step
        params += self._velocity


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), the same update as Keras's ``Adam``.

    Keras keeps running means of the gradient, ``m = beta1 m + (1 - beta1) g``,
    and of its square, ``v = beta2 v + (1 - beta2) g**2``, and moves
    ``params -= alpha_t * m / (sqrt(v) + eps)`` with the bias correction folded
    into ``alpha_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)``.

    Here the state is stored rescaled, ``M = m / (1 - beta1)`` and
    ``V = v / (1 - beta2)``, so each running mean costs two or three whole-array
    operations (``M = beta1 M + g``); the constants move into the step size and
    ``eps``. All ten operations of a step work in place on the flat parameter
    array, which is what makes small batches cheap. The state is created at the
    first step, for the shape of the parameters of that step.

    Parameters
    ----------
    learning_rate : float, default 1e-3
        Step size, a finite number > 0.
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the two running means, in [0, 1).
    eps : float, default 1e-7
        Added to ``sqrt(v)`` (Keras's default), a finite number > 0.

    Raises
    ------
    TypeError
        If a hyper-parameter is not a real number.
    ValueError
        If a hyper-parameter is a bool, not finite, or out of range.
    """

    def __init__(
        self,
        learning_rate: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate)
        self.beta1 = _checks.as_float(beta1, "beta1", minimum=0.0, below=1.0)
        self.beta2 = _checks.as_float(beta2, "beta2", minimum=0.0, below=1.0)
        self.eps = _checks.as_float(eps, "eps", above=0.0)
        self.t = 0
        self._m = self._v = self._tmp = None

    @property
    def second_moment(self) -> np.ndarray | None:
        """``v_hat``: the bias-corrected running mean of squared gradients, per parameter.

        ``v / (1 - beta2**t)`` after ``t`` steps (a new array), or ``None`` before the first
        step. ``learning_rate / sqrt(v_hat)`` is, roughly, the rate each parameter gets.
        """
        if self._v is None:
            return None
        return self._v * ((1 - self.beta2) / (1 - self.beta2**self.t))  # _v holds V

    def _state_shape(self) -> tuple[int, ...] | None:
        return None if self._m is None else self._m.shape

    def _step(self, params: np.ndarray, grad: np.ndarray) -> None:
        # the state: M, V and a scratch array, created at the first step
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
        alpha_t = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        alpha = alpha_t * (1 - b1) / c
        np.sqrt(v, out=tmp)  # params -= alpha * M / (sqrt(V) + eps / c)
        tmp += self.eps / c
        np.divide(m, tmp, out=tmp)
        tmp *= alpha
        params -= tmp


# --- mini-batches, the training loop, schedules ------------------------------------------------


def _minibatches(n, batch_size, rng):
    order = rng.permutation(n)  # a new random order every epoch
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def _minimise(
    gradient, params, optimizer, n, batch_size, epochs, rng, schedule, max_abs, watch
):
    path, rates = [params.copy()], []  # at the start, then after every step
    for _ in range(epochs):
        for batch in _minibatches(n, batch_size, rng):
            if schedule is not None:
                optimizer.learning_rate = schedule(len(rates))  # rate of this step
            rates.append(optimizer.learning_rate)
            optimizer._step(params, gradient(params, batch))
            if not np.all(np.abs(params) <= max_abs):  # nan, inf or too large
                return path, rates[:-1], True
            path.append(params.copy())
            if watch is not None:
                watch(optimizer)  # e.g. record the optimiser's state
    return path, rates, False


def _cosine_decay(step, peak, total_steps, final):
    progress = min(step, total_steps) / total_steps  # 0 to 1, then 1
    return final + (peak - final) * 0.5 * (1.0 + math.cos(math.pi * progress))


def _heavy_ball_parameters(lambda_min, lambda_max):
    root_min, root_max = math.sqrt(lambda_min), math.sqrt(lambda_max)
    learning_rate = 4.0 / (root_max + root_min) ** 2
    beta = ((root_max - root_min) / (root_max + root_min)) ** 2
    return learning_rate, beta


def minibatches(n: int, batch_size: int, *, seed: int = 0) -> Iterator[np.ndarray]:
    """The mini-batches of one epoch: ``n`` sample indices shuffled, then cut into slices.

    Every index in ``range(n)`` appears in exactly one mini-batch; all mini-batches hold
    ``batch_size`` samples except the last, which holds the rest. :func:`minimise` draws a
    new order from the same generator every epoch.

    Parameters
    ----------
    n : int
        Number of samples, >= 1.
    batch_size : int
        Samples per mini-batch, >= 1; ``batch_size >= n`` gives one batch of all samples.
    seed : int, default 0
        Seed of the shuffle, >= 0: the same seed gives the same order.

    Returns
    -------
    iterator of numpy.ndarray
        Integer index arrays, one per mini-batch, in the order the steps use them.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If an argument is a bool or out of range.
    """
    n = _checks.as_int(n, "n", minimum=1)
    batch_size = _checks.as_int(batch_size, "batch_size", minimum=1)
    rng = np.random.default_rng(_checks.as_seed(seed))
    return _minibatches(n, batch_size, rng)


@dataclass(frozen=True)
class Trajectory:
    """Everything :func:`minimise` recorded: the parameters after every step.

    Attributes
    ----------
    params : numpy.ndarray
        Shape ``(steps + 1, P)``: row 0 is the start, row ``k`` the parameters after step
        ``k``.
    learning_rate : numpy.ndarray
        Shape ``(steps,)``: the rate each step used (constant unless a schedule was given).
    evaluations : numpy.ndarray
        Shape ``(steps + 1,)``: per-sample gradients computed before each row of ``params``
        (0 at the start, then the running total of mini-batch sizes).
    n : int
        Number of samples in the data set, so ``evaluations / n`` counts epochs.
    diverged : bool
        True when the run stopped because a parameter became nan, inf or too large; the
        arrays then end at the last step that stayed finite.

    Raises
    ------
    TypeError
        If an array is not numeric, ``n`` is not an int or ``diverged`` not a bool.
    ValueError
        If an array has the wrong shape or holds nan or inf, the lengths disagree, or ``n``
        is < 1.
    """

    params: np.ndarray
    learning_rate: np.ndarray
    evaluations: np.ndarray
    n: int
    diverged: bool

    def __post_init__(self) -> None:
        params = _checks.as_array(self.params, "params", ndim=2)
        steps = params.shape[0] - 1
        rates = _checks.as_array(
            self.learning_rate, "learning_rate", shape=(steps,), nonempty=False
        )
        evaluations = _checks.as_array(
            self.evaluations, "evaluations", shape=(steps + 1,)
        )
        if np.any(rates <= 0):
            raise ValueError("learning_rate must hold rates > 0")
        if evaluations[0] != 0 or np.any(np.diff(evaluations) <= 0):
            raise ValueError("evaluations must start at 0 and grow with every step")
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "learning_rate", rates)
        object.__setattr__(self, "evaluations", evaluations)
        object.__setattr__(self, "n", _checks.as_int(self.n, "n", minimum=1))
        object.__setattr__(self, "diverged", _checks.as_bool(self.diverged, "diverged"))

    @property
    def steps(self) -> int:
        """Number of steps recorded after the start."""
        return int(self.params.shape[0] - 1)

    @property
    def epochs(self) -> np.ndarray:
        """Passes over the data before each row of :attr:`params`: ``evaluations / n``."""
        return self.evaluations / self.n


def minimise(
    gradient: Callable[[np.ndarray, np.ndarray], np.ndarray],
    params: np.ndarray,
    optimizer: Optimizer,
    *,
    n: int,
    batch_size: int,
    epochs: int,
    seed: int = 0,
    schedule: Callable[[int], float] | None = None,
    max_abs: float = 1e6,
    watch: Callable[[Optimizer], None] | None = None,
) -> Trajectory:
    """Run ``epochs`` passes of mini-batch steps and record the parameters after each step.

    Every epoch shuffles the ``n`` samples (:func:`minibatches`); every mini-batch asks
    ``gradient(params, batch)`` for the mean gradient over the samples ``batch`` and hands
    it to ``optimizer``. ``params`` is not changed: the run works on a copy. ``gradient``
    is called once on the first mini-batch to check what it returns; after that the loop
    calls the optimiser's unchecked core.

    Parameters
    ----------
    gradient : callable
        ``gradient(params, batch) -> grad``: ``batch`` an integer index array, ``grad`` a
        finite float array of the shape of ``params``.
    params : numpy.ndarray
        Starting parameters, a non-empty, finite 1-D array (copied to float64).
    optimizer : Optimizer
        A fresh optimiser (its state is shaped at the first step), e.g. :class:`SGD`.
    n : int
        Number of samples the indices run over, >= 1.
    batch_size : int
        Samples per mini-batch, >= 1 (``n`` or more: full-batch gradient descent).
    epochs : int
        Passes over the data, >= 1.
    seed : int, default 0
        Seed of the shuffles, >= 0.
    schedule : callable, optional
        ``schedule(step)`` (step counted from 0) returns the learning rate of that step, a
        finite number > 0 (e.g. :func:`cosine_decay` over exactly the steps of the run);
        without it the rate stays as set. The rates of the first and the last step are
        checked before the run starts.
    max_abs : float, default 1e6
        The run counts as diverged, and stops, once a parameter exceeds this in absolute
        value (or becomes nan); > 0.
    watch : callable, optional
        ``watch(optimizer)`` is called after every step, e.g. to record
        :attr:`Adam.second_moment`.

    Returns
    -------
    Trajectory
        The parameters after every step, the rates, the gradient evaluations.

    Raises
    ------
    TypeError
        If ``gradient``, ``schedule`` or ``watch`` is not callable, ``optimizer`` not an
        :class:`Optimizer`, ``params`` not numeric, a count not an int, or ``gradient``
        does not return an array of numbers.
    ValueError
        If ``params`` is not a finite 1-D array, a count is out of range, ``max_abs`` is
        not > 0, ``optimizer`` holds state for other parameters, ``gradient`` returns an
        array of another shape or with nan or inf, or ``schedule`` returns a rate that is
        not a finite number > 0.
    """
    if not callable(gradient):
        raise TypeError(
            f"gradient must be a function (params, batch) -> grad, got {type(gradient).__name__}"
        )
    params = _checks.as_array(params, "params", ndim=1).copy()
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a dlbook.optim optimiser such as SGD(0.1), "
            f"got {type(optimizer).__name__}"
        )
    optimizer._match_state(params.shape, "optimizer")
    n = _checks.as_int(n, "n", minimum=1)
    batch_size = _checks.as_int(batch_size, "batch_size", minimum=1)
    epochs = _checks.as_int(epochs, "epochs", minimum=1)
    rng = np.random.default_rng(_checks.as_seed(seed))
    max_abs = _checks.as_float(max_abs, "max_abs", above=0.0)
    if schedule is not None and not callable(schedule):
        raise TypeError(
            f"schedule must be a function of the step, got {type(schedule).__name__}"
        )
    if watch is not None and not callable(watch):
        raise TypeError(
            f"watch must be a function of the optimiser, got {type(watch).__name__}"
        )
    # the first and the last step's rate: a schedule too short ends at 0
    if schedule is not None:
        total = epochs * -(-n // batch_size)
        for step in (0, total - 1):
            _checks.as_float(schedule(step), f"schedule({step})", above=0.0)
    first = gradient(params.copy(), np.arange(min(batch_size, n)))
    _checks.as_array(first, "gradient(params, batch)", shape=params.shape)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported as data
        path, rates, diverged = _minimise(
            gradient,
            params,
            optimizer,
            n,
            batch_size,
            epochs,
            rng,
            schedule,
            max_abs,
            watch,
        )
    sizes = [len(b) for b in _minibatches(n, batch_size, np.random.default_rng(0))]
    per_step = np.resize(sizes, len(path) - 1)  # the same sizes repeat every epoch
    return Trajectory(
        params=np.array(path),
        learning_rate=np.array(rates, dtype=np.float64),
        evaluations=np.concatenate([[0], np.cumsum(per_step)]).astype(np.float64),
        n=n,
        diverged=diverged,
    )


def cosine_decay(
    peak: float, total_steps: int, *, final: float = 0.0
) -> Callable[[int], float]:
    """A cosine learning-rate schedule, as Keras's ``CosineDecay``: from ``peak`` to ``final``.

    ``rate(step) = final + (peak - final) * (1 + cos(pi * step / total_steps)) / 2`` for
    ``step <= total_steps``, and ``final`` after. Steps count from 0, so a run of
    ``total_steps`` steps starts at ``peak`` and ends just above ``final``.

    Parameters
    ----------
    peak : float
        The first step's rate, a finite number > 0.
    total_steps : int
        Steps over which the rate decays, >= 1.
    final : float, default 0.0
        The rate at the end, >= 0 and < ``peak``. With 0 the rate at ``step >=
        total_steps`` is 0, which no optimiser accepts: run exactly ``total_steps``.

    Returns
    -------
    callable
        ``schedule(step) -> float``, for :func:`minimise`.

    Raises
    ------
    TypeError
        If an argument is not a number (``total_steps`` not an int).
    ValueError
        If an argument is a bool, not finite, or out of range.
    """
    peak = _checks.as_float(peak, "peak", above=0.0)
    total_steps = _checks.as_int(total_steps, "total_steps", minimum=1)
    final = _checks.as_float(final, "final", minimum=0.0, below=peak)
    return partial(_cosine_decay, peak=peak, total_steps=total_steps, final=final)


def heavy_ball_parameters(lambda_min: float, lambda_max: float) -> tuple[float, float]:
    """The fastest heavy-ball settings for a quadratic with Hessian eigenvalues in a range.

    ``learning_rate = 4 / (sqrt(lambda_max) + sqrt(lambda_min))**2`` and
    ``beta = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))**2`` with ``kappa = lambda_max /
    lambda_min`` the ratio of the Hessian's largest to smallest eigenvalue: then the error
    shrinks by about ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)`` per step along every
    direction, against ``(kappa - 1) / (kappa + 1)`` for gradient descent at its best rate
    ``2 / (lambda_min + lambda_max)``.

    Parameters
    ----------
    lambda_min, lambda_max : float
        The smallest and largest eigenvalue of the Hessian, ``0 < lambda_min <=
        lambda_max``, finite.

    Returns
    -------
    learning_rate, beta : float
        For :class:`Momentum`.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is a bool, not finite, not > 0, or ``lambda_min > lambda_max``.
    """
    lambda_min = _checks.as_float(lambda_min, "lambda_min", above=0.0)
    lambda_max = _checks.as_float(lambda_max, "lambda_max", above=0.0)
    if lambda_min > lambda_max:
        raise ValueError(
            f"lambda_min must be <= lambda_max, got {lambda_min} > {lambda_max}"
        )
    return _heavy_ball_parameters(lambda_min, lambda_max)
