"""Tests of the optimisers: the textbook updates, Keras agreement, checked hyper-parameters."""

from __future__ import annotations

import numpy as np
import pytest
from badinput import INF, NAN, Spec, cases, check_spec_case, check_spec_valid

from dlbook.optim import SGD, Adam, Optimizer


def test_sgd_step():
    params = np.ones(3)
    SGD(0.5).step(params, np.array([1.0, 2.0, -2.0]))
    np.testing.assert_allclose(params, [0.5, 0.0, 2.0])


def test_adam_is_the_textbook_update_and_matches_keras():
    from dlbook.repro import import_tensorflow

    tf = import_tensorflow()
    import keras

    rng = np.random.default_rng(4)
    start = rng.normal(size=50)
    params, reference = start.copy(), start.copy()
    m, v = np.zeros(50), np.zeros(50)
    var = tf.Variable(start.copy())
    ours, theirs = Adam(learning_rate=0.01), keras.optimizers.Adam(learning_rate=0.01)
    for t in range(1, 6):
        grad = rng.normal(size=50)
        ours.step(params, grad)
        theirs.apply_gradients([(tf.constant(grad), var)])
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        reference -= 0.01 * m_hat / (np.sqrt(v_hat) + 1e-7 * np.sqrt(1 - 0.999**t) ** -1)
    np.testing.assert_allclose(params, reference, rtol=1e-12, atol=1e-14)
    # Keras rounds its hyper-parameters (e.g. a float32 learning rate): updates agree to ~1e-5
    np.testing.assert_allclose(params - start, var.numpy() - start, rtol=1e-4)


@pytest.mark.parametrize("optimizer", [SGD(0.1), Adam(0.1)], ids=["SGD", "Adam"])
def test_minimises_a_quadratic_of_any_flat_array(optimizer):
    # a flat parameter array with no network behind it: f(p) = ||p - target||^2 / 2
    target = np.array([3.0, -2.0], dtype=np.float32)
    params = np.zeros(2, dtype=np.float32)
    for _ in range(500):
        optimizer.step(params, params - target)
    np.testing.assert_allclose(params, target, atol=1e-2)
    assert params.dtype == np.float32


@pytest.mark.parametrize("bad", [INF, NAN, 0.0, -0.1, True, "0.1"])
def test_learning_rate_is_checked_when_set_too(bad):
    optimizer = Adam()
    with pytest.raises((TypeError, ValueError), match="learning_rate"):
        optimizer.learning_rate = bad
    assert optimizer.learning_rate == pytest.approx(1e-3)


def test_adam_refuses_parameters_of_another_shape_after_its_first_step():
    adam = Adam()
    adam.step(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="params"):
        adam.step(np.zeros(4), np.ones(4))
    adam.step(np.zeros(3), np.ones(3))  # the same shape goes on
    assert adam.t == 2


def test_the_base_class_has_no_update():
    with pytest.raises(NotImplementedError):
        Optimizer(0.1).step(np.zeros(2), np.ones(2))


# --------------------------------------------------------------------------- bad input


def _step_cases():
    return [
        ("params-list", {"params": [0.0, 0.0, 0.0]}, TypeError, "params"),
        ("params-ints", {"params": np.zeros(3, dtype=int)}, TypeError, "params"),
        ("grad-shape", {"grad": np.ones(4)}, ValueError, "grad"),
        ("grad-column", {"grad": np.ones((3, 1))}, ValueError, "grad"),
    ]


def _step_kwargs():
    return {"params": np.zeros(3), "grad": np.array([0.1, -0.2, 0.3])}


STEP_KINDS = {"params": "vector", "grad": "vector"}

BAD_INPUT = [
    Spec(Optimizer, {"learning_rate": 0.1}, kinds={"learning_rate": "positive"}),
    Spec(SGD, {"learning_rate": 0.1}, kinds={"learning_rate": "positive"}),
    Spec(
        Adam,
        {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8},
        kinds={
            "learning_rate": "positive",
            "beta1": "fraction",
            "beta2": "fraction",
            "eps": "positive",
        },
    ),
    Spec(SGD(0.1).step, make_kwargs=_step_kwargs, kinds=STEP_KINDS, extra=_step_cases()),
    Spec(Adam().step, make_kwargs=_step_kwargs, kinds=STEP_KINDS, extra=_step_cases()),
]


@pytest.mark.parametrize(("spec", "overrides", "exc", "arg"), cases(BAD_INPUT))
def test_bad_input(spec, overrides, exc, arg):
    check_spec_case(spec, overrides, exc, arg)


@pytest.mark.parametrize("spec", BAD_INPUT, ids=lambda s: s.func.__name__)
def test_bad_input_valid_call(spec):
    check_spec_valid(spec)
