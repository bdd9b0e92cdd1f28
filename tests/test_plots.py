"""dlbook.plots: a self-contained, accessible animation."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from badinput import Spec, cases, check_spec_case, check_spec_valid
from matplotlib.animation import FuncAnimation

from dlbook.plots import (
    HOUSE_STYLE,
    accuracy_intervals,
    animation_html,
    draw_graph,
    draw_network,
    image_grid,
    loss_contours,
    optimiser_path,
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
    assert "<style" not in html  # not valid in the page body; the rules are in dlbook.css
    assert 'src="data:,"' in html  # a valid placeholder until the player shows frame 0


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


# a zigzag across a valley: iterate k at w = +-1 alternately, climbing in b
ZIGZAG = np.column_stack([(-1.0) ** np.arange(11), np.arange(11.0)])


def _marked(line):
    """The (w, b) points a line marks, as a list of pairs."""
    x, y = line.get_xdata(), line.get_ydata()
    every = line.get_markevery()
    index = range(len(x)) if every is None else every
    return [(float(x[i]), float(y[i])) for i in index]


def test_optimiser_path_is_a_thin_line_with_a_marker_every_few_steps():
    fig, ax = plt.subplots()
    handle = optimiser_path(ax, ZIGZAG, every=4, label="GD", color="C3")
    assert list(ax.lines) == [handle]
    assert handle.get_label() == "GD"
    assert len(handle.get_xdata()) == 11  # every iterate on the line
    assert handle.get_linewidth() < 1.5  # thin, so nearby steps stay apart
    assert list(handle.get_markevery()) == [0, 4, 8, 10]  # every 4th, and the last
    assert handle.get_path_effects()  # a white edge against dark contours
    assert handle.get_markeredgecolor() == "white"  # filled markers have a white rim
    plt.close(fig)


def test_optimiser_path_joins_only_the_first_steps():
    fig, ax = plt.subplots()
    handle = optimiser_path(ax, ZIGZAG, joined=3, every=2, marker="s", filled=False)
    line, rest = ax.lines
    assert handle is line
    assert len(line.get_xdata()) == 4
    assert _marked(line) == [tuple(ZIGZAG[0]), tuple(ZIGZAG[2])]
    assert rest.get_linestyle() == "None"  # the later iterates: marked, not joined
    assert _marked(rest) == [tuple(ZIGZAG[k]) for k in (4, 6, 8, 10)]
    assert line.get_markerfacecolor() == "white"  # open markers
    fig2, ax2 = plt.subplots()
    optimiser_path(ax2, ZIGZAG, joined=0)  # none joined: the start, then marks
    assert len(ax2.lines[0].get_xdata()) == 1
    assert len(ax2.lines[1].get_xdata()) == 10
    plt.close(fig)
    plt.close(fig2)


def test_optimiser_path_strokes_draw_sampled_steps_as_segments():
    fig, ax = plt.subplots()
    optimiser_path(ax, ZIGZAG, strokes=True, every=3)
    (line,) = ax.lines  # the last iterate, 10, ends the stroke of step 9
    x, y = line.get_xdata(), line.get_ydata()
    segments = [(x[i : i + 2], y[i : i + 2]) for i in range(0, len(x), 3)]
    assert [list(b) for _, b in segments] == [[0, 1], [3, 4], [6, 7], [9, 10]]
    assert all(w[0] == -w[1] for w, _ in segments)  # each a crossing of the valley
    assert np.isnan(x[2::3]).all()  # separated, not joined
    optimiser_path(ax, ZIGZAG, strokes=True, every=4)  # steps 0, 4, 8: 10 marked alone
    assert _marked(ax.lines[-1]) == [tuple(ZIGZAG[10])]
    plt.close(fig)


def test_optimiser_path_styles_line_markers():
    fig, ax = plt.subplots()
    handle = optimiser_path(ax, ZIGZAG[:1], marker="x", color="k", linestyle=":")
    assert handle.get_markeredgecolor() == "k"  # a cross has no face to rim
    assert handle.get_linestyle() == ":"
    plt.close(fig)


def test_draw_graph_draws_nodes_arrows_and_both_labels():
    fig, ax = plt.subplots()
    positions = {"a": (0, 0), "b": (1, 0), "c": (2, 1)}
    edges = [("a", "b"), ("b", "c")]
    draw_graph(
        ax,
        positions,
        edges,
        node_labels={"a": "x"},
        edge_labels={("a", "b"): "0.50"},
        edge_labels_below={("a", "b"): "-0.25"},
        node_colors={"a": "0.85"},
    )
    texts = {t.get_text(): t for t in ax.texts}
    assert {"x", "b", "c", "0.50", "-0.25"} <= set(texts)
    assert texts["-0.25"].get_color() == "tab:red"
    assert len(ax.patches) == 3 + 2  # three circles, two arrows
    assert ax.get_aspect() == 1.0
    plt.close(fig)


def test_draw_network_labels_every_weight_in_the_row_convention():
    fig, ax = plt.subplots()
    draw_network(ax, (2, 3, 1))
    texts = [t.get_text() for t in ax.texts]
    assert "$W^{(1)}_{23}$" in texts  # from input 2 to hidden unit 3
    assert "$W^{(2)}_{31}$" in texts
    assert {"$x_{1}$", "$h_{3}$", "$\\hat y$", "input layer", "output layer"} <= set(texts)
    assert len(ax.patches) == 6 + 2 * 3 + 3
    plt.close(fig)
    fig, ax = plt.subplots()
    numbers = [[["0.1", "0.2"]], [["-1"], ["2"]]]
    draw_network(ax, (1, 2, 1), weight_labels=numbers, layer_names=["in", "mid", "out"])
    assert {"0.1", "0.2", "-1", "2", "mid"} <= {t.get_text() for t in ax.texts}
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
    Spec(
        optimiser_path,
        make_kwargs=_axes_kwargs(path=np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])),
        kinds={
            "every": "count",
            "joined": "natural",
            "filled": "bool",
            "strokes": "bool",
            "markersize": "positive",
            "zorder": "real",
        },
        extra=[
            ("ax-none", {"ax": None}, TypeError, "ax"),
            ("path-str", {"path": "abc"}, TypeError, "path"),
            ("path-shape", {"path": np.zeros((3, 3))}, ValueError, "path"),
            ("path-empty", {"path": np.zeros((0, 2))}, ValueError, "path"),
            ("path-nan", {"path": np.array([[0.0, float("nan")]])}, ValueError, "path"),
            ("label-number", {"label": 1}, TypeError, "label"),
            ("color-number", {"color": 3}, TypeError, "color"),
            ("color-unknown", {"color": "not a colour"}, ValueError, "color"),
            ("marker-number", {"marker": 1}, TypeError, "marker"),
            ("marker-unknown", {"marker": "?"}, ValueError, "marker"),
            ("marker-none", {"marker": "None"}, ValueError, "marker"),
            ("linestyle-unknown", {"linestyle": "solid"}, ValueError, "linestyle"),
            ("linestyle-number", {"linestyle": 1}, TypeError, "linestyle"),
            ("joined-and-strokes", {"joined": 2, "strokes": True}, ValueError, "joined"),
        ],
    ),
    Spec(
        draw_graph,
        make_kwargs=_axes_kwargs(positions={"a": (0.0, 0.0), "b": (1.0, 0.5)}, edges=[("a", "b")]),
        kinds={"label_at": "fraction", "radius": "positive", "fontsize": "positive"},
        extra=[
            ("ax-none", {"ax": None}, TypeError, "ax"),
            ("positions-list", {"positions": [(0, 0)]}, TypeError, "positions"),
            ("positions-empty", {"positions": {}}, ValueError, "positions"),
            (
                "position-nan",
                {"positions": {"a": (0.0, float("nan")), "b": (1, 1)}},
                ValueError,
                "positions",
            ),
            (
                "position-triple",
                {"positions": {"a": (0, 0, 0), "b": (1, 1)}},
                ValueError,
                "positions",
            ),
            ("edges-str", {"edges": "ab"}, TypeError, "edges"),
            ("edge-single", {"edges": [("a",)]}, TypeError, "edges"),
            ("edge-unknown", {"edges": [("a", "z")]}, ValueError, "edges"),
            ("edge-loop", {"edges": [("a", "a")]}, ValueError, "edges"),
            ("node-labels-list", {"node_labels": ["x"]}, TypeError, "node_labels"),
            ("node-label-unknown", {"node_labels": {"z": "x"}}, ValueError, "node_labels"),
            ("node-label-number", {"node_labels": {"a": 1}}, TypeError, "node_labels"),
            ("edge-label-unknown", {"edge_labels": {("b", "a"): "1"}}, ValueError, "edge_labels"),
            (
                "below-label-number",
                {"edge_labels_below": {("a", "b"): 0.5}},
                TypeError,
                "edge_labels_below",
            ),
            ("colors-list", {"node_colors": ["red"]}, TypeError, "node_colors"),
        ],
    ),
    Spec(
        draw_network,
        make_kwargs=_axes_kwargs(sizes=(2, 2, 1)),
        kinds={"label_at": "fraction", "fontsize": "positive"},
        extra=[
            ("ax-none", {"ax": None}, TypeError, "ax"),
            ("sizes-str", {"sizes": "221"}, TypeError, "sizes"),
            ("sizes-one-layer", {"sizes": (3,)}, ValueError, "sizes"),
            ("sizes-zero", {"sizes": (2, 0)}, ValueError, "sizes"),
            ("sizes-too-wide", {"sizes": (2, 9)}, ValueError, "sizes"),
            ("unit-labels-short", {"unit_labels": [["a", "b"]]}, ValueError, "unit_labels"),
            (
                "unit-label-number",
                {"unit_labels": [[1, 2], ["a", "b"], ["c"]]},
                TypeError,
                "unit_labels",
            ),
            ("weight-labels-str", {"weight_labels": "w"}, TypeError, "weight_labels"),
            ("weight-labels-short", {"weight_labels": [[["a", "b"]]]}, ValueError, "weight_labels"),
            ("layer-names-short", {"layer_names": ["in", "out"]}, ValueError, "layer_names"),
            ("layer-name-number", {"layer_names": ["in", 2, "out"]}, TypeError, "layer_names"),
        ],
    ),
    Spec(
        accuracy_intervals,
        make_kwargs=_axes_kwargs(
            accuracies={"a": 0.9, "b": 0.5}, intervals={"a": (0.85, 0.93), "b": (0.4, 0.6)}
        ),
        extra=[
            ("ax-none", {"ax": None}, TypeError, "ax"),
            ("accuracies-list", {"accuracies": [0.9]}, TypeError, "accuracies"),
            ("accuracies-empty", {"accuracies": {}, "intervals": {}}, ValueError, "accuracies"),
            ("accuracy-percent", {"accuracies": {"a": 90.0, "b": 0.5}}, ValueError, "accuracies"),
            ("accuracy-str", {"accuracies": {"a": "0.9", "b": 0.5}}, TypeError, "accuracies"),
            (
                "accuracy-nan",
                {"accuracies": {"a": float("nan"), "b": 0.5}},
                ValueError,
                "accuracies",
            ),
            ("intervals-list", {"intervals": [(0.8, 0.9)]}, TypeError, "intervals"),
            ("intervals-labels", {"intervals": {"a": (0.85, 0.93)}}, ValueError, "intervals"),
            (
                "interval-misses",
                {"intervals": {"a": (0.95, 0.97), "b": (0.4, 0.6)}},
                ValueError,
                "intervals",
            ),
            (
                "interval-triple",
                {"intervals": {"a": (0.8, 0.9, 1.0), "b": (0.4, 0.6)}},
                ValueError,
                "intervals",
            ),
            ("colors-unknown", {"colors": {"z": "red"}}, ValueError, "colors"),
            ("colors-list", {"colors": ["red"]}, TypeError, "colors"),
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


def test_accuracy_intervals_draws_one_row_per_model():
    fig, ax = plt.subplots()
    accuracy_intervals(
        ax,
        {"CNN": 0.99, "MLP": 0.98},
        {"CNN": (0.988, 0.992), "MLP": (0.977, 0.983)},
        colors={"CNN": "tab:blue"},
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["CNN", "MLP"]
    assert ax.get_xlabel() == "test accuracy (%)"
    xs = sorted(bars.lines[0].get_xdata()[0] for bars in ax.containers)  # the dots
    assert xs == pytest.approx([98.0, 99.0])
    plt.close(fig)
