#!/usr/bin/env bash
# Regenerate the lock, requirements.txt, from the ranges in requirements.in: the newest versions
# the ranges allow, for Python 3.11 on every platform (environment markers keep TensorFlow's CPU
# build on Linux x86_64). The README's commands, CI and Binder all install the lock.
# Usage: bash scripts/lock.sh            (after scripts/setup.sh has made .venv)
#        bash scripts/lock.sh --check    (exit 1 if a fresh lock would differ: drift)
set -euo pipefail
cd "$(dirname "$0")/.."
uv=.venv/bin/uv
[ -x "$uv" ] || uv=uv
compile() {
  "$uv" pip compile requirements.in --universal --python-version 3.11 --quiet \
    --custom-compile-command "bash scripts/lock.sh" -o "$1"
}
if [ "${1:-}" = "--check" ]; then
  fresh="$(mktemp)"
  compile "$fresh"
  if diff -u <(grep -v '^#' requirements.txt) <(grep -v '^#' "$fresh"); then
    echo "lock: requirements.txt is what the ranges give today"
  else
    echo "lock: DRIFT: newer versions than the lock are allowed by requirements.in (diff above)" >&2
    exit 1
  fi
else
  compile requirements.txt
  echo "lock: wrote requirements.txt ($(grep -c '==' requirements.txt) pinned packages)"
fi
