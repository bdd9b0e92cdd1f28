"""Run the book's chapters under other seeds and report which of their claims move.

Every seed the package receives is offset by ``DLBOOK_SEED`` (``dlbook._checks.as_seed``
and ``dlbook.repro.seed_everything``), so one variable changes every network's initial
weights, every shuffle, every dropout mask and augmentation draw, and the toy data sets. It
does not move what is fixed by design: the MNIST files and their splits (the last 5,000
training images are the validation set under every seed) and the few fixed draws a
chapter makes with NumPy itself (a permutation of pixels, a random background image, the
halves of the test set for temperature scaling).

For each chapter and each seed this script executes the chapter's notebook as the build
does (myst-nb's reader, a fresh kernel in the chapter's folder, ``DLBOOK_QUIET=1``), from
scratch (no cache), and reads every value the chapter glues. Then it compares each seed
with seed 0 (the published build; executed here as well, unless ``--baseline-cache``
names the build's jupyter-cache, whose records are used where they match the chapter):

- **sentences**: every glued Markdown text or string (a sentence chosen in code, a word such
  as "smaller") is compared with its numbers masked, so a changed number is not a change,
  a changed wording is: "flipped";
- **asserts**: the first cell that fails (an ``assert`` the chapter makes, or any error),
  with its message; the rest of that chapter is not run;
- **numbers**: every glued number, with its value under each seed and its spread.

It writes the whole result as JSON (``--out``) and prints a summary. It is not part of the
test command (each seed executes the whole book, about 15 minutes on 2 cores); the tests
run it on a small book. ``.github/workflows/seeds.yml`` runs it weekly.

Usage::

    .venv/bin/python scripts/check_seeds.py --seeds 1 2
    .venv/bin/python scripts/check_seeds.py --seeds 1 --chapters book/gradient-descent.md
    .venv/bin/python scripts/check_seeds.py --seeds 1 2 --baseline-cache _build/.jupyter_cache
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RECORD = "application/papermill.record/"
#: A number as the chapters print them: 1,234.5, 0.12, 3e-05, 97.5 %, -0.3.
NUMBER = re.compile(r"[-+−]?\d(?:[\d,]*\d)?(?:\.\d+)?(?:[eE][-+]?\d+)?")
#: Glued sentences chosen from a timing: run-dependent by nature (a loaded machine can flip
#: them under any seed), so they are reported apart from the sentences a seed flips.
TIMING_SENTENCES = frozenset(
    {
        "bp_b128_rate_sentence",
        "bp_ex3_story",
        "bp_fixed_keras_sentence",
        "bp_fixed_numpy_sentence",
        "bp_race_sentence",
        "dnn_batch_cost_story",
        "dnn_spe_story",
    }
)


def chapters_of(book: Path) -> list[Path]:
    """The book's chapters that are notebooks, in the table of contents' order."""
    from myst_nb.core.read import is_myst_markdown_notebook

    toc = yaml.safe_load((book / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        files += [entry["file"] for entry in part.get("chapters", []) if "file" in entry]
    paths = [book / (f if f.endswith(".md") else f + ".md") for f in files]
    return [
        p
        for p in paths
        if p.exists() and p.stem != "report" and is_myst_markdown_notebook(p.read_text())
    ]


def read_notebook(chapter: Path):
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(chapter.read_text(), add_source_map=True, path=str(chapter))


def execute(chapter: Path, seed: int, timeout: int) -> dict:
    """Execute one chapter under ``DLBOOK_SEED=seed``; its glued values and first error."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = read_notebook(chapter)
    saved = {k: os.environ.get(k) for k in ("DLBOOK_SEED", "DLBOOK_QUIET")}
    os.environ.update(DLBOOK_SEED=str(seed), DLBOOK_QUIET="1")
    error = None
    started = time.perf_counter()
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(chapter.parent)}},
        )
        client.execute()
    except CellExecutionError as exc:
        error = failing_cell(nb, str(exc))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {
        "glue": glued(nb),
        "error": error,
        "seconds": round(time.perf_counter() - started, 1),
        "slowest cells": slowest_cells(nb),
    }


def slowest_cells(nb, count: int = 8) -> list[dict]:
    """The cells that took longest, with their first line in the chapter and seconds."""
    timed = []
    for index, cell in enumerate(nb.cells):
        times = cell.get("metadata", {}).get("execution", {})
        start, end = times.get("iopub.execute_input"), times.get("shell.execute_reply")
        if start and end:
            seconds = dt.datetime.fromisoformat(
                end.replace("Z", "+00:00")
            ) - dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
            timed.append(
                {"line": source_line(nb, index), "seconds": round(seconds.total_seconds(), 1)}
            )
    return sorted(timed, key=lambda t: -t["seconds"])[:count]


def failing_cell(nb, message: str) -> dict:
    """The cell whose output holds the error (its first line in the chapter), the error."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                line = source_line(nb, index)
                return {
                    "cell": index,
                    "line": line,
                    "error": f"{output['ename']}: {output['evalue']}"[:500],
                }
    return {"cell": None, "line": None, "error": message.strip().splitlines()[-1][:500]}


def source_line(nb, index: int) -> int | None:
    source_map = nb.metadata.get("source_map")
    return int(source_map[index]) + 1 if source_map and index < len(source_map) else None


def glued(nb) -> dict[str, dict]:
    """Every glued value of an executed notebook: {name: {"kind": ..., "value": ...}}."""
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            data = {k.removeprefix(RECORD): v for k, v in output["data"].items()}
            values[name] = classify(data)
    return values


def classify(data: dict) -> dict:
    if "text/markdown" in data:
        return {"kind": "sentence", "value": data["text/markdown"]}
    if any(k.startswith("image/") for k in data):
        return {"kind": "figure", "value": None}
    text = data.get("text/plain", "")
    try:
        return {"kind": "number", "value": float(text)}
    except ValueError:
        pass
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return {"kind": "sentence", "value": text[1:-1]}
    return {"kind": "other", "value": text}


#: A list of masked numbers ("#, #, # and #") and a plural ending, both ignored.
NUMBER_LIST = re.compile(r"#(?:, #)*(?:,? and #)?")
PLURAL = re.compile(r"\b(\w+?)(?:es|s)\b")


def masked(text: str) -> str:
    """A sentence's wording: its numbers (and lists of them) replaced by #, plural endings
    dropped, so that "filters 3, 4 and 7 match" reads the same as "filter 9 matches"."""
    return PLURAL.sub(r"\1", NUMBER_LIST.sub("#", NUMBER.sub("#", text)))


def is_timing(name: str) -> bool:
    return name in TIMING_SENTENCES


def baseline_from_cache(cache_dir: Path, chapter: Path) -> dict | None:
    """Seed 0 from the build's jupyter-cache, if it holds this chapter as it is now."""
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    try:
        record = cache.match_cache_notebook(read_notebook(chapter))
    except KeyError:
        return None
    nb = cache.get_cache_bundle(record.pk).nb
    return {"glue": glued(nb), "error": None, "seconds": None, "from_cache": True}


def compare(runs: dict[int, dict]) -> dict:
    """One chapter's runs by seed -> flipped sentences, failures and the numbers' spread."""
    base = runs[0]["glue"]
    flipped, timing_flipped, numbers, missing = [], [], {}, []
    for seed, run in runs.items():
        if seed == 0:
            continue
        for name, entry in base.items():
            other = run["glue"].get(name)
            if other is None:
                if run["error"] is None:
                    missing.append({"seed": seed, "name": name})
                continue
            if entry["kind"] == "sentence" and masked(str(other["value"])) != masked(
                str(entry["value"])
            ):
                item = {
                    "seed": seed,
                    "name": name,
                    "seed 0": entry["value"],
                    "this seed": other["value"],
                }
                (timing_flipped if is_timing(name) else flipped).append(item)
    for name, entry in base.items():
        if entry["kind"] == "number":
            values = {
                str(seed): run["glue"][name]["value"]
                for seed, run in runs.items()
                if name in run["glue"] and run["glue"][name]["kind"] == "number"
            }
            spread = max(values.values()) - min(values.values())
            numbers[name] = {"by seed": values, "spread": spread}
    sentences = {
        name: {
            str(seed): run["glue"][name]["value"]
            for seed, run in runs.items()
            if name in run["glue"]
        }
        for name, entry in base.items()
        if entry["kind"] == "sentence"
    }
    return {
        "seconds": {str(seed): run["seconds"] for seed, run in runs.items()},
        "sentences": sentences,
        "slowest cells": {
            str(seed): run["slowest cells"]
            for seed, run in runs.items()
            if run.get("slowest cells")
        },
        "sentences checked": sum(1 for e in base.values() if e["kind"] == "sentence"),
        "flipped": flipped,
        "flipped, chosen from timings": timing_flipped,
        "failures": {str(seed): run["error"] for seed, run in runs.items() if run["error"]},
        "missing": missing,
        "numbers": numbers,
    }


def commit_of(book: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(book), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        required=True,
        help="offsets to try besides 0 (DLBOOK_SEED), each >= 1",
    )
    parser.add_argument(
        "--book",
        type=Path,
        default=ROOT,
        help="the book's root (with _toc.yml); default: this repository",
    )
    parser.add_argument(
        "--chapters",
        type=Path,
        nargs="*",
        help="only these chapters (default: every notebook in _toc.yml)",
    )
    parser.add_argument(
        "--baseline-cache",
        type=Path,
        help="a build's jupyter-cache to take seed 0 from where it matches",
    )
    parser.add_argument(
        "--timeout", type=int, default=1800, help="seconds one cell may run (default 1800)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("seed-check.json"),
        help="where to write the result (default: seed-check.json)",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other chapters of an earlier result in --out (same seeds)",
    )
    args = parser.parse_args(argv)
    if any(seed < 1 for seed in args.seeds):
        parser.error("--seeds: every seed must be >= 1 (0 is the published build)")
    book = args.book.resolve()
    chapters = [c.resolve() for c in args.chapters] if args.chapters else chapters_of(book)
    result = {
        "date": dt.date.today().isoformat(),
        "commit": commit_of(book),
        "seeds": [0, *args.seeds],
        "chapters": {},
    }
    for chapter in chapters:
        runs = {}
        for seed in [0, *args.seeds]:
            cached = (
                baseline_from_cache(args.baseline_cache, chapter)
                if seed == 0 and args.baseline_cache
                else None
            )
            runs[seed] = cached or execute(chapter, seed, args.timeout)
            error = runs[seed]["error"]
            how = "from the cache" if cached else f"{runs[seed]['seconds']} s"
            failed = f", FAILED at line {error['line']}" if error else ""
            print(f"{chapter.stem}, seed {seed}: {how}{failed}", flush=True)
        result["chapters"][chapter.stem] = {"commit": result["commit"], **compare(runs)}
    if args.merge and args.out.exists():
        earlier = json.loads(args.out.read_text())
        if earlier["seeds"] != result["seeds"]:
            parser.error(f"--merge: {args.out} holds seeds {earlier['seeds']}")
        merged = {**earlier["chapters"], **result["chapters"]}
        result["chapters"] = {
            name: merged[name] for name in [*earlier["chapters"], *result["chapters"]]
        }
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print_summary(result)
    return 0


def print_summary(result: dict) -> None:
    print(f"\nseeds {result['seeds']}, commit {result['commit']}")
    for name, chapter in result["chapters"].items():
        print(
            f"\n## {name}: {chapter['sentences checked']} sentences checked, "
            f"{len(chapter['flipped'])} flipped, "
            f"{len(chapter['flipped, chosen from timings'])} timing sentences moved, "
            f"{len(chapter['failures'])} failed runs"
        )
        for item in chapter["flipped"] + chapter["flipped, chosen from timings"]:
            print(
                f"- seed {item['seed']}, {item['name']}:\n    seed 0: {item['seed 0']}"
                f"\n    seed {item['seed']}: {item['this seed']}"
            )
        for seed, error in chapter["failures"].items():
            print(f"- seed {seed} FAILED at line {error['line']}: {error['error']}")


if __name__ == "__main__":
    sys.exit(main())
