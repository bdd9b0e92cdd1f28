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
    )
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
