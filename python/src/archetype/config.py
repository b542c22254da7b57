"""The `native_core` setting and native library discovery (python.md §1.3, §9.1)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal, cast

from .errors import InvalidArgumentError

NativeCore = Literal["off", "auto", "required"]
NATIVE_CORE_VALUES: tuple[NativeCore, ...] = ("off", "auto", "required")

#: Environment variable naming the native library file; if set, it is the only candidate.
ENV_NATIVE_LIB = "ARCHETYPE_NATIVE_LIB"
#: Environment variable holding the default `native_core` setting.
ENV_NATIVE_CORE = "ARCHETYPE_NATIVE_CORE"

LIBRARY_BASENAME = "ArchetypeFFI"


def library_filename() -> str:
    """`libArchetypeFFI.so` on Linux, `libArchetypeFFI.dylib` on macOS."""
    suffix = ".dylib" if sys.platform == "darwin" else ".so"
    return f"lib{LIBRARY_BASENAME}{suffix}"


def resolve_native_core(value: str | None = None) -> NativeCore:
    """Resolve the setting: the argument, else `ARCHETYPE_NATIVE_CORE` (if set and non-empty),
    else `"auto"`. Values are case-insensitive, surrounding whitespace ignored."""
    if value is not None:
        source, raw = "the native_core argument", value
    else:
        env = os.environ.get(ENV_NATIVE_CORE)
        if env is None or not env.strip():
            return "auto"
        source, raw = f"the environment variable {ENV_NATIVE_CORE}", env
    normalised = raw.strip().lower()
    if normalised not in NATIVE_CORE_VALUES:
        raise InvalidArgumentError(
            f"invalid native_core value {raw!r} from {source}; expected one of "
            + ", ".join(repr(v) for v in NATIVE_CORE_VALUES)
        )
    return cast(NativeCore, normalised)


def _package_dir() -> Path:
    return Path(__file__).resolve().parent


def _checkout_root(start: Path) -> Path | None:
    """The first parent directory of `start` that contains `Package.swift`."""
    for parent in start.parents:
        if (parent / "Package.swift").is_file():
            return parent
    return None


def candidate_paths() -> list[Path]:
    """The native library locations, in search order (python.md §1.3).

    1. `$ARCHETYPE_NATIVE_LIB`, if set (then the only candidate);
    2. `archetype/_native/libArchetypeFFI.so` inside the package;
    3. `.build/release/libArchetypeFFI.so` under the first parent directory of the package that
       contains `Package.swift` (a development checkout).
    """
    env = os.environ.get(ENV_NATIVE_LIB)
    if env:
        return [Path(env)]
    package = _package_dir()
    candidates = [package / "_native" / library_filename()]
    root = _checkout_root(package)
    if root is not None:
        candidates.append(root / ".build" / "release" / library_filename())
    return candidates


def find_native_library() -> Path | None:
    """The first candidate that exists as a file, or None."""
    for path in candidate_paths():
        if path.is_file():
            return path
    return None


__all__ = [
    "ENV_NATIVE_CORE",
    "ENV_NATIVE_LIB",
    "NATIVE_CORE_VALUES",
    "NativeCore",
    "candidate_paths",
    "find_native_library",
    "library_filename",
    "resolve_native_core",
]
