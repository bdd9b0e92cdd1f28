"""Build the book twice from empty caches and compare every glued value and every figure.

Usage (from the repository root, after ``bash scripts/setup.sh``)::

    .venv/bin/python scripts/check_reproducible.py [--workdir /tmp/dlbook-repro]

Each build runs in its own fresh copy of the tracked sources, with its own empty jupyter-cache.
Compared between the two builds:

* every glued value (``*.glue.json``): plain text exactly, images and HTML by their bytes;
* every cell output of every executed chapter notebook (text, and images by their bytes).

Wall-clock measurements (seconds per epoch, speed ratios, throughput) cannot repeat; values whose
glue key, or outputs whose cell source, mention timing are listed separately and do not count as
failures. Exit status 0 when everything else is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMING = re.compile(
    r"second|_sec|sec_|_s\b|time|ratio|gflop|flops|peak|speed|perf_counter|epoch_s|_ms|ms_|growth|budget",
    re.I,
)
# Glued values derived from wall-clock measurements whose names the pattern above does not
# catch: ratios and sentences chosen from timings, and the ablation table's time column.
TIMING_GLUE = {
    "bp_b128_rate_sentence",  # GFLOP/s of a timed epoch
    "bp_backward_over_forward",  # ratio of two timings
    "bp_fd_min",  # seconds of the finite-difference gradient
    "bp_fd_over_backward",
    "bp_fd_per_param_forwards",
    "bp_race_sentence",  # chosen from the NumPy/Keras time ratios
    "dnn_ablation_table",  # its "Time (s)" column
    "dnn_batch_cost_story",  # chosen from the batch-size time ratio
    "dnn_spe_story",  # the steps-per-call speed-up
}
# Matplotlib's animation player names its HTML elements with a random id on every render.
RANDOM_ID = re.compile(r"[0-9a-f]{32}")


def fingerprint(data: dict) -> dict:
    """Reduce a Jupyter MIME bundle to comparable values: text as is, binary as a hash."""
    out = {}
    for mime, value in sorted(data.items()):
        if isinstance(value, list):
            value = "".join(value)
        if mime == "text/html":
            value = RANDOM_ID.sub("<id>", str(value))
        if mime.startswith("image/") or len(str(value)) > 2000:
            out[mime] = hashlib.sha256(str(value).encode()).hexdigest()[:16]
        else:
            out[mime] = value
    return out


def build_copy(target: Path) -> float:
    """Copy the tracked sources to ``target`` and build them there; return the seconds taken."""
    if target.exists():
        shutil.rmtree(target)
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    start = time.perf_counter()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"build in {target} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def _output_data(outputs: list[dict]) -> list[dict]:
    """Each output's MIME bundle, consecutive text of one stream joined: how a kernel's writes
    are cut into stream messages depends on timing, the text does not."""
    joined: list[dict] = []
    previous = None
    for output in outputs:
        stream = output.get("name") if output.get("output_type") == "stream" else None
        if stream is not None and stream == previous:
            joined[-1] = {"text/plain": joined[-1]["text/plain"] + "".join(output["text"])}
        elif stream is not None:
            joined.append({"text/plain": "".join(output.get("text", ""))})
        else:
            joined.append(output.get("data") or {})
        previous = stream
    return joined


def collect(build: Path) -> dict[str, tuple[bool, object]]:
    """Every glued value and cell output of a build, keyed by where it lives."""
    found: dict[str, tuple[bool, object]] = {}
    for glue_file in sorted((build / "_build" / "jupyter_execute").rglob("*.glue.json")):
        page = glue_file.relative_to(build / "_build" / "jupyter_execute").as_posix()
        for key, value in json.loads(glue_file.read_text()).items():
            found[f"glue {page}::{key}"] = (
                bool(TIMING.search(key)) or key in TIMING_GLUE,
                fingerprint(value["data"]),
            )
    # The executed notebooks the pages were rendered from (the pages' downloads are learner
    # notebooks, which carry no outputs).
    for notebook in sorted((build / "_build" / "jupyter_execute").rglob("*.ipynb")):
        page = notebook.relative_to(build / "_build" / "jupyter_execute").as_posix()
        for index, cell in enumerate(json.loads(notebook.read_text())["cells"]):
            source = "".join(cell.get("source", ""))
            timing = bool(TIMING.search(source))
            for k, data in enumerate(_output_data(cell.get("outputs", []))):
                found[f"output {page} cell {index}.{k}"] = (timing, fingerprint(data))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dlbook-repro"))
    parser.add_argument(
        "--compare-only", action="store_true", help="compare the two builds already in --workdir"
    )
    args = parser.parse_args()
    runs = []
    for name in ("first", "second"):
        if not args.compare_only:
            seconds = build_copy(args.workdir / name)
            print(f"{name} cold build: {seconds:.0f} s")
        runs.append(collect(args.workdir / name))
    first, second = runs
    keys = sorted(set(first) | set(second))
    same = [k for k in keys if first.get(k) == second.get(k)]
    timing = [k for k in keys if first.get(k) != second.get(k) and first.get(k, (True,))[0]]
    differ = [k for k in keys if first.get(k) != second.get(k) and k not in timing]
    print(f"compared {len(keys)} glued values and outputs: {len(same)} identical")
    print(f"timing measurements that differ, as expected ({len(timing)}):")
    for key in timing:
        print(f"  {key}")
    print(f"other differences ({len(differ)}):")
    for key in differ:
        print(f"  {key}: {str(first.get(key))[:120]} != {str(second.get(key))[:120]}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
