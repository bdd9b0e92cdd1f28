"""dlbook.explore on small, hand-checkable arrays."""

from __future__ import annotations

import numpy as np
import pytest
from badinput import NAN, Spec, bad_input_tests

from dlbook.explore import class_counts, examples_per_class, mean_images, pixel_summary

IMAGES = np.array([[[0, 2]], [[4, 6]], [[10, 10]]], dtype=np.uint8)
LABELS3 = np.array([0, 0, 1])
LABELS = np.repeat(np.arange(10), 2)

BAD_INPUT = [
    Spec(
        class_counts,
        {"labels": LABELS, "num_classes": 10},
        {"labels": "labels", "num_classes": "count"},
        extra=[("label-vs-num_classes", {"num_classes": 5}, ValueError, "labels")],
    ),
    Spec(
        mean_images,
        {"images": IMAGES, "labels": LABELS3, "num_classes": 2},
        {"num_classes": "count"},
        extra=[
            ("images-2-D", {"images": IMAGES[0]}, ValueError, "images"),
            ("images-str", {"images": "abc"}, TypeError, "images"),
            ("images-nan", {"images": np.full((3, 1, 2), NAN)}, ValueError, "images"),
            ("labels-floats", {"labels": np.array([0.0, 0.0, 1.0])}, TypeError, "labels"),
            ("labels-negative", {"labels": np.array([-1, 0, 1])}, ValueError, "labels"),
            ("labels-too-large", {"labels": np.array([0, 0, 2])}, ValueError, "labels"),
            ("lengths-differ", {"labels": LABELS3[:2]}, ValueError, "labels"),
            ("class-missing", {"num_classes": 3}, ValueError, "labels"),
        ],
    ),
    Spec(
        examples_per_class,
        {"labels": LABELS, "per_class": 2, "num_classes": 10, "seed": 0},
        {"labels": "labels", "per_class": "count", "num_classes": "count", "seed": "natural"},
        extra=[("too-few-examples", {"per_class": 3}, ValueError, "per_class")],
    ),
    Spec(
        pixel_summary,
        {"images": IMAGES},
        extra=[
            ("images-float", {"images": IMAGES / 255.0}, TypeError, "images"),
            ("images-str", {"images": "abc"}, TypeError, "images"),
            ("images-empty", {"images": np.zeros((0, 2), np.uint8)}, ValueError, "images"),
        ],
    ),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


def test_class_counts():
    assert class_counts(np.array([0, 2, 2, 1]), 4).tolist() == [1, 1, 2, 0]
    assert class_counts(np.array([9], dtype=np.uint8)).dtype == np.int64


def test_mean_images():
    means = mean_images(IMAGES, LABELS3, num_classes=2)
    assert means.shape == (2, 1, 2)
    assert means[0].tolist() == [[2.0, 4.0]]
    assert means[1].tolist() == [[10.0, 10.0]]
    with pytest.raises(ValueError, match="classes \\[2\\] have no example"):
        mean_images(IMAGES, LABELS3, num_classes=3)


def test_examples_per_class_is_seeded_and_correct():
    labels = np.repeat(np.arange(3), 5)
    picks = examples_per_class(labels, 2, num_classes=3, seed=1)
    assert picks.shape == (3, 2)
    assert (labels[picks] == np.arange(3)[:, None]).all()
    assert np.array_equal(picks, examples_per_class(labels, 2, num_classes=3, seed=1))
    assert len(set(picks.ravel().tolist())) == 6  # no index twice
    with pytest.raises(ValueError, match="per_class must be at most 5"):
        examples_per_class(labels, 6, num_classes=3)


def test_pixel_summary():
    stats = pixel_summary(np.array([[0, 0], [255, 255]], dtype=np.uint8))
    assert stats == {
        "mean": 127.5,
        "std": 127.5,
        "mean_scaled": 0.5,
        "std_scaled": 0.5,
        "zero_fraction": 0.5,
        "max": 255.0,
    }
    assert all(type(v) is float for v in stats.values())
