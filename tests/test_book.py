"""The whole book, built as a hosting service builds it, then read back as HTML."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, toc_pages

sys.path.insert(0, str(ROOT / "_ext"))
from dlbook_site import BINDER_BRANCH, binder_notebook_path

pytestmark = pytest.mark.book

BAD_TEXT = re.compile(r"\bnan\b|\binf\b|Traceback|np\.float\d*\(|np\.int\d*\(", re.I)
# Progress lines (dlbook.progress) are for learners running a chapter, never for the pages.
PROGRESS = re.compile(r"\bEpoch \d+/\d+|\bepoch \d+/\d+:|\d+/\d+ - \d+m?s")
FILE_ALT = re.compile(r"\.(png|svg|jpe?g)$|^_build|jupyter_execute", re.I)
DOCSTRING_SECTION = re.compile(
    r"^\s*(Parameters|Returns|Raises|Examples|Yields|Attributes)\n\s*-{4,}", re.M
)
EMOJI = re.compile("[\u2600-\u27bf\U0001f300-\U0001faff]")
REST_ROLE = re.compile(r":(math|func|class|meth|attr|data|mod|obj):`")


def page(html_dir: Path, docname: str) -> BeautifulSoup:
    return BeautifulSoup((html_dir / f"{docname}.html").read_text(), "html.parser")


def chapter_notebooks() -> list[str]:
    """Pages that are notebooks (have a kernelspec), i.e. execute at build time."""
    return [d for d in toc_pages() if "kernelspec:" in (ROOT / f"{d}.md").read_text()]


def test_every_page_is_built(built_book):
    for docname in toc_pages():
        assert (built_book / f"{docname}.html").is_file(), docname
    assert (built_book / "index.html").is_file()


def test_outputs_and_glued_numbers_are_clean(built_book):
    for docname in toc_pages():
        soup = page(built_book, docname)
        for node in soup.select(".cell_output, .pasted-text, .pasted-inline, table"):
            text = node.get_text(" ", strip=True)
            assert not BAD_TEXT.search(text), f"{docname}: suspicious output {text[:200]!r}"
            assert not PROGRESS.search(text), f"{docname}: a progress line {text[:200]!r}"
        for pasted in soup.select(".pasted-text"):
            assert pasted.get_text(strip=True), f"{docname}: an empty glued number"


def test_figures_have_descriptive_alt_text(built_book):
    for docname in toc_pages():
        for img in page(built_book, docname).select("article img"):
            alt = (img.get("alt") or "").strip()
            assert len(alt) >= 20, f"{docname}: image {img.get('src')} has alt {alt!r}"
            assert not FILE_ALT.search(alt), f"{docname}: alt text is a file name: {alt!r}"


def test_code_on_chapter_pages_shows_no_docstring_or_rest_markup(built_book):
    """Listings teach: the code blocks a reader sees hold algorithms, not API documentation."""
    for docname in chapter_notebooks():
        for block in page(built_book, docname).select("article div.highlight pre"):
            code = block.get_text()
            assert not DOCSTRING_SECTION.search(code), (
                f"{docname}: a docstring section in {code[:200]!r}"
            )
            assert not REST_ROLE.search(code), f"{docname}: reST markup in {code[:200]!r}"


def test_figure_code_is_on_the_page_folded(built_book):
    """A figure drawn by a cell is shown with that cell's code (folded, never removed)."""
    for docname in chapter_notebooks():
        for img in page(built_book, docname).select("article div.cell_output img"):
            cell = img.find_parent("div", class_="cell")
            if cell is None:  # a glued figure: its cell's folding is checked in the sources
                continue
            assert cell.select_one("div.cell_input"), (
                f"{docname}: the figure {img.get('alt', '')[:60]!r} has no code on the page"
            )


def test_chapters_have_binder_launch_and_download_buttons(built_book):
    for docname in chapter_notebooks():
        html = (built_book / f"{docname}.html").read_text()
        # Binder opens the learner notebook in the tree of scripts/notebooks.sh, on its branch.
        binder = f"/{BINDER_BRANCH}?urlpath=lab/tree/{binder_notebook_path(docname)}"
        assert binder in html, f"{docname}: no Binder button opening its learner notebook"
        assert "download-source-button" in html, f"{docname}: no download button"
        assert f"_sources/{docname}.ipynb" in html, f"{docname}: no .ipynb download"
        # The download is the chapter's learner notebook (tests/test_learner_notebooks.py).
        offered = json.loads((built_book / "_sources" / f"{docname}.ipynb").read_text())
        assert offered["metadata"].get("dlbook_learner_notebook") == docname, docname


def test_api_page_documents_every_public_function(built_book):
    api = (built_book / "book" / "api.html").read_text()
    for path in sorted((ROOT / "dlbook").glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = importlib.import_module(f"dlbook.{path.stem}")
        assert f'id="module-dlbook.{path.stem}"' in api, f"dlbook.{path.stem} missing from the API"
        for name in module.__all__:
            assert f'id="dlbook.{path.stem}.{name}"' in api, (
                f"dlbook.{path.stem}.{name} undocumented"
            )


def test_report_lists_every_chapter_and_the_environment(built_book):
    report = page(built_book, "book/report")
    text = report.get_text(" ", strip=True)
    for docname in chapter_notebooks():
        assert docname in text, f"{docname} missing from the execution table"
    for needle in ("Python", "numpy", "tensorflow", "keras", "CPU"):
        assert needle in text
    assert "succeeded" in text
    assert "failed" not in text
    assert not EMOJI.search(text), "the report shows an emoji glyph"


def test_ids_are_unique_and_summaries_hold_no_paragraph(built_book):
    """Two checks of the HTML validator's, on every page of the site."""
    for path in sorted(built_book.rglob("*.html")):
        if "_static" in path.parts or path.relative_to(built_book).parts[0] == "lite":
            continue  # the theme's assets; JupyterLite's app (tests/test_lite.py)
        soup = BeautifulSoup(path.read_text(), "html.parser")
        ids = [tag["id"] for tag in soup.select("[id]")]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        assert not duplicated, f"{path.name}: duplicate ids {duplicated[:5]}"
        assert not soup.select("summary p"), f"{path.name}: a <p> inside <summary>"


def test_every_page_has_a_description_and_no_emoji(built_book):
    for docname in toc_pages():
        soup = page(built_book, docname)
        meta = soup.select_one('head meta[name="description"]')
        assert meta is not None, f"{docname}: no meta description"
        assert 40 <= len(meta["content"]) <= 160, f"{docname}: description {meta['content']!r}"
        body = soup.select_one("article").get_text(" ", strip=True)
        assert not EMOJI.search(body), f"{docname}: an emoji glyph {EMOJI.search(body)[0]!r}"


def test_glue_data_is_plain_numbers(built_book):
    """Glued values are plain Python numbers, never NumPy reprs."""
    for glue_file in (ROOT / "_build" / "jupyter_execute").rglob("*.glue.json"):
        for key, value in json.loads(glue_file.read_text()).items():
            plain = value.get("data", {}).get("text/plain", "")
            where = f"{glue_file.name}:{key} = {plain}"
            assert "np." not in plain, where
            assert "array(" not in plain, where
