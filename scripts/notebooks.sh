#!/usr/bin/env bash
# After a build: write the tree each chapter's Binder button launches into _build/notebooks/
# (the lock, runtime.txt, postBuild, the dlbook package, book/<chapter>.ipynb learner notebooks).
# The publish workflow pushes it to the branch `notebooks`. See scripts/notebooks.py.
# Usage: bash scripts/notebooks.sh [HTML_DIR [OUT_DIR]]   (default _build/html _build/notebooks)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="$root/.venv/bin/python"
[ -x "$python" ] || python="$(command -v python3)"
exec "$python" "$root/scripts/notebooks.py" "$@"
