#!/usr/bin/env bash
# Set up everything the book needs, idempotently, on a fresh Debian machine with Python 3.11:
#   the virtualenv .venv from the lock requirements.txt (refreshed when it changes),
#   Debian packages (with --browser: Chromium, pdftotext and Java for the site tests),
#   verified MNIST, and the in-browser notebooks' Pyodide (npm pack + pip download, verified).
# Used by scripts/build.sh and scripts/test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

with_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) with_browser=1 ;;
    *) echo "usage: scripts/setup.sh [--browser]" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  [ "$apt_updated" -eq 1 ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@"
}

# 1. Python 3.11 virtualenv
python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
done
[ -n "$python" ] || { echo "setup: Python 3.11 is required (apt-get install python3)" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$python" --version)"
  if ! "$python" -m venv .venv 2>/dev/null; then
    apt_install python3-venv
    rm -rf .venv && "$python" -m venv .venv
  fi
fi
want="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$want" ]; then
  echo "setup: installing requirements.txt into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$want" > .venv/.requirements.sha256
else
  echo "setup: .venv is up to date with requirements.txt"
fi

# 2. Debian packages for the site tests: Chromium and its fonts, pdftotext (the PDF), Java (the
#    HTML validator)
if [ "$with_browser" -eq 1 ] && {
  [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null || ! command -v java >/dev/null
}; then
  echo "setup: installing Debian's chromium, poppler-utils and Java for the site tests"
  apt_install chromium fonts-dejavu-core poppler-utils default-jre-headless
fi

# 3. The data: fetched (if not cached yet) and verified against pinned checksums
.venv/bin/python -m dlbook.data

# 4. "Run in your browser": Pyodide's core from npm (`npm pack`, no global install) and the
#    wheels the NumPy chapters need, each checked against pinned digests or Pyodide's lock and
#    cached next to MNIST (_ext/lite_assets.py); the build then runs `jupyter lite build` offline.
command -v npm >/dev/null 2>&1 || apt_install npm
.venv/bin/python _ext/lite_assets.py
