"""Every public function of every ``dlbook`` module is probed with bad input.

Each ``tests/test_<module>.py`` declares ``BAD_INPUT`` (a list of ``badinput.Spec``) and may
declare ``BAD_INPUT_EXEMPT`` (public name -> why it takes no argument worth probing). This
test fails when a public function or class has neither, so a new function cannot skip the
package's one rule for bad arguments (see ``dlbook/_checks.py``).
"""

from __future__ import annotations

import importlib
import inspect

import pytest
from badinput import Spec
from conftest import ROOT

MODULES = sorted(p.stem for p in (ROOT / "dlbook").glob("*.py") if not p.stem.startswith("_"))


def _public_callables(module_name: str) -> dict[str, object]:
    module = importlib.import_module(f"dlbook.{module_name}")
    names = getattr(module, "__all__", None)
    assert names is not None, f"dlbook.{module_name} has no __all__"
    return {
        name: getattr(module, name)
        for name in names
        if inspect.isfunction(getattr(module, name)) or inspect.isclass(getattr(module, name))
    }


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_function_has_a_bad_input_spec(module_name):
    tests = importlib.import_module(f"test_{module_name}")
    specs: list[Spec] = getattr(tests, "BAD_INPUT", [])
    exempt: dict[str, str] = getattr(tests, "BAD_INPUT_EXEMPT", {})
    covered = {spec.func for spec in specs}
    missing = [
        name
        for name, obj in _public_callables(module_name).items()
        if obj not in covered and name not in exempt
    ]
    assert not missing, (
        f"dlbook.{module_name}: no bad-input spec in tests/test_{module_name}.py for {missing}"
    )
    for name, why in exempt.items():
        assert why.strip(), f"exempting {name} needs a reason"
