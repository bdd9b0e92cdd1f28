"""Tests of the per-layer diagnostics: activation spread and gradient norms at initialisation."""

from __future__ import annotations

import numpy as np
import pytest
from badinput import NAN, Spec, bad_input_tests

from dlbook import numpy_nn as nn
from dlbook.diagnostics import activation_spread, gradient_norms

DEEP = (50,) + (64,) * 8 + (3,)


def _batch(n: int = 200, d: int = 50, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, k, size=n)


def test_activation_spread_is_the_std_of_each_hidden_layer():
    x, _ = _batch(n=20, d=5)
    net = nn.init_mlp((5, 7, 4, 3), activation="sigmoid", seed=0, dtype=np.float64)
    _, activations = nn.forward(net, x)
    spread = activation_spread(net, x)
    assert spread == pytest.approx([a.std() for a in activations[1:]])
    assert all(isinstance(s, float) for s in spread)


def test_he_keeps_the_spread_normal_explodes_it_lecun_shrinks_it():
    x, _ = _batch()
    spread = {
        init: activation_spread(
            nn.init_mlp(DEEP, activation="relu", init=init, seed=1, dtype=np.float64), x
        )
        for init in nn.INITS
    }
    assert 0.4 < spread["he"][-1] / spread["he"][0] < 2.5
    assert spread["normal"][-1] > 100 * spread["normal"][0]
    assert spread["lecun"][-1] < spread["lecun"][0] / 4


def test_gradient_norms_are_the_norms_of_the_weight_gradients():
    x, labels = _batch(n=20, d=5)
    net = nn.init_mlp((5, 7, 4, 3), seed=0, dtype=np.float64)
    _, grad = nn.loss_and_gradient(net, x, labels)
    grad_w, _ = nn.param_views(grad, net.sizes)
    assert gradient_norms(net, x, labels) == pytest.approx([np.linalg.norm(g) for g in grad_w])


def test_sigmoid_gradients_vanish_towards_the_input_relu_gradients_do_not():
    x, labels = _batch()
    sig = gradient_norms(
        nn.init_mlp(DEEP, activation="sigmoid", seed=0, dtype=np.float64), x, labels
    )
    relu = gradient_norms(nn.init_mlp(DEEP, activation="relu", seed=0, dtype=np.float64), x, labels)
    assert sig[-1] / sig[0] > 3**6  # a factor of 3 or more per sigmoid layer
    assert max(relu) / min(relu) < 10


NET = nn.init_mlp((4, 5, 3), seed=0)
X = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
Y = np.array([0, 1, 2, 0, 1, 2])
X_CASES = [
    ("net-none", {"net": None}, TypeError, "net"),
    ("x-str", {"x": "abc"}, TypeError, "x"),
    ("x-wrong-width", {"x": np.zeros((6, 3), np.float32)}, ValueError, "x"),
    ("x-nan", {"x": np.full((6, 4), NAN, np.float32)}, ValueError, "x"),
    ("x-ints", {"x": np.zeros((6, 4), int)}, TypeError, "x"),
]

BAD_INPUT = [
    Spec(activation_spread, {"net": NET, "x": X}, extra=X_CASES),
    Spec(
        gradient_norms,
        {"net": NET, "x": X, "y": Y, "loss": "cross_entropy"},
        kinds={"y": "labels"},
        extra=[
            *X_CASES,
            ("y-short", {"y": Y[:2]}, ValueError, "y"),
            ("loss-unknown", {"loss": "hinge"}, ValueError, "loss"),
            ("loss-none", {"loss": None}, TypeError, "loss"),
        ],
    ),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)
