"""Keras models of the book and a seeded training helper that returns plain data."""

from __future__ import annotations

import contextlib
import itertools
import re
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from dlbook.repro import import_tensorflow, seed_everything

__all__ = [
    "SOURCE_HIDDEN_UNITS",
    "build_dense_network",
    "compile_classifier",
    "dense_parameter_count",
    "optimizer_variable_count",
    "predict_probabilities",
    "summary_param_counts",
    "summary_text",
    "train_model",
]

#: Hidden layer widths of the source project's MNIST network (its README: 3 x 128 ReLU).
SOURCE_HIDDEN_UNITS: tuple[int, ...] = (128, 128, 128)


def build_dense_network(
    hidden_units: Sequence[int] = (128, 128, 128),
    *,
    input_dim: int = 784,
    num_classes: int = 10,
    activation: str = "relu",
    dropout: float = 0.0,
    name: str = "dense_network",
) -> Any:
    """Build a fully connected classifier: dense hidden layers, softmax output.

    With the defaults this is the source project's network: 784 inputs, three
    hidden layers of 128 ReLU units, 10 softmax outputs (134,794 parameters).

    Parameters
    ----------
    hidden_units : sequence of int, default (128, 128, 128)
        Width of each hidden layer, each >= 1.
    input_dim : int, default 784
        Length of one flattened input.
    num_classes : int, default 10
        Number of softmax outputs.
    activation : str, default "relu"
        Keras activation of the hidden layers.
    dropout : float, default 0.0
        Dropout rate after each hidden layer, in [0, 1). 0 adds no dropout layer.
    name : str, default "dense_network"
        Model name.

    Returns
    -------
    keras.Model
        An uncompiled ``keras.Sequential`` model.

    Raises
    ------
    ValueError
        If a width, ``input_dim`` or ``num_classes`` is < 1, or ``dropout`` is outside [0, 1).
    """
    import_tensorflow()
    import keras

    units = list(hidden_units)
    for arg, value in [("input_dim", input_dim), ("num_classes", num_classes)] + [
        (f"hidden_units[{i}]", u) for i, u in enumerate(units)
    ]:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{arg} must be a positive int, got {value!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must lie in [0, 1), got {dropout!r}")
    layers: list[Any] = [keras.Input(shape=(input_dim,))]
    for i, width in enumerate(units, start=1):
        layers.append(keras.layers.Dense(int(width), activation=activation, name=f"hidden_{i}"))
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    layers.append(keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return keras.Sequential(layers, name=name)


def train_model(
    model: Any,
    x_train: np.ndarray,
    y_train: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    seed: int,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    callbacks: Sequence[Any] = (),
) -> dict[str, list[float]]:
    """Fit a compiled Keras model with a fixed seed; return its history as plain lists.

    Parameters
    ----------
    model : keras.Model
        A compiled model.
    x_train, y_train : numpy.ndarray
        Training inputs and targets with the same first dimension.
    epochs : int
        Number of passes over the data, >= 1.
    batch_size : int
        Mini-batch size, >= 1.
    seed : int
        Seed for shuffling and dropout (see :func:`dlbook.repro.seed_everything`).
    validation_data : tuple of numpy.ndarray, optional
        ``(x, y)`` evaluated after each epoch (the ``val_*`` keys).
    callbacks : sequence of keras.callbacks.Callback, optional
        Extra callbacks, e.g. a learning-rate schedule.

    Returns
    -------
    dict of str to list of float
        One value per epoch for each metric Keras reports (``loss``, ``accuracy``,
        ``val_loss``, ...) plus ``epoch_seconds``, the wall time of each epoch.

    Raises
    ------
    ValueError
        If ``epochs`` or ``batch_size`` < 1, the arrays are empty, or their lengths differ.
    """
    import keras

    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if len(x_train) == 0 or len(x_train) != len(y_train):
        raise ValueError(
            f"x_train and y_train must be non-empty and equally long, got {len(x_train)} "
            f"and {len(y_train)}"
        )
    seed_everything(seed)
    seconds: list[float] = []

    class _EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self._start)

    history = model.fit(
        x_train,
        y_train,
        epochs=int(epochs),
        batch_size=int(batch_size),
        validation_data=validation_data,
        callbacks=[_EpochTimer(), *callbacks],
        shuffle=True,
        verbose=0,
    )
    result = {key: [float(v) for v in values] for key, values in history.history.items()}
    result["epoch_seconds"] = seconds
    return result


def dense_parameter_count(layer_sizes: Sequence[int]) -> int:
    r"""Count the weights and biases of a chain of dense layers, by hand.

    A dense layer from :math:`n_{in}` to :math:`n_{out}` units holds an
    :math:`n_{in} \times n_{out}` weight matrix and :math:`n_{out}` biases.

    Parameters
    ----------
    layer_sizes : sequence of int
        Widths from input to output, e.g. ``(784, 128, 128, 128, 10)``; at least two, each >= 1.

    Returns
    -------
    int
        :math:`\sum_l (n_{l-1} + 1)\, n_l`.

    Raises
    ------
    ValueError
        If fewer than two sizes are given or a size is not a positive int.

    Examples
    --------
    >>> dense_parameter_count((784, 128, 128, 128, 10))
    134794
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least two sizes, got {sizes!r}")
    for i, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"layer_sizes[{i}] must be a positive int, got {size!r}")
    return int(sum((int(n_in) + 1) * int(n_out) for n_in, n_out in itertools.pairwise(sizes)))


def compile_classifier(model: Any, learning_rate: Any = 1e-3) -> Any:
    """Compile a softmax classifier as the source does: Adam, categorical cross-entropy.

    Parameters
    ----------
    model : keras.Model
        A model with softmax outputs, trained on one-hot targets.
    learning_rate : float or keras.optimizers.schedules.LearningRateSchedule, default 1e-3
        Adam's step size (1e-3 is Keras's default, the source's setting) or a schedule.

    Returns
    -------
    keras.Model
        The same model, compiled with an ``accuracy`` metric.

    Raises
    ------
    ValueError
        If a numeric ``learning_rate`` is not positive.
    """
    import keras

    if isinstance(learning_rate, (int, float, np.floating)) and not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def optimizer_variable_count(model: Any) -> int:
    """Count the scalars the model's optimizer stores (slots, step counter, learning rate).

    Parameters
    ----------
    model : keras.Model
        A compiled model whose optimizer is built (after ``fit``, or after
        ``model.optimizer.build(model.trainable_variables)``).

    Returns
    -------
    int
        Sum of the sizes of ``model.optimizer.variables``.

    Raises
    ------
    ValueError
        If the model has no optimizer or the optimizer is not built yet.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("model has no optimizer: compile it first")
    if not getattr(optimizer, "built", False):
        raise ValueError("model's optimizer is not built: fit the model or build the optimizer")
    return int(sum(int(np.prod(v.shape)) for v in optimizer.variables))


def summary_text(model: Any) -> str:
    """Return what ``model.summary()`` prints, as one string.

    Parameters
    ----------
    model : keras.Model
        A built model.

    Returns
    -------
    str
        The summary table with its ``Total params`` / ``Trainable params`` lines.
    """
    lines: list[str] = []
    try:  # In a notebook, rich (Keras's table printer) also emits an empty display; swallow it.
        from IPython.utils.capture import capture_output
    except ImportError:  # pragma: no cover - IPython is absent outside notebooks
        capture_output = contextlib.nullcontext
    with capture_output():
        model.summary(print_fn=lambda text, line_break=True: lines.append(text))
    return "\n".join(line.rstrip("\n") for line in lines)


def summary_param_counts(text: str) -> dict[str, int]:
    """Read the parameter counts out of a Keras 3 summary.

    Parameters
    ----------
    text : str
        Output of :func:`summary_text`.

    Returns
    -------
    dict of str to int
        ``{"Total": ..., "Trainable": ..., "Non-trainable": ..., "Optimizer": ...}``;
        ``Optimizer`` is present only once the optimizer is built.

    Raises
    ------
    ValueError
        If ``text`` has no ``Total params`` line.
    """
    counts = {
        kind: int(number.replace(",", ""))
        for kind, number in re.findall(r"([A-Za-z-]+) params: ([\d,]+)", text)
    }
    if "Total" not in counts:
        raise ValueError("text holds no 'Total params' line: is it a Keras summary?")
    return counts


def predict_probabilities(model: Any, x: np.ndarray, *, batch_size: int = 1000) -> np.ndarray:
    """Class probabilities of a trained classifier, as a float32 NumPy array.

    Parameters
    ----------
    model : keras.Model
        A trained softmax classifier.
    x : numpy.ndarray
        Inputs, first dimension n >= 1.
    batch_size : int, default 1000
        Rows per forward pass (does not change the result).

    Returns
    -------
    numpy.ndarray
        Shape (n, num_classes), rows summing to 1.

    Raises
    ------
    ValueError
        If ``x`` is empty or ``batch_size`` < 1.
    """
    x = np.asarray(x)
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty batch of inputs, got shape {x.shape}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    return np.asarray(model.predict(x, batch_size=int(batch_size), verbose=0), dtype=np.float32)
