"""Tests of the synthetic 2-D data sets."""

from __future__ import annotations

import numpy as np
from badinput import Spec, bad_input_tests

from dlbook.toy_data import make_moons


def test_shapes_dtypes_and_balance():
    x, y = make_moons(101, noise=0.2, seed=3)
    assert x.shape == (101, 2)
    assert x.dtype == np.float64
    assert y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 51]


def test_same_seed_same_data_other_seed_other_data():
    a, b = make_moons(50, seed=1), make_moons(50, seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], make_moons(50, seed=2)[0])


def test_without_noise_points_lie_on_their_half_circles():
    x, y = make_moons(40, noise=0.0)
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(upper[:, 1] >= 0)
    assert np.all(lower[:, 1] <= 0.5)


def test_no_line_separates_the_classes():
    x, y = make_moons(400, noise=0.0)
    # least-squares linear classifier: the best line still misclassifies points
    design = np.column_stack([x, np.ones(len(x))])
    w, *_ = np.linalg.lstsq(design, 2.0 * y - 1.0, rcond=None)
    assert np.mean((design @ w > 0) == y) < 0.95


BAD_INPUT = [
    Spec(
        make_moons,
        {"n_samples": 10, "noise": 0.1, "seed": 0},
        kinds={"n_samples": "count", "noise": "nonnegative", "seed": "natural"},
        extra=[("n_samples-one", {"n_samples": 1}, ValueError, "n_samples")],
    )
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)
