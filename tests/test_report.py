"""dlbook.report: the environment table of the execution report."""

from __future__ import annotations

import numpy as np
from badinput import Spec, bad_input_tests

from dlbook.report import (
    TRACKED_LIBRARIES,
    cpu_model,
    environment,
    locked_versions,
    peak_memory_gib,
    seed_check_markdown,
)

BAD_INPUT = [
    Spec(
        locked_versions,
        kwargs={},
        extra=[
            ("lock-int", {"lock": 3}, TypeError, "lock"),
            ("lock-empty", {"lock": ""}, ValueError, "lock"),
            ("lock-missing", {"lock": "/no/such/requirements.txt"}, ValueError, "lock"),
        ],
    ),
    Spec(
        seed_check_markdown,
        kwargs={},
        extra=[
            ("path-int", {"path": 3}, TypeError, "path"),
            ("path-missing", {"path": "/no/such/seed-check.json"}, ValueError, "path"),
        ],
    ),
]
BAD_INPUT_EXEMPT = {
    "cpu_model": "takes no argument",
    "environment": "takes no argument",
    "peak_memory_gib": "takes no argument",
}


def test_environment_reports_versions_and_cpu():
    info = environment()
    for key in ("Python", "numpy", "tensorflow", "keras", "matplotlib", "CPU", "CPU cores usable"):
        assert info[key], key
    assert info["numpy"] == np.__version__
    assert info["tensorflow"] != "not installed"
    assert int(info["CPU cores usable"]) >= 1
    assert all(isinstance(v, str) for v in info.values())
    assert isinstance(cpu_model(), str)
    assert cpu_model()


def test_locked_versions_match_what_is_installed():
    versions = locked_versions()
    assert "numpy" in versions
    assert "keras" in versions
    assert set(versions) <= set(TRACKED_LIBRARIES)
    for name, entry in versions.items():
        assert entry["locked"] == entry["installed"], name


def test_locked_versions_read_markers(tmp_path):
    lock = tmp_path / "requirements.txt"
    lock.write_text("-e .\nnumpy==1.0.0\n    # via x\nkeras==9.9 ; sys_platform == 'no-such-os'\n")
    versions = locked_versions(lock)
    assert versions["numpy"]["locked"] == "1.0.0"
    assert "keras" not in versions


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


def test_peak_memory_grows_with_a_large_array():
    before = peak_memory_gib()
    assert 0.0 < before < 64.0
    block = np.ones(2**28 // 8)  # 256 MiB, touched
    assert block.sum() > 0
    assert peak_memory_gib() >= before
    assert peak_memory_gib() >= 0.25


def test_seed_check_markdown_names_every_change_and_failure(tmp_path):
    import json

    chapter = {
        "sentences checked": 3,
        "flipped": [{"seed": 1, "name": "k", "seed 0": "smaller", "this seed": "larger"}],
        "flipped, chosen from timings": [],
        "failures": {"2": {"cell": 4, "line": 120, "error": "AssertionError: no"}},
        "numbers": {"bp_mnist_test_acc": {"by seed": {"0": 0.97, "1": 0.975}, "spread": 0.005}},
    }
    path = tmp_path / "seed-check.json"
    path.write_text(
        json.dumps(
            {
                "date": "2026-12-07",
                "commit": "abc1234",
                "seeds": [0, 1, 2],
                "chapters": {"backprop": chapter},
            }
        )
    )
    text = seed_check_markdown(path)
    assert "| {doc}`backprop` | `abc1234` | 3 | 1 | 0 | 1 |" in text
    assert '`k`, seed 1: "larger" (seed 0: "smaller")' in text
    assert "stopped under seed 2 at line 120: `AssertionError: no`" in text
    assert "| {doc}`backprop` | NumPy MLP, **test** accuracy | 0.97 | 0.975 |  |" in text


def test_the_recorded_seed_check_renders():
    assert "DLBOOK_SEED" in seed_check_markdown()
