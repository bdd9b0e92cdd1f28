"""dlbook.report: the environment table of the execution report."""

from __future__ import annotations

import numpy as np

from dlbook.report import cpu_model, environment

BAD_INPUT: list = []
BAD_INPUT_EXEMPT = {
    "cpu_model": "takes no argument",
    "environment": "takes no argument",
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
