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
    loss_contours,
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


def test_training_curves_styles_and_image_grid_colour_limits():
    fig, ax = plt.subplots()
    styles = {"b": {"color": "tab:red", "linestyle": "--"}}
    training_curves(ax, {"a": [1.0, 2.0], "b": [2.0, 1.0]}, styles=styles)
    assert ax.lines[1].get_linestyle() == "--"
    assert ax.lines[1].get_color() == "tab:red"
    assert ax.lines[0].get_linestyle() == "-"
    plt.close(fig)
    fig = image_grid(np.array([[[0.2, -0.1]], [[0.5, 0.4]]]), vmin=-1.0, vmax=1.0)
    assert all(ax.images[0].get_clim() == (-1.0, 1.0) for ax in fig.axes if ax.images)
    plt.close(fig)


def test_loss_contours_draws_log_levels_a_colour_bar_and_the_minimum():
    fig, ax = plt.subplots()
    w_grid, b_grid = np.linspace(-1.0, 1.0, 5), np.linspace(-2.0, 2.0, 4)
    loss = 1.0 + w_grid[np.newaxis, :] ** 2 + 10.0 * b_grid[:, np.newaxis] ** 2
    filled = loss_contours(ax, w_grid, b_grid, loss, levels=6, minimum=(0.0, 0.0))
    np.testing.assert_allclose(filled.levels, np.geomspace(loss.min(), loss.max(), 6))
    assert len(fig.axes) == 2  # the axes and its colour bar
    assert ax.lines[-1].get_label() == "minimum"
    assert ax.get_xlabel() == "weight w"
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
            ("styles-list", {"styles": [1]}, TypeError, "styles"),
            ("styles-unknown-label", {"styles": {"nope": {}}}, ValueError, "styles"),
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
            ("vmin-str", {"vmin": "0"}, TypeError, "vmin"),
            ("vmax-nan", {"vmax": float("nan")}, ValueError, "vmax"),
            ("vmin-above-vmax", {"vmin": 1.0, "vmax": 0.0}, ValueError, "vmin"),
        ],
    ),
    Spec(
        loss_contours,
        make_kwargs=_axes_kwargs(
            w_grid=np.array([0.0, 1.0, 2.0]),
            b_grid=np.array([0.0, 1.0]),
            loss=np.array([[1.0, 2.0, 4.0], [8.0, 16.0, 32.0]]),
        ),
        kinds={"w_grid": "vector", "b_grid": "vector", "levels": "count"},
        extra=[
            ("ax-none", {"ax": None}, TypeError, "ax"),
            ("loss-shape", {"loss": np.ones((3, 2))}, ValueError, "loss"),
            ("loss-nan", {"loss": np.full((2, 3), float("nan"))}, ValueError, "loss"),
            ("loss-negative", {"loss": -np.ones((2, 3))}, ValueError, "loss"),
            ("loss-zero", {"loss": np.zeros((2, 3))}, ValueError, "loss"),
            ("loss-str", {"loss": "abc"}, TypeError, "loss"),
            ("levels-one", {"levels": 1}, ValueError, "levels"),
            ("lowest-zero", {"lowest": 0.0}, ValueError, "lowest"),
            ("lowest-str", {"lowest": "1"}, TypeError, "lowest"),
            ("lowest-above-max", {"lowest": 100.0}, ValueError, "lowest"),
            ("minimum-length", {"minimum": (1.0,)}, ValueError, "minimum"),
            ("minimum-nan", {"minimum": (1.0, float("nan"))}, ValueError, "minimum"),
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
