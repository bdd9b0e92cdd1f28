"""Every chapter runs top to bottom as a learner runs it on Binder: converted with jupytext,
executed by nbclient in a fresh kernel, with ``book/`` as working directory, outside Sphinx."""

from __future__ import annotations

import jupytext
import nbclient
import pytest
from conftest import ROOT, toc_pages

pytestmark = pytest.mark.book

NOTEBOOKS = [d for d in toc_pages() if "kernelspec:" in (ROOT / f"{d}.md").read_text()]


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_chapter_runs_top_to_bottom_in_a_fresh_kernel(docname):
    notebook = jupytext.read(ROOT / f"{docname}.md")
    client = nbclient.NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "book")}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if any cell fails
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "")[:500]
            assert output.get("name") != "stderr", f"{docname}, cell {index}: stderr {text!r}"
