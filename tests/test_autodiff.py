"""Tests of the scalar automatic differentiation: against calculus, finite differences and the
NumPy network."""

from __future__ import annotations

import math

import numpy as np
import pytest
from badinput import Spec, bad_input_tests

from dlbook import numpy_nn as nn
from dlbook.autodiff import Value, trace


def test_each_operation_has_its_calculus_derivative():
    a, b = Value(1.5), Value(-0.5)
    cases_ = [
        (lambda: a + b, 1.0, 1.0),
        (lambda: a - b, 1.0, -1.0),
        (lambda: a * b, -0.5, 1.5),
        (lambda: a * 3.0 + 2.0, 3.0, 0.0),
        (lambda: 2.0 - a, -1.0, 0.0),
        (lambda: -a, -1.0, 0.0),
        (lambda: a**3, 3 * 1.5**2, 0.0),
        (lambda: a.exp(), math.exp(1.5), 0.0),
        (lambda: a.log(), 1 / 1.5, 0.0),
        (lambda: a.relu() + b.relu(), 1.0, 0.0),
        (lambda: a.sigmoid(), (1 / (1 + math.exp(-1.5))) * (1 - 1 / (1 + math.exp(-1.5))), 0.0),
    ]
    for make, da, db in cases_:
        out = make()
        out.backward()
        assert a.grad == pytest.approx(da, rel=1e-12)
        assert b.grad == pytest.approx(db, rel=1e-12)
        a.grad = b.grad = 0.0  # leaves not in the graph keep a stale adjoint


def test_adjoints_add_up_where_paths_meet():
    x = Value(3.0)
    y = x * x + x  # x is used three times
    y.backward()
    assert x.grad == pytest.approx(2 * 3.0 + 1)


def test_backward_twice_gives_the_same_adjoints():
    x, w = Value(0.3), Value(-1.2)
    out = (x * w).sigmoid() * x
    out.backward()
    first = (x.grad, w.grad)
    out.backward()
    assert (x.grad, w.grad) == first


def _expression(u: float, v: float, w: float) -> Value:
    a, b, c = Value(u), Value(v), Value(w)
    out = ((a * b + c).sigmoid() * a - (b * b + 1.0).log() + (c * 0.5).exp()).relu() ** 2
    return out, (a, b, c)


def test_gradient_agrees_with_central_differences():
    point = np.array([0.7, -1.3, 0.4])
    out, leaves = _expression(*point)
    out.backward()
    eps = 1e-6
    for i, leaf in enumerate(leaves):
        up, down = point.copy(), point.copy()
        up[i] += eps
        down[i] -= eps
        numeric = (_expression(*up)[0].data - _expression(*down)[0].data) / (2 * eps)
        assert leaf.grad == pytest.approx(numeric, rel=1e-7, abs=1e-10)


def _graph_of_network(net: nn.MLP, x: np.ndarray, y: np.ndarray, loss: str):
    """The loss of ``net`` on a batch as a graph of scalars; returns it and the parameter leaves."""
    weights = [[[Value(v) for v in row] for row in w] for w in net.weights]
    biases = [[Value(v) for v in b] for b in net.biases]
    total = Value(0.0)
    for s in range(len(x)):
        a = [Value(v) for v in x[s]]
        for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
            z = [sum((a[i] * w[i][j] for i in range(len(a))), b[j]) for j in range(len(b))]
            last = layer == len(weights) - 1
            a = z if last else [zj.relu() if net.activation == "relu" else zj.sigmoid() for zj in z]
        if loss == "cross_entropy":
            total = total + sum((zj.exp() for zj in a), Value(0.0)).log() - a[y[s]]
        else:
            total = total + sum(((zj - t) ** 2 * 0.5 for zj, t in zip(a, y[s], strict=True)), 0.0)
    mean = total * (1.0 / len(x))
    leaves = [v for w, b in zip(weights, biases, strict=True) for v in (*np.ravel(w), *b)]
    return mean, leaves


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_agrees_with_the_numpy_network(activation, loss):
    rng = np.random.default_rng(0)
    net = nn.init_mlp((3, 4, 2), activation=activation, seed=1, dtype=np.float64)
    x = rng.normal(size=(5, 3))
    y = rng.integers(0, 2, size=5) if loss == "cross_entropy" else rng.normal(size=(5, 2))
    value, grad = nn.loss_and_gradient(net, x, y, loss=loss)
    graph, leaves = _graph_of_network(net, x, y, loss)
    graph.backward()
    assert graph.data == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose([leaf.grad for leaf in leaves], grad, rtol=1e-10, atol=1e-14)


def test_trace_lists_nodes_in_order_and_edges_with_local_derivatives():
    x, w = Value(2.0, "x"), Value(-3.0, "w")
    product = x * w
    out = product.sigmoid()
    out.backward()
    nodes, edges = trace(out)
    assert nodes[-1] is out
    assert {id(n) for n in nodes} == {id(x), id(w), id(product), id(out)}
    for child, parent, _ in edges:
        assert nodes.index(child) < nodes.index(parent)
    shares = {child.label or child.op: local * parent.grad for child, parent, local in edges}
    assert shares["x"] == pytest.approx(x.grad)
    assert shares["w"] == pytest.approx(w.grad)
    assert shares["×"] == pytest.approx(product.grad)


def test_a_deep_graph_needs_no_recursion():
    x = Value(0.5)
    out = x
    for _ in range(5000):
        out = out * 1.0 + 0.0
    out.backward()
    assert x.grad == 1.0


def test_operations_refuse_bad_operands_and_non_finite_results():
    a = Value(2.0)
    with pytest.raises(TypeError, match="other"):
        a + "1"
    with pytest.raises(ValueError, match="other"):
        a * float("nan")
    with pytest.raises(ValueError, match="other"):
        a - True
    with pytest.raises(TypeError, match="exponent"):
        a ** "2"
    with pytest.raises(ValueError, match="log"):
        Value(0.0).log()
    with pytest.raises(ValueError, match="exp"):
        Value(1000.0).exp()
    with pytest.raises(ValueError, match="exponent"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="exponent"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match="finite"):
        Value(1e200) * Value(1e200)
    assert repr(Value(1.0, "w")) == "Value(w=1, grad=0)"


BAD_INPUT = [
    Spec(
        Value,
        {"data": 1.5, "label": "w"},
        kinds={"data": "real"},
        extra=[("label-int", {"label": 3}, TypeError, "label")],
    ),
    Spec(
        trace,
        make_kwargs=lambda: {"root": Value(1.0) * 2.0},
        extra=[("root-float", {"root": 1.0}, TypeError, "root")],
    ),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)
