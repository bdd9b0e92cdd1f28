"""Timing helpers: how many threads BLAS may use, how fast this machine multiplies, how long
a call takes.

Timings vary from machine to machine and from minute to minute on a shared one, so the
chapters measure the matmul rate in the same run as the thing they compare with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import numpy as np

from . import _checks

__all__ = ["best_seconds", "blas_threads", "matmul_gflops"]


def blas_threads(n: int) -> AbstractContextManager[int]:
    """Run a block with NumPy's BLAS limited to ``n`` threads (through ``threadpoolctl``).

    The matrices of a small network are too small to split across threads
    with profit; on a machine shared with other processes, threads that wait
    for each other make every product many times slower.

    Parameters
    ----------
    n : int
        Number of threads, >= 1 (checked when ``blas_threads`` is called, before the block).

    Returns
    -------
    context manager
        Use it in a ``with`` statement; it yields the number of threads BLAS used
        before (0 if no BLAS library was found) and restores that number afterwards.

    Raises
    ------
    TypeError
        If ``n`` is not an int.
    ValueError
        If ``n`` is a bool or < 1.

    Examples
    --------
    >>> with blas_threads(1):
    ...     product = np.ones((4, 4)) @ np.ones((4, 4))
    """
    return _blas_threads(_checks.as_int(n, "n", minimum=1))


@contextmanager
def _blas_threads(n: int) -> Iterator[int]:
    from threadpoolctl import threadpool_info, threadpool_limits

    blas = [
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"
    ]
    with threadpool_limits(limits=n, user_api="blas"):
        yield max(blas, default=0)


def matmul_gflops(n: int = 2048, repeats: int = 3) -> float:
    """This machine's float32 matrix-product rate: the best of ``repeats`` ``n x n`` products.

    One product of two ``n x n`` matrices takes ``2 n**3`` floating-point operations.
    A first, untimed product warms up threads and caches. Call it inside
    :func:`blas_threads` to measure the rate on a given number of threads.

    Parameters
    ----------
    n : int, default 2048
        Size of the square matrices, >= 1.
    repeats : int, default 3
        Timed products, >= 1; the fastest counts (the others were slowed by something else).

    Returns
    -------
    float
        GFLOP/s (10**9 floating-point operations per second).

    Raises
    ------
    TypeError
        If ``n`` or ``repeats`` is not an int.
    ValueError
        If ``n`` or ``repeats`` is a bool or < 1.
    """
    n = _checks.as_int(n, "n", minimum=1)
    repeats = _checks.as_int(repeats, "repeats", minimum=1)
    return _matmul_gflops(n, repeats)


def _matmul_gflops(n: int, repeats: int) -> float:
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, b, out=out)  # warm-up: threads, caches
    best = _best_seconds(lambda: np.matmul(a, b, out=out), repeats)
    return 2 * n**3 / max(best, 1e-9) / 1e9  # a tiny product may read 0 s


def best_seconds(fn: Callable[[], object], repeats: int = 5, number: int = 1) -> float:
    """Wall-clock seconds of one call of ``fn()``: the fastest of ``repeats`` timings.

    Each timing runs ``fn()`` ``number`` times in a row and divides by ``number`` (like
    :func:`timeit.repeat`), so that quick calls can be timed in blocks as long as a slow
    call's. On a shared machine a timing is only ever slowed down by other work, never
    sped up, so the fastest is the best estimate of what the call itself costs.

    Parameters
    ----------
    fn : callable
        Called with no arguments, e.g. ``lambda: forward(net, x)``; its result is ignored.
    repeats : int, default 5
        Number of timings, >= 1.
    number : int, default 1
        Calls per timing, >= 1.

    Returns
    -------
    float
        Seconds per call, from the fastest timing.

    Raises
    ------
    TypeError
        If ``fn`` is not callable or ``repeats`` or ``number`` not an int.
    ValueError
        If ``repeats`` or ``number`` is a bool or < 1.
    """
    if not callable(fn):
        raise TypeError(
            f"fn must be a function of no arguments, got {type(fn).__name__}"
        )
    repeats = _checks.as_int(repeats, "repeats", minimum=1)
    return _best_seconds(fn, repeats, _checks.as_int(number, "number", minimum=1))


def _best_seconds(fn: Callable[[], object], repeats: int, number: int = 1) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best
