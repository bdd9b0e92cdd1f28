"""Argument checks for the whole package: one module, one rule.

* A wrong **type** (a string where a number is meant, a list where an array of labels is
  meant with non-integer entries, ...) raises :class:`TypeError`.
* A wrong **value** raises :class:`ValueError`: a wrong shape or length, a mismatch between
  two arguments, a label out of range, a non-finite number, a constant input where a spread
  is needed, and ``bool`` where a number is meant (``True`` is an ``int`` to Python, but
  passing it as a learning rate or a count is always a mistake).
* Every message names the argument and says what was wrong.

Public functions call these at their boundary, then hand clean values to unchecked cores;
inner loops call the cores, so nothing is validated twice.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

_REAL_TYPES = (int, float, np.integer, np.floating)


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_bool(value: Any, name: str) -> bool:
    """A real ``bool`` (or NumPy bool); anything else, even ``"false"`` or ``0``, is a TypeError."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(
        f"{name} must be True or False, got {type(value).__name__} {_describe(value)}"
    )


def as_int(
    value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """A Python ``int`` in ``[minimum, maximum]``; floats (even ``3.0``) are a TypeError."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an integer, got the bool {value}")
    if not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__} {_describe(value)}"
        )
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def as_float(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: float | None = None,
) -> float:
    """A finite Python ``float``; ``minimum``/``maximum`` inclusive, ``above``/``below`` strict."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number, got the bool {value}")
    if not isinstance(value, _REAL_TYPES):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} {_describe(value)}"
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    if above is not None and value <= above:
        raise ValueError(f"{name} must be > {above}, got {value}")
    if below is not None and value >= below:
        raise ValueError(f"{name} must be < {below}, got {value}")
    return value


def as_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """One of the strings in ``choices``."""
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a str, one of {tuple(choices)}, got {type(value).__name__}"
        )
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def as_array(
    value: Any,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: Sequence[int | None] | None = None,
    dtype: Any = np.float64,
    kind: str = "real",
    finite: bool = True,
    nonempty: bool = True,
) -> np.ndarray:
    """A NumPy array of numbers, converted to ``dtype`` (``None`` keeps the input's dtype).

    ``kind`` is ``"real"`` (any real numbers: ints, floats; not bools, strings or objects),
    ``"float"`` (a floating array is required), ``"int"`` (integers required) or ``"uint8"``
    (raw 0..255 pixels: already scaled floats would be scaled twice).
    ``shape`` may hold ``None`` for a free axis. An empty array is a ValueError unless
    ``nonempty=False``; nan or inf is a ValueError unless ``finite=False``.
    """
    array = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if array.dtype == np.bool_:
        raise ValueError(f"{name} must hold numbers, got booleans")
    numeric = np.issubdtype(array.dtype, np.number) and not np.issubdtype(
        array.dtype, np.complexfloating
    )
    if not numeric:
        raise TypeError(
            f"{name} must be an array of real numbers, got dtype {array.dtype}"
        )
    if kind == "float" and not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            f"{name} must be a floating-point array, got dtype {array.dtype}"
        )
    if kind == "int" and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integers, got dtype {array.dtype}")
    if kind == "uint8" and array.dtype != np.uint8:
        raise TypeError(
            f"{name} must be a uint8 array of raw pixels, got dtype {array.dtype}"
        )
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{name} must be {want}-dimensional, got shape {array.shape}"
            )
    if shape is not None:
        want = tuple(shape)
        if array.ndim != len(want) or any(
            w is not None and w != s for w, s in zip(want, array.shape, strict=False)
        ):
            pretty = "(" + ", ".join("n" if w is None else str(w) for w in want) + ")"
            raise ValueError(f"{name} must have shape {pretty}, got {array.shape}")
    if nonempty and array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    floating = np.issubdtype(array.dtype, np.floating)
    if finite and floating and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains nan or inf")
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    return array


def as_labels(value: Any, name: str, *, num_classes: int | None = None) -> np.ndarray:
    """A non-empty 1-D array of class labels in ``[0, num_classes)``, of NumPy's index type
    (``np.intp``: int64 here, int32 in the browser's 32-bit Pyodide, where ``np.bincount``
    refuses int64)."""
    labels = as_array(value, name, ndim=1, dtype=np.intp, kind="int")
    if labels.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0, got {labels.min()}")
    if num_classes is not None and labels.max() >= num_classes:
        raise ValueError(
            f"{name} must hold labels in [0, {num_classes}), got {labels.max()}"
        )
    return labels


def same_length(**arrays: np.ndarray) -> None:
    """All arrays have the same first dimension; the message names them."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"{' and '.join(lengths)} must have the same length: {listed}")


def has_spread(array: np.ndarray, name: str) -> None:
    """At least two distinct values: a constant input cannot define a slope or a scale."""
    if np.max(array) == np.min(array):  # not ptp: max - min may overflow
        raise ValueError(f"{name} is constant; it needs at least two distinct values")


def as_ints(
    value: Any, name: str, *, minimum: int | None = None, min_length: int = 0
) -> tuple[int, ...]:
    """A list, tuple or 1-D array of ints (layer widths, sizes), each checked as ``name[i]``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(
            f"{name} must be a sequence of ints, got {type(value).__name__} {_describe(value)}"
        )
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {value.shape}")
    if len(value) < min_length:
        raise ValueError(
            f"{name} needs at least {min_length} entries, got {len(value)}"
        )
    return tuple(
        as_int(v, f"{name}[{i}]", minimum=minimum) for i, v in enumerate(value)
    )


def as_keras_model(value: Any, name: str = "model", *, compiled: bool = False) -> Any:
    """A ``keras.Model``; with ``compiled=True`` one that ``compile`` has been called on."""
    # no Keras imported yet: value cannot be a Keras model
    keras = sys.modules.get("keras")
    if keras is None or not isinstance(value, keras.Model):
        raise TypeError(f"{name} must be a keras.Model, got {type(value).__name__}")
    if compiled and not value.compiled:
        raise ValueError(f"{name} is not compiled: compile it before training")
    return value


def as_path(value: Any, name: str) -> Path:
    """A non-empty ``str`` or path-like as a ``Path``, ``~`` expanded (``""`` is not ``.``)."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be a file or folder path, got {type(value).__name__}"
        )
    if not os.fspath(value).strip():
        raise ValueError(f"{name} is an empty path")
    return Path(value).expanduser()


#: The environment variable whose integer is added to every seed a public function of the
#: package receives (default 0, the published book): ``scripts/check_seeds.py`` builds the
#: book under other seeds with it.
SEED_OFFSET_VARIABLE = "DLBOOK_SEED"


def seed_offset() -> int:
    """The offset ``DLBOOK_SEED`` adds to every seed: an int >= 0, 0 when it is not set."""
    raw = os.environ.get(SEED_OFFSET_VARIABLE, "").strip()
    if not raw:
        return 0
    try:
        offset = int(raw)
    except ValueError:
        raise ValueError(
            f"{SEED_OFFSET_VARIABLE} must be an integer >= 0, got {raw!r}"
        ) from None
    if offset < 0:
        raise ValueError(f"{SEED_OFFSET_VARIABLE} must be an integer >= 0, got {raw!r}")
    return offset


def as_seed(value: Any, name: str = "seed") -> int:
    """A seed for :func:`numpy.random.default_rng`: an int >= 0, plus :func:`seed_offset`.

    The one place where a seed a chapter passes becomes the seed a generator gets, so that
    ``DLBOOK_SEED`` moves every draw of the package at once; cores take the result as it is.
    """
    return as_int(value, name, minimum=0) + seed_offset()
