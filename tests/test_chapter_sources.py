"""The chapters' sources follow the book's conventions for code that teaches.

Cheap checks on ``book/*.md`` (no build needed):

* every listing a chapter includes from the package is a short core: no docstring, no
  argument checks (no ``raise``), no reST markup, at most 25 lines, shown whole;
* no cell that draws a figure is removed from the page (it is folded instead);
* nothing a removed cell defines is used by code the page shows (a reader who copies a
  shown cell never meets a ``NameError`` from a cell they could not see).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import pytest
from conftest import ROOT

CHAPTERS = sorted(p for p in (ROOT / "book").glob("*.md") if "kernelspec:" in p.read_text())
LISTING = re.compile(r"```\{literalinclude\}\s+(\S+)\n((?::[\w-]+:[^\n]*\n)*)")
MAX_LISTING_LINES = 25
REST_ROLE = re.compile(r":(math|func|class|meth|attr|data|mod|obj|ref|doc):`")
TRIMMING = ("start-at", "start-after", "end-at", "end-before", "lines")
DRAWS = re.compile(r"\bplt\.|\.subplots\(|\bimshow\(|\.plot\(|\bplots\.\w+\(|FuncAnimation")
REMOVED = {"remove-cell", "remove-input"}


def listings() -> list[tuple[str, Path, str, dict[str, str]]]:
    found = []
    for chapter in CHAPTERS:
        for target, options in LISTING.findall(chapter.read_text()):
            opts = dict(re.findall(r":([\w-]+):\s*([^\n]*)", options))
            found.append((chapter.name, (chapter.parent / target).resolve(), target, opts))
    return found


def find_object(tree: ast.Module, dotted: str) -> ast.AST:
    scope: list[ast.stmt] = tree.body
    node = None
    for part in dotted.split("."):
        node = next(
            n
            for n in scope
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and n.name == part
        )
        scope = node.body
    return node


def shown_lines(path: Path, pyobject: str) -> list[str]:
    """The lines a ``literalinclude`` of ``pyobject`` in ``path`` shows, decorators included."""
    source = path.read_text()
    node = find_object(ast.parse(source), pyobject)
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return source.splitlines()[first - 1 : node.end_lineno]


@pytest.mark.parametrize(
    ("chapter", "path", "target", "opts"),
    listings(),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_listings_are_short_cores(chapter, path, target, opts):
    where = f"{chapter}: {target} {opts.get('pyobject', '')}"
    assert "dlbook" in target, f"{where}: a listing comes from the dlbook package"
    assert "pyobject" in opts, f"{where}: show one function or class (:pyobject:), not a file"
    trims = [t for t in TRIMMING if t in opts]
    assert not trims, f"{where}: listings are shown whole (no {trims}): show a short core instead"
    shown = shown_lines(path, opts["pyobject"])
    assert len(shown) <= MAX_LISTING_LINES, f"{where}: {len(shown)} lines shown"
    for sub in ast.walk(find_object(ast.parse(path.read_text()), opts["pyobject"])):
        if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            assert ast.get_docstring(sub) is None, f"{where}: shows a docstring ({sub.name})"
        assert not isinstance(sub, ast.Raise), f"{where}: shows an argument check (raise)"
    assert not REST_ROLE.search("\n".join(shown)), f"{where}: shows reST markup"


def cells(chapter: Path) -> list[tuple[set[str], str]]:
    notebook = jupytext.read(chapter)
    return [
        (set(cell.metadata.get("tags", [])), cell.source)
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_no_figure_cell_is_removed(chapter):
    for tags, source in cells(chapter):
        if tags & REMOVED:
            assert not DRAWS.search(source), (
                f"{chapter.name}: a removed cell draws a figure; fold it (hide-input):\n"
                f"{source[:300]}"
            )


def _names(source: str) -> tuple[set[str], set[str]]:
    """Names a cell binds and names it reads (IPython magics dropped)."""
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    tree = ast.parse(code)
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound, read


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_shown_code_uses_no_name_from_a_removed_cell(chapter):
    hidden_only: set[str] = set()
    shown_bound: set[str] = set()
    chapter_cells = cells(chapter)
    for tags, source in chapter_cells:
        bound, _ = _names(source)
        if "remove-cell" in tags:
            hidden_only |= bound
        else:
            shown_bound |= bound
    hidden_only -= shown_bound
    for tags, source in chapter_cells:
        if "remove-cell" in tags:
            continue
        _, read = _names(source)
        leaked = sorted(read & hidden_only)
        assert not leaked, (
            f"{chapter.name}: shown code uses {leaked}, defined only in removed cells:\n"
            f"{source[:300]}"
        )
