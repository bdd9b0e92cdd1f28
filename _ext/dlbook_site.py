"""Small fixes to the HTML that readers get (a local Sphinx extension named in ``_config.yml``).

* Each chapter page offers a ``.ipynb`` in the theme's download menu, but the theme copies
  myst-nb's notebook, which has no outputs when they came from the cache. We overwrite that
  copy with the executed notebook: the outputs from the jupyter-cache record of this build.
* sphinx-thebe registers its inline configuration script twice with Sphinx 7.4, and the second
  copy throws ``Identifier 'THEBE_JS_URL' has already been declared`` in every page's console.
  We drop exact duplicates from each page's script list.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _script_key(script) -> tuple:
    """Same file (``None`` and ``""`` both mean inline) and same attributes, body included."""
    attributes = getattr(script, "attributes", {})
    filename = getattr(script, "filename", script) or ""
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _dedupe_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _offer_executed_notebook(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Overwrite the theme's ``_sources/<page>.ipynb`` with this build's executed notebook."""
    if doctree is None or pagename not in app.env.found_docs:
        return
    source = Path(app.env.doc2path(pagename))
    text = source.read_text(encoding="utf-8") if source.suffix == ".md" else ""
    if "kernelspec:" not in text.split("\n---", 1)[0]:
        return
    import nbformat
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    try:
        _, executed = cache.merge_match_into_notebook(read_myst_markdown_notebook(text))
    except KeyError:
        logger.warning(f"[dlbook] no cached execution of {pagename} to offer for download")
        return
    target = Path(app.outdir, "_sources", f"{pagename}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(executed, target)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    # After sphinx-book-theme copied its output-less notebook and linked it (priority 501).
    app.connect("html-page-context", _offer_executed_notebook, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
