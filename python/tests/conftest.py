"""Shared fixtures. The native library is found as `archetype.config` says (python.md §1.3);
tests that need it skip when it is missing, unless `ARCHETYPE_NATIVE_CORE=required`, which makes
them fail instead (CI)."""

from __future__ import annotations

import os

# Before anything can load the Swift runtime into this process (python.md §9.2 step 2).
os.environ.setdefault("SWIFT_BACKTRACE", "enable=no")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archetype import config
from archetype._abi import NativeLibrary

import cdata_helpers as h


def native_required() -> bool:
    return os.environ.get(config.ENV_NATIVE_CORE, "").strip().lower() == "required"


def _missing(reason: str) -> None:
    if native_required():
        pytest.fail(f"{reason} (ARCHETYPE_NATIVE_CORE=required)", pytrace=False)
    pytest.skip(reason)


_loaded: dict[str, NativeLibrary | None] = {}


@pytest.fixture(scope="session")
def native_path() -> Path:
    path = config.find_native_library()
    if path is None:
        tried = ", ".join(str(p) for p in config.candidate_paths())
        _missing(f"native library not found (tried {tried})")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def lib(native_path: Path) -> NativeLibrary:
    if "lib" not in _loaded:
        _loaded["lib"] = h.load_native()
    loaded = _loaded["lib"]
    if loaded is None:
        _missing("native library not found")
    assert loaded is not None
    return loaded


@pytest.fixture
def tracker(lib: NativeLibrary) -> Iterator[h.ReleaseTracker]:
    """A release tracker whose every wrapped node must be released exactly once by the end."""
    t = h.ReleaseTracker()
    yield t
    bad = t.wait_all_released()
    t.purge_released()
    assert not t.violations, t.violations
    assert not bad, f"nodes not released exactly once: {bad}"


@pytest.fixture
def worlds(lib: NativeLibrary, tracker: h.ReleaseTracker, tmp_path: Path) -> Iterator[Any]:
    """A `world_helpers.WorldFactory`: every world it made is freed at the end, every tracked
    struct must have been released exactly once, and the library's counters are back."""
    import world_helpers as wh

    factory = wh.WorldFactory(lib, tracker, tmp_path)
    yield factory
    factory.close()
