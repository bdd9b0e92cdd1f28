"""A chapter as a learner notebook: the page's prose in plain Markdown, the chapter's code cells.

JupyterLab shows MyST roles and directives as raw text, so a chapter opened as a notebook
lacks what its page shows: glued numbers, glossary links, listings, figures, exercises.
:func:`learner_notebook` turns a chapter's MyST source into an ``.ipynb`` that shows it:

* glue roles (``{glue:text}``, ``{glue:md}``, ``{glue}``) become the build's values, formatted
  by myst-nb's own ``format_plain_text``; a name the build did not glue is an error;
* ``{term}``, ``{ref}``, ``{numref}``, ``{doc}``, ``{py:*}`` become Markdown links to the
  published pages (relative to the chapter's page, or under ``site_url``); ``{math}`` is ``$..$``;
* ``literalinclude`` becomes a fenced block read by Sphinx's own ``LiteralIncludeReader``;
* ``glue:figure`` keeps its caption (the figure itself appears under the cell that draws it,
  through :func:`dlbook.glue.glue`); ``glue:md`` blocks are pasted;
* exercises are bold-titled, solutions and dropdown admonitions fold in ``<details>``;
* code cells keep their order and tags (folded ones are collapsed with JupyterLab's
  ``jupyter.source_hidden``/``outputs_hidden``); ``remove-cell`` cells are dropped; no outputs.

Anything else that looks like MyST raises :class:`LearnerNotebookError` naming the chapter,
the line and the construct: nothing passes through raw. Sphinx is not needed to run this
(only its ``LiteralIncludeReader`` is imported); ``_ext/dlbook_site.py`` calls it during the build.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import nbformat

__all__ = [
    "RAW_MYST",
    "GlueValues",
    "Labels",
    "LearnerNotebookError",
    "learner_notebook",
    "raw_myst",
]

MARKER = "dlbook_learner_notebook"
"""Notebook metadata key that marks a learner notebook (its value names the chapter)."""


class LearnerNotebookError(ValueError):
    """A chapter holds something the learner notebook cannot show (or a missing glue value)."""

    def __init__(self, chapter: str, line: int | None, message: str) -> None:
        where = f"{chapter}:{line}" if line is not None else chapter
        super().__init__(f"{where}: {message}")
        self.chapter, self.line = chapter, line


# ---------------------------------------------------------------------------------------------
# Glue values


GlueLookup = Callable[[str | None, str], Mapping[str, str]]
"""``lookup(doc, key)``: the mime bundle glued as ``key`` (in ``doc``, a path such as
``gradient-descent.md`` relative to the chapter, or the chapter itself when ``None``)."""


@dataclass
class GlueValues:
    """Glued values read from myst-nb's ``<docname>.glue.json`` files in ``folder``.

    ``folder`` is the build's ``jupyter_execute`` folder; ``docname`` the chapter, e.g.
    ``book/gradient-descent``. Raises ``KeyError`` for a name that was not glued.
    """

    folder: Path
    docname: str
    _cache: dict[str, dict] = field(default_factory=dict, repr=False)

    def _values(self, docname: str) -> dict:
        if docname not in self._cache:
            path = Path(self.folder, f"{docname}.glue.json")
            self._cache[docname] = json.loads(path.read_text()) if path.exists() else {}
        return self._cache[docname]

    def __call__(self, doc: str | None, key: str) -> Mapping[str, str]:
        docname = self.docname
        if doc is not None:
            base = self.docname.rsplit("/", 1)[0] + "/" if "/" in self.docname else ""
            docname = re.sub(r"\.(md|ipynb)$", "", base + doc)
        return self._values(docname)[key]["data"]


def glue_from_notebook(notebook) -> dict[str, dict]:
    """The glue values of an executed notebook, as ``glue.json`` holds them (name -> output)."""
    values = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap:
                cut = len(scrap.get("mime_prefix", ""))
                values[scrap["name"]] = {"data": {k[cut:]: v for k, v in output["data"].items()}}
    return values


def format_plain_text(text: str, fmt_spec: str) -> str:
    """Format a glued ``text/plain`` value exactly as myst-nb's ``{glue:text}`` does."""
    from myst_nb.core.variables import format_plain_text as myst_format

    return myst_format(text, fmt_spec)


# ---------------------------------------------------------------------------------------------
# Labels: what {ref}, {numref} and {doc} point at, read from the chapters' sources


@dataclass
class Target:
    page: str  # docname without the folder, e.g. "gradient-descent"
    anchor: str | None
    text: str  # what {ref} shows
    number: str | None = None  # what {numref} shows, e.g. "Fig. 2"


@dataclass
class Labels:
    """Every label, figure name, exercise label and page title of a set of chapter sources."""

    targets: dict[str, Target] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)  # lower case -> the glossary's spelling
    strict: bool = True  # False: a target not found becomes plain words (a one-page build)

    @classmethod
    def from_sources(cls, sources: Mapping[str, str], strict: bool = True) -> Labels:
        """``sources`` maps a page name (``"gradient-descent"``) to its MyST text."""
        labels = cls(strict=strict)
        for page, text in sources.items():
            labels._scan(page, text)
        return labels

    def _scan(self, page: str, text: str) -> None:
        lines = text.split("\n")
        figures = exercises = 0
        pending: str | None = None
        glossary: str | None = None  # the fence of the open glossary block
        for i, line in enumerate(lines):
            if glossary is not None:
                if line.strip() == glossary:
                    glossary = None
                elif line.strip() and not line[0].isspace() and not line.startswith(":"):
                    self.terms[line.strip().lower()] = line.strip()
                continue
            opening = re.match(r"^(:{3,}|`{3,})\{glossary\}", line)
            if opening:
                glossary = opening.group(1)
                continue
            heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if heading and page not in self.titles:
                self.titles[page] = _plain_title(heading.group(2))
            label = re.match(r"^\((?P<label>[\w.:-]+)\)=\s*$", line)
            if label:
                pending = label.group("label")
                continue
            if pending and line.strip():
                title = heading.group(2) if heading else None
                admonition = re.match(r"^(:{3,}|`{3,})\{admonition\}\s*(.*)$", line)
                if admonition:
                    title = admonition.group(2)
                self.targets[pending] = Target(page, pending, _plain_title(title or pending))
                pending = None
            directive = re.match(r"^(:{3,}|`{3,})\{(glue:figure|exercise)\}\s*(.*)$", line)
            if not directive:
                continue
            options = _options_after(lines, i + 1)
            if directive.group(2) == "glue:figure":
                figures += 1
                name = options.get("name")
                if name:
                    caption = _caption_after(lines, i + 1)
                    self.targets[name] = Target(page, name, caption, f"Fig. {figures}")
            else:
                exercises += 1
                name = options.get("label")
                title = directive.group(3).strip()
                number = f"Exercise {exercises}"
                text = f"{number} ({title})" if title else number
                if name:
                    self.targets[name] = Target(page, name, text, number)


def _options_after(lines: list[str], start: int) -> dict[str, str]:
    options = {}
    for line in lines[start:]:
        option = re.match(r"^:([\w-]+):\s*(.*)$", line)
        if not option:
            break
        options[option.group(1)] = option.group(2).strip()
    return options


def _caption_after(lines: list[str], start: int) -> str:
    i = start
    while i < len(lines) and re.match(r"^:([\w-]+):", lines[i]):
        i += 1
    words = []
    for line in lines[i:]:
        if re.match(r"^(`{3,}|:{3,})\s*$", line):
            break
        if not line.strip() and words:
            break
        words.append(line.strip())
    return _plain_title(" ".join(words))


def _plain_title(text: str) -> str:
    """A title without Markdown emphasis or roles, for a link's text."""
    text = re.sub(r"\{[\w:.-]+\}`([^`<]*?)(?:\s*<[^>`]*>)?`", r"\1", text)
    return re.sub(r"\*\*|__", "", text).strip()


# ---------------------------------------------------------------------------------------------
# The conversion

RAW_MYST = re.compile(
    r"\{[A-Za-z][\w:.-]*\}`|\{glue|^\s*(?:`{3,}|~{3,}|:{3,})\s*\{|:{3,}|:pyobject:"
    r"|^\([\w.:-]+\)=\s*$|\{\{.*\}\}",
    re.MULTILINE,
)
"""What raw MyST looks like in a Markdown cell: roles, glue, directives, colon fences,
directive options, targets, substitutions."""

KNOWN_TAGS = {
    "remove-cell",
    "remove-input",
    "remove-output",
    "hide-input",
    "hide-output",
    "hide-cell",
    "aside",
    "refresher",
    "raises-exception",
    "skip-execution",
}

DIRECTIVE_OPTIONS = {
    "literalinclude": {"pyobject", "language", "caption", "dedent", "lines", "emphasize-lines"},
    "glue:figure": {"alt", "name", "figwidth", "width", "align"},
    "glue:md": {"format"},
    "glue:math": {"label"},
    "exercise": {"label", "class", "nonumber"},
    "solution-start": {"label", "class"},
    "solution-end": set(),
    "solution": {"label", "class"},
    "admonition": {"class", "name"},
    "div": {"class"},
    "nb-exec-table": set(),
    "math": {"label", "nowrap"},
    "note": {"class"},
    "tip": {"class"},
    "warning": {"class"},
    "important": {"class"},
    "dropdown": {"class", "open"},
}

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
INLINE = re.compile(
    r"(?P<role>\{(?P<name>[A-Za-z][\w:.-]*)\}(?P<tick>`+)(?P<content>.+?)(?P=tick))"
    r"|(?P<code>(?P<ct>`+).+?(?P=ct))"
    r"|(?P<link>\]\((?P<href>(?![a-z][\w+.-]*:)[^)\s#]+\.md)(?P<frag>#[^)\s]*)?\))",
    re.DOTALL,
)
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


def _glossary_anchor(term: str) -> str:
    """Sphinx's id of a glossary term: ``term-`` and the term made an identifier."""
    from sphinx.util.nodes import _make_id

    return _make_id(f"term-{term}")


def issue_url(repository_url: str, pagename: str) -> str:
    """The new-issue link of a page, exactly as sphinx-book-theme's issue button writes it.

    ``repository_url`` is ``_config.yml``'s ``repository: url`` (a GitHub repository), and
    ``pagename`` the page's docname, e.g. ``book/gradient-descent``: the issue's title names it.
    """
    return (
        f"{repository_url.rstrip('/')}/issues/new?title=Issue%20on%20page%20%2F{pagename}.html"
        "&body=Your%20issue%20content%20here."
    )


@dataclass
class _Context:
    chapter: str  # e.g. "book/gradient-descent"
    page: str  # "gradient-descent"
    source_dir: Path
    glue: GlueLookup
    labels: Labels
    site_url: str
    repository_url: str = ""
    line: int = 0
    listings: int = 0
    figures: int = 0
    exercises: int = 0
    solution: tuple[str, bool] | None = None  # (title, folds) of the open solution
    solutions: list[tuple[str, bool]] = field(default_factory=list)
    solution_parts: int = 0
    last_code: str = ""  # the source of the last code cell kept

    def fail(self, message: str, offset: int = 0) -> LearnerNotebookError:
        return LearnerNotebookError(self.chapter, self.line + offset, message)

    def url(self, page: str, anchor: str | None = None) -> str:
        return f"{self.site_url}{page}.html" + (f"#{anchor}" if anchor else "")


def _inline(text: str, ctx: _Context, offset: int = 0) -> str:
    """Roles and ``.md`` links of a run of Markdown text made plain Markdown."""

    def replace(match: re.Match) -> str:
        if match.group("code"):
            return match.group(0)
        line = offset + text.count("\n", 0, match.start())
        if match.group("link"):
            page = Path(match.group("href")).with_suffix(".html").as_posix()
            return f"]({ctx.site_url}{page}{match.group('frag') or ''})"
        return _role(match.group("name"), match.group("content"), ctx, line)

    return INLINE.sub(replace, text)


def _role(name: str, content: str, ctx: _Context, line: int) -> str:
    explicit = EXPLICIT.match(content)
    text, target = (explicit["text"], explicit["target"]) if explicit else (None, content)
    if name == "term":
        term = ctx.labels.terms.get(target.strip().lower())
        if term is None and not ctx.labels.strict:
            return text or target
        if term is None:
            raise ctx.fail(f"{{term}}`{content}`: not in the glossary", line)
        return f"[{text or target}]({ctx.url('glossary', _glossary_anchor(term))})"
    if name in ("glue:text", "glue", "glue:", "glue:any", "glue:md"):
        return _glue_role(name, content, ctx, line)
    if name == "math":
        return f"${content}$"
    if name == "report-problem":
        if not ctx.repository_url:
            raise ctx.fail("{report-problem} needs the repository's URL (_config.yml)", line)
        return f"[{content}]({issue_url(ctx.repository_url, ctx.chapter)})"
    if name in ("ref", "numref"):
        found = ctx.labels.targets.get(target)
        if found is None and not ctx.labels.strict:
            return text or target
        if found is None:
            raise ctx.fail(f"{{{name}}}`{content}`: no such label", line)
        shown = found.text if name == "ref" else found.number
        if shown is None:
            raise ctx.fail(f"{{numref}}`{content}`: the label has no number", line)
        if text:
            shown = text.replace("%s", (found.number or "").split()[-1]) if "%s" in text else text
        return f"[{shown}]({ctx.url(found.page, found.anchor)})"
    if name == "doc":
        page = target.removesuffix(".md").removeprefix("/book/").removeprefix("book/")
        title = text or ctx.labels.titles.get(page)
        if title is None and not ctx.labels.strict:
            return page
        if title is None:
            raise ctx.fail(f"{{doc}}`{content}`: no such page", line)
        return f"[{title}]({ctx.url(page)})"
    if name in ("py:func", "py:meth", "py:class", "py:mod", "py:data", "py:attr", "py:obj"):
        short = target.startswith("~")
        target = target.lstrip("~")
        shown = text or (target.rsplit(".", 1)[-1] if short else target)
        if name in ("py:func", "py:meth") and not text:
            shown += "()"
        anchor = f"module-{target}" if name == "py:mod" else target
        return f"[`{shown}`]({ctx.url('api', anchor)})"
    raise ctx.fail(f"unknown role {{{name}}}`{content}`", line)


def _glue_role(name: str, content: str, ctx: _Context, line: int) -> str:
    fmt = None
    key = content
    if name in ("glue:text", "glue:md") and ":" in content.replace("::", "\0\0"):
        cut = content.replace("::", "\0\0").rindex(":")
        key, fmt = content[:cut], content[cut + 1 :]
    doc, _, key = key.rpartition("::")
    data = _glue_data(doc or None, key, ctx, line)
    if name == "glue:md":
        if "text/markdown" not in data:
            raise ctx.fail(f"glued value {key!r} has no text/markdown", line)
        return _inline(data["text/markdown"], ctx, line)
    if name == "glue:text" or "text/markdown" not in data:
        if "text/plain" not in data:
            raise ctx.fail(f"glued value {key!r} has no text/plain", line)
        try:
            return format_plain_text(data["text/plain"], fmt if fmt is not None else "s")
        except Exception as exc:  # myst-nb warns (and the strict build fails) the same way
            raise ctx.fail(
                f"glued value {key!r} cannot be formatted as {fmt!r}: {exc}", line
            ) from exc
    return _inline(data["text/markdown"], ctx, line)


def _glue_data(doc: str | None, key: str, ctx: _Context, line: int) -> Mapping[str, str]:
    try:
        return ctx.glue(doc, key)
    except KeyError:
        where = f" in {doc}" if doc else ""
        raise ctx.fail(f"no glued value named {key!r}{where} in this build", line) from None


@dataclass
class _Directive:
    name: str
    argument: str
    options: dict[str, str | None]
    body: list[str]
    line: int  # offset of the header within the text being converted


def _split_directive(lines: list[str], start: int, ctx: _Context, offset: int) -> tuple:
    """The directive opening at ``lines[start]`` and the index after its closing fence."""
    opening = FENCE.match(lines[start])
    fence, info = opening["fence"], opening["info"].strip()
    header = re.match(r"^\{(?P<name>[\w:.-]+)\}\s*(?P<argument>.*)$", info)
    end = start + 1
    while end < len(lines):
        closing = FENCE.match(lines[end])
        if (
            closing
            and closing["fence"][0] == fence[0]
            and len(closing["fence"]) >= len(fence)
            and not closing["info"].strip()
        ):
            break
        end += 1
    else:
        raise ctx.fail(f"unclosed {fence}{{{header['name']}}}", offset + start)
    body = lines[start + 1 : end]
    options: dict[str, str | None] = {}
    if body and body[0].strip() == "---":
        import yaml

        close = body.index("---", 1)
        options = {
            k: (None if v is None else str(v))
            for k, v in yaml.safe_load("\n".join(body[1:close])).items()
        }
        body = body[close + 1 :]
    else:
        while body and re.match(r"^:[\w-]+:", body[0]):
            option = re.match(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$", body.pop(0))
            options[option["key"]] = option["value"].strip() or None
    while body and not body[0].strip():
        body = body[1:]
    name = header["name"]
    allowed = DIRECTIVE_OPTIONS.get(name)
    if allowed is None:
        raise ctx.fail(f"unknown directive {fence}{{{name}}}", offset + start)
    unknown = set(options) - allowed
    if unknown:
        raise ctx.fail(f"{{{name}}}: unknown options {sorted(unknown)}", offset + start)
    directive = _Directive(name, header["argument"].strip(), options, body, offset + start)
    return directive, end + 1


def _blocks(text: str, ctx: _Context, offset: int = 0) -> str:
    """A Markdown cell (or a directive's body) as plain Markdown."""
    lines = text.split("\n")
    out: list[str] = []
    paragraph: list[str] = []
    paragraph_start = 0

    def flush() -> None:
        if paragraph:
            out.append(_inline("\n".join(paragraph), ctx, offset + paragraph_start))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence and fence["info"].strip().startswith("{"):
            flush()
            directive, i = _split_directive(lines, i, ctx, offset)
            out.append(_directive(directive, ctx, offset))
            continue
        if fence and fence["fence"][0] in "`~":  # a plain code block: kept as it is
            flush()
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith(fence["fence"]):
                end += 1
            out.append("\n".join(lines[i : end + 1]))
            i = end + 1
            continue
        if fence:  # a colon fence without a directive
            raise ctx.fail(f"colon fence without a directive: {line.strip()!r}", offset + i)
        if re.match(r"^\([\w.:-]+\)=\s*$", line):  # a target: the published page has the anchor
            flush()
            i += 1
            continue
        if re.match(r"^%", line):  # a MyST comment: not shown on the page either
            i += 1
            continue
        if re.match(r"^:\s", line) or "{{" in line:
            raise ctx.fail(
                f"unsupported MyST (definition list or substitution): {line!r}", offset + i
            )
        if not paragraph:
            paragraph_start = i
        paragraph.append(line)
        i += 1
    flush()
    return "\n".join(out)


def _fenced(code: str, language: str) -> str:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", code)), default=0) + 1)
    return f"{ticks}{language}\n{code.rstrip()}\n{ticks}"


def _classes(directive: _Directive) -> set[str]:
    return set((directive.options.get("class") or "").split())


def _directive(d: _Directive, ctx: _Context, offset: int) -> str:
    body = "\n".join(d.body)
    if d.name == "literalinclude":
        return _literalinclude(d, ctx)
    if d.name == "glue:figure":
        key = d.argument
        _glue_data(None, key, ctx, d.line)  # a figure the build did not glue is an error
        caption = _blocks(body, ctx, d.line + 1).strip()
        ctx.figures += bool(caption)  # Sphinx numbers the figures that have a caption
        shown = f"**Fig. {ctx.figures}.** {caption}" if caption else ""
        if not re.search(rf"[\"']{re.escape(key)}[\"']", ctx.last_code):
            where = "*(The figure appears under the code cell that draws it, further up.)*"
            shown = f"{shown}\n\n{where}".strip()
        return shown
    if d.name == "glue:md":
        data = _glue_data(None, d.argument, ctx, d.line)
        if "text/markdown" not in data:
            raise ctx.fail(f"glued value {d.argument!r} has no text/markdown", d.line)
        return _blocks(data["text/markdown"], ctx, d.line)
    if d.name == "math":
        return f"$$\n{body.strip()}\n$$"
    if d.name == "exercise":
        ctx.exercises += 1
        title = f"Exercise {ctx.exercises}" + (f" ({d.argument})" if d.argument else "")
        return f"**{title}**\n\n{_blocks(body, ctx, d.line + 1)}"
    if d.name in ("solution-start", "solution"):
        found = ctx.labels.targets.get(d.argument)
        if found is None:
            raise ctx.fail(f"solution to an unknown exercise {d.argument!r}", d.line)
        title, folds = f"Solution to {found.text}", "dropdown" in _classes(d)
        if d.name == "solution":
            return _fold(title, _blocks(body, ctx, d.line + 1), folds)
        if ctx.solution is not None:
            raise ctx.fail("solution-start inside another solution", d.line)
        ctx.solution = (title, folds)
        ctx.solutions.append(ctx.solution)
        return f"\0S{len(ctx.solutions) - 1}\0"
    if d.name == "solution-end":
        if ctx.solution is None:
            raise ctx.fail("solution-end without solution-start", d.line)
        ctx.solution = None
        return "\0E\0"
    if d.name in ("admonition", "note", "tip", "warning", "important", "dropdown"):
        title = d.argument if d.name in ("admonition", "dropdown") else d.name.capitalize()
        folds = d.name == "dropdown" or "dropdown" in _classes(d)
        return _fold(_inline(title, ctx, d.line), _blocks(body, ctx, d.line + 1), folds)
    if d.name == "div":
        return _blocks(body, ctx, d.line + 1)
    if d.name == "nb-exec-table":
        return (
            f"*The table of this build's chapter execution times is on the "
            f"[published page]({ctx.url(ctx.page)}).*"
        )
    raise ctx.fail(f"unknown directive {{{d.name}}}", d.line)


_SOLUTION = re.compile("\0(S\\d+|E)\0")


def _fold(title: str, body: str, folds: bool) -> str:
    if not folds:
        return f"**{title}**\n\n{body}"
    return f"<details>\n<summary><b>{title}</b></summary>\n\n{body}\n\n</details>"


def _literalinclude(d: _Directive, ctx: _Context) -> str:
    from sphinx.directives.code import LiteralIncludeReader

    path = (ctx.source_dir / d.argument).resolve()
    options = {k: v for k, v in d.options.items() if k not in ("caption", "language")}
    if "dedent" in options and options["dedent"] is not None:
        options["dedent"] = int(options["dedent"])
    try:
        code, _ = LiteralIncludeReader(
            str(path), options, SimpleNamespace(source_encoding="utf-8")
        ).read()
    except Exception as exc:
        raise ctx.fail(f"literalinclude {d.argument}: {exc}", d.line) from exc
    block = _fenced(code, d.options.get("language") or "")
    caption = d.options.get("caption")
    if caption:
        ctx.listings += 1
        return f"**Listing {ctx.listings}.** {_inline(caption, ctx, d.line)}\n\n{block}"
    return block


def _markdown_cell(source: str, ctx: _Context) -> str:
    """Convert one Markdown cell; wrap the parts inside a solution in ``<details>``."""
    current = ctx.solution  # a solution may have begun in an earlier cell
    parts, announce = [], False
    for index, piece in enumerate(_SOLUTION.split(_blocks(source, ctx))):
        if index % 2:  # a solution's start or end
            current = None if piece == "E" else ctx.solutions[int(piece[1:])]
            ctx.solution_parts, announce = 0, current is not None
        elif piece.strip() and current is None:
            parts.append(piece.strip())
        elif piece.strip():
            ctx.solution_parts += 1
            title, folds = current
            title = title if ctx.solution_parts == 1 else f"{title} (continued)"
            parts.append(_fold(title, piece.strip(), folds))
            announce = False
    if announce:  # the solution opens with code: say so above its folded cell
        parts.append(f"**{current[0]}**: its code is folded in the cell below.")
        ctx.solution_parts = 1
    return "\n\n".join(parts)


HIDDEN = {
    "hide-input": {"source_hidden": True},
    "hide-output": {"outputs_hidden": True},
    "hide-cell": {"source_hidden": True, "outputs_hidden": True},
    "remove-input": {"source_hidden": True},
    "remove-output": {"outputs_hidden": True},
}


def _code_cell(cell, ctx: _Context):
    tags = list(cell.metadata.get("tags", []))
    unknown = set(tags) - KNOWN_TAGS
    if unknown:
        raise ctx.fail(f"code cell with unknown tags {sorted(unknown)}")
    if "remove-cell" in tags:  # it only glues numbers, which the prose already holds
        return None
    metadata = {k: v for k, v in cell.metadata.items() if k in ("tags", "mystnb")}
    jupyter: dict[str, bool] = {}
    for tag in tags:
        jupyter.update(HIDDEN.get(tag, {}))
    if ctx.solution is not None:  # folded with its solution, output too
        jupyter.update(source_hidden=True, outputs_hidden=True)
    if jupyter:
        metadata["jupyter"] = jupyter
    return nbformat.v4.new_code_cell(cell.source, metadata=metadata)


def learner_notebook(
    text: str,
    *,
    chapter: str,
    glue: GlueLookup,
    labels: Labels,
    source_dir: Path,
    site_url: str = "",
    repository_url: str = "",
) -> nbformat.NotebookNode:
    """The learner notebook of a chapter.

    Parameters
    ----------
    text : str
        The chapter's MyST Markdown notebook source.
    chapter : str
        Its docname, e.g. ``book/gradient-descent`` (names it in errors).
    glue : callable
        ``glue(doc, key)``: the mime bundle glued as ``key`` (see :class:`GlueValues`).
    labels : Labels
        The targets of ``{ref}``, ``{numref}`` and ``{doc}`` (see :meth:`Labels.from_sources`).
    source_dir : Path
        The chapter's folder, which ``literalinclude`` paths are relative to.
    site_url : str, optional
        Prefix of links to the published pages: ``""`` (relative to the chapter's page) or the
        URL of the folder of the chapter pages, ending in ``/``.
    repository_url : str, optional
        ``_config.yml``'s repository URL: ``{report-problem}`` links to a new issue there.

    Returns
    -------
    nbformat.NotebookNode
        Markdown and code cells, no outputs, kernel ``python3``.

    Raises
    ------
    LearnerNotebookError
        For MyST it does not know, a missing glue value, a dangling label.
    """
    from myst_nb.core.read import read_myst_markdown_notebook

    page = chapter.rsplit("/", 1)[-1]
    ctx = _Context(chapter, page, Path(source_dir), glue, labels, site_url, repository_url)
    source = read_myst_markdown_notebook(text, add_source_map=True)
    cells = []
    lines = text.split("\n")
    for cell, line in zip(source.cells, source.metadata.get("source_map", []), strict=False):
        first = cell.source.split("\n", 1)[0]
        ctx.line = next(  # the 1-based line of the cell's first line in the chapter
            (
                i + 1
                for i in range(max(line - 1, 0), min(line + 8, len(lines)))
                if lines[i] == first
            ),
            line,
        )
        if cell.cell_type == "markdown":
            converted = _markdown_cell(cell.source, ctx)
            if converted.strip():
                cells.append(nbformat.v4.new_markdown_cell(converted))
        elif cell.cell_type == "code":
            code = _code_cell(cell, ctx)
            if code is not None:
                cells.append(code)
                ctx.last_code = code.source
        else:
            raise ctx.fail(f"{cell.cell_type} cell")
    if ctx.solution is not None:
        raise ctx.fail(f"{ctx.solution[0]}: no solution-end")
    for cell in cells:
        if cell.cell_type == "markdown":
            raw = RAW_MYST.search(cell.source)
            if raw:  # a construct this module let through: a bug here, never shown to a learner
                raise ctx.fail(f"raw MyST left in a Markdown cell: {raw.group(0)!r}")
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        MARKER: chapter,
    }
    return notebook


def raw_myst(notebook) -> list[str]:
    """Every piece of raw MyST in the notebook's Markdown cells (empty for a learner notebook)."""
    return [
        m.group(0)
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
        # nbformat keeps a cell's source as one string; the JSON on disk may split it in lines
        for m in RAW_MYST.finditer("".join(cell["source"]))
    ]


def chapter_sources(root: Path, docnames: list[str]) -> dict[str, str]:
    """Page name -> MyST text of each docname (``book/x``) that exists as ``.md`` under root."""
    sources = {}
    for docname in docnames:
        path = Path(root, f"{docname}.md")
        if path.exists():
            sources[docname.rsplit("/", 1)[-1]] = path.read_text(encoding="utf-8")
    return sources


def is_notebook_source(text: str) -> bool:
    """Whether a MyST file is a notebook (its front matter names a kernel)."""
    return text.startswith("---") and "kernelspec:" in text.split("\n---", 1)[0]
