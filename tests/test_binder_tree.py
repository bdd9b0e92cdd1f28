"""The Binder route without a build: the button's URL, the tree of ``scripts/notebooks.sh``, and
the workflow that pushes it (``tests/test_binder.py`` runs the tree in JupyterLab)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import dlbook_site

THEME_URL = "https://mybinder.org/v2/gh/dlbook/dlbook/main?urlpath=lab/tree/book/optimisers.md"


def test_binder_button_opens_the_learner_notebook_on_the_binder_branch():
    path = dlbook_site.binder_notebook_path("book/optimisers")
    assert path == "book/optimisers.ipynb"
    assert dlbook_site.binder_url(THEME_URL, "notebooks", path) == (
        "https://mybinder.org/v2/gh/dlbook/dlbook/notebooks?urlpath=lab/tree/book/optimisers.ipynb"
    )
    classic = THEME_URL.replace("urlpath=lab/tree", "urlpath=tree")
    assert dlbook_site.binder_url(classic, "nb", path).endswith("/nb?urlpath=tree/" + path)


def test_binder_url_refuses_what_the_theme_did_not_build():
    with pytest.raises(ValueError, match="not a Binder launch URL"):
        dlbook_site.binder_url("https://example.org/x?urlpath=lab/tree/a.md", "notebooks", "a")


def fake_app(pages: dict[str, Path]) -> SimpleNamespace:
    """Just what the handler reads of a Sphinx application: its config value and sources."""
    return SimpleNamespace(
        config=SimpleNamespace(dlbook_binder_branch="notebooks"),
        env=SimpleNamespace(found_docs=set(pages), doc2path=pages.__getitem__),
    )


def launch_context(url: str) -> dict:
    binder = {"type": "link", "text": "Binder", "url": url}
    other = {"type": "link", "text": "JupyterHub", "url": "https://hub/x"}
    return {"header_buttons": [{"label": "launch-buttons", "buttons": [binder, other]}]}


def test_page_context_handler_rewrites_only_the_binder_button():
    app = fake_app({"book/optimisers": ROOT / "book" / "optimisers.md"})
    context = launch_context(THEME_URL)
    dlbook_site._point_binder_at_learner_notebook(app, "book/optimisers", "page", context, None)
    binder, other = context["header_buttons"][0]["buttons"]
    assert binder["url"].endswith("/notebooks?urlpath=lab/tree/book/optimisers.ipynb")
    assert other["url"] == "https://hub/x"


def test_a_page_without_a_learner_notebook_loses_its_binder_button(tmp_path):
    page = tmp_path / "plain.md"
    page.write_text("# No kernel\n")
    app = fake_app({"book/plain": page})
    context = launch_context(THEME_URL)
    dlbook_site._point_binder_at_learner_notebook(app, "book/plain", "page", context, None)
    assert [b["text"] for b in context["header_buttons"][0]["buttons"]] == ["JupyterHub"]


def test_config_workflow_and_extension_name_the_same_branch():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["config"]["dlbook_binder_branch"] == dlbook_site.BINDER_BRANCH
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "bash scripts/notebooks.sh" in runs
    assert f"HEAD:{dlbook_site.BINDER_BRANCH}" in runs
    assert workflow["jobs"]["build"]["permissions"]["contents"] == "write"


def fake_site(tmp_path, link_to: str):
    html = tmp_path / "_build" / "html"
    (html / "_notebooks").mkdir(parents=True)
    (html / "book").mkdir()
    notebook = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (html / "_notebooks" / "optimisers.ipynb").write_text(json.dumps(notebook))
    url = f"https://mybinder.org/v2/gh/o/r/notebooks?urlpath=lab/tree/{link_to}"
    (html / "book" / "optimisers.html").write_text(f'<a href="{url}">Binder</a>')
    return html


def notebooks_sh(html, out):
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "notebooks.sh"), str(html), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_notebooks_sh_writes_the_tree_binder_launches(tmp_path):
    html = fake_site(tmp_path, "book/optimisers.ipynb")
    out = tmp_path / "_build" / "notebooks"
    (out / "stale").mkdir(parents=True)  # written afresh
    result = notebooks_sh(html, out)
    assert result.returncode == 0, result.stderr
    assert not (out / "stale").exists()
    assert (out / "book" / "optimisers.ipynb").is_file()
    for name in ("requirements.txt", "runtime.txt", "pyproject.toml", "LICENSE"):
        assert (out / name).read_bytes() == (ROOT / name).read_bytes(), name
    # The lock's `-e .` installs dlbook from the tree; dlbook.report reads the lock beside it.
    assert "-e ." in (out / "requirements.txt").read_text().splitlines()
    assert (out / "dlbook" / "__init__.py").is_file()
    assert not list((out / "dlbook").rglob("__pycache__"))
    assert sorted(p.name for p in (out / "dlbook").glob("*.py")) == sorted(
        p.name for p in (ROOT / "dlbook").glob("*.py")
    )
    post_build = (out / "postBuild").read_text()
    assert "python -m dlbook.data" in post_build
    assert "jupytext" not in post_build
    assert (out / "postBuild").stat().st_mode & 0o111
    assert "generated" in (out / "README.md").read_text()


def test_notebooks_sh_fails_when_a_button_opens_a_missing_notebook(tmp_path):
    html = fake_site(tmp_path, "book/backprop.ipynb")
    result = notebooks_sh(html, tmp_path / "out")
    assert result.returncode == 1
    assert "book/backprop.ipynb" in result.stderr


def test_notebooks_sh_needs_a_build(tmp_path):
    result = notebooks_sh(tmp_path / "nothing", tmp_path / "out")
    assert result.returncode != 0
    assert "build the book first" in result.stderr


def test_the_repository_postbuild_still_opens_myst_chapters():
    post_build = (ROOT / "postBuild").read_text()
    assert "jupytext-config set-default-viewer markdown myst" in post_build
    assert "python -m dlbook.data" in post_build
