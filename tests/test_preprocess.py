"""Tests of dlbook.preprocess: scaling, flattening, one-hot, and their errors."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.preprocess import flatten_images, one_hot, prepare_dense_inputs, scale_images


def test_scale_images_range_and_dtype():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    scaled = scale_images(images)
    assert scaled.dtype == np.float32
    assert scaled.shape == images.shape
    np.testing.assert_allclose(scaled, [[[0.0, 1.0], [0.2, 0.4]]], rtol=1e-6)


def test_scale_images_rejects_floats_and_empty():
    with pytest.raises(TypeError, match="uint8"):
        scale_images(np.zeros((1, 2, 2), np.float32))  # scaling twice
    with pytest.raises(TypeError, match="uint8"):
        scale_images([[1, 2]])
    with pytest.raises(ValueError, match="empty"):
        scale_images(np.zeros((0, 28, 28), np.uint8))


def test_flatten_images():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    flat = flatten_images(images)
    assert flat.shape == (2, 12)
    np.testing.assert_array_equal(flat[1], np.arange(12, 24))
    with pytest.raises(ValueError, match="height, width"):
        flatten_images(np.zeros((4, 784)))
    with pytest.raises(ValueError, match="n >= 1"):
        flatten_images(np.zeros((0, 28, 28)))


def test_one_hot():
    encoded = one_hot(np.array([0, 2, 1]), num_classes=3)
    np.testing.assert_array_equal(encoded, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert encoded.dtype == np.float32


@pytest.mark.parametrize(
    ("labels", "num_classes", "error", "match"),
    [
        (np.array([0.0, 1.0]), 10, TypeError, "integers"),
        (np.array([[0, 1]]), 10, ValueError, "1-D"),
        (np.array([], dtype=int), 10, ValueError, "non-empty"),
        (np.array([0, 10]), 10, ValueError, r"\[0, 10\)"),
        (np.array([-1, 0]), 10, ValueError, r"\[0, 10\)"),
        (np.array([0, 1]), 0, ValueError, "num_classes"),
    ],
)
def test_one_hot_rejects_bad_labels(labels, num_classes, error, match):
    with pytest.raises(error, match=match):
        one_hot(labels, num_classes)


def test_prepare_dense_inputs():
    images = np.full((2, 28, 28), 255, np.uint8)
    x, y = prepare_dense_inputs(images, np.array([3, 7]))
    assert x.shape == (2, 784)
    assert x.dtype == np.float32
    assert float(x.max()) == 1.0
    np.testing.assert_array_equal(y.argmax(axis=1), [3, 7])
    with pytest.raises(ValueError, match="equally long"):
        prepare_dense_inputs(images, np.array([3]))
    with pytest.raises(TypeError, match="uint8"):
        prepare_dense_inputs(images / 255.0, np.array([3, 7]))
