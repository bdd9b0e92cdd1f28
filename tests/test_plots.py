"""dlbook.plots: a self-contained, accessible animation."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.animation import FuncAnimation

from dlbook.plots import animation_html


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
