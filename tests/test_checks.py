"""dlbook._checks: the package's one rule for bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook import _checks


def test_as_int_accepts_ints_and_numpy_ints():
    assert _checks.as_int(3, "n") == 3
    assert type(_checks.as_int(np.int64(3), "n")) is int


@pytest.mark.parametrize(
    ("value", "exc"),
    [("3", TypeError), (3.0, TypeError), (None, TypeError), (True, ValueError), (0, ValueError)],
)
def test_as_int_rejects(value, exc):
    with pytest.raises(exc, match="steps"):
        _checks.as_int(value, "steps", minimum=1)


def test_as_int_bounds():
    with pytest.raises(ValueError, match="<= 5"):
        _checks.as_int(6, "k", maximum=5)


@pytest.mark.parametrize(
    ("value", "kwargs", "exc"),
    [
        ("0.1", {}, TypeError),
        (np.bool_(True), {}, ValueError),
        (float("nan"), {}, ValueError),
        (float("inf"), {}, ValueError),
        (0.0, {"above": 0.0}, ValueError),
        (1.0, {"below": 1.0}, ValueError),
        (-1.0, {"minimum": 0.0}, ValueError),
        (2.0, {"maximum": 1.0}, ValueError),
    ],
)
def test_as_float_rejects(value, kwargs, exc):
    with pytest.raises(exc, match="rate"):
        _checks.as_float(value, "rate", **kwargs)


def test_as_float_returns_python_float():
    assert type(_checks.as_float(np.float32(0.5), "rate", above=0.0)) is float


@pytest.mark.parametrize(
    ("value", "exc"), [("false", TypeError), (0, TypeError), (None, TypeError)]
)
def test_as_bool_rejects_non_bools(value, exc):
    with pytest.raises(exc, match="offline"):
        _checks.as_bool(value, "offline")


def test_as_bool_accepts_numpy_bool():
    assert _checks.as_bool(np.bool_(False), "flag") is False


def test_as_choice():
    assert _checks.as_choice("relu", "activation", ("relu", "sigmoid")) == "relu"
    with pytest.raises(ValueError, match="activation"):
        _checks.as_choice("tanh", "activation", ("relu", "sigmoid"))
    with pytest.raises(TypeError, match="activation"):
        _checks.as_choice(1, "activation", ("relu", "sigmoid"))


@pytest.mark.parametrize(
    ("value", "kwargs", "exc"),
    [
        ("abc", {}, TypeError),
        (np.array([True, False]), {}, ValueError),
        (np.array([1 + 2j]), {}, TypeError),
        (np.array([], dtype=float), {}, ValueError),
        (np.array([1.0, np.nan]), {}, ValueError),
        (np.ones((2, 2)), {"ndim": 1}, ValueError),
        (np.ones((2, 3)), {"shape": (None, 4)}, ValueError),
        (np.ones(3, dtype=np.int64), {"kind": "float"}, TypeError),
        (np.ones(3), {"kind": "int"}, TypeError),
    ],
)
def test_as_array_rejects(value, kwargs, exc):
    with pytest.raises(exc, match="x"):
        _checks.as_array(value, "x", **kwargs)


def test_as_array_converts_and_keeps():
    out = _checks.as_array([1, 2], "x")
    assert out.dtype == np.float64
    kept = np.ones(3, dtype=np.float32)
    assert _checks.as_array(kept, "x", dtype=None) is kept
    assert _checks.as_array(np.array([np.inf]), "x", finite=False)[0] == np.inf
    assert _checks.as_array(np.ones((2, 5)), "x", shape=(None, 5)).shape == (2, 5)


@pytest.mark.parametrize(
    ("value", "exc"),
    [
        (np.array([-1, 0]), ValueError),
        (np.array([0, 10]), ValueError),
        (np.array([0.0, 1.0]), TypeError),
        (np.zeros((2, 1), dtype=int), ValueError),
    ],
)
def test_as_labels_rejects(value, exc):
    with pytest.raises(exc, match="labels"):
        _checks.as_labels(value, "labels", num_classes=10)


def test_same_length_and_spread_name_the_arguments():
    with pytest.raises(ValueError, match="x and y"):
        _checks.same_length(x=np.ones(3), y=np.ones(4))
    _checks.same_length(x=np.ones(3), y=np.ones(3))
    with pytest.raises(ValueError, match="x is constant"):
        _checks.has_spread(np.full(4, 2.0), "x")
    assert _checks.as_seed(0) == 0
