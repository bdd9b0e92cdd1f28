"""Tests of the NumPy multilayer perceptron: shapes, losses, backward pass, training, checks."""

from __future__ import annotations

import numpy as np
import pytest
from badinput import NAN, Spec, bad_input_tests

from dlbook import numpy_nn as nn
from dlbook.evaluation import accuracy, predicted_labels
from dlbook.optim import SGD, Adam


def _batch(n: int = 12, d: int = 5, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, k, size=n), rng.normal(size=(n, k))


def test_softmax_and_cross_entropy_are_stable():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    p = nn.softmax(logits)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    loss, grad = nn.cross_entropy_loss(logits, np.array([2, 1]))
    assert np.isfinite(loss)
    assert loss == pytest.approx((2000.0 + np.log(3.0)) / 2)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-12)


def test_cross_entropy_rejects_label_minus_one_and_a_broadcast_label():
    logits = np.zeros((2, 3))
    with pytest.raises(ValueError, match="labels"):  # not read as the last class
        nn.cross_entropy_loss(logits, np.array([-1, 0]))
    with pytest.raises(ValueError, match="labels"):  # not one label for two rows
        nn.cross_entropy_loss(logits, np.array([1]))


def test_mse_does_not_broadcast_a_column_against_a_vector():
    outputs, targets = np.zeros((4, 1)), np.ones(4)
    with pytest.raises(ValueError, match="targets"):  # (4, 1) - (4,) would be (4, 4)
        nn.mse_loss(outputs, targets)
    loss, grad = nn.mse_loss(outputs, targets[:, None])
    assert loss == pytest.approx(0.5)
    np.testing.assert_allclose(grad, -0.25)


def test_sigmoid_does_not_overflow():
    with np.errstate(all="raise"):
        s = nn.sigmoid(np.array([-1000.0, 0.0, 1000.0], dtype=np.float32))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])
    assert s.dtype == np.float32


def test_shapes_and_dtypes():
    net = nn.init_mlp((784, 128, 128, 128, 10))
    assert net.num_params == 134_794
    assert net.params.dtype == np.float32
    assert [w.shape for w in net.weights] == [(784, 128), (128, 128), (128, 128), (128, 10)]
    assert all(np.shares_memory(w, net.params) for w in net.weights)
    x = np.random.default_rng(0).random((7, 784), dtype=np.float32)
    outputs, activations = nn.forward(net, x)
    assert outputs.shape == (7, 10)
    assert outputs.dtype == np.float32
    assert [a.shape for a in activations] == [(7, 784), (7, 128), (7, 128), (7, 128)]
    loss, grad = nn.loss_and_gradient(net, x, np.arange(7))
    assert isinstance(loss, float)
    assert grad.shape == net.params.shape
    assert grad.dtype == np.float32
    probabilities = nn.predict(net, x, batch_size=3)
    assert probabilities.shape == (7, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(predicted_labels(probabilities), outputs.argmax(axis=1))
    assert 0.0 <= accuracy(np.arange(7), predicted_labels(probabilities)) <= 1.0


def test_param_views_write_through_and_astype_copies():
    net = nn.init_mlp((3, 2), seed=0)
    weights, biases = nn.param_views(net.params, net.sizes)
    biases[0][...] = 7.0
    np.testing.assert_array_equal(net.params[-2:], 7.0)
    net64 = net.astype(np.float64)
    assert net64.params.dtype == np.float64
    assert not np.shares_memory(net64.params, net.params)
    assert weights[0].shape == (3, 2)


def test_backward_matches_loss_and_gradient():
    x, labels, _ = _batch()
    net = nn.init_mlp((5, 4, 3), seed=5, dtype=np.float64)
    outputs, acts = nn.forward(net, x)
    _, delta = nn.cross_entropy_loss(outputs, labels)
    out = np.empty_like(net.params)
    grad = nn.backward(net, acts, delta, out=out)
    assert grad is out
    np.testing.assert_allclose(grad, nn.loss_and_gradient(net, x, labels)[1])


@pytest.mark.parametrize(("optimizer", "activation"), [(SGD(1.0), "sigmoid"), (Adam(0.01), "relu")])
def test_loss_decreases_on_a_tiny_problem(optimizer, activation):
    from dlbook.toy_data import make_moons

    x, y = make_moons(200, noise=0.1, seed=0)
    net = nn.init_mlp((2, 16, 16, 2), activation=activation, seed=0)
    history = nn.train(
        net,
        x.astype(np.float32),
        y,
        epochs=100,
        batch_size=20,
        optimizer=optimizer,
        validation_data=(x.astype(np.float32), y),
    )
    assert set(history) == {"loss", "accuracy", "val_accuracy", "epoch_seconds", "learning_rate"}
    assert all(len(v) == 100 for v in history.values())
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["val_accuracy"][-1] > 0.9
    assert net.params.dtype == np.float32


def test_train_is_reproducible():
    x, labels, _ = _batch(n=40)
    results = []
    for _ in range(2):
        net = nn.init_mlp((5, 6, 3), seed=7)
        nn.train(net, x.astype(np.float32), labels, epochs=2, batch_size=8, optimizer=Adam())
        results.append(net.params.copy())
    np.testing.assert_array_equal(*results)


def test_schedule_sets_the_learning_rate_of_each_epoch():
    x, labels, _ = _batch(n=20)
    net = nn.init_mlp((5, 4, 3), seed=0)
    history = nn.train(
        net, x, labels, epochs=3, batch_size=5, optimizer=SGD(), schedule=lambda e: 0.5**e
    )
    assert history["learning_rate"] == [1.0, 0.5, 0.25]


def test_mse_training_runs():
    x, _, targets = _batch(n=30)
    net = nn.init_mlp((5, 8, 3), activation="sigmoid", seed=0)
    history = nn.train(
        net,
        x.astype(np.float32),
        targets.astype(np.float32),
        epochs=20,
        batch_size=10,
        optimizer=SGD(0.1),
        loss="mse",
    )
    assert "accuracy" not in history
    assert history["loss"][-1] < history["loss"][0]


def test_train_refuses_an_optimiser_that_stepped_on_other_parameters():
    x, labels, _ = _batch(n=10)
    used = Adam()
    used.step(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="optimizer"):
        nn.train(nn.init_mlp((5, 3)), x, labels, epochs=1, batch_size=5, optimizer=used)


# --------------------------------------------------------------------------- bad input

SIZES = (4, 3, 10)  # ten classes, so the "labels" kind's label 10 is out of range
X = np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(6, 4)
Y = np.array([0, 1, 2, 3, 9, 1])
X2, Y2 = X[:2], Y[:2]  # the "labels" kind's bad values have length 2
NET = nn.init_mlp(SIZES, seed=0)
OUTPUTS, ACTIVATIONS = nn.forward(NET, X2)
NOT_A_NET = ("not-a-net", {"net": "mlp"}, TypeError, "net")
X_CASES = [
    ("x-list-of-str", {"x": [["a"] * 4]}, TypeError, "x"),
    ("x-ints", {"x": np.zeros((2, 4), dtype=np.int64)}, TypeError, "x"),
    ("x-bools", {"x": np.zeros((2, 4), dtype=bool)}, ValueError, "x"),
    ("x-wrong-width", {"x": np.zeros((2, 3), dtype=np.float32)}, ValueError, "x"),
    ("x-1-D", {"x": np.zeros(4, dtype=np.float32)}, ValueError, "x"),
    ("x-empty", {"x": np.zeros((0, 4), dtype=np.float32)}, ValueError, "x"),
    ("x-nan", {"x": np.full((2, 4), NAN, dtype=np.float32)}, ValueError, "x"),
    ("x-inf", {"x": np.full((2, 4), np.inf)}, ValueError, "x"),
]
SIZES_CASES = [
    ("sizes-int", {"sizes": 5}, TypeError, "sizes"),
    ("sizes-str", {"sizes": "432"}, TypeError, "sizes"),
    ("sizes-one", {"sizes": (4,)}, ValueError, "sizes"),
    ("sizes-zero", {"sizes": (4, 0, 2)}, ValueError, "sizes"),
    ("sizes-float", {"sizes": (4, 2.5)}, TypeError, "sizes"),
    ("sizes-bool", {"sizes": (4, True)}, ValueError, "sizes"),
]
ACTIVATION_CASES = [
    ("activation-unknown", {"activation": "tanh"}, ValueError, "activation"),
    ("activation-int", {"activation": 1}, TypeError, "activation"),
]
LOSS_CASES = [
    ("loss-unknown", {"loss": "hinge"}, ValueError, "loss"),
    ("loss-none", {"loss": None}, TypeError, "loss"),
    ("mse-with-labels", {"loss": "mse"}, ValueError, "y"),
]
Y_CASES = [("y-too-short", {"y": Y2[:1]}, ValueError, "y"), ("y-none", {"y": None}, TypeError, "y")]


def _train_kwargs():
    return {
        "net": nn.init_mlp(SIZES, seed=0),
        "x": X,
        "y": Y,
        "epochs": 1,
        "batch_size": 3,
        "optimizer": Adam(),
        "validation_data": (X, Y),
        "schedule": lambda epoch: 0.01,
    }


def _used_adam():
    adam = Adam()
    adam.step(np.zeros(3), np.ones(3))
    return adam


BAD_INPUT = [
    Spec(
        nn.MLP,
        {"sizes": SIZES, "activation": "relu", "params": np.zeros(NET.num_params, np.float32)},
        extra=[
            *SIZES_CASES,
            *ACTIVATION_CASES,
            ("params-list", {"params": [0.0] * NET.num_params}, TypeError, "params"),
            ("params-ints", {"params": np.zeros(NET.num_params, int)}, TypeError, "params"),
            ("params-short", {"params": np.zeros(5, np.float32)}, ValueError, "params"),
            ("params-2-D", {"params": np.zeros((1, NET.num_params))}, ValueError, "params"),
        ],
    ),
    Spec(
        nn.init_mlp,
        {"sizes": SIZES, "activation": "sigmoid", "seed": 1, "dtype": np.float64},
        kinds={"seed": "natural"},
        extra=[
            *SIZES_CASES,
            *ACTIVATION_CASES,
            ("dtype-none", {"dtype": None}, TypeError, "dtype"),
            ("dtype-nonsense", {"dtype": "foo"}, TypeError, "dtype"),
            ("dtype-int", {"dtype": np.int32}, ValueError, "dtype"),
            ("init-unknown", {"init": "xavier"}, ValueError, "init"),
            ("init-int", {"init": 2}, TypeError, "init"),
        ],
    ),
    Spec(
        nn.param_views,
        {"params": NET.params, "sizes": SIZES},
        extra=[
            *SIZES_CASES,
            ("params-list", {"params": NET.params.tolist()}, TypeError, "params"),
            ("params-ints", {"params": np.zeros(NET.num_params, int)}, TypeError, "params"),
            ("params-short", {"params": np.zeros(3)}, ValueError, "params"),
            ("params-2-D", {"params": np.zeros((1, NET.num_params))}, ValueError, "params"),
        ],
    ),
    Spec(nn.forward, {"net": NET, "x": X}, extra=[NOT_A_NET, *X_CASES]),
    Spec(
        nn.predict,
        {"net": NET, "x": X, "batch_size": 4},
        kinds={"batch_size": "count"},
        extra=[NOT_A_NET, *X_CASES],
    ),
    Spec(
        nn.sigmoid,
        {"z": np.array([-1.0, 0.0, 2.0])},
        extra=[
            ("z-str", {"z": "abc"}, TypeError, "z"),
            ("z-ints", {"z": np.array([1, 2])}, TypeError, "z"),
            ("z-bools", {"z": np.array([True])}, ValueError, "z"),
            ("z-empty", {"z": np.array([])}, ValueError, "z"),
            ("z-nan", {"z": np.array([NAN])}, ValueError, "z"),
        ],
    ),
    Spec(
        nn.softmax,
        {"logits": OUTPUTS},
        extra=[
            ("logits-str", {"logits": "abc"}, TypeError, "logits"),
            ("logits-ints", {"logits": np.ones((2, 3), int)}, TypeError, "logits"),
            ("logits-1-D", {"logits": np.ones(3)}, ValueError, "logits"),
            ("logits-empty", {"logits": np.ones((0, 3))}, ValueError, "logits"),
            ("logits-inf", {"logits": np.full((2, 3), np.inf)}, ValueError, "logits"),
        ],
    ),
    Spec(
        nn.cross_entropy_loss,
        {"logits": OUTPUTS, "labels": Y2},
        kinds={"labels": "labels"},
        extra=[
            ("one-label-two-rows", {"labels": Y2[:1]}, ValueError, "labels"),
            ("logits-1-D", {"logits": np.ones(10)}, ValueError, "logits"),
            ("logits-nan", {"logits": np.full((2, 10), NAN)}, ValueError, "logits"),
            ("logits-ints", {"logits": np.ones((2, 10), int)}, TypeError, "logits"),
        ],
    ),
    Spec(
        nn.mse_loss,
        {"outputs": np.zeros((4, 1)), "targets": np.ones((4, 1))},
        extra=[
            ("targets-broadcast", {"targets": np.ones(4)}, ValueError, "targets"),
            ("targets-transposed", {"targets": np.ones((1, 4))}, ValueError, "targets"),
            ("targets-nan", {"targets": np.full((4, 1), NAN)}, ValueError, "targets"),
            ("targets-str", {"targets": "abcd"}, TypeError, "targets"),
            ("outputs-1-D", {"outputs": np.zeros(4)}, ValueError, "outputs"),
            ("outputs-ints", {"outputs": np.zeros((4, 1), int)}, TypeError, "outputs"),
            ("outputs-empty", {"outputs": np.zeros((0, 1))}, ValueError, "outputs"),
        ],
    ),
    Spec(
        nn.backward,
        {"net": NET, "activations": ACTIVATIONS, "grad_outputs": OUTPUTS, "out": None},
        extra=[
            NOT_A_NET,
            ("activations-array", {"activations": ACTIVATIONS[0]}, TypeError, "activations"),
            ("activations-short", {"activations": ACTIVATIONS[:1]}, ValueError, "activations"),
            (
                "activations-wrong-width",
                {"activations": [ACTIVATIONS[0], np.zeros((2, 5), np.float32)]},
                ValueError,
                "activations",
            ),
            ("grad-rows", {"grad_outputs": OUTPUTS[:1]}, ValueError, "grad_outputs"),
            ("grad-nan", {"grad_outputs": np.full((2, 10), NAN)}, ValueError, "grad_outputs"),
            ("out-list", {"out": [0.0] * NET.num_params}, TypeError, "out"),
            ("out-short", {"out": np.zeros(3, np.float32)}, ValueError, "out"),
            ("out-dtype", {"out": np.zeros(NET.num_params)}, ValueError, "out"),
        ],
    ),
    Spec(
        nn.loss_and_gradient,
        {"net": NET, "x": X2, "y": Y2, "loss": "cross_entropy"},
        kinds={"y": "labels"},
        extra=[NOT_A_NET, *X_CASES[:4], *LOSS_CASES, *Y_CASES],
    ),
    Spec(
        nn.train,
        make_kwargs=_train_kwargs,
        kinds={
            "epochs": "count",
            "batch_size": "count",
            "seed": "natural",
            "y": "labels",
            "restore_best": "bool",
        },
        extra=[
            NOT_A_NET,
            *X_CASES,
            *LOSS_CASES,
            *Y_CASES,
            ("optimizer-str", {"optimizer": "adam"}, TypeError, "optimizer"),
            ("optimizer-used", {"optimizer": _used_adam()}, ValueError, "optimizer"),
            ("schedule-number", {"schedule": 0.1}, TypeError, "schedule"),
            ("schedule-inf", {"schedule": lambda epoch: np.inf}, ValueError, "schedule"),
            ("schedule-zero", {"schedule": lambda epoch: 0.0}, ValueError, "schedule"),
            ("schedule-str", {"schedule": lambda epoch: "0.1"}, TypeError, "schedule"),
            ("validation-str", {"validation_data": "xy"}, TypeError, "validation_data"),
            ("validation-three", {"validation_data": (X, Y, Y)}, ValueError, "validation_data"),
            (
                "validation-labels",
                {"validation_data": (X, np.full(6, 10))},
                ValueError,
                "validation_data",
            ),
            (
                "validation-lengths",
                {"validation_data": (X, Y[:5])},
                ValueError,
                "validation_data",
            ),
            (
                "restore-without-validation",
                {"restore_best": True, "validation_data": None},
                ValueError,
                "restore_best",
            ),
        ],
    ),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


@pytest.mark.parametrize(
    ("init", "variance"),
    [
        ("normal", lambda m, n: 1.0),
        ("lecun", lambda m, n: 1.0 / m),
        ("glorot", lambda m, n: 2.0 / (m + n)),
        ("he", lambda m, n: 2.0 / m),
    ],
)
def test_init_schemes_draw_weights_of_the_stated_variance(init, variance):
    net = nn.init_mlp((400, 300, 200), init=init, seed=0, dtype=np.float64)
    for w in net.weights:
        assert w.var() == pytest.approx(variance(*w.shape), rel=0.05)
        assert abs(w.mean()) < 0.05 * np.sqrt(variance(*w.shape))
    assert not np.any(net.params[net.weights[0].size : net.weights[0].size + 300])  # zero biases


def test_default_init_is_he_for_relu_and_lecun_for_sigmoid():
    relu = nn.init_mlp((5, 4, 3), activation="relu", seed=3)
    np.testing.assert_array_equal(
        relu.params, nn.init_mlp((5, 4, 3), activation="relu", init="he", seed=3).params
    )
    sig = nn.init_mlp((5, 4, 3), activation="sigmoid", seed=3)
    np.testing.assert_array_equal(
        sig.params, nn.init_mlp((5, 4, 3), activation="sigmoid", init="lecun", seed=3).params
    )


def test_restore_best_keeps_the_weights_of_the_best_validation_epoch():
    x, labels, _ = _batch(n=60, d=5, k=3, seed=4)
    x_val, labels_val, _ = _batch(n=40, d=5, k=3, seed=5)  # unrelated labels: accuracy wanders
    kwargs = {"epochs": 12, "batch_size": 10, "seed": 0, "validation_data": (x_val, labels_val)}
    net = nn.init_mlp((5, 16, 3), seed=0, dtype=np.float64)
    history = nn.train(net, x, labels, optimizer=SGD(1.0), restore_best=True, **kwargs)
    best = int(np.argmax(history["val_accuracy"]))
    final = accuracy(labels_val, predicted_labels(nn.predict(net, x_val)))
    assert final == history["val_accuracy"][best]
    again = nn.init_mlp((5, 16, 3), seed=0, dtype=np.float64)  # the same run, stopped there
    nn.train(again, x, labels, optimizer=SGD(1.0), **{**kwargs, "epochs": best + 1})
    np.testing.assert_array_equal(net.params, again.params)
    assert net.weights[0].base is not None  # the views still share the flat array
    net.params[0] = 123.0
    assert net.weights[0][0, 0] == 123.0
