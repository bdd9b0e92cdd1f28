"""Reproducibility: one place that seeds every random generator the book uses."""

from __future__ import annotations

import contextlib
import os
import random
import sys
from collections.abc import Iterator
from types import ModuleType

import numpy as np

from . import _checks

__all__ = ["import_tensorflow", "seed_everything"]


def import_tensorflow() -> ModuleType:
    """Import TensorFlow without its C++ start-up log and return the module.

    TensorFlow prints oneDNN and CPU-feature notices to the process's stderr when
    it is first imported; in a book those would reach the page. Setting
    ``TF_CPP_MIN_LOG_LEVEL=3`` before the first import silences most of them; the
    notice that oneDNN's kernels are on is written (twice, by TensorFlow 2.21's two
    libraries) before its logging reads that setting, so the import itself runs
    with the process's stderr (file descriptor 2) sent to ``os.devnull``. oneDNN's
    kernels stay on (``TF_ENABLE_ONEDNN_OPTS=1``, TensorFlow's own default on x86
    Linux): ``bench/keras_settings.py`` measured them faster for the book's networks
    on 2 cores, with two seeded runs bit-for-bit identical on the same machine.

    Returns
    -------
    module
        The ``tensorflow`` module.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    if "tensorflow" not in sys.modules:
        with _stderr_to_devnull():
            import tensorflow  # noqa: F401 - the first import, the one that logs
    import tensorflow as tf

    return tf


@contextlib.contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    """Send file descriptor 2 (C++ code's stderr, not only Python's) to ``os.devnull``."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def seed_everything(seed: int, *, tensorflow: bool = True) -> np.random.Generator:
    """Seed Python, NumPy and (optionally) Keras/TensorFlow, and make TF deterministic.

    Parameters
    ----------
    seed : int
        An integer in [0, 2**32); ``DLBOOK_SEED`` (default 0) is added to it, as to every
        seed of the package.
    tensorflow : bool, default True
        Also call ``keras.utils.set_random_seed`` and enable TensorFlow's
        deterministic ops. Pass ``False`` in NumPy-only code to skip importing
        TensorFlow.

    Returns
    -------
    numpy.random.Generator
        A fresh generator seeded with ``seed``, for code that takes an explicit ``rng``.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer or ``tensorflow`` not a bool.
    ValueError
        If ``seed`` is negative, at least 2**32, or a bool.
    """
    # NumPy's legacy range, then DLBOOK_SEED's offset (as every seed of the package)
    seed = _checks.as_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    seed = _checks.as_seed(seed)
    tensorflow = _checks.as_bool(tensorflow, "tensorflow")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - legacy global state some libraries still read
    if tensorflow:
        tf = import_tensorflow()
        import keras

        keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()
    return np.random.default_rng(seed)
