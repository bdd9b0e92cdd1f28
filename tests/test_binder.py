"""Every chapter as a learner meets it on Binder: its learner notebook, opened in JupyterLab.

After the book is built, ``bash scripts/notebooks.sh`` writes the tree that the Binder buttons
launch (``_build/notebooks/``). A real JupyterLab serves that tree on 127.0.0.1, with the kernel
importing the tree's own ``dlbook`` and without ``DLBOOK_QUIET`` (a learner's kernel shows
progress), and Debian's Chromium (headless, through Playwright) opens each chapter at its Binder
path, ``/lab/tree/book/<chapter>.ipynb?reset``, waits for the kernel, clicks *Run ▸ Run All
Cells* and waits until every code cell has run and the kernel is idle. Each chapter runs once.

A chapter fails on:

* an error or any stderr in a cell's output (JupyterLab shows both as stderr), or a traceback;
* a Markdown cell that shows raw MyST (``{term}``, ``{glue``, a fence such as ```` ```{ ````,
  ``:::``, ``:pyobject:``);
* fewer figures than its page: the ``<img>`` and ``<video>`` elements of the notebook's outputs
  and Markdown, against those inside the page's article (``_build/html/book/<chapter>.html``,
  ``article.bd-article``), the theme's and site's images under ``_static/`` (logos, icons)
  excluded. An animation counts once on each side: ``dlbook.plots.animation_html`` draws its
  frames into one ``<img>``, on the page and in the notebook's HTML output alike; any other
  HTML output counts by the images it holds, as its page counterpart does;
* a chapter that trains (``train_model(`` or ``nn.train(``) and shows no ``epoch 1/`` progress;
* a kernel over Binder's memory limit. mybinder.org guarantees a kernel 1 GB and stops it at
  2 GB. While a chapter runs, the kernel's process tree (found from JupyterLab's
  ``/api/sessions``: the process whose command line names the kernel's connection file) is
  sampled for its resident memory (RSS) and for the part of it that the operating system cannot
  reclaim: RSS less the pages mapped from files (the libraries' code, which a container under its
  memory limit drops and reads again rather than being killed). That part must stay under
  1.8 GiB. Both peaks go to ``_build/binder-memory.json``.

Timings go to ``_build/binder-timings.json``: from opening the page to the first code cell having
run (JupyterLab loaded, kernel started, Run All clicked, first cell done), and the Run All
duration (click to the last cell done).

For a quick check against a one-chapter build (``scripts/build_one.sh``) without building the
whole book: ``DLBOOK_BINDER_BOOK=/tmp/dlbook-one/gradient-descent`` (a book root holding
``_build/html``) and ``DLBOOK_BINDER_CHAPTERS=gradient-descent`` (comma-separated names).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from bs4 import BeautifulSoup
from conftest import CHROMIUM_ARGS, ROOT, chromium_path, toc_pages

from dlbook.progress import QUIET_ENV

sys.path.insert(0, str(ROOT / "_ext"))
from dlbook_site import binder_notebook_path

pytestmark = pytest.mark.book

JUPYTER = Path(sys.executable).parent / "jupyter"
ALL_CHAPTERS = [d for d in toc_pages() if "kernelspec:" in (ROOT / f"{d}.md").read_text()]
ONLY = [n.strip() for n in os.environ.get("DLBOOK_BINDER_CHAPTERS", "").split(",") if n.strip()]
NOTEBOOKS = [d for d in ALL_CHAPTERS if not ONLY or d.rsplit("/", 1)[-1] in ONLY]
GIB = 2**30
BINDER_LIMIT_GIB = 1.8
SAMPLE_EVERY_S = 0.2
POLL_S = 0.25
SERVER_START_S = 120
OPEN_TIMEOUT_S = 300
RUN_ALL_TIMEOUT_S = 3600
RAW_MYST = ("{term}", "{glue", "```{", ":::", ":pyobject:")
# The settings a learner's JupyterLab would not need, but a test does: every cell attached to
# the page (JupyterLab 4 otherwise renders only the cells in view) and no news prompt.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}

# In the page: the notebook's state, read from its cells as a learner sees them.
NOTEBOOK_STATE_JS = """(full) => {
  const app = window.jupyterapp;  // --LabApp.expose_app_in_browser
  const widget = app && app.shell.currentWidget;
  const panel = widget && widget.node.classList.contains('jp-NotebookPanel') ? widget.node : null;
  if (!panel || !widget.content.model) return null;
  // Execution counts from the model: a folded cell shows no prompt.
  const counts = [...widget.content.model.cells]
    .filter(c => c.type === 'code').map(c => c.executionCount);
  const outputs = [...panel.querySelectorAll('.jp-OutputArea-output')];
  return {
    cells: panel.querySelectorAll('.jp-Notebook .jp-Cell').length,
    counts: counts,
    running: [...widget.content.model.cells].some(
      c => c.type === 'code' && c.executionState === 'running'),
    stderr: outputs
      .filter(o => o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr')
      .map(o => o.innerText.slice(0, 800)),
    // The rest only once Run All has finished (polling stays light on long chapters).
    text: full ? outputs.map(o => o.innerText).join('\\n') : '',
    markdown: full ? [...panel.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')].map(
      m => ({text: m.innerText, html: m.innerHTML})) : [],
    images: [...panel.querySelectorAll('.jp-OutputArea-output, .jp-RenderedMarkdown')]
      .reduce((n, o) => n + o.querySelectorAll('img, video').length, 0),
  };
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_images(html: Path) -> int:
    """The figures of a built page: ``img``/``video`` in its article, ``_static/`` excluded."""
    article = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select_one(
        "article.bd-article"
    )
    assert article is not None, f"{html}: no article"
    return sum(
        1
        for element in article.find_all(["img", "video"])
        if "_static/" not in (element.get("src") or "")
    )


@pytest.fixture(scope="module")
def binder_tree(request) -> tuple[Path, Path]:
    """The built site and the tree written from it by ``bash scripts/notebooks.sh``."""
    book = os.environ.get("DLBOOK_BINDER_BOOK")
    html = Path(book) / "_build" / "html" if book else request.getfixturevalue("built_book")
    tree = html.parent / "notebooks"
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "notebooks.sh"), str(html), str(tree)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"notebooks.sh failed:\n{result.stdout}\n{result.stderr}"
    return html, tree


class Lab:
    """A JupyterLab server on 127.0.0.1 with its root at the Binder tree."""

    def __init__(self, tree: Path, home: Path) -> None:
        self.token, self.port = secrets.token_hex(16), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = home / "lab-settings"
        for plugin, values in LAB_SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = {k: v for k, v in os.environ.items() if k != QUIET_ENV}
        env.update(
            # The tree's own dlbook, as Binder's `pip install -e .` of the tree gives it.
            PYTHONPATH=os.pathsep.join([str(tree), *filter(None, [env.get("PYTHONPATH")])]),
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            IPYTHONDIR=str(home / "ipython"),
        )
        self.log = (home / "lab.log").open("w")
        self.process = subprocess.Popen(
            [
                str(JUPYTER),
                "lab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                "--allow-root",  # CI containers run as root; this server is the test's alone
                "--LabApp.extension_manager=readonly",  # no PyPI queries
                "--LabApp.expose_app_in_browser=True",  # the test reads execution counts
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={tree}",
                f"--LabApp.user_settings_dir={settings}",
                f"--LabApp.workspaces_dir={home / 'workspaces'}",
            ],
            cwd=tree,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                self.api("status")
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    pytest.fail(f"JupyterLab did not start:\n{(home / 'lab.log').read_text()}")
                time.sleep(0.5)

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def session(self, path: str) -> dict | None:
        return next((s for s in self.api("sessions") if s.get("path") == path), None)

    def kernel_process(self, kernel_id: str) -> psutil.Process | None:
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if any(f"kernel-{kernel_id}.json" in part for part in child.cmdline()):
                    return child
            except psutil.Error:
                continue
        return None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def lab(binder_tree, tmp_path_factory):
    _, tree = binder_tree
    server = Lab(tree, tmp_path_factory.mktemp("jupyterlab"))
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium_path(),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


class PeakMemory(threading.Thread):
    """Sample the resident memory of the notebook's kernel and its children until stopped."""

    def __init__(self, lab: Lab, path: str) -> None:
        super().__init__(daemon=True)
        self.lab, self.path, self.stop = lab, path, threading.Event()
        self.peak = 0  # resident memory that cannot be reclaimed (anonymous pages), bytes
        self.peak_rss = 0  # all resident memory, library pages included, bytes

    def kernel(self) -> psutil.Process | None:
        session = self.lab.session(self.path)
        return self.lab.kernel_process(session["kernel"]["id"]) if session else None

    def run(self) -> None:
        process = None
        while not self.stop.wait(SAMPLE_EVERY_S):
            try:
                process = process or self.kernel()
                if process is None:
                    continue
                tree = [process, *process.children(recursive=True)]
                infos = [p.memory_info() for p in tree]
                self.peak_rss = max(self.peak_rss, sum(i.rss for i in infos))
                self.peak = max(self.peak, sum(i.rss - i.shared for i in infos))
            except (psutil.Error, OSError, KeyError, TypeError):
                continue


def wait_until(condition, timeout_s: float, what: str, explain=lambda: ""):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL_S)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}; {explain()}")


def record(path: Path, docname: str, values: dict) -> None:
    results = json.loads(path.read_text()) if path.is_file() else {}
    results[docname] = values
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_chapter_runs_all_cells_in_jupyterlab_as_on_binder(docname, binder_tree, lab, browser):
    html, tree = binder_tree
    path = binder_notebook_path(docname)
    notebook = json.loads((tree / path).read_text(encoding="utf-8"))
    n_cells = len(notebook["cells"])
    n_code = sum(c["cell_type"] == "code" for c in notebook["cells"])
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    sampler = PeakMemory(lab, path)
    sampler.start()
    try:
        opened = time.monotonic()
        page.goto(f"{lab.url}/lab/tree/{path}?reset&token={lab.token}")

        def state(full: bool = False):
            return page.evaluate(NOTEBOOK_STATE_JS, full)

        def explain() -> str:
            current, session = state(), lab.session(path)
            kernel = session and session["kernel"]["execution_state"]
            if current is None:
                return f"no notebook panel; kernel {kernel}"
            counts = current["counts"]
            return (
                f"{current['cells']}/{n_cells} cells shown, "
                f"{sum(c is not None for c in counts)}/{len(counts)} code cells ran, "
                f"running {current['running']}, stderr {current['stderr'][:1]}, kernel {kernel}"
            )

        def ready():
            current, session = state(), lab.session(path)
            return (
                current
                and current["cells"] == n_cells
                and session
                and session["kernel"]["execution_state"] == "idle"
            )

        wait_until(ready, OPEN_TIMEOUT_S, f"{path} to open with an idle kernel", explain)
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-item", has_text=re.compile(r"^Run All Cells")).first.click()
        clicked = time.monotonic()
        first_cell: list[float] = []

        def finished():
            current, session = state(), lab.session(path)
            counts = current["counts"]
            if not first_cell and counts and counts[0] is not None:
                first_cell.append(time.monotonic())
            done = all(c is not None for c in counts)
            stopped = current["stderr"] and not current["running"]
            idle = session and session["kernel"]["execution_state"] == "idle"
            return (done or stopped) and idle

        wait_until(finished, RUN_ALL_TIMEOUT_S, f"Run All Cells of {path}", explain)
        ran_s = time.monotonic() - clicked
        final = state(full=True)
    finally:
        sampler.stop.set()
        sampler.join()
        session = lab.session(path)
        if session:  # free the kernel's memory before the next chapter
            lab.api(f"sessions/{session['id']}", method="DELETE")
        page.close()

    expected = page_images(html / f"{docname}.html")
    build = html.parent
    first_s = first_cell[0] - opened if first_cell else None
    record(
        build / "binder-timings.json",
        docname,
        {
            "open_to_first_cell_s": round(first_s, 1) if first_s is not None else None,
            "run_all_s": round(ran_s, 1),
            "images": final["images"],
            "page_images": expected,
        },
    )
    peak_gib = sampler.peak / GIB
    record(
        build / "binder-memory.json",
        docname,
        {"unreclaimable": round(peak_gib, 3), "rss": round(sampler.peak_rss / GIB, 3)},
    )
    print(
        f"{docname}: first cell {first_s or 0:.1f} s after opening, Run All {ran_s:.1f} s, "
        f"{final['images']} images (page {expected}), peak kernel memory {peak_gib:.2f} GiB, "
        f"{sampler.peak_rss / GIB:.2f} GiB RSS"
    )
    assert not final["stderr"], f"{docname}: stderr or an error in a cell:\n" + "\n".join(
        final["stderr"]
    )
    assert "Traceback" not in final["text"], f"{docname}: a traceback in the outputs"
    ran = sum(c is not None for c in final["counts"])
    assert ran == n_code == len(final["counts"]), f"{docname}: {ran} of {n_code} code cells ran"
    assert not problems, f"{docname}: {problems}"
    for index, cell in enumerate(final["markdown"]):
        raw = [m for m in RAW_MYST if m in cell["text"]]
        if "language-{" in cell["html"]:
            raw.append("```{")
        assert not raw, (
            f"{docname}, Markdown cell {index} shows raw MyST {raw}: {cell['text'][:200]}"
        )
    source = (ROOT / f"{docname}.md").read_text()
    if "train_model(" in source or "nn.train(" in source:
        assert "poch 1/" in final["text"], f"{docname}: training showed no progress to a learner"

    assert final["images"] >= expected, (
        f"{docname}: the notebook shows {final['images']} images, its page {expected}"
    )
    assert sampler.peak > 0, f"{docname}: the kernel's memory was never sampled"
    assert peak_gib <= BINDER_LIMIT_GIB, (
        f"{docname}: the kernel peaked at {peak_gib:.2f} GiB, over Binder's {BINDER_LIMIT_GIB} GiB"
    )


def test_every_chapter_is_in_the_binder_tree(binder_tree):
    """The tree holds a learner notebook for every chapter the test would run (whole book)."""
    if ONLY:
        pytest.skip("DLBOOK_BINDER_CHAPTERS restricts the run")
    _, tree = binder_tree
    missing = [d for d in ALL_CHAPTERS if not (tree / binder_notebook_path(d)).is_file()]
    assert not missing, f"not in {tree}: {missing}"
