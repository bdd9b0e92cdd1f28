"""The local site extension's pure helpers (no build needed)."""

from __future__ import annotations

import sys

from conftest import ROOT
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

sys.path.insert(0, str(ROOT / "_ext"))
import dlbook_site


def doctree(*paragraphs: str) -> nodes.document:
    document = new_document("page", get_default_settings(Parser))
    for text in paragraphs:
        document += nodes.paragraph(text, text)
    return document


def test_description_is_the_first_real_paragraph():
    tree = doctree("Short.", "This chapter teaches gradient descent on one neuron, from Celsius.")
    assert dlbook_site.page_description(tree, "fallback").startswith("This chapter teaches")


def test_description_is_cut_at_a_word():
    long = "word " * 100
    text = dlbook_site.page_description(doctree(long), "fallback")
    assert len(text) <= dlbook_site.DESCRIPTION_CHARS
    assert text.endswith("word…")


def test_description_falls_back_to_the_project():
    assert dlbook_site.page_description(doctree("Tiny."), "dlbook") == "dlbook"
    assert dlbook_site.page_description(None, "dlbook") == "dlbook"


def test_patch_page_labels_the_sidebar_and_unwraps_lists():
    page = (
        '<div class="sidebar-primary-items__start sidebar-primary__section"><a>x</a></div>'
        '<dd><p><ul class="simple">\n<li><p>a</p></li>\n</ul>\n</p>\n</dd>'
    )
    patched = dlbook_site.patch_page(page)
    assert 'role="region" aria-label="Book navigation"' in patched
    assert '<dd><ul class="simple">' in patched
    assert "</ul>\n</dd>" in patched
    assert dlbook_site.patch_page(patched) == patched


def test_the_browsers_mnist_copy_depends_only_on_the_arrays(tmp_path):
    """``write_npz`` (through ``write_fixed_zip``, which the dlbook wheel uses too): the same
    arrays give the same bytes at any time, and NumPy reads them back unchanged."""
    import time

    import dlbook_lite
    import numpy as np

    arrays = {"x": np.arange(12, dtype=np.uint8).reshape(3, 4), "y": np.array([1, 2, 3])}
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    dlbook_lite.write_npz(arrays, first)
    time.sleep(2.1)  # zip timestamps have a resolution of two seconds
    dlbook_lite.write_npz(arrays, second)
    assert first.read_bytes() == second.read_bytes()
    with np.load(first, allow_pickle=False) as loaded:
        assert sorted(loaded.files) == ["x", "y"]
        for key, array in arrays.items():
            np.testing.assert_array_equal(loaded[key], array)


def test_the_report_problem_link_is_the_theme_issue_buttons():
    import learner_notebook

    url = learner_notebook.issue_url("https://github.com/o/r/", "book/optimisers")
    assert url == (
        "https://github.com/o/r/issues/new?title=Issue%20on%20page%20%2Fbook/optimisers.html"
        "&body=Your%20issue%20content%20here."
    )
