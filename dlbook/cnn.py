"""A small convolutional network for MNIST and the tools that look inside it.

The builder makes the chapter's CNN (with a dense head that reads the pooled maps position by
position, or a global-average-pooling head that does not); the other functions count its
parameters by hand, shift images (to test robustness, or at random to augment training
data), and read out what the convolutions learned. Image scaling lives in
:mod:`dlbook.preprocess`, accuracy in :mod:`dlbook.evaluation`, the convolution itself in
:mod:`dlbook.conv`.

Each taught function is a short core (``_build_cnn``, ``_conv_parameter_count``,
``_shift_images``, ``_random_shifts``, ``_first_layer_filters``, ``_feature_maps``) that the
chapter shows, wrapped by a public function that checks its arguments and documents itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _checks
from .evaluation import accuracy, predicted_labels
from .repro import import_tensorflow

__all__ = [
    "build_cnn",
    "conv_parameter_count",
    "feature_maps",
    "first_layer_filters",
    "layer_outputs",
    "random_shifts",
    "shift_images",
    "shifted_accuracies",
]


# --- the network and its size ---------------------------------------------------------------


def _build_cnn(
    filters, kernel_size, dense_units, conv_dropout, dense_dropout, input_shape,
    num_classes, name, head,
):  # fmt: skip
    import keras

    layers = [keras.Input(shape=input_shape)]
    for i, n_filters in enumerate(filters, start=1):
        layers.append(keras.layers.Conv2D(
            n_filters, kernel_size, activation="relu", name=f"conv_{i}"
        ))  # fmt: skip
        # halves height and width
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool_{i}"))
    # one input of the dense layer per position and map: where matters
    if head == "flatten":
        layers.append(keras.layers.Flatten(name="flatten"))
    else:  # "gap": one average per map over all positions: where is forgotten
        layers.append(keras.layers.GlobalAveragePooling2D(name="gap"))
    if conv_dropout > 0:
        layers.append(keras.layers.Dropout(conv_dropout, name="dropout_conv"))
    layers.append(keras.layers.Dense(dense_units, activation="relu", name="hidden"))
    if dense_dropout > 0:
        layers.append(keras.layers.Dropout(dense_dropout, name="dropout_dense"))
    layers.append(keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return keras.Sequential(layers, name=name)


def _conv_parameter_count(
    filters, kernel_size, dense_units, image_side, channels, num_classes, head
):  # fmt: skip
    total, side, c_in = 0, image_side, channels
    for c_out in filters:
        # k x k x c_in weights + a bias
        total += (kernel_size * kernel_size * c_in + 1) * c_out
        # a convolution without padding, then 2 x 2 pooling
        side = (side - kernel_size + 1) // 2
        c_in = c_out
    # The dense head reads every pooled value (flatten) or one average per map (gap).
    flat = side * side * c_in if head == "flatten" else c_in
    return total + (flat + 1) * dense_units + (dense_units + 1) * num_classes


HEADS = ("flatten", "gap")


def _checked_architecture(
    filters: Any, kernel_size: Any, dense_units: Any, num_classes: Any, head: Any
) -> tuple[tuple[int, ...], int, int, int, str]:
    """The layer sizes that :func:`build_cnn` and :func:`conv_parameter_count` share, checked."""
    return (
        _checks.as_ints(filters, "filters", minimum=1, min_length=1),
        _checks.as_int(kernel_size, "kernel_size", minimum=1),
        _checks.as_int(dense_units, "dense_units", minimum=1),
        _checks.as_int(num_classes, "num_classes", minimum=2),
        _checks.as_choice(head, "head", HEADS),
    )


def _require_room(
    side: int, widths: tuple[int, ...], kernel_size: int, name: str
) -> None:
    """Each block needs a convolution output of at least 2 x 2 for its pooling."""
    for block in range(1, len(widths) + 1):
        side = (side - kernel_size + 1) // 2
        if side < 1:
            raise ValueError(
                f"{name} is too small: block {block} of {len(widths)} ({kernel_size}x"
                f"{kernel_size} convolution, 2x2 pooling) leaves no pixel"
            )


def build_cnn(
    filters: Sequence[int] = (32, 64),
    *,
    kernel_size: int = 3,
    dense_units: int = 128,
    conv_dropout: float = 0.0,
    dense_dropout: float = 0.0,
    input_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int = 10,
    name: str = "cnn",
    head: str = "flatten",
) -> Any:
    """Build a convolutional classifier: conv blocks with pooling, then a small dense head.

    Each block is a ``Conv2D`` (``kernel_size`` x ``kernel_size``, no padding, ReLU)
    followed by 2 x 2 max pooling. The blocks' output is flattened (``head="flatten"``:
    a separate dense weight for every position of every map) or averaged over all
    positions of each map (``head="gap"``, global average pooling: no weight depends on
    position), optionally dropped out (``conv_dropout``), passed through one ReLU dense
    layer of ``dense_units`` (optionally dropped out, ``dense_dropout``) and a softmax.
    With the defaults on MNIST: 28x28x1 -> 26x26x32 -> 13x13x32 -> 11x11x64 -> 5x5x64 ->
    128 -> 10, 225,034 parameters.

    Parameters
    ----------
    filters : sequence of int, default (32, 64)
        Number of filters of each convolution block; one block per entry, at least one.
    kernel_size : int, default 3
        Height and width of every convolution kernel, >= 1.
    dense_units : int, default 128
        Width of the hidden dense layer, >= 1.
    conv_dropout : float, default 0.0
        Dropout rate on the flattened convolution features, in [0, 1); 0 adds no layer.
    dense_dropout : float, default 0.0
        Dropout rate after the hidden dense layer, in [0, 1); 0 adds no layer.
    input_shape : tuple of int, default (28, 28, 1)
        ``(height, width, channels)`` of one image, each >= 1.
    num_classes : int, default 10
        Number of softmax outputs, >= 2.
    name : str, default "cnn"
        Model name.
    head : {"flatten", "gap"}, default "flatten"
        How the dense layer reads the last pooled maps: every value (``"flatten"``, layer
        ``flatten``) or the mean of each map (``"gap"``, layer ``gap``).

    Returns
    -------
    keras.Model
        An uncompiled ``keras.Sequential`` model; its layers are named ``conv_1``,
        ``pool_1``, ``conv_2``, ... in order.

    Raises
    ------
    TypeError
        If a size is not an int, ``filters`` or ``input_shape`` is not a sequence, a
        dropout rate is not a number, or ``name`` or ``head`` is not a str.
    ValueError
        If a size is below its minimum or a bool, a rate lies outside [0, 1) or is not
        finite, ``filters`` is empty, ``input_shape`` has not three entries, ``head`` is
        not one of the two heads, or the image is too small for the blocks.
    """
    widths, kernel_size, dense_units, num_classes, head = _checked_architecture(
        filters, kernel_size, dense_units, num_classes, head
    )
    conv_dropout = _checks.as_float(
        conv_dropout, "conv_dropout", minimum=0.0, below=1.0
    )
    dense_dropout = _checks.as_float(
        dense_dropout, "dense_dropout", minimum=0.0, below=1.0
    )
    shape = _checks.as_ints(input_shape, "input_shape", minimum=1)
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {shape}")
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    _require_room(min(shape[:2]), widths, kernel_size, f"input_shape {shape}")
    import_tensorflow()
    return _build_cnn(
        widths, kernel_size, dense_units, conv_dropout, dense_dropout, shape,
        num_classes, name, head,
    )  # fmt: skip


def conv_parameter_count(
    filters: Sequence[int] = (32, 64),
    *,
    kernel_size: int = 3,
    dense_units: int = 128,
    image_side: int = 28,
    channels: int = 1,
    num_classes: int = 10,
    head: str = "flatten",
) -> int:
    r"""Count the parameters of a :func:`build_cnn` network by hand.

    A convolution with :math:`c_{in}` input channels, :math:`c_{out}` filters and a
    :math:`k \times k` kernel holds :math:`(k^2 c_{in} + 1)\, c_{out}` parameters, however
    large the image: the same filter is used at every position (weight sharing).

    Parameters
    ----------
    filters : sequence of int, default (32, 64)
        Filters per block, as in :func:`build_cnn`.
    kernel_size : int, default 3
        Kernel side :math:`k`, >= 1.
    dense_units : int, default 128
        Width of the hidden dense layer, >= 1.
    image_side : int, default 28
        Side of the square input image, >= 1.
    channels : int, default 1
        Channels of the input image, >= 1.
    num_classes : int, default 10
        Number of outputs, >= 2.
    head : {"flatten", "gap"}, default "flatten"
        The dense head's input, as in :func:`build_cnn`.

    Returns
    -------
    int
        The number of weights and biases.

    Raises
    ------
    TypeError
        If a size is not an int, ``filters`` is not a sequence or ``head`` not a str.
    ValueError
        If a size is below its minimum or a bool, ``filters`` is empty, ``head`` is
        unknown, or the image is too small for the blocks.

    Examples
    --------
    >>> conv_parameter_count()
    225034
    >>> conv_parameter_count(head="gap")
    28426
    """
    widths, kernel_size, dense_units, num_classes, head = _checked_architecture(
        filters, kernel_size, dense_units, num_classes, head
    )
    image_side = _checks.as_int(image_side, "image_side", minimum=1)
    channels = _checks.as_int(channels, "channels", minimum=1)
    _require_room(image_side, widths, kernel_size, f"image_side {image_side}")
    return int(
        _conv_parameter_count(
            widths, kernel_size, dense_units, image_side, channels, num_classes, head
        )
    )


# --- shifted digits -------------------------------------------------------------------------


def _shift_images(images, right, down):
    height, width = images.shape[1], images.shape[2]
    out = np.zeros_like(images)  # the uncovered border stays 0
    # Source rows/columns that stay in view, and where they land.
    src_rows = slice(max(0, -down), height - max(0, down))
    dst_rows = slice(max(0, down), height - max(0, -down))
    src_cols = slice(max(0, -right), width - max(0, right))
    dst_cols = slice(max(0, right), width - max(0, -right))
    out[:, dst_rows, dst_cols] = images[:, src_rows, src_cols]
    return out


def _require_in_view(shift: int, side: int, name: str, axis: str) -> None:
    if abs(shift) >= side:
        raise ValueError(
            f"{name} must move the image by less than its {axis} of {side} pixels, got {shift}: "
            "the image would leave the frame entirely"
        )


def shift_images(images: np.ndarray, right: int = 0, down: int = 0) -> np.ndarray:
    """Shift every image by whole pixels, filling the uncovered border with zeros.

    Pixels pushed past the edge are lost; nothing wraps around. Negative values
    shift left or up.

    Parameters
    ----------
    images : numpy.ndarray
        Non-empty, finite numeric array of shape (n, height, width) or
        (n, height, width, channels); any numeric dtype, kept.
    right : int, default 0
        Pixels to move each image to the right (negative: to the left); ``|right| < width``.
    down : int, default 0
        Pixels to move each image down (negative: up); ``|down| < height``.

    Returns
    -------
    numpy.ndarray
        A new array of the same shape and dtype; ``out[:, i + down, j + right] ==
        images[:, i, j]`` wherever both indices lie inside the image, zero elsewhere.

    Raises
    ------
    TypeError
        If ``images`` is not numeric or ``right`` or ``down`` is not an int.
    ValueError
        If ``images`` is not 3-D or 4-D, is empty or not finite, a shift is a bool, or a
        shift is as large as the image side.
    """
    images = _checks.as_array(images, "images", ndim=(3, 4), dtype=None)
    right = _checks.as_int(right, "right")
    down = _checks.as_int(down, "down")
    _require_in_view(right, images.shape[2], "right", "width")
    _require_in_view(down, images.shape[1], "down", "height")
    return _shift_images(images, right, down)


def _random_shifts(images, max_shift, rng):
    m, (n, height, width) = max_shift, images.shape[:3]
    pad = [(0, 0), (m, m), (m, m)] + [(0, 0)] * (images.ndim - 3)
    padded = np.pad(images, pad)  # a frame of m zero pixels all round
    down, right = rng.integers(-m, m + 1, size=(2, n))  # one random shift per image
    # image i's row r comes from padded row m - down[i] + r (and so for columns)
    rows = (m - down)[:, None] + np.arange(height)
    cols = (m - right)[:, None] + np.arange(width)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def random_shifts(images: np.ndarray, max_shift: int = 1, *, seed: int) -> np.ndarray:
    """Shift each image by its own random whole number of pixels (data augmentation).

    Image ``i`` moves ``down[i]`` pixels down and ``right[i]`` pixels right, each drawn
    uniformly from ``-max_shift .. max_shift`` (so with ``max_shift=1`` one image in nine
    stays in place); the uncovered border is filled with zeros and pixels pushed past the
    edge are lost, as in :func:`shift_images`.

    Parameters
    ----------
    images : numpy.ndarray
        Non-empty, finite numeric array of shape (n, height, width) or
        (n, height, width, channels); any numeric dtype, kept.
    max_shift : int, default 1
        Largest shift in pixels along each axis, >= 1 and below the image's sides.
    seed : int
        Seed of the generator that draws the shifts (>= 0): the same seed gives the same
        shifts.

    Returns
    -------
    numpy.ndarray
        A new array of the same shape and dtype.

    Raises
    ------
    TypeError
        If ``images`` is not numeric or ``max_shift`` or ``seed`` is not an int.
    ValueError
        If ``images`` is not 3-D or 4-D, is empty or not finite, ``max_shift`` is < 1, a
        bool or not smaller than the image, or ``seed`` is negative.
    """
    images = _checks.as_array(images, "images", ndim=(3, 4), dtype=None)
    max_shift = _checks.as_int(max_shift, "max_shift", minimum=1)
    _require_in_view(max_shift, min(images.shape[1:3]), "max_shift", "smaller side")
    rng = np.random.default_rng(_checks.as_seed(seed))
    return _random_shifts(images, max_shift, rng)


def shifted_accuracies(
    predict: Any,
    images: np.ndarray,
    labels: np.ndarray,
    shifts: Sequence[int],
    *,
    direction: tuple[int, int] = (1, 1),
) -> list[float]:
    """Accuracy of a classifier on copies of the images shifted by growing amounts.

    Parameters
    ----------
    predict : callable
        Maps a batch of images of the shape of ``images`` to class scores of shape
        (n, num_classes), e.g. ``lambda x: model.predict(x, verbose=0)``.
    images : numpy.ndarray
        Images of shape (n, height, width[, channels]), finite numbers.
    labels : numpy.ndarray
        Integer labels of shape (n,), in ``[0, num_classes)``.
    shifts : sequence of int
        Shift sizes in pixels, each >= 0, at least one.
    direction : tuple of int, default (1, 1)
        ``(right, down)`` multipliers of each shift: (1, 1) moves the digit diagonally
        right and down by ``s`` pixels in each direction, (1, 0) only right, (0, -1) only up.

    Returns
    -------
    list of float
        The fraction of correctly classified images for each shift, in order
        (:func:`dlbook.evaluation.accuracy`).

    Raises
    ------
    TypeError
        If ``predict`` is not callable, ``images`` is not numeric, ``labels`` does not
        hold integers, ``shifts`` or ``direction`` is not a sequence of ints.
    ValueError
        If ``labels`` does not match ``images`` or holds a negative label, ``shifts`` is
        empty or holds a negative value or one that moves the image out of the frame,
        ``direction`` is not two entries or is (0, 0), or ``predict`` returns scores that are
        not (n, num_classes) with a column for every label, or are not finite.
    """
    if not callable(predict):
        raise TypeError(f"predict must be callable, got {type(predict).__name__}")
    images = _checks.as_array(images, "images", ndim=(3, 4), dtype=None)
    labels = _checks.as_labels(labels, "labels")
    _checks.same_length(images=images, labels=labels)
    shifts = _checks.as_ints(shifts, "shifts", minimum=0, min_length=1)
    direction = _checks.as_ints(direction, "direction")
    if len(direction) != 2:
        raise ValueError(f"direction must be a pair (right, down), got {direction}")
    step_right, step_down = direction
    if step_right == step_down == 0:
        raise ValueError("direction must not be (0, 0): every shift would be zero")
    for s in shifts:
        _require_in_view(
            s * step_right, images.shape[2], "shifts (times direction[0])", "width"
        )
        _require_in_view(
            s * step_down, images.shape[1], "shifts (times direction[1])", "height"
        )

    result = []
    for s in shifts:
        shifted = _shift_images(images, s * step_right, s * step_down)
        scores = _checks.as_array(
            predict(shifted), "the scores predict returned", dtype=None
        )
        if scores.ndim != 2 or scores.shape[0] != len(labels):
            raise ValueError(
                f"predict must return scores of shape (n, num_classes) for n={len(labels)} "
                f"images, got shape {scores.shape}"
            )
        if labels.max() >= scores.shape[1]:
            raise ValueError(
                f"labels hold the class {labels.max()}, but predict returned scores for "
                f"{scores.shape[1]} classes"
            )
        result.append(accuracy(labels, predicted_labels(scores)))
    return result


# --- what the first convolution learned -----------------------------------------------------


def _conv_layers(model):
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def _checked_conv_layers(model: Any) -> list[Any]:
    """The model's ``Conv2D`` layers, after checking that it is a built Keras model with some."""
    import_tensorflow()
    _checks.as_keras_model(model, "model")
    convs = _conv_layers(model)
    if not convs:
        raise ValueError(f"model {model.name!r} has no Conv2D layer")
    if not all(conv.built for conv in convs):
        raise ValueError(
            f"model {model.name!r} is not built yet (start it with keras.Input, or call it once)"
        )
    return convs


def _first_layer_filters(model):
    # (height, width, in_channels, filters)
    kernel = _conv_layers(model)[0].get_weights()[0]
    # one image per filter
    return np.transpose(kernel[:, :, 0, :], (2, 0, 1)).astype(np.float32)


def first_layer_filters(model: Any) -> np.ndarray:
    """Return the kernels of a model's first convolution, one image per filter.

    Parameters
    ----------
    model : keras.Model
        A built model with at least one ``Conv2D`` layer, the first reading one input
        channel.

    Returns
    -------
    numpy.ndarray
        float32 array of shape (filters, kernel_height, kernel_width).

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    ValueError
        If the model has no ``Conv2D`` layer, is not built, or its first convolution
        reads more than one channel.
    """
    convs = _checked_conv_layers(model)
    channels = convs[0].get_weights()[0].shape[2]
    if channels != 1:
        raise ValueError(
            f"model's first convolution reads {channels} channels; its filters are images "
            "only for one channel"
        )
    return _first_layer_filters(model)


def _feature_maps(model, conv, image):
    import keras

    # A model that shares the trained layers but stops at the chosen convolution
    # (after its ReLU).
    probe = keras.Model(inputs=model.inputs[0], outputs=conv.output)
    maps = np.asarray(probe(image[np.newaxis], training=False), dtype=np.float32)[0]
    # (height, width, filters) -> one map per filter
    return np.transpose(maps, (2, 0, 1))


def feature_maps(model: Any, image: np.ndarray, layer: int | str = 0) -> np.ndarray:
    """Activations of one convolution layer for one image (after its ReLU).

    Parameters
    ----------
    model : keras.Model
        A built single-input model with ``Conv2D`` layers, e.g. from :func:`build_cnn`.
    image : numpy.ndarray
        One input image of the model's input shape, e.g. (28, 28, 1), floating point and
        scaled as in training (e.g. by :func:`dlbook.preprocess.prepare_image_inputs`).
    layer : int or str, default 0
        Which convolution: its position among the model's ``Conv2D`` layers (0 is the
        first) or its name.

    Returns
    -------
    numpy.ndarray
        float32 array of shape (filters, height, width): one map per filter.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model, ``image`` is not a floating-point array (raw
        uint8 pixels would be read 255 times too bright), or ``layer`` is neither an int
        nor a str.
    ValueError
        If the model has no such convolution, is not built or has several inputs,
        ``layer`` is a bool, or ``image`` has the wrong shape or is not finite.
    """
    convs = _checked_conv_layers(model)
    if len(model.inputs) != 1:
        raise ValueError(f"model must have one input, got {len(model.inputs)}")
    if isinstance(layer, str):
        by_name = {conv.name: conv for conv in convs}
        if layer not in by_name:
            raise ValueError(
                f"layer {layer!r} is not a Conv2D layer of the model: {list(by_name)}"
            )
        conv = by_name[layer]
    else:  # an int (not a bool, not a float), a position among the convolutions
        conv = convs[_checks.as_int(layer, "layer", minimum=0, maximum=len(convs) - 1)]
    expected = tuple(model.inputs[0].shape[1:])
    image = _checks.as_array(
        image, "image", shape=expected, kind="float", dtype=np.float32
    )
    return _feature_maps(model, conv, image)


def _layer_outputs(model, images, layers):
    import keras

    probe = keras.Model(
        model.inputs[0], [model.get_layer(name).output for name in layers]
    )
    outputs = probe(images, training=False)  # one pass computes every requested layer
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return [np.asarray(out, dtype=np.float32) for out in outputs]


def layer_outputs(
    model: Any, images: np.ndarray, layers: Sequence[str]
) -> list[np.ndarray]:
    """The outputs of named layers of a model for a batch of images (dropout off).

    Parameters
    ----------
    model : keras.Model
        A built single-input Keras model, e.g. from :func:`build_cnn`.
    images : numpy.ndarray
        A batch of the model's inputs, shape ``(n, *input_shape)``, floating point and scaled as
        in training; a few hundred images at a time (every requested output is held in
        memory).
    layers : sequence of str
        Names of layers of the model, e.g. ``["conv_1", "pool_1"]``; at least one.

    Returns
    -------
    list of numpy.ndarray
        One float32 array per name, in order, each of shape ``(n, *layer_output_shape)``; a
        convolution's output is after its ReLU.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model, ``images`` is not a floating-point array, or
        ``layers`` is not a sequence of str.
    ValueError
        If the model is not built or has several inputs, ``images`` does not match its
        input shape or is not finite, or ``layers`` is empty or names no layer of the model.
    """
    import_tensorflow()
    _checks.as_keras_model(model, "model")
    if not model.built or not getattr(model, "inputs", None):
        raise ValueError(
            f"model {model.name!r} is not built yet (start it with keras.Input)"
        )
    if len(model.inputs) != 1:
        raise ValueError(f"model must have one input, got {len(model.inputs)}")
    if isinstance(layers, str) or not isinstance(layers, Sequence):
        raise TypeError(
            f"layers must be a sequence of layer names, got {type(layers).__name__}"
        )
    if not layers:
        raise ValueError("layers is empty")
    names = [layer.name for layer in model.layers]
    for i, name in enumerate(layers):
        if not isinstance(name, str):
            raise TypeError(
                f"layers[{i}] must be a layer name (str), got {type(name).__name__}"
            )
        if name not in names:
            raise ValueError(
                f"layers[{i}] {name!r} is not a layer of the model: {names}"
            )
    expected = (None, *model.inputs[0].shape[1:])
    images = _checks.as_array(
        images, "images", shape=expected, kind="float", dtype=np.float32
    )
    return _layer_outputs(model, images, list(layers))
