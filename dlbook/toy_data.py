"""Small synthetic 2-D classification data sets that no straight line separates."""

from __future__ import annotations

import numpy as np

from . import _checks

__all__ = ["make_moons"]


def make_moons(
    n_samples: int = 400, *, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles ("two moons"), one per class.

    Class 0 lies on the upper half of the unit circle centred at (0, 0), class 1
    on the lower half of the unit circle centred at (1, 0.5); both are shifted
    by Gaussian noise. The rows are shuffled.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of points, >= 2; the classes get ``n // 2`` and ``n - n // 2``.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    seed : int, default 0
        Seed of the random generator, >= 0 (same seed, same data).

    Returns
    -------
    x : numpy.ndarray
        float64 array of shape ``(n_samples, 2)``.
    y : numpy.ndarray
        int64 labels of shape ``(n_samples,)``, 0 or 1.

    Raises
    ------
    TypeError
        If ``n_samples`` or ``seed`` is not an int, or ``noise`` not a real number.
    ValueError
        If ``n_samples`` < 2, ``seed`` < 0, ``noise`` is negative or not finite, or an
        argument is a bool.

    Examples
    --------
    >>> x, y = make_moons(10, noise=0.0)
    >>> x.shape, sorted(set(y.tolist()))
    ((10, 2), [0, 1])
    """
    n_samples = _checks.as_int(n_samples, "n_samples", minimum=2)
    noise = _checks.as_float(noise, "noise", minimum=0.0)
    return _make_moons(n_samples, noise, _checks.as_seed(seed))


def _make_moons(
    n_samples: int, noise: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n0 = n_samples // 2
    n1 = n_samples - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    # class 0: centre (0, 0)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    # class 1: centre (1, 0.5)
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    x = np.vstack([upper, lower]) + rng.normal(0.0, noise, size=(n0 + n1, 2))
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    order = rng.permutation(n0 + n1)
    return x[order], y[order]
