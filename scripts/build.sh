#!/usr/bin/env bash
# Set up (virtualenv, data) and build the whole book into _build/html.
# Extra arguments go to `jupyter-book build` (e.g. --all for a full rebuild).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
start=$(date +%s)
.venv/bin/jupyter-book build . "$@"
echo "build: done in $(( $(date +%s) - start )) s; open _build/html/index.html"
