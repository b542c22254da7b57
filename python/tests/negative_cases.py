"""Negative cases of the C ABI (c-abi.md §11: N1, N2, N21–N29, N33 and the schema checks of
§4.5 for the version-1 functions; every case of §11 for the world functions, defined in
`world_negative_cases.py` and registered here), run in a child process per group.

    python negative_cases.py GROUP

prints one `START <case>` line before and one `RESULT <json>` line after each case of the group,
then exits with `os._exit(0)`. A Swift trap kills the child with a signal: the parent
(`test_negative.py`) asserts the exit code and names the case that was running.

Every case builds its malformed input by hand (`cdata_helpers.clone_array` / `clone_schema`),
so its release callbacks only count calls; the result carries the status, the calling thread's
last error message read immediately after the call, and a list of violated ownership rules:
input moved (release NULL afterwards), each producer node released exactly once, outputs left
exactly as they were.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("SWIFT_BACKTRACE", "enable=no")

import pyarrow as pa

from archetype import _abi
from archetype._abi import ArrowArray, ArrowArrayStream, ArrowSchema, NativeLibrary

import cdata_helpers as h
import world_negative_cases as wnc

RT = "arct_record_batch_roundtrip"
MV = "arct_movement_process"
ST = "arct_stream_roundtrip"


@dataclass
class Case:
    name: str
    group: str
    expected: int
    function: str
    run: Callable[[NativeLibrary], dict[str, Any]]
    exact_message: str | None = None
    diagnostic: bool = False  # leaves the thread's last error alone (c-abi.md §5 item 1)


CASES: dict[str, Case] = {}


def case(
    name: str,
    group: str,
    expected: int,
    function: str = RT,
    exact: str | None = None,
    diagnostic: bool = False,
) -> Callable[[Callable[[NativeLibrary], dict[str, Any]]], Callable[..., Any]]:
    def register(fn: Callable[[NativeLibrary], dict[str, Any]]) -> Callable[..., Any]:
        assert name not in CASES, name
        CASES[name] = Case(name, group, expected, function, fn, exact, diagnostic)
        return fn

    return register


def groups() -> list[str]:
    return sorted({c.group for c in CASES.values()})


# ---- fixtures ------------------------------------------------------------------------------------


def base_batch() -> pa.RecordBatch:
    """Columns: 0 `f` float64 (one null), 1 `i` int32, 2 `s` utf8 (one null)."""
    return pa.record_batch(
        {
            "f": pa.array([1.0, 2.0, None, 4.0], pa.float64()),
            "i": pa.array([1, 2, 3, 4], pa.int32()),
            "s": pa.array(["a", "bc", None, "def"], pa.string()),
        }
    )


def movement_batch(**overrides: pa.Array | None) -> pa.RecordBatch:
    cols: dict[str, pa.Array] = {
        "position__x": pa.array([0.0, 1.0], pa.float64()),
        "position__y": pa.array([0.0, 0.0], pa.float64()),
        "velocity__dx": pa.array([1.0, 1.0], pa.float64()),
        "velocity__dy": pa.array([-0.5, -0.5], pa.float64()),
    }
    for k, v in overrides.items():
        if v is None:
            del cols[k]
        else:
            cols[k] = v
    return pa.record_batch(cols)


def _wait_counts(nodes: list[h.Owned], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(c >= 1 for o in nodes for c in o.counts().values()):
            return
        gc.collect()
        time.sleep(0.01)


def _call(
    lib: NativeLibrary,
    function: str,
    in_array: h.Owned | None,
    in_schema: h.Owned | None,
    *,
    out_array: ArrowArray | None = None,
    out_schema: ArrowSchema | None = None,
    pass_out_array: bool = True,
    pass_out_schema: bool = True,
    pass_in_array: bool = True,
    pass_in_schema: bool = True,
    expect_moved: bool | None = None,
    pre_released: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Call `function` on hand-made inputs and check the ownership rules (c-abi.md §4.3, §4.4)."""
    out_array = out_array if out_array is not None else ArrowArray()
    out_schema = out_schema if out_schema is not None else ArrowSchema()
    out_before = (h.struct_bytes(out_array), h.struct_bytes(out_schema))
    args: list[Any] = [
        ctypes.byref(in_array.struct) if (in_array is not None and pass_in_array) else None,
        ctypes.byref(in_schema.struct) if (in_schema is not None and pass_in_schema) else None,
        ctypes.byref(out_array) if pass_out_array else None,
        ctypes.byref(out_schema) if pass_out_schema else None,
    ]
    if function == MV:
        args += [1.0, 0]
    status = int(getattr(lib, function)(*args))
    message = lib.last_error() if status != 0 else None
    checks: list[str] = []
    inputs = [("array", in_array, pass_in_array), ("schema", in_schema, pass_in_schema)]
    if expect_moved is None:
        expect_moved = all(o is not None and passed for _, o, passed in inputs)
    for label, owned, passed in inputs:
        if owned is None or not passed or label in pre_released:
            continue
        moved = not owned.struct.release
        if expect_moved and not moved:
            checks.append(f"input {label} not moved (release still set after the call)")
        if not expect_moved and moved:
            checks.append(f"input {label} moved although the pair was half NULL")
    if status != 0:
        if (h.struct_bytes(out_array), h.struct_bytes(out_schema)) != out_before:
            checks.append("an output shell was written on failure")
    else:
        # Unexpected success: release the outputs so the process stays clean.
        _abi.release_if_needed(out_array)
        _abi.release_if_needed(out_schema)
    # c-abi.md §4.3 item 5: the caller releases what is still non-NULL; then every node of
    # every input was released exactly once (none, for an input that came in released).
    live = [(label, o) for label, o, _ in inputs if o is not None and label not in pre_released]
    for _, o in live:
        _abi.release_if_needed(o.struct)
    _wait_counts([o for _, o in live])
    for label, o, _ in inputs:
        if o is None:
            continue
        want = 0 if label in pre_released else 1
        for path, count in o.counts().items():
            if count != want:
                checks.append(
                    f"input {label} node '{path or 'top'}' released {count} times, expected {want}"
                )
        o.release_source()
    return {"status": status, "message": message, "checks": checks}


def _rt(
    lib: NativeLibrary, batch: Any, patch: Callable[[h.Owned, h.Owned], None]
) -> dict[str, Any]:
    arr, schema = h.hand_made_batch(batch)
    patch(arr, schema)
    return _call(lib, RT, arr, schema)


def _mv(
    lib: NativeLibrary, batch: Any, patch: Callable[[h.Owned, h.Owned], None] | None = None
) -> dict[str, Any]:
    arr, schema = h.hand_made_batch(batch)
    if patch is not None:
        patch(arr, schema)
    return _call(lib, MV, arr, schema)


def _noop(_a: h.Owned, _s: h.Owned) -> None:
    return None


# ---- N1: NULL pointers ---------------------------------------------------------------------------

for _fn, _tag in ((RT, "rt"), (MV, "mv")):

    def _make_null_case(fn: str, which: str) -> Callable[[NativeLibrary], dict[str, Any]]:
        def run(lib: NativeLibrary) -> dict[str, Any]:
            batch = movement_batch() if fn == MV else base_batch()
            arr, schema = h.hand_made_batch(batch)
            kwargs: dict[str, Any] = {
                "pass_in_array": which not in ("in_array", "all"),
                "pass_in_schema": which not in ("in_schema", "all"),
                "pass_out_array": which not in ("out_array", "all"),
                "pass_out_schema": which not in ("out_schema", "all"),
            }
            return _call(lib, fn, arr, schema, **kwargs)

        return run

    for _which in ("in_array", "in_schema", "out_array", "out_schema", "all"):
        case(f"{_tag}.null.{_which}", "null_pointers", 3, _fn)(_make_null_case(_fn, _which))


def _stream_call(
    lib: NativeLibrary,
    in_stream: ArrowArrayStream | None,
    out_stream: ArrowArrayStream | None,
    tracker: h.ReleaseTracker,
    *,
    expect_moved: bool = True,
) -> dict[str, Any]:
    out_before = h.struct_bytes(out_stream) if out_stream is not None else None
    status = int(
        lib.arct_stream_roundtrip(
            ctypes.byref(in_stream) if in_stream is not None else None,
            ctypes.byref(out_stream) if out_stream is not None else None,
        )
    )
    message = lib.last_error() if status != 0 else None
    checks: list[str] = []
    if in_stream is not None:
        if expect_moved and in_stream.release:
            checks.append("input stream not moved (release still set after the call)")
        _abi.release_if_needed(in_stream)
    if out_stream is not None and status != 0 and h.struct_bytes(out_stream) != out_before:
        checks.append("the output stream shell was written on failure")
    if status == 0 and out_stream is not None:
        _abi.release_if_needed(out_stream)
    bad = tracker.wait_all_released()
    checks += [f"input stream node {k} released {v} times, expected 1" for k, v in bad.items()]
    checks += tracker.violations
    return {"status": status, "message": message, "checks": checks}


def _tracked_reader(
    batches: list[pa.RecordBatch] | None = None, fail_at: int | None = None
) -> tuple[ArrowArrayStream, h.ReleaseTracker, h.CountingSource]:
    batches = batches if batches is not None else [base_batch(), base_batch()]
    source = h.CountingSource(batches, fail_at=fail_at)
    stream = h.export_reader(batches[0].schema, source)
    tracker = h.ReleaseTracker()
    tracker.wrap_stream(stream, "in.stream")
    return stream, tracker, source


@case("stream.null.in", "null_pointers", 3, ST)
def _stream_null_in(lib: NativeLibrary) -> dict[str, Any]:
    return _stream_call(lib, None, ArrowArrayStream(), h.ReleaseTracker())


@case("stream.null.out", "null_pointers", 3, ST)
def _stream_null_out(lib: NativeLibrary) -> dict[str, Any]:
    stream, tracker, _ = _tracked_reader()
    return _stream_call(lib, stream, None, tracker)


@case("stream.null.both", "null_pointers", 3, ST)
def _stream_null_both(lib: NativeLibrary) -> dict[str, Any]:
    return _stream_call(lib, None, None, h.ReleaseTracker())


@case("diag.null.options_init_and_counters", "null_pointers", 0, "arct_world_options_init")
def _diag_nulls(lib: NativeLibrary) -> dict[str, Any]:
    lib.arct_world_options_init(None)  # NULL is ignored
    lib.arct_debug_counters(None, None, None)  # any pointer may be NULL
    one = ctypes.c_int64(-7)
    lib.arct_debug_counters(None, ctypes.byref(one), None)
    checks = [] if one.value >= 0 else [f"live exports counter {one.value} < 0"]
    return {"status": 0, "message": None, "checks": checks}


# ---- N2: outputs not empty -----------------------------------------------------------------------

_SENTINEL_CALLS = {"array": 0, "schema": 0, "stream": 0}


def _sentinel_array(_p: Any) -> None:
    _SENTINEL_CALLS["array"] += 1


def _sentinel_schema(_p: Any) -> None:
    _SENTINEL_CALLS["schema"] += 1


def _sentinel_stream(_p: Any) -> None:
    _SENTINEL_CALLS["stream"] += 1


SENTINEL_ARRAY = _abi.ArrowArrayRelease(_sentinel_array)
SENTINEL_SCHEMA = _abi.ArrowSchemaRelease(_sentinel_schema)
SENTINEL_STREAM = _abi.StreamRelease(_sentinel_stream)


def _full_array() -> ArrowArray:
    a = ArrowArray()
    a.length, a.null_count, a.offset = 11, 22, 33
    a.private_data = 0xDEAD
    a.release = SENTINEL_ARRAY
    return a


def _full_schema() -> ArrowSchema:
    s = ArrowSchema()
    s.flags, s.n_children = 5, 0
    s.private_data = 0xBEEF
    s.release = SENTINEL_SCHEMA
    return s


def _not_empty(lib: NativeLibrary, fn: str, which: str) -> dict[str, Any]:
    batch = movement_batch() if fn == MV else base_batch()
    arr, schema = h.hand_made_batch(batch)
    out_array = _full_array() if which in ("array", "both") else ArrowArray()
    out_schema = _full_schema() if which in ("schema", "both") else ArrowSchema()
    before = dict(_SENTINEL_CALLS)
    result = _call(lib, fn, arr, schema, out_array=out_array, out_schema=out_schema)
    if before != _SENTINEL_CALLS:
        result["checks"].append("the library called the release of a non-empty output shell")
    return result


for _fn, _tag in ((RT, "rt"), (MV, "mv")):
    for _which in ("array", "schema", "both"):

        def _make(fn: str = _fn, which: str = _which) -> Callable[[NativeLibrary], dict[str, Any]]:
            return lambda lib: _not_empty(lib, fn, which)

        case(f"{_tag}.out_not_empty.{_which}", "outputs_not_empty", 4, _fn)(_make())


@case("stream.out_not_empty", "outputs_not_empty", 4, ST)
def _stream_out_not_empty(lib: NativeLibrary) -> dict[str, Any]:
    stream, tracker, _ = _tracked_reader()
    out = ArrowArrayStream()
    out.private_data = 0xCAFE
    out.release = SENTINEL_STREAM
    before = dict(_SENTINEL_CALLS)
    result = _stream_call(lib, stream, out, tracker)
    if before != _SENTINEL_CALLS:
        result["checks"].append("the library called the release of the non-empty output stream")
    return result


# ---- N28: already released input -----------------------------------------------------------------


def _released(lib: NativeLibrary, fn: str, which: str) -> dict[str, Any]:
    batch = movement_batch() if fn == MV else base_batch()
    arr, schema = h.hand_made_batch(batch)
    pre: list[str] = []
    if which in ("array", "both"):
        arr.struct.release = _abi.ArrowArrayRelease()
        pre.append("array")
    if which in ("schema", "both"):
        schema.struct.release = _abi.ArrowSchemaRelease()
        pre.append("schema")
    # Whether the still-valid half is moved is not asserted (c-abi.md §4.3 items 1 and 4); it
    # must end up released exactly once either way (by the library or by us, item 5).
    result = _call(lib, fn, arr, schema, pre_released=tuple(pre), expect_moved=None)
    result["checks"] = [c for c in result["checks"] if "not moved" not in c]
    return result


for _fn, _tag in ((RT, "rt"), (MV, "mv")):
    for _which in ("array", "schema", "both"):

        def _make_rel(
            fn: str = _fn, which: str = _which
        ) -> Callable[[NativeLibrary], dict[str, Any]]:
            return lambda lib: _released(lib, fn, which)

        case(f"{_tag}.released.{_which}", "released", 1, _fn)(_make_rel())


@case("stream.released", "released", 1, ST)
def _stream_released(lib: NativeLibrary) -> dict[str, Any]:
    return _stream_call(
        lib, ArrowArrayStream(), ArrowArrayStream(), h.ReleaseTracker(), expect_moved=False
    )


# ---- N21, N25: buffers ---------------------------------------------------------------------------


def _patch_case(
    name: str,
    group: str,
    patch: Callable[[h.Owned, h.Owned], None],
    batch: Callable[[], Any] = base_batch,
    expected: int = 1,
) -> None:
    case(name, group, expected)(lambda lib: _rt(lib, batch(), patch))


_patch_case("rt.n_buffers.int32_with_1", "buffers", lambda a, s: a.set_n_buffers("1", 1))
_patch_case("rt.n_buffers.utf8_with_2", "buffers", lambda a, s: a.set_n_buffers("2", 2))
_patch_case("rt.n_buffers.float64_with_3", "buffers", lambda a, s: a.set_n_buffers("0", 3))
_patch_case("rt.n_buffers.struct_with_0", "buffers", lambda a, s: a.set_n_buffers("", 0))
_patch_case("rt.n_buffers.struct_with_2", "buffers", lambda a, s: a.set_n_buffers("", 2))
_patch_case("rt.buffers.float64_data_null", "buffers", lambda a, s: a.set_buffer("0", 1, None))
_patch_case("rt.buffers.int32_data_null", "buffers", lambda a, s: a.set_buffer("1", 1, None))
_patch_case("rt.buffers.utf8_offsets_null", "buffers", lambda a, s: a.set_buffer("2", 1, None))


def _null_buffers_array(a: h.Owned, _s: h.Owned) -> None:
    a.at("0").buffers = ctypes.cast(None, ctypes.POINTER(ctypes.c_void_p))


_patch_case("rt.buffers.buffers_array_null", "buffers", _null_buffers_array)


def _validity_null_with_nulls(a: h.Owned, _s: h.Owned) -> None:
    a.set_buffer("0", 0, None)  # null_count stays 1


_patch_case("rt.buffers.validity_null_with_null_count_1", "buffers", _validity_null_with_nulls)


def _short_child(a: h.Owned, _s: h.Owned) -> None:
    a.at("0").length = 3  # parent length 4


_patch_case("rt.children.child_shorter_than_parent", "buffers", _short_child)


def _short_child_sliced(a: h.Owned, _s: h.Owned) -> None:
    top = a.at("")
    top.offset, top.length = 1, 4  # children have length 4 < offset + length = 5
    top.null_count = 0


_patch_case(
    "rt.children.child_shorter_than_parent_offset_plus_length", "buffers", _short_child_sliced
)


def _null_child_pointer(a: h.Owned, _s: h.Owned) -> None:
    a.at("").children[1] = None


_patch_case("rt.children.null_child_pointer", "buffers", _null_child_pointer)


def _null_child_schema_pointer(_a: h.Owned, s: h.Owned) -> None:
    s.at("").children[1] = None


_patch_case("rt.children.null_child_schema_pointer", "buffers", _null_child_schema_pointer)


def _null_children_array(a: h.Owned, _s: h.Owned) -> None:
    a.at("").children = ctypes.cast(None, ctypes.POINTER(h.P_ARRAY))


_patch_case("rt.children.null_children_array", "buffers", _null_children_array)


# ---- N22: lengths, offsets, null counts ----------------------------------------------------------

INT64_MAX = 2**63 - 1


def _set(path: str, **fields: int) -> Callable[[h.Owned, h.Owned], None]:
    def patch(a: h.Owned, _s: h.Owned) -> None:
        for k, v in fields.items():
            setattr(a.at(path), k, v)

    return patch


_patch_case("rt.length.negative_top", "lengths", _set("", length=-1))
_patch_case("rt.length.negative_child", "lengths", _set("0", length=-1))
_patch_case("rt.offset.negative_top", "lengths", _set("", offset=-1))
_patch_case("rt.offset.negative_child", "lengths", _set("1", offset=-1))
_patch_case("rt.offset.overflow_child", "lengths", _set("0", offset=INT64_MAX - 1))
_patch_case("rt.offset.overflow_top", "lengths", _set("", offset=INT64_MAX - 1))
_patch_case("rt.length.overflow_child", "lengths", _set("1", length=INT64_MAX, offset=2))
_patch_case("rt.null_count.greater_than_length", "lengths", _set("0", null_count=5))
_patch_case("rt.null_count.less_than_minus_1", "lengths", _set("0", null_count=-2))
_patch_case("rt.null_count.top_less_than_minus_1", "lengths", _set("", null_count=-5))
_patch_case("rt.length.top_above_int32_max", "lengths", _set("", length=2**31))


# ---- N23 and §4.5 S1–S5: schemas -----------------------------------------------------------------

for _label, _fmt in (
    ("empty", b""),
    ("zz", b"zz"),
    ("w_colon", b"w:"),
    ("w_abc", b"w:abc"),
    ("tsx", b"tsx:"),
    ("fixed_list_without_child", b"+w:3"),
    ("list_with_0_children", b"+l"),
    ("trailing_garbage", b"gg"),
    ("decimal_without_scale", b"d:38"),
    ("unknown_letter", b"Q"),
    ("timestamp_tz_invalid_utf8", b"tsu:\xff"),
    ("format_invalid_utf8", b"\xc3"),
):

    def _make_fmt(fmt: bytes = _fmt) -> Callable[[h.Owned, h.Owned], None]:
        return lambda _a, s: h.set_format(s, "0", fmt)

    _patch_case(f"rt.format.{_label}", "formats", _make_fmt())

_patch_case("rt.format.null", "formats", lambda _a, s: h.set_format(s, "0", None))
_patch_case("rt.format.top_level_null", "formats", lambda _a, s: h.set_format(s, "", None))
_patch_case("rt.name.null_struct_child", "formats", lambda _a, s: h.set_name(s, "1", None))
_patch_case("rt.name.invalid_utf8", "formats", lambda _a, s: h.set_name(s, "1", b"x\xffy"))
_patch_case("rt.name.empty_top_level_column", "formats", lambda _a, s: h.set_name(s, "1", b""))
_patch_case(
    "rt.metadata.negative_pair_count",
    "formats",
    lambda _a, s: h.set_metadata(s, "0", (-1).to_bytes(4, "little", signed=True)),
)
_patch_case(
    "rt.metadata.negative_key_length",
    "formats",
    lambda _a, s: h.set_metadata(
        s, "0", (1).to_bytes(4, "little") + (-3).to_bytes(4, "little", signed=True) + b"abc"
    ),
)


def _schema_fewer_children(_a: h.Owned, s: h.Owned) -> None:
    s.at("").n_children = 2  # the array has 3


_patch_case("rt.n_children.schema_fewer_than_array", "formats", _schema_fewer_children)
_patch_case("rt.n_children.array_fewer_than_schema", "formats", _set("", n_children=2))
_patch_case("rt.n_children.array_negative", "formats", _set("", n_children=-1))


def _list_batch() -> pa.RecordBatch:
    return pa.record_batch({"l": pa.array([[1, 2], [3], [4, 5, 6]], pa.list_(pa.int64()))})


def _list_schema_two_children(_a: h.Owned, s: h.Owned) -> None:
    lst = s.at("0")
    child = ctypes.pointer(s.at("0.0"))
    ptrs = (h.P_SCHEMA * 2)(child, child)
    s.nodes["0"].keep.append(ptrs)
    lst.children = ctypes.cast(ptrs, ctypes.POINTER(h.P_SCHEMA))
    lst.n_children = 2


_patch_case("rt.n_children.list_schema_with_2", "formats", _list_schema_two_children, _list_batch)
_patch_case("rt.n_children.list_array_with_0", "formats", _set("0", n_children=0), _list_batch)


def _dict_batch() -> pa.RecordBatch:
    return pa.record_batch({"d": pa.array(["a", "b", "a"]).dictionary_encode()})


def _dictionary_missing_array(a: h.Owned, _s: h.Owned) -> None:
    a.at("0").dictionary = None  # the schema says dictionary-encoded


_patch_case(
    "rt.dictionary.array_without_dictionary", "formats", _dictionary_missing_array, _dict_batch
)


def _dictionary_float_index(_a: h.Owned, s: h.Owned) -> None:
    h.set_format(s, "0", b"g")  # a dictionary's index type must be an integer


_patch_case("rt.dictionary.float_index", "formats", _dictionary_float_index, _dict_batch)


# ---- N24: offsets --------------------------------------------------------------------------------


def _i32(*values: int) -> bytes:
    return b"".join(v.to_bytes(4, "little", signed=True) for v in values)


def _i64(*values: int) -> bytes:
    return b"".join(v.to_bytes(8, "little", signed=True) for v in values)


# base column `s`: ["a", "bc", None, "def"] → offsets [0, 1, 3, 3, 6], data "abcdef"
_patch_case(
    "rt.offsets.utf8_decreasing", "offsets", lambda a, _s: a.set_buffer("2", 1, _i32(0, 3, 1, 3, 6))
)
_patch_case(
    "rt.offsets.utf8_negative_first",
    "offsets",
    lambda a, _s: a.set_buffer("2", 1, _i32(-1, 1, 3, 3, 6)),
)


def _binary_batch() -> pa.RecordBatch:
    return pa.record_batch(
        {
            "b": pa.array([b"a", b"bc", b"def"], pa.binary()),
            "L": pa.array(["a", "bc", "def"], pa.large_string()),
        }
    )


_patch_case(
    "rt.offsets.binary_decreasing",
    "offsets",
    lambda a, _s: a.set_buffer("0", 1, _i32(0, 3, 2, 6)),
    _binary_batch,
)
_patch_case(
    "rt.offsets.large_utf8_decreasing",
    "offsets",
    lambda a, _s: a.set_buffer("1", 1, _i64(0, 3, 2, 6)),
    _binary_batch,
)
_patch_case(
    "rt.offsets.large_utf8_negative_first",
    "offsets",
    lambda a, _s: a.set_buffer("1", 1, _i64(-2, 1, 3, 6)),
    _binary_batch,
)
# list column: [[1, 2], [3], [4, 5, 6]] → offsets [0, 2, 3, 6], child length 6
_patch_case(
    "rt.offsets.list_last_past_child",
    "offsets",
    lambda a, _s: a.set_buffer("0", 1, _i32(0, 2, 3, 7)),
    _list_batch,
)
_patch_case(
    "rt.offsets.list_decreasing",
    "offsets",
    lambda a, _s: a.set_buffer("0", 1, _i32(0, 2, 1, 6)),
    _list_batch,
)
_patch_case(
    "rt.offsets.list_negative_first",
    "offsets",
    lambda a, _s: a.set_buffer("0", 1, _i32(-1, 2, 3, 6)),
    _list_batch,
)


# ---- N26, N27: top level -------------------------------------------------------------------------


@case("rt.toplevel.float64_array", "toplevel", 1)
def _toplevel_float64(lib: NativeLibrary) -> dict[str, Any]:
    arr, schema = h.hand_made_batch(pa.array([1.0, 2.0, 3.0], pa.float64()))
    return _call(lib, RT, arr, schema)


@case("rt.toplevel.list_array", "toplevel", 1)
def _toplevel_list(lib: NativeLibrary) -> dict[str, Any]:
    arr, schema = h.hand_made_batch(pa.array([[1.0], [2.0, 3.0]], pa.list_(pa.float64())))
    return _call(lib, RT, arr, schema)


@case("mv.toplevel.float64_array", "toplevel", 1, MV)
def _mv_toplevel_float64(lib: NativeLibrary) -> dict[str, Any]:
    arr, schema = h.hand_made_batch(pa.array([1.0, 2.0, 3.0], pa.float64()))
    return _call(lib, MV, arr, schema)


def _struct_with_nulls() -> pa.StructArray:
    return pa.StructArray.from_arrays(
        [pa.array([1.0, 2.0, 3.0]), pa.array([1, 2, 3], pa.int32())],
        names=["f", "i"],
        mask=pa.array([False, True, False]),
    )


@case("rt.toplevel.struct_with_null_bitmap_and_count_1", "toplevel", 1)
def _toplevel_struct_nulls(lib: NativeLibrary) -> dict[str, Any]:
    arr, schema = h.hand_made_batch(_struct_with_nulls())
    assert arr.struct.null_count == 1 and arr.struct.buffers[0]
    return _call(lib, RT, arr, schema)


@case("rt.toplevel.struct_with_null_bitmap_and_count_unknown", "toplevel", 1)
def _toplevel_struct_nulls_unknown(lib: NativeLibrary) -> dict[str, Any]:
    arr, schema = h.hand_made_batch(_struct_with_nulls())
    arr.struct.null_count = -1
    return _call(lib, RT, arr, schema)


@case("rt.toplevel.struct_null_count_1_without_bitmap", "toplevel", 1)
def _toplevel_count_without_bitmap(lib: NativeLibrary) -> dict[str, Any]:
    arr, schema = h.hand_made_batch(base_batch())
    arr.struct.null_count = 1
    return _call(lib, RT, arr, schema)


@case("rt.toplevel.sliced_struct_with_null_in_range", "toplevel", 1)
def _toplevel_sliced_nulls(lib: NativeLibrary) -> dict[str, Any]:
    # The null is at index 1; the slice [1, 3) keeps it visible.
    arr, schema = h.hand_made_batch(_struct_with_nulls().slice(1, 2))
    return _call(lib, RT, arr, schema)


# ---- N29 and A11: content ------------------------------------------------------------------------


def _utf8_batch(raw: bytes, large: bool = False) -> pa.RecordBatch:
    typ = pa.large_string() if large else pa.string()
    offsets = (_i64 if large else _i32)(0, 2, 2 + len(raw), 4 + len(raw))
    data = b"ok" + raw + b"ok"
    col = pa.Array.from_buffers(typ, 3, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return pa.record_batch({"s": col})


for _label, _raw in (
    ("ff", b"\xff"),
    ("truncated_multibyte", b"\xe2\x82"),
    ("overlong", b"\xc0\xaf"),
    ("surrogate", b"\xed\xa0\x80"),
    ("above_max", b"\xf4\x90\x80\x80"),
):
    case(f"rt.utf8.invalid_{_label}", "content", 1)(
        lambda lib, raw=_raw: _rt(lib, _utf8_batch(raw), _noop)
    )

case("rt.utf8.invalid_large_utf8", "content", 1)(
    lambda lib: _rt(lib, _utf8_batch(b"\xff", large=True), _noop)
)


def nested_struct_batch(levels: int) -> pa.RecordBatch:
    """A batch whose deepest path has `levels` levels, the top-level struct counted as 1 and
    the float64 leaf as the last."""
    assert levels >= 2
    arr: pa.Array = pa.array([1.0, 2.0], pa.float64())
    for _ in range(levels - 2):
        arr = pa.StructArray.from_arrays([arr], names=["n"])
    return pa.record_batch({"c": arr})


case("rt.depth.65", "content", 1)(lambda lib: _rt(lib, nested_struct_batch(65), _noop))


def _non_nullable_with_nulls() -> pa.RecordBatch:
    schema = pa.schema([pa.field("f", pa.float64(), nullable=False)])
    return pa.RecordBatch.from_arrays([pa.array([1.0, None, 3.0])], schema=schema)


case("rt.nullability.nulls_in_non_nullable_field", "content", 1)(
    lambda lib: _rt(lib, _non_nullable_with_nulls(), _noop)
)


# ---- N33: movement -------------------------------------------------------------------------------

MISSING = "Schema error: missing required movement column: "

for _col in ("position__x", "position__y", "velocity__dx", "velocity__dy"):
    case(f"mv.missing.{_col}", "movement", 1, MV, exact=MISSING + _col)(
        lambda lib, col=_col: _mv(lib, movement_batch(**{col: None}))
    )
    case(f"mv.float32.{_col}", "movement", 1, MV, exact=f"{_col} must be Float64")(
        lambda lib, col=_col: _mv(lib, movement_batch(**{col: pa.array([0.0, 1.0], pa.float32())}))
    )

# Order of the checks: position__x, position__y, velocity__dx, velocity__dy.
case("mv.missing.order", "movement", 1, MV, exact=MISSING + "position__y")(
    lambda lib: _mv(lib, movement_batch(position__y=None, velocity__dx=None, velocity__dy=None))
)
case("mv.missing.all", "movement", 1, MV, exact=MISSING + "position__x")(
    lambda lib: _mv(
        lib,
        pa.record_batch({"other": pa.array([1.0])}),
    )
)
case("mv.int64.velocity__dx", "movement", 1, MV, exact="velocity__dx must be Float64")(
    lambda lib: _mv(lib, movement_batch(velocity__dx=pa.array([1, 1], pa.int64())))
)
case("mv.malformed.n_buffers", "movement", 1, MV)(
    lambda lib: _mv(lib, movement_batch(), lambda a, _s: a.set_n_buffers("0", 1))
)


# ---- streams -------------------------------------------------------------------------------------


@case("stream.get_next_fails", "streams", 1, ST)
def _stream_get_next_fails(lib: NativeLibrary) -> dict[str, Any]:
    stream, tracker, _ = _tracked_reader([base_batch(), base_batch(), base_batch()], fail_at=1)
    return _stream_call(lib, stream, ArrowArrayStream(), tracker)


@case("stream.invalid_batch", "streams", 1, ST)
def _stream_invalid_batch(lib: NativeLibrary) -> dict[str, Any]:
    bad = _utf8_batch(b"\xff")
    good = pa.record_batch({"s": pa.array(["a", "b", "c"])})
    stream, tracker, _ = _tracked_reader([good, bad, good])
    return _stream_call(lib, stream, ArrowArrayStream(), tracker)


# ---- the world functions (world_negative_cases.py) -----------------------------------------------

for _wc in wnc.WORLD_CASES:
    case(_wc.name, _wc.group, _wc.expected, _wc.function, _wc.exact, _wc.diagnostic)(_wc.run)


# ---- child entry point ---------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    group = argv[1]
    lib = h.load_native()
    if lib is None:
        print("NOLIB", flush=True)
        return 0
    for c in CASES.values():
        if c.group != group:
            continue
        print(f"START {c.name}", flush=True)
        try:
            lib.arct_clear_last_error()
            result = c.run(lib)
        except Exception as exc:  # a test-side failure, reported as such
            result = {"status": None, "message": None, "checks": [f"harness error: {exc!r}"]}
        result["case"] = c.name
        print("RESULT " + json.dumps(result), flush=True)
    gc.collect()
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
