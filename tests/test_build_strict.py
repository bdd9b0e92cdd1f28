"""The build is strict: a failing cell, a dangling reference, an unknown glue key or stray
stderr fails it, and a change to ``dlbook`` code re-executes the chapters that import it,
and only those (no stale numbers, no needless runs)."""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FRONT_MATTER, ROOT, run_build

GOOD_CHAPTER = """# A chapter

```{code-cell} ipython3
from myst_nb import glue
import numpy as np
from dlbook.explore import pixel_summary

glue("mean_pixel", pixel_summary(np.full((2, 2), 7, dtype=np.uint8))["mean"], display=False)
```

The mean pixel is {glue:text}`mean_pixel:.2f`.
"""


def pasted_values(book, page: str = "chapter") -> list[str]:
    html = (book / "_build" / "html" / "book" / f"{page}.html").read_text()
    return re.findall(r'<span class="pasted-text">([^<]*)</span>', html)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("```{code-cell} ipython3\n1 / 0\n```\n", "ZeroDivisionError"),
        ("See {ref}`no-such-label`.\n", "undefined label"),
        (
            "```{code-cell} ipython3\nfrom myst_nb import glue\nglue('a', 1, display=False)\n```\n"
            "Value {glue:text}`not_glued`.\n",
            "not_glued",
        ),
        (
            "```{code-cell} ipython3\nimport sys\nsys.stderr.write('stray warning')\n```\n",
            "stderr was found in the cell outputs",
        ),
    ],
    ids=["failing-cell", "dangling-reference", "unknown-glue-key", "stderr-output"],
)
@pytest.mark.build
def test_strict_build_fails(mini_book, body, expected):
    book = mini_book("# Broken\n\n" + body)
    result = run_build(book, {"PYTHONPATH": str(book)})
    log = result.stdout + result.stderr
    assert result.returncode != 0, f"the build should have failed:\n{log[-3000:]}"
    assert expected in log


@pytest.mark.build
def test_changing_dlbook_reexecutes_the_chapters(mini_book):
    book = mini_book(GOOD_CHAPTER)
    env = {"PYTHONPATH": str(book)}
    first = run_build(book, env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert pasted_values(book) == ["7.00"]

    # Same sources: the cached outputs are reused.
    again = run_build(book, env)
    assert again.returncode == 0
    assert "Executing" not in again.stdout

    module = book / "dlbook" / "explore.py"
    source = module.read_text()
    assert "mean, std = float(values.mean())," in source
    module.write_text(source.replace("float(values.mean()),", "float(values.mean()) + 1.0,"))
    second = run_build(book, env)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "[dlbook] dlbook.explore changed: re-executing book/chapter" in second.stdout
    assert pasted_values(book) == ["8.00"], "the page still shows the stale number"


def test_plain_build_needs_no_wrapper_flags():
    """Hosting services run plain ``jupyter-book build .``: strictness lives in the config."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx = config["sphinx"]
    assert sphinx["config"]["nb_execution_raise_on_error"] is True
    assert sphinx["config"]["nb_output_stderr"] == "warn"
    assert "dlbook_guard" in sphinx["local_extensions"]
    assert config["execute"]["execute_notebooks"] == "cache"


# --- Only what changed re-executes --------------------------------------------------------

ALPHA = '''"""Alpha: the number chapter A shows, reached through beta."""

OFFSET = 1.0  # added to forty


def value():
    """Forty plus the offset."""
    return 40.0 + OFFSET
'''

BETA = '''"""Beta: imports alpha only inside a function, and relatively."""


def value():
    """Alpha's value plus one."""
    from .alpha import value as alpha_value

    return alpha_value() + 1.0
'''

GAMMA = '''"""Gamma: what chapter B shows; nothing to do with alpha or beta."""


def value():
    return 7.0
'''

# Each chapter also pastes a token drawn when it runs: the same token means the same run.
CHAPTER_A_CODE = """import uuid

from myst_nb import glue
from dlbook.beta import value

glue("a_value", value(), display=False)
glue("a_run", uuid.uuid4().hex, display=False)
"""
CHAPTER_A = f"# A\n\n```{{code-cell}} ipython3\n{CHAPTER_A_CODE}```\n\n" + (
    "A is {glue:text}`a_value:.2f`, run {glue:text}`a_run`.\n"
)

CHAPTER_B_CODE = """import uuid

from myst_nb import glue
from dlbook import gamma

glue("b_value", gamma.value(), display=False)
glue("b_run", uuid.uuid4().hex, display=False)
"""
CHAPTER_B = f"# B\n\n```{{code-cell}} ipython3\n{CHAPTER_B_CODE}```\n\n" + (
    "B is {glue:text}`b_value:.2f`, run {glue:text}`b_run`.\n"
)

FAKE_LIBRARY = "dlbook-fake-numerics"


def install_fake_library(site: Path, version: str) -> None:
    """An installed distribution, as ``importlib.metadata`` sees one, at ``version``."""
    for old in site.glob("dlbook_fake_numerics-*.dist-info"):
        shutil.rmtree(old)
    info = site / f"dlbook_fake_numerics-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {FAKE_LIBRARY}\nVersion: {version}\n"
    )


def track_fake_library(report: Path) -> None:
    """Add the fake distribution to the book's copy of ``TRACKED_LIBRARIES``."""
    source = report.read_text()
    assert "TRACKED_LIBRARIES = (\n" in source
    report.write_text(
        source.replace("TRACKED_LIBRARIES = (\n", f'TRACKED_LIBRARIES = (\n    "{FAKE_LIBRARY}",\n')
    )


def executed(log: str) -> set[str]:
    """The chapters that myst-nb executed (not taken from the cache), by file name."""
    return set(re.findall(r"/book/(\w+)\.md: Executing notebook", log))


@pytest.mark.build
def test_only_chapters_whose_code_changed_reexecute(multi_chapter_book):
    book = multi_chapter_book(
        {"a": CHAPTER_A, "b": CHAPTER_B},
        {"alpha.py": ALPHA, "beta.py": BETA, "gamma.py": GAMMA},
    )
    track_fake_library(book / "dlbook" / "report.py")
    site = book / "site-packages"
    install_fake_library(site, "1.0")
    env = {"PYTHONPATH": f"{book}{os.pathsep}{site}"}
    alpha = book / "dlbook" / "alpha.py"
    saved_env = book / "_build" / ".doctrees" / "environment.pickle"
    page_a = book / "_build" / "html" / "book" / "a.html"

    def build() -> str:
        result = run_build(book, env)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        return result.stdout

    log = build()
    assert executed(log) == {"a", "b"}, log[-3000:]
    a_value, a_run = pasted_values(book, "a")
    b_value, b_run = pasted_values(book, "b")
    assert (a_value, b_value) == ("42.00", "7.00")

    # Docstrings and comments are not code: nothing runs, nothing changes on the page.
    alpha.write_text(
        ALPHA.replace("Forty plus the offset.", "Forty, plus the offset (a docstring edit).")
        .replace("# added to forty", "# a comment edit")
        .replace("\n\ndef value", "\n\n# A new comment.\ndef value")
    )
    beta = book / "dlbook" / "beta.py"
    beta.write_text(BETA.replace("Alpha's value plus one.", "One more than alpha's value."))
    log = build()
    assert executed(log) == set(), log[-3000:]
    assert "re-executing" not in log
    assert pasted_values(book, "a") == [a_value, a_run]
    assert pasted_values(book, "b") == [b_value, b_run]
    env_before_edit, page_before_edit = saved_env.read_bytes(), page_a.read_bytes()

    # Code that only chapter A runs (beta imports alpha inside a function): only A re-runs.
    alpha.write_text(alpha.read_text().replace("OFFSET = 1.0", "OFFSET = 2.0"))
    log = build()
    assert "[dlbook] dlbook.alpha changed: re-executing book/a\n" in log
    assert executed(log) == {"a"}, log[-3000:]
    assert pasted_values(book, "a")[0] == "43.00", "chapter A shows a stale number"
    assert pasted_values(book, "b") == [b_value, b_run], "chapter B ran again"
    a_run = pasted_values(book, "a")[1]

    # A build that stopped after refreshing the cache, before saving its environment,
    # leaves the old environment and page: the page is read again (from the cache).
    saved_env.write_bytes(env_before_edit)
    page_a.write_bytes(page_before_edit)
    log = build()
    assert "[dlbook] read with other dlbook code or libraries: re-reading book/a\n" in log
    assert executed(log) == set(), log[-3000:]
    assert pasted_values(book, "a") == ["43.00", a_run]

    # A tracked library's version changed: every chapter re-runs.
    install_fake_library(site, "2.0")
    log = build()
    changed = f"[dlbook] library versions changed ({FAKE_LIBRARY} 1.0 -> 2.0): "
    assert changed + "re-executing book/a, book/b\n" in log
    assert executed(log) == {"a", "b"}, log[-3000:]
    assert pasted_values(book, "a")[0] == "43.00"
    assert pasted_values(book, "a")[1] != a_run
    assert pasted_values(book, "b")[1] != b_run


# --- The guard's pure functions (no build) -------------------------------------------------


def test_code_fingerprint_ignores_docstrings_and_comments_not_code(dlbook_guard):
    fingerprint = dlbook_guard.code_fingerprint
    base = fingerprint(ALPHA)
    assert fingerprint(ALPHA.replace('"""Forty plus the offset."""', '"""Other words."""')) == base
    assert fingerprint(ALPHA.replace("# added to forty", "# other words")) == base
    assert fingerprint(ALPHA.replace('"""Alpha: the number', '"""A module')) == base
    assert fingerprint("x = 1\n\n\n# note\ny = 2  # two\n") == fingerprint("x = 1\ny = 2\n")
    assert fingerprint('class C:\n    """Doc."""\n\n    x = 1\n') == fingerprint(
        "class C:\n    x = 1\n"
    )
    assert fingerprint(ALPHA.replace("OFFSET = 1.0", "OFFSET = 2.0")) != base
    assert fingerprint(ALPHA.replace("40.0 + OFFSET", "OFFSET + 40.0")) != base
    assert fingerprint('print("a")\n') != fingerprint('print("b")\n'), "strings in code count"
    assert fingerprint("def broken(:\n") != fingerprint("def broken(:\n  pass\n")


def test_imports_are_found_in_function_bodies_relative_and_submodule_imports(dlbook_guard):
    known = {
        "dlbook",
        "dlbook._checks",
        "dlbook.data",
        "dlbook.linreg",
        "dlbook.preprocess",
        "dlbook.toy_data",
        "dlbook.plots",
    }
    source = """
import numpy as np
from . import _checks


def f():
    from .preprocess import one_hot
    return one_hot


class C:
    def method(self):
        import importlib
        return importlib.import_module("dlbook.toy_data")
"""
    found = dlbook_guard.imported_modules(ast.parse(source), known, module="dlbook.plots")
    assert found == {"dlbook", "dlbook._checks", "dlbook.preprocess", "dlbook.toy_data"}

    chapter = "from dlbook import linreg\nimport dlbook.data as d\nfrom os import path\n"
    found = dlbook_guard.imported_modules(ast.parse(chapter), known)
    assert found == {"dlbook", "dlbook.linreg", "dlbook.data"}
    # In the package's __init__, ``from .x import y`` is relative to the package itself.
    found = dlbook_guard.imported_modules(
        ast.parse("from ._checks import check\n"), known, module="dlbook", is_package=True
    )
    assert found == {"dlbook", "dlbook._checks"}


def test_notebook_imports_include_magics_and_are_conservative_on_bad_cells(dlbook_guard):
    known = {"dlbook", "dlbook.alpha", "dlbook.beta", "dlbook.gamma"}
    imports = dlbook_guard.cells_imports
    cells = ["%matplotlib inline\nimport numpy", "%%time\nfrom dlbook import alpha\n", "!ls"]
    assert imports(cells, known, "dlbook") == {"dlbook", "dlbook.alpha"}
    line_magic = ["%time from dlbook.beta import value"]
    assert imports(line_magic, known, "dlbook") == {"dlbook", "dlbook.beta"}
    assert imports(["x = (\n"], known, "dlbook") == set()
    assert imports(["from dlbook import (\n"], known, "dlbook") == known, "cannot tell: all"


def test_chapter_fingerprint_follows_transitive_imports_only(dlbook_guard, tmp_path):
    import nbformat

    package = tmp_path / "dlbook"
    package.mkdir()
    (package / "__init__.py").write_text('"""Package."""\n')
    for name, source in {"alpha.py": ALPHA, "beta.py": BETA, "gamma.py": GAMMA}.items():
        (package / name).write_text(source)
    md = tmp_path / "a.md"
    md.write_text(FRONT_MATTER + CHAPTER_A)
    ipynb = tmp_path / "b.ipynb"
    cells = [nbformat.v4.new_markdown_cell("# B"), nbformat.v4.new_code_cell(CHAPTER_B_CODE)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), ipynb)
    plain = tmp_path / "plain.md"
    plain.write_text("# Not a notebook\n\n```python\nimport dlbook.alpha\n```\n")

    def scan():
        return dlbook_guard.Fingerprinter.scan(package, ["numpy"])

    first = scan()
    assert first.graph["dlbook.beta"] == {"dlbook", "dlbook.alpha"}
    fp_a, closure_a, is_notebook = first.of_file(md)
    assert is_notebook
    assert closure_a == ["dlbook", "dlbook.alpha", "dlbook.beta"]
    fp_b, closure_b, _ = first.of_file(ipynb)
    assert closure_b == ["dlbook", "dlbook.gamma"]
    assert first.of_file(plain)[1:] == ([], False)

    (package / "alpha.py").write_text(ALPHA.replace("Forty plus", "Forty and"))
    assert scan().of_file(md)[0] == fp_a, "a docstring edit changed the fingerprint"
    (package / "alpha.py").write_text(ALPHA.replace("40.0", "41.0"))
    second = scan()
    assert second.of_file(md)[0] != fp_a
    assert second.of_file(ipynb)[0] == fp_b, "chapter B does not import alpha"
    (package / "__init__.py").write_text("VERSION = 2\n")
    assert scan().of_file(ipynb)[0] != fp_b, "importing dlbook.gamma runs dlbook/__init__.py"
    graph = {"x": ["y"], "y": ["x", "z"]}
    assert dlbook_guard.dependency_closure(["x"], graph) == {"x", "y", "z"}


def test_tracked_libraries_are_one_list_shared_with_the_report(dlbook_guard):
    from dlbook import report

    shared = dlbook_guard.tracked_libraries(Path(report.__file__))
    assert shared == report.TRACKED_LIBRARIES
    assert "TRACKED_LIBRARIES" in report.__all__
    assert {"numpy", "tensorflow", "keras", "matplotlib"} <= set(shared)
    assert "tensorflow-cpu" not in report.environment(), "reported under tensorflow"
