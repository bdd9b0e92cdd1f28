"""dlbook.repro (seeding) and dlbook.report (the environment table)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from dlbook.report import cpu_model, environment
from dlbook.repro import seed_everything


def test_seed_everything_numpy_and_python_only():
    rng = seed_everything(3, tensorflow=False)
    a = (random.random(), np.random.rand(), rng.random())  # noqa: NPY002
    rng = seed_everything(3, tensorflow=False)
    b = (random.random(), np.random.rand(), rng.random())  # noqa: NPY002
    assert a == b


def test_seed_everything_makes_keras_repeatable():
    seed_everything(5)
    import keras

    first = keras.random.uniform((3,)).numpy()
    seed_everything(5)
    assert np.array_equal(first, keras.random.uniform((3,)).numpy())


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_seed_everything_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="seed"):
        seed_everything(seed, tensorflow=False)


def test_environment_reports_versions_and_cpu():
    info = environment()
    for key in ("Python", "numpy", "tensorflow", "keras", "matplotlib", "CPU", "CPU cores usable"):
        assert info[key], key
    assert info["numpy"] == np.__version__
    assert info["tensorflow"] != "not installed"
    assert int(info["CPU cores usable"]) >= 1
    assert isinstance(cpu_model(), str)
