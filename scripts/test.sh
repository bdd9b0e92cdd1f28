#!/usr/bin/env bash
# Set up (virtualenv, Chromium, data), lint, and run the whole test suite,
# which builds the whole book as its integration test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
echo "test: ruff check + ruff format --check"
.venv/bin/ruff check dlbook tests bench _ext scripts
.venv/bin/ruff format --check dlbook tests bench _ext scripts
echo "test: GitHub workflows against their schema"
.venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
start=$(date +%s)
.venv/bin/python -m pytest "$@"
echo "test: pytest done in $(( $(date +%s) - start )) s"
