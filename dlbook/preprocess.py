"""Turning MNIST's uint8 arrays into what a network trains on.

Pixel scaling lives here and nowhere else: dense networks read :func:`prepare_dense_inputs`,
convolutional ones :func:`prepare_image_inputs`. Each public function checks its arguments
and hands them to a short core (``_scale_images``, ``_prepare_dense_inputs``, ...).
"""

from __future__ import annotations

import numpy as np

from . import _checks

__all__ = [
    "flatten_images",
    "one_hot",
    "prepare_dense_inputs",
    "prepare_image_inputs",
    "scale_images",
]


def _scale_images(images):
    return images.astype(np.float32) / np.float32(255.0)  # 0..255 -> 0.0..1.0


def _flatten_images(images):
    # (n, 28, 28) -> (n, 784)
    return np.ascontiguousarray(images.reshape(len(images), -1))


def _one_hot(labels, num_classes):
    # label k -> row k of the identity
    return np.eye(num_classes, dtype=np.float32)[labels]


def _prepare_dense_inputs(images, labels, num_classes):
    # uint8 (n, 28, 28) -> float32 (n, 784) in [0, 1]
    x = _flatten_images(_scale_images(images))
    # label 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    y = _one_hot(labels, num_classes)
    return x, y


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
        If ``images`` is not a uint8 array (scaling twice is a classic bug).
    ValueError
        If ``images`` is empty.
    """
    return _scale_images(_checks.as_array(images, "images", dtype=None, kind="uint8"))


def flatten_images(images: np.ndarray) -> np.ndarray:
    """Flatten (n, height, width) images to (n, height * width) rows.

    Parameters
    ----------
    images : numpy.ndarray
        Array of real numbers of shape (n, height, width) with n >= 1.

    Returns
    -------
    numpy.ndarray
        C-contiguous array of shape (n, height * width), same dtype.

    Raises
    ------
    TypeError
        If ``images`` does not hold real numbers.
    ValueError
        If ``images`` is not three-dimensional, is empty, or holds nan or inf.
    """
    return _flatten_images(_checks.as_array(images, "images", ndim=3, dtype=None))


def one_hot(labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Encode integer class labels as float32 one-hot rows.

    Parameters
    ----------
    labels : numpy.ndarray
        1-D array of integers in ``[0, num_classes)``.
    num_classes : int, default 10
        Number of classes, >= 1.

    Returns
    -------
    numpy.ndarray
        float32 array of shape (len(labels), num_classes).

    Raises
    ------
    TypeError
        If ``labels`` is not an integer array or ``num_classes`` not an int.
    ValueError
        If ``labels`` is not 1-D, is empty, or holds a label outside ``[0, num_classes)``.
    """
    num_classes = _checks.as_int(num_classes, "num_classes", minimum=1)
    return _one_hot(
        _checks.as_labels(labels, "labels", num_classes=num_classes), num_classes
    )


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
    images = _checks.as_array(images, "images", ndim=3, dtype=None, kind="uint8")
    num_classes = _checks.as_int(num_classes, "num_classes", minimum=1)
    labels = _checks.as_labels(labels, "labels", num_classes=num_classes)
    _checks.same_length(images=images, labels=labels)
    return _prepare_dense_inputs(images, labels, num_classes)


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
    images = _checks.as_array(images, "images", ndim=3, dtype=None, kind="uint8")
    return _scale_images(images)[..., np.newaxis]
