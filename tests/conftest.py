"""Shared fixtures: the built book, small throw-away books for testing the build itself, and
what the browser tests share (a local static server, Debian's Chromium)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import os
import shutil
import socketserver
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
BUILD_TIMEOUT_S = 1500

FRONT_MATTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

"""


#: Debian's Chromium (Playwright's own browser download does not work on these machines), and
#: flags that keep it from calling home: every request must stay on 127.0.0.1.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's Chromium, or the test fails saying how to install it."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `bash scripts/setup.sh --browser`")
    return str(CHROMIUM)


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Chromium (Playwright's ``Browser``), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a test module (``test_binder`` has its own: a persistent one)."""
    with chromium() as b:
        yield b


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the types browsers insist on (WebAssembly, modules), no log lines."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".ipynb": "application/json",
    }

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) while in the block; yield its address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}/"
        finally:
            httpd.shutdown()


def run_build(book: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run plain ``jupyter-book build <book>``, as a hosting service would."""
    env = dict(os.environ, **(extra_env or {}))
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        env=env,
        check=False,
    )


def toc_pages() -> list[str]:
    """Every page named in _toc.yml, as a docname such as ``book/intro``."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part.get("chapters", [])]
    return pages


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the real book in place (plain ``jupyter-book build .``); return ``_build/html``."""
    result = run_build(ROOT)
    assert result.returncode == 0, (
        f"the book failed to build:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )
    return ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def built_pdf(built_book: Path) -> Path:
    """The whole book as one PDF (``bash scripts/pdf.sh``), also copied into the site."""
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pdf.sh")],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, (
        f"the PDF failed to build:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )
    return ROOT / "_build" / "pdf" / "dlbook.pdf"


@pytest.fixture
def mini_book(tmp_path: Path) -> Callable[[str], Path]:
    """Make a one-chapter book with the real config, extension and a copy of ``dlbook``.

    The chapter's kernel imports the copy (``PYTHONPATH``), so a test may edit it.
    """

    def make(chapter_body: str) -> Path:
        book = tmp_path / "book"
        (book / "book").mkdir(parents=True)
        shutil.copy(ROOT / "_config.yml", book / "_config.yml")
        shutil.copytree(ROOT / "_ext", book / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(
            ROOT / "dlbook", book / "dlbook", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copytree(ROOT / "book" / "_static", book / "book" / "_static")
        (book / "_toc.yml").write_text("format: jb-book\nroot: book/chapter\n")
        (book / "book" / "chapter.md").write_text(FRONT_MATTER + chapter_body)
        return book

    return make


@pytest.fixture(scope="session")
def dlbook_guard():
    """The build guard extension, ``_ext/dlbook_guard.py``, imported for unit tests."""
    spec = importlib.util.spec_from_file_location("dlbook_guard", ROOT / "_ext" / "dlbook_guard.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def multi_chapter_book(tmp_path: Path) -> Callable[..., Path]:
    """Make a book of several chapters over a small ``dlbook`` package of the test's own.

    ``chapters`` maps a name (``"a"``) to the body of ``book/<name>.md``, the first one
    being the root; ``modules`` maps a file name (``"alpha.py"``) to a module of the
    package, which also has an empty ``__init__.py`` and the real ``report.py`` (the
    guard reads the tracked libraries from it). The kernel imports this package when
    ``PYTHONPATH`` points at the book.
    """

    def make(chapters: dict[str, str], modules: dict[str, str]) -> Path:
        book = tmp_path / "book"
        (book / "book").mkdir(parents=True)
        shutil.copy(ROOT / "_config.yml", book / "_config.yml")
        shutil.copytree(ROOT / "_ext", book / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "book" / "_static", book / "book" / "_static")
        package = book / "dlbook"
        package.mkdir()
        (package / "__init__.py").write_text('"""A small dlbook for a test."""\n')
        shutil.copy(ROOT / "dlbook" / "report.py", package / "report.py")
        for name, source in modules.items():
            (package / name).write_text(source)
        names = list(chapters)
        toc = f"format: jb-book\nroot: book/{names[0]}\n"
        if names[1:]:
            toc += "chapters:\n" + "".join(f"  - file: book/{name}\n" for name in names[1:])
        (book / "_toc.yml").write_text(toc)
        for name, body in chapters.items():
            (book / "book" / f"{name}.md").write_text(FRONT_MATTER + body)
        return book

    return make
