"""Automatic differentiation of scalars: the chain rule on a graph, in the spirit of micrograd.

Every arithmetic operation on a :class:`Value` returns a new ``Value`` that remembers its
inputs (its *children*) and the *local derivative* of its output with respect to each of them.
The operations therefore record a computational graph while they compute. :meth:`Value.backward`
then walks that graph once, from the output back to the leaves, multiplying each node's
*adjoint* (the derivative of the output with respect to that node) by the local derivatives and
adding the products up where paths meet: backpropagation on scalars. :func:`trace` lists the
nodes and edges of a graph, for drawing it with :func:`dlbook.plots.draw_graph`.
"""

from __future__ import annotations

import math
from typing import Any

from . import _checks

__all__ = ["Value", "trace"]


class Value:
    """A scalar that records how it was computed, so that its gradient can be backpropagated.

    Parameters
    ----------
    data : float
        The number, finite (``bool`` is refused).
    label : str, default ""
        A name to draw the node with, e.g. ``"w₁"``.

    Attributes
    ----------
    data : float
        The value computed by the forward pass.
    grad : float
        The adjoint ``d(output)/d(self)`` after the output's :meth:`backward`; 0 before.
    children : tuple of Value
        The inputs of the operation that produced this value (empty for a leaf).
    local : tuple of float
        ``d(self)/d(child)`` for each child, computed in the forward pass.
    op : str
        The operation's symbol (``"+"``, ``"×"``, ``"σ"``, ...); ``""`` for a leaf.

    Raises
    ------
    TypeError
        If ``data`` is not a real number or ``label`` not a str.
    ValueError
        If ``data`` is a bool, nan or infinite.

    Examples
    --------
    >>> w, x = Value(3.0), Value(2.0)
    >>> y = (w * x + 1.0).sigmoid()
    >>> y.backward()
    >>> round(w.grad, 6), round(x.grad, 6)
    (0.00182, 0.002731)
    """

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self.data = _checks.as_float(data, "data")
        self.grad = 0.0
        self.label = label
        self.children: tuple[Value, ...] = ()
        self.local: tuple[float, ...] = ()
        self.op = ""

    @classmethod
    def _result(cls, data, children, local, op) -> Value:
        if not math.isfinite(data):  # never a silent inf or nan in the graph
            raise ValueError(f"the operation {op} gives {data}, not a finite number")
        out = cls.__new__(cls)  # an operation's output: its inputs were checked already
        out.data, out.grad, out.label = float(data), 0.0, ""
        out.children, out.local, out.op = children, local, op
        return out

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return Value._result(self.data + other.data, (self, other), (1.0, 1.0), "+")
        other = _number(other, "other")
        return Value._result(self.data + other, (self,), (1.0,), f"+{other:g}")

    __radd__ = __add__

    def __sub__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return Value._result(
                self.data - other.data, (self, other), (1.0, -1.0), "−"
            )
        other = _number(other, "other")
        return Value._result(self.data - other, (self,), (1.0,), f"−{other:g}")

    def __rsub__(self, other: float) -> Value:
        other = _number(other, "other")
        return Value._result(other - self.data, (self,), (-1.0,), f"{other:g}−")

    def __mul__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            local = (other.data, self.data)  # d(ab)/da = b, d(ab)/db = a
            data = self.data * other.data
            return Value._result(data, (self, other), local, "×")
        other = _number(other, "other")  # a plain number: no node of its own
        return Value._result(self.data * other, (self,), (other,), f"×{other:g}")

    __rmul__ = __mul__

    def __neg__(self) -> Value:
        return self * -1.0

    def __pow__(self, exponent: float) -> Value:
        k = _number(exponent, "exponent")
        if self.data == 0.0 and k < 1.0:
            raise ValueError(f"exponent {k:g} has no finite derivative at 0")
        if self.data < 0.0 and not k.is_integer():
            raise ValueError(f"exponent {k:g} of a negative value is not a real number")
        local = k * self.data ** (k - 1.0)
        return Value._result(self.data**k, (self,), (local,), f"^{k:g}")

    def sigmoid(self) -> Value:
        """The logistic sigmoid ``1 / (1 + exp(-x))``; local derivative ``s (1 - s)``."""
        s = 0.5 + 0.5 * math.tanh(0.5 * self.data)  # never overflows
        return Value._result(s, (self,), (s * (1.0 - s),), "σ")

    def relu(self) -> Value:
        """``max(x, 0)``; local derivative 1 where ``x > 0``, else 0."""
        return Value._result(
            max(self.data, 0.0), (self,), (float(self.data > 0),), "ReLU"
        )

    def exp(self) -> Value:
        """``exp(x)``, its own local derivative.

        Raises
        ------
        ValueError
            If the result overflows a float (``x`` above about 709).
        """
        if self.data > 709.0:
            raise ValueError(f"exp overflows for a value of {self.data:g}")
        e = math.exp(self.data)
        return Value._result(e, (self,), (e,), "exp")

    def log(self) -> Value:
        """The natural logarithm; local derivative ``1 / x``.

        Raises
        ------
        ValueError
            If the value is not positive.
        """
        if self.data <= 0.0:
            raise ValueError(f"log needs a positive value, got {self.data:g}")
        return Value._result(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def backward(self) -> None:
        """Backpropagate from this value: set ``grad`` of every node of its graph.

        Afterwards ``node.grad`` is ``d(self)/d(node)`` for every node the value was
        computed from (``self.grad`` is 1). Earlier adjoints are reset first, so calling it
        twice gives the same result.
        """
        _backward(self)


def _number(value: Any, name: str) -> float:
    return _checks.as_float(value, name)


def _topological_order(root: Value) -> list[Value]:
    order, seen, stack = [], set(), [(root, False)]
    while stack:  # depth first, without recursion: children before their parents
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
    return order


def _backward(root: Value) -> None:
    order = _topological_order(root)  # each node after its inputs
    for node in order:
        node.grad = 0.0
    root.grad = 1.0  # d(root)/d(root)
    for node in reversed(order):  # from the output back to the leaves
        for child, local in zip(node.children, node.local, strict=True):
            child.grad += local * node.grad  # adds up where paths meet


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value, float]]]:
    """The nodes and edges of the graph that computed ``root``.

    Parameters
    ----------
    root : Value
        The output, e.g. a loss.

    Returns
    -------
    nodes : list of Value
        Every node, each after the nodes it was computed from (``root`` last).
    edges : list of tuple
        ``(child, parent, local)`` for each input of each operation: ``parent`` was computed
        from ``child`` and ``local`` is ``d(parent)/d(child)``. After ``root.backward()``,
        ``local * parent.grad`` is the share of ``child.grad`` that flows back along the edge.

    Raises
    ------
    TypeError
        If ``root`` is not a :class:`Value`.
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"root must be a dlbook.autodiff.Value, got {type(root).__name__}"
        )
    nodes = _topological_order(root)
    edges = [
        (child, node, local)
        for node in nodes
        for child, local in zip(node.children, node.local, strict=True)
    ]
    return nodes, edges
