#!/usr/bin/env bash
# Write the whole book to one PDF, _build/pdf/dlbook.pdf, and offer it on the site
# (_build/html/dlbook.pdf, linked from the intro). Run after the README's set-up; it reuses the
# execution cache, so after `bash scripts/build.sh` no chapter runs again.
# Route: Jupyter Book's single-page HTML, printed by Debian's Chromium through Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
start=$(date +%s)
.venv/bin/jupyter-book build . --builder custom --custom-builder singlehtml
root="$(.venv/bin/python -c 'import yaml; print(yaml.safe_load(open("_toc.yml"))["root"])')"
mkdir -p _build/pdf
# Sphinx writes the single page at its root document's path (book/intro.html) but links its
# assets as if it stood at the top of the output: print a copy that stands there.
cp "_build/singlehtml/${root}.html" _build/singlehtml/print.html
.venv/bin/python scripts/print_pdf.py _build/singlehtml/print.html _build/pdf/dlbook.pdf
if [ -d _build/html ]; then cp _build/pdf/dlbook.pdf _build/html/dlbook.pdf; fi
echo "pdf: _build/pdf/dlbook.pdf written in $(( $(date +%s) - start )) s"
