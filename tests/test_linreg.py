"""Tests of dlbook.linreg: gradients, gradient descent, its stability limit and input checks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

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


# --- bad input --------------------------------------------------------------------------------

GOOD = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("x", "y", "match"),
    [
        (np.array([1.0, 2.0]), GOOD, "same length"),
        (np.array([]), np.array([]), "empty"),
        (np.array([1.0, np.nan, 3.0]), GOOD, "non-finite"),
        (GOOD, np.array([1.0, np.inf, 3.0]), "non-finite"),
        (GOOD.reshape(3, 1), GOOD, "one-dimensional"),
    ],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda x, y: linreg.mse_gradients(x, y, 1.0, 0.0),
        lambda x, y: linreg.mse(x, y),
        lambda x, y: linreg.closed_form_fit(x, y),
        lambda x, y: linreg.gradient_descent(x, y, learning_rate=0.1, steps=2),
        lambda x, y: linreg.train_test_split(x, y),
        lambda x, y: linreg.loss_grid(x, y, GOOD, GOOD),
    ],
)
def test_bad_data_raises_value_error(call, x, y, match):
    with pytest.raises(ValueError, match=match):
        call(x, y)


@pytest.mark.parametrize("learning_rate", [0.0, -1e-3, float("nan"), float("inf")])
def test_bad_learning_rate_raises(learning_rate):
    with pytest.raises(ValueError, match="learning_rate"):
        linreg.gradient_descent(GOOD, GOOD, learning_rate=learning_rate, steps=5)


@pytest.mark.parametrize("steps", [0, -3])
def test_bad_steps_raises(steps):
    with pytest.raises(ValueError, match="steps"):
        linreg.gradient_descent(GOOD, GOOD, learning_rate=0.1, steps=steps)


def test_non_integer_steps_raises_type_error():
    with pytest.raises(TypeError, match="steps"):
        linreg.gradient_descent(GOOD, GOOD, learning_rate=0.1, steps=2.5)


def test_test_set_needs_both_halves():
    with pytest.raises(ValueError, match="together"):
        linreg.gradient_descent(GOOD, GOOD, learning_rate=0.1, steps=2, x_test=GOOD)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="constant"):
        linreg.closed_form_fit(np.ones(4), [*GOOD.tolist(), 4.0])
    with pytest.raises(ValueError, match="constant"):
        linreg.fit_standardiser(np.full(3, 2.0))
    with pytest.raises(ValueError, match="std"):
        linreg.standardise(GOOD, 0.0, 0.0)
    with pytest.raises(ValueError, match="low"):
        linreg.make_temperature_data(10, low=5.0, high=5.0)
    with pytest.raises(ValueError, match="noise_std"):
        linreg.make_temperature_data(10, noise_std=-1.0)
    with pytest.raises(ValueError, match="n must be"):
        linreg.make_temperature_data(1)
    with pytest.raises(ValueError, match="test_fraction"):
        linreg.train_test_split(GOOD, GOOD, test_fraction=1.0)
    with pytest.raises(ValueError, match="optimum"):
        linreg.steps_to_converge(GOOD, 0.0)
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        linreg.predict(np.array(["a", "b"]), 1.0, 0.0)
    with pytest.raises(ValueError, match="w must be finite"):
        linreg.predict(GOOD, float("nan"), 0.0)
