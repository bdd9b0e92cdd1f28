"""What the book was built with: library versions and the machine, for the execution report."""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

from . import _checks

__all__ = [
    "TRACKED_LIBRARIES",
    "cpu_model",
    "environment",
    "locked_versions",
    "peak_memory_gib",
    "seed_check_markdown",
]

#: Distributions whose versions shape the book's results, as installed names.
#: :func:`environment` reports them (``tensorflow-cpu`` under ``tensorflow``), and the
#: build's cache guard (``_ext/dlbook_guard.py``, which reads this tuple from this file
#: without importing the package) re-executes every chapter when one of them changes.
TRACKED_LIBRARIES = (
    "numpy",
    "tensorflow",
    "tensorflow-cpu",
    "keras",
    "matplotlib",
    "jupyter-book",
    "myst-nb",
)


def cpu_model() -> str:
    """Name of the processor, as the operating system reports it.

    Returns
    -------
    str
        The ``model name`` from ``/proc/cpuinfo`` on Linux, else
        ``platform.processor()``, else ``"unknown"``.
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str:
    for name in (dist, f"{dist}-cpu"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def environment() -> dict[str, str]:
    """Versions of Python and the book's libraries, and the CPU the build ran on.

    Returns
    -------
    dict of str to str
        Keys ``Python``, one per library (``numpy``, ``tensorflow``, ``keras``,
        ``matplotlib``, ``jupyter-book``, ``myst-nb``), ``platform``, ``CPU``,
        ``CPU cores usable``. TensorFlow's version is read from the installed
        package's metadata (``tensorflow`` or ``tensorflow-cpu``) without importing it.
    """
    usable = (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count()
    )
    info = {"Python": platform.python_version()}
    info.update(
        {
            lib: _version(lib)
            for lib in TRACKED_LIBRARIES
            if not (
                lib.endswith("-cpu") and lib.removesuffix("-cpu") in TRACKED_LIBRARIES
            )
        }
    )
    info["platform"] = platform.platform(terse=True)
    info["CPU"] = cpu_model()
    info["CPU cores usable"] = str(usable)
    return info


LOCK_FILE = Path(__file__).resolve().parents[1] / "requirements.txt"


def locked_versions(lock: str | os.PathLike | None = None) -> dict[str, dict[str, str]]:
    """The tracked libraries' versions in the lock file beside the installed ones.

    Parameters
    ----------
    lock : path-like, optional
        The lock file, ``requirements.txt`` at the repository root by default (written by
        ``scripts/lock.sh`` from the ranges in ``requirements.in``).

    Returns
    -------
    dict of str to dict
        For each of :data:`TRACKED_LIBRARIES` that the lock pins for this platform:
        ``{"locked": version, "installed": version or "not installed"}``.

    Raises
    ------
    TypeError
        If ``lock`` is not a path.
    ValueError
        If ``lock`` does not name a readable file.
    """
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    path = LOCK_FILE if lock is None else _checks.as_path(lock, "lock")
    if not path.is_file():
        raise ValueError(f"lock must name a lock file, got {str(path)!r} (not a file)")
    tracked = {canonicalize_name(name): name for name in TRACKED_LIBRARIES}
    versions = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        name = tracked.get(canonicalize_name(requirement.name))
        if name is None or (requirement.marker and not requirement.marker.evaluate()):
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        versions[name] = {
            "locked": str(requirement.specifier).lstrip("="),
            "installed": installed,
        }
    return versions


def peak_memory_gib() -> float:
    """The most memory this process has held so far (its peak resident set), in GiB.

    Called in a chapter's last cell, it is the chapter's peak kernel memory: what a learner's
    kernel on Binder needs (mybinder.org guarantees 1 GB and stops a kernel at 2 GB).

    Returns
    -------
    float
        Peak resident memory of this process and of its finished children, in GiB (2**30
        bytes); ``nan`` where the platform does not report it (not on Linux or macOS).
    """
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return peak * scale / 2**30


#: The last recorded result of ``scripts/check_seeds.py`` (the book under other seeds).
SEED_CHECK_FILE = Path(__file__).resolve().parent.parent / "book" / "seed-check.json"

#: The headline numbers the report shows under every seed tried: (chapter, glue key, what).
SEED_HEADLINES = (
    ("gradient-descent", "gd_w", "learned weight $w$ (true 1.8)"),
    (
        "optimisers",
        "opt_adam_worst_ratio_2",
        "Adam's worst burst, rate 0.1 over rate 0.01",
    ),
    (
        "backprop",
        "bp_moons_test_acc",
        "moons network, mean **test** accuracy of 3 seeds",
    ),
    ("backprop", "bp_mnist_test_acc", "NumPy MLP, **test** accuracy"),
    ("mnist-dnn", "dnn_source_test_acc", "source project's recipe, **test** accuracy"),
    ("mnist-dnn", "dnn_improved_test_acc", "chosen recipe, **test** accuracy"),
    ("cnn-vs-mlp", "cnn_cnn_test_acc", "CNN, **test** accuracy"),
    ("cnn-vs-mlp", "cnn_mlp_test_acc", "MLP, **test** accuracy"),
)


def seed_check_markdown(path: str | os.PathLike | None = None) -> str:
    """The last run of ``scripts/check_seeds.py``, as Markdown for the report page.

    Parameters
    ----------
    path : path-like, optional
        The script's JSON result, ``book/seed-check.json`` by default.

    Returns
    -------
    str
        A sentence saying when, at which commit and under which seeds the chapters ran, a
        table per chapter (sentences checked, sentences whose wording changed with the seed,
        sentences chosen from timings that changed, runs stopped by an error), every changed
        sentence under each seed, and the headline numbers under each seed.

    Raises
    ------
    TypeError
        If ``path`` is not a path.
    ValueError
        If ``path`` does not name a readable JSON file.
    """
    path = SEED_CHECK_FILE if path is None else _checks.as_path(path, "path")
    try:
        result = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"path must name a readable JSON file: {exc}") from None
    chapters = result["chapters"]
    others = ", ".join(str(s) for s in result["seeds"] if s != 0)
    lines = [
        f"Last run on {result['date']}: every chapter under `DLBOOK_SEED` 0 (as "
        f"published) and {others}, at the commit in the table.",
        "",
        "| chapter | commit | chosen sentences checked | wording changed with the seed "
        "| chosen from timings, changed | runs stopped by an error |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, chapter in chapters.items():
        lines.append(
            f"| {{doc}}`{name}` | `{chapter.get('commit', result.get('commit'))}` "
            f"| {chapter['sentences checked']} "
            f"| {len(chapter['flipped'])} "
            f"| {len(chapter['flipped, chosen from timings'])} "
            f"| {len(chapter['failures'])} |"
        )
    changed = [
        (name, item)
        for name, chapter in chapters.items()
        for item in chapter["flipped"] + chapter["flipped, chosen from timings"]
    ]

    def one_line(text):  # a glued table or paragraph, on one line of the list
        return " ".join(str(text).split())

    if changed:
        lines += ["", "The sentences whose wording changed:", ""]
        for name, item in changed:
            lines.append(
                f"- {{doc}}`{name}`, `{item['name']}`, seed {item['seed']}: "
                f'"{one_line(item["this seed"])}" '
                f'(seed 0: "{one_line(item["seed 0"])}")'
            )
    for name, chapter in chapters.items():
        for seed, error in chapter["failures"].items():
            lines.append(
                f"- {{doc}}`{name}` stopped under seed {seed} at line {error['line']}: "
                f"`{error['error']}`"
            )
    seeds = [str(s) for s in result["seeds"]]
    rows = []
    for name, key, what in SEED_HEADLINES:
        number = chapters.get(name, {}).get("numbers", {}).get(key)
        if number is not None:
            values = [number["by seed"].get(s) for s in seeds]
            cells = " | ".join("" if v is None else f"{v:.4g}" for v in values)
            rows.append(f"| {{doc}}`{name}` | {what} | {cells} |")
    if rows:
        lines += [
            "",
            "| chapter | headline number | "
            + " | ".join(f"seed {s}" for s in seeds)
            + " |",
            "|---|---|" + "---:|" * len(seeds),
            *rows,
        ]
    return "\n".join(lines)
