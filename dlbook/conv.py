"""A convolution by hand: the operation inside ``keras.layers.Conv2D``, in NumPy.

:func:`conv2d` is the cross-correlation a convolutional layer computes (with stride and zero
padding), :func:`max_pool2d` the pooling that follows it, :func:`conv_output_size` and
:func:`receptive_fields` the arithmetic of their sizes, and :func:`shift_mismatch` measures
how far a layer is from shifting its output when its input shifts (equivariance).

Arrays use Keras's layouts: images ``(n, height, width, channels)`` and kernels
``(kernel_height, kernel_width, in_channels, out_channels)``, so that the weights of a
trained ``Conv2D`` layer can be passed in unchanged. Each taught function is a short core
(``_conv2d``, ``_max_pool2d``, ``_conv_output_size``, ``_receptive_fields``,
``_shift_mismatch``) wrapped by a public function that checks its arguments.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _checks

__all__ = [
    "conv2d",
    "conv_output_size",
    "max_pool2d",
    "receptive_fields",
    "shift_mismatch",
]


# --- the convolution ------------------------------------------------------------------------


def _conv2d(images, kernels, bias, stride, padding):
    k_h, k_w, _, c_out = kernels.shape
    p = padding  # rows and columns of zeros added round the border
    x = np.pad(images, ((0, 0), (p, p), (p, p), (0, 0)))
    out_h = (x.shape[1] - k_h) // stride + 1
    out_w = (x.shape[2] - k_w) // stride + 1
    out = np.zeros((len(x), out_h, out_w, c_out), dtype=np.result_type(x, kernels))
    # One kernel offset (i, j) at a time: output (r, c) reads pixel
    # (stride*r + i, stride*c + j).
    for i in range(k_h):
        for j in range(k_w):
            rows = slice(i, i + stride * out_h, stride)
            cols = slice(j, j + stride * out_w, stride)
            patch = x[:, rows, cols]
            out += patch @ kernels[i, j]  # (n, out_h, out_w, c_in) @ (c_in, c_out)
    return out + bias


def conv2d(
    images: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    stride: int = 1,
    padding: int = 0,
) -> np.ndarray:
    r"""Cross-correlate a batch of images with a bank of kernels, as ``Conv2D`` does.

    .. math::

        y_{n,r,c,o} = b_o + \sum_{i,j,k} x_{n,\,s r + i,\,s c + j,\,k}\; w_{i,j,k,o}

    where :math:`x` is the input padded with ``padding`` rows and columns of zeros on
    every side and :math:`s` is the stride. The kernel is not flipped (that would be a
    convolution in the mathematician's sense); deep-learning libraries call this
    cross-correlation a convolution. No activation is applied.

    Parameters
    ----------
    images : numpy.ndarray
        Finite real array of shape (n, height, width, in_channels), or (height, width) for
        one grey image (then the result is (out_height, out_width, out_channels)).
    kernels : numpy.ndarray
        Finite real array of shape (kernel_height, kernel_width, in_channels,
        out_channels), Keras's layout (``layer.get_weights()[0]``), or (kernel_height,
        kernel_width) for one kernel on one channel.
    bias : numpy.ndarray, optional
        Shape (out_channels,); zeros when omitted.
    stride : int, default 1
        Step between neighbouring output positions, >= 1.
    padding : int, default 0
        Rows and columns of zeros added on each side, >= 0.

    Returns
    -------
    numpy.ndarray
        Shape (n, out_height, out_width, out_channels) with
        ``out = (size + 2 * padding - kernel) // stride + 1`` along each axis
        (:func:`conv_output_size`); the common dtype of ``images`` and ``kernels``.

    Raises
    ------
    TypeError
        If an array does not hold real numbers or ``stride`` or ``padding`` is not an int.
    ValueError
        If an array has the wrong number of dimensions, is empty or not finite; the
        channels of ``images`` and ``kernels`` or the length of ``bias`` disagree;
        ``stride < 1``, ``padding < 0`` or either is a bool; or the kernel is larger than
        the padded image.

    Examples
    --------
    >>> image = np.arange(16.0).reshape(4, 4)
    >>> conv2d(image, np.array([[1.0, 0.0], [0.0, -1.0]]))[..., 0]
    array([[-5., -5., -5.],
           [-5., -5., -5.],
           [-5., -5., -5.]])
    """
    images = _checks.as_array(images, "images", ndim=(2, 4), dtype=None)
    kernels = _checks.as_array(kernels, "kernels", ndim=(2, 4), dtype=None)
    stride = _checks.as_int(stride, "stride", minimum=1)
    padding = _checks.as_int(padding, "padding", minimum=0)
    one_image = images.ndim == 2
    if one_image:
        images = images[np.newaxis, :, :, np.newaxis]
    if kernels.ndim == 2:
        kernels = kernels[:, :, np.newaxis, np.newaxis]
    if images.shape[3] != kernels.shape[2]:
        raise ValueError(
            f"images have {images.shape[3]} channels but kernels read {kernels.shape[2]} "
            "(kernels must be (kernel_height, kernel_width, in_channels, out_channels))"
        )
    if bias is None:
        bias = np.zeros(kernels.shape[3], dtype=np.result_type(images, kernels))
    bias = _checks.as_array(bias, "bias", shape=(kernels.shape[3],), dtype=None)
    for axis, name in ((1, "height"), (2, "width")):
        if images.shape[axis] + 2 * padding < kernels.shape[axis - 1]:
            raise ValueError(
                f"kernels of {name} {kernels.shape[axis - 1]} do not fit images of {name} "
                f"{images.shape[axis]} with padding {padding}"
            )
    out = _conv2d(images, kernels, bias, stride, padding)
    return out[0] if one_image else out


# --- pooling ----------------------------------------------------------------------------------


def _max_pool2d(maps, size):
    n, h, w, c = maps.shape
    # a row or column that fills no window is dropped
    h, w = h // size * size, w // size * size
    windows = maps[:, :h, :w].reshape(n, h // size, size, w // size, size, c)
    return windows.max(axis=(2, 4))  # the largest value of each size x size window


def max_pool2d(maps: np.ndarray, size: int = 2) -> np.ndarray:
    """Max pooling over non-overlapping windows, as ``MaxPooling2D(size)`` does.

    Parameters
    ----------
    maps : numpy.ndarray
        Finite real array of shape (n, height, width, channels), height and width >= ``size``.
    size : int, default 2
        Side of each window and the stride between windows, >= 1.

    Returns
    -------
    numpy.ndarray
        Shape (n, height // size, width // size, channels), same dtype.

    Raises
    ------
    TypeError
        If ``maps`` does not hold real numbers or ``size`` is not an int.
    ValueError
        If ``maps`` is not 4-D, is empty or not finite, ``size < 1`` or a bool, or the
        maps are smaller than one window.

    Examples
    --------
    >>> max_pool2d(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    maps = _checks.as_array(maps, "maps", ndim=4, dtype=None)
    size = _checks.as_int(size, "size", minimum=1)
    if min(maps.shape[1:3]) < size:
        raise ValueError(
            f"maps of shape {maps.shape} are smaller than one {size}x{size} window"
        )
    return _max_pool2d(maps, size)


# --- sizes ------------------------------------------------------------------------------------


def _conv_output_size(size, kernel_size, stride, padding):
    # positions the kernel fits at
    return (size + 2 * padding - kernel_size) // stride + 1


def conv_output_size(
    size: int, kernel_size: int, *, stride: int = 1, padding: int = 0
) -> int:
    r"""Height (or width) of a convolution's or pooling's output.

    .. math:: n_{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1

    Parameters
    ----------
    size : int
        Height or width :math:`n` of the input, >= 1.
    kernel_size : int
        Kernel (or pooling window) side :math:`k`, >= 1.
    stride : int, default 1
        Stride :math:`s`, >= 1 (a 2 x 2 pooling has ``kernel_size=2, stride=2``).
    padding : int, default 0
        Zeros :math:`p` added on each side, >= 0.

    Returns
    -------
    int
        The output side, >= 1.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If an argument is below its minimum or a bool, or the kernel does not fit the
        padded input.

    Examples
    --------
    >>> conv_output_size(28, 5), conv_output_size(28, 5, padding=2)
    (24, 28)
    >>> conv_output_size(28, 3, stride=2)
    13
    """
    size = _checks.as_int(size, "size", minimum=1)
    kernel_size = _checks.as_int(kernel_size, "kernel_size", minimum=1)
    stride = _checks.as_int(stride, "stride", minimum=1)
    padding = _checks.as_int(padding, "padding", minimum=0)
    if size + 2 * padding < kernel_size:
        raise ValueError(
            f"kernel_size {kernel_size} does not fit an input of size {size} with padding {padding}"
        )
    return int(_conv_output_size(size, kernel_size, stride, padding))


def _receptive_fields(layers):
    # one input pixel sees itself; neighbours are 1 pixel apart
    field, jump, result = 1, 1, []
    for kernel_size, stride in layers:
        # k neighbouring units span (k - 1) jumps more
        field += (kernel_size - 1) * jump
        # neighbouring outputs are stride times further apart in the input
        jump *= stride
        result.append((field, jump))
    return result


def receptive_fields(layers: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    r"""The receptive field of each layer of a stack of convolutions and poolings.

    A unit of layer :math:`l` sees an :math:`r_l \times r_l` patch of the input; neighbouring
    units of that layer are :math:`j_l` input pixels apart (the *jump*, the product of the
    strides so far):

    .. math:: r_l = r_{l-1} + (k_l - 1)\, j_{l-1}, \qquad j_l = j_{l-1}\, s_l,
              \qquad r_0 = j_0 = 1.

    Padding moves the field but does not change its size.

    Parameters
    ----------
    layers : sequence of (int, int)
        ``(kernel_size, stride)`` of each layer, input first, each >= 1; a 5 x 5
        convolution is ``(5, 1)``, a 2 x 2 max pooling ``(2, 2)``.

    Returns
    -------
    list of (int, int)
        ``(field, jump)`` after each layer.

    Raises
    ------
    TypeError
        If ``layers`` is not a sequence of pairs of ints.
    ValueError
        If ``layers`` is empty, an entry is not a pair, or a size is < 1 or a bool.

    Examples
    --------
    >>> receptive_fields([(5, 1), (2, 2), (5, 1), (2, 2)])
    [(5, 1), (6, 2), (14, 2), (16, 4)]
    """
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
        raise TypeError(
            f"layers must be a sequence of (kernel_size, stride) pairs, got {layers!r}"
        )
    if not layers:
        raise ValueError("layers is empty")
    checked = []
    for i, layer in enumerate(layers):
        pair = _checks.as_ints(layer, f"layers[{i}]", minimum=1)
        if len(pair) != 2:
            raise ValueError(
                f"layers[{i}] must be a pair (kernel_size, stride), got {layer!r}"
            )
        checked.append(pair)
    return [(int(f), int(j)) for f, j in _receptive_fields(checked)]


# --- equivariance -----------------------------------------------------------------------------


def _shift_mismatch(maps_of_shifted, maps, shift):
    h, w = maps.shape[1], maps.shape[2]
    # where the shifted input's maps should repeat ...
    moved = maps_of_shifted[:, shift:, shift:]
    # ... the original maps, shift cells earlier
    original = maps[:, : h - shift, : w - shift]
    return float(np.linalg.norm(moved - original) / np.linalg.norm(original))


def shift_mismatch(maps_of_shifted: np.ndarray, maps: np.ndarray, shift: int) -> float:
    r"""How far a layer's maps of shifted images are from its original maps, shifted.

    A layer is *equivariant* to a shift when shifting its input shifts its output: the maps
    of the input moved ``s`` pixels right and down equal the original maps moved ``shift``
    cells right and down, wherever both exist. On that overlap this returns the relative
    difference :math:`\lVert A - B \rVert / \lVert B \rVert` (Euclidean norms over all
    images, positions and channels), with :math:`A` the maps of the shifted images and
    :math:`B` the original maps: 0 for an exact shift, about 1 or more when the maps do not
    match. With ``shift=0`` it measures *invariance*: how much the maps change at all.

    Parameters
    ----------
    maps_of_shifted : numpy.ndarray
        The layer's output for the shifted images, shape (n, height, width, channels).
    maps : numpy.ndarray
        Its output for the original images, the same shape, not all zero.
    shift : int
        Cells (of this layer's output) by which the maps are compared moved right and
        down; >= 0 and below the maps' height and width.

    Returns
    -------
    float
        The relative difference, >= 0.

    Raises
    ------
    TypeError
        If an array does not hold real numbers or ``shift`` is not an int.
    ValueError
        If an array is not 4-D, is empty or not finite, the shapes differ, ``maps`` is
        all zero where it is compared, or ``shift`` is negative, a bool, or not smaller
        than the maps.
    """
    maps_of_shifted = _checks.as_array(maps_of_shifted, "maps_of_shifted", ndim=4)
    maps = _checks.as_array(maps, "maps", ndim=4)
    if maps_of_shifted.shape != maps.shape:
        raise ValueError(
            f"maps_of_shifted has shape {maps_of_shifted.shape} but maps {maps.shape}"
        )
    shift = _checks.as_int(shift, "shift", minimum=0, maximum=min(maps.shape[1:3]) - 1)
    if not np.any(maps[:, : maps.shape[1] - shift, : maps.shape[2] - shift]):
        raise ValueError(
            "maps is all zero where it is compared: nothing to compare with"
        )
    return _shift_mismatch(maps_of_shifted, maps, shift)
