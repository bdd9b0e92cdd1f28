"""The whole book as one PDF: every chapter in it, maths rendered (no raw TeX), on the site."""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import ROOT, toc_pages

pytestmark = pytest.mark.book

RAW_TEX = re.compile(r"\\frac|\\partial|\\mathbf|\\sum_|\$\$|\\\(|\\\[")


def page_titles() -> list[str]:
    titles = []
    for docname in toc_pages():
        match = re.search(r"^# (.+)$", (ROOT / f"{docname}.md").read_text(), re.M)
        assert match, f"{docname} has no title"
        titles.append(match.group(1).strip())
    return titles


def test_pdf_holds_every_chapter_and_no_raw_tex(built_pdf):
    text = subprocess.run(
        ["pdftotext", "-layout", str(built_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    def plain(words: str) -> str:  # quotes as typeset, markup dropped, one space between words
        words = words.replace("\u2019", "'").replace("\u2018", "'")
        return re.sub(r"\s+", " ", re.sub(r"[`*_]", "", words)).strip()

    flat = plain(text)
    for title in page_titles():
        assert plain(title) in flat, f"the PDF lacks the page {title!r}"
    raw = RAW_TEX.search(text)
    assert raw is None, f"raw TeX in the PDF: {text[max(0, raw.start() - 80) : raw.end() + 80]!r}"
    pages = subprocess.run(["pdfinfo", str(built_pdf)], capture_output=True, text=True, check=True)
    count = int(re.search(r"Pages:\s+(\d+)", pages.stdout).group(1))
    assert count >= 20, f"only {count} pages"


def test_the_site_offers_the_pdf(built_pdf, built_book):
    assert (built_book / "dlbook.pdf").read_bytes() == built_pdf.read_bytes()
    intro = (built_book / "book" / "intro.html").read_text()
    assert 'href="../dlbook.pdf"' in intro
