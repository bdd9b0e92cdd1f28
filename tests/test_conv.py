"""Tests of dlbook.conv: the NumPy convolution against Keras, sizes, receptive fields, shifts."""

from __future__ import annotations

import numpy as np
import pytest
from badinput import NAN, Spec, bad_input_tests

from dlbook.cnn import shift_images
from dlbook.conv import conv2d, conv_output_size, max_pool2d, receptive_fields, shift_mismatch

RNG = np.random.default_rng(0)


def _keras_conv(images, kernels, bias, stride, padding):
    """The same weights in a ``keras.layers.Conv2D`` (zero padding added by a layer before it)."""
    from dlbook.repro import import_tensorflow

    import_tensorflow()
    import keras

    layers = [keras.Input(images.shape[1:])]
    if padding:
        layers.append(keras.layers.ZeroPadding2D(padding))
    conv = keras.layers.Conv2D(kernels.shape[3], kernels.shape[:2], strides=stride)
    model = keras.Sequential([*layers, conv])
    conv.set_weights([kernels, bias])
    return np.asarray(model(images))


# --- conv2d ------------------------------------------------------------------------------------


def test_conv2d_by_hand():
    image = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]])  # top-left minus bottom-right: always -5 here
    np.testing.assert_array_equal(conv2d(image, kernel)[..., 0], np.full((3, 3), -5.0))
    # Stride 2, one ring of zeros: the corners of the padded 6 x 6 image.
    out = conv2d(image, np.array([[1.0]]), stride=3, padding=1)[..., 0]
    np.testing.assert_array_equal(out, [[0.0, 0.0], [0.0, 10.0]])


def test_conv2d_sums_over_channels_and_adds_the_bias():
    images = np.ones((1, 3, 3, 2))
    images[..., 1] = 2.0
    kernels = np.zeros((3, 3, 2, 2))
    kernels[..., 0, 0] = 1.0  # filter 0: sum of channel 0 = 9
    kernels[1, 1, 1, 1] = 1.0  # filter 1: the centre of channel 1 = 2
    out = conv2d(images, kernels, np.array([0.5, -1.0]))
    np.testing.assert_array_equal(out, [[[[9.5, 1.0]]]])


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "c_in", "c_out"),
    [(5, 1, 0, 1, 4), (3, 2, 0, 3, 2), (3, 1, 1, 2, 3), (4, 3, 2, 1, 2), (1, 1, 0, 4, 1)],
)
def test_conv2d_matches_keras_conv2d_on_the_same_weights(kernel, stride, padding, c_in, c_out):
    images = RNG.standard_normal((3, 11, 9, c_in)).astype(np.float32)
    kernels = RNG.standard_normal((kernel, kernel, c_in, c_out)).astype(np.float32)
    bias = RNG.standard_normal(c_out).astype(np.float32)
    ours = conv2d(images, kernels, bias, stride=stride, padding=padding)
    keras_out = _keras_conv(images, kernels, bias, stride, padding)
    assert ours.shape == keras_out.shape
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, keras_out, rtol=1e-4, atol=1e-4)


def test_conv2d_same_padding_keeps_the_size():
    image = RNG.random((28, 28))
    assert conv2d(image, RNG.random((5, 5)), padding=2).shape == (28, 28, 1)
    assert conv2d(image, RNG.random((3, 3))).shape == (26, 26, 1)


def test_a_shift_of_the_input_shifts_the_output_exactly_away_from_the_borders():
    # Small integers in float64: every sum is exact, so "exact" means bit for bit.
    images = np.zeros((4, 20, 20, 2))
    images[:, 4:14, 4:14] = RNG.integers(-3, 4, (4, 10, 10, 2))
    kernels = RNG.integers(-2, 3, (3, 3, 2, 5)).astype(np.float64)
    maps = conv2d(images, kernels)
    for s in range(1, 5):
        maps_of_shifted = conv2d(shift_images(images, s, s), kernels)
        np.testing.assert_array_equal(maps_of_shifted[:, s:, s:], maps[:, :-s, :-s])
        assert shift_mismatch(maps_of_shifted, maps, s) == 0.0
        assert shift_mismatch(maps_of_shifted, maps, 0) > 0.1  # not invariant: it moved


def test_after_stride_2_pooling_only_even_shifts_survive_exactly():
    images = np.zeros((8, 24, 24, 1))
    images[:, 6:16, 6:16] = RNG.integers(0, 5, (8, 10, 10, 1))
    kernels = RNG.integers(-2, 3, (3, 3, 1, 4)).astype(np.float64)
    pooled = max_pool2d(np.maximum(conv2d(images, kernels), 0))
    for s in (1, 2, 3, 4):
        pooled_shifted = max_pool2d(np.maximum(conv2d(shift_images(images, s, s), kernels), 0))
        best = min(shift_mismatch(pooled_shifted, pooled, c) for c in (s // 2, (s + 1) // 2))
        if s % 2 == 0:
            assert best == 0.0
        else:
            assert best > 0.1


def test_conv2d_keeps_float32_and_takes_one_grey_image():
    image = RNG.random((6, 6)).astype(np.float32)
    out = conv2d(image, np.ones((3, 3), np.float32))
    assert out.shape == (4, 4, 1)
    assert out.dtype == np.float32
    assert out[0, 0, 0] == pytest.approx(image[:3, :3].sum(), rel=1e-6)


# --- max_pool2d --------------------------------------------------------------------------------


def test_max_pool2d_by_hand_and_against_keras():
    maps = np.arange(16.0).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(max_pool2d(maps)[0, :, :, 0], [[5.0, 7.0], [13.0, 15.0]])
    odd = RNG.standard_normal((2, 7, 5, 3)).astype(np.float32)
    import keras

    expected = np.asarray(keras.layers.MaxPooling2D(2)(odd))
    np.testing.assert_array_equal(max_pool2d(odd), expected)  # the last row is dropped too
    assert max_pool2d(odd, size=1).shape == odd.shape


# --- sizes -------------------------------------------------------------------------------------


def test_output_size_formula_matches_the_convolution():
    for size in (5, 8, 28):
        for kernel in (1, 2, 3, 5):
            for stride in (1, 2, 3):
                for padding in (0, 1, 2):
                    if size + 2 * padding < kernel:
                        continue
                    out = conv2d(np.zeros((size, size)), np.ones((kernel, kernel)),
                                 stride=stride, padding=padding)  # fmt: skip
                    assert out.shape[0] == conv_output_size(
                        size, kernel, stride=stride, padding=padding
                    )


def test_output_sizes_of_the_books_cnn():
    side, sides = 28, []
    for kernel, stride in [(5, 1), (2, 2), (5, 1), (2, 2)]:
        side = conv_output_size(side, kernel, stride=stride)
        sides.append(side)
    assert sides == [24, 12, 8, 4]


def test_receptive_fields_of_the_books_cnn():
    assert receptive_fields([(5, 1), (2, 2), (5, 1), (2, 2)]) == [(5, 1), (6, 2), (14, 2), (16, 4)]
    assert receptive_fields([(3, 1)] * 3) == [(3, 1), (5, 1), (7, 1)]  # three 3x3 see 7x7


def test_receptive_field_found_by_perturbing_each_pixel():
    # Positive kernels and no pooling: input pixel (r, c) reaches output unit (0, 0)
    # exactly when it lies inside that unit's receptive field.
    layers = [(3, 1), (3, 2), (3, 1)]
    side = 16
    deltas = np.eye(side * side).reshape(side * side, side, side, 1)
    x = deltas
    for kernel, stride in layers:
        x = conv2d(x, np.ones((kernel, kernel, 1, 1)), stride=stride)
    reached = (x[:, 0, 0, 0] > 0).reshape(side, side)
    rows, cols = np.nonzero(reached)
    field = receptive_fields(layers)[-1][0]
    assert rows.max() + 1 == cols.max() + 1 == field == 9


# --- shift_mismatch ----------------------------------------------------------------------------


def test_shift_mismatch_by_hand():
    maps = np.zeros((1, 3, 3, 1))
    maps[0, 0, 0, 0] = 2.0
    moved = np.zeros((1, 3, 3, 1))
    moved[0, 1, 1, 0] = 2.0
    assert shift_mismatch(moved, maps, 1) == 0.0
    # Unshifted: differences 2 at (0, 0) and -2 at (1, 1), norm sqrt(8), against norm 2.
    assert shift_mismatch(moved, maps, 0) == pytest.approx(np.sqrt(2))
    moved[0, 1, 1, 0] = 1.5
    assert shift_mismatch(moved, maps, 1) == 0.25
    # Only the overlap counts: a value in the last row of maps is never compared at shift 1.
    maps[0, 2, 0, 0] = 100.0
    assert shift_mismatch(moved, maps, 1) == 0.25


# --- bad input ---------------------------------------------------------------------------------

_IMAGE = np.zeros((1, 5, 5, 1))
_KERNELS = np.ones((3, 3, 1, 2))
_MAPS = np.ones((1, 4, 4, 2))
_ZERO_BUT_EDGE = np.zeros((1, 4, 4, 2))
_ZERO_BUT_EDGE[:, 3] = 1.0  # only the last row, which a shift of 1 does not compare

BAD_INPUT = [
    Spec(
        conv2d,
        {"images": _IMAGE, "kernels": _KERNELS, "bias": np.zeros(2), "stride": 1, "padding": 0},
        {"stride": "count", "padding": "natural"},
        extra=[
            ("images-3d", {"images": np.zeros((5, 5, 1))}, ValueError, "images"),
            ("images-str", {"images": "abc"}, TypeError, "images"),
            ("images-nan", {"images": np.full((1, 5, 5, 1), NAN)}, ValueError, "images"),
            ("images-empty", {"images": np.zeros((0, 5, 5, 1))}, ValueError, "images"),
            ("images-bool", {"images": np.zeros((1, 5, 5, 1), bool)}, ValueError, "images"),
            ("kernels-3d", {"kernels": np.ones((3, 3, 1))}, ValueError, "kernels"),
            ("kernels-str", {"kernels": "k"}, TypeError, "kernels"),
            ("kernels-inf", {"kernels": np.full((3, 3, 1, 2), np.inf)}, ValueError, "kernels"),
            ("channels-differ", {"kernels": np.ones((3, 3, 2, 2))}, ValueError, "kernels"),
            ("bias-length", {"bias": np.zeros(3)}, ValueError, "bias"),
            ("bias-str", {"bias": "b"}, TypeError, "bias"),
            ("bias-nan", {"bias": np.array([0.0, NAN])}, ValueError, "bias"),
            ("kernel-too-large", {"kernels": np.ones((6, 6, 1, 2))}, ValueError, "kernels"),
        ],
    ),
    Spec(
        max_pool2d,
        {"maps": _MAPS, "size": 2},
        {"size": "count"},
        extra=[
            ("maps-3d", {"maps": np.ones((4, 4, 2))}, ValueError, "maps"),
            ("maps-str", {"maps": "m"}, TypeError, "maps"),
            ("maps-nan", {"maps": np.full((1, 4, 4, 1), NAN)}, ValueError, "maps"),
            ("window-too-large", {"size": 5}, ValueError, "maps"),
        ],
    ),
    Spec(
        conv_output_size,
        {"size": 28, "kernel_size": 5, "stride": 1, "padding": 0},
        {"size": "count", "kernel_size": "count", "stride": "count", "padding": "natural"},
        extra=[("kernel-too-large", {"kernel_size": 29}, ValueError, "kernel_size")],
    ),
    Spec(
        receptive_fields,
        {"layers": [(5, 1), (2, 2)]},
        extra=[
            ("layers-int", {"layers": 5}, TypeError, "layers"),
            ("layers-str", {"layers": "5,1"}, TypeError, "layers"),
            ("layers-empty", {"layers": []}, ValueError, "layers"),
            ("pair-three", {"layers": [(5, 1, 1)]}, ValueError, "layers"),
            ("pair-int", {"layers": [5]}, TypeError, "layers"),
            ("kernel-zero", {"layers": [(0, 1)]}, ValueError, "layers"),
            ("stride-float", {"layers": [(5, 1.0)]}, TypeError, "layers"),
            ("stride-bool", {"layers": [(5, True)]}, ValueError, "layers"),
        ],
    ),
    Spec(
        shift_mismatch,
        {"maps_of_shifted": _MAPS, "maps": _MAPS, "shift": 1},
        {"shift": "natural"},
        extra=[
            ("shapes-differ", {"maps": np.ones((1, 5, 4, 2))}, ValueError, "maps"),
            ("maps-zero", {"maps": np.zeros((1, 4, 4, 2))}, ValueError, "maps"),
            ("maps-zero-on-overlap", {"maps": _ZERO_BUT_EDGE}, ValueError, "maps"),
            ("maps-3d", {"maps": np.ones((4, 4, 2))}, ValueError, "maps"),
            ("maps-str", {"maps": "m"}, TypeError, "maps"),
            (
                "shifted-nan",
                {"maps_of_shifted": np.full((1, 4, 4, 2), NAN)},
                ValueError,
                "maps_of_shifted",
            ),
            ("shift-too-large", {"shift": 4}, ValueError, "shift"),
        ],
    ),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)
