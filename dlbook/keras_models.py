"""Keras models of the book and a seeded training helper that returns plain data."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from dlbook import _checks
from dlbook.progress import keras_verbosity
from dlbook.repro import import_tensorflow, seed_everything

__all__ = [
    "JIT_COMPILE",
    "LOSSES",
    "SOURCE_HIDDEN_UNITS",
    "STEPS_PER_EXECUTION",
    "build_dense_network",
    "compile_classifier",
    "dense_parameter_count",
    "optimizer_variable_count",
    "predict_probabilities",
    "summary_param_counts",
    "summary_text",
    "train_model",
    "training_settings",
]

#: Rows :func:`predict_probabilities` hands to Keras at a time (a multiple of its batch size).
_PREDICT_CHUNK_ROWS = 10_000

#: Hidden layer widths of the source project's MNIST network (its README: 3 x 128 ReLU).
SOURCE_HIDDEN_UNITS: tuple[int, ...] = (128, 128, 128)

#: Training steps Keras runs per call from Python into its compiled graph, for every model
#: the book compiles: the same updates in the same order as one step per call, without
#: Keras's per-call overhead (``bench/keras_settings.py`` measures it and the alternatives).
STEPS_PER_EXECUTION = 100

#: Whether Keras compiles the training step with XLA (``jit_compile``); see the benchmark.
JIT_COMPILE = False

#: The losses :func:`compile_classifier` accepts: one-hot rows, or integer labels.
LOSSES = ("categorical_crossentropy", "sparse_categorical_crossentropy")


def _build_dense_network(
    hidden_units, input_dim, num_classes, activation, dropout, name
):
    import keras

    layers = [keras.Input(shape=(input_dim,))]
    for i, width in enumerate(hidden_units, start=1):
        layers.append(
            keras.layers.Dense(width, activation=activation, name=f"hidden_{i}")
        )
        if dropout > 0:  # randomly silence a share of the units while training
            layers.append(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
    layers.append(keras.layers.Dense(num_classes, activation="softmax", name="output"))
    return keras.Sequential(layers, name=name)


def _compile_classifier(model, learning_rate, loss, steps_per_execution):
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        # "categorical_crossentropy" reads one-hot rows, the sparse one labels
        loss=loss,
        metrics=["accuracy"],
        # training steps per call from Python into the compiled graph
        steps_per_execution=steps_per_execution,
        jit_compile=JIT_COMPILE,
    )
    return model


def _epoch_timer(seconds: list[float]) -> Any:
    """A Keras callback that appends the wall time of each epoch to ``seconds``."""
    import keras

    started: list[float] = []
    return keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: started.append(time.perf_counter()),
        on_epoch_end=lambda epoch, logs: seconds.append(
            time.perf_counter() - started[-1]
        ),
    )


def _train_model(
    model, x_train, y_train, epochs, batch_size, seed, validation_data, callbacks
):
    seed_everything(seed)  # the same seed gives the same shuffles and dropout masks
    seconds = []  # the wall time of each epoch, filled in by the timer
    history = model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        callbacks=[_epoch_timer(seconds), *callbacks],
        shuffle=True,
        verbose=keras_verbosity(),  # a line per epoch in JupyterLab, none in the book
    )
    result = {
        key: [float(v) for v in values] for key, values in history.history.items()
    }
    return {**result, "epoch_seconds": seconds}


def _dense_parameter_count(layer_sizes):
    # A dense layer from n_in to n_out units:
    # an n_in x n_out weight matrix and n_out biases.
    return sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(layer_sizes))


def _loss_name(model: Any) -> str | None:
    return (
        model.loss if isinstance(model.loss, str) else getattr(model.loss, "name", None)
    )


def _model_inputs(model: Any, x: Any, name: str) -> np.ndarray:
    """``x`` as a finite array whose rows have the shape the model reads."""
    x = _checks.as_array(x, name, ndim=len(model.input_shape), dtype=None)
    row_shape = tuple(model.input_shape[1:])
    if x.shape[1:] != row_shape:
        raise ValueError(
            f"{name} has rows of shape {x.shape[1:]}, the model reads {row_shape}"
        )
    return x


def _model_targets(model: Any, y: Any, name: str) -> np.ndarray:
    """``y`` as the targets the model's loss expects: one-hot rows or integer labels."""
    outputs = model.output_shape[-1]
    if _loss_name(model) == "sparse_categorical_crossentropy":
        return _checks.as_labels(y, name, num_classes=outputs)
    y = _checks.as_array(y, name, dtype=None)
    if _loss_name(model) == "categorical_crossentropy" and (
        y.shape[1:] != (outputs,)
        or y.min() < 0
        or np.abs(y.sum(axis=1) - 1).max() > 1e-3
    ):
        raise ValueError(
            f"{name} must hold one-hot rows of length {outputs} (the model's categorical "
            f"cross-entropy), got shape {y.shape}; one_hot turns labels into such rows"
        )
    return y


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
    TypeError
        If a width, ``input_dim`` or ``num_classes`` is not an int, ``dropout`` not a
        number, or ``activation`` or ``name`` not a str.
    ValueError
        If a width or ``input_dim`` is < 1, ``num_classes`` < 2, ``dropout`` is outside
        [0, 1), or ``activation`` is not a Keras activation.
    """
    hidden_units = _checks.as_ints(hidden_units, "hidden_units", minimum=1)
    input_dim = _checks.as_int(input_dim, "input_dim", minimum=1)
    num_classes = _checks.as_int(num_classes, "num_classes", minimum=2)
    dropout = _checks.as_float(dropout, "dropout", minimum=0.0, below=1.0)
    for arg, value in (("activation", activation), ("name", name)):
        if not isinstance(value, str):
            raise TypeError(f"{arg} must be a str, got {type(value).__name__}")
    import_tensorflow()
    import keras

    try:
        keras.activations.get(activation)
    except ValueError as err:
        raise ValueError(
            f"activation {activation!r} is not a Keras activation"
        ) from err
    return _build_dense_network(
        hidden_units, input_dim, num_classes, activation, dropout, name
    )


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
    TypeError
        If ``model`` is not a Keras model, an array does not hold real numbers, a count or
        the seed is not an int, or ``validation_data`` is not a pair or ``callbacks`` not
        a sequence of Keras callbacks.
    ValueError
        If ``model`` is not compiled; ``epochs`` or ``batch_size`` < 1; an array is empty,
        holds nan or inf, or does not fit the model (input shape; one-hot rows for
        categorical cross-entropy, labels in range for the sparse one); the lengths differ.
    """
    model = _checks.as_keras_model(model, compiled=True)
    x_train = _model_inputs(model, x_train, "x_train")
    y_train = _model_targets(model, y_train, "y_train")
    _checks.same_length(x_train=x_train, y_train=y_train)
    epochs = _checks.as_int(epochs, "epochs", minimum=1)
    batch_size = _checks.as_int(batch_size, "batch_size", minimum=1)
    # checked as it is: seed_everything adds DLBOOK_SEED's offset
    seed = _checks.as_int(seed, "seed", minimum=0)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError("validation_data must be a pair (x, y) of arrays")
        x_val = _model_inputs(model, validation_data[0], "validation_data[0]")
        y_val = _model_targets(model, validation_data[1], "validation_data[1]")
        _checks.same_length(
            **{"validation_data[0]": x_val, "validation_data[1]": y_val}
        )
        validation_data = (x_val, y_val)
    import keras

    if isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Sequence):
        raise TypeError(
            f"callbacks must be a sequence of callbacks, got {type(callbacks).__name__}"
        )
    for i, callback in enumerate(callbacks):
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(
                f"callbacks[{i}] must be a keras Callback, got {type(callback).__name__}"
            )
    return _train_model(
        model,
        x_train,
        y_train,
        epochs,
        batch_size,
        seed,
        validation_data,
        list(callbacks),
    )


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
    TypeError
        If ``layer_sizes`` is not a sequence of ints.
    ValueError
        If fewer than two sizes are given or a size is < 1.

    Examples
    --------
    >>> dense_parameter_count((784, 128, 128, 128, 10))
    134794
    """
    return _dense_parameter_count(
        _checks.as_ints(layer_sizes, "layer_sizes", minimum=1, min_length=2)
    )


def compile_classifier(
    model: Any,
    learning_rate: Any = 1e-3,
    *,
    loss: str = "categorical_crossentropy",
    steps_per_execution: int = STEPS_PER_EXECUTION,
) -> Any:
    """Compile a softmax classifier as the source does: Adam, categorical cross-entropy.

    Every Keras model the book trains is compiled here, so that all of them run with
    the settings of :func:`training_settings`.

    Parameters
    ----------
    model : keras.Model
        A model with softmax outputs, trained on one-hot targets.
    learning_rate : float or keras.optimizers.schedules.LearningRateSchedule, default 1e-3
        Adam's step size (1e-3 is Keras's default, the source's setting) or a schedule.
    loss : str, default "categorical_crossentropy"
        One of :data:`LOSSES`: ``"categorical_crossentropy"`` for one-hot targets (the
        source's), ``"sparse_categorical_crossentropy"`` for integer labels.
    steps_per_execution : int, default STEPS_PER_EXECUTION
        Training steps Keras runs per call from Python into its compiled graph. Larger
        values give the same updates in the same order with fewer round trips, which
        speeds up small batches; progress callbacks then fire every that many steps.

    Returns
    -------
    keras.Model
        The same model, compiled with an ``accuracy`` metric.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model, ``learning_rate`` neither a number nor a
        schedule, or ``steps_per_execution`` not an int.
    ValueError
        If a numeric ``learning_rate`` is not a finite number > 0, ``loss`` is not one of
        :data:`LOSSES` or ``steps_per_execution`` < 1.
    """
    model = _checks.as_keras_model(model)
    loss = _checks.as_choice(loss, "loss", LOSSES)
    steps_per_execution = _checks.as_int(
        steps_per_execution, "steps_per_execution", minimum=1
    )
    import keras

    if not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        learning_rate = _checks.as_float(learning_rate, "learning_rate", above=0.0)
    return _compile_classifier(model, learning_rate, loss, steps_per_execution)


def training_settings() -> dict[str, str]:
    """The settings every Keras model of the book trains with, as the report prints them.

    Returns
    -------
    dict of str to str
        Keras's backend, whether oneDNN's kernels and XLA are on, the training steps per
        call (:data:`STEPS_PER_EXECUTION`) and TensorFlow's thread pools.
    """
    tf = import_tensorflow()
    import keras

    def threads(n: int) -> str:
        return str(n) if n else f"TensorFlow's default ({os.cpu_count()} cores)"

    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1") not in ("0", "false", "False")
    return {
        "Keras backend": keras.backend.backend(),
        "oneDNN kernels (TF_ENABLE_ONEDNN_OPTS)": "on" if onednn else "off",
        "XLA (jit_compile)": "on" if JIT_COMPILE else "off",
        "training steps per call (steps_per_execution)": str(STEPS_PER_EXECUTION),
        "intra-op threads": threads(
            tf.config.threading.get_intra_op_parallelism_threads()
        ),
        "inter-op threads": threads(
            tf.config.threading.get_inter_op_parallelism_threads()
        ),
        "deterministic ops": "on (dlbook.repro.seed_everything)",
    }


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
    TypeError
        If ``model`` is not a Keras model.
    ValueError
        If the model has no optimizer or the optimizer is not built yet.
    """
    optimizer = getattr(_checks.as_keras_model(model), "optimizer", None)
    if optimizer is None:
        raise ValueError("model has no optimizer: compile it first")
    if not getattr(optimizer, "built", False):
        raise ValueError(
            "model's optimizer is not built: fit the model or build the optimizer"
        )
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

    Raises
    ------
    TypeError
        If ``model`` is not a Keras model.
    """
    model = _checks.as_keras_model(model)
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
    TypeError
        If ``text`` is not a str.
    ValueError
        If ``text`` has no ``Total params`` line.
    """
    if not isinstance(text, str):
        raise TypeError(
            f"text must be a str (a Keras summary), got {type(text).__name__}"
        )
    counts = {
        kind: int(number.replace(",", ""))
        for kind, number in re.findall(r"([A-Za-z-]+) params: ([\d,]+)", text)
    }
    if "Total" not in counts:
        raise ValueError("text holds no 'Total params' line: is it a Keras summary?")
    return counts


def predict_probabilities(
    model: Any, x: np.ndarray, *, batch_size: int = 1000
) -> np.ndarray:
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
    TypeError
        If ``model`` is not a Keras model, ``x`` does not hold real numbers or
        ``batch_size`` is not an int.
    ValueError
        If ``x`` is empty, holds nan or inf, or its rows do not have the shape the model
        reads; or ``batch_size`` < 1.
    """
    model = _checks.as_keras_model(model)
    x = _model_inputs(model, x, "x")
    batch_size = _checks.as_int(batch_size, "batch_size", minimum=1)
    # Every new model traces its own prediction graph; after five models TensorFlow logs a
    # "retracing" warning meant for a function re-traced by mistake. Here it is expected.
    logger = import_tensorflow().get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    # Keras copies its whole input into a tensor first: predict a slice at a time, so that
    # scoring 60,000 images costs tens of megabytes, not hundreds (a Binder kernel has 2 GB).
    chunk = batch_size * max(1, _PREDICT_CHUNK_ROWS // batch_size)
    try:
        parts = [
            np.asarray(
                model.predict(x[i : i + chunk], batch_size=batch_size, verbose=0)
            )
            for i in range(0, len(x), chunk)
        ]
    finally:
        logger.setLevel(level)
    return np.concatenate(parts).astype(np.float32, copy=False)
