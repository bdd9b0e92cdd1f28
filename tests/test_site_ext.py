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
