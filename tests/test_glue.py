"""dlbook.glue: myst-nb's glue inside the build, a figure shown outside it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from badinput import Spec, bad_input_tests
from IPython import display as ipython_display
from IPython.display import HTML, Markdown

from dlbook import glue as glue_module
from dlbook.glue import glue, shows_outside_the_book

BAD_INPUT = [
    Spec(
        glue,
        {"name": "a_number", "value": 0.5, "display": False},
        {"display": "bool"},
        extra=[
            ("name-int", {"name": 3}, TypeError, "name"),
            ("name-empty", {"name": ""}, ValueError, "name"),
        ],
    ),
]
BAD_INPUT_EXEMPT = {"shows_outside_the_book": "a predicate that takes any object"}
test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


@pytest.fixture
def shown(monkeypatch):
    seen = []
    monkeypatch.setattr(ipython_display, "display", lambda value: seen.append(value))
    return seen


def test_outside_the_build_a_figure_is_shown_and_a_number_is_not(monkeypatch, shown):
    monkeypatch.delenv("DLBOOK_QUIET", raising=False)
    fig, _ = plt.subplots()
    glue("a_figure", fig, display=False)
    plt.close(fig)  # what the chapters do next: the figure was already displayed
    glue("a_number", 0.5, display=False)
    glue("a_sentence", Markdown("faster"), display=False)
    glue("an_animation", HTML("<p>frames</p>"), display=False)
    assert [type(v).__name__ for v in shown] == ["Figure", "HTML"]


def test_inside_the_build_it_is_myst_nbs_glue(monkeypatch, shown):
    import myst_nb.ext.glue

    monkeypatch.setenv("DLBOOK_QUIET", "1")
    stored = []
    monkeypatch.setattr(myst_nb.ext.glue, "ipy_display", lambda *a, **k: stored.append(k))
    glue("a_number", 0.5, display=False)
    assert stored[0]["metadata"]["scrapbook"]["name"] == "a_number"
    assert not shown


def test_what_shows_outside_the_book():
    fig, _ = plt.subplots()
    assert shows_outside_the_book(fig)
    plt.close(fig)
    assert not shows_outside_the_book(3)
    assert not shows_outside_the_book(Markdown("x"))
    assert glue_module.__all__ == ["glue", "shows_outside_the_book"]
