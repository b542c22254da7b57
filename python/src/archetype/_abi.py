"""ctypes declarations of the native library's C ABI (c-abi.md §6, §7) and its loader (§9.2 of
python.md).

The Arrow structs are the C Data / C Stream Interface structs exactly as Apache Arrow specifies
them; the `arct_*` structs are the versioned structs of c-abi.md §6. Every size is asserted
against the C `_Static_assert`s of the header (LP64). The function table declares every `arct_`
function that `archetype.h` currently declares.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import config
from .errors import ArchetypeError, NativeLibraryError, error_for_status

ABI_VERSION = 2
NAME_MAX = 255

ARROW_FLAG_DICTIONARY_ORDERED = 1
ARROW_FLAG_NULLABLE = 2
ARROW_FLAG_MAP_KEYS_SORTED = 4

# ---- Arrow C Data Interface ----------------------------------------------------------------------


class ArrowSchema(ctypes.Structure):
    """`struct ArrowSchema` (72 bytes)."""


class ArrowArray(ctypes.Structure):
    """`struct ArrowArray` (80 bytes)."""


class ArrowArrayStream(ctypes.Structure):
    """`struct ArrowArrayStream` (40 bytes)."""


ArrowSchemaRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowSchema))
ArrowArrayRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))
StreamGetSchema = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowSchema)
)
StreamGetNext = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowArray)
)
# The returned `const char*` is declared as an address so that Python implementations of the
# callback can return a pointer they keep alive.
StreamGetLastError = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.POINTER(ArrowArrayStream))
StreamRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArrayStream))

ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p),
    ("name", ctypes.c_char_p),
    ("metadata", ctypes.c_void_p),  # binary-encoded key/value pairs, not a C string
    ("flags", ctypes.c_int64),
    ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowSchema))),
    ("dictionary", ctypes.POINTER(ArrowSchema)),
    ("release", ArrowSchemaRelease),
    ("private_data", ctypes.c_void_p),
]

ArrowArray._fields_ = [
    ("length", ctypes.c_int64),
    ("null_count", ctypes.c_int64),
    ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64),
    ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowArray))),
    ("dictionary", ctypes.POINTER(ArrowArray)),
    ("release", ArrowArrayRelease),
    ("private_data", ctypes.c_void_p),
]

ArrowArrayStream._fields_ = [
    ("get_schema", StreamGetSchema),
    ("get_next", StreamGetNext),
    ("get_last_error", StreamGetLastError),
    ("release", StreamRelease),
    ("private_data", ctypes.c_void_p),
]

# ---- versioned structs (c-abi.md §6) -------------------------------------------------------------

ARCT_CODEC_SNAPPY = 0
ARCT_CODEC_NONE = 1
ARCT_CODEC_ZSTD = 2
ARCT_CODEC_GZIP = 3
ARCT_DURABILITY_FSYNC = 0
ARCT_DURABILITY_NO_FSYNC = 1
ARCT_REGISTER_COMPONENT_SCHEMA = 0
ARCT_REGISTER_FULL_SCHEMA = 1
ARCT_PROCESSOR_MOVEMENT = 1
ARCT_QUERY_FILTER_TICKS = 1 << 0
ARCT_QUERY_FILTER_ENTITY_IDS = 1 << 1
ARCT_QUERY_ACTIVE_ONLY = 1 << 2
ARCT_QUERY_PROJECT = 1 << 3
ARCT_WORLD_READY = 0
ARCT_WORLD_EPOCH_OPEN = 1
ARCT_WORLD_POISONED = 2


class arct_world_options(ctypes.Structure):  # noqa: N801 - the C name
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("abi_version", ctypes.c_uint32),
        ("world_id", ctypes.c_char_p),
        ("run_id", ctypes.c_char_p),
        ("store_root", ctypes.c_char_p),
        ("store_namespace", ctypes.c_char_p),
        ("codec", ctypes.c_int32),
        ("codec_level", ctypes.c_int32),
        ("durability", ctypes.c_int32),
        ("flags", ctypes.c_uint32),
    ]


class arct_processor_spec(ctypes.Structure):  # noqa: N801
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("kind", ctypes.c_int32),
        ("priority", ctypes.c_int32),
        ("flags", ctypes.c_uint32),
        ("dt", ctypes.c_double),
        ("label", ctypes.c_char_p),
    ]


class arct_table_profile(ctypes.Structure):  # noqa: N801
    _fields_ = [
        ("table_name", ctypes.c_char * (NAME_MAX + 1)),
        ("read_prior_sec", ctypes.c_double),
        ("materialize_sec", ctypes.c_double),
        ("process_sec", ctypes.c_double),
        ("append_sec", ctypes.c_double),
        ("live_snapshot_sec", ctypes.c_double),
        ("table_sec", ctypes.c_double),
        ("rows_prior", ctypes.c_int64),
        ("rows_appended", ctypes.c_int64),
    ]


class arct_step_profile(ctypes.Structure):  # noqa: N801
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("tick", ctypes.c_int32),
        ("tick_sec", ctypes.c_double),
        ("n_tables", ctypes.c_int64),
        ("tables_cap", ctypes.c_int64),
        ("tables", ctypes.POINTER(arct_table_profile)),
    ]


class arct_query(ctypes.Structure):  # noqa: N801
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("world_id", ctypes.c_char_p),
        ("run_id", ctypes.c_char_p),
        ("ticks", ctypes.POINTER(ctypes.c_int32)),
        ("n_ticks", ctypes.c_int64),
        ("entity_ids", ctypes.POINTER(ctypes.c_int32)),
        ("n_entity_ids", ctypes.c_int64),
        ("columns", ctypes.POINTER(ctypes.c_char_p)),
        ("n_columns", ctypes.c_int64),
    ]


class arct_world_info(ctypes.Structure):  # noqa: N801
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("state", ctypes.c_uint32),
        ("tick", ctypes.c_int32),
        ("poisoned_tick", ctypes.c_int32),
        ("next_entity_id", ctypes.c_int64),
        ("n_entities", ctypes.c_int64),
        ("n_tables", ctypes.c_int64),
        ("poisoned_committed_tables", ctypes.c_int64),
        ("last_failed_table", ctypes.c_char * (NAME_MAX + 1)),
    ]


#: The LP64 sizes asserted by the C target (c-abi.md §6) and python.md §9.2 step 6.
STRUCT_SIZES: dict[type[ctypes.Structure], int] = {
    ArrowSchema: 72,
    ArrowArray: 80,
    ArrowArrayStream: 40,
    arct_world_options: 56,
    arct_processor_spec: 32,
    arct_table_profile: 320,
    arct_step_profile: 40,
    arct_query: 72,
    arct_world_info: 304,
}


def struct_size_mismatches() -> list[str]:
    """Descriptions of every struct whose ctypes size differs from the ABI's (empty if none)."""
    return [
        f"{cls.__name__}: ctypes size {ctypes.sizeof(cls)}, ABI size {size}"
        for cls, size in STRUCT_SIZES.items()
        if ctypes.sizeof(cls) != size
    ]


# Fails at import on a platform whose data model is not LP64, before anything is loaded.
assert not struct_size_mismatches(), struct_size_mismatches()

# ---- function table (archetype.h) ----------------------------------------------------------------

_I32 = ctypes.c_int32
_U32 = ctypes.c_uint32
_I64 = ctypes.c_int64
_U64 = ctypes.c_uint64
_P_ARRAY = ctypes.POINTER(ArrowArray)
_P_SCHEMA = ctypes.POINTER(ArrowSchema)
_P_STREAM = ctypes.POINTER(ArrowArrayStream)
_P_I32 = ctypes.POINTER(ctypes.c_int32)
_P_I64 = ctypes.POINTER(ctypes.c_int64)
_P_U64 = ctypes.POINTER(ctypes.c_uint64)
_P_CHAR = ctypes.POINTER(ctypes.c_char)  # a caller-owned, writable byte buffer
_P_SIZE = ctypes.POINTER(ctypes.c_size_t)
# `arct_world*` is an opaque token (c-abi.md §4.1): passed as an address, never dereferenced.
_WORLD = ctypes.c_void_p
_P_WORLD = ctypes.POINTER(ctypes.c_void_p)
_NAME = ctypes.c_char_p  # `const char*`, borrowed for the call; bytes (any bytes, for tests)

#: name → (restype, argtypes) for every `arct_` function declared in archetype.h.
PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {
    "arct_ffi_version": (ctypes.c_uint32, []),
    "arct_status_name": (ctypes.c_char_p, [_I32]),
    "arct_last_error_message": (ctypes.c_char_p, []),
    "arct_clear_last_error": (None, []),
    "arct_world_options_init": (None, [ctypes.POINTER(arct_world_options)]),
    # world lifecycle and inspection
    "arct_world_new": (_I32, [ctypes.POINTER(arct_world_options), _P_WORLD]),
    "arct_world_open": (_I32, [ctypes.POINTER(arct_world_options), _P_WORLD]),
    "arct_world_free": (_I32, [_WORLD]),
    "arct_world_last_error": (_I32, [_WORLD, _P_I32, _P_CHAR, ctypes.c_size_t, _P_SIZE]),
    "arct_world_get_info": (_I32, [_WORLD, ctypes.POINTER(arct_world_info)]),
    "arct_world_tick": (_I32, [_WORLD, _P_I32]),
    "arct_world_active_tables": (_I32, [_WORLD, _P_ARRAY, _P_SCHEMA]),
    "arct_world_tables": (_I32, [_WORLD, _P_ARRAY, _P_SCHEMA]),
    "arct_world_entities": (_I32, [_WORLD, _P_ARRAY, _P_SCHEMA]),
    # tables
    "arct_world_register_table": (_I32, [_WORLD, _NAME, _P_SCHEMA, _U32]),
    # mutations
    "arct_world_spawn": (_I32, [_WORLD, _NAME, _P_ARRAY, _P_SCHEMA, _P_I32, _I64, _P_I64]),
    "arct_world_reserve_ids": (_I32, [_WORLD, _I64, _P_I32]),
    "arct_world_spawn_with_ids": (_I32, [_WORLD, _NAME, _P_ARRAY, _P_SCHEMA, _P_I32, _I64]),
    "arct_world_despawn": (_I32, [_WORLD, _P_I32, _I64]),
    "arct_world_update": (_I32, [_WORLD, _P_ARRAY, _P_SCHEMA]),
    "arct_world_migrate": (
        _I32,
        [_WORLD, _NAME, _P_SCHEMA, _P_ARRAY, _P_SCHEMA, _P_I32, _I64],
    ),
    "arct_world_migrate_rows": (
        _I32,
        [_WORLD, _NAME, _P_SCHEMA, _P_ARRAY, _P_SCHEMA, _P_I32, _I64],
    ),
    # native processors
    "arct_world_add_processor": (_I32, [_WORLD, ctypes.POINTER(arct_processor_spec), _P_U64]),
    "arct_world_remove_processor": (_I32, [_WORLD, _U64]),
    "arct_processor_apply": (
        _I32,
        [ctypes.POINTER(arct_processor_spec), _P_ARRAY, _P_SCHEMA, _P_ARRAY, _P_SCHEMA, _I32],
    ),
    # stepping
    "arct_world_step": (_I32, [_WORLD, ctypes.POINTER(arct_step_profile)]),
    "arct_step_begin": (_I32, [_WORLD, _NAME, _P_ARRAY, _P_SCHEMA]),
    "arct_step_commit": (_I32, [_WORLD, _NAME, _P_ARRAY, _P_SCHEMA, _P_I32]),
    "arct_step_abort": (_I32, [_WORLD, _NAME]),
    # reads
    "arct_world_query": (_I32, [_WORLD, _NAME, ctypes.POINTER(arct_query), _P_STREAM]),
    # version-1 compatibility
    "arct_record_batch_roundtrip": (_I32, [_P_ARRAY, _P_SCHEMA, _P_ARRAY, _P_SCHEMA]),
    "arct_movement_process": (
        _I32,
        [_P_ARRAY, _P_SCHEMA, _P_ARRAY, _P_SCHEMA, ctypes.c_double, _I32],
    ),
    "arct_stream_roundtrip": (_I32, [_P_STREAM, _P_STREAM]),
    "arct_debug_counters": (None, [_P_I64, _P_I64, _P_I64]),
    "arct_debug_release_caches": (None, []),
    "arct_debug_world_hold": (_I32, [_WORLD, _P_I32, _P_I32, _I32]),
}


class NativeLibrary:
    """The loaded library: one attribute per `arct_` function, plus small conveniences."""

    arct_ffi_version: Callable[[], int]
    arct_status_name: Callable[[int], bytes]
    arct_last_error_message: Callable[[], bytes | None]
    arct_clear_last_error: Callable[[], None]
    arct_world_options_init: Callable[[Any], None]
    arct_world_new: Callable[[Any, Any], int]
    arct_world_open: Callable[[Any, Any], int]
    arct_world_free: Callable[[Any], int]
    arct_world_last_error: Callable[[Any, Any, Any, int, Any], int]
    arct_world_get_info: Callable[[Any, Any], int]
    arct_world_tick: Callable[[Any, Any], int]
    arct_world_active_tables: Callable[[Any, Any, Any], int]
    arct_world_tables: Callable[[Any, Any, Any], int]
    arct_world_entities: Callable[[Any, Any, Any], int]
    arct_world_register_table: Callable[[Any, bytes | None, Any, int], int]
    arct_world_spawn: Callable[[Any, bytes | None, Any, Any, Any, int, Any], int]
    arct_world_reserve_ids: Callable[[Any, int, Any], int]
    arct_world_spawn_with_ids: Callable[[Any, bytes | None, Any, Any, Any, int], int]
    arct_world_despawn: Callable[[Any, Any, int], int]
    arct_world_update: Callable[[Any, Any, Any], int]
    arct_world_migrate: Callable[[Any, bytes | None, Any, Any, Any, Any, int], int]
    arct_world_migrate_rows: Callable[[Any, bytes | None, Any, Any, Any, Any, int], int]
    arct_world_add_processor: Callable[[Any, Any, Any], int]
    arct_world_remove_processor: Callable[[Any, int], int]
    arct_processor_apply: Callable[[Any, Any, Any, Any, Any, int], int]
    arct_world_step: Callable[[Any, Any], int]
    arct_step_begin: Callable[[Any, bytes | None, Any, Any], int]
    arct_step_commit: Callable[[Any, bytes | None, Any, Any, Any], int]
    arct_step_abort: Callable[[Any, bytes | None], int]
    arct_world_query: Callable[[Any, bytes | None, Any, Any], int]
    arct_record_batch_roundtrip: Callable[[Any, Any, Any, Any], int]
    arct_movement_process: Callable[[Any, Any, Any, Any, float, int], int]
    arct_stream_roundtrip: Callable[[Any, Any], int]
    arct_debug_counters: Callable[[Any, Any, Any], None]
    arct_debug_release_caches: Callable[[], None]
    arct_debug_world_hold: Callable[[Any, Any, Any, int], int]

    def __init__(self, path: Path, cdll: ctypes.CDLL, missing: tuple[str, ...]) -> None:
        self.path = path
        self.cdll = cdll
        self.missing = missing

    def version(self) -> int:
        return int(self.arct_ffi_version())

    def status_name(self, status: int) -> str:
        return bytes(self.arct_status_name(status)).decode("utf-8", errors="replace")

    def last_error(self) -> str | None:
        """The calling thread's last error message (read it right after the failing call)."""
        raw = self.arct_last_error_message()
        return None if raw is None else raw.decode("utf-8", errors="replace")

    def debug_counters(self) -> tuple[int, int, int]:
        """(live buffers, live exports, live imports) held by the library right now."""
        buffers, exports, imports = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()
        self.arct_debug_counters(
            ctypes.byref(buffers), ctypes.byref(exports), ctypes.byref(imports)
        )
        return buffers.value, exports.value, imports.value

    def world_last_error(self, world: int) -> tuple[int, str]:
        """The world's most recent failure as (status, message); (0, "") if it never failed.
        Messages are at most 4096 bytes (c-abi.md §5), so one call with a 4097-byte buffer
        copies all of it. Raises for a bad handle."""
        status, length = ctypes.c_int32(), ctypes.c_size_t()
        buf = ctypes.create_string_buffer(4097)
        rc = int(
            self.arct_world_last_error(
                world, ctypes.byref(status), buf, len(buf), ctypes.byref(length)
            )
        )
        if rc != 0:
            raise error_for_status(
                rc,
                function="arct_world_last_error",
                native_message=None,
                status_name_text=self.status_name(rc),
            )
        return status.value, buf.value.decode("utf-8", errors="replace")

    def check(self, status: int, function: str) -> None:
        """Raise the exception of python.md §10.2 for a non-zero status (same thread)."""
        if status != 0:
            message = self.last_error()
            raise error_for_status(
                status,
                function=function,
                native_message=message,
                status_name_text=self.status_name(status),
            )


def _missing_function(name: str) -> Callable[..., Any]:
    def call(*_args: Any) -> Any:
        raise NativeLibraryError(f"the native library does not export {name}", reason="missing")

    return call


def open_library(path: Path | str, *, require_all: bool = True) -> NativeLibrary:
    """Load the library at `path` (not memoised), declare every prototype, check the version.

    With `require_all=False` a missing function becomes a stub raising `NativeLibraryError`
    when called (for tests of a library under construction); otherwise it fails the load.
    """
    path = Path(path)
    tried = (str(path),)
    # Unless the host chose otherwise, keep the Swift crash reporter out of the interpreter's
    # fatal signals (python.md §9.2 step 2). Must happen before the Swift runtime loads.
    os.environ.setdefault("SWIFT_BACKTRACE", "enable=no")
    mismatches = struct_size_mismatches()
    if mismatches:
        raise NativeLibraryError(
            "ctypes struct sizes differ from the ABI: " + "; ".join(mismatches),
            path=tried,
            reason="struct sizes",
        )
    try:
        cdll = ctypes.CDLL(str(path))
    except OSError as exc:
        raise NativeLibraryError(
            f"cannot load the native library {path}: {exc}", path=tried, reason=str(exc)
        ) from exc
    missing: list[str] = []
    lib = NativeLibrary(path, cdll, ())
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            fn = getattr(cdll, name)
        except AttributeError:
            missing.append(name)
            setattr(lib, name, _missing_function(name))
            continue
        fn.restype = restype
        fn.argtypes = argtypes
        setattr(lib, name, fn)
    lib.missing = tuple(missing)
    if missing and require_all:
        raise NativeLibraryError(
            f"the native library {path} does not export: {', '.join(missing)}",
            path=tried,
            reason="missing symbol " + missing[0],
        )
    if "arct_ffi_version" not in missing:
        actual = lib.version()
        if actual != ABI_VERSION:
            raise NativeLibraryError(
                f"the native library {path} has ABI version {actual}, expected {ABI_VERSION}",
                path=tried,
                actual_version=actual,
                reason="ABI version mismatch",
            )
    return lib


_lock = threading.Lock()
_loaded: NativeLibrary | ArchetypeError | None = None


def load_library() -> NativeLibrary:
    """Find (python.md §1.3) and load the library once per process; the outcome, success or
    failure, is memoised. Raises `NativeLibraryError` on failure."""
    global _loaded
    with _lock:
        if _loaded is None:
            path = config.find_native_library()
            if path is None:
                tried = tuple(str(p) for p in config.candidate_paths())
                _loaded = NativeLibraryError(
                    "native library not found; tried " + ", ".join(tried),
                    path=tried,
                    reason="library not found",
                )
            else:
                try:
                    _loaded = open_library(path)
                except NativeLibraryError as exc:
                    _loaded = exc
        if isinstance(_loaded, ArchetypeError):
            raise _loaded
        return _loaded


# ---- helpers for Arrow structs -------------------------------------------------------------------


def address(struct: ctypes.Structure) -> int:
    """The address of a ctypes struct, for pyarrow's `_export_to_c` / `_import_from_c`."""
    return ctypes.addressof(struct)


def is_released(struct: ArrowSchema | ArrowArray | ArrowArrayStream) -> bool:
    """True if the struct's `release` is NULL (released or moved)."""
    return not struct.release


def release_if_needed(struct: ArrowSchema | ArrowArray | ArrowArrayStream) -> None:
    """Call the struct's `release` if it is still set (c-abi.md §4.3 item 5)."""
    if struct.release:
        struct.release(ctypes.byref(struct))


__all__ = [
    "ABI_VERSION",
    "PROTOTYPES",
    "STRUCT_SIZES",
    "ArrowArray",
    "ArrowArrayStream",
    "ArrowSchema",
    "NativeLibrary",
    "address",
    "arct_processor_spec",
    "arct_query",
    "arct_step_profile",
    "arct_table_profile",
    "arct_world_info",
    "arct_world_options",
    "is_released",
    "load_library",
    "open_library",
    "release_if_needed",
    "struct_size_mismatches",
]
