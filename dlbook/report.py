"""What the book was built with: library versions and the machine, for the execution report."""

from __future__ import annotations

import os
import platform
from importlib import metadata

__all__ = ["TRACKED_LIBRARIES", "cpu_model", "environment"]

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
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = {"Python": platform.python_version()}
    info.update(
        {
            lib: _version(lib)
            for lib in TRACKED_LIBRARIES
            if not (lib.endswith("-cpu") and lib.removesuffix("-cpu") in TRACKED_LIBRARIES)
        }
    )
    info["platform"] = platform.platform(terse=True)
    info["CPU"] = cpu_model()
    info["CPU cores usable"] = str(usable)
    return info
