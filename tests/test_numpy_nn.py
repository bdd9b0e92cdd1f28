"""Tests of the NumPy multilayer perceptron: gradients, TensorFlow agreement, training, checks."""

from __future__ import annotations

import numpy as np
import pytest

from dlbook import numpy_nn as nn


def _batch(n: int = 12, d: int = 5, k: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, k, size=n), rng.normal(size=(n, k))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("sizes", [(5, 3), (5, 7, 3), (5, 6, 4, 3)])
def test_gradient_check_every_layer(activation, loss, sizes):
    x, labels, targets = _batch()
    net = nn.init_mlp(sizes, activation=activation, seed=1, dtype=np.float64)
    y = labels if loss == "cross_entropy" else targets
    errors = nn.gradient_check(net, x, y, loss=loss)
    assert set(errors) == {f"{p}{i}" for i in range(1, len(sizes)) for p in "Wb"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_agrees_with_tensorflow_gradient_tape(activation, loss):
    x, labels, targets = _batch(n=16, d=20, k=10)
    net = nn.init_mlp((20, 16, 16, 10), activation=activation, seed=2, dtype=np.float64)
    y = labels if loss == "cross_entropy" else targets
    ours_loss, ours = nn.loss_and_gradient(net, x, y, loss=loss)
    tf_loss, theirs = nn.tensorflow_gradient(net, x, y, loss=loss)
    assert ours_loss == pytest.approx(tf_loss, rel=1e-12)
    ours_w, ours_b = nn.param_views(ours, net.sizes)
    tf_w, tf_b = nn.param_views(theirs, net.sizes)
    for a, b in zip(ours_w + ours_b, tf_w + tf_b, strict=True):
        assert nn.relative_error(a, b) < 1e-6


def test_mnist_sized_network_agrees_with_tensorflow():
    x, labels, _ = _batch(n=32, d=784, k=10, seed=3)
    x = np.abs(x) / 4  # pixel-like, non-negative
    net = nn.init_mlp((784, 128, 128, 128, 10), seed=3, dtype=np.float64)
    _, ours = nn.loss_and_gradient(net, x, labels)
    _, theirs = nn.tensorflow_gradient(net, x, labels)
    ours_w, ours_b = nn.param_views(ours, net.sizes)
    tf_w, tf_b = nn.param_views(theirs, net.sizes)
    errors = [nn.relative_error(a, b) for a, b in zip(ours_w + ours_b, tf_w + tf_b, strict=True)]
    assert max(errors) < 1e-6


def test_adam_is_the_textbook_update_and_matches_keras():
    from dlbook.repro import import_tensorflow

    tf = import_tensorflow()
    import keras

    rng = np.random.default_rng(4)
    start = rng.normal(size=50)
    params, reference = start.copy(), start.copy()
    m, v = np.zeros(50), np.zeros(50)
    var = tf.Variable(start.copy())
    ours, theirs = nn.Adam(learning_rate=0.01), keras.optimizers.Adam(learning_rate=0.01)
    for t in range(1, 6):
        grad = rng.normal(size=50)
        ours.step(params, grad)
        theirs.apply_gradients([(tf.constant(grad), var)])
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        reference -= 0.01 * m_hat / (np.sqrt(v_hat) + 1e-7 * np.sqrt(1 - 0.999**t) ** -1)
    np.testing.assert_allclose(params, reference, rtol=1e-12, atol=1e-14)
    # Keras rounds its hyper-parameters (e.g. a float32 learning rate): updates agree to ~1e-5
    np.testing.assert_allclose(params - start, var.numpy() - start, rtol=1e-4)


def test_sgd_step():
    params = np.ones(3)
    nn.SGD(0.5).step(params, np.array([1.0, 2.0, -2.0]))
    np.testing.assert_allclose(params, [0.5, 0.0, 2.0])


def test_softmax_and_cross_entropy_are_stable():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    p = nn.softmax(logits)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    loss, grad = nn.cross_entropy_loss(logits, np.array([2, 1]))
    assert np.isfinite(loss)
    assert loss == pytest.approx((2000.0 + np.log(3.0)) / 2)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-12)


def test_sigmoid_does_not_overflow():
    with np.errstate(all="raise"):
        s = nn.sigmoid(np.array([-1000.0, 0.0, 1000.0], dtype=np.float32))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])


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
    assert nn.predict(net, x).shape == (7,)
    assert 0.0 <= nn.accuracy(net, x, np.arange(7)) <= 1.0


def test_backward_matches_loss_and_gradient():
    x, labels, _ = _batch()
    net = nn.init_mlp((5, 4, 3), seed=5, dtype=np.float64)
    outputs, acts = nn.forward(net, x)
    _, delta = nn.cross_entropy_loss(outputs, labels)
    out = np.empty_like(net.params)
    grad = nn.backward(net, acts, delta, out=out)
    assert grad is out
    np.testing.assert_allclose(grad, nn.loss_and_gradient(net, x, labels)[1])


@pytest.mark.parametrize(
    ("optimizer", "activation"), [(nn.SGD(1.0), "sigmoid"), (nn.Adam(0.01), "relu")]
)
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
        nn.train(net, x.astype(np.float32), labels, epochs=2, batch_size=8, optimizer=nn.Adam())
        results.append(net.params.copy())
    np.testing.assert_array_equal(*results)


def test_mse_training_runs():
    x, _, targets = _batch(n=30)
    net = nn.init_mlp((5, 8, 3), activation="sigmoid", seed=0)
    history = nn.train(
        net,
        x.astype(np.float32),
        targets.astype(np.float32),
        epochs=20,
        batch_size=10,
        optimizer=nn.SGD(0.1),
        loss="mse",
    )
    assert "accuracy" not in history
    assert history["loss"][-1] < history["loss"][0]


# --------------------------------------------------------------------------- bad input

NET = nn.init_mlp((4, 3, 2), seed=0)
X = np.zeros((5, 4), dtype=np.float32)
Y = np.array([0, 1, 0, 1, 1])


@pytest.mark.parametrize(
    ("x", "y", "error", "match"),
    [
        (np.zeros((5, 3), dtype=np.float32), Y, ValueError, "x must have shape"),
        (np.zeros(4, dtype=np.float32), Y, ValueError, "x must have shape"),
        (np.zeros((0, 4), dtype=np.float32), Y[:0], ValueError, "empty batch"),
        (np.full((5, 4), np.nan, dtype=np.float32), Y, ValueError, "NaN or infinite"),
        (np.full((5, 4), np.inf), Y, ValueError, "NaN or infinite"),
        (X.tolist(), Y, TypeError, "NumPy array"),
        (np.zeros((5, 4), dtype=np.int64), Y, TypeError, "floating"),
        (X, np.array([0, 1, 2, 0, 1]), ValueError, r"labels in y must lie in \[0, 2\)"),
        (X, np.array([0, -1, 0, 0, 1]), ValueError, "labels in y must lie"),
        (X, Y[:4], ValueError, r"y must have shape \(5,\)"),
        (X, Y.astype(np.float32), TypeError, "integer class labels"),
    ],
)
def test_bad_input_raises(x, y, error, match):
    with pytest.raises(error, match=match):
        nn.loss_and_gradient(NET, x, y)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="loss must be one of"):
        nn.loss_and_gradient(NET, X, Y, loss="hinge")
    with pytest.raises(ValueError, match="mse loss"):
        nn.loss_and_gradient(NET, X, Y, loss="mse")
    with pytest.raises(ValueError, match="activation"):
        nn.init_mlp((4, 2), activation="tanh")
    with pytest.raises(ValueError, match=r"sizes\[1\]"):
        nn.init_mlp((4, 0, 2))
    with pytest.raises(ValueError, match="input and an output"):
        nn.init_mlp((4,))
    with pytest.raises(ValueError, match="dtype"):
        nn.init_mlp((4, 2), dtype=np.int32)
    with pytest.raises(ValueError, match="epochs"):
        nn.train(NET, X, Y, epochs=0, batch_size=2, optimizer=nn.SGD())
    with pytest.raises(ValueError, match="batch_size"):
        nn.train(NET, X, Y, epochs=1, batch_size=0, optimizer=nn.SGD())
    with pytest.raises(ValueError, match="learning_rate"):
        nn.SGD(0.0)
    with pytest.raises(ValueError, match="beta1"):
        nn.Adam(beta1=1.0)
    with pytest.raises(ValueError, match="params must be 1-D"):
        nn.param_views(np.zeros(3), (4, 2))
    with pytest.raises(ValueError, match="grad_outputs"):
        nn.backward(NET, nn.forward(NET, X)[1], np.zeros((5, 3)))
    with pytest.raises(ValueError, match="same shape"):
        nn.relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="eps"):
        nn.numerical_gradient(NET, X, Y, eps=0.0)


def test_blas_threads_sets_and_restores():
    with nn.blas_threads(1) as before:
        assert before >= 0
        a = np.ones((64, 64), dtype=np.float32)
        np.testing.assert_allclose(a @ a, 64.0)
    with nn.blas_threads(1) as again:
        assert again == before
    with pytest.raises(ValueError, match="n must be"), nn.blas_threads(0):
        pass
