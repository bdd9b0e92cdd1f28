"""The build is strict: a failing cell, a dangling reference, an unknown glue key or stray
stderr fails it, and a change to ``dlbook`` re-executes the chapters (no stale numbers)."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT, run_build

GOOD_CHAPTER = """# A chapter

```{code-cell} ipython3
from myst_nb import glue
import numpy as np
from dlbook.explore import pixel_summary

glue("mean_pixel", pixel_summary(np.full((2, 2), 7, dtype=np.uint8))["mean"], display=False)
```

The mean pixel is {glue:text}`mean_pixel:.2f`.
"""


def pasted_values(book) -> list[str]:
    html = (book / "_build" / "html" / "book" / "chapter.html").read_text()
    return re.findall(r'<span class="pasted-text">([^<]*)</span>', html)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("```{code-cell} ipython3\n1 / 0\n```\n", "ZeroDivisionError"),
        ("See {ref}`no-such-label`.\n", "undefined label"),
        (
            "```{code-cell} ipython3\nfrom myst_nb import glue\nglue('a', 1, display=False)\n```\n"
            "Value {glue:text}`not_glued`.\n",
            "not_glued",
        ),
        (
            "```{code-cell} ipython3\nimport sys\nsys.stderr.write('stray warning')\n```\n",
            "stderr was found in the cell outputs",
        ),
    ],
    ids=["failing-cell", "dangling-reference", "unknown-glue-key", "stderr-output"],
)
def test_strict_build_fails(mini_book, body, expected):
    book = mini_book("# Broken\n\n" + body)
    result = run_build(book, {"PYTHONPATH": str(book)})
    log = result.stdout + result.stderr
    assert result.returncode != 0, f"the build should have failed:\n{log[-3000:]}"
    assert expected in log


def test_changing_dlbook_reexecutes_the_chapters(mini_book):
    book = mini_book(GOOD_CHAPTER)
    env = {"PYTHONPATH": str(book)}
    first = run_build(book, env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert pasted_values(book) == ["7.00"]

    # Same sources: the cached outputs are reused.
    again = run_build(book, env)
    assert again.returncode == 0
    assert "Executing" not in again.stdout

    module = book / "dlbook" / "explore.py"
    source = module.read_text()
    assert "mean, std = float(values.mean())," in source
    module.write_text(source.replace("float(values.mean()),", "float(values.mean()) + 1.0,"))
    second = run_build(book, env)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "clearing the execution cache" in second.stdout
    assert pasted_values(book) == ["8.00"], "the page still shows the stale number"


def test_plain_build_needs_no_wrapper_flags():
    """Hosting services run plain ``jupyter-book build .``: strictness lives in the config."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx = config["sphinx"]
    assert sphinx["config"]["nb_execution_raise_on_error"] is True
    assert sphinx["config"]["nb_output_stderr"] == "warn"
    assert "dlbook_guard" in sphinx["local_extensions"]
    assert config["execute"]["execute_notebooks"] == "cache"
