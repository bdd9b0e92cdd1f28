"""Calibration: does a classifier's confidence match how often it is right?

A classifier is *calibrated* when, among the examples it labels with confidence about
``c``, a share of about ``c`` is right. :func:`reliability` bins the examples by the
confidence of the predicted class and measures the accuracy in each bin (the data of a
reliability diagram); :func:`expected_calibration_error` sums the gaps between confidence
and accuracy, weighted by the share of examples in each bin. Temperature scaling
(:func:`fit_temperature`, :func:`apply_temperature`) divides the logits by one number
``T`` fitted on held-out data: ``T > 1`` softens over-confident probabilities, ``T < 1``
sharpens under-confident ones, and the predicted labels never change.

NumPy only; the functions read probabilities (softmax outputs), so they work on stored
predictions without the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _checks

__all__ = [
    "Reliability",
    "apply_temperature",
    "expected_calibration_error",
    "fit_temperature",
    "reliability",
]


def _confidence_and_correct(y_true, probabilities):
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1).astype(np.float64)
    return confidence, (predicted == y_true).astype(np.float64)


def _reliability(confidence, correct, n_bins):
    # Bin k holds the confidences in (k / n_bins, (k + 1) / n_bins];
    # the first bin also holds 0.
    bins = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    confidence_sum = np.bincount(bins, weights=confidence, minlength=n_bins)
    correct_sum = np.bincount(bins, weights=correct, minlength=n_bins)
    return count, confidence_sum, correct_sum


def _expected_calibration_error(confidence, correct, n_bins):
    count, confidence_sum, correct_sum = _reliability(confidence, correct, n_bins)
    # |accuracy - mean confidence| in each bin,
    # weighted by the bin's share of the examples
    return float(np.abs(correct_sum - confidence_sum).sum() / count.sum())


def _log_probabilities(probabilities):
    # log p differs from the logits only by a constant per row, which softmax ignores;
    # a probability that underflowed to 0 is read as the smallest float32 (log = -87.3).
    return np.log(
        np.maximum(probabilities.astype(np.float64), np.finfo(np.float32).tiny)
    )


def _apply_temperature(probabilities, temperature):
    z = _log_probabilities(probabilities) / temperature
    z -= z.max(axis=1, keepdims=True)  # subtract the row maximum: exp cannot overflow
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def _fit_temperature(y_true, probabilities):
    # Minimise the mean negative log-likelihood over b = 1/T.
    # The loss is convex in b and its slope, mean(E_p[z] - z_true), rises with b:
    # halve the bracket [1e-3, 1e3] by the slope's sign.
    z = _log_probabilities(probabilities)
    z_true = z[np.arange(len(z)), y_true]
    low, high = np.log(1e-3), np.log(1e3)
    for _ in range(80):
        b = np.exp((low + high) / 2)
        p = _apply_temperature(probabilities, 1 / b)
        slope = np.mean((p * z).sum(axis=1) - z_true)
        low, high = (low, np.log(b)) if slope > 0 else (np.log(b), high)
    return float(1 / np.exp((low + high) / 2))


@dataclass(frozen=True)
class Reliability:
    """What a reliability diagram draws: per confidence bin, the mean confidence and accuracy.

    Attributes
    ----------
    edges : numpy.ndarray
        The ``n_bins + 1`` bin edges, from 0 to 1.
    count : numpy.ndarray
        Examples in each bin.
    confidence : numpy.ndarray
        Mean confidence of the predicted class in each bin (nan where the bin is empty).
    accuracy : numpy.ndarray
        Share of correct predictions in each bin (nan where the bin is empty).
    """

    edges: np.ndarray
    count: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray


def _as_probabilities(probabilities):
    probabilities = _checks.as_array(probabilities, "probabilities", ndim=2, dtype=None)
    if probabilities.min() < 0 or np.abs(probabilities.sum(axis=1) - 1).max() > 1e-3:
        raise ValueError(
            "probabilities must be non-negative rows that sum to 1 (softmax outputs), got "
            f"values from {probabilities.min()} and row sums up to "
            f"{probabilities.sum(axis=1).max()}"
        )
    return probabilities


def _checked(y_true, probabilities):
    probabilities = _as_probabilities(probabilities)
    y_true = _checks.as_labels(y_true, "y_true", num_classes=probabilities.shape[1])
    _checks.same_length(y_true=y_true, probabilities=probabilities)
    return y_true, probabilities


def reliability(
    y_true: np.ndarray, probabilities: np.ndarray, n_bins: int = 15
) -> Reliability:
    """Bin predictions by their confidence and measure the accuracy in each bin.

    The confidence of a prediction is the probability of the predicted (largest) class.
    Bin ``k`` holds the confidences in ``(k / n_bins, (k + 1) / n_bins]``. A calibrated
    classifier has ``accuracy`` close to ``confidence`` in every bin that holds many
    examples.

    Parameters
    ----------
    y_true : numpy.ndarray
        1-D integer labels, length n.
    probabilities : numpy.ndarray
        Shape (n, num_classes), non-negative rows summing to 1.
    n_bins : int, default 15
        Number of equal-width bins over [0, 1].

    Returns
    -------
    Reliability
        Edges, counts, mean confidence and accuracy per bin.

    Raises
    ------
    TypeError
        If ``y_true`` is not of an integer dtype, ``probabilities`` not of real numbers or
        ``n_bins`` not an int.
    ValueError
        If the lengths differ, a label is outside ``[0, num_classes)``, ``probabilities``
        is not 2-D, holds nan, a negative value or a row that does not sum to 1, or
        ``n_bins`` < 1.
    """
    y_true, probabilities = _checked(y_true, probabilities)
    n_bins = _checks.as_int(n_bins, "n_bins", minimum=1)
    count, confidence_sum, correct_sum = _reliability(
        *_confidence_and_correct(y_true, probabilities), n_bins
    )
    # empty bins are nan, on purpose
    with np.errstate(invalid="ignore", divide="ignore"):
        return Reliability(
            edges=np.linspace(0.0, 1.0, n_bins + 1),
            count=count.astype(np.int64),
            confidence=np.where(count > 0, confidence_sum / count, np.nan),
            accuracy=np.where(count > 0, correct_sum / count, np.nan),
        )


def expected_calibration_error(
    y_true: np.ndarray, probabilities: np.ndarray, n_bins: int = 15
) -> float:
    r"""Expected calibration error: the mean gap between confidence and accuracy.

    .. math:: \mathrm{ECE} = \sum_k \frac{n_k}{n} \left| \mathrm{acc}_k - \mathrm{conf}_k \right|

    over the bins of :func:`reliability`. 0 for a calibrated classifier; an
    over-confident one has accuracies below its confidences.

    Parameters
    ----------
    y_true : numpy.ndarray
        1-D integer labels, length n.
    probabilities : numpy.ndarray
        Shape (n, num_classes), non-negative rows summing to 1.
    n_bins : int, default 15
        Number of equal-width confidence bins.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    TypeError
        If ``y_true`` is not of an integer dtype, ``probabilities`` not of real numbers or
        ``n_bins`` not an int.
    ValueError
        As for :func:`reliability`.

    Examples
    --------
    >>> probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    >>> round(expected_calibration_error(np.array([0, 1, 0, 0]), probs, n_bins=10), 4)
    0.4
    """
    y_true, probabilities = _checked(y_true, probabilities)
    n_bins = _checks.as_int(n_bins, "n_bins", minimum=1)
    return _expected_calibration_error(
        *_confidence_and_correct(y_true, probabilities), n_bins
    )


def fit_temperature(y_true: np.ndarray, probabilities: np.ndarray) -> float:
    """Fit the temperature that makes the probabilities most likely on labelled data.

    Finds the ``T`` that minimises the mean negative log-likelihood of
    ``softmax(log(probabilities) / T)``; ``log(probabilities)`` equals the logits up to a
    constant per row, which the softmax ignores. Fit it on data the model did not train on.

    Parameters
    ----------
    y_true : numpy.ndarray
        1-D integer labels, length n.
    probabilities : numpy.ndarray
        Shape (n, num_classes), non-negative rows summing to 1.

    Returns
    -------
    float
        The temperature, in [1e-3, 1e3]; > 1 means the model was over-confident.

    Raises
    ------
    TypeError
        If ``y_true`` is not of an integer dtype or ``probabilities`` not of real numbers.
    ValueError
        As for :func:`reliability` (without ``n_bins``).
    """
    y_true, probabilities = _checked(y_true, probabilities)
    return _fit_temperature(y_true, probabilities)


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Rescale probabilities by a temperature: ``softmax(log(probabilities) / temperature)``.

    Parameters
    ----------
    probabilities : numpy.ndarray
        Shape (n, num_classes), non-negative rows summing to 1.
    temperature : float
        > 0; 1 leaves the probabilities unchanged.

    Returns
    -------
    numpy.ndarray
        float64 array of the same shape; each row keeps its largest class.

    Raises
    ------
    TypeError
        If ``probabilities`` does not hold real numbers or ``temperature`` is not a number.
    ValueError
        If ``probabilities`` is not a valid 2-D array of probabilities, or ``temperature``
        is not a finite number > 0.
    """
    probabilities = _as_probabilities(probabilities)
    temperature = _checks.as_float(temperature, "temperature", above=0.0)
    return _apply_temperature(probabilities, temperature)
