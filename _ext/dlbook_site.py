"""Small fixes to the HTML that readers get (a local Sphinx extension named in ``_config.yml``).

* sphinx-thebe registers its inline configuration script twice with Sphinx 7.4, and the second
  copy throws ``Identifier 'THEBE_JS_URL' has already been declared`` in every page's console.
  We drop exact duplicates from each page's script list.
"""

from __future__ import annotations

from sphinx.application import Sphinx


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


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
