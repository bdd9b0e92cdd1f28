"""Keep the executed book honest: no stale outputs, no ignored warnings.

A local Sphinx extension (named under ``sphinx: local_extensions`` in ``_config.yml``),
so that plain ``jupyter-book build .`` gets it too, not only the README's wrapper.

* jupyter-cache keys a chapter on its own code cells, so an edit to ``dlbook/`` would
  leave stale numbers on the page. Each chapter gets a fingerprint: the Python version,
  the versions of the libraries in ``dlbook.report.TRACKED_LIBRARIES``, and the code of
  the ``dlbook`` modules the chapter imports, directly or through other modules (imports
  inside functions included). A module's code is hashed without its docstrings and
  comments, so editing prose in ``dlbook/`` re-executes nothing. When a chapter's
  fingerprint changes, its records are removed from the execution cache and the page is
  read, and so executed, again; other chapters keep their cached outputs. The
  fingerprints of the cached notebooks are kept next to the cache, in ``STAMP_NAME``.
* The environment records the fingerprint each page was read with, so a build that
  stopped half-way cannot leave a page computed by older code: it is read again.
* Pages that paste numbers glued in other chapters (the execution report) are always
  re-read, so they never show figures from an earlier build.
* A build that logged any warning fails (``dlbook_strict``), and its saved environment
  is dropped so that the next build reports the same warnings instead of skipping
  the pages that caused them. Warnings are counted by a handler on the ``sphinx`` logger.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging as std_logging
import os
import shutil
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging
from sphinx.util.logging import OnceFilter, is_suppressed_warning

logger = logging.getLogger(__name__)

#: The fingerprints of the cached notebooks, in the jupyter-cache folder.
STAMP_NAME = "dlbook-fingerprints.json"
_OLD_STAMP_NAME = "dlbook-fingerprint.txt"  # written by the first guard: one hash for all
_STAMP_FORMAT = 1
#: The module of the package that names the libraries whose versions are fingerprinted.
TRACKED_LIBRARIES_MODULE = "report.py"
_ENV_PICKLE = "environment.pickle"


class StrictBuildError(SphinxError):
    category = "dlbook strict build"


# --- Fingerprints of code: pure functions, no Sphinx ------------------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class _DropStrings(ast.NodeTransformer):
    """Remove statements that are a bare string: docstrings (and attribute docstrings)."""

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None
        return node


def code_fingerprint(source: str) -> str:
    """Hash Python code, ignoring docstrings, comments and layout.

    Comments and layout never reach the syntax tree; docstrings (any statement that is
    only a string) are dropped from it; line numbers are left out of the dump.
    Source that does not parse is hashed as it is.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "unparsed-" + _sha256(source)
    return _sha256(ast.dump(_DropStrings().visit(tree), include_attributes=False))


def package_modules(package_dir: Path) -> dict[str, Path]:
    """Module name (``dlbook``, ``dlbook.linreg``, ...) to file, for every ``.py`` file."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        if all(part.isidentifier() for part in parts):
            modules[".".join(parts)] = path
    return modules


def _with_parents(name: str, known: Collection[str]) -> set[str]:
    """Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``: those that are known modules."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & set(known)


def _from_base(node: ast.ImportFrom, module: str | None, is_package: bool) -> str | None:
    """The absolute module of ``from X import ...``, relative imports resolved in ``module``."""
    if not node.level:
        return node.module
    if module is None:
        return None
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    if not package:
        return None
    return f"{package}.{node.module}" if node.module else package


def _dynamic_import(node: ast.Call) -> str | None:
    """The module named in ``importlib.import_module("x")`` or ``__import__("x")``."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name in ("import_module", "__import__") and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def imported_modules(
    tree: ast.AST, known: Collection[str], *, module: str | None = None, is_package: bool = False
) -> set[str]:
    """The modules among ``known`` that code imports anywhere, function bodies included.

    ``module`` names the module the code belongs to, to resolve relative imports
    (``from . import x``, ``from .x import y``); ``is_package`` when it is an ``__init__``.
    """
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found |= _with_parents(alias.name, known)
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(node, module, is_package)
            if base is None:
                continue
            found |= _with_parents(base, known)
            for alias in node.names:
                if alias.name == "*":
                    found |= {name for name in known if name.startswith(base + ".")}
                else:  # ``from dlbook import linreg`` imports the submodule
                    found |= _with_parents(f"{base}.{alias.name}", known)
        elif isinstance(node, ast.Call) and (name := _dynamic_import(node)):
            found |= _with_parents(name, known)
    return found


def dependency_closure(start: Iterable[str], graph: Mapping[str, Iterable[str]]) -> set[str]:
    """Everything reachable from ``start`` in the import graph, ``start`` included."""
    seen: set[str] = set()
    stack = list(start)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(graph.get(name, ()))
    return seen


def notebook_code_cells(path: Path) -> list[str] | None:
    """The code cells of a notebook source (``.ipynb`` or MyST ``.md``); None if not one.

    Read with myst-nb's own reader, as the execution reads them (``:load:`` included).
    """
    if path.suffix == ".ipynb":
        import nbformat

        notebook = nbformat.read(path, as_version=4)
    elif path.suffix == ".md":
        from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

        text = path.read_text(encoding="utf-8")
        if not is_myst_markdown_notebook(text):
            return None
        notebook = read_myst_markdown_notebook(text, path=path)
    else:
        return None
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def _parse_cell(source: str) -> ast.AST | None:
    """A code cell as Python: IPython's magics (``%time``, ``!ls``) become calls first."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # without IPython, plain Python still parses
        pass
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _is_magic_call(node: ast.AST) -> bool:
    """``get_ipython().run_line_magic(name, "code")``: what IPython makes of ``%time code``."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("run_line_magic", "run_cell_magic")
        and bool(node.args)
        and isinstance(node.args[-1], ast.Constant)
        and isinstance(node.args[-1].value, str)
    )


def source_imports(source: str, known: Collection[str], package: str) -> set[str]:
    """The package's modules that a code cell imports, in magics' code too (``%%time``).

    If code that names the package does not parse, we cannot tell: all of them.
    """
    tree = _parse_cell(source)
    if tree is None:
        return set(known) if package in source else set()
    found = imported_modules(tree, known)
    for node in ast.walk(tree):
        if _is_magic_call(node):
            found |= source_imports(node.args[-1].value, known, package)
    return found


def cells_imports(cells: Iterable[str], known: Collection[str], package: str) -> set[str]:
    """The package's modules that a notebook's code cells import."""
    return set().union(*(source_imports(source, known, package) for source in cells))


def tracked_libraries(report_file: Path) -> tuple[str, ...]:
    """``TRACKED_LIBRARIES`` of ``dlbook/report.py``, read without importing the package."""
    tree = ast.parse(report_file.read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        named = any(getattr(target, "id", None) == "TRACKED_LIBRARIES" for target in targets)
        if named and getattr(node, "value", None) is not None:
            return tuple(ast.literal_eval(node.value))
    raise StrictBuildError(f"{report_file} defines no TRACKED_LIBRARIES")


def library_versions(libraries: Iterable[str]) -> dict[str, str | None]:
    """Python's version and each library's installed version (None if not installed)."""
    versions: dict[str, str | None] = {"Python": sys.version}
    for name in libraries:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@dataclass
class Fingerprinter:
    """Fingerprints of notebooks against one state of the package and the libraries."""

    package: str
    versions: dict[str, str | None]
    modules: dict[str, str]  # module name to code fingerprint
    graph: dict[str, set[str]]  # module name to the package's modules it imports

    @classmethod
    def scan(cls, package_dir: Path, libraries: Iterable[str]) -> Fingerprinter:
        files = package_modules(package_dir)
        modules, graph = {}, {}
        for name, path in files.items():
            source = path.read_text(encoding="utf-8", errors="surrogateescape")
            modules[name] = code_fingerprint(source)
            try:
                tree = ast.parse(source)
            except SyntaxError:
                graph[name] = set(files)  # cannot tell: depend on everything
                continue
            graph[name] = imported_modules(
                tree, files, module=name, is_package=path.name == "__init__.py"
            )
        return cls(package_dir.name, library_versions(libraries), modules, graph)

    def closure(self, cells: Iterable[str]) -> list[str]:
        """The package's modules that code cells run, directly or transitively, sorted."""
        direct = cells_imports(cells, self.modules, self.package)
        return sorted(dependency_closure(direct, self.graph))

    def fingerprint(self, closure: Iterable[str]) -> str:
        """Hash of the versions and of the code of the modules in ``closure``."""
        code = {name: self.modules.get(name) for name in sorted(closure)}
        return _sha256(json.dumps({"versions": self.versions, "code": code}, sort_keys=True))

    def of_file(self, path: Path) -> tuple[str, list[str], bool]:
        """(fingerprint, modules, is a notebook) of a page's source file."""
        try:
            cells = notebook_code_cells(path)
        except Exception:  # an unreadable notebook fails the build on its own
            cells = None
        closure = self.closure(cells or [])
        return self.fingerprint(closure), closure, cells is not None


# --- The execution cache ----------------------------------------------------------------


def _read_stamp(path: Path) -> dict:
    try:
        stamp = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) and stamp.get("format") == _STAMP_FORMAT else {}


def _write_stamp(path: Path, stamp: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")
    os.replace(temporary, path)


def _reason(old: dict, old_entry: dict | None, current: Fingerprinter, closure: list[str]) -> str:
    """Why a notebook's cached outputs are no longer valid, for the log."""
    if old.get("versions") and old["versions"] != current.versions:
        changed = [
            f"{name} {old['versions'].get(name)} -> {version}"
            for name, version in current.versions.items()
            if old["versions"].get(name) != version and name != "Python"
        ]
        if old["versions"].get("Python") != current.versions["Python"]:
            changed.insert(0, "Python")
        return f"library versions changed ({', '.join(changed) or 'tracked list'})"
    if old_entry is None:
        return "no dlbook fingerprint for its cached outputs"
    if sorted(old_entry.get("modules", [])) != closure:
        return "the dlbook modules it imports changed"
    old_modules = old.get("modules", {})
    changed = [name for name in closure if old_modules.get(name) != current.modules.get(name)]
    return f"{', '.join(changed) or 'dlbook'} changed"


def refresh_execution_cache(
    cache_dir: Path, current: Fingerprinter, notebooks: Mapping[str, tuple[str, str, list[str]]]
) -> set[str]:
    """Drop the cached outputs computed with other code; return the docnames to re-execute.

    ``notebooks`` maps docname to (uri, fingerprint, modules), the uri being the absolute
    source path that myst-nb records in jupyter-cache. A record is kept only if the stamp
    says it was computed under the current fingerprint of its source file.
    """
    from jupyter_cache import get_cache

    stamp_path = cache_dir / STAMP_NAME
    old = _read_stamp(stamp_path)
    (cache_dir / _OLD_STAMP_NAME).unlink(missing_ok=True)
    old_entries: dict[str, dict] = old.get("notebooks", {})
    by_uri = {uri: (doc, fp) for doc, (uri, fp, _) in notebooks.items()}
    kept: dict[str, dict] = {}
    dropped: set[str] = set()
    try:
        cache = get_cache(str(cache_dir))
        for record in cache.list_cache_records():
            uri = record.uri
            if uri in by_uri:
                now = by_uri[uri][1]
            elif Path(uri).is_file():
                now = current.of_file(Path(uri))[0]  # a page not in this build: keep if valid
            else:
                now = None
            entry = old_entries.get(uri)
            if now is not None and entry is not None and entry.get("fingerprint") == now:
                kept[uri] = entry
            else:
                cache.remove_cache(record.pk)
                dropped.add(uri)
    except Exception as error:  # a cache we cannot edit is cleared whole
        logger.info("[dlbook] clearing the execution cache %s (%s)", cache_dir, error)
        shutil.rmtree(cache_dir, ignore_errors=True)
        kept, dropped = {}, set(by_uri)

    rerun: dict[str, list[str]] = {}
    for doc, (uri, fp, closure) in sorted(notebooks.items()):
        entry = old_entries.get(uri)
        if uri in dropped or (entry is not None and entry.get("fingerprint") != fp):
            rerun.setdefault(_reason(old, entry, current, closure), []).append(doc)
        kept[uri] = {"fingerprint": fp, "modules": closure}
    for reason, docs in rerun.items():
        # On a line of its own: Sphinx has just written "updating environment: ".
        logger.info("\n[dlbook] %s: re-executing %s", reason, ", ".join(docs))
    _write_stamp(
        stamp_path,
        {
            "format": _STAMP_FORMAT,
            "versions": current.versions,
            "modules": current.modules,
            "notebooks": kept,
        },
    )
    return {doc for docs in rerun.values() for doc in docs}


# --- Sphinx events ----------------------------------------------------------------------


class _WarningCounter(std_logging.Handler):
    """Counts the warnings Sphinx shows: not those in ``suppress_warnings``, and each
    record once (Sphinx holds warnings back during a build and logs them again later)."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(level=std_logging.WARNING)
        self.app = app
        self.count = 0
        self._seen: dict[int, std_logging.LogRecord] = {}  # kept alive: ids stay unique
        self._once = OnceFilter()

    def emit(self, record: std_logging.LogRecord) -> None:
        if id(record) in self._seen:
            return
        self._seen[id(record)] = record
        suppressed = getattr(self.app.config, "suppress_warnings", ())
        kind, subtype = getattr(record, "type", ""), getattr(record, "subtype", "")
        if is_suppressed_warning(kind, subtype, suppressed) or not self._once.filter(record):
            return
        self.count += 1


# Per build (keyed by ``id(app)``): the current fingerprints and the warning counter.
_CURRENT: dict[int, dict[str, str]] = {}
_COUNTERS: dict[int, _WarningCounter] = {}


def _package_dir(app: Sphinx) -> Path:
    return Path(app.confdir, app.config.dlbook_package_dir)


def _on_config_inited(app: Sphinx, config) -> None:
    package_dir = _package_dir(app)
    if not package_dir.is_dir():
        raise StrictBuildError(f"dlbook_package_dir {package_dir} is not a folder")
    if not (package_dir / TRACKED_LIBRARIES_MODULE).is_file():
        raise StrictBuildError(f"{package_dir / TRACKED_LIBRARIES_MODULE} is missing")


def _on_env_get_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    package_dir = _package_dir(app)
    current = Fingerprinter.scan(
        package_dir, tracked_libraries(package_dir / TRACKED_LIBRARIES_MODULE)
    )
    docs: dict[str, tuple[str, str, list[str]]] = {}
    notebooks = {}
    for doc in sorted(env.found_docs):
        path = Path(env.doc2path(doc)).absolute()
        fp, closure, is_notebook = current.of_file(path)
        docs[doc] = (str(path), fp, closure)
        if is_notebook:
            notebooks[doc] = docs[doc]
    _CURRENT[id(app)] = {doc: fp for doc, (_, fp, _) in docs.items()}

    outdated: set[str] = set()
    nb_config = getattr(env, "mystnb_config", None)
    if nb_config is not None and nb_config.execution_mode == "cache":
        cache_dir = Path(nb_config.execution_cache_path or ".jupyter_cache")
        outdated |= refresh_execution_cache(cache_dir, current, notebooks)

    # Pages read with other code, e.g. by a build that stopped after refreshing the cache.
    recorded = getattr(env, "dlbook_fingerprints", {})
    now = _CURRENT[id(app)]
    stale = sorted(doc for doc, fp in now.items() if recorded.get(doc, fp) != fp)
    if set(stale) - outdated:
        logger.info(
            "\n[dlbook] read with other dlbook code or libraries: re-reading %s",
            ", ".join(doc for doc in stale if doc not in outdated),
        )
    # Pages not read yet in this environment are new to Sphinx too; read them all.
    outdated |= {doc for doc, fp in now.items() if recorded.get(doc) != fp}
    outdated |= set(app.config.dlbook_always_reread) & env.found_docs
    return sorted(outdated)


def _on_env_before_read_docs(app: Sphinx, env, docnames: list[str]) -> None:
    current = _CURRENT.get(id(app), {})
    recorded = {
        doc: fp
        for doc, fp in getattr(env, "dlbook_fingerprints", {}).items()
        if doc in env.found_docs
    }
    recorded.update({doc: current[doc] for doc in docnames if doc in current})
    env.dlbook_fingerprints = recorded


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    _CURRENT.pop(id(app), None)
    counter = _COUNTERS.pop(id(app), None)
    if counter is None:
        return
    std_logging.getLogger("sphinx").removeHandler(counter)
    if exception is None and counter.count:
        # Without this, the next build would re-read nothing and pass silently.
        Path(app.doctreedir, _ENV_PICKLE).unlink(missing_ok=True)
        if app.config.dlbook_strict:
            raise StrictBuildError(
                f"{counter.count} warning(s) above; the dlbook build treats warnings as errors"
            )


#: Read by ``dlbook.progress``: the kernels the build starts inherit it and print no progress.
QUIET_ENV = "DLBOOK_QUIET"


def setup(app: Sphinx) -> dict:
    # Progress lines help a learner running a chapter; they must not reach the built pages.
    os.environ[QUIET_ENV] = "1"
    app.add_config_value("dlbook_package_dir", "dlbook", "env")
    app.add_config_value("dlbook_strict", True, "env")
    app.add_config_value("dlbook_always_reread", ["book/report"], "env")
    counter = _WarningCounter(app)
    _COUNTERS[id(app)] = counter
    # Sphinx's loggers are all under "sphinx" (myst-nb's, docutils' messages included).
    std_logging.getLogger("sphinx").addHandler(counter)
    app.connect("config-inited", _on_config_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-before-read-docs", _on_env_before_read_docs)
    # Late, so that warnings from other extensions' build-finished handlers count.
    app.connect("build-finished", _on_build_finished, priority=900)
    return {"version": "2.0", "parallel_read_safe": True, "parallel_write_safe": True}
