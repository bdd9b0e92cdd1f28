"""A table of bad values per argument kind, fed to every public function.

Each test module ``tests/test_<module>.py`` declares ``BAD_INPUT``: a list of :class:`Spec`,
one per public function (or class), with a valid call and the kind of each argument, and
gets its two tests from :func:`bad_input_tests`, which calls :func:`check_spec_case` for every
case of :func:`cases` and :func:`check_spec_valid` for every valid call. The package-wide
rule (``dlbook._checks``): a wrong type raises ``TypeError``, a wrong value ``ValueError``,
and the message names the argument. ``tests/test_bad_input.py`` checks that every public
function of every module has a spec.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

NAN = float("nan")
INF = float("inf")

# kind -> list of (label, bad value, expected exception)
KINDS: dict[str, list[tuple[str, Any, type[Exception]]]] = {
    # an int >= 1 (counts: steps, epochs, n, batch_size, ...)
    "count": [
        ("str", "3", TypeError),
        ("float", 2.5, TypeError),
        ("bool", True, ValueError),
        ("zero", 0, ValueError),
        ("negative", -1, ValueError),
    ],
    # an int >= 0 (seeds, offsets that cannot be negative)
    "natural": [
        ("str", "3", TypeError),
        ("float", 2.5, TypeError),
        ("bool", True, ValueError),
        ("negative", -1, ValueError),
    ],
    # any int (e.g. a shift that may be negative)
    "integer": [("str", "3", TypeError), ("float", 2.5, TypeError), ("bool", True, ValueError)],
    # a finite real number > 0 (learning rates, scales, tolerances)
    "positive": [
        ("str", "0.1", TypeError),
        ("none", None, TypeError),
        ("bool", True, ValueError),
        ("zero", 0.0, ValueError),
        ("negative", -1.0, ValueError),
        ("nan", NAN, ValueError),
        ("inf", INF, ValueError),
    ],
    # a finite real number >= 0
    "nonnegative": [
        ("str", "0.1", TypeError),
        ("bool", True, ValueError),
        ("negative", -1.0, ValueError),
        ("nan", NAN, ValueError),
        ("inf", INF, ValueError),
    ],
    # any finite real number
    "real": [
        ("str", "1", TypeError),
        ("bool", True, ValueError),
        ("nan", NAN, ValueError),
        ("inf", INF, ValueError),
    ],
    # a number in [0, 1) (dropout, momentum, decay rates)
    "fraction": [
        ("str", "0.5", TypeError),
        ("bool", True, ValueError),
        ("negative", -0.1, ValueError),
        ("one", 1.0, ValueError),
        ("nan", NAN, ValueError),
    ],
    # a real bool
    "bool": [("str", "false", TypeError), ("int", 0, TypeError), ("none", None, TypeError)],
    # a 1-D array of finite reals
    "vector": [
        ("str", "abc", TypeError),
        ("2-D", np.ones((2, 2)), ValueError),
        ("empty", np.array([]), ValueError),
        ("nan", np.array([1.0, NAN]), ValueError),
        ("bools", np.array([True, False]), ValueError),
    ],
    # a 1-D array of integer labels in [0, 10)
    "labels": [
        ("floats", np.array([0.5, 1.0]), TypeError),
        ("str", "ab", TypeError),
        ("negative", np.array([-1, 0]), ValueError),
        ("too-large", np.array([10, 0]), ValueError),
        ("2-D", np.zeros((2, 1), dtype=np.int64), ValueError),
        ("empty", np.array([], dtype=np.int64), ValueError),
    ],
}


@dataclass
class Spec:
    """A valid call of ``func`` and the kind of each argument that the table probes.

    ``kwargs`` is a valid call (keyword arguments; use ``args_order`` for positional-only
    callables). ``kinds`` maps an argument name to a key of :data:`KINDS`. ``extra`` holds
    cases no kind covers (arguments that disagree with each other, wrong shapes): tuples
    of ``(label, overrides, exception, argument name the message must mention)``.
    ``make_kwargs`` may build fresh valid arguments for every call (for mutable state).
    """

    func: Callable[..., Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    extra: list[tuple[str, dict[str, Any], type[Exception], str]] = field(default_factory=list)
    make_kwargs: Callable[[], dict[str, Any]] | None = None

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


def cases(specs: list[Spec]) -> list[Any]:
    """``pytest.param`` objects, one per (function, argument, bad value)."""
    params = []
    for spec in specs:
        for arg, kind in spec.kinds.items():
            for label, bad, exc in KINDS[kind]:
                params.append(
                    pytest.param(
                        spec, {arg: bad}, exc, arg, id=f"{spec.func.__name__}-{arg}-{label}"
                    )
                )
        for label, overrides, exc, arg in spec.extra:
            params.append(
                pytest.param(spec, overrides, exc, arg, id=f"{spec.func.__name__}-{label}")
            )
    return params


def check_spec_case(spec: Spec, overrides: dict[str, Any], exc: type[Exception], arg: str) -> None:
    """Call ``spec.func`` with one bad argument: it must raise ``exc`` naming ``arg``."""
    kwargs = dict(spec.make_kwargs() if spec.make_kwargs else spec.kwargs)
    kwargs.update(overrides)
    with pytest.raises(exc) as info:
        spec.func(**kwargs)
    message = str(info.value)
    assert re.search(rf"\b{re.escape(arg)}\b", message), (
        f"{spec.name}: the message {message!r} does not name the argument {arg!r}"
    )


def bad_input_tests(specs: list[Spec]) -> tuple[Callable[..., None], Callable[..., None]]:
    """The two tests a module runs over its ``BAD_INPUT``, to assign at its top level::

        test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)

    ``test_bad_input`` feeds every bad case (:func:`check_spec_case`);
    ``test_bad_input_valid_call`` makes each valid call (:func:`check_spec_valid`).
    """

    @pytest.mark.parametrize(("spec", "overrides", "exc", "arg"), cases(specs))
    def test_bad_input(spec, overrides, exc, arg):
        check_spec_case(spec, overrides, exc, arg)

    @pytest.mark.parametrize("spec", specs, ids=lambda s: s.func.__name__)
    def test_bad_input_valid_call(spec):
        check_spec_valid(spec)

    return test_bad_input, test_bad_input_valid_call


def check_spec_valid(spec: Spec) -> None:
    """The valid call itself succeeds (so every failure above is due to the bad value)."""
    kwargs = spec.make_kwargs() if spec.make_kwargs else spec.kwargs
    spec.func(**kwargs)
