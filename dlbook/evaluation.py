"""Evaluating a classifier from its predictions: accuracy, per class, confusion, mistakes.

NumPy only, so that the same functions score a Keras model, a NumPy network or a
hand-made list of labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks

__all__ = [
    "Misclassified",
    "accuracy",
    "accuracy_gap",
    "confusion_matrix",
    "misclassified",
    "per_class_accuracy",
    "predicted_labels",
]


def _accuracy(y_true, y_pred):
    return float(np.mean(y_true == y_pred))  # share of positions where the labels agree


def _confusion_matrix(y_true, y_pred, num_classes):
    # Code the pair (true i, predicted j) as the one number i * num_classes + j,
    # count how often each code occurs, and fold the counts into a square.
    codes = y_true * num_classes + y_pred
    counts = np.bincount(codes, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def predicted_labels(probabilities: np.ndarray) -> np.ndarray:
    """Turn class scores into predicted labels (the index of the largest score per row).

    Parameters
    ----------
    probabilities : numpy.ndarray
        Shape (n, num_classes) with n >= 1, e.g. softmax outputs.

    Returns
    -------
    numpy.ndarray
        int64 array of shape (n,).

    Raises
    ------
    TypeError
        If ``probabilities`` does not hold real numbers.
    ValueError
        If ``probabilities`` is not a non-empty 2-D array or holds nan or inf.
    """
    probabilities = _checks.as_array(probabilities, "probabilities", ndim=2, dtype=None)
    return np.argmax(probabilities, axis=1).astype(np.int64)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of predictions equal to the true label.

    Parameters
    ----------
    y_true, y_pred : numpy.ndarray
        1-D integer label arrays of the same length.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    TypeError
        If a label array is not of an integer dtype (one-hot rows must be decoded first).
    ValueError
        If the arrays are empty, not 1-D, hold a negative label, or differ in length.

    Examples
    --------
    >>> accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2]))
    0.75
    """
    y_true = _checks.as_labels(y_true, "y_true")
    y_pred = _checks.as_labels(y_pred, "y_pred")
    _checks.same_length(y_true=y_true, y_pred=y_pred)
    return _accuracy(y_true, y_pred)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Count how often each true class is predicted as each class.

    Parameters
    ----------
    y_true, y_pred : numpy.ndarray
        1-D integer label arrays of the same length, labels in ``[0, num_classes)``.
    num_classes : int, default 10
        Number of classes.

    Returns
    -------
    numpy.ndarray
        int64 array of shape (num_classes, num_classes): entry ``[i, j]`` counts the
        examples of true class ``i`` predicted as ``j``. Rows sum to the class sizes.

    Raises
    ------
    TypeError
        If a label array is not of an integer dtype or ``num_classes`` is not an int.
    ValueError
        If the arrays are empty, differ in length, or hold a label outside the range.
    """
    num_classes = _checks.as_int(num_classes, "num_classes", minimum=1)
    y_true = _checks.as_labels(y_true, "y_true", num_classes=num_classes)
    y_pred = _checks.as_labels(y_pred, "y_pred", num_classes=num_classes)
    _checks.same_length(y_true=y_true, y_pred=y_pred)
    return _confusion_matrix(y_true, y_pred, num_classes).astype(np.int64)


def per_class_accuracy(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Accuracy within each true class (the recall of each class).

    Parameters
    ----------
    y_true, y_pred, num_classes
        As for :func:`confusion_matrix`, whose diagonal divided by its row sums this is.

    Returns
    -------
    numpy.ndarray
        float64 array of shape (num_classes,).

    Raises
    ------
    TypeError
        If a label array is not of an integer dtype.
    ValueError
        If the arrays are empty, differ in length, hold a label outside the range, or
        a class has no example in ``y_true`` (its accuracy would be undefined).
    """
    matrix = confusion_matrix(y_true, y_pred, num_classes)  # checks the arguments
    support = matrix.sum(axis=1)
    if np.any(support == 0):
        missing = np.flatnonzero(support == 0).tolist()
        raise ValueError(f"y_true has no example of class(es) {missing}")
    return np.diag(matrix) / support


@dataclass(frozen=True)
class Misclassified:
    """The examples a classifier got wrong, most confident mistakes first.

    Attributes
    ----------
    indices : numpy.ndarray
        Positions of the wrong predictions in the evaluated set.
    true : numpy.ndarray
        Their true labels.
    predicted : numpy.ndarray
        The labels the model predicted.
    confidence : numpy.ndarray
        The probability the model gave its (wrong) prediction.
    """

    indices: np.ndarray
    true: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray

    def __len__(self) -> int:
        return int(self.indices.size)


def misclassified(y_true: np.ndarray, probabilities: np.ndarray) -> Misclassified:
    """Find the wrongly predicted examples, sorted by the model's confidence (highest first).

    Parameters
    ----------
    y_true : numpy.ndarray
        1-D integer labels, length n.
    probabilities : numpy.ndarray
        Class probabilities of shape (n, num_classes).

    Returns
    -------
    Misclassified
        Indices, true and predicted labels and confidences of every mistake; ties in
        confidence keep the examples' order.

    Raises
    ------
    TypeError
        If ``y_true`` is not of an integer dtype or ``probabilities`` not of real numbers.
    ValueError
        If the lengths disagree, a label is outside ``[0, num_classes)``, or
        ``probabilities`` is not a 2-D array of values in [0, 1].
    """
    probabilities = _checks.as_array(probabilities, "probabilities", ndim=2, dtype=None)
    if probabilities.min() < -1e-6 or probabilities.max() > 1 + 1e-6:  # float rounding
        raise ValueError(
            f"probabilities must lie in [0, 1], got values from {probabilities.min()} "
            f"to {probabilities.max()}"
        )
    y_true = _checks.as_labels(y_true, "y_true", num_classes=probabilities.shape[1])
    _checks.same_length(y_true=y_true, probabilities=probabilities)
    y_pred = np.argmax(probabilities, axis=1)
    wrong = np.flatnonzero(y_true != y_pred)
    confidence = probabilities[wrong, y_pred[wrong]].astype(np.float64)
    order = np.argsort(-confidence, kind="stable")
    wrong = wrong[order]
    return Misclassified(
        indices=wrong,
        true=y_true[wrong],
        predicted=y_pred[wrong],
        confidence=confidence[order],
    )


def accuracy_gap(history: dict[str, list[float]]) -> np.ndarray:
    """Training minus validation accuracy after each epoch of a training history.

    Parameters
    ----------
    history : dict of str to list of float
        A history with ``accuracy`` and ``val_accuracy`` lists of equal length, as
        returned by :func:`dlbook.keras_models.train_model`.

    Returns
    -------
    numpy.ndarray
        float64 array, one gap per epoch (positive: better on the training data).

    Raises
    ------
    TypeError
        If ``history`` is not a dict or a list does not hold numbers.
    ValueError
        If a key is missing, or the lists are empty, of different lengths, or hold a value
        outside [0, 1].
    """
    if not isinstance(history, dict):
        raise TypeError(f"history must be a dict of lists, got {type(history).__name__}")
    for key in ("accuracy", "val_accuracy"):
        if key not in history:
            raise ValueError(f"history has no {key!r} list (train with validation_data)")
    train = _checks.as_array(history["accuracy"], "history['accuracy']", ndim=1)
    val = _checks.as_array(history["val_accuracy"], "history['val_accuracy']", ndim=1)
    _checks.same_length(**{"history['accuracy']": train, "history['val_accuracy']": val})
    for key, values in (("accuracy", train), ("val_accuracy", val)):
        if values.min() < 0 or values.max() > 1:
            raise ValueError(
                f"history[{key!r}] must hold accuracies in [0, 1], got values from "
                f"{values.min()} to {values.max()}"
            )
    return train - val
