"""A small convolutional network for MNIST and the tools that look inside it.

The builder makes the chapter's CNN; the other functions prepare images for it,
shift them to test robustness, and read out what the first convolution learned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dlbook.repro import import_tensorflow

__all__ = [
    "accuracy_gap",
    "build_cnn",
    "conv_parameter_count",
    "feature_maps",
    "first_layer_filters",
    "prepare_image_inputs",
    "shift_images",
    "shifted_accuracies",
]


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _check_rate(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
    return float(value)


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
) -> Any:
    """Build a convolutional classifier: conv blocks with pooling, then a small dense head.

    Each block is a ``Conv2D`` (``kernel_size`` x ``kernel_size``, no padding, ReLU)
    followed by 2 x 2 max pooling. The blocks' output is flattened, optionally
    dropped out (``conv_dropout``), passed through one ReLU dense layer of
    ``dense_units`` (optionally dropped out, ``dense_dropout``) and a softmax. With the
    defaults on MNIST: 28x28x1 -> 26x26x32 -> 13x13x32 -> 11x11x64 -> 5x5x64 -> 128 -> 10,
    225,034 parameters.

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
        ``(height, width, channels)`` of one image.
    num_classes : int, default 10
        Number of softmax outputs.
    name : str, default "cnn"
        Model name.

    Returns
    -------
    keras.Model
        An uncompiled ``keras.Sequential`` model; its first layer is named ``conv_1``.

    Raises
    ------
    ValueError
        If a size is not a positive int, a rate lies outside [0, 1), ``filters`` is
        empty, or the image is too small for the blocks.
    TypeError
        If a dropout rate is not a number.
    """
    widths = [_check_int(f"filters[{i}]", f, 1) for i, f in enumerate(filters)]
    if not widths:
        raise ValueError("filters must name at least one convolution block")
    kernel_size = _check_int("kernel_size", kernel_size, 1)
    dense_units = _check_int("dense_units", dense_units, 1)
    num_classes = _check_int("num_classes", num_classes, 1)
    conv_dropout = _check_rate("conv_dropout", conv_dropout)
    dense_dropout = _check_rate("dense_dropout", dense_dropout)
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    height, width, channels = (
        _check_int(f"input_shape[{i}]", v, 1) for i, v in enumerate(input_shape)
    )
    side = min(height, width)
    for _ in widths:
        side = (side - kernel_size + 1) // 2
    if side < 1:
        raise ValueError(
            f"input_shape {input_shape!r} is too small for {len(widths)} blocks of "
            f"{kernel_size}x{kernel_size} convolution and 2x2 pooling"
        )

    import_tensorflow()
    import keras

    layers: list[Any] = [keras.Input(shape=(height, width, channels))]
    for i, n_filters in enumerate(widths, start=1):
        layers.append(
            keras.layers.Conv2D(n_filters, kernel_size, activation="relu", name=f"conv_{i}")
        )
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool_{i}"))
    layers.append(keras.layers.Flatten(name="flatten"))
    if conv_dropout > 0:
        layers.append(keras.layers.Dropout(conv_dropout, name="dropout_conv"))
    layers.append(keras.layers.Dense(dense_units, activation="relu", name="hidden"))
    if dense_dropout > 0:
        layers.append(keras.layers.Dropout(dense_dropout, name="dropout_dense"))
    layers.append(keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return keras.Sequential(layers, name=name)


def conv_parameter_count(
    filters: Sequence[int] = (32, 64),
    *,
    kernel_size: int = 3,
    dense_units: int = 128,
    image_side: int = 28,
    channels: int = 1,
    num_classes: int = 10,
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
        Kernel side :math:`k`.
    dense_units : int, default 128
        Width of the hidden dense layer.
    image_side : int, default 28
        Side of the square input image.
    channels : int, default 1
        Channels of the input image.
    num_classes : int, default 10
        Number of outputs.

    Returns
    -------
    int
        The number of weights and biases.

    Raises
    ------
    ValueError
        If a size is not a positive int or the image is too small for the blocks.

    Examples
    --------
    >>> conv_parameter_count()
    225034
    """
    widths = [_check_int(f"filters[{i}]", f, 1) for i, f in enumerate(filters)]
    if not widths:
        raise ValueError("filters must name at least one convolution block")
    k = _check_int("kernel_size", kernel_size, 1)
    dense_units = _check_int("dense_units", dense_units, 1)
    side = _check_int("image_side", image_side, 1)
    c_in = _check_int("channels", channels, 1)
    num_classes = _check_int("num_classes", num_classes, 1)
    total = 0
    for c_out in widths:
        total += (k * k * c_in + 1) * c_out
        side = (side - k + 1) // 2
        c_in = c_out
    if side < 1:
        raise ValueError(f"image_side {image_side} is too small for {len(widths)} blocks")
    flat = side * side * c_in
    return int(total + (flat + 1) * dense_units + (dense_units + 1) * num_classes)


def prepare_image_inputs(images: np.ndarray) -> np.ndarray:
    """Turn uint8 grey images into the CNN's input: float32 in [0, 1] with a channel axis.

    Parameters
    ----------
    images : numpy.ndarray
        uint8 array of shape (n, height, width).

    Returns
    -------
    numpy.ndarray
        float32 array of shape (n, height, width, 1), pixel values divided by 255.

    Raises
    ------
    TypeError
        If ``images`` is not uint8 (already scaled images would be divided twice).
    ValueError
        If ``images`` is not a non-empty 3-D array.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"images must be uint8 pixel values, got dtype {images.dtype}")
    if images.ndim != 3 or images.shape[0] == 0:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    return (images.astype(np.float32) / np.float32(255.0))[..., np.newaxis]


def shift_images(images: np.ndarray, right: int = 0, down: int = 0) -> np.ndarray:
    """Shift every image by whole pixels, filling the uncovered border with zeros.

    Pixels pushed past the edge are lost; nothing wraps around. Negative values
    shift left or up.

    Parameters
    ----------
    images : numpy.ndarray
        Array of shape (n, height, width) or (n, height, width, channels), any dtype.
    right : int, default 0
        Pixels to move each image to the right (negative: to the left).
    down : int, default 0
        Pixels to move each image down (negative: up).

    Returns
    -------
    numpy.ndarray
        A new array of the same shape and dtype; ``out[:, i + down, j + right] ==
        images[:, i, j]`` wherever both indices lie inside the image, zero elsewhere.

    Raises
    ------
    TypeError
        If ``right`` or ``down`` is not an int.
    ValueError
        If ``images`` is not 3-D or 4-D, or a shift is as large as the image side.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"images must have shape (n, height, width[, channels]), got {images.shape}"
        )
    for arg, value in (("right", right), ("down", down)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{arg} must be an int, got {value!r}")
    height, width = images.shape[1], images.shape[2]
    if abs(down) >= height or abs(right) >= width:
        raise ValueError(
            f"a shift of right={right}, down={down} would move a {height}x{width} image "
            "entirely out of view"
        )
    out = np.zeros_like(images)
    src_rows = slice(max(0, -down), height - max(0, down))
    dst_rows = slice(max(0, down), height - max(0, -down))
    src_cols = slice(max(0, -right), width - max(0, right))
    dst_cols = slice(max(0, right), width - max(0, -right))
    out[:, dst_rows, dst_cols] = images[:, src_rows, src_cols]
    return out


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
        Images of shape (n, height, width[, channels]).
    labels : numpy.ndarray
        Integer labels of shape (n,).
    shifts : sequence of int
        Shift sizes in pixels, each >= 0.
    direction : tuple of int, default (1, 1)
        ``(right, down)`` multipliers of each shift: (1, 1) moves the digit diagonally
        right and down by ``s`` pixels in each direction, (1, 0) only right.

    Returns
    -------
    list of float
        The fraction of correctly classified images for each shift, in order.

    Raises
    ------
    ValueError
        If ``labels`` does not match ``images``, ``shifts`` is empty or holds a negative
        value, or ``predict`` returns the wrong number of rows.
    TypeError
        If ``predict`` is not callable.
    """
    if not callable(predict):
        raise TypeError(f"predict must be callable, got {type(predict).__name__}")
    images = np.asarray(images)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] != images.shape[0] or labels.size == 0:
        raise ValueError(
            f"labels must be a non-empty 1-D array with one label per image, got shape "
            f"{labels.shape} for {images.shape[0]} images"
        )
    shifts = [_check_int(f"shifts[{i}]", s, 0) for i, s in enumerate(shifts)]
    if not shifts:
        raise ValueError("shifts must hold at least one shift")
    step_right, step_down = (int(v) for v in direction)
    result = []
    for s in shifts:
        scores = np.asarray(predict(shift_images(images, s * step_right, s * step_down)))
        if scores.ndim != 2 or scores.shape[0] != labels.size:
            raise ValueError(f"predict returned shape {scores.shape} for {labels.size} images")
        result.append(float(np.mean(np.argmax(scores, axis=1) == labels)))
    return result


def _conv_layers(model: Any) -> list[Any]:
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def first_layer_filters(model: Any) -> np.ndarray:
    """Return the kernels of a model's first convolution, one image per filter.

    Parameters
    ----------
    model : keras.Model
        A built model with at least one ``Conv2D`` layer reading one input channel.

    Returns
    -------
    numpy.ndarray
        float32 array of shape (filters, kernel_height, kernel_width).

    Raises
    ------
    ValueError
        If the model has no ``Conv2D`` layer or its first one reads more than one channel.
    """
    convs = _conv_layers(model)
    if not convs:
        raise ValueError("model has no Conv2D layer")
    kernel = np.asarray(convs[0].get_weights()[0], dtype=np.float32)  # (kh, kw, c_in, c_out)
    if kernel.shape[2] != 1:
        raise ValueError(f"the first convolution reads {kernel.shape[2]} channels, not 1")
    return np.transpose(kernel[:, :, 0, :], (2, 0, 1))


def feature_maps(model: Any, image: np.ndarray, layer: int | str = 0) -> np.ndarray:
    """Activations of one convolution layer for one image (after its ReLU).

    Parameters
    ----------
    model : keras.Model
        A built model with ``Conv2D`` layers, e.g. from :func:`build_cnn`.
    image : numpy.ndarray
        One input image of the model's input shape, e.g. (28, 28, 1), float32.
    layer : int or str, default 0
        Which convolution: its position among the model's ``Conv2D`` layers (0 is the
        first) or its name.

    Returns
    -------
    numpy.ndarray
        float32 array of shape (filters, height, width): one map per filter.

    Raises
    ------
    ValueError
        If the model has no such convolution or ``image`` has the wrong shape.
    """
    import keras

    convs = _conv_layers(model)
    if isinstance(layer, str):
        chosen = [c for c in convs if c.name == layer]
        if not chosen:
            raise ValueError(f"model has no Conv2D layer named {layer!r}")
        conv = chosen[0]
    else:
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)):
            raise ValueError(f"layer must be an int or a layer name, got {layer!r}")
        if not 0 <= layer < len(convs):
            raise ValueError(f"layer must lie in [0, {len(convs)}), got {layer}")
        conv = convs[int(layer)]
    image = np.asarray(image, dtype=np.float32)
    expected = tuple(model.inputs[0].shape[1:])
    if image.shape != expected:
        raise ValueError(f"image must have shape {expected}, got {image.shape}")
    probe = keras.Model(inputs=model.inputs[0], outputs=conv.output)
    maps = np.asarray(probe(image[np.newaxis], training=False), dtype=np.float32)[0]
    return np.transpose(maps, (2, 0, 1))


def accuracy_gap(history: dict[str, list[float]]) -> np.ndarray:
    """Training minus validation accuracy after each epoch of a training history.

    Parameters
    ----------
    history : dict of str to list of float
        A history with ``accuracy`` and ``val_accuracy`` lists of equal length, as
        returned by :func:`dlbook.keras_models.train_model`.

    Returns
    -------
    numpy.ndarray
        float64 array, one gap per epoch (positive: better on the training data).

    Raises
    ------
    ValueError
        If a key is missing or the lists are empty or of different lengths.
    """
    for key in ("accuracy", "val_accuracy"):
        if key not in history:
            raise ValueError(f"history has no {key!r} list (train with validation_data)")
    train = np.asarray(history["accuracy"], dtype=np.float64)
    val = np.asarray(history["val_accuracy"], dtype=np.float64)
    if train.size == 0 or train.shape != val.shape:
        raise ValueError(
            f"accuracy and val_accuracy must be non-empty and equally long, got "
            f"{train.size} and {val.size}"
        )
    return train - val
