"""Print the book's single-page HTML to one PDF with Debian's Chromium (through Playwright).

Jupyter Book 1's ``pdfhtml`` builder does the same with Playwright's own Chromium, which cannot
be downloaded everywhere; this script names the system's browser instead. Used by
``scripts/pdf.sh``; run that, not this.

Usage: python scripts/print_pdf.py SINGLE_PAGE.html OUT.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
# Cells stay whole on a page, figures are never cut, the site's navigation is not printed.
PRINT_CSS = """
div.cell_input, div.cell_output, figure { break-inside: avoid; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article, .prev-next-area,
.bd-footer, .bd-footer-content, .bd-footer-article { display: none !important; }
"""


def main(source: str, target: str) -> int:
    page_file = Path(source).resolve()
    if not page_file.is_file():
        print(f"print_pdf: {page_file} does not exist: build singlehtml first", file=sys.stderr)
        return 1
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(page_file.as_uri(), wait_until="networkidle")
        # Maths is typeset by MathJax after load: wait until it has finished.
        if page.query_selector('script[src*="mathjax" i]') is not None:
            page.wait_for_function(
                "() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"
            )
            page.evaluate("() => MathJax.startup.promise")
        page.add_style_tag(content=PRINT_CSS)
        page.emulate_media(media="print")
        margins = {"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}
        page.pdf(path=target, format="A4", margin=margins, print_background=True)
        browser.close()
    print(f"print_pdf: wrote {target}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
