"""`arct_record_batch_roundtrip`: every supported type through the C Data Interface in both
directions (pyarrow export → Swift import → Swift export → pyarrow import), with nulls, slices
at the top level and in children, nested types, dictionaries, empty arrays and batches, zero
columns; every exported struct released exactly once; the library's live counters back at
their start after 10,000 round trips."""

from __future__ import annotations

import ctypes
import gc
import json
import random
import threading
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archetype import _abi
from archetype._abi import ArrowArray, ArrowSchema, NativeLibrary

import arrow_data as d
import cdata_helpers as h
import negative_cases as nc

TYPE_IDS = sorted(d.SUPPORTED_TYPES)


def _exported_violations(arr: ArrowArray, *, align: int = 64) -> list[str]:
    """c-abi.md §4.6 on an exported batch: top-level offset 0, no top-level validity buffer,
    exact null counts (never -1) everywhere, buffers aligned."""
    out: list[str] = []
    if arr.offset != 0:
        out.append(f"top-level offset {arr.offset}")
    if arr.n_buffers >= 1 and arr.buffers[0]:
        out.append("top-level validity buffer present")

    def walk(a: ArrowArray, path: str) -> None:
        if a.null_count < 0:
            out.append(f"{path}: null_count {a.null_count}")
        for i in range(a.n_buffers):
            p = a.buffers[i]
            if p and p % align:
                out.append(f"{path}: buffer {i} at {p:#x} not {align}-byte aligned")
        for i in range(a.n_children):
            walk(h._deref(a.children[i], ArrowArray), f"{path}.{i}")
        if a.dictionary:
            walk(h._deref(a.dictionary, ArrowArray), f"{path}.dict")

    walk(arr, "top")
    return out


def check_roundtrip(
    lib: NativeLibrary,
    batch: pa.RecordBatch,
    tracker: h.ReleaseTracker,
    *,
    expected: pa.RecordBatch | None = None,
    align: int = 64,
) -> pa.RecordBatch:
    expected = batch if expected is None else expected
    in_array, in_schema = h.export_batch(batch)
    out_array, out_schema = ArrowArray(), ArrowSchema()
    tracker.wrap_array(in_array, "in.array")
    tracker.wrap_schema(in_schema, "in.schema")
    status = lib.arct_record_batch_roundtrip(
        ctypes.byref(in_array), ctypes.byref(in_schema),
        ctypes.byref(out_array), ctypes.byref(out_schema),
    )  # fmt: skip
    message = lib.last_error()
    assert status == 0, f"status {status}: {message}"
    assert message is None, "success must clear the last error"
    assert not in_array.release and not in_schema.release, "input not moved"
    assert out_array.release and out_schema.release, "outputs not written"
    assert out_array.length == expected.num_rows
    violations = _exported_violations(out_array, align=align)
    tracker.wrap_array(out_array, "out.array")
    tracker.wrap_schema(out_schema, "out.schema")
    result = h.import_batch(out_array, out_schema)
    assert not out_array.release and not out_schema.release
    result.validate(full=True)
    assert result.schema.equals(expected.schema, check_metadata=True), (
        f"\n{result.schema}\n!=\n{expected.schema}"
    )
    assert result.equals(expected, check_metadata=True)
    assert violations == [], violations
    return result


# ---- every type ----------------------------------------------------------------------------------


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_type(lib: NativeLibrary, tracker: h.ReleaseTracker, type_id: str) -> None:
    batch = d.random_batch({type_id: d.SUPPORTED_TYPES[type_id], "k": pa.int64()}, 37, seed=1)
    check_roundtrip(lib, batch, tracker)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_type_without_nulls(lib: NativeLibrary, tracker: h.ReleaseTracker, type_id: str) -> None:
    batch = d.random_batch({type_id: d.SUPPORTED_TYPES[type_id]}, 20, seed=2, null_p=0.0)
    check_roundtrip(lib, batch, tracker)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_type_sliced_batch(lib: NativeLibrary, tracker: h.ReleaseTracker, type_id: str) -> None:
    """Slicing the batch gives every column (child of the top-level struct) an offset."""
    batch = d.random_batch({type_id: d.SUPPORTED_TYPES[type_id], "k": pa.utf8()}, 50, seed=3)
    sliced = batch.slice(7, 31)
    check_roundtrip(lib, sliced, tracker, align=1)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_type_sliced_top_level_struct(
    lib: NativeLibrary, tracker: h.ReleaseTracker, type_id: str
) -> None:
    """A sliced struct array exported directly: the top-level struct has offset != 0."""
    batch = d.random_batch({type_id: d.SUPPORTED_TYPES[type_id], "k": pa.int32()}, 50, seed=4)
    struct = pa.StructArray.from_arrays(batch.columns, fields=list(batch.schema)).slice(9, 23)
    expected = pa.RecordBatch.from_struct_array(struct)
    in_array, in_schema = ArrowArray(), ArrowSchema()
    struct._export_to_c(ctypes.addressof(in_array), ctypes.addressof(in_schema))
    assert in_array.offset == 9
    out_array, out_schema = ArrowArray(), ArrowSchema()
    tracker.wrap_array(in_array, "in.array")
    tracker.wrap_schema(in_schema, "in.schema")
    status = lib.arct_record_batch_roundtrip(
        ctypes.byref(in_array), ctypes.byref(in_schema),
        ctypes.byref(out_array), ctypes.byref(out_schema),
    )  # fmt: skip
    assert status == 0, lib.last_error()
    assert out_array.offset == 0, "exported batches have top-level offset 0"
    tracker.wrap_array(out_array, "out.array")
    tracker.wrap_schema(out_schema, "out.schema")
    result = h.import_batch(out_array, out_schema)
    result.validate(full=True)
    assert result.equals(expected, check_metadata=True)
    assert result.schema.equals(expected.schema, check_metadata=True)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_type_empty(lib: NativeLibrary, tracker: h.ReleaseTracker, type_id: str) -> None:
    batch = d.random_batch({type_id: d.SUPPORTED_TYPES[type_id]}, 0, seed=5)
    assert batch.num_rows == 0
    check_roundtrip(lib, batch, tracker)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_type_empty_slice_at_end(
    lib: NativeLibrary, tracker: h.ReleaseTracker, type_id: str
) -> None:
    batch = d.random_batch({type_id: d.SUPPORTED_TYPES[type_id]}, 12, seed=6).slice(12, 0)
    check_roundtrip(lib, batch, tracker, align=1)


def test_all_types_in_one_batch(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    batch = d.random_batch(dict(d.SUPPORTED_TYPES), 100, seed=7)
    check_roundtrip(lib, batch, tracker)


def test_all_types_in_one_sliced_batch(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    batch = d.random_batch(dict(d.SUPPORTED_TYPES), 100, seed=8).slice(13, 61)
    check_roundtrip(lib, batch, tracker, align=1)


# ---- offsets in children -------------------------------------------------------------------------


def _sliced_children_batch(rng: random.Random) -> pa.RecordBatch:
    n = 12
    a = d.random_array(pa.int32(), 40, rng).slice(5, n)
    b = d.random_array(pa.string(), 40, rng).slice(17, n)
    c = d.random_array(pa.list_(pa.float64()), 30, rng).slice(3, n)
    struct = pa.StructArray.from_arrays(
        [a, b, c], names=["a", "b", "c"]
    )  # children offsets 5, 17, 3
    values = d.random_array(pa.int64(), 60, rng).slice(11, 40)  # list child with an offset
    offsets = pa.array([0, 3, 3, 10, 12, 20, 21, 25, 30, 31, 35, 38, 40], pa.int32())
    lst = pa.ListArray.from_arrays(offsets, values)
    m = d.random_array(pa.map_(pa.string(), pa.int64()), 30, rng).slice(8, n)
    nested = pa.StructArray.from_arrays(
        [struct.slice(0, n), d.random_array(pa.large_string(), 25, rng).slice(13, n)],
        names=["inner", "s"],
    )
    dict_arr = d.random_array(pa.dictionary(pa.int16(), pa.string()), 30, rng).slice(4, n)
    fsl = d.random_array(pa.list_(pa.int8(), 2), 30, rng).slice(6, n)
    return pa.record_batch(
        {"struct": struct, "list": lst, "map": m, "nested": nested, "dict": dict_arr, "fsl": fsl}
    )


def test_offsets_in_children(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    batch = _sliced_children_batch(random.Random(11))
    batch.validate(full=True)
    check_roundtrip(lib, batch, tracker, align=1)


def test_offsets_in_children_and_sliced_batch(
    lib: NativeLibrary, tracker: h.ReleaseTracker
) -> None:
    batch = _sliced_children_batch(random.Random(12)).slice(2, 7)
    check_roundtrip(lib, batch, tracker, align=1)


def test_offsets_in_children_and_sliced_top_level_struct(
    lib: NativeLibrary, tracker: h.ReleaseTracker
) -> None:
    batch = _sliced_children_batch(random.Random(13))
    struct = pa.StructArray.from_arrays(batch.columns, fields=list(batch.schema)).slice(3, 8)
    expected = pa.RecordBatch.from_struct_array(struct)
    in_array, in_schema = ArrowArray(), ArrowSchema()
    struct._export_to_c(ctypes.addressof(in_array), ctypes.addressof(in_schema))
    out_array, out_schema = ArrowArray(), ArrowSchema()
    tracker.wrap_array(in_array, "in.array")
    tracker.wrap_schema(in_schema, "in.schema")
    status = lib.arct_record_batch_roundtrip(
        ctypes.byref(in_array), ctypes.byref(in_schema),
        ctypes.byref(out_array), ctypes.byref(out_schema),
    )  # fmt: skip
    assert status == 0, lib.last_error()
    tracker.wrap_array(out_array, "out.array")
    tracker.wrap_schema(out_schema, "out.schema")
    result = h.import_batch(out_array, out_schema)
    result.validate(full=True)
    assert result.equals(expected, check_metadata=True)


# ---- shapes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [0, 1, 5, 1000])
def test_zero_columns(lib: NativeLibrary, tracker: h.ReleaseTracker, rows: int) -> None:
    """A zero-column batch with n rows is a struct array of n empty structs (python.md §9.3)."""
    batch = pa.RecordBatch.from_struct_array(pa.array([{}] * rows, type=pa.struct([])))
    assert batch.num_columns == 0 and batch.num_rows == rows
    check_roundtrip(lib, batch, tracker)


def test_schema_metadata_and_flags(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    schema = pa.schema(
        [
            pa.field("req", pa.float64(), nullable=False, metadata={b"unit": b"m"}),
            pa.field(
                "opt", pa.string(), nullable=True, metadata={b"": b"", b"k\xc3\xa9": b"\x00v"}
            ),
            pa.field(
                "nested",
                pa.struct([pa.field("x", pa.int32(), nullable=False, metadata={b"a": b"b"})]),
                nullable=False,
            ),
        ],
        metadata={b"table": b"t1", b"version": b"2"},
    )
    batch = pa.RecordBatch.from_pylist(
        [
            {"req": 1.0, "opt": None, "nested": {"x": 1}},
            {"req": 2.0, "opt": "b", "nested": {"x": 2}},
        ],
        schema=schema,
    )
    check_roundtrip(lib, batch, tracker)


def test_nesting_depth_64_is_accepted(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    check_roundtrip(lib, nc.nested_struct_batch(64), tracker)


def test_invalid_utf8_outside_the_visible_range_is_accepted(
    lib: NativeLibrary, tracker: h.ReleaseTracker
) -> None:
    """A10 checks the visible range only: a slice that hides the bad value is valid."""
    batch = nc._utf8_batch(b"\xff")  # values: "ok", "\xff", "ok"
    check_roundtrip(lib, batch.slice(2, 1), tracker, align=1)
    check_roundtrip(lib, batch.slice(0, 1), tracker, align=1)


def test_null_count_unknown_is_accepted_and_exported_exact(lib: NativeLibrary) -> None:
    """null_count -1 on input (computed lazily), exact on output."""
    batch = nc.base_batch()
    arr, schema = h.hand_made_batch(batch)
    for path in ("0", "1", "2"):
        arr.at(path).null_count = -1
    out_array, out_schema = ArrowArray(), ArrowSchema()
    status = lib.arct_record_batch_roundtrip(
        ctypes.byref(arr.struct), ctypes.byref(schema.struct),
        ctypes.byref(out_array), ctypes.byref(out_schema),
    )  # fmt: skip
    assert status == 0, lib.last_error()
    counts = [out_array.children[i].contents.null_count for i in range(3)]
    assert counts == [1, 0, 1]
    result = h.import_batch(out_array, out_schema)
    assert result.equals(batch)
    del result
    gc.collect()
    arr.release_source()
    assert all(c == 1 for c in arr.counts().values()), arr.counts()
    assert all(c == 1 for c in schema.counts().values()), schema.counts()


def test_empty_strings_with_null_data_buffer(lib: NativeLibrary) -> None:
    """A5: a utf8/binary data buffer may be NULL when every visible value is empty."""
    batch = pa.record_batch({"s": pa.array(["", "", ""]), "b": pa.array([b"", b"", None])})
    arr, schema = h.hand_made_batch(batch)
    arr.set_buffer("0", 2, None)
    arr.set_buffer("1", 2, None)
    out_array, out_schema = ArrowArray(), ArrowSchema()
    status = lib.arct_record_batch_roundtrip(
        ctypes.byref(arr.struct), ctypes.byref(schema.struct),
        ctypes.byref(out_array), ctypes.byref(out_schema),
    )  # fmt: skip
    assert status == 0, lib.last_error()
    result = h.import_batch(out_array, out_schema)
    assert result.equals(batch)
    del result
    gc.collect()
    arr.release_source()


def test_nulls_without_validity_buffer_when_null_count_zero(lib: NativeLibrary) -> None:
    batch = pa.record_batch({"f": pa.array([1.0, 2.0, 3.0])})
    arr, schema = h.hand_made_batch(batch)
    arr.set_buffer("0", 0, None)
    arr.at("0").null_count = 0
    out_array, out_schema = ArrowArray(), ArrowSchema()
    status = lib.arct_record_batch_roundtrip(
        ctypes.byref(arr.struct), ctypes.byref(schema.struct),
        ctypes.byref(out_array), ctypes.byref(out_schema),
    )  # fmt: skip
    assert status == 0, lib.last_error()
    result = h.import_batch(out_array, out_schema)
    assert result.equals(batch)
    del result
    gc.collect()
    arr.release_source()


# ---- property-based ------------------------------------------------------------------------------

_type_ids = st.lists(st.sampled_from(TYPE_IDS), min_size=0, max_size=6, unique=True)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    type_ids=_type_ids,
    rows=st.integers(min_value=0, max_value=60),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    null_p=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    start=st.integers(min_value=0, max_value=60),
    length=st.integers(min_value=0, max_value=60),
)
def test_random_batches(
    lib: NativeLibrary,
    type_ids: list[str],
    rows: int,
    seed: int,
    null_p: float,
    start: int,
    length: int,
) -> None:
    tracker = h.ReleaseTracker()
    types = {f"c{i}_{t}": d.SUPPORTED_TYPES[t] for i, t in enumerate(type_ids)}
    if not types:
        batch = pa.RecordBatch.from_struct_array(pa.array([{}] * rows, type=pa.struct([])))
    else:
        batch = d.random_batch(types, rows, seed, null_p=null_p)
    start = min(start, rows)
    batch = batch.slice(start, min(length, rows - start))
    check_roundtrip(lib, batch, tracker, align=1)
    assert tracker.wait_all_released() == {}
    assert tracker.violations == []


# ---- ownership and release -----------------------------------------------------------------------


def test_every_node_released_exactly_once(lib: NativeLibrary) -> None:
    """Both directions: the library releases every input node once (pyarrow producer), and
    pyarrow's release of the output releases every Swift-exported node once."""
    tracker = h.ReleaseTracker()
    batch = d.random_batch(dict(d.SUPPORTED_TYPES), 30, seed=21)
    result = check_roundtrip(lib, batch, tracker)
    in_nodes = [k for k in tracker.counts if k.startswith("in.")]
    out_nodes = [k for k in tracker.counts if k.startswith("out.")]
    assert len(in_nodes) > 2 * len(batch.schema) and len(out_nodes) > 2 * len(batch.schema)
    # pyarrow releases the imported schema at once; the array lives as long as `result`.
    live = [k for k in out_nodes if k.startswith("out.array")]
    assert all(tracker.counts[k] == 0 for k in live), "output array released while in use"
    del result
    assert tracker.wait_all_released() == {}
    assert tracker.violations == []


def test_output_released_on_another_thread(lib: NativeLibrary) -> None:
    tracker = h.ReleaseTracker()
    batch = d.random_batch({"a": pa.float64(), "b": pa.list_(pa.string())}, 100, seed=22)
    holder: list[Any] = [check_roundtrip(lib, batch, tracker)]

    def drop() -> None:
        holder.clear()
        gc.collect()

    t = threading.Thread(target=drop)
    t.start()
    t.join()
    assert tracker.wait_all_released() == {}
    assert tracker.violations == []
    assert tracker.threads["out.array"] == t.ident


def test_exported_children_releasable_on_their_own(lib: NativeLibrary) -> None:
    """Move each child of the exported batch out, release the parent first, then import and
    release each child independently (on another thread)."""
    tracker = h.ReleaseTracker()
    batch = d.random_batch(
        {
            "f": pa.float64(),
            "s": pa.string(),
            "l": pa.list_(pa.int32()),
            "m": pa.map_(pa.string(), pa.int8()),
        },
        25,
        seed=23,
    )
    r = h.roundtrip(lib, batch, import_result=False)
    assert r.status == 0, r.message
    out_array, out_schema = r.out_array, r.out_schema
    tracker.wrap_array(out_array, "out.array")
    tracker.wrap_schema(out_schema, "out.schema")
    children: list[tuple[ArrowArray, ArrowSchema]] = []
    for i in range(out_array.n_children):
        ca = ArrowArray.from_buffer_copy(out_array.children[i].contents)
        cs = ArrowSchema.from_buffer_copy(out_schema.children[i].contents)
        out_array.children[i].contents.release = _abi.ArrowArrayRelease()
        out_schema.children[i].contents.release = _abi.ArrowSchemaRelease()
        children.append((ca, cs))
    out_array.release(ctypes.byref(out_array))
    out_schema.release(ctypes.byref(out_schema))
    assert tracker.counts["out.array"] == 1 and tracker.counts["out.schema"] == 1
    assert tracker.counts["out.array.0"] == 0, "the parent released a moved child"
    imported: list[pa.Array] = []

    def consume() -> None:
        for ca, cs in children:
            imported.append(pa.Array._import_from_c(ctypes.addressof(ca), ctypes.addressof(cs)))

    t = threading.Thread(target=consume)
    t.start()
    t.join()
    assert len(imported) == batch.num_columns
    for i in range(batch.num_columns):
        assert imported[i].equals(batch.column(i)), batch.schema.names[i]
    imported.clear()
    del r
    assert tracker.wait_all_released() == {}
    assert tracker.violations == []


def test_concurrent_roundtrips(lib: NativeLibrary) -> None:
    """The version-1 functions are reentrant (c-abi.md §4.8): several threads at once."""
    batches = [d.random_batch({"a": pa.float64(), "s": pa.string()}, 50, seed=s) for s in range(4)]
    errors: list[str] = []

    def work(batch: pa.RecordBatch) -> None:
        for _ in range(300):
            r = h.roundtrip(lib, batch)
            if r.status != 0 or r.batch is None or not r.batch.equals(batch):
                errors.append(f"status {r.status}: {r.message}")
                return

    threads = [threading.Thread(target=work, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.slow
def test_ten_thousand_roundtrips_leave_nothing_alive(lib: NativeLibrary) -> None:
    batch = d.random_batch(
        {"f": pa.float64(), "i": pa.int32(), "s": pa.string(), "l": pa.list_(pa.int64())},
        64,
        seed=31,
    )
    warm = h.roundtrip(lib, batch)
    assert warm.status == 0, warm.message
    del warm
    gc.collect()
    start = lib.debug_counters()
    tracker = h.ReleaseTracker()
    for i in range(10_000):
        r = h.roundtrip(lib, batch, tracker, tag=f"{i}.")
        assert r.status == 0, r.message
        if i % 1000 == 0:
            assert r.batch is not None and r.batch.equals(batch)
        del r
        if i % 500 == 499:
            bad = tracker.wait_all_released()
            assert bad == {}, list(bad.items())[:5]
            assert tracker.violations == []
            tracker.purge_released()
    assert tracker.wait_all_released() == {}
    assert tracker.violations == []
    gc.collect()
    assert lib.debug_counters() == start


def test_failed_calls_leave_nothing_alive(lib: NativeLibrary) -> None:
    """N37 (part): 1,000 round trips and 1,000 failed calls with inputs; the live counters
    return to their start and every input was released once. In a child process."""
    code = r"""
import ctypes, gc, json
import pyarrow as pa
import cdata_helpers as h
import negative_cases as nc
lib = h.load_native()
batch = nc.base_batch()
r = h.roundtrip(lib, batch); assert r.status == 0; del r; gc.collect()
start = lib.debug_counters()
bad = []
for i in range(1000):
    r = h.roundtrip(lib, batch)
    if r.status != 0: bad.append(r.message)
    del r
    arr, schema = h.hand_made_batch(batch)
    arr.set_n_buffers("1", 1)
    res = nc._call(lib, nc.RT, arr, schema)
    if res["status"] != 1 or res["checks"]: bad.append(res)
gc.collect()
print("RESULT " + json.dumps({"start": start, "end": lib.debug_counters(), "bad": bad[:5]}))
finish()
"""
    proc = h.run_python(code)
    assert proc.returncode == 0, h.describe_exit(proc)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line[len("RESULT ") :])
    assert out["bad"] == []
    assert out["end"] == out["start"]
