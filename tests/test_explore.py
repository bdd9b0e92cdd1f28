"""dlbook.explore on small, hand-checkable arrays."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.explore import class_counts, examples_per_class, mean_images, pixel_summary


def test_class_counts():
    assert class_counts(np.array([0, 2, 2, 1]), 4).tolist() == [1, 1, 2, 0]
    with pytest.raises(ValueError, match="labels must lie"):
        class_counts(np.array([0, 4]), 4)
    with pytest.raises(ValueError, match="labels must be a non-empty"):
        class_counts(np.array([], dtype=int))
    with pytest.raises(ValueError, match="labels must be a non-empty"):
        class_counts(np.array([0.5, 1.0]))


def test_mean_images():
    images = np.array([[[0, 2]], [[4, 6]], [[10, 10]]], dtype=np.uint8)
    labels = np.array([0, 0, 1])
    means = mean_images(images, labels, num_classes=2)
    assert means.shape == (2, 1, 2)
    assert means[0].tolist() == [[2.0, 4.0]]
    assert means[1].tolist() == [[10.0, 10.0]]
    with pytest.raises(ValueError, match="classes \\[2\\] have no example"):
        mean_images(images, labels, num_classes=3)
    with pytest.raises(ValueError, match="one label per image"):
        mean_images(images, labels[:2], num_classes=2)
    with pytest.raises(ValueError, match="images must be"):
        mean_images(images[0], labels, num_classes=2)


def test_examples_per_class_is_seeded_and_correct():
    labels = np.repeat(np.arange(3), 5)
    picks = examples_per_class(labels, 2, num_classes=3, seed=1)
    assert picks.shape == (3, 2)
    assert (labels[picks] == np.arange(3)[:, None]).all()
    assert np.array_equal(picks, examples_per_class(labels, 2, num_classes=3, seed=1))
    with pytest.raises(ValueError, match="per_class"):
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
    with pytest.raises(TypeError, match="uint8"):
        pixel_summary(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="empty"):
        pixel_summary(np.zeros((0, 2), dtype=np.uint8))
