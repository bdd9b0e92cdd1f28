"""Snippets run as shown (issue 26): what a learner copies from a page runs in a fresh kernel.

* each chapter's imports are in one visible cell, its first code cell: a snippet copied from
  anywhere below needs that cell and nothing folded;
* visible cells carry no build plumbing: no ``glue(...)`` call (the build's way of handing a
  number to the prose) in a cell the page shows open, and no ``assert`` in a visible solution
  (a guard of the solution's wording belongs in a removed cell after it).

That every visible and folded cell runs, in order, in a fresh kernel is tested once, on the
learner notebooks, in JupyterLab (``tests/test_binder.py``): they are exactly those cells.
"""

from __future__ import annotations

import ast
import re

import jupytext
import pytest
from test_chapter_sources import listings, shown_lines
from test_glossary import CHAPTERS

FOLDED = {"hide-cell", "hide-input", "remove-cell", "remove-input"}


def _cells(path):
    """(cell, in a solution) for the code cells a learner's notebook keeps, in order."""
    in_solution = False
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "code":
            # the last solution marker in the text before a code cell says whether it is in one
            for marker in re.findall(r"\{solution-(start|end)\}", cell.source):
                in_solution = marker == "start"
            continue
        if "remove-cell" in cell.metadata.get("tags", []):
            continue
        yield cell, in_solution


def _tags(cell) -> set[str]:
    return set(cell.metadata.get("tags", []))


def _imports(source: str) -> list[str]:
    """The import statements of a cell (IPython magics left out)."""
    code = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )
    return [
        ast.get_source_segment(code, node) or ""
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_imports_are_in_one_visible_cell_at_the_top(path):
    cells = [cell for cell, _ in _cells(path)]
    first, rest = cells[0], cells[1:]
    assert not _tags(first) & FOLDED, f"{path.name}: the imports cell must be visible, not folded"
    assert _imports(first.source), f"{path.name}: the first code cell holds the chapter's imports"
    for cell in rest:
        found = _imports(cell.source)
        assert not found, (
            f"{path.name}: move {found} into the imports cell at the top "
            f"(from the cell starting {cell.source.splitlines()[0][:60]!r})"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_visible_cells_carry_no_build_plumbing(path):
    for cell, in_solution in _cells(path):
        if _tags(cell) & FOLDED:
            continue
        start = cell.source.splitlines()[0][:60] if cell.source else ""
        assert not re.search(r"\bglue\(", cell.source), (
            f"{path.name}: a visible cell calls glue(); move it into a removed cell after it "
            f"({start!r})"
        )
        if in_solution:
            assert not re.search(r"^\s*assert\b", cell.source, flags=re.MULTILINE), (
                f"{path.name}: a visible solution asserts; move the guard into a removed cell "
                f"after it ({start!r})"
            )


def test_the_checks_see_solutions_and_imports():
    """The two tests above would pass vacuously if the parsing found nothing."""
    path = next(p for p in CHAPTERS if p.stem == "gradient-descent")
    cells = list(_cells(path))
    assert any(in_solution for _, in_solution in cells)
    assert _imports(cells[0][0].source)
    assert _imports("import numpy as np\n%matplotlib inline\nfrom a import b") == [
        "import numpy as np",
        "from a import b",
    ]


MAX_LINE = 88
"""The longest line of code a chapter shows: at a 1280 px window the column holds it
(``book/_static/dlbook.css``; checked in Chromium by ``tests/test_site.py``)."""


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_shown_code_fits_the_column(path):
    long = [
        (len(line), line.strip()[:50])
        for cell, _ in _cells(path)
        for line in cell.source.splitlines()
        if len(line) > MAX_LINE
    ]
    for chapter, source, _, opts in listings():
        if chapter == path.name:
            long += [
                (len(line), f"{opts['pyobject']}: {line.strip()[:40]}")
                for line in shown_lines(source, opts["pyobject"])
                if len(line) > MAX_LINE
            ]
    assert not long, f"{path.name}: lines over {MAX_LINE} characters: {long}"
