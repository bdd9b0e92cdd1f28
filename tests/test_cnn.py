"""Tests of dlbook.cnn: builder, parameter count, image shifting, filters and feature maps."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.cnn import (
    accuracy_gap,
    build_cnn,
    conv_parameter_count,
    feature_maps,
    first_layer_filters,
    prepare_image_inputs,
    shift_images,
    shifted_accuracies,
)


@pytest.fixture(scope="module")
def small_cnn():
    from dlbook.repro import seed_everything

    seed_everything(0)
    return build_cnn((4, 6), dense_units=8, conv_dropout=0.25, dense_dropout=0.5)


# --- build_cnn and conv_parameter_count ---------------------------------------------------


def test_default_cnn_shapes_and_parameter_count():
    model = build_cnn()
    assert model.count_params() == conv_parameter_count() == 225_034
    assert model.output_shape == (None, 10)
    assert model.layers[0].name == "conv_1"
    assert model.get_layer("conv_2").output.shape[1:] == (11, 11, 64)


def test_dropout_layers_only_when_asked(small_cnn):
    names = [layer.name for layer in small_cnn.layers]
    assert "dropout_conv" in names
    assert "dropout_dense" in names
    plain = [layer.name for layer in build_cnn((4,), dense_units=8).layers]
    assert not any(name.startswith("dropout") for name in plain)


@pytest.mark.parametrize(
    ("filters", "kernel", "dense", "side"),
    [((8,), 5, 16, 28), ((4, 6, 8), 3, 10, 28), ((2, 3), 3, 5, 20)],
)
def test_hand_count_matches_keras(filters, kernel, dense, side):
    model = build_cnn(filters, kernel_size=kernel, dense_units=dense, input_shape=(side, side, 1))
    by_hand = conv_parameter_count(filters, kernel_size=kernel, dense_units=dense, image_side=side)
    assert model.count_params() == by_hand


def test_model_predicts_probabilities(small_cnn):
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    p = np.asarray(small_cnn(x, training=False))
    assert p.shape == (3, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"filters": ()}, ValueError),
        ({"filters": (0, 8)}, ValueError),
        ({"filters": (4.0,)}, ValueError),
        ({"kernel_size": 0}, ValueError),
        ({"dense_units": -1}, ValueError),
        ({"conv_dropout": 1.0}, ValueError),
        ({"dense_dropout": -0.1}, ValueError),
        ({"dense_dropout": "0.5"}, TypeError),
        ({"num_classes": True}, ValueError),
        ({"input_shape": (28, 28)}, ValueError),
        ({"filters": (4, 4, 4, 4)}, ValueError),  # 28 -> 13 -> 5 -> 1 -> too small
    ],
)
def test_build_cnn_rejects_bad_input(kwargs, error):
    with pytest.raises(error):
        build_cnn(**kwargs)


def test_conv_parameter_count_rejects_bad_input():
    with pytest.raises(ValueError, match="filters"):
        conv_parameter_count(())
    with pytest.raises(ValueError, match="too small"):
        conv_parameter_count((4, 4, 4, 4))
    with pytest.raises(ValueError, match="image_side"):
        conv_parameter_count(image_side=0)


# --- prepare_image_inputs -----------------------------------------------------------------


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
    with pytest.raises(ValueError, match="shape"):
        prepare_image_inputs(np.zeros((0, 2, 2), dtype=np.uint8))


# --- shift_images --------------------------------------------------------------------------


def test_shift_right_and_down_exactly():
    image = np.arange(1, 10, dtype=np.uint8).reshape(1, 3, 3)
    out = shift_images(image, right=1, down=1)
    expected = np.array([[[0, 0, 0], [0, 1, 2], [0, 4, 5]]], dtype=np.uint8)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(image, np.arange(1, 10).reshape(1, 3, 3))  # input untouched


def test_shift_left_up_and_one_axis():
    image = np.arange(1, 10, dtype=np.int64).reshape(1, 3, 3)
    np.testing.assert_array_equal(
        shift_images(image, right=-1, down=-2), [[[8, 9, 0], [0, 0, 0], [0, 0, 0]]]
    )
    np.testing.assert_array_equal(shift_images(image, right=2), [[[0, 0, 1], [0, 0, 4], [0, 0, 7]]])
    np.testing.assert_array_equal(shift_images(image, down=1), [[[0, 0, 0], [1, 2, 3], [4, 5, 6]]])
    np.testing.assert_array_equal(shift_images(image), image)


def test_shift_matches_index_rule_on_batches_with_channels():
    rng = np.random.default_rng(1)
    images = rng.random((4, 28, 28, 1)).astype(np.float32)
    right, down = 3, 2
    out = shift_images(images, right, down)
    assert out.shape == images.shape
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out[:, down:, right:], images[:, : 28 - down, : 28 - right])
    assert not out[:, :down].any()
    assert not out[:, :, :right].any()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((np.zeros((3, 3)), 1, 0), ValueError),
        ((np.zeros((1, 3, 3)), 3, 0), ValueError),
        ((np.zeros((1, 3, 3)), 0, -3), ValueError),
        ((np.zeros((1, 3, 3)), 1.0, 0), TypeError),
        ((np.zeros((1, 3, 3)), 0, True), TypeError),
    ],
)
def test_shift_rejects_bad_input(args, error):
    with pytest.raises(error):
        shift_images(*args)


# --- shifted_accuracies --------------------------------------------------------------------


def _column_of_bright_pixel(batch):
    """A 'classifier' whose class is the column of the brightest pixel of row 1."""
    cols = np.argmax(batch[:, 1, :], axis=1)
    return np.eye(batch.shape[2])[cols]


def test_shifted_accuracies_sees_the_shift():
    images = np.zeros((3, 3, 5), dtype=np.float32)
    images[np.arange(3), 1, [0, 1, 2]] = 1.0
    labels = np.array([0, 1, 2])
    acc = shifted_accuracies(_column_of_bright_pixel, images, labels, [0, 1], direction=(1, 0))
    assert acc == [1.0, 0.0]


def test_shifted_accuracies_rejects_bad_input():
    images = np.zeros((2, 3, 3))
    with pytest.raises(TypeError, match="callable"):
        shifted_accuracies("model", images, np.array([0, 1]), [0])
    with pytest.raises(ValueError, match="labels"):
        shifted_accuracies(_column_of_bright_pixel, images, np.array([0]), [0])
    with pytest.raises(ValueError, match="shifts"):
        shifted_accuracies(_column_of_bright_pixel, images, np.array([0, 1]), [])
    with pytest.raises(ValueError, match="shifts"):
        shifted_accuracies(_column_of_bright_pixel, images, np.array([0, 1]), [-1])
    with pytest.raises(ValueError, match="predict returned"):
        shifted_accuracies(lambda x: np.zeros((1, 3)), images, np.array([0, 1]), [0])


# --- first_layer_filters and feature_maps ----------------------------------------------------


def test_first_layer_filters_are_the_kernels(small_cnn):
    filters = first_layer_filters(small_cnn)
    assert filters.shape == (4, 3, 3)
    assert filters.dtype == np.float32
    kernel = small_cnn.get_layer("conv_1").get_weights()[0]
    np.testing.assert_array_equal(filters[2], kernel[:, :, 0, 2])


def test_feature_maps_match_a_manual_convolution(small_cnn):
    image = np.random.default_rng(2).random((28, 28, 1), dtype=np.float32)
    maps = feature_maps(small_cnn, image)
    assert maps.shape == (4, 26, 26)
    assert maps.dtype == np.float32
    kernel, bias = small_cnn.get_layer("conv_1").get_weights()
    windows = np.lib.stride_tricks.sliding_window_view(image[:, :, 0], (3, 3))
    manual = np.maximum(np.einsum("ijkl,kl->ij", windows, kernel[:, :, 0, 1]) + bias[1], 0)
    np.testing.assert_allclose(maps[1], manual, rtol=1e-4, atol=1e-5)
    assert feature_maps(small_cnn, image, layer="conv_2").shape == (6, 11, 11)
    assert feature_maps(small_cnn, image, layer=1).shape == (6, 11, 11)


def test_filters_and_maps_reject_bad_input(small_cnn):
    from dlbook.keras_models import build_dense_network

    with pytest.raises(ValueError, match="Conv2D"):
        first_layer_filters(build_dense_network((4,)))
    image = np.zeros((28, 28, 1), dtype=np.float32)
    with pytest.raises(ValueError, match="shape"):
        feature_maps(small_cnn, np.zeros((28, 28)))
    with pytest.raises(ValueError, match="layer"):
        feature_maps(small_cnn, image, layer=2)
    with pytest.raises(ValueError, match="named"):
        feature_maps(small_cnn, image, layer="nope")
    with pytest.raises(ValueError, match="layer"):
        feature_maps(small_cnn, image, layer=1.5)


# --- accuracy_gap --------------------------------------------------------------------------


def test_accuracy_gap():
    gap = accuracy_gap({"accuracy": [0.5, 0.9], "val_accuracy": [0.5, 0.7], "loss": [1, 0]})
    np.testing.assert_allclose(gap, [0.0, 0.2])
    with pytest.raises(ValueError, match="val_accuracy"):
        accuracy_gap({"accuracy": [0.5]})
    with pytest.raises(ValueError, match="equally long"):
        accuracy_gap({"accuracy": [0.5], "val_accuracy": []})
