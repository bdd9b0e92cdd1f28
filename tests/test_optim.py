"""Tests of the optimisers: the textbook updates, Keras agreement, checked hyper-parameters,
mini-batch iteration, the training loop, the cosine schedule and the heavy-ball settings."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from badinput import INF, NAN, Spec, bad_input_tests

from dlbook import optim
from dlbook.optim import SGD, Adam, Momentum, Optimizer, Trajectory


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


@pytest.mark.parametrize(
    "optimizer", [SGD(0.1), Momentum(0.1, beta=0.5), Adam(0.1)], ids=["SGD", "Momentum", "Adam"]
)
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


def test_adam_first_two_steps_match_a_hand_computed_reference():
    # alpha = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8; gradients g1 = (1, -4), g2 = (3, 0).
    # Step 1: m = (0.1, -0.4), v = (0.001, 0.016); m_hat = g1, v_hat = g1**2, so each
    #   parameter moves by alpha * g / (|g| + eps / sqrt(1 - 0.999)): 0.1 * sign(g) up to eps,
    #   0.1 / (1 + 3.1623e-7) = 0.0999999684 and 0.1 * 4 / (4 + 3.1623e-7) = 0.0999999921.
    # Step 2: m = (0.39, -0.36), v = (0.009999, 0.015984);
    #   alpha_2 = 0.1 * sqrt(1 - 0.999**2) / (1 - 0.9**2) = 0.1 * 0.0447101778 / 0.19
    #           = 0.0235316725, sqrt(v) = (0.0999949999, 0.1264278450),
    #   step = alpha_2 * m / (sqrt(v) + eps) = (0.0917781027, -0.0670058201).
    adam = Adam(learning_rate=0.1, eps=1e-8)
    params = np.zeros(2)
    adam.step(params, np.array([1.0, -4.0]))
    first = np.array([-0.0999999684, 0.0999999921])
    np.testing.assert_allclose(params, first, rtol=1e-9)
    adam.step(params, np.array([3.0, 0.0]))
    np.testing.assert_allclose(params, first + np.array([-0.0917781027, 0.0670058201]), rtol=1e-9)
    np.testing.assert_allclose(adam.second_moment, [0.009999, 0.015984] / np.float64(0.001999))


def test_adam_second_moment_is_the_bias_corrected_mean_of_squares():
    adam = Adam()
    assert adam.second_moment is None
    params = np.zeros(3)
    adam.step(params, np.array([2.0, -1.0, 0.5]))
    np.testing.assert_allclose(adam.second_moment, [4.0, 1.0, 0.25])


def test_momentum_is_polyaks_heavy_ball():
    # theta_next = theta - lr * grad(theta) + beta * (theta - theta_previous), on f = 3 p**2 / 2
    lr, beta = 0.1, 0.7
    params = np.array([1.0])
    optimizer = Momentum(lr, beta=beta)
    previous, current = 1.0, 1.0
    for _ in range(20):
        optimizer.step(params, 3.0 * params)
        previous, current = current, current - lr * 3.0 * current + beta * (current - previous)
        assert params[0] == pytest.approx(current, rel=1e-12)


def test_momentum_refuses_parameters_of_another_shape():
    optimizer = Momentum(0.1)
    optimizer.step(np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="params"):
        optimizer.step(np.zeros(3), np.ones(3))


def _steps_to_shrink(optimizer, hessian, factor, max_steps):
    """Full steps on f = e^T H e / 2 until |e| shrinks by ``factor``; None if it never does."""
    e = np.array([1.0, 1.0])
    start = np.linalg.norm(e)
    for k in range(1, max_steps + 1):
        optimizer.step(e, hessian @ e)
        if np.linalg.norm(e) <= factor * start:
            return k
    return None


def test_momentum_with_the_optimal_settings_needs_about_sqrt_kappa_steps():
    kappa = 1000.0
    rotation = np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    hessian = rotation @ np.diag([1.0, kappa]) @ rotation.T  # not axis-aligned
    lr, beta = optim.heavy_ball_parameters(1.0, kappa)
    assert lr == pytest.approx(4 / (np.sqrt(kappa) + 1) ** 2)
    assert np.sqrt(beta) == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    budget = int(10 * np.sqrt(kappa))  # ln(1e6) / (2 / sqrt(kappa)) is about 6.9 sqrt(kappa)
    steps = _steps_to_shrink(Momentum(lr, beta=beta), hessian, 1e-6, budget)
    assert steps is not None
    assert steps <= budget
    # plain gradient descent at its best rate needs on the order of kappa steps
    assert _steps_to_shrink(SGD(2 / (1 + kappa)), hessian, 1e-6, budget) is None


def test_minibatches_visit_every_sample_once_in_a_seeded_order():
    batches = list(optim.minibatches(10, 4, seed=3))
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))
    again = list(optim.minibatches(10, 4, seed=3))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))
    other = np.concatenate(list(optim.minibatches(10, 4, seed=4)))
    assert not np.array_equal(np.concatenate(batches), other)
    assert [len(b) for b in optim.minibatches(5, 50)] == [5]  # a batch larger than the data


def test_minimise_uses_every_sample_once_per_epoch_and_reshuffles():
    seen = []

    def gradient(params, batch):
        seen.append(batch.copy())
        return np.zeros_like(params)

    run = optim.minimise(gradient, np.zeros(2), SGD(0.1), n=12, batch_size=5, epochs=3, seed=7)
    steps = seen[1:]  # the first call checks the gradient's output and is not a step
    assert len(steps) == run.steps == 9
    epochs = [np.concatenate(steps[i : i + 3]) for i in range(0, 9, 3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(12))
    assert not np.array_equal(epochs[0], epochs[1])  # a new order every epoch
    np.testing.assert_array_equal(run.evaluations, [0, 5, 10, 12, 17, 22, 24, 29, 34, 36])
    np.testing.assert_array_equal(run.epochs[[3, 6, 9]], [1, 2, 3])
    seen.clear()
    optim.minimise(gradient, np.zeros(2), SGD(0.1), n=12, batch_size=5, epochs=3, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(seen[1:], steps, strict=True))


def test_minimise_full_batch_is_gradient_descent():
    x = np.array([-2.0, 0.5, 1.0, 3.0])
    y = 1.8 * x + 32.0
    from dlbook import linreg

    run = optim.minimise(
        linreg.minibatch_gradient(x, y),
        np.array([0.3, -0.2]),
        SGD(0.05),
        n=4,
        batch_size=4,
        epochs=30,
    )
    reference = linreg.gradient_descent(x, y, learning_rate=0.05, steps=30, w0=0.3, b0=-0.2)
    np.testing.assert_allclose(run.params[:, 0], reference.w, rtol=1e-12)
    np.testing.assert_allclose(run.params[:, 1], reference.b, rtol=1e-12)
    np.testing.assert_allclose(run.learning_rate, 0.05)


def test_minimise_leaves_its_input_alone_and_watches_every_step():
    start = np.array([1.0, -1.0])
    calls = []
    run = optim.minimise(
        lambda p, batch: p,
        start,
        Adam(0.1),
        n=3,
        batch_size=2,
        epochs=2,
        watch=lambda opt: calls.append(opt.t),
    )
    np.testing.assert_array_equal(start, [1.0, -1.0])
    assert calls == list(range(1, run.steps + 1))


def test_minimise_follows_a_schedule():
    schedule = optim.cosine_decay(0.2, 6)
    run = optim.minimise(
        lambda p, batch: p, np.ones(1), SGD(1.0), n=4, batch_size=2, epochs=3, schedule=schedule
    )
    np.testing.assert_allclose(run.learning_rate, [schedule(k) for k in range(6)])
    with pytest.raises(ValueError, match=r"schedule\(7\)"):  # 8 steps, a schedule for 6
        optim.minimise(
            lambda p, batch: p,
            np.ones(1),
            SGD(1.0),
            n=4,
            batch_size=2,
            epochs=4,
            schedule=schedule,
        )


def test_minimise_reports_divergence_without_warnings():
    with np.errstate(all="raise"):
        run = optim.minimise(
            lambda p, batch: 10.0 * p, np.ones(2), SGD(1.0), n=1, batch_size=1, epochs=100
        )
    assert run.diverged
    assert run.steps < 100
    assert np.all(np.isfinite(run.params))
    assert run.learning_rate.shape == (run.steps,)


def test_cosine_decay_matches_keras_formula():
    schedule = optim.cosine_decay(1.0, 100, final=0.1)
    assert schedule(0) == pytest.approx(1.0)
    assert schedule(50) == pytest.approx(0.55)
    assert schedule(100) == pytest.approx(0.1)
    assert schedule(500) == pytest.approx(0.1)
    # Keras: initial * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)
    alpha = 0.1
    for step in [0, 13, 77, 99]:
        keras_rate = (1 - alpha) * 0.5 * (1 + np.cos(np.pi * step / 100)) + alpha
        assert schedule(step) == pytest.approx(keras_rate)
    rates = [schedule(k) for k in range(101)]
    assert all(a >= b for a, b in itertools.pairwise(rates))


def test_trajectory_checks_its_arrays():
    with pytest.raises(ValueError, match="evaluations"):
        Trajectory(
            params=np.zeros((2, 2)), learning_rate=[0.1], evaluations=[1, 2], n=2, diverged=False
        )
    with pytest.raises(ValueError, match="learning_rate"):
        Trajectory(
            params=np.zeros((2, 2)), learning_rate=[0.0], evaluations=[0, 2], n=2, diverged=False
        )


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


def _minimise_kwargs():
    return {
        "gradient": lambda params, batch: params - 1.0,
        "params": np.zeros(2),
        "optimizer": SGD(0.1),
        "n": 4,
        "batch_size": 2,
        "epochs": 2,
    }


def _used_adam():
    adam = Adam()
    adam.step(np.zeros(3), np.ones(3))
    return adam


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
    Spec(
        Momentum,
        {"learning_rate": 0.01, "beta": 0.5},
        kinds={"learning_rate": "positive", "beta": "fraction"},
    ),
    Spec(Momentum(0.1).step, make_kwargs=_step_kwargs, kinds=STEP_KINDS, extra=_step_cases()),
    Spec(
        optim.minibatches,
        {"n": 10, "batch_size": 3, "seed": 1},
        kinds={"n": "count", "batch_size": "count", "seed": "natural"},
    ),
    Spec(
        optim.minimise,
        make_kwargs=_minimise_kwargs,
        kinds={
            "params": "vector",
            "n": "count",
            "batch_size": "count",
            "epochs": "count",
            "seed": "natural",
            "max_abs": "positive",
        },
        extra=[
            ("gradient-not-callable", {"gradient": 3.0}, TypeError, "gradient"),
            ("gradient-shape", {"gradient": lambda p, b: np.ones(3)}, ValueError, "gradient"),
            ("gradient-nan", {"gradient": lambda p, b: p * np.nan}, ValueError, "gradient"),
            ("gradient-str", {"gradient": lambda p, b: "up"}, TypeError, "gradient"),
            ("optimizer-type", {"optimizer": "adam"}, TypeError, "optimizer"),
            ("optimizer-state", {"optimizer": _used_adam()}, ValueError, "optimizer"),
            ("schedule-not-callable", {"schedule": 0.1}, TypeError, "schedule"),
            ("schedule-zero", {"schedule": lambda k: 0.0}, ValueError, "schedule"),
            ("schedule-nan", {"schedule": lambda k: np.nan}, ValueError, "schedule"),
            ("watch-not-callable", {"watch": []}, TypeError, "watch"),
            ("params-2-D-list", {"params": [[0.0, 1.0]]}, ValueError, "params"),
        ],
    ),
    Spec(
        Trajectory,
        make_kwargs=lambda: {
            "params": np.zeros((3, 2)),
            "learning_rate": np.array([0.1, 0.1]),
            "evaluations": np.array([0.0, 2.0, 4.0]),
            "n": 4,
            "diverged": False,
        },
        kinds={
            "learning_rate": "vector",
            "evaluations": "vector",
            "n": "count",
            "diverged": "bool",
        },
        extra=[
            ("params-1-D", {"params": np.zeros(3)}, ValueError, "params"),
            ("params-nan", {"params": np.full((3, 2), np.nan)}, ValueError, "params"),
            ("params-str", {"params": "abc"}, TypeError, "params"),
            (
                "learning_rate-length",
                {"learning_rate": np.array([0.1])},
                ValueError,
                "learning_rate",
            ),
            (
                "learning_rate-negative",
                {"learning_rate": np.array([0.1, -0.1])},
                ValueError,
                "learning_rate",
            ),
            (
                "evaluations-not-growing",
                {"evaluations": np.array([0.0, 2.0, 2.0])},
                ValueError,
                "evaluations",
            ),
        ],
    ),
    Spec(
        optim.cosine_decay,
        {"peak": 0.1, "total_steps": 100, "final": 0.01},
        kinds={"peak": "positive", "total_steps": "count", "final": "nonnegative"},
        extra=[("final-above-peak", {"final": 0.2}, ValueError, "final")],
    ),
    Spec(
        optim.heavy_ball_parameters,
        {"lambda_min": 1.0, "lambda_max": 100.0},
        kinds={"lambda_min": "positive", "lambda_max": "positive"},
        extra=[("min-above-max", {"lambda_min": 200.0}, ValueError, "lambda_min")],
    ),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)
