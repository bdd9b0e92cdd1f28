"""What the book was built with: library versions and the machine, for the execution report."""

from __future__ import annotations

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
