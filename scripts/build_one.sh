#!/usr/bin/env bash
# Build one chapter alone, strictly, as a one-page book in /tmp/dlbook-one/<name>/.
# For quick iteration on a chapter: bash scripts/build_one.sh book/gradient-descent.md
# Its jupyter-cache is kept between runs. The page is at /tmp/dlbook-one/<name>/_build/html/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
chapter="${1:?usage: build_one.sh book/<chapter>.md}"
name="$(basename "$chapter" .md)"
work="/tmp/dlbook-one/$name"
mkdir -p "$work/book"
ln -sfn "$root/dlbook" "$work/dlbook"
ln -sfn "$root/_ext" "$work/_ext"
# Links to other chapters cannot resolve in a one-page book: only those warnings are silenced.
"$root/.venv/bin/python" - "$root/_config.yml" "$work/_config.yml" <<'PY'
import sys

import yaml

config = yaml.safe_load(open(sys.argv[1]))
config["sphinx"]["config"]["suppress_warnings"] = ["ref.ref", "ref.doc", "ref.term", "ref.numref", "myst.xref_missing"]
yaml.safe_dump(config, open(sys.argv[2], "w"), sort_keys=False)
PY
mkdir -p "$work/book" && cp -r "$root/book/_static" "$work/book/"
cp "$root/$chapter" "$work/book/$name.md"
printf 'format: jb-book\nroot: book/%s\n' "$name" > "$work/_toc.yml"
start=$(date +%s)
"$root/.venv/bin/jupyter-book" build "$work" "${@:2}"
echo "built $chapter in $(( $(date +%s) - start )) s: $work/_build/html/book/$name.html"
