"""scripts/check_seeds.py on a small book: a sentence that flips, an assert that fails, a
number that moves, and seed 0 from the build's cache."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_seeds.py"

CHAPTER = textwrap.dedent(
    """\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---
    # A chapter

    ```{code-cell} ipython3
    from IPython.display import Markdown

    from dlbook._checks import seed_offset
    from dlbook.glue import glue
    from dlbook.toy_data import make_moons

    x, _ = make_moons(50, seed=0)
    glue("spread", float(x[:, 0].std()), display=False)
    glue("word", "even" if seed_offset() % 2 == 0 else "odd", display=False)
    glue("story", Markdown(f"a sentence with {len(x)} points and {x[0, 0]:.3f}"),
         display=False)
    ```

    ```{code-cell} ipython3
    assert seed_offset() != 2, "the claim does not hold under seed 2"
    glue("after", 1.0, display=False)
    ```
    """
)


@pytest.fixture
def small_book(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "chapter.md").write_text(CHAPTER)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/chapter\n")
    return tmp_path


def run(book, *args):
    out = book / "result.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--book", str(book), "--out", str(out), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text()), done.stdout


@pytest.mark.build
def test_flips_failures_and_spreads_are_reported(small_book):
    result, printed = run(small_book, "--seeds", "1", "2")
    assert result["seeds"] == [0, 1, 2]
    chapter = result["chapters"]["chapter"]
    assert chapter["sentences checked"] == 2  # the word and the Markdown sentence
    # The word changes under seed 1; the sentence's numbers change but not its wording.
    assert [(f["seed"], f["name"]) for f in chapter["flipped"]] == [(1, "word")]
    assert chapter["flipped"][0]["seed 0"] == "even"
    assert chapter["flipped"][0]["this seed"] == "odd"
    # Seed 2 stops at the assert, with its message and the chapter's line.
    failure = chapter["failures"]["2"]
    assert failure["error"] == "AssertionError: the claim does not hold under seed 2"
    # the line is the failing cell's first line in the chapter's source
    assert CHAPTER.splitlines()[failure["line"] - 1].startswith("assert seed_offset()")
    # Every glued number with its value under each seed that reached it.
    spread = chapter["numbers"]["spread"]
    assert set(spread["by seed"]) == {"0", "1", "2"}
    assert spread["spread"] > 0
    assert set(chapter["numbers"]["after"]["by seed"]) == {"0", "1"}
    assert "1 flipped" in printed
    assert "seed 2 FAILED" in printed


@pytest.mark.build
def test_seed_0_comes_from_a_matching_cache(small_book, monkeypatch):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from nbclient import NotebookClient

    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import check_seeds
    finally:
        sys.path.pop(0)
    chapter = small_book / "book" / "chapter.md"
    nb = check_seeds.read_notebook(chapter)
    monkeypatch.setenv("DLBOOK_QUIET", "1")  # as the build: glue records its values
    where = {"metadata": {"path": str(chapter.parent)}}
    NotebookClient(nb, resources=where, record_timing=False).execute()
    cache = get_cache(str(small_book / "cache"))
    cache.cache_notebook_bundle(CacheBundleIn(nb, str(chapter)), check_validity=False)
    result, printed = run(small_book, "--seeds", "1", "--baseline-cache", str(small_book / "cache"))
    assert "chapter, seed 0: from the cache" in printed
    assert [f["name"] for f in result["chapters"]["chapter"]["flipped"]] == ["word"]
