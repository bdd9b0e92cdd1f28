"""dlbook.progress: progress lines for learners, silence in the book's build."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from badinput import Spec, bad_input_tests
from conftest import ROOT

from dlbook import progress

BAD_INPUT = [
    Spec(
        progress.epoch_line,
        kwargs={"epoch": 1, "epochs": 3, "metrics": {"loss": 0.5}},
        kinds={"epoch": "count", "epochs": "count"},
        extra=[
            ("epoch-past-the-end", {"epoch": 4}, ValueError, "epoch"),
            ("metrics-list", {"metrics": [0.5]}, TypeError, "metrics"),
        ],
    )
]
BAD_INPUT_EXEMPT = {
    "show_progress": "takes no argument",
    "keras_verbosity": "takes no argument",
}


@pytest.mark.parametrize(
    ("value", "shown"), [("1", False), ("true", False), ("", True), ("0", True)]
)
def test_show_progress_follows_the_environment(monkeypatch, value, shown):
    monkeypatch.setenv(progress.QUIET_ENV, value)
    assert progress.show_progress() is shown
    assert progress.keras_verbosity() == (2 if shown else 0)


def test_epoch_line():
    line = progress.epoch_line(3, 8, {"loss": 0.123456, "val_accuracy": 0.97})
    assert line == "epoch 3/8: loss 0.1235, val_accuracy 0.97"
    assert progress.epoch_line(1, 1, {}) == "epoch 1/1"


def test_the_build_silences_progress():
    sys.path.insert(0, str(ROOT / "_ext"))
    import dlbook_guard

    assert dlbook_guard.QUIET_ENV == progress.QUIET_ENV


@pytest.mark.parametrize("quiet", [True, False])
def test_keras_training_prints_progress_only_outside_the_build(monkeypatch, capfd, quiet):
    from dlbook.keras_models import build_dense_network, compile_classifier, train_model

    monkeypatch.setenv(progress.QUIET_ENV, "1" if quiet else "0")
    model = compile_classifier(build_dense_network([4], input_dim=3, num_classes=2))
    x = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[np.arange(16) % 2]
    train_model(model, x, y, epochs=2, batch_size=8, seed=0)
    out = capfd.readouterr().out
    if quiet:
        assert "Epoch" not in out
    else:
        assert "Epoch 2/2" in out
        assert "loss" in out


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


@pytest.mark.parametrize("quiet", [True, False])
def test_numpy_training_prints_progress_only_outside_the_build(monkeypatch, capsys, quiet):
    from dlbook import numpy_nn
    from dlbook.optim import SGD

    monkeypatch.setenv(progress.QUIET_ENV, "1" if quiet else "0")
    net = numpy_nn.init_mlp([3, 4, 2], seed=0)
    x = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
    y = np.arange(16) % 2
    numpy_nn.train(net, x, y, epochs=2, batch_size=8, optimizer=SGD(0.1))
    out = capsys.readouterr().out
    assert ("epoch 2/2: loss" in out) is not quiet
