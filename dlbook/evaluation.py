"""Evaluating a classifier from its predictions: accuracy, per class, confusion, mistakes.

NumPy only, so that the same functions score a Keras model, a NumPy network or a
hand-made list of labels. :func:`accuracy_interval` puts a 95 % (Wilson) interval on a test
accuracy and :func:`mcnemar` tests whether two classifiers scored on the same examples differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from . import _checks

__all__ = [
    "Misclassified",
    "accuracy",
    "accuracy_gap",
    "accuracy_interval",
    "confusion_matrix",
    "mcnemar",
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


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10
) -> np.ndarray:
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


def per_class_accuracy(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = 10
) -> np.ndarray:
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
        raise TypeError(
            f"history must be a dict of lists, got {type(history).__name__}"
        )
    for key in ("accuracy", "val_accuracy"):
        if key not in history:
            raise ValueError(
                f"history has no {key!r} list (train with validation_data)"
            )
    train = _checks.as_array(history["accuracy"], "history['accuracy']", ndim=1)
    val = _checks.as_array(history["val_accuracy"], "history['val_accuracy']", ndim=1)
    _checks.same_length(
        **{"history['accuracy']": train, "history['val_accuracy']": val}
    )
    for key, values in (("accuracy", train), ("val_accuracy", val)):
        if values.min() < 0 or values.max() > 1:
            raise ValueError(
                f"history[{key!r}] must hold accuracies in [0, 1], got values from "
                f"{values.min()} to {values.max()}"
            )
    return train - val


# --- uncertainty ------------------------------------------------------------------------------


def _wilson_interval(correct, n, z):
    p = correct / n  # the measured accuracy
    # pulled towards 1/2, more for small n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # the ends are exact at 0 and at n correct
    low = centre - half if correct > 0 else 0.0
    high = centre + half if correct < n else 1.0
    return low, high


def accuracy_interval(
    correct_or_accuracy: int | float, n: int, level: float = 0.95
) -> tuple[float, float]:
    r"""Wilson score interval for an accuracy measured on ``n`` independent examples.

    With :math:`\hat p` the measured accuracy and :math:`z` the standard normal quantile of
    :math:`(1 + \text{level})/2` (1.96 for 95 %), the interval is

    .. math:: \frac{\hat p + \frac{z^2}{2n} \pm z \sqrt{\frac{\hat p (1 - \hat p)}{n}
              + \frac{z^2}{4 n^2}}}{1 + z^2 / n}.

    Unlike the normal ("Wald") interval :math:`\hat p \pm z \sqrt{\hat p (1 - \hat p)/n}`,
    it stays inside [0, 1] and does not collapse to a point at 0 or 100 % accuracy. It
    covers the accuracy a model would have on unlimited data of the same kind, not the
    spread between training runs (seeds): that is a second source of noise.

    Parameters
    ----------
    correct_or_accuracy : int or float
        Either the number of correct predictions (an int in ``[0, n]``) or the accuracy
        (a float in [0, 1]); ``1`` means one correct prediction, ``1.0`` means 100 %.
    n : int
        Number of examples scored, >= 1.
    level : float, default 0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    tuple of float
        ``(low, high)``, with ``0 <= low <= accuracy <= high <= 1``.

    Raises
    ------
    TypeError
        If an argument is not a number, or ``n`` is not an int.
    ValueError
        If ``n < 1``, a count is outside ``[0, n]``, an accuracy outside [0, 1], ``level``
        outside (0, 1), a value is not finite, or a bool is passed.

    Examples
    --------
    >>> low, high = accuracy_interval(97, 100)
    >>> round(low, 4), round(high, 4)
    (0.9155, 0.9897)
    """
    n = _checks.as_int(n, "n", minimum=1)
    level = _checks.as_float(level, "level", above=0.0, below=1.0)
    if isinstance(correct_or_accuracy, (int, np.integer)) and not isinstance(
        correct_or_accuracy, (bool, np.bool_)
    ):
        correct = _checks.as_int(
            correct_or_accuracy, "correct_or_accuracy", minimum=0, maximum=n
        )
    else:
        p = _checks.as_float(
            correct_or_accuracy, "correct_or_accuracy", minimum=0.0, maximum=1.0
        )
        correct = p * n
    z = NormalDist().inv_cdf((1 + level) / 2)
    low, high = _wilson_interval(correct, n, z)
    return float(low), float(high)


def _mcnemar(a_right, b_right):
    a_only = int(np.sum(a_right & ~b_right))  # examples only classifier a gets right
    b_only = int(np.sum(b_right & ~a_right))  # ... only classifier b gets right
    n, k = a_only + b_only, min(a_only, b_only)
    # If both are equally good, each disagreement is a fair coin:
    # P(a split as uneven as this).
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return a_only, b_only, min(1.0, 2 * tail)


def mcnemar(
    y_true: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray
) -> tuple[int, int, float]:
    r"""Exact McNemar test: do two classifiers scored on the same examples differ?

    Only the examples on which exactly one of the two is right carry information: ``a_only``
    where ``a`` is right and ``b`` wrong, ``b_only`` the reverse. If the two classifiers
    were equally accurate, each of these :math:`m = a_{only} + b_{only}` disagreements would
    go either way with probability 1/2, so :math:`a_{only} \sim \text{Binomial}(m, 1/2)`;
    the two-sided p-value is

    .. math:: p = \min\Big(1,\; 2 \sum_{i=0}^{\min(a_{only}, b_{only})} \binom{m}{i}
              2^{-m}\Big).

    A small p says that a split this uneven is unlikely if the two are equally good. Pairing
    the predictions makes the test far more sensitive than comparing two accuracy intervals.

    Parameters
    ----------
    y_true : numpy.ndarray
        1-D integer labels, length n.
    pred_a, pred_b : numpy.ndarray
        1-D integer predictions of the two classifiers on the same examples, length n.

    Returns
    -------
    tuple of (int, int, float)
        ``(a_only, b_only, p_value)``; the p-value is 1.0 when the two never disagree.

    Raises
    ------
    TypeError
        If an array is not of an integer dtype.
    ValueError
        If an array is empty, not 1-D, holds a negative label, or the lengths differ.

    Examples
    --------
    >>> y = np.zeros(10, dtype=int)
    >>> mcnemar(y, np.array([0] * 9 + [1]), np.array([1] * 6 + [0] * 4))
    (6, 1, 0.125)
    """
    y_true = _checks.as_labels(y_true, "y_true")
    pred_a = _checks.as_labels(pred_a, "pred_a")
    pred_b = _checks.as_labels(pred_b, "pred_b")
    _checks.same_length(y_true=y_true, pred_a=pred_a, pred_b=pred_b)
    return _mcnemar(pred_a == y_true, pred_b == y_true)
