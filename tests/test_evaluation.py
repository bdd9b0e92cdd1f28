"""Tests of dlbook.evaluation against hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.evaluation import (
    accuracy,
    confusion_matrix,
    misclassified,
    per_class_accuracy,
    predicted_labels,
)

Y_TRUE = np.array([0, 0, 1, 1, 2, 2, 2])
Y_PRED = np.array([0, 1, 1, 1, 2, 0, 2])


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
    with pytest.raises(ValueError, match="non-finite"):
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


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "match"),
    [
        (np.array([0.0, 1.0]), np.array([0, 1]), TypeError, "y_true"),
        (np.array([0, 1]), np.array([0.0, 1.0]), TypeError, "y_pred"),
        (np.array([0, 1]), np.array([0, 1, 1]), ValueError, "same length"),
        (np.array([], dtype=int), np.array([], dtype=int), ValueError, "non-empty"),
        (np.array([[0, 1]]), np.array([[0, 1]]), ValueError, "1-D"),
        (np.array([-1, 1]), np.array([0, 1]), ValueError, ">= 0"),
    ],
)
def test_accuracy_rejects_bad_labels(y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        accuracy(y_true, y_pred)


def test_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        confusion_matrix(np.array([0, 3]), np.array([0, 1]), num_classes=3)
    with pytest.raises(ValueError, match="num_classes"):
        confusion_matrix(Y_TRUE, Y_PRED, num_classes=0)


def test_misclassified_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same length"):
        misclassified(np.array([0, 1]), np.array([[0.5, 0.5]]))
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        misclassified(np.array([2]), np.array([[0.5, 0.5]]))
