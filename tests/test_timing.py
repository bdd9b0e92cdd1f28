"""Tests of the timing helpers: BLAS threads are set and restored, the matmul rate is sane."""

from __future__ import annotations

import time

import numpy as np
import pytest
from badinput import Spec, bad_input_tests

from dlbook.timing import best_seconds, blas_threads, matmul_gflops


def test_blas_threads_sets_and_restores():
    with blas_threads(1) as before:
        assert before >= 0
        a = np.ones((64, 64), dtype=np.float32)
        np.testing.assert_allclose(a @ a, 64.0)
    with blas_threads(1) as again:
        assert again == before


def test_blas_threads_checks_before_the_block():
    with pytest.raises(ValueError, match="n must be"):
        blas_threads(0)  # raised by the call, not only when the block is entered


def test_matmul_gflops_is_a_positive_finite_rate():
    with blas_threads(1):
        rate = matmul_gflops(64, repeats=2)
    assert isinstance(rate, float)
    assert 0 < rate < 1e6


def test_best_seconds_is_the_fastest_call():
    pauses = iter([0.03, 0.001, 0.02])
    calls = []

    def pause():
        calls.append(1)
        time.sleep(next(pauses))

    best = best_seconds(pause, repeats=3)
    assert len(calls) == 3
    assert 0.001 <= best < 0.02


def test_best_seconds_times_blocks_of_calls():
    calls = []
    per_call = best_seconds(lambda: calls.append(time.sleep(0.002)), repeats=2, number=5)
    assert len(calls) == 10
    assert 0.002 <= per_call < 0.01


BAD_INPUT = [
    Spec(blas_threads, {"n": 1}, kinds={"n": "count"}),
    Spec(
        best_seconds,
        {"fn": lambda: None, "repeats": 2, "number": 3},
        kinds={"repeats": "count", "number": "count"},
        extra=[("fn-number", {"fn": 3}, TypeError, "fn")],
    ),
    Spec(matmul_gflops, {"n": 16, "repeats": 1}, kinds={"n": "count", "repeats": "count"}),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)
