"""dlbook.plots: a self-contained, accessible animation."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from badinput import Spec, cases, check_spec_case, check_spec_valid
from matplotlib.animation import FuncAnimation

from dlbook.plots import (
    HOUSE_STYLE,
    animation_html,
    image_grid,
    training_curves,
    use_house_style,
)


@pytest.fixture
def animation():
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    (line,) = ax.plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda k: (line,), frames=3)
    yield anim
    plt.close(fig)


def test_animation_html_is_offline_and_accessible(animation):
    html = animation_html(animation, alt="A line that does not move at all", default_mode="once")
    assert "font-awesome" not in html
    assert "http" not in html.split("<script")[0]
    assert '<i class="fa' not in html
    assert 'alt="A line that does not move at all"' in html
    assert 'aria-label="Animation frame"' in html
    assert html.count("data:image/png;base64") == 3


def test_animation_html_rejects_bad_input(animation):
    with pytest.raises(ValueError, match="alt"):
        animation_html(animation, alt="short")
    with pytest.raises(TypeError, match="Matplotlib animation"):
        animation_html(object(), alt="A perfectly fine description")
    assert animation_html(animation, alt="A perfectly fine description")  # rendered once


# --- house style and recurring figures ----------------------------------------------------


def test_use_house_style_sets_the_one_style():
    plt.rcParams["font.size"] = 5
    use_house_style()
    for key, value in HOUSE_STYLE.items():
        assert plt.rcParams[key] == value


def test_training_curves_draws_one_line_per_curve():
    fig, ax = plt.subplots()
    training_curves(ax, {"train": [3.0, 2.0, 1.0], "validation": [3.0, 2.5, 2.4]}, ylabel="loss")
    assert len(ax.lines) == 2
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3]
    assert ax.get_legend() is not None
    plt.close(fig)


def test_image_grid_shapes_the_grid():
    fig = image_grid(np.zeros((7, 4, 4)), ncols=3, titles=[str(i) for i in range(7)])
    assert len(fig.axes) == 9
    assert sum(bool(ax.images) for ax in fig.axes) == 7
    plt.close(fig)


def _axes_kwargs(**kwargs):
    def make():
        fig, ax = plt.subplots()
        plt.close(fig)
        return {"ax": ax, **kwargs}

    return make


BAD_INPUT = [
    Spec(
        animation_html,
        make_kwargs=lambda: {"animation": _tiny_animation(), "alt": "A line that stays put."},
        extra=[
            ("alt-short", {"alt": "short"}, ValueError, "alt"),
            ("alt-type", {"alt": 3}, TypeError, "alt"),
            ("not-an-animation", {"animation": object()}, TypeError, "animation"),
        ],
    ),
    Spec(
        training_curves,
        make_kwargs=_axes_kwargs(curves={"train": [1.0, 0.5]}),
        kinds={"logy": "bool", "start": "integer"},
        extra=[
            ("curves-empty", {"curves": {}}, ValueError, "curves"),
            ("curves-list", {"curves": [1.0, 2.0]}, TypeError, "curves"),
            ("curve-nan", {"curves": {"a": [1.0, float("nan")]}}, ValueError, "curves"),
            ("curve-empty", {"curves": {"a": []}}, ValueError, "curves"),
        ],
    ),
    Spec(
        image_grid,
        kwargs={"images": np.zeros((2, 3, 3))},
        kinds={"ncols": "count", "size": "positive"},
        extra=[
            ("images-2d", {"images": np.zeros((3, 3))}, ValueError, "images"),
            ("images-str", {"images": "abc"}, TypeError, "images"),
            ("images-empty", {"images": np.zeros((0, 3, 3))}, ValueError, "images"),
            ("titles-length", {"titles": ["a"]}, ValueError, "titles"),
        ],
    ),
]
BAD_INPUT_EXEMPT = {"use_house_style": "takes no argument"}


def _tiny_animation():
    fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    (line,) = ax.plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda k: (line,), frames=2)
    plt.close(fig)
    return anim


@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
@pytest.mark.parametrize(("spec", "overrides", "exc", "arg"), cases(BAD_INPUT))
def test_bad_input(spec, overrides, exc, arg):
    check_spec_case(spec, overrides, exc, arg)
    plt.close("all")


@pytest.mark.parametrize("spec", BAD_INPUT, ids=lambda s: s.func.__name__)
def test_bad_input_valid_call(spec):
    check_spec_valid(spec)
    plt.close("all")
