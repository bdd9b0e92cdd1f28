"""Every public function of dlbook has a NumPy-style docstring (the API page is built from them)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p.stem for p in (ROOT / "dlbook").glob("*.py") if not p.stem.startswith("_"))


def public_objects():
    for name in MODULES:
        module = importlib.import_module(f"dlbook.{name}")
        assert module.__doc__, f"dlbook.{name} has no module docstring"
        assert hasattr(module, "__all__"), f"dlbook.{name} does not declare __all__"
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"dlbook.{name}.{attr}", obj


@pytest.mark.parametrize(("qualname", "obj"), list(public_objects()), ids=lambda v: str(v))
def test_numpy_style_docstring(qualname, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{qualname} has no docstring"
    target = obj.__init__ if inspect.isclass(obj) and "__init__" in vars(obj) else obj
    if inspect.isclass(obj) and target is obj:
        return
    params = [p for p in inspect.signature(target).parameters if p not in ("self", "cls")]
    if params:
        assert "Parameters\n----------" in doc or "Attributes\n----------" in doc, (
            f"{qualname}: no Parameters section"
        )
    try:
        source = inspect.getsource(target)
    except OSError:  # generated code, e.g. a dataclass __init__
        return
    if "raise ValueError" in source or "raise TypeError" in source:
        assert "Raises\n------" in doc, f"{qualname}: raises but documents no Raises section"


def test_api_page_names_every_module():
    api = (ROOT / "book" / "api.md").read_text()
    for name in MODULES:
        assert f".. automodule:: dlbook.{name}\n" in api, f"dlbook.{name} is not on the API page"
