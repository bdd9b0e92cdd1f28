"""Learner notebooks (``_ext/learner_notebook.py``): a chapter as JupyterLab can show it.

Unit tests convert small MyST snippets (no build); the chapter tests convert every notebook
chapter of ``_toc.yml``, with this build's glue values when executed notebooks exist
(``_build/jupyter_execute``, or the folder named by ``DLBOOK_EXECUTED_DIR``); the last test
checks the downloads of the whole-book build.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FRONT_MATTER, ROOT, toc_pages

sys.path.insert(0, str(ROOT / "_ext"))
import learner_notebook as ln

GLOSSARY = "# Glossary\n\n:::{glossary}\nforward pass\n  Computing.\n\nHessian\n  Curvature.\n:::\n"
EXECUTED = Path(os.environ.get("DLBOOK_EXECUTED_DIR", ROOT / "_build" / "jupyter_execute"))
CHAPTERS = [d for d in toc_pages() if ln.is_notebook_source((ROOT / f"{d}.md").read_text())]
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]


def convert(body: str, glue: dict | None = None, others: dict | None = None, source_dir=None):
    text = FRONT_MATTER + body
    sources = {"chapter": text, "glossary": GLOSSARY, **(others or {})}
    values = glue or {}

    def lookup(doc, key):
        return values[f"{doc}::{key}" if doc else key]

    return ln.learner_notebook(
        text,
        chapter="book/chapter",
        glue=lookup,
        labels=ln.Labels.from_sources(sources),
        source_dir=source_dir or ROOT / "book",
        repository_url=REPOSITORY,
    )


def markdown(notebook) -> str:
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def plain(value: str) -> dict:
    return {"text/plain": value}


# --- prose ------------------------------------------------------------------------------------


def test_glue_text_is_formatted_as_the_page_formats_it():
    glue = {
        "n": plain("12345"),
        "acc": plain("0.98123"),
        "w": plain("1.80401"),
        "other.md::x": plain("2.25"),
    }
    body = (
        "# T\n\n{glue:text}`n:,` and {glue:text}`acc:.2%` and {glue:text}`w:.3f`"
        " and {glue:text}`other.md::x:.1f` and {glue:text}`n`."
    )
    assert "12,345 and 98.12% and 1.804 and 2.2 and 12345." in markdown(convert(body, glue))


def test_a_missing_glue_value_is_an_error_naming_it():
    with pytest.raises(ln.LearnerNotebookError, match=r"book/chapter:15: .*'gd_missing'"):
        convert("# T\n\nThe value {glue:text}`gd_missing:.2f` is gone.")


def test_glue_md_role_and_directive_paste_their_markdown():
    glue = {
        "story": {"text/plain": "", "text/markdown": "about {term}`Hessian` twice"},
        "table": {"text/plain": "", "text/markdown": "| a |\n|---|\n| 1 |"},
    }
    body = "# T\n\nIt is {glue:md}`story`.\n\n```{glue:md} table\n:format: myst\n```\n"
    text = markdown(convert(body, glue))
    assert "It is about [Hessian](glossary.html#term-Hessian) twice." in text
    assert "| a |\n|---|\n| 1 |" in text


def test_roles_become_links_to_the_published_pages():
    others = {"other": "# Other page\n\n(other-section)=\n## A section\n"}
    body = (
        "# T\n\n**{term}`forward pass`**, {term}`curvature <hessian>`, {doc}`other`,"
        " {doc}`that page <other>`, {ref}`other-section`, {ref}`here <other-section>`,"
        " {py:func}`dlbook.linreg.mse`, {py:func}`~dlbook.linreg.mse`, {py:mod}`dlbook.optim`,"
        " {py:class}`dlbook.autodiff.Value`, {math}`x^2`, [a link](other.md#a-section),"
        " and `{x: 1}` kept."
    )
    text = markdown(convert(body, others=others))
    for expected in (
        "**[forward pass](glossary.html#term-forward-pass)**",
        "[curvature](glossary.html#term-Hessian)",
        "[Other page](other.html)",
        "[that page](other.html)",
        "[A section](other.html#other-section)",
        "[here](other.html#other-section)",
        "[`dlbook.linreg.mse()`](api.html#dlbook.linreg.mse)",
        "[`mse()`](api.html#dlbook.linreg.mse)",
        "[`dlbook.optim`](api.html#module-dlbook.optim)",
        "[`dlbook.autodiff.Value`](api.html#dlbook.autodiff.Value)",
        "$x^2$",
        "[a link](other.html#a-section)",
        "`{x: 1}` kept",
    ):
        assert expected in text, expected


def test_report_problem_opens_an_issue_naming_the_page_as_the_theme_does():
    notebook = convert("# T\n\nSee {report-problem}`Report a problem with this page`.\n")
    url = ln.issue_url(REPOSITORY, "book/chapter")
    assert f"[Report a problem with this page]({url})" in markdown(notebook)
    assert "%2Fbook/chapter.html" in url
    assert url.startswith(REPOSITORY)


def test_numref_and_ref_number_figures_and_exercises_as_the_page_does():
    body = (
        "# T\n\n```{glue:figure} f1\n:name: fig-one\n\nFirst.\n```\n\n"
        "```{glue:figure} f2\n:alt: a\n:name: fig-two\n\nSecond.\n```\n\n"
        "```{exercise} Try it\n:label: ex-a\n\nDo.\n```\n\n"
        "See {numref}`fig-two`, {numref}`ex-a` and {ref}`ex-a`.\n"
    )
    glue = {"f1": {"image/png": ""}, "f2": {"image/png": ""}}
    text = markdown(convert(body, glue))
    assert "**Fig. 1.** First." in text
    assert "**Fig. 2.** Second." in text
    assert "[Fig. 2](chapter.html#fig-two)" in text
    assert "[Exercise 1](chapter.html#ex-a) and [Exercise 1 (Try it)](chapter.html#ex-a)" in text
    assert "**Exercise 1 (Try it)**\n\nDo." in text


def test_maths_stays_intact():
    body = (
        "# T\n\nInline $a_{i}$ and\n\n"
        "$$\n\\begin{aligned}\nx &= 1 \\\\\ny &= 2\n\\end{aligned}\n$$\n\n"
        "```{math}\nE = mc^2\n```\n"
    )
    text = markdown(convert(body))
    assert "Inline $a_{i}$ and" in text
    assert "$$\n\\begin{aligned}\nx &= 1 \\\\\ny &= 2\n\\end{aligned}\n$$" in text
    assert "$$\nE = mc^2\n$$" in text


# --- listings, figures, exercises, admonitions --------------------------------------------------


def test_literalinclude_is_the_code_sphinx_reads(tmp_path):
    from sphinx.directives.code import LiteralIncludeReader

    module = tmp_path / "mod.py"
    module.write_text("class A:\n    def f(self):\n        return 1\n\n\ndef g():\n    return 2\n")
    body = (
        "# T\n\n```{literalinclude} mod.py\n:pyobject: A.f\n:language: python\n:dedent:\n"
        ":caption: the method\n```\n\n```{literalinclude} mod.py\n:pyobject: g\n```\n"
    )
    text = markdown(convert(body, source_dir=tmp_path))
    config = type("Config", (), {"source_encoding": "utf-8"})()
    method, _ = LiteralIncludeReader(
        str(module), {"pyobject": "A.f", "dedent": None}, config
    ).read()
    assert method.startswith("def f(self):")
    assert f"**Listing 1.** the method\n\n```python\n{method.rstrip()}\n```" in text
    assert "```\ndef g():\n    return 2\n```" in text


def test_a_listing_of_a_missing_object_is_an_error(tmp_path):
    (tmp_path / "mod.py").write_text("def g():\n    return 2\n")
    with pytest.raises(ln.LearnerNotebookError, match=r"literalinclude mod\.py"):
        convert("# T\n\n```{literalinclude} mod.py\n:pyobject: nowhere\n```\n", source_dir=tmp_path)


def test_glue_figure_keeps_its_caption_and_says_where_the_figure_is():
    body = (
        "# T\n\n```{code-cell} ipython3\nglue('fig_b', other, display=False)\n```\n\n"
        "```{code-cell} ipython3\n:tags: [hide-input]\nglue('fig_a', fig, display=False)\n```\n\n"
        "```{glue:figure} fig_a\n:alt: dots\n:name: fig-a\n\n"
        "The dots, $x$ = {glue:text}`x:.1f`.\n```\n\n"
        "```{glue:figure} fig_b\n:alt: again\n\nAgain.\n```\n"
    )
    figure = {"image/png": "", "text/plain": "<Figure>"}
    notebook = convert(body, {"fig_a": figure, "fig_b": figure, "x": plain("0.25")})
    text = notebook.cells[-1].source
    assert text.startswith("**Fig. 1.** The dots, $x$ = 0.2.\n\n**Fig. 2.** Again.\n\n")
    assert text.endswith("*(The figure appears under the code cell that draws it, further up.)*")


def test_exercise_and_solution_fold_with_their_code_cells_in_order():
    body = (
        "# T\n\n```{exercise} Sum\n:label: ex-sum\n\nAdd $1 + 1$.\n```\n\n"
        "```{solution-start} ex-sum\n:class: dropdown\n```\n\n"
        "```{code-cell} ipython3\nanswer = 1 + 1\n```\n\n"
        "It is {glue:text}`answer`.\n\n```{code-cell} ipython3\nprint(answer)\n```\n\n"
        "Done.\n\n```{solution-end}\n```\n\n## Next\n"
    )
    cells = convert(body, {"answer": plain("2")}).cells
    kinds = [c.cell_type for c in cells]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown"]
    assert "**Exercise 1 (Sum)**\n\nAdd $1 + 1$." in cells[0].source
    assert "**Solution to Exercise 1 (Sum)**: its code is folded" in cells[0].source
    assert cells[2].source.startswith("<details>\n<summary><b>Solution to Exercise 1 (Sum)")
    assert "It is 2." in cells[2].source
    assert cells[2].source.endswith("</details>")
    assert cells[4].source.endswith("</details>\n\n## Next")
    for code in (cells[1], cells[3]):
        assert code.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}


def test_admonitions_asides_and_refreshers():
    body = (
        "# T\n\n:::{admonition} Aside: how it was timed\n:class: dropdown aside\n\n"
        "With a clock.\n:::\n\n"
        ":::{admonition} Note this\n\nPlain.\n:::\n\n::::{div} full-width\nWide.\n::::\n"
    )
    text = markdown(convert(body))
    assert (
        "<details>\n<summary><b>Aside: how it was timed</b></summary>\n\n"
        "With a clock.\n\n</details>" in text
    )
    assert "**Note this**\n\nPlain." in text
    assert "Wide." in text
    assert "full-width" not in text


# --- code cells ----------------------------------------------------------------------------------


def test_code_cells_keep_order_and_tags_and_lose_remove_cell():
    body = (
        "# T\n\n```{code-cell} ipython3\n:tags: [hide-cell]\nimport numpy\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-cell]\nglue('n', 1, display=False)\n```\n\n"
        "```{code-cell} ipython3\n:tags: [hide-input]\nplot()\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-input]\ntable()\n```\n\n"
        "```{code-cell} ipython3\nx = 1\n```\n"
    )
    notebook = convert(body)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ["import numpy", "plot()", "table()", "x = 1"]
    assert [c.metadata.get("tags") for c in code] == [
        ["hide-cell"],
        ["hide-input"],
        ["remove-input"],
        None,
    ]
    assert code[1].metadata["jupyter"] == {"source_hidden": True}
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.metadata[ln.MARKER] == "book/chapter"
    assert "jupytext" not in json.dumps(notebook)


@pytest.mark.parametrize(
    ("body", "construct"),
    [
        ("{kbd}`Ctrl`", "unknown role {kbd}`Ctrl`"),
        ("```{figure} a.png\n```", "unknown directive ```{figure}"),
        (":::{tip}\n:icon: x\nHi.\n:::", "unknown options ['icon']"),
        (":::\nfenced\n:::", "colon fence without a directive"),
        ("{term}`nowhere`", "not in the glossary"),
        ("{ref}`no-label`", "no such label"),
        ("Term\n: definition", "definition list"),
        ("```{code-cell} ipython3\n:tags: [bespoke]\nx\n```", "unknown tags"),
    ],
)
def test_unknown_myst_fails_loudly_naming_chapter_line_and_construct(body, construct):
    with pytest.raises(ln.LearnerNotebookError, match=re.escape(construct)) as error:
        convert("# T\n\n" + body)
    assert re.match(r"book/chapter:1[5-7]: ", str(error.value)), "names the chapter and line"


# --- every chapter -------------------------------------------------------------------------------


def _stub_glue(doc, key):
    return {"text/plain": "1", "text/markdown": "one", "image/png": ""}


def _labels():
    return ln.Labels.from_sources(ln.chapter_sources(ROOT, toc_pages()))


def _chapter_notebook(docname: str, glue=None):
    """The learner notebook of a chapter of the book (glue stubbed unless given)."""
    text = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    return ln.learner_notebook(
        text,
        chapter=docname,
        glue=glue or _stub_glue,
        labels=_labels(),
        source_dir=ROOT / "book",
        repository_url=REPOSITORY,
    )


@pytest.mark.parametrize("docname", CHAPTERS)
def test_every_chapter_converts_and_leaves_no_raw_myst(docname):
    notebook = _chapter_notebook(docname)
    assert ln.raw_myst(notebook) == []
    for construct in ("{term}", "{glue", "```{", ":::", ":pyobject:", "{ref}", "{numref}", "{doc}"):
        assert construct not in markdown(notebook), f"{docname}: raw {construct}"
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert not any("remove-cell" in c.metadata.get("tags", []) for c in code)


@pytest.mark.parametrize("docname", CHAPTERS)
def test_every_glued_name_in_a_chapter_is_found_in_the_build(docname):
    if not (EXECUTED / f"{docname}.ipynb").exists():
        pytest.skip(f"no executed notebook {EXECUTED / docname}.ipynb: build the book first")
    notebook = _chapter_notebook(docname, ln.GlueValues(EXECUTED, docname))
    assert ln.raw_myst(notebook) == []


@pytest.mark.parametrize("docname", CHAPTERS)
def test_every_glued_figure_is_drawn_by_a_code_cell_the_learner_runs(docname):
    text = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    notebook = _chapter_notebook(docname)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    for key in re.findall(r"^[`:]{3,}\{glue:figure\}\s*(\S+)", text, re.MULTILINE):
        glued = re.search(rf"glue\(\s*[\"']{re.escape(key)}[\"']", code) or re.search(
            r"glue\(\s*f[\"']" + re.escape(key.split("_")[0]), code
        )
        assert glued, f"{docname}: no code cell in the learner notebook glues {key}"


def test_glossary_anchors_are_the_built_glossarys():
    glossary = EXECUTED.parent / "html" / "book" / "glossary.html"
    if not glossary.exists():
        pytest.skip("no built glossary page: build the book first")
    ids = set(re.findall(r'<dt id="(term-[^"]+)"', glossary.read_text(encoding="utf-8")))
    labels = _labels()
    assert {ln._glossary_anchor(term) for term in labels.terms.values()} <= ids


@pytest.mark.book
def test_the_built_downloads_are_learner_notebooks(built_book):
    for docname in CHAPTERS:
        name = docname.rsplit("/", 1)[-1]
        for path in (
            built_book / "_sources" / f"{docname}.ipynb",
            built_book / "_notebooks" / f"{name}.ipynb",
        ):
            notebook = json.loads(path.read_text())
            assert notebook["metadata"][ln.MARKER] == docname, f"{path}: not a learner notebook"
            assert ln.raw_myst(notebook) == [], path
            assert not any(c.get("outputs") for c in notebook["cells"]), f"{path}: has outputs"
