"""Every chapter runs top to bottom as a learner runs it on Binder: converted with jupytext,
executed by nbclient in a fresh kernel, with ``book/`` as working directory, outside Sphinx.

mybinder.org guarantees a kernel 1 GB and stops it at 2 GB. While a chapter runs, the kernel's
process tree is sampled for its resident memory (RSS) and for the part of it that the operating
system cannot reclaim: RSS less the pages mapped from files (the libraries' code, which a
container under its memory limit drops and reads again rather than being killed). That part must
stay under 1.8 GiB. Both peaks are written to ``_build/binder-memory.json``.
"""

from __future__ import annotations

import json
import threading

import jupytext
import nbclient
import psutil
import pytest
from conftest import ROOT, toc_pages

from dlbook.progress import QUIET_ENV

pytestmark = pytest.mark.book

NOTEBOOKS = [d for d in toc_pages() if "kernelspec:" in (ROOT / f"{d}.md").read_text()]
GIB = 2**30
BINDER_LIMIT_GIB = 1.8
SAMPLE_EVERY_S = 0.2
RESULTS = ROOT / "_build" / "binder-memory.json"


class PeakMemory(threading.Thread):
    """Sample the resident memory of the client's kernel and its children until stopped."""

    def __init__(self, client: nbclient.NotebookClient) -> None:
        super().__init__(daemon=True)
        self.client, self.stop = client, threading.Event()
        self.peak = 0  # resident memory that cannot be reclaimed (anonymous pages), bytes
        self.peak_rss = 0  # all resident memory, library pages included, bytes

    def kernel(self) -> psutil.Process | None:
        manager = getattr(self.client, "km", None)
        pid = getattr(getattr(manager, "provisioner", None), "pid", None)
        return psutil.Process(pid) if pid else None

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
            except (psutil.Error, AttributeError):
                continue


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_chapter_runs_top_to_bottom_in_a_fresh_kernel(docname, monkeypatch):
    monkeypatch.delenv(QUIET_ENV, raising=False)  # a learner's kernel: progress is shown
    notebook = jupytext.read(ROOT / f"{docname}.md")
    client = nbclient.NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "book")}},
    )
    sampler = PeakMemory(client)
    sampler.start()
    try:
        client.execute()  # raises CellExecutionError, with the traceback, if any cell fails
    finally:
        sampler.stop.set()
        sampler.join()
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "")[:500]
            assert output.get("name") != "stderr", f"{docname}, cell {index}: stderr {text!r}"
    source = (ROOT / f"{docname}.md").read_text()
    if "train_model(" in source or "nn.train(" in source:
        printed = " ".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
        assert "poch 1/" in printed, f"{docname}: training showed no progress to a learner"
    peak_gib = sampler.peak / GIB
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    results[docname] = {
        "unreclaimable": round(peak_gib, 3),
        "rss": round(sampler.peak_rss / GIB, 3),
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"{docname}: peak kernel memory {peak_gib:.2f} GiB, {sampler.peak_rss / GIB:.2f} GiB RSS")
    assert sampler.peak > 0, f"{docname}: the kernel's memory was never sampled"
    assert peak_gib <= BINDER_LIMIT_GIB, (
        f"{docname}: the kernel peaked at {peak_gib:.2f} GiB, over Binder's {BINDER_LIMIT_GIB} GiB"
    )
