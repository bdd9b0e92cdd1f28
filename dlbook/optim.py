"""Optimisers that update one flat parameter array in place: plain SGD and Adam.

An optimiser knows nothing about networks: it sees a 1-D float array of parameters and a
gradient of the same shape, and moves the parameters a step downhill. Any model whose
parameters live in one flat array (the NumPy network of :mod:`dlbook.numpy_nn`, the two
numbers of a linear fit) can use them.

Each optimiser has a checked public :meth:`Optimizer.step` and an unchecked core ``_step``
that training loops call once their arrays have been checked.
"""

from __future__ import annotations

import numpy as np

from . import _checks

__all__ = ["SGD", "Adam", "Optimizer"]


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

    def _state_shape(self) -> tuple[int, ...] | None:
        return None if self._m is None else self._m.shape

    def _step(self, params: np.ndarray, grad: np.ndarray) -> None:
        if self._m is None:  # the state: M, V and a scratch array, created at the first step
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
