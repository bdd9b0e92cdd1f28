"""Tests of dlbook.evaluation against hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from badinput import KINDS, NAN, Spec, bad_input_tests

from dlbook.evaluation import (
    accuracy,
    accuracy_gap,
    accuracy_interval,
    confusion_matrix,
    mcnemar,
    misclassified,
    per_class_accuracy,
    predicted_labels,
)

Y_TRUE = np.array([0, 0, 1, 1, 2, 2, 2])
Y_PRED = np.array([0, 1, 1, 1, 2, 0, 2])
PAIR = {"y_true": np.array([0, 1]), "y_pred": np.array([1, 1])}
PROBS = np.array([[0.9, 0.1], [0.3, 0.7]])
HISTORY = {"accuracy": [0.5, 0.9], "val_accuracy": [0.5, 0.7]}

PROBABILITY_CASES = [
    ("probabilities-1-D", {"probabilities": PROBS[0]}, ValueError, "probabilities"),
    ("probabilities-empty", {"probabilities": np.zeros((0, 2))}, ValueError, "probabilities"),
    ("probabilities-nan", {"probabilities": np.array([[NAN, 1.0]])}, ValueError, "probabilities"),
    ("probabilities-str", {"probabilities": "ab"}, TypeError, "probabilities"),
]
PAIR_CASES = [
    ("lengths-differ", {"y_pred": np.array([1, 1, 1])}, ValueError, "y_pred"),
]
# accuracy takes no num_classes, so a label 10 is fine there; every other bad label is not.
UNBOUNDED_LABEL_CASES = [
    (f"{arg}-{label}", {arg: bad}, exc, arg)
    for arg in ("y_true", "y_pred")
    for label, bad, exc in KINDS["labels"]
    if label != "too-large"
]

BAD_INPUT = [
    Spec(predicted_labels, {"probabilities": PROBS}, extra=PROBABILITY_CASES),
    Spec(accuracy, PAIR, extra=[*UNBOUNDED_LABEL_CASES, *PAIR_CASES]),
    Spec(
        confusion_matrix,
        {**PAIR, "num_classes": 10},
        {"y_true": "labels", "y_pred": "labels", "num_classes": "count"},
        extra=[
            *PAIR_CASES,
            (
                "label-vs-num_classes",
                {"y_pred": np.array([0, 5]), "num_classes": 3},
                ValueError,
                "y_pred",
            ),
        ],
    ),
    Spec(
        per_class_accuracy,
        {**PAIR, "num_classes": 2},
        {"y_true": "labels", "y_pred": "labels", "num_classes": "count"},
        extra=[*PAIR_CASES, ("class-missing", {"num_classes": 3}, ValueError, "y_true")],
    ),
    Spec(
        misclassified,
        {"y_true": np.array([0, 0]), "probabilities": PROBS},
        {"y_true": "labels"},
        extra=[
            *PROBABILITY_CASES,
            ("lengths-differ", {"y_true": np.array([0, 1, 1])}, ValueError, "probabilities"),
            ("label-vs-columns", {"y_true": np.array([0, 2])}, ValueError, "y_true"),
            ("not-probabilities", {"probabilities": PROBS * 10}, ValueError, "probabilities"),
        ],
    ),
    Spec(
        accuracy_gap,
        {"history": HISTORY},
        extra=[
            ("history-list", {"history": [0.5, 0.7]}, TypeError, "history"),
            ("no-val_accuracy", {"history": {"accuracy": [0.5]}}, ValueError, "history"),
            (
                "lengths-differ",
                {"history": {**HISTORY, "val_accuracy": [0.5]}},
                ValueError,
                "history",
            ),
            ("empty", {"history": {"accuracy": [], "val_accuracy": []}}, ValueError, "history"),
            ("nan", {"history": {**HISTORY, "accuracy": [NAN, 0.9]}}, ValueError, "history"),
            ("percent", {"history": {**HISTORY, "accuracy": [50.0, 90.0]}}, ValueError, "history"),
            ("strings", {"history": {**HISTORY, "accuracy": ["a", "b"]}}, TypeError, "history"),
        ],
    ),
    Spec(
        accuracy_interval,
        {"correct_or_accuracy": 97, "n": 100, "level": 0.95},
        {"n": "count"},
        extra=[
            ("level-zero", {"level": 0.0}, ValueError, "level"),
            ("level-one", {"level": 1.0}, ValueError, "level"),
            ("level-percent", {"level": 95}, ValueError, "level"),
            ("level-str", {"level": "0.95"}, TypeError, "level"),
            ("level-bool", {"level": True}, ValueError, "level"),
            ("count-above-n", {"correct_or_accuracy": 101}, ValueError, "correct_or_accuracy"),
            ("count-negative", {"correct_or_accuracy": -1}, ValueError, "correct_or_accuracy"),
            ("accuracy-above-1", {"correct_or_accuracy": 1.5}, ValueError, "correct_or_accuracy"),
            ("accuracy-nan", {"correct_or_accuracy": NAN}, ValueError, "correct_or_accuracy"),
            ("bool", {"correct_or_accuracy": True}, ValueError, "correct_or_accuracy"),
            ("str", {"correct_or_accuracy": "97"}, TypeError, "correct_or_accuracy"),
            ("none", {"correct_or_accuracy": None}, TypeError, "correct_or_accuracy"),
        ],
    ),
    Spec(
        mcnemar,
        {"y_true": np.array([0, 1]), "pred_a": np.array([0, 1]), "pred_b": np.array([1, 1])},
        extra=[
            *[
                (f"{arg}-{label}", {arg: bad}, exc, arg)
                for arg in ("y_true", "pred_a", "pred_b")
                for label, bad, exc in KINDS["labels"]
                if label != "too-large"  # mcnemar takes no num_classes: 10 is a label
            ],
            ("lengths-differ", {"pred_b": np.array([1, 1, 1])}, ValueError, "pred_b"),
            ("y_true-longer", {"y_true": np.array([0, 1, 1])}, ValueError, "y_true"),
        ],
    ),
]
BAD_INPUT_EXEMPT = {
    "Misclassified": "a frozen record that misclassified() fills in; readers never build one",
}


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


def test_accuracy_by_hand():
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(5 / 7)
    assert isinstance(accuracy(Y_TRUE, Y_PRED), float)
    assert accuracy(np.array([3]), np.array([3])) == 1.0


def test_confusion_matrix_by_hand():
    expected = np.array([[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    matrix = confusion_matrix(Y_TRUE, Y_PRED, num_classes=3)
    np.testing.assert_array_equal(matrix, expected)
    assert matrix.dtype == np.int64
    assert matrix.sum() == Y_TRUE.size
    assert confusion_matrix(Y_TRUE, Y_PRED).shape == (10, 10)


def test_per_class_accuracy_is_row_recall():
    np.testing.assert_allclose(per_class_accuracy(Y_TRUE, Y_PRED, 3), [0.5, 1.0, 2 / 3])


def test_per_class_accuracy_needs_every_class():
    with pytest.raises(ValueError, match=r"class\(es\) \[1\]"):
        per_class_accuracy(np.array([0, 2]), np.array([0, 2]), 3)


def test_predicted_labels():
    probs = np.array([[0.1, 0.9], [0.8, 0.2]])
    np.testing.assert_array_equal(predicted_labels(probs), [1, 0])
    with pytest.raises(ValueError, match="nan"):
        predicted_labels(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="shape"):
        predicted_labels(np.array([0.1, 0.9]))


def test_misclassified_sorted_by_confidence():
    probs = np.array(
        [
            [0.9, 0.1, 0.0],  # right
            [0.4, 0.6, 0.0],  # wrong: 1 with 0.6
            [0.0, 0.05, 0.95],  # wrong: 2 with 0.95
            [0.2, 0.7, 0.1],  # right
        ]
    )
    mistakes = misclassified(np.array([0, 0, 1, 1]), probs)
    assert len(mistakes) == 2
    np.testing.assert_array_equal(mistakes.indices, [2, 1])
    np.testing.assert_array_equal(mistakes.true, [1, 0])
    np.testing.assert_array_equal(mistakes.predicted, [2, 1])
    np.testing.assert_allclose(mistakes.confidence, [0.95, 0.6])


def test_misclassified_none_wrong():
    mistakes = misclassified(np.array([1]), np.array([[0.2, 0.8]]))
    assert len(mistakes) == 0


def test_labels_are_never_broadcast_or_wrapped():
    with pytest.raises(ValueError, match="same length"):
        accuracy(np.array([1]), np.array([1, 1]))  # one label is not compared with two rows
    with pytest.raises(ValueError, match=">= 0"):
        confusion_matrix(np.array([-1, 1]), np.array([0, 1]))  # -1 is not the last class


def test_accuracy_gap():
    gap = accuracy_gap({**HISTORY, "loss": [1, 0]})
    np.testing.assert_allclose(gap, [0.0, 0.2])
    assert gap.dtype == np.float64


# --- accuracy_interval and mcnemar ---------------------------------------------------------


def test_wilson_interval_by_hand():
    # 97 of 100, z = 1.959964: centre (0.97 + z^2/200) / (1 + z^2/100) = 0.952612,
    # half-width z / (1 + z^2/100) * sqrt(0.97 * 0.03 / 100 + z^2 / 40000) = 0.037133.
    low, high = accuracy_interval(97, 100)
    assert low == pytest.approx(0.915481, abs=1e-6)
    assert high == pytest.approx(0.989745, abs=1e-6)
    assert accuracy_interval(0.97, 100) == pytest.approx((low, high))
    assert accuracy_interval(np.int64(97), 100) == (low, high)
    assert all(isinstance(v, float) for v in (low, high))


def test_wilson_interval_ends_and_levels():
    assert accuracy_interval(0, 10)[0] == 0.0
    assert accuracy_interval(10, 10)[1] == 1.0
    assert accuracy_interval(1.0, 10) == accuracy_interval(10, 10)  # 1.0 is 100 %, not 1 right
    assert accuracy_interval(1, 10)[1] < 0.5
    narrow, wide = accuracy_interval(97, 100, level=0.5), accuracy_interval(97, 100, level=0.99)
    assert wide[0] < narrow[0] < 0.97 < narrow[1] < wide[1]
    # More examples, a narrower interval around the same accuracy (about 1/sqrt(n)).
    small, large = accuracy_interval(970, 1000), accuracy_interval(9700, 10000)
    ratio = (small[1] - small[0]) / (large[1] - large[0])
    assert ratio == pytest.approx(np.sqrt(10), rel=0.02)


def test_mcnemar_by_hand():
    # b = 1, c = 6: p = 2 * (C(7, 0) + C(7, 1)) / 2^7 = 2 * 8 / 128 = 0.125.
    y = np.zeros(10, dtype=np.int64)
    pred_a = np.array([0] * 9 + [1])  # wrong only on the last example
    pred_b = np.array([1] * 6 + [0] * 4)  # wrong on the first six
    assert mcnemar(y, pred_a, pred_b) == (6, 1, 0.125)
    assert mcnemar(y, pred_b, pred_a) == (1, 6, 0.125)


def test_mcnemar_ignores_agreements_and_caps_at_one():
    y = np.array([0, 1, 2, 3])
    assert mcnemar(y, y, y) == (0, 0, 1.0)  # never disagree: no evidence
    both_wrong = np.array([1, 2, 3, 0])
    assert mcnemar(y, both_wrong, both_wrong) == (0, 0, 1.0)
    # One disagreement each way: p = 2 * (1 + 2) / 4 = 1.5, capped at 1.
    assert mcnemar(y, np.array([0, 1, 0, 0]), np.array([1, 1, 2, 0]))[2] == 1.0


def test_mcnemar_matches_the_binomial_tail_for_many_disagreements():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 5000)
    pred_a, pred_b = y.copy(), y.copy()
    pred_a[:40] = (y[:40] + 1) % 10  # a wrong on 40 examples b gets right
    pred_b[40:100] = (y[40:100] + 1) % 10  # b wrong on 60 examples a gets right
    a_only, b_only, p = mcnemar(y, pred_a, pred_b)
    assert (a_only, b_only) == (60, 40)
    tail = sum(math.comb(100, i) for i in range(41)) / 2**100
    assert p == pytest.approx(2 * tail, rel=1e-12)
    assert 0.05 < p < 0.06  # 60 against 40 is not quite significant at 5 %
