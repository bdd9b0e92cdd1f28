"""A learner's path through the chapters (issue 17), checked on the sources:

* the source project is introduced once, in the introduction, and called by one name elsewhere;
* asides fold: each is a dropdown admonition titled "Aside: ...", and every code cell that belongs
  to an aside is folded whole (``hide-cell``) or keeps only its output (``hide-input``, for a figure
  glued into the aside);
* refreshers fold the same way;
* exercises and sections are referred to by labels, never by typed numbers.
"""

from __future__ import annotations

import re

import jupytext
import pytest
from conftest import ROOT
from test_glossary import CHAPTERS, glossary_links

INTRO = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
ADMONITION = re.compile(r"^(:{3,})\{admonition\}\s*(.*)\n((?::[\w-]+:.*\n)*)", re.MULTILINE)


def _prose(text: str) -> str:
    """The chapter's prose with everything else blanked (code, maths, options, roles, links)."""
    mask = glossary_links._prose_mask(text)
    return "".join(c if keep or c == "\n" else " " for c, keep in zip(text, mask, strict=True))


def test_the_intro_introduces_the_source_project():
    assert "(source-project)=" in INTRO
    assert "**the source project**" in INTRO


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_source_project_has_one_name(path):
    prose = _prose(path.read_text(encoding="utf-8"))
    for pattern in (r"\bthe source\b(?!\s+project)", r"\bsource's", r"\bsource(?:’|')s\b"):
        found = [m.group(0) for m in re.finditer(pattern, prose, flags=re.IGNORECASE)]
        assert not found, f"{path.name}: call it 'the source project', not {found}"
    readme = re.findall(r"(?<!project's )(?<!project’s )\bREADME\b", prose)
    assert not readme, f"{path.name}: say 'the source project's README'"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_asides_and_refreshers_fold(path):
    text = path.read_text(encoding="utf-8")
    for _, title, options in ADMONITION.findall(text):
        classes = re.search(r":class:\s*(.*)", options)
        classes = set(classes.group(1).split()) if classes else set()
        if title.startswith("Aside:"):
            assert {"dropdown", "aside"} <= classes, f"{path.name}: aside {title!r} must fold"
        if title.startswith("Refresher:"):
            assert "dropdown" in classes, f"{path.name}: refresher {title!r} must fold"
        if title.startswith("Derivation:"):
            assert {"dropdown", "derivation"} <= classes, f"{path.name}: {title!r} must fold"
        if "aside" in classes:
            assert title.startswith("Aside:"), f"{path.name}: an aside's title starts 'Aside:'"
    notebook = jupytext.read(path)
    for cell in notebook.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "code" and "aside" in tags:
            assert tags & {"hide-cell", "hide-input", "remove-cell"}, (
                f"{path.name}: an aside's code cell must fold: {cell.source[:60]!r}"
            )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_references_use_labels_not_typed_numbers(path):
    prose = _prose(path.read_text(encoding="utf-8"))
    typed = re.findall(r"\b(?:[Ee]xercises?|[Ss]ections?|[Ff]igures?|[Cc]hapters?)\s+\d+\b", prose)
    assert not typed, f"{path.name}: refer by label ({{ref}}, {{numref}}), not {typed}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_each_chapter_says_how_to_report_a_problem(path):
    """In words, at its exercises: a link that opens an issue naming the page, and the errata."""
    text = path.read_text(encoding="utf-8")
    exercises = text.split("\n## Exercises\n", 1)
    assert len(exercises) == 2, f"{path.name}: no Exercises section"
    opening = exercises[1].split("```{exercise}", 1)[0]
    assert "{report-problem}`" in opening, f"{path.name}: say how to report a problem"
    assert "{doc}`errata`" in opening, f"{path.name}: link the errata page"
