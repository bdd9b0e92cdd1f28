"""dlbook.repro: one seed for Python, NumPy and Keras; a quiet TensorFlow import."""

from __future__ import annotations

import random

import numpy as np
from badinput import Spec, bad_input_tests

from dlbook.repro import seed_everything

BAD_INPUT = [
    Spec(
        seed_everything,
        {"seed": 3, "tensorflow": False},
        {"seed": "natural", "tensorflow": "bool"},
        extra=[("seed-too-large", {"seed": 2**32}, ValueError, "seed")],
    ),
]
BAD_INPUT_EXEMPT = {"import_tensorflow": "takes no argument"}


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


def test_seed_everything_numpy_and_python_only():
    rng = seed_everything(3, tensorflow=False)
    a = (random.random(), np.random.rand(), rng.random())  # noqa: NPY002
    rng = seed_everything(3, tensorflow=False)
    b = (random.random(), np.random.rand(), rng.random())  # noqa: NPY002
    assert a == b
    assert seed_everything(2**32 - 1, tensorflow=False).random() >= 0  # the largest seed


def test_seed_everything_makes_keras_repeatable():
    seed_everything(5)
    import keras

    first = keras.random.uniform((3,)).numpy()
    seed_everything(5)
    assert np.array_equal(first, keras.random.uniform((3,)).numpy())
