"""Tests of dlbook.preprocess: scaling, flattening, one-hot, and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from badinput import NAN, Spec, bad_input_tests

from dlbook.preprocess import (
    flatten_images,
    one_hot,
    prepare_dense_inputs,
    prepare_image_inputs,
    scale_images,
)

IMAGES = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
LABELS = np.array([3, 7])

# Raw-pixel arguments: anything but a non-empty uint8 array is refused.
UINT8_CASES = [
    ("images-float", {"images": IMAGES / 255.0}, TypeError, "images"),
    ("images-int64", {"images": IMAGES.astype(np.int64)}, TypeError, "images"),
    ("images-str", {"images": "abc"}, TypeError, "images"),
    ("images-bools", {"images": IMAGES > 3}, ValueError, "images"),
    ("images-empty", {"images": np.zeros((0, 3, 3), np.uint8)}, ValueError, "images"),
]
NOT_3D = ("images-2-D", {"images": IMAGES[0]}, ValueError, "images")

BAD_INPUT = [
    Spec(scale_images, {"images": IMAGES}, extra=UINT8_CASES),
    Spec(
        flatten_images,
        {"images": IMAGES},
        extra=[
            NOT_3D,
            ("images-str", {"images": "abc"}, TypeError, "images"),
            ("images-empty", {"images": np.zeros((0, 3, 3))}, ValueError, "images"),
            ("images-nan", {"images": np.full((1, 2, 2), NAN)}, ValueError, "images"),
        ],
    ),
    Spec(
        one_hot, {"labels": LABELS, "num_classes": 10}, {"labels": "labels", "num_classes": "count"}
    ),
    Spec(
        prepare_dense_inputs,
        {"images": IMAGES, "labels": LABELS, "num_classes": 10},
        {"labels": "labels", "num_classes": "count"},
        extra=[
            *UINT8_CASES,
            NOT_3D,
            ("lengths-differ", {"labels": np.array([3])}, ValueError, "labels"),
            ("label-vs-num_classes", {"num_classes": 5}, ValueError, "labels"),
        ],
    ),
    Spec(prepare_image_inputs, {"images": IMAGES}, extra=[*UINT8_CASES, NOT_3D]),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


def test_scale_images_range_and_dtype():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    scaled = scale_images(images)
    assert scaled.dtype == np.float32
    assert scaled.shape == images.shape
    np.testing.assert_allclose(scaled, [[[0.0, 1.0], [0.2, 0.4]]], rtol=1e-6)


def test_scale_images_refuses_to_scale_twice():
    with pytest.raises(TypeError, match="uint8"):
        scale_images(scale_images(IMAGES))
    with pytest.raises(TypeError, match="uint8"):
        scale_images([[1, 2]])


def test_flatten_images():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    flat = flatten_images(images)
    assert flat.shape == (2, 12)
    assert flat.flags.c_contiguous
    np.testing.assert_array_equal(flat[1], np.arange(12, 24))
    assert flatten_images(IMAGES).dtype == np.uint8  # the dtype is kept


def test_one_hot():
    encoded = one_hot(np.array([0, 2, 1]), num_classes=3)
    np.testing.assert_array_equal(encoded, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert encoded.dtype == np.float32
    assert one_hot(np.array([5], dtype=np.uint8)).shape == (1, 10)  # MNIST's own dtype


def test_one_hot_never_reads_minus_one_as_the_last_class():
    with pytest.raises(ValueError, match="labels"):
        one_hot(np.array([-1, 0]), 3)


def test_prepare_dense_inputs():
    images = np.full((2, 28, 28), 255, np.uint8)
    x, y = prepare_dense_inputs(images, np.array([3, 7]))
    assert x.shape == (2, 784)
    assert x.dtype == np.float32
    assert float(x.max()) == 1.0
    np.testing.assert_array_equal(y.argmax(axis=1), [3, 7])
    with pytest.raises(ValueError, match="same length"):
        prepare_dense_inputs(images, np.array([3]))
    with pytest.raises(TypeError, match="uint8"):
        prepare_dense_inputs(images / 255.0, np.array([3, 7]))


def test_prepare_image_inputs_scales_and_adds_channel():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    out = prepare_image_inputs(images)
    assert out.dtype == np.float32
    assert out.shape == (1, 2, 2, 1)
    np.testing.assert_allclose(out[0, :, :, 0], [[0.0, 1.0], [0.2, 0.4]], rtol=1e-6)


def test_prepare_image_inputs_rejects_bad_input():
    with pytest.raises(TypeError, match="uint8"):
        prepare_image_inputs(np.zeros((1, 2, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="shape"):
        prepare_image_inputs(np.zeros((2, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="empty"):
        prepare_image_inputs(np.zeros((0, 2, 2), dtype=np.uint8))
