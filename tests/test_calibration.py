"""Tests of dlbook.calibration against hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from badinput import NAN, Spec, bad_input_tests

from dlbook.calibration import (
    Reliability,
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    reliability,
)

PROBS = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
LABELS = np.array([0, 1, 0, 0])

PROBABILITY_CASES = [
    ("probabilities-1-D", {"probabilities": PROBS[0]}, ValueError, "probabilities"),
    ("probabilities-empty", {"probabilities": np.zeros((0, 2))}, ValueError, "probabilities"),
    (
        "probabilities-nan",
        {"probabilities": np.array([[NAN, 1.0]] * 4)},
        ValueError,
        "probabilities",
    ),
    ("probabilities-str", {"probabilities": "ab"}, TypeError, "probabilities"),
    ("probabilities-logits", {"probabilities": 3 * PROBS}, ValueError, "probabilities"),
    ("probabilities-negative", {"probabilities": PROBS - 0.5}, ValueError, "probabilities"),
]
LABEL_CASES = [
    ("lengths-differ", {"y_true": np.array([0, 1, 0])}, ValueError, "probabilities"),
    ("label-vs-columns", {"y_true": np.array([0, 2, 0, 0])}, ValueError, "y_true"),
]

BAD_INPUT = [
    Spec(
        reliability,
        {"y_true": LABELS, "probabilities": PROBS, "n_bins": 10},
        {"y_true": "labels", "n_bins": "count"},
        extra=[*PROBABILITY_CASES, *LABEL_CASES],
    ),
    Spec(
        expected_calibration_error,
        {"y_true": LABELS, "probabilities": PROBS, "n_bins": 10},
        {"y_true": "labels", "n_bins": "count"},
        extra=[*PROBABILITY_CASES, *LABEL_CASES],
    ),
    Spec(
        fit_temperature,
        {"y_true": LABELS, "probabilities": PROBS},
        {"y_true": "labels"},
        extra=[*PROBABILITY_CASES, *LABEL_CASES],
    ),
    Spec(
        apply_temperature,
        {"probabilities": PROBS, "temperature": 2.0},
        {"temperature": "positive"},
        extra=PROBABILITY_CASES,
    ),
]

BAD_INPUT_EXEMPT = {
    "Reliability": "a frozen record that reliability() fills in; readers never build one",
}


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


def test_reliability_by_hand():
    # confidences 0.9, 0.9 (one right) and 0.6, 0.6 (both right); ten bins of width 0.1
    table = reliability(LABELS, PROBS, n_bins=10)
    assert isinstance(table, Reliability)
    np.testing.assert_allclose(table.edges, np.linspace(0, 1, 11))
    np.testing.assert_array_equal(table.count, [0, 0, 0, 0, 0, 2, 0, 0, 2, 0])
    assert table.confidence[5] == pytest.approx(0.6)
    assert table.confidence[8] == pytest.approx(0.9)
    assert table.accuracy[5] == 1.0
    assert table.accuracy[8] == 0.5
    assert np.isnan(table.accuracy[0])
    assert np.isnan(table.confidence[9])
    assert table.count.sum() == len(LABELS)


def test_bins_are_closed_on_the_right():
    # 0.5 belongs to (0.4, 0.5], 1.0 to the last bin
    probs = np.array([[0.5, 0.5], [1.0, 0.0]])
    table = reliability(np.array([0, 0]), probs, n_bins=10)
    np.testing.assert_array_equal(np.flatnonzero(table.count), [4, 9])


def test_expected_calibration_error_by_hand():
    # bin (0.8, 0.9]: |0.5 - 0.9| on half the examples; bin (0.5, 0.6]: |1 - 0.6| on the other half
    assert expected_calibration_error(LABELS, PROBS, n_bins=10) == pytest.approx(0.4)
    assert isinstance(expected_calibration_error(LABELS, PROBS), float)


def test_calibrated_predictions_have_zero_error():
    # confidence 0.75 and three of four right
    probs = np.array([[0.75, 0.25]] * 4)
    assert expected_calibration_error(np.array([0, 0, 0, 1]), probs) == pytest.approx(0.0)


def test_apply_temperature_by_hand():
    z = np.array([2.0, 0.0, -1.0])
    probs = np.exp(z) / np.exp(z).sum()
    expected = np.exp(z / 2) / np.exp(z / 2).sum()
    np.testing.assert_allclose(apply_temperature(probs[None, :], 2.0)[0], expected, rtol=1e-12)
    np.testing.assert_allclose(apply_temperature(PROBS, 1.0), PROBS, rtol=1e-12)


def test_temperature_keeps_labels_and_softens():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(50, 10)) * 3
    probs = _softmax(z)
    soft = apply_temperature(probs, 3.0)
    np.testing.assert_array_equal(soft.argmax(axis=1), probs.argmax(axis=1))
    assert np.all(soft.max(axis=1) <= probs.max(axis=1) + 1e-12)
    np.testing.assert_allclose(soft.sum(axis=1), 1.0)


def test_zero_probabilities_stay_finite():
    probs = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    out = apply_temperature(probs, 5.0)
    assert np.all(np.isfinite(out))
    assert np.all(out > 0)
    np.testing.assert_array_equal(out.argmax(axis=1), [0, 1])


def _nll(labels, probs):
    return float(-np.mean(np.log(probs[np.arange(len(labels)), labels])))


def _softmax(z):
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def _overconfident(seed, n, k, scale, temperature):
    """Labels drawn from softmax(z / temperature), and softmax(z): a model too confident."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, k)) * scale
    labels = np.array([rng.choice(k, p=p) for p in _softmax(z / temperature)])
    return labels, _softmax(z)


def test_fit_temperature_recovers_a_known_temperature():
    # The model reports softmax(z) for labels drawn from softmax(z / 2): twice too confident.
    labels, reported = _overconfident(1, 20_000, 5, scale=4, temperature=2)
    temperature = fit_temperature(labels, reported)
    assert temperature == pytest.approx(2.0, rel=0.05)
    # and it is the minimum of the negative log-likelihood
    best = _nll(labels, apply_temperature(reported, temperature))
    for factor in (0.95, 1.05):
        assert best < _nll(labels, apply_temperature(reported, temperature * factor))
    assert not math.isclose(temperature, 1.0)


def test_fit_temperature_lowers_the_calibration_error():
    labels, reported = _overconfident(2, 5_000, 4, scale=5, temperature=3)
    before = expected_calibration_error(labels, reported)
    after = expected_calibration_error(
        labels, apply_temperature(reported, fit_temperature(labels, reported))
    )
    assert after < before / 3
