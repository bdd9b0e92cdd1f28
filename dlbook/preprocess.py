"""Turning MNIST's uint8 arrays into what a network trains on."""

from __future__ import annotations

import numpy as np

__all__ = [
    "flatten_images",
    "one_hot",
    "prepare_dense_inputs",
    "prepare_image_inputs",
    "scale_images",
]


def scale_images(images: np.ndarray) -> np.ndarray:
    """Scale uint8 pixel values 0..255 to float32 in [0, 1].

    Parameters
    ----------
    images : numpy.ndarray
        uint8 array of any shape, e.g. (n, 28, 28).

    Returns
    -------
    numpy.ndarray
        float32 array of the same shape.

    Raises
    ------
    TypeError
        If ``images`` is not a uint8 NumPy array (scaling twice is a classic bug).
    ValueError
        If ``images`` is empty.
    """
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8:
        raise TypeError(
            f"images must be a uint8 array, got {getattr(images, 'dtype', type(images))}"
        )
    if images.size == 0:
        raise ValueError("images is empty")
    return images.astype(np.float32) / np.float32(255.0)


def flatten_images(images: np.ndarray) -> np.ndarray:
    """Flatten (n, height, width) images to (n, height * width) rows.

    Parameters
    ----------
    images : numpy.ndarray
        Array of shape (n, height, width) with n >= 1.

    Returns
    -------
    numpy.ndarray
        C-contiguous array of shape (n, height * width), same dtype.

    Raises
    ------
    ValueError
        If ``images`` is not three-dimensional or is empty.
    """
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[0] == 0:
        raise ValueError(
            f"images must have shape (n, height, width) with n >= 1, got {images.shape}"
        )
    return np.ascontiguousarray(images.reshape(images.shape[0], -1))


def one_hot(labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Encode integer class labels as float32 one-hot rows.

    Parameters
    ----------
    labels : numpy.ndarray
        1-D array of integers in ``[0, num_classes)``.
    num_classes : int, default 10
        Number of classes.

    Returns
    -------
    numpy.ndarray
        float32 array of shape (len(labels), num_classes).

    Raises
    ------
    TypeError
        If ``labels`` is not an integer array.
    ValueError
        If ``labels`` is not 1-D, is empty, or holds a label outside ``[0, num_classes)``.
    """
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, (int, np.integer))
        or num_classes < 1
    ):
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"labels must lie in [0, {num_classes}), got min {labels.min()} and max {labels.max()}"
        )
    return np.eye(num_classes, dtype=np.float32)[labels]


def prepare_dense_inputs(
    images: np.ndarray, labels: np.ndarray, num_classes: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Prepare MNIST for a dense network, as the source does: scale, flatten, one-hot.

    Parameters
    ----------
    images : numpy.ndarray
        uint8 array of shape (n, height, width).
    labels : numpy.ndarray
        1-D integer array of length n, values in ``[0, num_classes)``.
    num_classes : int, default 10
        Number of classes.

    Returns
    -------
    x : numpy.ndarray
        float32 array of shape (n, height * width), values in [0, 1].
    y : numpy.ndarray
        float32 one-hot array of shape (n, num_classes).

    Raises
    ------
    TypeError
        If ``images`` is not uint8 or ``labels`` is not an integer array.
    ValueError
        If a shape is wrong, the lengths differ, or a label is out of range.
    """
    x = flatten_images(scale_images(images))
    y = one_hot(labels, num_classes)
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"images and labels must be equally long, got {x.shape[0]} and {y.shape[0]}"
        )
    return x, y


def prepare_image_inputs(images: np.ndarray) -> np.ndarray:
    """Turn uint8 grey images into a CNN's input: float32 in [0, 1] with a channel axis.

    Parameters
    ----------
    images : numpy.ndarray
        uint8 array of shape (n, height, width).

    Returns
    -------
    numpy.ndarray
        float32 array of shape (n, height, width, 1): :func:`scale_images` plus a channel axis.

    Raises
    ------
    TypeError
        If ``images`` is not uint8 (already scaled images would be divided twice).
    ValueError
        If ``images`` is not a non-empty 3-D array.
    """
    if isinstance(images, np.ndarray) and images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    return scale_images(images)[..., np.newaxis]
