"""Run in your browser: each in-browser chapter's notebook runs in JupyterLite, in Chromium.

The site (``_build/html``, or the folder named by ``DLBOOK_LITE_HTML``, e.g. a build of just the
NumPy chapters) is served on 127.0.0.1 and every request elsewhere is refused. For each chapter
with a "Run in your browser" link, the test opens the link, runs all cells and fails on an error
in any cell, a Markdown cell that shows raw MyST, fewer figures than the page shows, a request
that left the site, or a printed number that differs from the page's. Times (page open to the
first cell's result, and Run All) go to ``_build/lite-timings.json``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, serve_folder

sys.path.insert(0, str(ROOT / "_ext"))
import dlbook_lite

pytestmark = pytest.mark.site

TIMINGS = ROOT / "_build" / "lite-timings.json"
RUN_ALL_TIMEOUT_MS = 540_000
RAW_MYST = re.compile(r"\{(glue|term|ref|doc|numref|eq)[:}]|^:::|```\{|\{code-cell\}", re.M)
ERROR_TEXT = re.compile(r"Traceback|\b\w+Error\b|\bException\b")

#: Lines a visible cell prints, with numbers the page shows: the browser must print the same.
PRINTED = {
    "gradient-descent": [
        r"^after [\d,]+ steps: .*$",
        r"^dL/dw: analytic .*$",
        r"^pixels / 255: mean .*$",  # read from MNIST, which the site serves
    ],
    "optimisers": [r"^\d+ training pairs, minimum MSE .*$", r"^eigenvalues .*$"],
    "mnist-data": [r"^x_train\s+shape=.*$", r"^y_test\s+shape=.*$", r"^pixels changed: .*$"],
}


@pytest.fixture(scope="module")
def html_dir(request) -> Path:
    named = os.environ.get("DLBOOK_LITE_HTML")
    return Path(named) if named else request.getfixturevalue("built_book")


@pytest.fixture(scope="module")
def server(html_dir):
    with serve_folder(html_dir) as address:
        yield address


def lite_chapters(html_dir: Path) -> list[tuple[str, str, BeautifulSoup]]:
    """(chapter, the button's address relative to the site, the page) for each button."""
    found = []
    for path in sorted((html_dir / "book").glob("*.html")):
        soup = BeautifulSoup(path.read_text(), "html.parser")
        link = soup.find("a", string=dlbook_lite.BUTTON_LABEL)
        if link is not None:
            target, query = link["href"].split("?", 1)
            address = os.path.normpath(Path("book") / target)
            found.append((path.stem, f"{address}?{query}", soup))
    return found


def test_the_numpy_chapters_have_a_button(html_dir):
    chapters = [c for c, _, _ in lite_chapters(html_dir)]
    built = [c for c in dlbook_lite.DEFAULT_CHAPTERS if (html_dir / "book" / f"{c}.html").exists()]
    assert chapters == sorted(built), f"buttons on {chapters}, chapters built {built}"
    assert chapters, "no in-browser chapter in this build"
    for chapter in chapters:
        assert (html_dir / "lite" / "files" / f"{chapter}.ipynb").is_file()


def test_the_lite_site_holds_only_local_assets(html_dir):
    config = json.loads((html_dir / "lite" / "jupyter-lite.json").read_text())
    text = json.dumps(config)
    assert "cdn" not in text.lower(), text
    options = config["jupyter-config-data"]["litePluginSettings"]
    kernel = options["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"].startswith("./"), kernel
    env = kernel["loadPyodideOptions"]["env"]  # where the kernel's load_mnist finds MNIST
    assert env["DLBOOK_MNIST_URL"].endswith("files/" + dlbook_lite.MNIST_FILE), env
    assert (html_dir / "lite" / "files" / dlbook_lite.MNIST_FILE).is_file()


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def _page_images(soup: BeautifulSoup) -> int:
    article = soup.select_one("article") or soup
    return len([i for i in article.find_all("img") if "_images/" in i.get("src", "")])


def _printed(texts: list[str], pattern: str) -> list[str]:
    return [m.group(0).strip() for t in texts for m in re.finditer(pattern, t, re.M)]


@pytest.mark.parametrize("chapter", list(dlbook_lite.DEFAULT_CHAPTERS))
def test_the_chapter_runs_in_the_browser(html_dir, server, browser, chapter):
    chapters = {c: (href, soup) for c, href, soup in lite_chapters(html_dir)}
    if chapter not in chapters:
        pytest.skip(f"{chapter} is not in this build")
    href, soup = chapters[chapter]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def route(request_route):
        if request_route.request.url.startswith(server):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    console: list[str] = []  # e.g. a package the kernel asks for that the site does not ship
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    try:
        start = time.perf_counter()
        page.goto(server + href + "&reset", wait_until="load")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        page.wait_for_function(
            "() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
            " || document.querySelector('.jp-KernelStatus')",
            timeout=120_000,
        )
        opened = time.perf_counter() - start
        # Folded cells hide their prompt: show every cell's code, then run them all.
        _menu(page, "View", "Expand All Code")
        _menu(page, "Run", "Run All Cells")
        page.wait_for_function(
            "() => { const p = document.querySelector('.jp-CodeCell .jp-InputPrompt');"
            " return p && /\\[\\d+\\]/.test(p.textContent); }",
            timeout=RUN_ALL_TIMEOUT_MS,
        )
        first = time.perf_counter() - start
        # Every cell ran, or one failed (Run All stops there).
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
            ".every(p => /\\[\\d+\\]/.test(p.textContent))"
            " || [...document.querySelectorAll('.jp-OutputArea-output')]"
            ".some(o => /Traceback/.test(o.textContent))",  # not a ValueError a cell prints
            timeout=RUN_ALL_TIMEOUT_MS,
            polling=1000,
        )
        run_all = time.perf_counter() - start
        cells = page.evaluate(
            """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(c => ({
                kind: c.classList.contains('jp-CodeCell') ? 'code' : 'markdown',
                prompt: (c.querySelector('.jp-InputPrompt') || {}).textContent || '',
                errors: [...c.querySelectorAll(
                    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
                    .map(o => o.textContent),
                text: c.classList.contains('jp-CodeCell')
                    ? [...c.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent)
                        .join('\\n')
                    : (c.querySelector('.jp-RenderedMarkdown') || {}).textContent || '',
                images: c.querySelectorAll('.jp-OutputArea-output img').length,
            }))"""
        )
    finally:
        page.screenshot(path=str(ROOT / "_build" / f"lite-{chapter}.png"))
        context.close()

    assert not outside, f"requests that left the site: {outside[:10]}"
    assert not errors, f"errors in the page: {errors[:5]}"
    assert not console, f"errors in the browser console: {console[:5]}"
    code = [c for c in cells if c["kind"] == "code"]
    assert code, "no code cell in the notebook"
    for i, cell in enumerate(code):
        assert re.match(r"\[\d+\]", cell["prompt"]), f"code cell {i} did not run"
        bad = [e for e in cell["errors"] if ERROR_TEXT.search(e)]
        bad += [t for t in [cell["text"]] if re.search(r"Traceback", t)]
        assert not bad, f"code cell {i} ({cell['prompt']}) failed: {bad[0][-1500:]}"
    for cell in cells:
        if cell["kind"] == "markdown":
            raw = RAW_MYST.search(cell["text"])
            assert raw is None, f"raw MyST {raw[0]!r} in {cell['text'][:200]!r}"
    shown = sum(c["images"] for c in code)
    assert shown >= _page_images(soup), f"{shown} figures in the browser, the page has more"
    texts = [c["text"] for c in code]
    page_texts = [o.get_text() for o in soup.select(".cell_output")]
    for pattern in PRINTED.get(chapter, []):
        browser_lines, page_lines = _printed(texts, pattern), _printed(page_texts, pattern)
        assert page_lines, f"the page prints no line like {pattern!r}"
        assert browser_lines == page_lines, f"browser {browser_lines} != page {page_lines}"

    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    timings[chapter] = {
        "page_open_s": round(opened, 1),
        "page_open_to_first_cell_s": round(first, 1),
        "page_open_to_run_all_s": round(run_all, 1),
        "code_cells": len(code),
        "figures": shown,
        "page_figures": _page_images(soup),
        "compared": {p: _printed(texts, p) for p in PRINTED.get(chapter, [])},
    }
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    TIMINGS.write_text(json.dumps(timings, indent=1, ensure_ascii=False) + "\n")
