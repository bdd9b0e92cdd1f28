"""Small synthetic 2-D classification data sets that no straight line separates."""

from __future__ import annotations

import numpy as np

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
        Seed of the random generator (same seed, same data).

    Returns
    -------
    x : numpy.ndarray
        float64 array of shape ``(n_samples, 2)``.
    y : numpy.ndarray
        int64 labels of shape ``(n_samples,)``, 0 or 1.

    Raises
    ------
    ValueError
        If ``n_samples`` < 2 or ``noise`` is negative or not finite.

    Examples
    --------
    >>> x, y = make_moons(10, noise=0.0)
    >>> x.shape, sorted(set(y.tolist()))
    ((10, 2), [0, 1])
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise ValueError(f"n_samples must be an int >= 2, got {n_samples!r}")
    if n_samples < 2:
        raise ValueError(f"n_samples must be an int >= 2, got {n_samples!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    n0 = int(n_samples) // 2
    n1 = int(n_samples) - n0
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    x = np.vstack([upper, lower]) + rng.normal(0.0, noise, size=(n0 + n1, 2))
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    order = rng.permutation(n0 + n1)
    return x[order], y[order]
