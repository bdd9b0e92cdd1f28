"""Tests of dlbook.keras_models: parameter counts, shapes, a short run, determinism, errors."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook.keras_models import (
    SOURCE_HIDDEN_UNITS,
    build_dense_network,
    compile_classifier,
    dense_parameter_count,
    optimizer_variable_count,
    predict_probabilities,
    summary_param_counts,
    summary_text,
    train_model,
)
from dlbook.repro import seed_everything


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
    acc = float(np.mean(predict_probabilities(model, x_val).argmax(axis=1) == y_val))
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


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hidden_units": (128, 0)},
        {"hidden_units": (128.0,)},
        {"input_dim": 0},
        {"num_classes": -1},
        {"dropout": 1.0},
        {"dropout": -0.1},
    ],
)
def test_build_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs)).split("_units")[0]):
        build_dense_network(**kwargs)


def test_train_rejects_bad_arguments():
    model = compile_classifier(build_dense_network((4,), input_dim=3, num_classes=2))
    x = np.zeros((4, 3), np.float32)
    y = np.zeros((4, 2), np.float32)
    with pytest.raises(ValueError, match="epochs"):
        train_model(model, x, y, epochs=0, batch_size=2, seed=0)
    with pytest.raises(ValueError, match="batch_size"):
        train_model(model, x, y, epochs=1, batch_size=0, seed=0)
    with pytest.raises(ValueError, match="equally long"):
        train_model(model, x, y[:3], epochs=1, batch_size=2, seed=0)


def test_helpers_reject_bad_input():
    with pytest.raises(ValueError, match="layer_sizes"):
        dense_parameter_count((784,))
    with pytest.raises(ValueError, match=r"layer_sizes\[1\]"):
        dense_parameter_count((784, 0, 10))
    with pytest.raises(ValueError, match="learning_rate"):
        compile_classifier(build_dense_network((4,)), learning_rate=0.0)
    with pytest.raises(ValueError, match="compile"):
        optimizer_variable_count(build_dense_network((4,)))
    with pytest.raises(ValueError, match="not built"):
        optimizer_variable_count(compile_classifier(build_dense_network((4,))))
    with pytest.raises(ValueError, match="Total params"):
        summary_param_counts("no summary here")
    with pytest.raises(ValueError, match="x must be"):
        predict_probabilities(build_dense_network((4,)), np.zeros((0, 784), np.float32))
