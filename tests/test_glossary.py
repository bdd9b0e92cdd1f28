"""The glossary: every term defined with a link to the section that teaches it, and linked from
every chapter at its first use there (issue 17)."""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location(
    "glossary_links", ROOT / "scripts" / "glossary_links.py"
)
glossary_links = importlib.util.module_from_spec(_spec)
sys.modules["glossary_links"] = glossary_links
_spec.loader.exec_module(glossary_links)

TEXT = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
ENTRIES = glossary_links.glossary_entries(TEXT)
TERMS = list(ENTRIES)
CHAPTERS = glossary_links.chapters()

# The terms the issue names as used before being explained, and those the chapters teach.
REQUIRED = {
    "unit",
    "activation function",
    "layer",
    "hidden layer",
    "full-batch",
    "overfitting",
    "one-hot",
    "logits",
    "SGD",
    "mini-batch",
    "epoch",
    "dropout",
    "filter",
    "channel",
    "feature map",
    "eigenvalue",
    "condition number",
    "backpropagation",
    "computational graph",
    "adjoint",
    "softmax",
    "cross-entropy",
    "momentum",
    "Adam",
    "calibration",
    "McNemar's test",
    "95 % interval",
    "convolution",
    "pooling",
    "stride",
    "padding",
    "receptive field",
    "equivariance",
    "data augmentation",
    "validation set",
    "test set",
}


def _slug(heading: str) -> str:
    """The anchor myst-parser gives a heading (``myst_heading_anchors``)."""
    text = re.sub(r"\{[\w:-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", heading)
    text = re.sub(r"[`*$\\]", "", text).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"\s", "-", text)


def _sections(path) -> dict[str, str]:
    """A chapter's sections (levels 1 to 3) by anchor, each with its text up to the next one."""
    sections, anchor, fence = {}, "", False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence = line.strip() != "```"
        heading = re.match(r"(#{1,3}) (.+)", line)
        if heading and not fence:
            anchor = _slug(heading.group(2))
            sections[anchor] = heading.group(2) + "\n"
        elif anchor:
            sections[anchor] += line + "\n"
    return sections


def test_glossary_has_the_terms_learners_need():
    assert not REQUIRED - set(TERMS), f"missing terms: {sorted(REQUIRED - set(TERMS))}"
    assert len(TERMS) == len(set(TERMS)), "a term is listed twice"


@pytest.mark.parametrize("term", TERMS)
def test_each_definition_is_short_and_links_where_it_is_taught(term):
    definition = ENTRIES[term]
    sentences = [s for s in re.split(r"(?<=[.?!)])\s+(?=[A-Z(])", definition.strip()) if s]
    assert len(sentences) <= 4, f"{term}: keep a definition to one or two sentences and a link"
    links = re.findall(r"\]\(([\w-]+)\.md(?:#([\w-]+))?\)", definition)
    assert links, f"{term}: no link to the section that teaches it"
    page, anchor = links[-1]
    path = ROOT / "book" / f"{page}.md"
    assert path.exists(), f"{term}: links to a missing chapter {page}"
    text = path.read_text(encoding="utf-8")
    if anchor:
        sections = _sections(path)
        assert anchor in sections, f"{term}: no heading with anchor #{anchor} in {page}"
        text = sections[anchor]
    forms = glossary_links._forms(term)
    assert any(re.search(glossary_links._pattern(form), text) for form in forms), (
        f"{term}: the section it links to ({page}#{anchor}) does not mention it"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_first_use_of_each_term_links_to_the_glossary(path):
    text = path.read_text(encoding="utf-8")
    missing = glossary_links.unlinked_first_uses(text, TERMS)
    where = [f"line {text.count(chr(10), 0, use.start) + 1}: {use.term!r}" for use in missing]
    assert not missing, (
        f"first uses not linked ({path.name}): {where}; run scripts/glossary_links.py --fix"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_term_roles_name_glossary_terms(path):
    text = path.read_text(encoding="utf-8")
    for role in glossary_links.TERM_ROLE.finditer(text):
        target = (role.group(2) or role.group(1)).strip()
        assert target.lower() in {t.lower() for t in TERMS}, (
            f"{path.name}: no glossary term {target!r}"
        )


def test_every_glossary_term_is_linked_from_some_chapter():
    linked = set()
    for path in CHAPTERS:
        uses = glossary_links.term_uses(path.read_text(encoding="utf-8"), TERMS)
        linked |= {term for term, found in uses.items() if any(use.linked for use in found)}
    assert not set(TERMS) - linked, f"never linked: {sorted(set(TERMS) - linked)}"


def test_linking_is_idempotent_and_keeps_the_words():
    text = "We train a CNN for one epoch.\n\nEach epoch is a pass; the CNN wins.\n"
    linked = glossary_links.link_first_uses(text, ["CNN", "epoch"])
    assert (
        linked
        == "We train a {term}`CNN` for one {term}`epoch`.\n\nEach epoch is a pass; the CNN wins.\n"
    )
    assert glossary_links.link_first_uses(linked, ["CNN", "epoch"]) == linked
    plural = glossary_links.link_first_uses("Two epochs.\n", ["epoch"])
    assert plural == "Two {term}`epochs <epoch>`.\n"


def test_code_maths_headings_and_options_are_not_prose():
    text = (
        "# An epoch heading\n\n```{code-cell} ipython3\nepoch = 1\n```\n\n"
        "$$\nepoch\n$$\n\n```{glue:figure} key\n:alt: an epoch\n\nOne epoch, in a caption.\n```\n"
    )
    (use,) = glossary_links.term_uses(text, ["epoch"])["epoch"]
    assert text[use.start - 4 : use.end] == "One epoch"


def test_the_intro_lists_the_concepts_each_chapter_teaches():
    """Each chapter's "Concepts:" line in the intro names exactly the glossary terms taught there
    (those whose entry links to that chapter), so the list cannot drift from the glossary."""
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    taught: dict[str, set[str]] = {}
    for term, body in ENTRIES.items():
        page = re.search(r"\]\(([\w-]+)\.md", body)
        taught.setdefault(page.group(1), set()).add(term)
    items = re.findall(r"^- \{doc\}`([\w-]+)`:(.*?)(?=^- |^$)", intro, flags=re.M | re.S)
    listed = {}
    for page, item in items:
        concepts = re.search(r"Concepts: (.*)\.", item, flags=re.S)
        if concepts:
            listed[page] = set(re.findall(r"\{term\}`([^`]+)`", concepts.group(1)))
    assert listed == {page: terms for page, terms in taught.items()}
