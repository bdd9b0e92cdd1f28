"""Looking at a labelled image data set before training on it."""

from __future__ import annotations

import numpy as np

from . import _checks

__all__ = ["class_counts", "examples_per_class", "mean_images", "pixel_summary"]


def class_counts(labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Count how many examples each class has.

    Parameters
    ----------
    labels : numpy.ndarray
        1-D array of integer labels in ``[0, num_classes)``.
    num_classes : int, default 10
        Number of classes.

    Returns
    -------
    numpy.ndarray
        int64 array of length ``num_classes``.

    Raises
    ------
    TypeError
        If ``labels`` does not hold integers or ``num_classes`` is not an int.
    ValueError
        If ``labels`` is empty, not 1-D, or holds a label outside the range.
    """
    num_classes = _checks.as_int(num_classes, "num_classes", minimum=1)
    labels = _checks.as_labels(labels, "labels", num_classes=num_classes)
    return np.bincount(labels, minlength=num_classes).astype(np.int64)


def mean_images(
    images: np.ndarray, labels: np.ndarray, num_classes: int = 10
) -> np.ndarray:
    """Average image of each class (the "typical" digit), in the images' units.

    Parameters
    ----------
    images : numpy.ndarray
        Array of shape (n, height, width).
    labels : numpy.ndarray
        Integer labels, shape (n,).
    num_classes : int, default 10
        Number of classes; every class must occur at least once.

    Returns
    -------
    numpy.ndarray
        float64 array of shape (num_classes, height, width).

    Raises
    ------
    TypeError
        If ``images`` does not hold real numbers, ``labels`` not integers.
    ValueError
        If the shapes disagree, a value is not finite, a label is out of range, or a class
        has no example.
    """
    images = _checks.as_array(images, "images", ndim=3, dtype=None)
    num_classes = _checks.as_int(num_classes, "num_classes", minimum=1)
    labels = _checks.as_labels(labels, "labels", num_classes=num_classes)
    _checks.same_length(images=images, labels=labels)
    counts = np.bincount(labels, minlength=num_classes)
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0).tolist()
        raise ValueError(f"labels: classes {missing} have no example")
    sums = np.zeros((num_classes, *images.shape[1:]), dtype=np.float64)
    np.add.at(sums, labels, images.astype(np.float64))
    return sums / counts[:, None, None]


def examples_per_class(
    labels: np.ndarray, per_class: int, num_classes: int = 10, *, seed: int = 0
) -> np.ndarray:
    """Pick ``per_class`` random example indices of each class, seeded.

    Parameters
    ----------
    labels : numpy.ndarray
        1-D integer labels.
    per_class : int
        How many examples of each class, >= 1.
    num_classes : int, default 10
        Number of classes.
    seed : int, default 0
        Seed of the random choice.

    Returns
    -------
    numpy.ndarray
        Index array of shape (num_classes, per_class); row ``k`` holds examples of class ``k``.

    Raises
    ------
    TypeError
        If ``labels`` does not hold integers or a count or the seed is not an int.
    ValueError
        If ``per_class`` < 1, ``seed`` < 0, a label is out of range, or a class has fewer
        than ``per_class`` examples.
    """
    num_classes = _checks.as_int(num_classes, "num_classes", minimum=1)
    labels = _checks.as_labels(labels, "labels", num_classes=num_classes)
    per_class = _checks.as_int(per_class, "per_class", minimum=1)
    seed = _checks.as_seed(seed)
    counts = np.bincount(labels, minlength=num_classes)
    if counts.min() < per_class:
        raise ValueError(
            f"per_class must be at most {counts.min()} (class {counts.argmin()} has only "
            f"{counts.min()} examples), got {per_class}"
        )
    rng = np.random.default_rng(seed)
    return np.stack(
        [
            rng.choice(np.flatnonzero(labels == k), per_class, replace=False)
            for k in range(num_classes)
        ]
    )


def pixel_summary(images: np.ndarray) -> dict[str, float]:
    """Summary statistics of pixel values, as plain floats.

    Parameters
    ----------
    images : numpy.ndarray
        uint8 images of any shape.

    Returns
    -------
    dict of str to float
        ``mean`` and ``std`` (in 0..255 units), ``mean_scaled`` and ``std_scaled`` (after
        dividing by 255), ``zero_fraction`` (share of pixels that are exactly 0) and
        ``max``.

    Raises
    ------
    TypeError
        If ``images`` is not uint8.
    ValueError
        If ``images`` is empty.
    """
    images = _checks.as_array(images, "images", dtype=None, kind="uint8")
    values = images.astype(np.float64)
    mean, std = float(values.mean()), float(values.std())
    return {
        "mean": mean,
        "std": std,
        "mean_scaled": mean / 255.0,
        "std_scaled": std / 255.0,
        "zero_fraction": float(np.count_nonzero(images == 0) / images.size),
        "max": float(images.max()),
    }
