"""Helpers for testing the native library through the Arrow C Data / C Stream Interface.

Shared by the pytest modules and by `negative_cases.py`, which runs in child processes.

- :class:`ReleaseTracker` replaces the `release` callback of every node of an Arrow struct tree
  (array, schema, stream; children and dictionaries included) with a counting wrapper that
  forwards to the original producer's callback. It counts calls per node and records protocol
  violations (a release that did not mark its struct released, a call after the node was
  already released).
- :func:`clone_array` / :func:`clone_schema` copy a (pyarrow-exported) struct tree into
  hand-made ctypes structs whose release callbacks only count calls and cascade to the children
  they were built with (never reading the possibly patched struct fields), so that any field can
  be corrupted for negative tests without confusing the real producer.
"""

from __future__ import annotations

import ctypes
import gc
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Must be in the environment before the Swift runtime is loaded into this process.
os.environ.setdefault("SWIFT_BACKTRACE", "enable=no")

import pyarrow as pa

from archetype import _abi, config
from archetype._abi import ArrowArray, ArrowArrayStream, ArrowSchema, NativeLibrary

P_ARRAY = ctypes.POINTER(ArrowArray)
P_SCHEMA = ctypes.POINTER(ArrowSchema)
P_STREAM = ctypes.POINTER(ArrowArrayStream)


def load_native() -> NativeLibrary | None:
    """Load the library found by `archetype.config` (missing functions become stubs)."""
    path = config.find_native_library()
    if path is None:
        return None
    return _abi.open_library(path, require_all=False)


def fn_address(fnptr: Any) -> int | None:
    """The raw address held by a ctypes function-pointer field (None if NULL)."""
    value = ctypes.cast(fnptr, ctypes.c_void_p).value
    return int(value) if value else None


def _deref(ptr: Any, cls: Any) -> Any:
    """`ptr.contents` without the ctypes base-object chain (which fails past ~64 levels)."""
    return cls.from_address(ctypes.cast(ptr, ctypes.c_void_p).value)


def struct_bytes(struct: ctypes.Structure) -> bytes:
    return ctypes.string_at(ctypes.addressof(struct), ctypes.sizeof(struct))


def is_zeroed(struct: ctypes.Structure) -> bool:
    return struct_bytes(struct) == b"\0" * ctypes.sizeof(struct)


# ---- release tracking of real producers ----------------------------------------------------------

# Every wrapper thunk stays referenced here until its release has run and its tracker purges it:
# a struct may still point at a thunk after its tracker was garbage-collected (a failed test),
# and calling a freed ctypes callback would crash the process.
_LIVE_THUNKS: dict[int, Any] = {}


@dataclass
class ReleaseTracker:
    """Counts release calls per node of wrapped struct trees (see the module docstring)."""

    counts: dict[str, int] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    threads: dict[str, int] = field(default_factory=dict)
    _thunks: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _fired(self, key: str) -> None:
        with self._lock:
            self.counts[key] += 1
            self.threads[key] = threading.get_ident()
            if self.counts[key] > 1:
                self.violations.append(f"{key} released {self.counts[key]} times")

    def _keep(self, key: str, pair: tuple[Any, Any]) -> None:
        self._thunks[key] = pair
        _LIVE_THUNKS[id(pair[0])] = pair

    def _unique(self, key: str) -> str:
        if key not in self.counts:
            return key
        n = 1
        while f"{key}#{n}" in self.counts:
            n += 1
        return f"{key}#{n}"

    def wrap_array(self, arr: ArrowArray, key: str) -> None:
        """Wrap `arr`, its children and dictionary (recursively)."""
        if not arr.release:
            return
        key = self._unique(key)
        orig = _abi.ArrowArrayRelease(fn_address(arr.release))

        def release(ptr: Any, key: str = key, orig: Any = orig) -> None:
            self._fired(key)
            orig(ptr)
            if ptr.contents.release:
                self.violations.append(f"{key}: release did not set release to NULL")

        thunk = _abi.ArrowArrayRelease(release)
        self._keep(key, (thunk, orig))
        self.counts[key] = 0
        for i in range(arr.n_children):
            child = arr.children[i]
            if child:
                self.wrap_array(_deref(child, ArrowArray), f"{key}.{i}")
        if arr.dictionary:
            self.wrap_array(_deref(arr.dictionary, ArrowArray), f"{key}.dict")
        arr.release = thunk

    def wrap_schema(self, schema: ArrowSchema, key: str) -> None:
        if not schema.release:
            return
        key = self._unique(key)
        orig = _abi.ArrowSchemaRelease(fn_address(schema.release))

        def release(ptr: Any, key: str = key, orig: Any = orig) -> None:
            self._fired(key)
            orig(ptr)
            if ptr.contents.release:
                self.violations.append(f"{key}: release did not set release to NULL")

        thunk = _abi.ArrowSchemaRelease(release)
        self._keep(key, (thunk, orig))
        self.counts[key] = 0
        for i in range(schema.n_children):
            child = schema.children[i]
            if child:
                self.wrap_schema(_deref(child, ArrowSchema), f"{key}.{i}")
        if schema.dictionary:
            self.wrap_schema(_deref(schema.dictionary, ArrowSchema), f"{key}.dict")
        schema.release = thunk

    def wrap_stream(self, stream: ArrowArrayStream, key: str) -> None:
        if not stream.release:
            return
        key = self._unique(key)
        orig = _abi.StreamRelease(fn_address(stream.release))

        def release(ptr: Any, key: str = key, orig: Any = orig) -> None:
            self._fired(key)
            orig(ptr)
            if ptr.contents.release:
                self.violations.append(f"{key}: release did not set release to NULL")

        thunk = _abi.StreamRelease(release)
        self._keep(key, (thunk, orig))
        self.counts[key] = 0
        stream.release = thunk

    def unreleased(self, prefix: str = "") -> dict[str, int]:
        """Nodes (under `prefix`) whose count is not exactly 1."""
        return {k: v for k, v in self.counts.items() if k.startswith(prefix) and v != 1}

    def wait_all_released(self, prefix: str = "", timeout: float = 2.0) -> dict[str, int]:
        """Collect garbage and wait (briefly) until every node was released once."""
        deadline = time.monotonic() + timeout
        while True:
            gc.collect()
            bad = self.unreleased(prefix)
            if not bad or any(v > 1 for v in bad.values()) or time.monotonic() > deadline:
                return bad
            time.sleep(0.01)

    def purge_released(self) -> None:
        """Forget nodes released exactly once (keeps memory flat in long loops)."""
        with self._lock:
            done = [k for k, v in self.counts.items() if v == 1]
            for k in done:
                del self.counts[k]
                pair = self._thunks.pop(k, None)
                if pair is not None:
                    _LIVE_THUNKS.pop(id(pair[0]), None)
                self.threads.pop(k, None)


# ---- round trips ---------------------------------------------------------------------------------


@dataclass
class RoundTrip:
    status: int
    message: str | None
    batch: pa.RecordBatch | None
    in_array: ArrowArray
    in_schema: ArrowSchema
    out_array: ArrowArray
    out_schema: ArrowSchema


def export_batch(batch: pa.RecordBatch) -> tuple[ArrowArray, ArrowSchema]:
    arr, schema = ArrowArray(), ArrowSchema()
    batch._export_to_c(ctypes.addressof(arr), ctypes.addressof(schema))
    return arr, schema


def import_batch(arr: ArrowArray, schema: ArrowSchema) -> pa.RecordBatch:
    return pa.RecordBatch._import_from_c(ctypes.addressof(arr), ctypes.addressof(schema))


def roundtrip(
    lib: NativeLibrary,
    batch: pa.RecordBatch,
    tracker: ReleaseTracker | None = None,
    tag: str = "",
    *,
    import_result: bool = True,
) -> RoundTrip:
    """pyarrow export → arct_record_batch_roundtrip → pyarrow import, tracking every release."""
    in_array, in_schema = export_batch(batch)
    out_array, out_schema = ArrowArray(), ArrowSchema()
    if tracker is not None:
        tracker.wrap_array(in_array, f"{tag}in.array")
        tracker.wrap_schema(in_schema, f"{tag}in.schema")
    status = lib.arct_record_batch_roundtrip(
        ctypes.byref(in_array), ctypes.byref(in_schema),
        ctypes.byref(out_array), ctypes.byref(out_schema),
    )  # fmt: skip
    message = lib.last_error() if status != 0 else None
    result = None
    if status == 0 and import_result:
        if tracker is not None:
            tracker.wrap_array(out_array, f"{tag}out.array")
            tracker.wrap_schema(out_schema, f"{tag}out.schema")
        result = import_batch(out_array, out_schema)
    return RoundTrip(status, message, result, in_array, in_schema, out_array, out_schema)


# ---- streams -------------------------------------------------------------------------------------


@dataclass
class CountingSource:
    """A batch source for `pa.RecordBatchReader.from_batches` that records consumption."""

    batches: list[pa.RecordBatch]
    fail_at: int | None = None
    pulled: int = 0
    finished: bool = False

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        for i, b in enumerate(self.batches):
            if self.fail_at is not None and i == self.fail_at:
                raise ValueError("source failed on purpose")
            self.pulled += 1
            yield b
        self.finished = True


def export_reader(schema: pa.Schema, source: Any) -> ArrowArrayStream:
    stream = ArrowArrayStream()
    reader = pa.RecordBatchReader.from_batches(schema, source)
    reader._export_to_c(ctypes.addressof(stream))
    return stream


def import_reader(stream: ArrowArrayStream) -> pa.RecordBatchReader:
    return pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))


# ---- hand-made producers for malformed input -----------------------------------------------------


@dataclass
class _Node:
    label: str
    count: int = 0
    children: list[Any] = field(default_factory=list)
    dictionary: Any = None
    keep: list[Any] = field(default_factory=list)


_registry: dict[int, _Node] = {}
_next_id = [1]
_registry_lock = threading.Lock()


def _register(node: _Node) -> int:
    with _registry_lock:
        ident = _next_id[0]
        _next_id[0] += 1
        _registry[ident] = node
    return ident


def _own_array_release(ptr: Any) -> None:
    node = _registry.get(ptr.contents.private_data or 0)
    if node is None:  # not ours: nothing we can do but mark it
        ptr.contents.release = _abi.ArrowArrayRelease()
        return
    node.count += 1
    for child in node.children:
        if child.release:
            child.release(ctypes.byref(child))
    if node.dictionary is not None and node.dictionary.release:
        node.dictionary.release(ctypes.byref(node.dictionary))
    ptr.contents.release = _abi.ArrowArrayRelease()


def _own_schema_release(ptr: Any) -> None:
    node = _registry.get(ptr.contents.private_data or 0)
    if node is None:
        ptr.contents.release = _abi.ArrowSchemaRelease()
        return
    node.count += 1
    for child in node.children:
        if child.release:
            child.release(ctypes.byref(child))
    if node.dictionary is not None and node.dictionary.release:
        node.dictionary.release(ctypes.byref(node.dictionary))
    ptr.contents.release = _abi.ArrowSchemaRelease()


OWN_ARRAY_RELEASE = _abi.ArrowArrayRelease(_own_array_release)
OWN_SCHEMA_RELEASE = _abi.ArrowSchemaRelease(_own_schema_release)


@dataclass
class Owned:
    """A hand-made struct tree: `struct` is the top; `nodes` every node by path label."""

    struct: Any
    nodes: dict[str, _Node]
    structs: dict[str, Any]
    source: Any = None  # keeps the pyarrow export (whose buffers we point at) alive

    def counts(self) -> dict[str, int]:
        return {k: n.count for k, n in self.nodes.items()}

    def at(self, path: str) -> Any:
        """The struct at a path label such as '' (top), '0', '0.1', '0.dict'."""
        return self.structs[path]

    def set_buffer(self, path: str, index: int, data: bytes | None) -> None:
        """Point buffer `index` of the node at `path` to a fresh copy of `data` (or NULL)."""
        s = self.structs[path]
        node = self.nodes[path]
        if data is None:
            s.buffers[index] = None
            return
        buf = ctypes.create_string_buffer(data, max(len(data), 1) + 64)
        node.keep.append(buf)
        s.buffers[index] = ctypes.addressof(buf)

    def set_n_buffers(self, path: str, n: int) -> None:
        """Set n_buffers, growing the buffers array (with NULLs) if needed."""
        s = self.structs[path]
        if n > s.n_buffers:
            arr = (ctypes.c_void_p * n)()
            for i in range(s.n_buffers):
                arr[i] = s.buffers[i]
            self.nodes[path].keep.append(arr)
            s.buffers = ctypes.cast(arr, ctypes.POINTER(ctypes.c_void_p))
        s.n_buffers = n

    def release_source(self) -> None:
        if self.source is not None:
            for s in self.source:
                _abi.release_if_needed(s)
            self.source = None


def _child_path(parent: str, i: int | str) -> str:
    return str(i) if parent == "" else f"{parent}.{i}"


def clone_array(src: ArrowArray, source: Any = None) -> Owned:
    nodes: dict[str, _Node] = {}
    structs: dict[str, Any] = {}

    def build(s: ArrowArray, path: str) -> ArrowArray:
        node = _Node(path)
        dst = ArrowArray()
        dst.length, dst.null_count, dst.offset = s.length, s.null_count, s.offset
        dst.n_buffers, dst.n_children = s.n_buffers, s.n_children
        bufs = (ctypes.c_void_p * max(s.n_buffers, 1))()
        for i in range(s.n_buffers):
            bufs[i] = s.buffers[i]
        node.keep.append(bufs)
        dst.buffers = ctypes.cast(bufs, ctypes.POINTER(ctypes.c_void_p))
        kids = [
            build(_deref(s.children[i], ArrowArray), _child_path(path, i))
            for i in range(s.n_children)
        ]
        ptrs = (P_ARRAY * max(len(kids), 1))(*[ctypes.pointer(k) for k in kids])
        node.keep.append(ptrs)
        dst.children = ctypes.cast(ptrs, ctypes.POINTER(P_ARRAY))
        node.children = kids
        if s.dictionary:
            d = build(_deref(s.dictionary, type(s)), _child_path(path, "dict"))
            node.dictionary = d
            dst.dictionary = ctypes.pointer(d)
        dst.private_data = _register(node)
        dst.release = OWN_ARRAY_RELEASE
        nodes[path] = node
        structs[path] = dst
        return dst

    top = build(src, "")
    return Owned(top, nodes, structs, source)


def clone_schema(src: ArrowSchema, source: Any = None) -> Owned:
    nodes: dict[str, _Node] = {}
    structs: dict[str, Any] = {}

    def build(s: ArrowSchema, path: str) -> ArrowSchema:
        node = _Node(path)
        dst = ArrowSchema()
        dst.format = s.format
        dst.name = s.name
        dst.metadata = s.metadata  # points into the source export, kept alive by `source`
        dst.flags, dst.n_children = s.flags, s.n_children
        kids = [
            build(_deref(s.children[i], ArrowSchema), _child_path(path, i))
            for i in range(s.n_children)
        ]
        ptrs = (P_SCHEMA * max(len(kids), 1))(*[ctypes.pointer(k) for k in kids])
        node.keep.append(ptrs)
        dst.children = ctypes.cast(ptrs, ctypes.POINTER(P_SCHEMA))
        node.children = kids
        if s.dictionary:
            d = build(_deref(s.dictionary, type(s)), _child_path(path, "dict"))
            node.dictionary = d
            dst.dictionary = ctypes.pointer(d)
        dst.private_data = _register(node)
        dst.release = OWN_SCHEMA_RELEASE
        nodes[path] = node
        structs[path] = dst
        return dst

    top = build(src, "")
    return Owned(top, nodes, structs, source)


def set_format(owned: Owned, path: str, fmt: bytes | None) -> None:
    """Set the format string of a hand-made schema node (the bytes are kept alive)."""
    s = owned.structs[path]
    if fmt is None:
        s.format = None
        return
    buf = ctypes.create_string_buffer(fmt)
    owned.nodes[path].keep.append(buf)
    s.format = ctypes.cast(buf, ctypes.c_char_p)


def set_name(owned: Owned, path: str, name: bytes | None) -> None:
    s = owned.structs[path]
    if name is None:
        s.name = None
        return
    buf = ctypes.create_string_buffer(name)
    owned.nodes[path].keep.append(buf)
    s.name = ctypes.cast(buf, ctypes.c_char_p)


def set_metadata(owned: Owned, path: str, raw: bytes | None) -> None:
    s = owned.structs[path]
    if raw is None:
        s.metadata = None
        return
    buf = ctypes.create_string_buffer(raw, len(raw) + 8)
    owned.nodes[path].keep.append(buf)
    s.metadata = ctypes.addressof(buf)


def hand_made_batch(obj: pa.RecordBatch | pa.Array) -> tuple[Owned, Owned]:
    """Export `obj` with pyarrow and clone both structs into hand-made trees (patchable)."""
    arr, schema = ArrowArray(), ArrowSchema()
    obj._export_to_c(ctypes.addressof(arr), ctypes.addressof(schema))
    source = [arr, schema]
    owned_array = clone_array(arr, source)
    owned_schema = clone_schema(schema, None)
    # The schema's strings live in the pyarrow export too: keep it with the array's source.
    owned_schema.source = None
    return owned_array, owned_schema


def library_file() -> Path | None:
    return config.find_native_library()


# ---- child processes -----------------------------------------------------------------------------

TESTS_DIR = Path(__file__).resolve().parent


def child_env() -> dict[str, str]:
    """The environment of a child process: SWIFT_BACKTRACE off, this directory importable."""
    env = dict(os.environ)
    env["SWIFT_BACKTRACE"] = "enable=no"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS_DIR), env.get("PYTHONPATH", "")) if p)
    return env


def run_python(code: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter. The code should end with `finish()` (below), which
    flushes and leaves with `os._exit(0)` (pyarrow may abort at interpreter exit, TIPS.md)."""
    prelude = "import os, sys\nfrom cdata_helpers import finish\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
        cwd=str(TESTS_DIR),
        check=False,
    )


def finish(code: int = 0) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def describe_exit(proc: subprocess.CompletedProcess[str]) -> str:
    rc = proc.returncode
    what = f"killed by signal {-rc}" if rc < 0 else f"exit code {rc}"
    return f"{what}\n--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"
