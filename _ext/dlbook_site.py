"""Small fixes to the HTML that readers get (a local Sphinx extension named in ``_config.yml``).

* Each chapter page offers a ``.ipynb`` in the theme's download menu, but the theme copies
  myst-nb's notebook, raw MyST that JupyterLab cannot show. We overwrite that copy with the
  chapter's learner notebook (``_ext/learner_notebook.py``: the page's prose with this build's
  glued numbers, listings and exercises in plain Markdown, and the code cells), and also write
  every learner notebook into ``_notebooks/<chapter>.ipynb``.
* The Binder launch button opens that learner notebook, not the raw MyST: the theme points it at
  ``lab/tree/book/<chapter>.md`` on the repository's own branch; we point it at
  ``book/<chapter>.ipynb`` on the branch ``dlbook_binder_branch`` (``notebooks``), where the
  publishing workflow pushes the tree that ``bash scripts/notebooks.sh`` writes.
* sphinx-thebe registers its inline configuration script twice with Sphinx 7.4, and the second
  copy throws ``Identifier 'THEBE_JS_URL' has already been declared`` in every page's console.
  We drop exact duplicates from each page's script list.
* Every page gets a ``<meta name="description">`` (search engines show it), taken from its
  first paragraph of prose.
* myst-nb's execution table marks each chapter with an emoji, which renders as an empty box
  where no emoji font is installed; we write the status as a word.
* Valid HTML: myst-nb's folded cells put ``<p>`` elements inside ``<summary>`` (not allowed
  there: we write ``<span>`` and style it in ``dlbook.css``), and register their HTML only for
  the ``html`` builder, so ``singlehtml`` (the PDF's route) stopped on them; sphinx-exercise
  gives every exercise and solution the same ids (``exercise-content``, ``solution-content``),
  which we number per page so each id is unique; the site's ``index.html`` is a complete page
  that redirects to the book's first page (Jupyter Book's own is a bare ``<meta>`` tag).
* ``{report-problem}`Report a problem```: a link in words to the theme's issue button's URL
  (a new issue naming the page), which each chapter's end offers; the learner notebook gets
  the same link.
* Accessibility: the theme's primary sidebar puts the book's title link and search button
  outside any landmark (axe's ``region`` rule); we label that section as a region. And
  Sphinx writes a field holding several return values as a list inside a paragraph; we drop
  the paragraph.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs

import learner_notebook
from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode
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


LEARNER_FOLDER = "_notebooks"
"""Where every chapter's learner notebook is written in the site: ``_notebooks/<chapter>.ipynb``."""


def _labels(app: Sphinx) -> learner_notebook.Labels:
    """The targets of every page's labels, read once per build from the sources."""
    labels = getattr(app, "_dlbook_learner_labels", None)
    if labels is None:
        sources = {}
        for docname in sorted(app.env.found_docs):
            path = Path(app.env.doc2path(docname))
            if path.suffix == ".md":
                sources[docname.rsplit("/", 1)[-1]] = path.read_text(encoding="utf-8")
        # A one-page build (scripts/build_one.sh) silences its dangling references; its
        # notebook then shows their words without links.
        strict = "ref.ref" not in (app.config.suppress_warnings or [])
        labels = learner_notebook.Labels.from_sources(sources, strict=strict)
        app._dlbook_learner_labels = labels
    return labels


def _offer_learner_notebook(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Write the page's learner notebook as its ``.ipynb`` download and into ``_notebooks/``."""
    if doctree is None or pagename not in app.env.found_docs:
        return
    source = Path(app.env.doc2path(pagename))
    text = source.read_text(encoding="utf-8") if source.suffix == ".md" else ""
    if not learner_notebook.is_notebook_source(text):
        return
    import nbformat

    base = (app.config.html_baseurl or "").rstrip("/")
    folder = pagename.rsplit("/", 1)[0] + "/" if "/" in pagename else ""
    notebook = learner_notebook.learner_notebook(
        text,
        chapter=pagename,
        glue=learner_notebook.GlueValues(Path(app.env.mystnb_config.output_folder), pagename),
        labels=_labels(app),
        source_dir=source.parent,
        site_url=f"{base}/{folder}" if base else "",
        repository_url=_repository_url(app.config),
    )
    for target in (
        Path(app.outdir, "_sources", f"{pagename}.ipynb"),
        Path(app.outdir, LEARNER_FOLDER, f"{pagename.rsplit('/', 1)[-1]}.ipynb"),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)


def _repository_url(config) -> str:
    """``_config.yml``'s ``repository: url``, which Jupyter Book hands the theme."""
    return str((config.html_theme_options or {}).get("repository_url") or "")


def _report_problem_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{report-problem}`text```: a link that opens a new issue naming this page.

    The same link as the theme's issue button (``learner_notebook.issue_url``), written in the
    page's words so that a reader who does not know the header's icons finds it.
    """
    env = inliner.document.settings.env
    url = _repository_url(env.config)
    if not url:
        message = inliner.reporter.error(
            "{report-problem}: _config.yml names no repository", line=lineno
        )
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    node = nodes.reference(rawtext, text, refuri=learner_notebook.issue_url(url, env.docname))
    node["classes"].append("report-problem")
    return [node], []


BINDER_BRANCH = "notebooks"
"""The default of ``dlbook_binder_branch``: the branch that holds the tree Binder launches."""
BINDER_FOLDER = "book"
"""Where the learner notebooks lie in that tree, as the chapters do in the repository: they run
with this folder as working directory, as the chapters do in the build."""
UI_PREFIXES = {"classic": "tree", "jupyterlab": "lab/tree"}


def binder_notebook_path(pagename: str) -> str:
    """The learner notebook's path in the Binder tree: ``book/<chapter>.ipynb``."""
    return f"{BINDER_FOLDER}/{pagename.rsplit('/', 1)[-1]}.ipynb"


def binder_url(theme_url: str, branch: str, path: str) -> str:
    """The theme's Binder URL with its branch and the file it opens replaced.

    ``https://mybinder.org/v2/gh/<org>/<repo>/<branch>?urlpath=lab/tree/book/<chapter>.md``
    becomes ``.../<repo>/<branch>?urlpath=lab/tree/<path>``; the interface (``lab/tree`` or
    ``tree``) is kept.
    """
    base, _, query = theme_url.partition("?")
    urlpath = parse_qs(query).get("urlpath", [""])[0]
    prefix = next((p for p in ("lab/tree", "tree") if urlpath.startswith(p + "/")), None)
    if "/v2/" not in base or prefix is None:
        raise ValueError(f"not a Binder launch URL of sphinx-book-theme: {theme_url!r}")
    return f"{base.rsplit('/', 1)[0]}/{branch}?urlpath={prefix}/{path}"


def _point_binder_at_learner_notebook(app: Sphinx, pagename, templatename, context, doctree):
    """Rewrite the page's Binder button to open its learner notebook on the Binder branch.

    Workaround for sphinx-book-theme 1.3.0 (``header_buttons/launch.py``,
    ``add_launch_buttons``, connected at priority 501): the URL is built from
    ``repository_branch`` and the page's own source path and suffix, and no option names
    another branch or file (executablebooks/sphinx-book-theme#587,
    jupyter-book/jupyter-book#1444). Re-check on upgrading the theme: the button must still
    be the entry ``{"text": "Binder", "url": ...}`` of the header group labelled
    ``launch-buttons``; if the theme lets a page name its launch branch and path, use that.
    """
    groups = [b for b in context.get("header_buttons", []) if b.get("label") == "launch-buttons"]
    source = Path(app.env.doc2path(pagename)) if pagename in app.env.found_docs else None
    text = source.read_text(encoding="utf-8") if source and source.suffix == ".md" else ""
    learner = learner_notebook.is_notebook_source(text)
    for group in groups:
        kept = []
        for button in group.get("buttons", []):
            if button.get("text") == "Binder":
                if not learner:
                    continue  # no learner notebook in the Binder tree: no button
                button = dict(button)
                button["url"] = binder_url(
                    button["url"], app.config.dlbook_binder_branch, binder_notebook_path(pagename)
                )
            kept.append(button)
        group["buttons"] = kept


DESCRIPTION_CHARS = 160
STATUS_WORDS = {"\u2705": "succeeded", "\u274c": "failed"}


def page_description(doctree: nodes.document | None, fallback: str) -> str:
    """The page's first paragraph of prose, cut at a word near ``DESCRIPTION_CHARS``."""
    text = ""
    if doctree is not None:
        for paragraph in doctree.findall(nodes.paragraph):
            if paragraph.next_node(nodes.literal_block) is not None:
                continue
            candidate = re.sub(r"\s+", " ", paragraph.astext()).strip()
            if len(candidate) >= 40:
                text = candidate
                break
    text = text or fallback
    if len(text) > DESCRIPTION_CHARS:
        text = text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


def _add_description(app: Sphinx, pagename, templatename, context, doctree) -> None:
    description = page_description(doctree, app.config.project)
    tag = f'<meta name="description" content="{html.escape(description, quote=True)}" />\n'
    context["metatags"] = context.get("metatags", "") + tag


def _status_as_words(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for text in list(doctree.findall(nodes.Text)):
        value = str(text)
        if any(emoji in value for emoji in STATUS_WORDS):
            for emoji, word in STATUS_WORDS.items():
                value = value.replace(emoji, word)
            text.parent.replace(text, nodes.Text(value))


SHARED_IDS = ("exercise-content", "solution-content")


def _visit_hidden_cell(self, node: HideCodeCellNode) -> None:
    classes = " ".join(node["classes"])
    show, hide = html.escape(node["prompt_show"]), html.escape(node["prompt_hide"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<span class="collapsed admonition-title">{show}</span>\n')
    self.body.append(f'<span class="expanded admonition-title">{hide}</span>\n</summary>\n')


def _depart_hidden_cell(self, node: HideCodeCellNode) -> None:
    self.body.append("</details>\n")


def _unique_ids(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    counts = dict.fromkeys(SHARED_IDS, 0)
    for node in doctree.findall(nodes.Element):
        ids = node.get("ids", [])
        for shared in SHARED_IDS:
            if shared in ids:
                counts[shared] += 1
                node["ids"] = [f"{shared}-{counts[shared]}" if i == shared else i for i in ids]


def _write_index_redirect(app: Sphinx, exception: Exception | None) -> None:
    """Before sphinx-external-toc's handler, which then leaves our ``index.html`` alone."""
    if exception is not None or app.builder.format != "html" or app.config.root_doc == "index":
        return
    target = html.escape(f"{app.config.root_doc}.html", quote=True)
    title = html.escape(app.config.html_title or app.config.project)
    Path(app.outdir, "index.html").write_text(
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>\n'
        f'<meta http-equiv="Refresh" content="0; url={target}"></head>\n'
        f'<body><p><a href="{target}">{title}</a></p></body></html>\n',
        encoding="utf-8",
    )


SIDEBAR_START = '<div class="sidebar-primary-items__start sidebar-primary__section">'
SIDEBAR_REGION = SIDEBAR_START[:-1] + ' role="region" aria-label="Book navigation">'


LIST_IN_PARAGRAPH = re.compile(r'<p>(<ul class="simple">.*?</ul>)\s*</p>', re.S)


def patch_page(text: str) -> str:
    """Fixes to a written page: a labelled sidebar region; no list inside a paragraph."""
    text = text.replace(SIDEBAR_START, SIDEBAR_REGION)
    # Sphinx writes a field with several return values as <p><ul>...</ul></p>: invalid HTML.
    return LIST_IN_PARAGRAPH.sub(r"\1", text)


def _patch_pages(app: Sphinx, exception: Exception | None) -> None:
    """Apply :func:`patch_page` to every page written (idempotent)."""
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        patched = patch_page(text)
        if patched != text:
            page.write_text(patched, encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _patch_pages)
    app.add_role("report-problem", _report_problem_role)
    app.connect("build-finished", _write_index_redirect, priority=400)
    handlers = (_visit_hidden_cell, _depart_hidden_cell)
    app.add_node(HideCodeCellNode, override=True, html=handlers, singlehtml=handlers)
    app.connect("doctree-resolved", _unique_ids)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _add_description)
    app.connect("doctree-resolved", _status_as_words)
    # After sphinx-book-theme copied its output-less notebook and linked it (priority 501).
    app.connect("html-page-context", _offer_learner_notebook, priority=600)
    app.add_config_value("dlbook_binder_branch", BINDER_BRANCH, "html", types=[str])
    app.connect("html-page-context", _point_binder_at_learner_notebook, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
