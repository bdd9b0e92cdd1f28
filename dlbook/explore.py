"""Looking at a labelled image data set before training on it."""

from __future__ import annotations

import numpy as np

__all__ = ["class_counts", "examples_per_class", "mean_images", "pixel_summary"]


def _check_images_labels(images: np.ndarray, labels: np.ndarray) -> None:
    if not isinstance(images, np.ndarray) or images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must be a non-empty (n, height, width) array, got {images!r:.60}")
    if not isinstance(labels, np.ndarray) or labels.shape != (len(images),):
        raise ValueError(
            f"labels must be a 1-D array with one label per image ({len(images)}), "
            f"got shape {getattr(labels, 'shape', None)}"
        )
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError("labels must be non-negative integers")


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
    ValueError
        If ``labels`` is empty, not 1-D integers, or holds a label outside the range.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a non-empty 1-D integer array, got {labels.dtype}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes})")
    return np.bincount(labels, minlength=num_classes).astype(np.int64)


def mean_images(images: np.ndarray, labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
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
    ValueError
        If the shapes disagree or a class has no example.
    """
    _check_images_labels(images, labels)
    counts = class_counts(labels, num_classes)
    if (counts == 0).any():
        raise ValueError(f"classes {np.flatnonzero(counts == 0).tolist()} have no example")
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
    ValueError
        If ``per_class`` < 1 or a class has fewer than ``per_class`` examples.
    """
    counts = class_counts(labels, num_classes)
    if per_class < 1 or counts.min() < per_class:
        raise ValueError(f"per_class must be in [1, {counts.min()}], got {per_class}")
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
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8:
        raise TypeError("images must be a uint8 array")
    if images.size == 0:
        raise ValueError("images is empty")
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
