"""Tests of dlbook.linreg: gradients, gradient descent, its stability limit and input checks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from badinput import Spec, cases, check_spec_case, check_spec_valid

from dlbook import linreg


@pytest.fixture(scope="module")
def split():
    celsius, fahrenheit = linreg.make_temperature_data(160, seed=0)
    return linreg.train_test_split(celsius, fahrenheit, test_fraction=0.2, seed=0)


def _central_difference(f, v: float, h: float) -> float:
    return (f(v + h) - f(v - h)) / (2.0 * h)


# --- data -------------------------------------------------------------------------------------


def test_data_is_seeded_and_follows_the_conversion():
    c1, f1 = linreg.make_temperature_data(160, seed=3)
    c2, f2 = linreg.make_temperature_data(160, seed=3)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(f1, f2)
    assert c1.shape == f1.shape == (160,)
    assert c1.dtype == np.float64
    assert c1.min() >= -30.0
    assert c1.max() < 50.0
    noise = f1 - (linreg.TRUE_WEIGHT * c1 + linreg.TRUE_BIAS)
    assert 0.7 * linreg.NOISE_STD < noise.std() < 1.3 * linreg.NOISE_STD


def test_noise_free_data_is_exact():
    c, f = linreg.make_temperature_data(10, noise_std=0.0, seed=1)
    np.testing.assert_allclose(f, 1.8 * c + 32.0)


def test_split_sizes_and_partition(split):
    x_train, y_train, x_test, y_test = split
    assert (x_train.size, x_test.size) == (128, 32)
    assert y_train.size == 128
    assert y_test.size == 32
    c, _ = linreg.make_temperature_data(160, seed=0)
    np.testing.assert_array_equal(np.sort(np.concatenate([x_train, x_test])), np.sort(c))


# --- gradients --------------------------------------------------------------------------------


@pytest.mark.parametrize(("w", "b"), [(0.0, 0.0), (0.7, -3.0), (1.8, 32.0), (-2.5, 100.0)])
def test_gradients_match_central_differences(split, w, b):
    x, y, _, _ = split
    dw, db = linreg.mse_gradients(x, y, w, b)
    # The MSE is quadratic, so the central difference is exact up to rounding; a
    # moderate h keeps the rounding error small next to the tolerance.
    dw_num = _central_difference(lambda v: linreg.mse(linreg.predict(x, v, b), y), w, 1e-4)
    db_num = _central_difference(lambda v: linreg.mse(linreg.predict(x, w, v), y), b, 1e-3)
    assert abs(dw - dw_num) <= 1e-6 * max(abs(dw_num), 1.0)
    assert abs(db - db_num) <= 1e-6 * max(abs(db_num), 1.0)


def test_gradient_is_zero_at_closed_form(split):
    x, y, _, _ = split
    w, b = linreg.closed_form_fit(x, y)
    dw, db = linreg.mse_gradients(x, y, w, b)
    assert abs(dw) < 1e-8
    assert abs(db) < 1e-10


def test_hessian_matches_finite_differences_of_gradient(split):
    x, y, _, _ = split
    h = 1e-3
    w, b = 0.5, 2.0
    col_w = np.subtract(
        linreg.mse_gradients(x, y, w + h, b), linreg.mse_gradients(x, y, w - h, b)
    ) / (2 * h)
    col_b = np.subtract(
        linreg.mse_gradients(x, y, w, b + h), linreg.mse_gradients(x, y, w, b - h)
    ) / (2 * h)
    np.testing.assert_allclose(linreg.mse_hessian(x), np.column_stack([col_w, col_b]), rtol=1e-6)


def test_closed_form_matches_lstsq(split):
    x, y, _, _ = split
    design = np.column_stack([x, np.ones_like(x)])
    expected, *_ = np.linalg.lstsq(design, y, rcond=None)
    np.testing.assert_allclose(linreg.closed_form_fit(x, y), expected, rtol=1e-10)


# --- gradient descent -------------------------------------------------------------------------


def test_gradient_descent_reaches_closed_form(split):
    x, y, x_test, y_test = split
    w_star, b_star = linreg.closed_form_fit(x, y)
    run = linreg.gradient_descent(
        x, y, learning_rate=1e-3, steps=10_000, w0=0.1, b0=-0.1, x_test=x_test, y_test=y_test
    )
    assert not run.diverged
    # Stated tolerance: 1e-5 in w (°F per °C) and 1e-3 in b (°F) after 10,000 steps.
    assert abs(run.w[-1] - w_star) < 1e-5
    assert abs(run.b[-1] - b_star) < 1e-3
    assert np.all(np.diff(run.train_loss) <= 1e-12)  # a stable rate never increases the loss


def test_standardised_gradient_descent_reaches_closed_form(split):
    x, y, _, _ = split
    mean, std = linreg.fit_standardiser(x)
    z = linreg.standardise(x, mean, std)
    assert linreg.largest_stable_learning_rate(z) == pytest.approx(1.0)
    run = linreg.gradient_descent(z, y, learning_rate=0.5, steps=3)
    w, b = linreg.unstandardise_parameters(run.w[-1], run.b[-1], mean, std)
    np.testing.assert_allclose((w, b), linreg.closed_form_fit(x, y), rtol=1e-9)


def test_history_has_steps_plus_one_entries(split):
    x, y, x_test, y_test = split
    run = linreg.gradient_descent(x, y, learning_rate=1e-4, steps=37, x_test=x_test, y_test=y_test)
    assert run.steps_run == 37
    for values in (run.w, run.b, run.train_loss, run.test_loss):
        assert values.shape == (38,)
        assert np.all(np.isfinite(values))
    assert run.train_loss[0] == pytest.approx(linreg.mse(linreg.predict(x, 0.0, 0.0), y))
    assert run.test_loss[-1] == pytest.approx(
        linreg.mse(linreg.predict(x_test, run.w[-1], run.b[-1]), y_test)
    )
    assert linreg.gradient_descent(x, y, learning_rate=1e-4, steps=5).test_loss is None


def test_target_loss_stops_early(split):
    x, y, _, _ = split
    full = linreg.gradient_descent(x, y, learning_rate=1e-3, steps=6000)
    w_star, b_star = linreg.closed_form_fit(x, y)
    optimum = linreg.mse(linreg.predict(x, w_star, b_star), y)
    expected = linreg.steps_to_converge(full.train_loss, optimum, rtol=1e-3)
    assert expected is not None
    short = linreg.gradient_descent(
        x, y, learning_rate=1e-3, steps=6000, target_loss=(1 + 1e-3) * optimum
    )
    assert short.steps_run == expected
    assert not short.diverged
    np.testing.assert_array_equal(short.train_loss, full.train_loss[: expected + 1])
    with pytest.raises(ValueError, match="target_loss"):
        linreg.gradient_descent(x, y, learning_rate=1e-3, steps=5, target_loss=-1.0)


def test_first_step_matches_gradient(split):
    x, y, _, _ = split
    run = linreg.gradient_descent(x, y, learning_rate=1e-4, steps=1, w0=0.3, b0=-1.0)
    dw, db = linreg.mse_gradients(x, y, 0.3, -1.0)
    assert run.w[1] == pytest.approx(0.3 - 1e-4 * dw)
    assert run.b[1] == pytest.approx(-1.0 - 1e-4 * db)


def test_divergence_is_flagged_without_nan_or_warning(split):
    x, y, x_test, y_test = split
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow RuntimeWarning would fail the test
        run = linreg.gradient_descent(
            x, y, learning_rate=1.0, steps=10_000, x_test=x_test, y_test=y_test
        )
    assert run.diverged
    assert run.steps_run < 10_000
    for values in (run.w, run.b, run.train_loss, run.test_loss):
        assert values.size == run.steps_run + 1
        assert np.all(np.isfinite(values))


def test_stability_limit_is_sharp(split):
    x, y, _, _ = split
    limit = linreg.largest_stable_learning_rate(x)
    expected = 2.0 / np.linalg.eigvalsh(linreg.mse_hessian(x)).max()
    assert limit == pytest.approx(expected)
    below = linreg.gradient_descent(x, y, learning_rate=0.98 * limit, steps=3000)
    above = linreg.gradient_descent(x, y, learning_rate=1.02 * limit, steps=3000)
    assert not below.diverged
    assert above.diverged


def test_minibatch_gradient_is_the_gradient_on_a_subset(split):
    x, y, _, _ = split
    gradient = linreg.minibatch_gradient(x, y)
    params = np.array([0.7, -3.0])
    batch = np.array([5, 17, 3])
    np.testing.assert_allclose(
        gradient(params, batch), linreg.mse_gradients(x[batch], y[batch], 0.7, -3.0)
    )
    np.testing.assert_allclose(
        gradient(params, np.arange(x.size)), linreg.mse_gradients(x, y, 0.7, -3.0)
    )


def test_largest_stable_minibatch_rate_bounds_every_batch(split):
    x, _, _, _ = split
    rate = linreg.largest_stable_minibatch_rate(x)
    i = int(np.argmax(np.abs(x)))
    # one sample's Hessian 2 [[x^2, x], [x, 1]] has largest eigenvalue 2 (1 + x^2)
    assert rate == pytest.approx(2.0 / np.linalg.eigvalsh(linreg.mse_hessian(x[[i]]))[-1])
    rng = np.random.default_rng(0)
    for size in [1, 2, 8, 32, x.size]:
        batch = rng.choice(x.size, size=size, replace=False)
        assert rate <= linreg.largest_stable_learning_rate(x[batch]) * (1 + 1e-12)
    assert rate < linreg.largest_stable_learning_rate(x)
    assert linreg.largest_stable_minibatch_rate(np.array([0.0, 0.0])) == 1.0


def test_losses_along_path_match_mse(split):
    x, y, _, _ = split
    path = np.array([[0.0, 0.0], [1.8, 32.0], [-2.0, 100.0], [1.80402, 31.679]])
    expected = [linreg.mse(linreg.predict(x, w, b), y) for w, b in path]
    np.testing.assert_allclose(linreg.losses_along_path(x, y, path), expected, rtol=1e-10)


def test_steps_to_settle_counts_from_the_last_return():
    loss = np.array([9.0, 2.0, 5.0, 2.001, 2.0])
    assert linreg.steps_to_converge(loss, 2.0, rtol=1e-3) == 1
    assert linreg.steps_to_settle(loss, 2.0, rtol=1e-3) == 3
    assert linreg.steps_to_settle(np.array([2.0, 2.0]), 2.0) == 0
    assert linreg.steps_to_settle(np.array([2.0, 9.0]), 2.0) is None


def test_steps_to_converge():
    loss = np.array([100.0, 10.0, 2.5, 2.001, 2.0005])
    assert linreg.steps_to_converge(loss, 2.0, rtol=1e-3) == 3
    assert linreg.steps_to_converge(loss, 2.0, rtol=1e-4) is None
    assert linreg.steps_to_converge(loss, 2.0, rtol=1.0) == 2


def test_loss_grid_matches_direct_computation(split):
    x, y, _, _ = split
    w_values = np.array([-1.0, 0.5, 1.8, 3.0])
    b_values = np.array([0.0, 32.0, 40.0])
    grid = linreg.loss_grid(x, y, w_values, b_values)
    assert grid.shape == (3, 4)
    for i, b in enumerate(b_values):
        for j, w in enumerate(w_values):
            assert grid[i, j] == pytest.approx(linreg.mse(linreg.predict(x, w, b), y), rel=1e-9)


def test_unstandardise_round_trip():
    x = np.array([1.0, 4.0, 10.0])
    mean, std = linreg.fit_standardiser(x)
    w, b = linreg.unstandardise_parameters(2.0, 3.0, mean, std)
    np.testing.assert_allclose(w * x + b, 2.0 * linreg.standardise(x, mean, std) + 3.0, rtol=1e-12)


def test_random_initial_parameters_are_seeded():
    assert linreg.random_initial_parameters(5) == linreg.random_initial_parameters(5)
    w0, b0 = linreg.random_initial_parameters(5)
    assert isinstance(w0, float)
    assert isinstance(b0, float)


# --- the loop runs on unchecked cores -------------------------------------------------------


def test_gradient_descent_checks_its_arguments_once_not_every_step(split, monkeypatch):
    from dlbook import _checks

    x, y, x_test, y_test = split
    calls = []
    real_as_array = _checks.as_array

    def counting_as_array(*args, **kwargs):
        calls.append(args[1])
        return real_as_array(*args, **kwargs)

    monkeypatch.setattr(_checks, "as_array", counting_as_array)
    counts = []
    for steps in (2, 200):
        calls.clear()
        linreg.gradient_descent(x, y, learning_rate=1e-4, steps=steps, x_test=x_test, y_test=y_test)
        counts.append(len(calls))
    assert counts[0] == counts[1]  # the number of checks does not grow with the steps


def test_public_functions_return_what_their_cores_compute(split):
    x, y, _, _ = split
    assert linreg.mse_gradients(x, y, 0.3, 1.0) == linreg._mse_gradients(x, y, 0.3, 1.0)
    assert linreg.closed_form_fit(x, y) == linreg._closed_form_fit(x, y)
    assert linreg.largest_stable_learning_rate(x) == linreg._largest_stable_learning_rate(x)
    ws, bs, losses, diverged = linreg._gradient_descent(x, y, 1e-4, 20, 0.0, 0.0)
    run = linreg.gradient_descent(x, y, learning_rate=1e-4, steps=20)
    np.testing.assert_array_equal(run.w, ws)
    np.testing.assert_array_equal(run.b, bs)
    np.testing.assert_array_equal(run.train_loss, losses)
    assert run.diverged is diverged is False


# --- bad input --------------------------------------------------------------------------------

X3 = np.array([1.0, 2.0, 3.0])
Y3 = np.array([33.8, 35.6, 37.4])
HUGE = np.array([1e200, -1e200, 3e200])


def _mismatch(a: str, b: str) -> tuple:
    return (f"{a}-{b}-length", {a: X3, b: X3[:2]}, ValueError, a)


BAD_INPUT = [
    Spec(
        linreg.make_temperature_data,
        kwargs={"n": 10},
        kinds={
            "n": "count",
            "low": "real",
            "high": "real",
            "noise_std": "nonnegative",
            "seed": "natural",
        },
        extra=[
            ("n-one", {"n": 1}, ValueError, "n"),
            ("low-equals-high", {"low": 5.0, "high": 5.0}, ValueError, "low"),
            ("low-above-high", {"low": 6.0, "high": 5.0}, ValueError, "high"),
            ("range-overflows", {"low": -1e308, "high": 1e308}, ValueError, "high"),
            ("noise-overflows", {"noise_std": 1e308}, ValueError, "noise_std"),
        ],
    ),
    Spec(
        linreg.train_test_split,
        kwargs={"x": X3, "y": Y3},
        kinds={"x": "vector", "y": "vector", "test_fraction": "fraction", "seed": "natural"},
        extra=[
            _mismatch("x", "y"),
            ("test_fraction-zero", {"test_fraction": 0.0}, ValueError, "test_fraction"),
            ("one-pair", {"x": X3[:1], "y": Y3[:1]}, ValueError, "x"),
        ],
    ),
    Spec(
        linreg.random_initial_parameters,
        kwargs={"seed": 1},
        kinds={"seed": "natural", "scale": "positive"},
    ),
    Spec(
        linreg.predict,
        kwargs={"x": X3, "w": 1.8, "b": 32.0},
        kinds={"x": "vector", "w": "real", "b": "real"},
        extra=[("w-overflows", {"w": 1e308}, ValueError, "w")],
    ),
    Spec(
        linreg.mse,
        kwargs={"y_pred": X3, "y_true": Y3},
        kinds={"y_pred": "vector", "y_true": "vector"},
        extra=[
            _mismatch("y_pred", "y_true"),
            ("2-D-column", {"y_pred": X3[:, None]}, ValueError, "y_pred"),
            ("y_pred-overflows", {"y_pred": HUGE}, ValueError, "y_pred"),
        ],
    ),
    Spec(
        linreg.mse_gradients,
        kwargs={"x": X3, "y": Y3, "w": 1.0, "b": 0.0},
        kinds={"x": "vector", "y": "vector", "w": "real", "b": "real"},
        extra=[_mismatch("x", "y"), ("x-overflows", {"x": HUGE}, ValueError, "x")],
    ),
    Spec(
        linreg.mse_hessian,
        kwargs={"x": X3},
        kinds={"x": "vector"},
        extra=[("x-overflows", {"x": HUGE}, ValueError, "x")],
    ),
    Spec(
        linreg.largest_stable_learning_rate,
        kwargs={"x": X3},
        kinds={"x": "vector"},
        extra=[("x-overflows", {"x": HUGE}, ValueError, "x")],
    ),
    Spec(
        linreg.GDHistory,
        kwargs={
            "w": [0.0, 1.0],
            "b": [0.0, 2.0],
            "train_loss": [5.0, 1.0],
            "test_loss": None,
            "learning_rate": 0.1,
            "diverged": False,
        },
        kinds={
            "w": "vector",
            "b": "vector",
            "train_loss": "vector",
            "learning_rate": "positive",
            "diverged": "bool",
        },
        extra=[
            ("w-b-length", {"b": [0.0]}, ValueError, "b"),
            ("test_loss-length", {"test_loss": [1.0]}, ValueError, "test_loss"),
            ("test_loss-nan", {"test_loss": [1.0, float("nan")]}, ValueError, "test_loss"),
        ],
    ),
    Spec(
        linreg.gradient_descent,
        kwargs={"x": X3, "y": Y3, "learning_rate": 0.01, "steps": 3, "x_test": X3, "y_test": Y3},
        kinds={
            "x": "vector",
            "y": "vector",
            "learning_rate": "positive",
            "steps": "count",
            "w0": "real",
            "b0": "real",
            "x_test": "vector",
            "y_test": "vector",
            "target_loss": "nonnegative",
            "blowup": "positive",
        },
        extra=[
            _mismatch("x", "y"),
            _mismatch("x_test", "y_test"),
            ("x_test-alone", {"y_test": None}, ValueError, "x_test"),
            ("y_test-alone", {"x_test": None}, ValueError, "y_test"),
            ("blowup-one", {"blowup": 1.0}, ValueError, "blowup"),
            ("start-loss-overflows", {"x": HUGE, "w0": 1.0}, ValueError, "x"),
            ("test-loss-overflows", {"x_test": HUGE}, ValueError, "x_test"),
        ],
    ),
    Spec(
        linreg.closed_form_fit,
        kwargs={"x": X3, "y": Y3},
        kinds={"x": "vector", "y": "vector"},
        extra=[
            _mismatch("x", "y"),
            ("x-constant", {"x": np.full(3, 0.1)}, ValueError, "x"),
            ("x-spread-underflows", {"x": np.array([0.0, 1e-200, 2e-200])}, ValueError, "x"),
        ],
    ),
    Spec(
        linreg.fit_standardiser,
        kwargs={"x": X3},
        kinds={"x": "vector"},
        extra=[
            ("x-constant", {"x": np.full(3, 0.1)}, ValueError, "x"),
            ("x-spread-underflows", {"x": np.array([0.0, 1e-200, 2e-200])}, ValueError, "x"),
            ("x-spread-overflows", {"x": np.array([-1e308, 1e308])}, ValueError, "x"),
        ],
    ),
    Spec(
        linreg.standardise,
        kwargs={"x": X3, "mean": 2.0, "std": 1.0},
        kinds={"x": "vector", "mean": "real", "std": "positive"},
    ),
    Spec(
        linreg.unstandardise_parameters,
        kwargs={"w": 2.0, "b": 3.0, "mean": 1.0, "std": 0.5},
        kinds={"w": "real", "b": "real", "mean": "real", "std": "positive"},
        extra=[("w-overflows", {"w": 1e300, "std": 1e-300}, ValueError, "w")],
    ),
    Spec(
        linreg.steps_to_converge,
        kwargs={"loss": np.array([9.0, 3.0, 2.0]), "optimum": 2.0},
        kinds={"loss": "vector", "optimum": "positive", "rtol": "positive"},
    ),
    Spec(
        linreg.steps_to_settle,
        kwargs={"loss": np.array([9.0, 3.0, 2.0]), "optimum": 2.0},
        kinds={"loss": "vector", "optimum": "positive", "rtol": "positive"},
    ),
    Spec(
        linreg.minibatch_gradient,
        kwargs={"x": X3, "y": Y3},
        kinds={"x": "vector", "y": "vector"},
        extra=[_mismatch("x", "y")],
    ),
    Spec(
        linreg.largest_stable_minibatch_rate,
        kwargs={"x": X3},
        kinds={"x": "vector"},
        extra=[("x-overflows", {"x": HUGE}, ValueError, "x")],
    ),
    Spec(
        linreg.losses_along_path,
        kwargs={"x": X3, "y": Y3, "params": np.array([[1.8, 32.0], [0.0, 0.0]])},
        kinds={"x": "vector", "y": "vector"},
        extra=[
            _mismatch("x", "y"),
            ("params-1-D", {"params": np.array([1.8, 32.0])}, ValueError, "params"),
            ("params-3-columns", {"params": np.zeros((2, 3))}, ValueError, "params"),
            ("params-nan", {"params": np.array([[np.nan, 1.0]])}, ValueError, "params"),
            ("params-str", {"params": "ab"}, TypeError, "params"),
            ("params-overflow", {"params": np.array([[1e200, 0.0]])}, ValueError, "params"),
        ],
    ),
    Spec(
        linreg.loss_grid,
        kwargs={"x": X3, "y": Y3, "w_values": X3, "b_values": Y3},
        kinds={"x": "vector", "y": "vector", "w_values": "vector", "b_values": "vector"},
        extra=[
            _mismatch("x", "y"),
            ("w_values-overflow", {"w_values": HUGE}, ValueError, "w_values"),
        ],
    ),
]


@pytest.mark.parametrize(("spec", "overrides", "exc", "arg"), cases(BAD_INPUT))
def test_bad_input(spec, overrides, exc, arg):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a bad argument is an exception, never a RuntimeWarning
        check_spec_case(spec, overrides, exc, arg)


@pytest.mark.parametrize("spec", BAD_INPUT, ids=lambda s: s.func.__name__)
def test_bad_input_valid_call(spec):
    check_spec_valid(spec)


def test_constant_x_that_rounds_to_a_spread_is_still_constant():
    # mean([0.1, 0.1, 0.1]) is not exactly 0.1, so a variance test alone saw a spread here
    # and returned a slope; the closed form must refuse, naming x.
    with pytest.raises(ValueError, match=r"\bx\b.*constant"):
        linreg.closed_form_fit(np.full(3, 0.1), X3)
    with pytest.raises(ValueError, match=r"\bx\b.*constant"):
        linreg.fit_standardiser(np.full(3, 0.1))
