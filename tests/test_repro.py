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


def test_dlbook_seed_moves_every_seed_of_the_package_by_one_offset(monkeypatch):
    from dlbook import numpy_nn
    from dlbook.toy_data import make_moons

    def draws(seed):
        x, _ = make_moons(20, seed=seed)
        net = numpy_nn.init_mlp((2, 3, 2), seed=seed)
        return x, net.params.copy(), seed_everything(seed, tensorflow=False).random()

    monkeypatch.delenv("DLBOOK_SEED", raising=False)
    plain_0, plain_2 = draws(0), draws(2)
    monkeypatch.setenv("DLBOOK_SEED", "2")
    moved_0 = draws(0)
    for a, b in zip(moved_0, plain_2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(moved_0[0], plain_0[0])
    monkeypatch.setenv("DLBOOK_SEED", "0")
    for a, b in zip(draws(0), plain_0, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_bad_dlbook_seed_is_refused_by_name(monkeypatch):
    import pytest

    from dlbook.toy_data import make_moons

    for bad in ("one", "-1", "1.5"):
        monkeypatch.setenv("DLBOOK_SEED", bad)
        with pytest.raises(ValueError, match="DLBOOK_SEED"):
            make_moons(20, seed=0)
