"""Tests of dlbook.keras_models: parameter counts, shapes, a short run, determinism, errors."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from badinput import NAN, Spec, bad_input_tests

from dlbook.evaluation import accuracy, predicted_labels
from dlbook.keras_models import (
    JIT_COMPILE,
    SOURCE_HIDDEN_UNITS,
    STEPS_PER_EXECUTION,
    build_dense_network,
    compile_classifier,
    dense_parameter_count,
    optimizer_variable_count,
    predict_probabilities,
    summary_param_counts,
    summary_text,
    train_model,
    training_settings,
)
from dlbook.repro import seed_everything

# Tiny models (3 inputs, 2 classes), built once and only when a test needs them.
X = np.linspace(0, 1, 12, dtype=np.float32).reshape(4, 3)
Y = np.eye(2, dtype=np.float32)[[0, 1, 1, 0]]


@functools.cache
def _compiled_model():
    return compile_classifier(build_dense_network((4,), input_dim=3, num_classes=2))


@functools.cache
def _built_optimizer_model():
    model = compile_classifier(build_dense_network((4,), input_dim=3, num_classes=2))
    model.optimizer.build(model.trainable_variables)
    return model


def _train_kwargs():
    return {"model": _compiled_model(), "x_train": X, "y_train": Y, "epochs": 1,
            "batch_size": 2, "seed": 0}  # fmt: skip


INPUT_CASES = [
    ("{x}-nan", np.array([[0.0, NAN, 1.0]] * 4), ValueError),
    ("{x}-inf", np.full((4, 3), np.inf), ValueError),
    ("{x}-width", np.zeros((4, 5)), ValueError),
    ("{x}-1-D", np.zeros(3), ValueError),
    ("{x}-str", "abc", TypeError),
    ("{x}-empty", np.zeros((0, 3)), ValueError),
]


def _input_cases(name):
    return [(label.format(x=name), {name: bad}, exc, name) for label, bad, exc in INPUT_CASES]


BAD_INPUT = [
    Spec(
        build_dense_network,
        {"hidden_units": (4,), "input_dim": 3, "num_classes": 2},
        {"input_dim": "count", "num_classes": "count", "dropout": "fraction"},
        extra=[
            ("hidden_units-int", {"hidden_units": 128}, TypeError, "hidden_units"),
            ("hidden_units-str", {"hidden_units": "128"}, TypeError, "hidden_units"),
            ("hidden_units-zero", {"hidden_units": (4, 0)}, ValueError, "hidden_units"),
            ("hidden_units-float", {"hidden_units": (4.0,)}, TypeError, "hidden_units"),
            ("hidden_units-bool", {"hidden_units": (True,)}, ValueError, "hidden_units"),
            ("one-class", {"num_classes": 1}, ValueError, "num_classes"),
            ("activation-int", {"activation": 3}, TypeError, "activation"),
            ("activation-unknown", {"activation": "relux"}, ValueError, "activation"),
            ("name-int", {"name": 3}, TypeError, "name"),
        ],
    ),
    Spec(
        train_model,
        kinds={"epochs": "count", "batch_size": "count", "seed": "natural"},
        make_kwargs=_train_kwargs,
        extra=[
            ("model-str", {"model": "model"}, TypeError, "model"),
            *_input_cases("x_train"),
            ("y_train-labels", {"y_train": np.array([0, 1, 1, 0])}, ValueError, "y_train"),
            ("y_train-not-one-hot", {"y_train": 2 * Y}, ValueError, "y_train"),
            ("y_train-negative", {"y_train": Y - 0.5}, ValueError, "y_train"),
            ("y_train-nan", {"y_train": np.full((4, 2), NAN)}, ValueError, "y_train"),
            ("lengths-differ", {"y_train": Y[:3]}, ValueError, "y_train"),
            ("validation_data-array", {"validation_data": X}, TypeError, "validation_data"),
            (
                "validation_data-nan",
                {"validation_data": (np.full((4, 3), NAN), Y)},
                ValueError,
                "validation_data",
            ),
            (
                "validation_data-lengths",
                {"validation_data": (X, Y[:3])},
                ValueError,
                "validation_data",
            ),
            ("callbacks-one", {"callbacks": object()}, TypeError, "callbacks"),
            ("callbacks-entry", {"callbacks": [1]}, TypeError, "callbacks"),
        ],
    ),
    Spec(
        dense_parameter_count,
        {"layer_sizes": (784, 128, 10)},
        extra=[
            ("layer_sizes-int", {"layer_sizes": 784}, TypeError, "layer_sizes"),
            ("layer_sizes-str", {"layer_sizes": "784"}, TypeError, "layer_sizes"),
            ("layer_sizes-one", {"layer_sizes": (784,)}, ValueError, "layer_sizes"),
            ("layer_sizes-zero", {"layer_sizes": (784, 0, 10)}, ValueError, "layer_sizes"),
            ("layer_sizes-float", {"layer_sizes": (784, 2.5)}, TypeError, "layer_sizes"),
            ("layer_sizes-bool", {"layer_sizes": (784, True)}, ValueError, "layer_sizes"),
            ("layer_sizes-2-D", {"layer_sizes": np.ones((2, 2), int)}, ValueError, "layer_sizes"),
        ],
    ),
    Spec(
        compile_classifier,
        kinds={"learning_rate": "positive", "steps_per_execution": "count"},
        make_kwargs=lambda: {
            "model": build_dense_network((4,), input_dim=3, num_classes=2),
            "learning_rate": 1e-3,
            "steps_per_execution": 2,
        },
        extra=[
            ("model-str", {"model": "model"}, TypeError, "model"),
            ("loss-int", {"loss": 3}, TypeError, "loss"),
            ("loss-unknown", {"loss": "mse"}, ValueError, "loss"),
        ],
    ),
    Spec(
        optimizer_variable_count,
        make_kwargs=lambda: {"model": _built_optimizer_model()},
        extra=[("model-none", {"model": None}, TypeError, "model")],
    ),
    Spec(
        summary_text,
        make_kwargs=lambda: {"model": _compiled_model()},
        extra=[("model-str", {"model": "model"}, TypeError, "model")],
    ),
    Spec(
        summary_param_counts,
        {"text": "Total params: 1,234 (4.82 KB)"},
        extra=[
            ("text-int", {"text": 1234}, TypeError, "text"),
            ("text-no-summary", {"text": "no summary here"}, ValueError, "text"),
        ],
    ),
    Spec(
        predict_probabilities,
        kinds={"batch_size": "count"},
        make_kwargs=lambda: {"model": _compiled_model(), "x": X, "batch_size": 2},
        extra=[("model-str", {"model": "model"}, TypeError, "model"), *_input_cases("x")],
    ),
]


BAD_INPUT_EXEMPT = {"training_settings": "takes no argument"}
test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


@pytest.fixture(scope="module")
def mnist_small():
    from dlbook.data import load_mnist
    from dlbook.preprocess import prepare_dense_inputs

    (x_train, y_train), (x_test, y_test) = load_mnist()
    x, y = prepare_dense_inputs(x_train[:3000], y_train[:3000])
    x_val, _ = prepare_dense_inputs(x_test[:1000], y_test[:1000])
    return x, y, x_val, y_test[:1000].astype(np.int64)


def test_source_network_has_134794_parameters():
    model = build_dense_network(SOURCE_HIDDEN_UNITS)
    assert model.count_params() == 134_794
    assert dense_parameter_count((784, *SOURCE_HIDDEN_UNITS, 10)) == 134_794
    assert [layer.count_params() for layer in model.layers] == [100_480, 16_512, 16_512, 1_290]


def test_128_64_network_has_109386_parameters():
    model = build_dense_network((128, 64))
    assert model.count_params() == 109_386 == dense_parameter_count((784, 128, 64, 10))


def test_dropout_adds_no_parameters():
    assert build_dense_network(dropout=0.2).count_params() == 134_794


def test_output_shapes_and_probabilities():
    seed_everything(0)
    model = build_dense_network((16,), num_classes=10)
    assert model.output_shape == (None, 10)
    x = np.random.default_rng(0).random((7, 784), dtype=np.float32)
    probs = predict_probabilities(model, x, batch_size=3)
    assert probs.shape == (7, 10)
    assert probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_predicting_a_slice_at_a_time_changes_nothing(monkeypatch):
    from dlbook import keras_models

    seed_everything(0)
    model = build_dense_network((16,), num_classes=10)
    x = np.random.default_rng(1).random((23, 784), dtype=np.float32)
    whole = np.asarray(model.predict(x, batch_size=4, verbose=0))
    monkeypatch.setattr(keras_models, "_PREDICT_CHUNK_ROWS", 9)  # slices of 8 rows: 2 batches
    np.testing.assert_array_equal(predict_probabilities(model, x, batch_size=4), whole)


def test_summary_counts_optimizer_variables():
    """Keras 3's 'Total params' includes Adam's two slots per weight and two scalars."""
    model = compile_classifier(build_dense_network((128, 64)))
    model.optimizer.build(model.trainable_variables)
    counts = summary_param_counts(summary_text(model))
    assert counts["Trainable"] == 109_386
    assert optimizer_variable_count(model) == 2 * 109_386 + 2
    assert counts["Optimizer"] == 218_774
    assert counts["Total"] == 328_160


def test_short_run_far_above_chance(mnist_small):
    x, y, x_val, y_val = mnist_small
    seed_everything(1)
    model = compile_classifier(build_dense_network())
    history = train_model(model, x, y, epochs=1, batch_size=32, seed=1)
    assert set(history) >= {"loss", "accuracy", "epoch_seconds"}
    assert len(history["accuracy"]) == len(history["epoch_seconds"]) == 1
    acc = accuracy(y_val, predicted_labels(predict_probabilities(model, x_val)))
    assert acc > 0.8  # chance is 0.1


def _short_run_weights(x, y, seed):
    seed_everything(seed)
    model = compile_classifier(build_dense_network((32, 32)))
    train_model(model, x[:1000], y[:1000], epochs=1, batch_size=50, seed=seed)
    return [w.copy() for w in model.get_weights()]


def test_same_seed_gives_identical_weights(mnist_small):
    x, y, _, _ = mnist_small
    first = _short_run_weights(x, y, seed=3)
    second = _short_run_weights(x, y, seed=3)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    other = _short_run_weights(x, y, seed=4)
    assert not np.array_equal(first[0], other[0])


def test_steps_per_execution_gives_the_same_updates(mnist_small):
    x, y, _, _ = mnist_small
    weights = []
    for steps in (1, 7):  # 7 does not divide the 50 steps: the last call runs fewer
        seed_everything(5)
        model = compile_classifier(build_dense_network((16,)), steps_per_execution=steps)
        train_model(model, x[:1000], y[:1000], epochs=1, batch_size=20, seed=5)
        weights.append(model.get_weights())
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_train_model_refuses_nan_inputs():
    """The issue's example: Keras would train on nan and report a nan loss."""
    x = X.copy()
    x[1, 1] = np.nan
    with pytest.raises(ValueError, match="x_train contains nan"):
        train_model(_compiled_model(), x, Y, epochs=1, batch_size=2, seed=0)


def test_train_model_needs_a_compiled_model():
    model = build_dense_network((4,), input_dim=3, num_classes=2)
    with pytest.raises(ValueError, match="model is not compiled"):
        train_model(model, X, Y, epochs=1, batch_size=2, seed=0)


def test_train_model_with_sparse_labels_checks_their_range():
    """A model compiled with sparse cross-entropy trains on integer labels, in range only."""
    import keras

    model = build_dense_network((4,), input_dim=3, num_classes=2)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    labels = np.array([0, 1, 1, 0], dtype=np.uint8)
    history = train_model(model, X, labels, epochs=2, batch_size=2, seed=0)
    assert len(history["loss"]) == len(history["epoch_seconds"]) == 2
    with pytest.raises(ValueError, match="y_train must hold labels in"):
        train_model(model, X, np.array([0, 1, 2, 0]), epochs=1, batch_size=2, seed=0)


def test_compile_classifier_accepts_a_schedule():
    import keras

    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=10)
    model = compile_classifier(build_dense_network((4,), input_dim=3), learning_rate=schedule)
    assert model.compiled


def test_optimizer_count_needs_a_built_optimizer():
    with pytest.raises(ValueError, match="compile"):
        optimizer_variable_count(build_dense_network((4,)))
    with pytest.raises(ValueError, match="not built"):
        optimizer_variable_count(compile_classifier(build_dense_network((4,))))


def test_every_model_compiles_with_the_books_training_settings():
    model = compile_classifier(build_dense_network((4,), input_dim=3, num_classes=2))
    assert model.steps_per_execution == STEPS_PER_EXECUTION
    assert bool(model.jit_compile) == JIT_COMPILE
    settings = training_settings()
    assert settings["Keras backend"] == "tensorflow"
    assert settings["training steps per call (steps_per_execution)"] == str(STEPS_PER_EXECUTION)
    assert settings["XLA (jit_compile)"] == ("on" if JIT_COMPILE else "off")
    assert settings["oneDNN kernels (TF_ENABLE_ONEDNN_OPTS)"] == "on"


def test_compile_classifier_takes_integer_labels_with_the_sparse_loss():
    x = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.arange(40) % 2
    model = compile_classifier(
        build_dense_network((4,), input_dim=3, num_classes=2),
        loss="sparse_categorical_crossentropy",
    )
    history = train_model(model, x, y, epochs=1, batch_size=8, seed=0)
    assert np.isfinite(history["loss"][0])
