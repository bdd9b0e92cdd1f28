"""Write the tree that each chapter's Binder button launches (run by ``scripts/notebooks.sh``).

After a build, ``_build/notebooks/`` receives everything mybinder.org needs to open a chapter's
learner notebook and run it as the book ran:

* ``requirements.txt`` (the lock) and ``runtime.txt``, copied from the repository; the lock's
  ``-e .`` installs ``dlbook`` from the tree, so ``pyproject.toml``, ``LICENSE`` and the package
  ``dlbook/`` are copied too (``dlbook.report`` reads the lock beside the package);
* ``postBuild``: fetches and verifies MNIST once, while Binder builds the image (no jupytext: the
  notebooks are ``.ipynb``);
* ``book/<chapter>.ipynb``: the learner notebooks the build wrote into ``_build/html/_notebooks/``,
  where the buttons point (``_ext/dlbook_site.py``); they run with ``book/`` as working directory,
  as the chapters do in the build (listings are inlined; the one file a chapter reads beside
  it, ``book/seed-check.json`` for the report page, is copied);
* a ``README.md`` that says the tree is generated and from which commit.

The tree is written afresh each time. It then checks that every Binder button of the built pages
opens a notebook that the tree holds, and exits 1 if one does not.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("requirements.txt", "runtime.txt", "pyproject.toml", "LICENSE", "book/seed-check.json")
NOTEBOOK_FOLDER = "book"  # _ext/dlbook_site.py BINDER_FOLDER
BINDER_LINK = re.compile(r'href="(https://mybinder\.org/v2/[^"]+)"')
URLPATH = re.compile(r"[?&](?:amp;)?urlpath=(?:lab/)?tree/([^&\"]+)")

POST_BUILD = """#!/usr/bin/env bash
# Binder: fetch and verify MNIST once while the image is built, so that a chapter starts at once.
# (If the download fails here, the chapter fetches and verifies it on first use.)
set -euo pipefail
python -m dlbook.data || echo "MNIST will be fetched on first use"
"""

README = """# dlbook: the learner notebooks (generated)

This tree is written by `bash scripts/notebooks.sh` after the book is built, and pushed here by
the publishing workflow; do not edit it by hand. Built from commit `{commit}`.

Each chapter page's Binder button opens `book/<chapter>.ipynb` from here on mybinder.org. Every
notebook holds the chapter's prose with the build's numbers and its code; *Run > Run All Cells*
runs it as the book ran (the lock `requirements.txt` installs the same versions and the package
`dlbook` from this tree). To run it on your own machine:

```bash
python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt
.venv/bin/python -m dlbook.data && .venv/bin/jupyter lab book/
```
"""


def source_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def binder_paths(html_dir: Path) -> dict[str, str]:
    """Every file that a Binder button of the built site opens, mapped to the page that links it."""
    opened = {}
    for page in sorted(html_dir.rglob("*.html")):
        for link in BINDER_LINK.findall(page.read_text(encoding="utf-8")):
            match = URLPATH.search(link)
            if match:
                opened[unquote(match.group(1))] = page.relative_to(html_dir).as_posix()
    return opened


def write_tree(html_dir: Path, out: Path) -> list[Path]:
    notebooks = sorted((html_dir / "_notebooks").glob("*.ipynb"))
    if not notebooks:
        raise SystemExit(f"no learner notebooks in {html_dir / '_notebooks'}: build the book first")
    if out.exists():
        shutil.rmtree(out)
    (out / NOTEBOOK_FOLDER).mkdir(parents=True)
    for name in COPIED:
        shutil.copy2(ROOT / name, out / name)
    shutil.copytree(
        ROOT / "dlbook", out / "dlbook", ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]")
    )
    post_build = out / "postBuild"
    post_build.write_text(POST_BUILD, encoding="utf-8")
    post_build.chmod(0o755)
    (out / "README.md").write_text(README.format(commit=source_commit()), encoding="utf-8")
    written = []
    for notebook in notebooks:
        json.loads(notebook.read_text(encoding="utf-8"))  # a truncated file stops here
        target = out / NOTEBOOK_FOLDER / notebook.name
        shutil.copy2(notebook, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("html", nargs="?", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "_build" / "notebooks")
    args = parser.parse_args(argv)
    html_dir, out = args.html.resolve(), args.out.resolve()
    written = write_tree(html_dir, out)
    missing = {
        path: page for path, page in binder_paths(html_dir).items() if not (out / path).is_file()
    }
    for path, page in sorted(missing.items()):
        print(f"notebooks.sh: {page}'s Binder button opens {path}, not in {out}", file=sys.stderr)
    if missing:
        return 1
    print(f"wrote {len(written)} learner notebooks and the Binder environment into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
