"""Learners run what the book ran: requirements.txt locks exact versions of requirements.in.

``requirements.in`` holds the supported ranges; ``requirements.txt`` (written by
``scripts/lock.sh``) pins every package, and the README's commands, CI and Binder install it.
"""

from __future__ import annotations

import re
from importlib import metadata

from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def requirement_lines(path) -> list[str]:
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def locked() -> dict[str, Requirement]:
    pins = {}
    for line in requirement_lines(ROOT / "requirements.txt"):
        if line == "-e .":
            continue
        requirement = Requirement(line)
        pins.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return pins


def test_the_lock_pins_every_package_exactly_and_names_no_index():
    text = (ROOT / "requirements.txt").read_text()
    assert "://" not in text, "the lock must not name an index or a URL"
    assert not re.search(r"^--", text, re.M), "the lock must not carry pip options"
    for line in requirement_lines(ROOT / "requirements.txt"):
        if line != "-e .":
            specifier = str(Requirement(line).specifier)
            assert specifier.startswith("=="), line
            assert "," not in specifier, line


def test_every_range_is_in_the_lock():
    pins = locked()
    for line in requirement_lines(ROOT / "requirements.in"):
        if line == "-e .":
            assert "-e ." in requirement_lines(ROOT / "requirements.txt")
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in requirements.in but not locked"
        version = next(
            str(r.specifier)[2:] for r in pins[name] if not r.marker or r.marker.evaluate()
        )
        assert requirement.specifier.contains(version), f"{name}=={version} is outside {line}"


def test_the_environment_is_the_lock():
    """What is installed here is exactly what the lock says (so the pages came from it)."""
    wrong = []
    for name, requirements in locked().items():
        for requirement in requirements:
            if requirement.marker and not requirement.marker.evaluate():
                continue
            want = str(requirement.specifier)[2:]
            try:
                have = metadata.version(name)
            except metadata.PackageNotFoundError:
                have = "not installed"
            if have != want:
                wrong.append(f"{name}: locked {want}, installed {have}")
    assert not wrong, "the environment differs from requirements.txt:\n" + "\n".join(wrong)
