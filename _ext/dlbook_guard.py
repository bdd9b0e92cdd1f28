"""Keep the executed book honest: no stale outputs, no ignored warnings.

A local Sphinx extension (named under ``sphinx: local_extensions`` in ``_config.yml``),
so that plain ``jupyter-book build .`` gets it too, not only the README's wrapper.

* jupyter-cache keys a chapter on its own code cells, so an edit to ``dlbook/`` would
  leave stale numbers on the page. We fingerprint the package's sources and the versions
  of the libraries that compute the results; when the fingerprint changes, the execution
  cache is cleared and every chapter is read (and so executed) again.
* Pages that paste numbers glued in other chapters (the execution report) are always
  re-read, so they never show figures from an earlier build.
* A build that logged any warning fails (``dlbook_strict``), and its saved environment
  is dropped so that the next build reports the same warnings instead of skipping
  the pages that caused them.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from importlib import metadata
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging

logger = logging.getLogger(__name__)

STAMP_NAME = "dlbook-fingerprint.txt"
DISTRIBUTIONS = ("numpy", "tensorflow", "tensorflow-cpu", "keras", "matplotlib", "myst-nb")


class StrictBuildError(SphinxError):
    category = "dlbook strict build"


def fingerprint(package_dir: Path) -> str:
    """Hash the package's Python sources and the versions of the computing libraries."""
    h = hashlib.sha256()
    h.update(sys.version.encode())
    for dist in DISTRIBUTIONS:
        try:
            h.update(f"{dist}=={metadata.version(dist)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist} absent\n".encode())
    for path in sorted(package_dir.rglob("*.py")):
        h.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def _on_config_inited(app: Sphinx, config) -> None:
    package_dir = Path(app.confdir, config.dlbook_package_dir)
    if not package_dir.is_dir():
        raise StrictBuildError(f"dlbook_package_dir {package_dir} is not a folder")
    app._dlbook_fingerprint = fingerprint(package_dir)
    cache = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache / STAMP_NAME
    if stamp.is_file() and stamp.read_text().strip() == app._dlbook_fingerprint:
        return
    if cache.exists():
        logger.info("[dlbook] the package changed: clearing the execution cache %s", cache)
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(app._dlbook_fingerprint + "\n")


def _on_env_get_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    if getattr(env, "dlbook_fingerprint", None) != app._dlbook_fingerprint:
        env.dlbook_fingerprint = app._dlbook_fingerprint
        logger.info("[dlbook] package or library versions changed: re-reading every page")
        return sorted(env.found_docs)
    return [doc for doc in app.config.dlbook_always_reread if doc in env.found_docs]


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app._warncount:
        # Without this, the next build would re-read nothing and pass silently.
        Path(app.doctreedir, "environment.pickle").unlink(missing_ok=True)
        if app.config.dlbook_strict and not app.keep_going:
            raise StrictBuildError(
                f"{app._warncount} warning(s) above; the dlbook build treats warnings as errors"
            )


def setup(app: Sphinx) -> dict:
    app.add_config_value("dlbook_package_dir", "dlbook", "env")
    app.add_config_value("dlbook_strict", True, "env")
    app.add_config_value("dlbook_always_reread", ["book/report"], "env")
    # After myst-nb's own config-inited handler has resolved nb_execution_cache_path.
    app.connect("config-inited", _on_config_inited, priority=900)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
