"""Tests of the gradient checks: backpropagation against finite differences and TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest
from badinput import NAN, Spec, bad_input_tests

from dlbook import gradcheck as gc
from dlbook import numpy_nn as nn


def _batch(n: int = 12, d: int = 5, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, k, size=n), rng.normal(size=(n, k))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("sizes", [(5, 3), (5, 7, 3), (5, 6, 4, 3)])
def test_gradient_check_every_layer(activation, loss, sizes):
    x, labels, targets = _batch()
    net = nn.init_mlp(sizes, activation=activation, seed=1, dtype=np.float64)
    y = labels if loss == "cross_entropy" else targets
    errors = gc.gradient_check(net, x, y, loss=loss)
    assert set(errors) == {f"{p}{i}" for i in range(1, len(sizes)) for p in "Wb"}
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_catches_a_wrong_gradient():
    x, labels, _ = _batch()
    net = nn.init_mlp((5, 4, 3), seed=1, dtype=np.float64)
    _, analytic = nn.loss_and_gradient(net, x, labels)
    wrong = analytic.copy()
    wrong[:3] *= 2.0  # three entries of W1 off by a factor of two
    numeric = gc.numerical_gradient(net, x, labels)
    errors = gc.compare_gradients(net, wrong, numeric)
    assert errors["W1"] > 1e-3
    assert max(v for k, v in errors.items() if k != "W1") < 1e-6


def test_numerical_gradient_leaves_a_float32_network_unchanged():
    x, labels, _ = _batch()
    net = nn.init_mlp((5, 3), seed=0)
    before = net.params.copy()
    grad = gc.numerical_gradient(net, x.astype(np.float32), labels)
    assert grad.dtype == np.float64
    np.testing.assert_array_equal(net.params, before)


def test_numerical_gradient_at_chosen_indices():
    x, labels, _ = _batch()
    net = nn.init_mlp((5, 4, 3), seed=1, dtype=np.float64)
    full = gc.numerical_gradient(net, x, labels)
    chosen = np.array([7, 0, 30, 7])
    np.testing.assert_array_equal(
        gc.numerical_gradient(net, x, labels, indices=chosen), full[chosen]
    )


def test_relative_error():
    assert gc.relative_error(np.ones(3), np.ones(3)) == 0.0
    assert gc.relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert gc.relative_error(np.array([1.0]), np.array([-1.0])) == pytest.approx(1.0)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_agrees_with_tensorflow_gradient_tape(activation, loss):
    x, labels, targets = _batch(n=16, d=20, k=10)
    net = nn.init_mlp((20, 16, 16, 10), activation=activation, seed=2, dtype=np.float64)
    y = labels if loss == "cross_entropy" else targets
    ours_loss, ours = nn.loss_and_gradient(net, x, y, loss=loss)
    tf_loss, theirs = gc.tensorflow_gradient(net, x, y, loss=loss)
    assert ours_loss == pytest.approx(tf_loss, rel=1e-12)
    assert max(gc.compare_gradients(net, ours, theirs).values()) < 1e-6


def test_mnist_sized_network_agrees_with_tensorflow():
    x, labels, _ = _batch(n=32, d=784, k=10, seed=3)
    x = np.abs(x) / 4  # pixel-like, non-negative
    net = nn.init_mlp((784, 128, 128, 128, 10), seed=3, dtype=np.float64)
    _, ours = nn.loss_and_gradient(net, x, labels)
    _, theirs = gc.tensorflow_gradient(net, x, labels)
    assert max(gc.compare_gradients(net, ours, theirs).values()) < 1e-6


# --------------------------------------------------------------------------- bad input

NET = nn.init_mlp((4, 3, 10), seed=0, dtype=np.float64)  # ten classes: label 10 is out of range
X = np.linspace(-1.0, 1.0, 8).reshape(2, 4)
Y = np.array([0, 9])
GRAD = nn.loss_and_gradient(NET, X, Y)[1]
NOT_A_NET = ("not-a-net", {"net": "mlp"}, TypeError, "net")
BATCH_CASES = [
    NOT_A_NET,
    ("x-wrong-width", {"x": np.zeros((2, 3))}, ValueError, "x"),
    ("x-nan", {"x": np.full((2, 4), NAN)}, ValueError, "x"),
    ("x-ints", {"x": np.zeros((2, 4), dtype=int)}, TypeError, "x"),
    ("y-too-short", {"y": Y[:1]}, ValueError, "y"),
    ("loss-unknown", {"loss": "hinge"}, ValueError, "loss"),
    ("loss-int", {"loss": 1}, TypeError, "loss"),
    ("mse-with-labels", {"loss": "mse"}, ValueError, "y"),
]
CHECK = {"net": NET, "x": X, "y": Y, "loss": "cross_entropy", "eps": 1e-6}
A_CASES = [
    ("a-str", {"a": "abc"}, TypeError, "a"),
    ("a-nan", {"a": np.full(3, NAN)}, ValueError, "a"),
    ("a-empty", {"a": np.array([])}, ValueError, "a"),
    ("a-bools", {"a": np.array([True, False, True])}, ValueError, "a"),
]

BAD_INPUT = [
    Spec(
        gc.numerical_gradient,
        CHECK,
        kinds={"eps": "positive", "y": "labels"},
        extra=[
            *BATCH_CASES,
            ("indices-floats", {"indices": np.array([0.5])}, TypeError, "indices"),
            ("indices-negative", {"indices": np.array([-1])}, ValueError, "indices"),
            ("indices-too-large", {"indices": np.array([NET.num_params])}, ValueError, "indices"),
            ("indices-2-D", {"indices": np.zeros((1, 1), np.int64)}, ValueError, "indices"),
            ("indices-empty", {"indices": np.array([], np.int64)}, ValueError, "indices"),
        ],
    ),
    Spec(gc.gradient_check, CHECK, kinds={"eps": "positive", "y": "labels"}, extra=BATCH_CASES),
    Spec(
        gc.relative_error,
        {"a": np.ones(3), "b": np.array([1.0, 2.0, 3.0])},
        kinds={"b": "vector"},
        extra=[*A_CASES, ("b-broadcast", {"b": np.ones((3, 1))}, ValueError, "b")],
    ),
    Spec(
        gc.compare_gradients,
        {"net": NET, "a": GRAD, "b": GRAD},
        kinds={"b": "vector"},
        extra=[NOT_A_NET, *A_CASES, ("b-short", {"b": GRAD[:-1]}, ValueError, "b")],
    ),
    Spec(
        gc.tensorflow_gradient,
        {"net": NET, "x": X, "y": Y, "loss": "cross_entropy"},
        kinds={"y": "labels"},
        extra=BATCH_CASES,
    ),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)
