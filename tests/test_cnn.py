"""Tests of dlbook.cnn: builder, parameter count, image shifting, filters and feature maps."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from badinput import Spec, bad_input_tests

from dlbook.cnn import (
    build_cnn,
    conv_parameter_count,
    feature_maps,
    first_layer_filters,
    layer_outputs,
    random_shifts,
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


@pytest.mark.parametrize(
    ("filters", "kernel", "dense", "side"), [((8,), 5, 16, 28), ((4, 6), 5, 10, 28)]
)
def test_gap_head_has_no_position_specific_weights(filters, kernel, dense, side):
    model = build_cnn(filters, kernel_size=kernel, dense_units=dense, head="gap")
    by_hand = conv_parameter_count(filters, kernel_size=kernel, dense_units=dense, head="gap")
    assert model.count_params() == by_hand
    assert model.get_layer("gap").output.shape[1:] == (filters[-1],)
    assert model.get_layer("hidden").get_weights()[0].shape == (filters[-1], dense)
    assert "flatten" not in [layer.name for layer in model.layers]
    # The dense head reads averages: the same with the maps of any size, unlike flatten.
    flat = conv_parameter_count(filters, kernel_size=kernel, dense_units=dense, image_side=56)
    gap = conv_parameter_count(filters, kernel_size=kernel, dense_units=dense, image_side=56,
                               head="gap")  # fmt: skip
    assert gap == by_hand < flat


def test_book_cnn_with_a_gap_head():
    assert conv_parameter_count((32, 64), kernel_size=5, head="gap") == 61_706
    assert conv_parameter_count((32, 64), kernel_size=5) == 184_586


def test_model_predicts_probabilities(small_cnn):
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    p = np.asarray(small_cnn(x, training=False))
    assert p.shape == (3, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)


def test_kernel_as_large_as_the_image_is_refused_not_a_keras_error():
    with pytest.raises(ValueError, match="input_shape"):
        build_cnn((2,), kernel_size=9, input_shape=(8, 8, 1))
    with pytest.raises(ValueError, match="image_side"):
        conv_parameter_count((2,), kernel_size=8, image_side=8)  # 1x1 maps cannot be pooled
    assert conv_parameter_count((2,), kernel_size=7, dense_units=4, image_side=8) > 0


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


def test_shift_up_to_one_pixel_short_of_the_side():
    image = np.arange(1, 10, dtype=np.int64).reshape(1, 3, 3)
    np.testing.assert_array_equal(
        shift_images(image, right=-2, down=2), [[[0, 0, 0], [0, 0, 0], [3, 0, 0]]]
    )
    for right, down in [(3, 0), (0, -3), (7, 0)]:  # a larger shift used to keep wrong pixels
        with pytest.raises(ValueError, match="right" if right else "down"):
            shift_images(image, right=right, down=down)


# --- random_shifts -------------------------------------------------------------------------


def test_random_shifts_moves_each_image_by_its_own_whole_shift():
    images = np.zeros((400, 7, 7), dtype=np.uint8)
    images[:, 3, 3] = 9  # one bright pixel in the centre
    out = random_shifts(images, 1, seed=0)
    assert out.shape == images.shape
    assert out.dtype == np.uint8
    assert np.all(out.sum(axis=(1, 2)) == 9)  # moved, never lost or duplicated
    rows, cols = np.nonzero(out.reshape(400, -1))[1] // 7, np.nonzero(out.reshape(400, -1))[1] % 7
    moves = set(zip((rows - 3).tolist(), (cols - 3).tolist(), strict=True))
    assert moves == {(d, r) for d in (-1, 0, 1) for r in (-1, 0, 1)}  # all nine shifts occur
    counts = np.bincount((rows - 3 + 1) * 3 + (cols - 3 + 1), minlength=9)
    assert counts.min() > 25  # about 400 / 9 = 44 each
    np.testing.assert_array_equal(random_shifts(images, 1, seed=0), out)  # seeded
    assert not np.array_equal(random_shifts(images, 1, seed=1), out)


def test_random_shifts_agrees_with_shift_images():
    rng = np.random.default_rng(3)
    images = rng.random((50, 6, 5, 1)).astype(np.float32)
    out = random_shifts(images, 2, seed=4)
    for image, shifted in zip(images, out, strict=True):
        candidates = [
            shift_images(image[np.newaxis], right, down)[0]
            for right in range(-2, 3)
            for down in range(-2, 3)
        ]
        assert any(np.array_equal(shifted, c) for c in candidates)


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


def test_shifted_accuracies_scores_with_evaluation_accuracy():
    images = np.zeros((4, 3, 5), dtype=np.float32)
    images[np.arange(4), 1, [0, 1, 2, 3]] = 1.0
    labels = np.array([0, 1, 2, 2])
    acc = shifted_accuracies(_column_of_bright_pixel, images, labels, [0, 1], direction=(-1, 0))
    # Shifted left: digit 3 now reads as its label 2, and the emptied image 0 as column 0.
    assert acc == [0.75, 0.5]
    assert all(isinstance(a, float) for a in acc)


def test_shifted_accuracies_refuses_labels_the_scores_cannot_hold():
    images = np.zeros((2, 3, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="3 classes"):  # argmax could never say 5: no silent 0 %
        shifted_accuracies(_column_of_bright_pixel, images, np.array([0, 5]), [0])


def test_feature_maps_refuses_unscaled_pixels(small_cnn):
    with pytest.raises(TypeError, match="image"):
        feature_maps(small_cnn, np.full((28, 28, 1), 255, dtype=np.uint8))


def test_feature_maps_of_a_model_with_free_image_size():
    import keras

    model = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(2, 3, name="c")])
    assert feature_maps(model, np.zeros((6, 5, 1), dtype=np.float32)).shape == (2, 4, 3)


def test_layer_outputs_of_several_layers_in_one_pass(small_cnn):
    images = np.random.default_rng(5).random((3, 28, 28, 1), dtype=np.float32)
    conv, pooled, probs = layer_outputs(small_cnn, images, ["conv_1", "pool_1", "output"])
    assert conv.shape == (3, 26, 26, 4)
    assert pooled.shape == (3, 13, 13, 4)
    assert all(a.dtype == np.float32 for a in (conv, pooled, probs))
    np.testing.assert_allclose(np.transpose(conv[1], (2, 0, 1)), feature_maps(small_cnn, images[1]),
                               rtol=1e-5, atol=1e-6)  # fmt: skip
    np.testing.assert_allclose(probs, np.asarray(small_cnn(images, training=False)), rtol=1e-5)
    (single,) = layer_outputs(small_cnn, images, ("pool_2",))
    assert single.shape == (3, 5, 5, 6)


def _unfit_models():
    import keras

    dense = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    unbuilt = keras.Sequential([keras.layers.Conv2D(2, 3), keras.layers.Flatten()])
    inputs = [keras.Input((8, 8, 1)), keras.Input((8, 8, 1))]
    merged = keras.layers.Add()([keras.layers.Conv2D(2, 3)(x) for x in inputs])
    two_inputs = keras.Model(inputs, merged)
    return {
        "no Conv2D": (dense, "no Conv2D", "no Conv2D"),
        "unbuilt": (unbuilt, "not built", "not built"),
        "three channels": (_tiny_cnn(3), "3 channels", None),
        "two inputs": (two_inputs, None, "one input"),
    }


def test_filters_and_maps_refuse_unfit_models():
    image = np.zeros((8, 8, 1), np.float32)
    for model, filters_error, maps_error in _unfit_models().values():
        if filters_error:
            with pytest.raises(ValueError, match=filters_error):
                first_layer_filters(model)
        if maps_error:
            with pytest.raises(ValueError, match=maps_error):
                feature_maps(model, image)


# --- bad input, one table ---------------------------------------------------------------------


@functools.cache
def _tiny_cnn(channels: int = 1):
    return build_cnn((2,), dense_units=4, input_shape=(8, 8, channels), name=f"tiny_{channels}")


def _ten_scores(batch):
    """Scores for 10 classes, the first always the largest."""
    return np.tile(np.linspace(1.0, 0.0, 10), (len(batch), 1))


_ARCHITECTURE_EXTRA = [
    ("filters-empty", {"filters": ()}, ValueError, "filters"),
    ("filters-int", {"filters": 32}, TypeError, "filters"),
    ("filters-str", {"filters": "32"}, TypeError, "filters"),
    ("filters-float", {"filters": (4.0,)}, TypeError, "filters"),
    ("filters-zero", {"filters": (0,)}, ValueError, "filters"),
    ("filters-bool", {"filters": (True,)}, ValueError, "filters"),
    ("num_classes-one", {"num_classes": 1}, ValueError, "num_classes"),
    ("head-unknown", {"head": "dense"}, ValueError, "head"),
    ("head-int", {"head": 1}, TypeError, "head"),
]
_SIZES = ["kernel_size", "dense_units", "num_classes"]
_IMAGES_EXTRA = [
    ("images-2d", {"images": np.zeros((3, 3))}, ValueError, "images"),
    ("images-5d", {"images": np.zeros((2, 3, 3, 1, 1))}, ValueError, "images"),
    ("images-str", {"images": "abc"}, TypeError, "images"),
    ("images-empty", {"images": np.zeros((0, 3, 3))}, ValueError, "images"),
    ("images-nan", {"images": np.full((2, 3, 3), np.nan)}, ValueError, "images"),
    ("images-bool", {"images": np.zeros((2, 3, 3), dtype=bool)}, ValueError, "images"),
]
_MODEL_EXTRA = [  # models of the wrong kind: test_filters_and_maps_refuse_unfit_models
    ("model-none", {"model": None}, TypeError, "model"),
    ("model-array", {"model": np.zeros((3, 3))}, TypeError, "model"),
]


BAD_INPUT = [
    Spec(
        build_cnn,
        kwargs={"filters": (2,), "dense_units": 4, "input_shape": (8, 8, 1)},
        kinds={
            **dict.fromkeys(_SIZES, "count"),
            "conv_dropout": "fraction",
            "dense_dropout": "fraction",
        },
        extra=[
            *_ARCHITECTURE_EXTRA,
            ("input_shape-2", {"input_shape": (8, 8)}, ValueError, "input_shape"),
            ("input_shape-int", {"input_shape": 8}, TypeError, "input_shape"),
            ("input_shape-str", {"input_shape": "881"}, TypeError, "input_shape"),
            ("input_shape-float", {"input_shape": (8.0, 8, 1)}, TypeError, "input_shape"),
            ("input_shape-zero", {"input_shape": (8, 0, 1)}, ValueError, "input_shape"),
            ("too-many-blocks", {"filters": (2, 2, 2)}, ValueError, "input_shape"),
            ("kernel-larger-than-image", {"kernel_size": 9}, ValueError, "input_shape"),
            ("name-int", {"name": 3}, TypeError, "name"),
            ("name-slash", {"name": "a/b"}, ValueError, "name"),
        ],
    ),
    Spec(
        conv_parameter_count,
        kwargs={"filters": (2,), "dense_units": 4, "image_side": 8},
        kinds={**dict.fromkeys([*_SIZES, "image_side", "channels"], "count")},
        extra=[
            *_ARCHITECTURE_EXTRA,
            ("too-many-blocks", {"filters": (2, 2, 2)}, ValueError, "image_side"),
            ("kernel-larger-than-image", {"kernel_size": 9}, ValueError, "image_side"),
        ],
    ),
    Spec(
        shift_images,
        kwargs={"images": np.zeros((2, 3, 3)), "right": 1, "down": -1},
        kinds={"right": "integer", "down": "integer"},
        extra=[
            *_IMAGES_EXTRA,
            ("right-out-of-frame", {"right": 3}, ValueError, "right"),
            ("down-out-of-frame", {"down": -3}, ValueError, "down"),
        ],
    ),
    Spec(
        shifted_accuracies,
        kwargs={
            "predict": _ten_scores,
            "images": np.zeros((2, 3, 3), dtype=np.float32),
            "labels": np.array([0, 1]),
            "shifts": [0, 1],
        },
        kinds={"labels": "labels"},
        extra=[
            *_IMAGES_EXTRA,
            ("predict-not-callable", {"predict": "model"}, TypeError, "predict"),
            ("labels-length", {"labels": np.array([0])}, ValueError, "labels"),
            ("shifts-int", {"shifts": 2}, TypeError, "shifts"),
            ("shifts-str", {"shifts": "01"}, TypeError, "shifts"),
            ("shifts-empty", {"shifts": []}, ValueError, "shifts"),
            ("shifts-negative", {"shifts": [-1]}, ValueError, "shifts"),
            ("shifts-float", {"shifts": [1.5]}, TypeError, "shifts"),
            ("shifts-bool", {"shifts": [True]}, ValueError, "shifts"),
            ("shifts-out-of-frame", {"shifts": [0, 3]}, ValueError, "shifts"),
            ("direction-zero", {"direction": (0, 0)}, ValueError, "direction"),
            ("direction-three", {"direction": (1, 1, 1)}, ValueError, "direction"),
            ("direction-int", {"direction": 1}, TypeError, "direction"),
            ("direction-float", {"direction": (1.0, 0)}, TypeError, "direction"),
            ("direction-bool", {"direction": (True, 0)}, ValueError, "direction"),
            ("predict-rows", {"predict": lambda x: np.zeros((1, 10))}, ValueError, "predict"),
            ("predict-1d", {"predict": lambda x: np.zeros(len(x))}, ValueError, "predict"),
            (
                "predict-nan",
                {"predict": lambda x: np.full((len(x), 10), np.nan)},
                ValueError,
                "predict",
            ),
            ("predict-str", {"predict": lambda x: ["a"] * len(x)}, TypeError, "predict"),
            (
                "predict-few-classes",
                {"predict": lambda x: np.zeros((len(x), 1))},
                ValueError,
                "predict",
            ),
        ],
    ),
    Spec(
        random_shifts,
        kwargs={"images": np.zeros((2, 3, 3)), "max_shift": 1, "seed": 0},
        kinds={"max_shift": "count", "seed": "natural"},
        extra=[
            *_IMAGES_EXTRA,
            ("max_shift-out-of-frame", {"max_shift": 3}, ValueError, "max_shift"),
        ],
    ),
    Spec(
        layer_outputs,
        make_kwargs=lambda: {
            "model": _tiny_cnn(),
            "images": np.zeros((2, 8, 8, 1), np.float32),
            "layers": ["conv_1", "pool_1"],
        },
        extra=[
            *_MODEL_EXTRA,
            ("images-one", {"images": np.zeros((8, 8, 1), np.float32)}, ValueError, "images"),
            ("images-size", {"images": np.zeros((2, 9, 8, 1), np.float32)}, ValueError, "images"),
            ("images-uint8", {"images": np.zeros((2, 8, 8, 1), np.uint8)}, TypeError, "images"),
            ("images-nan", {"images": np.full((2, 8, 8, 1), np.nan)}, ValueError, "images"),
            ("layers-str", {"layers": "conv_1"}, TypeError, "layers"),
            ("layers-empty", {"layers": []}, ValueError, "layers"),
            ("layers-int", {"layers": [0]}, TypeError, "layers"),
            ("layers-unknown", {"layers": ["conv_9"]}, ValueError, "layers"),
        ],
    ),
    Spec(
        first_layer_filters,
        make_kwargs=lambda: {"model": _tiny_cnn()},
        extra=_MODEL_EXTRA,
    ),
    Spec(
        feature_maps,
        make_kwargs=lambda: {"model": _tiny_cnn(), "image": np.zeros((8, 8, 1), np.float32)},
        extra=[
            *_MODEL_EXTRA,
            ("image-2d", {"image": np.zeros((8, 8), np.float32)}, ValueError, "image"),
            ("image-wrong-size", {"image": np.zeros((9, 8, 1), np.float32)}, ValueError, "image"),
            ("image-uint8", {"image": np.zeros((8, 8, 1), np.uint8)}, TypeError, "image"),
            ("image-nan", {"image": np.full((8, 8, 1), np.nan, np.float32)}, ValueError, "image"),
            ("image-str", {"image": "abc"}, TypeError, "image"),
            ("layer-out-of-range", {"layer": 1}, ValueError, "layer"),
            ("layer-negative", {"layer": -1}, ValueError, "layer"),
            ("layer-float", {"layer": 0.0}, TypeError, "layer"),
            ("layer-none", {"layer": None}, TypeError, "layer"),
            ("layer-bool", {"layer": True}, ValueError, "layer"),
            ("layer-unknown-name", {"layer": "nope"}, ValueError, "layer"),
        ],
    ),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)
