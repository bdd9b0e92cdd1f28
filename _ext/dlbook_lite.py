"""Run in your browser: a JupyterLite site for the NumPy chapters, inside the book's own output.

A local Sphinx extension (named in ``_config.yml``). The chapters listed in the config value
``dlbook_lite_chapters`` need only NumPy and Matplotlib; each gets a "Run in your browser" link
at the top of its page, to ``lite/lab/index.html?path=<chapter>.ipynb``: its learner notebook
(``_ext/learner_notebook.py``) in JupyterLab, with Python running in the page (Pyodide), and
nothing fetched from anywhere but the site.

On ``build-finished`` (after ``dlbook_site`` wrote ``_notebooks/``) it runs
``jupyter lite build`` with, in a staging folder ``_build/.lite``:

* ``files/``: the chapters' learner notebooks (``--contents``) and ``data/mnist.npz``, a
  compressed copy of the verified MNIST that ``dlbook.data.load_mnist`` fetches from the site
  when a cell reads it (the kernel is told where by ``jupyter-lite.json``'s Pyodide ``env``);
* ``static/pyodide/``: Pyodide's core and the wheels the chapters need, fetched once and
  verified by ``_ext/lite_assets.py``, plus this repository's ``dlbook`` as a wheel (built
  here, pure Python) and ``platformdirs``, both added to Pyodide's lock so that
  ``import dlbook`` installs them as ``import numpy`` installs NumPy;
* ``comm`` as a piplite wheel (``--piplite-wheels``): the kernel installs it at start, and would
  ask PyPI for it otherwise;
* ``jupyter-lite.json``: that ``env`` (``DLBOOK_MNIST_URL``, and ``DLBOOK_OFFLINE``: in the
  browser the site is the only source);
* ``overrides.json``: no news prompt, every cell of a notebook rendered (``windowingMode``).

The output goes to ``_build/html/lite``. A fingerprint of every input is kept there; when it
has not changed, ``jupyter lite build`` is skipped (a warm build costs a few hashes).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import lite_assets
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
LEARNER_FOLDER = "_notebooks"
LITE_FOLDER = "lite"
BUTTON_LABEL = "Run in your browser"
FINGERPRINT = ".dlbook-lite-inputs.json"
KERNEL_EXTENSION = "@jupyterlite/pyodide-kernel-extension"
LITE_TIMEOUT_S = 600

#: The chapters whose code needs only NumPy and Matplotlib. (backprop is left out: its Keras
#: race needs TensorFlow, and its NumPy network trains on all 60,000 images, minutes in the
#: browser's single-threaded NumPy.)
DEFAULT_CHAPTERS = ("gradient-descent", "optimisers", "mnist-data")

#: Code the in-browser kernel cannot run: TensorFlow (no Pyodide build).
NOT_IN_BROWSER = re.compile(r"^\s*(import|from)\s+(tensorflow|keras)\b", re.M)
NOT_IN_BROWSER_NOTE = (
    "*Not run in the browser:* this cell needs TensorFlow. Its code is below; run it in "
    "JupyterLab (download this notebook) or on Binder, and see its output on the chapter's page."
)

#: Where the site keeps MNIST for the in-browser kernel: a compressed copy of the verified
#: arrays (11 MB), fetched by ``dlbook.data.load_mnist`` only when a cell reads MNIST.
MNIST_FILE = "data/mnist.npz"

#: The Pyodide kernel's name: a notebook naming ``python3`` would open with "No Kernel".
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}

#: Settings of the in-browser JupyterLab.
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def lite_url(pagename: str, chapter: str) -> str:
    """The page's link to its notebook in the in-browser site, relative to the page."""
    up = "../" * pagename.count("/")
    return f"{up}{LITE_FOLDER}/lab/index.html?path={chapter}.ipynb"


def _chapter(pagename: str) -> str:
    return pagename.rsplit("/", 1)[-1]


def _add_button(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """A link at the top of each in-browser chapter's page."""
    if doctree is None or _chapter(pagename) not in app.config.dlbook_lite_chapters:
        return
    if pagename not in app.env.found_docs or "body" not in context:
        return
    href = lite_url(pagename, _chapter(pagename))
    context["body"] = (
        '<p class="dlbook-lite-launch">'
        f'<a class="btn btn-sm btn-outline-primary" href="{href}">{BUTTON_LABEL}</a> '
        "<span>this chapter's notebook runs in JupyterLab in this page, with Python "
        "compiled to WebAssembly (the first start downloads about 30 MB, and 11 MB more when a "
        "cell reads MNIST; nothing is installed)."
        "</span></p>\n" + context["body"]
    )
    app._dlbook_lite_pages = [*getattr(app, "_dlbook_lite_pages", []), _chapter(pagename)]


# --- the dlbook wheel ---------------------------------------------------------------------------


def build_dlbook_wheel(root: Path, folder: Path) -> tuple[Path, dict]:
    """This repository's ``dlbook`` as a pure-Python wheel (deterministic: fixed timestamps).

    Returns the wheel and its project metadata (name, version, dependencies).
    """
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    dist = f"{name}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted((root / name).rglob("*.py")):
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '')}",
        *[f"Requires-Dist: {d}" for d in project.get("dependencies", [])],
    ]
    files[f"{dist}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{dist}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: dlbook_lite\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([arcname, f"sha256={digest}", len(data)])
    writer.writerow([f"{dist}/RECORD", "", ""])
    files[f"{dist}/RECORD"] = record.getvalue().encode()
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    write_fixed_zip(wheel, files.items())
    return wheel, project


def write_fixed_zip(path: Path, members) -> None:
    """A deflated zip of ``(name, bytes)`` members whose bytes depend only on theirs: fixed
    timestamps and permissions, so unchanged inputs keep the in-browser site's fingerprint."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in members:
            info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)


def _requirement_name(requirement: str) -> str:
    for stop in "<>=!~;[ ":
        requirement = requirement.split(stop, 1)[0]
    return lite_assets._normal(requirement)


def _lock_entry(wheel: Path, name: str, version: str, depends: list[str]) -> dict:
    return {
        "name": name,
        "version": version,
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": lite_assets.sha256(wheel),
        "package_type": "package",
        "imports": [name],
        "depends": depends,
        "unvendored_tests": False,
    }


# --- MNIST for the browser ---------------------------------------------------------------------


def write_npz(arrays: dict, path: Path) -> None:
    """A compressed ``.npz`` whose bytes depend only on the arrays (:func:`write_fixed_zip`)."""
    import numpy as np

    def members():
        for key, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            yield f"{key}.npy", buffer.getvalue()

    write_fixed_zip(path, members())


def browser_mnist() -> Path:
    """The verified MNIST as a compressed ``.npz`` beside Pyodide in the cache, written once
    from ``dlbook.data.load_mnist`` and verified again on every use."""
    import numpy as np

    from dlbook.data import KEYS, load_mnist, verify_mnist

    path = lite_assets.cache_root() / "mnist-compressed.npz"
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as npz:
                verify_mnist({key: npz[key] for key in KEYS})
            return path
        except (ValueError, KeyError, OSError, zipfile.BadZipFile):
            path.unlink()  # written again below, from the verified cache
    (x_train, y_train), (x_test, y_test) = load_mnist()
    arrays = dict(zip(KEYS, (x_train, y_train, x_test, y_test), strict=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    write_npz(arrays, partial)
    partial.replace(path)
    return path


# --- staging and the build ----------------------------------------------------------------------


def _kernel_extension() -> Path:
    """The pyodide kernel's JupyterLab extension, as installed with jupyterlite-pyodide-kernel."""
    from jupyter_core.paths import jupyter_path

    for folder in [Path(sys.prefix) / "share/jupyter/labextensions", *map(Path, jupyter_path())]:
        for candidate in (folder / KERNEL_EXTENSION, folder / "labextensions" / KERNEL_EXTENSION):
            if (candidate / "package.json").is_file():
                return candidate
    raise ExtensionError(
        f"{KERNEL_EXTENSION} is not installed: install the lock (bash scripts/setup.sh), which "
        "holds jupyterlite-pyodide-kernel"
    )


def browser_cell(cell: dict) -> dict:
    """A code cell the browser cannot run (it reads MNIST, or needs TensorFlow) becomes a note
    showing its code; every other cell is kept as it is."""
    source = "".join(cell.get("source", ""))
    if cell.get("cell_type") != "code" or not NOT_IN_BROWSER.search(source):
        return cell
    return {
        "cell_type": "markdown",
        "metadata": {"dlbook_not_in_browser": True},
        "source": f"{NOT_IN_BROWSER_NOTE}\n\n```python\n{source.rstrip()}\n```",
    }


def stage(outdir: Path, stage_dir: Path, chapters: list[str]) -> None:
    """Fill ``stage_dir`` with everything ``jupyter lite build`` reads."""
    verified = lite_assets.verified_pyodide()
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    files = stage_dir / "files"
    files.mkdir(parents=True)
    for chapter in chapters:
        notebook = json.loads((outdir / LEARNER_FOLDER / f"{chapter}.ipynb").read_text())
        notebook.setdefault("metadata", {})["kernelspec"] = KERNELSPEC  # the in-browser kernel
        notebook["cells"] = [browser_cell(cell) for cell in notebook["cells"]]
        for number, cell in enumerate(notebook["cells"]):  # stable ids: an unchanged fingerprint
            cell["id"] = f"cell-{number}"
        (files / f"{chapter}.ipynb").write_text(json.dumps(notebook, indent=1) + "\n")

    pyodide = stage_dir / "static" / "pyodide"
    pyodide.mkdir(parents=True)
    piplite = stage_dir / "piplite"
    piplite.mkdir()
    lock = json.loads((verified / "pyodide-lock.json").read_text())
    for path in verified.iterdir():
        if path.name in (lite_assets.MANIFEST, "pyodide-lock.json"):
            continue
        target = piplite if path.name.startswith("comm-") else pyodide
        shutil.copyfile(path, target / path.name)
    platformdirs = next(pyodide.glob("platformdirs-*.whl"))
    pd_version = platformdirs.name.split("-")[1]
    lock["packages"]["platformdirs"] = _lock_entry(platformdirs, "platformdirs", pd_version, [])
    wheel, project = build_dlbook_wheel(ROOT, pyodide)
    depends = [_requirement_name(d) for d in project.get("dependencies", [])]
    lock["packages"][project["name"]] = _lock_entry(
        wheel, project["name"], project["version"], depends
    )
    (pyodide / "pyodide-lock.json").write_text(json.dumps(lock, sort_keys=True))

    # MNIST, and where the kernel finds it: a URL relative to the kernel's worker script, which
    # lives in the extension's static/ folder of the built site; the site's own contents are in
    # files/.
    (files / MNIST_FILE).parent.mkdir()
    shutil.copyfile(browser_mnist(), files / MNIST_FILE)
    up = "../" * len(Path("extensions", KERNEL_EXTENSION, "static").parts)
    env = {"DLBOOK_MNIST_URL": f"{up}files/{MNIST_FILE}", "DLBOOK_OFFLINE": "1"}
    settings = {"loadPyodideOptions": {"env": env}}
    lite = {"jupyter-config-data": {"litePluginSettings": {f"{KERNEL_EXTENSION}:kernel": settings}}}
    (stage_dir / "jupyter-lite.json").write_text(json.dumps(lite, indent=1))

    # Only the kernel's extension (not every one installed, e.g. jupytext's): the build ignores
    # sys.prefix and reads it from here.
    shutil.copytree(_kernel_extension(), stage_dir / "labextensions" / KERNEL_EXTENSION)
    config = {"FederatedExtensionAddon": {"extra_labextensions_path": ["labextensions"]}}
    (stage_dir / "jupyter_lite_config.json").write_text(json.dumps(config, indent=1))
    (stage_dir / "overrides.json").write_text(json.dumps(OVERRIDES, indent=1))


def fingerprint(stage_dir: Path) -> str:
    """A digest of every staged file (names and bytes) and of the tool versions."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for tool in ("jupyterlite-core", "jupyterlite-pyodide-kernel", "jupyter-server"):
        digest.update(f"{tool}=={version(tool)}\n".encode())
    for path in sorted(p for p in stage_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(stage_dir).as_posix().encode() + b"\0")
        digest.update(lite_assets.sha256(path).encode())
    return digest.hexdigest()


def build_lite(outdir: Path, chapters: list[str]) -> dict:
    """Stage, then ``jupyter lite build`` into ``outdir/lite`` unless its inputs are unchanged."""
    start = time.perf_counter()
    stage_dir = outdir.parent / ".lite"
    output = outdir / LITE_FOLDER
    stage(outdir, stage_dir, chapters)
    key = fingerprint(stage_dir)
    marker = output / FINGERPRINT
    if marker.is_file() and json.loads(marker.read_text()).get("inputs") == key:
        return {"skipped": True, "seconds": time.perf_counter() - start}
    if output.exists():
        shutil.rmtree(output)
    command = [
        sys.executable,
        "-m",
        "jupyterlite_core",
        "build",
        "--apps",
        "lab",
        "--contents",
        "files",
        "--piplite-wheels",
        str(next((stage_dir / "piplite").glob("comm-*.whl")).relative_to(stage_dir)),
        "--ignore-sys-prefix",
        "--no-sourcemaps",
        "--no-unused-shared-packages",
        "--output-dir",
        str(output),
    ]
    result = subprocess.run(
        command,
        cwd=stage_dir,
        capture_output=True,
        text=True,
        timeout=LITE_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        raise ExtensionError(
            f"jupyter lite build failed (exit {result.returncode}):\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    index = output / "api" / "contents" / "all.json"
    listed = {c["name"] for c in json.loads(index.read_text()).get("content", [])}
    extensions = json.loads((output / "jupyter-lite.json").read_text())["jupyter-config-data"]
    if not any(e["name"] == KERNEL_EXTENSION for e in extensions.get("federated_extensions", [])):
        raise ExtensionError(f"jupyter lite build did not include {KERNEL_EXTENSION}")
    if missing := {f"{c}.ipynb" for c in chapters} - listed:
        raise ExtensionError(
            f"jupyter lite build did not index {sorted(missing)} (is jupyter_server installed?)"
        )
    (output / ".nojekyll").touch()
    seconds = time.perf_counter() - start
    marker.write_text(json.dumps({"inputs": key, "chapters": chapters, "seconds": seconds}))
    return {"skipped": False, "seconds": seconds}


def _build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or app.builder.name != "html":
        return
    outdir = Path(app.outdir)
    chapters = [
        c
        for c in app.config.dlbook_lite_chapters
        if (outdir / LEARNER_FOLDER / f"{c}.ipynb").is_file()
    ]
    if not chapters:
        return
    try:
        result = build_lite(outdir, chapters)
    except lite_assets.LiteAssetsError as err:
        raise ExtensionError(str(err)) from err
    what = "unchanged, kept" if result["skipped"] else "built"
    logger.info(
        f"[dlbook_lite] in-browser site for {', '.join(chapters)} {what} in "
        f"{result['seconds']:.1f} s: {outdir / LITE_FOLDER}"
    )


def setup(app: Sphinx) -> dict:
    app.add_config_value("dlbook_lite_chapters", list(DEFAULT_CHAPTERS), "html")
    app.connect("html-page-context", _add_button)
    # After dlbook_site wrote the learner notebooks and patched the pages (priority 500).
    app.connect("build-finished", _build_finished, priority=700)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
