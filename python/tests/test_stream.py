"""`arct_stream_roundtrip` and the C Stream Interface in both directions.

`arct_stream_roundtrip(in_stream, out_stream)` takes ownership of `in_stream` (the caller's
struct is left released: it is *moved*, whatever the status), consumes it completely during
the call, and returns in `out_stream` a stream exported by Swift with the same batches.
"""

from __future__ import annotations

import ctypes
import gc
import threading

import pyarrow as pa
import pytest

from archetype import _abi
from archetype._abi import ArrowArray, ArrowArrayStream, ArrowSchema, NativeLibrary

import arrow_data as d
import cdata_helpers as h


def _batches(n_batches: int, seed: int = 0) -> list[pa.RecordBatch]:
    types = {
        "f": pa.float64(),
        "i": pa.int32(),
        "s": pa.string(),
        "l": pa.list_(pa.int64()),
        "st": pa.struct([("a", pa.int8()), ("b", pa.large_string())]),
        "d": pa.dictionary(pa.int16(), pa.string()),
        "m": pa.map_(pa.string(), pa.float32()),
        "ts": pa.timestamp("us", tz="UTC"),
    }
    out = []
    for k in range(n_batches):
        b = d.random_batch(types, 10 + 17 * k, seed=seed + k)
        if k % 2:
            b = b.slice(3, b.num_rows - 5)
        out.append(b)
    # One schema for all (dictionaries may differ per batch; metadata identical by name)
    schema = out[0].schema
    return [pa.RecordBatch.from_arrays(b.columns, schema=schema) for b in out]


def _call(
    lib: NativeLibrary, source: h.CountingSource, schema: pa.Schema, tracker: h.ReleaseTracker
) -> tuple[int, ArrowArrayStream, ArrowArrayStream]:
    in_stream = h.export_reader(schema, source)
    tracker.wrap_stream(in_stream, "in.stream")
    out_stream = ArrowArrayStream()
    status = lib.arct_stream_roundtrip(ctypes.byref(in_stream), ctypes.byref(out_stream))
    return status, in_stream, out_stream


@pytest.mark.parametrize("n_batches", [3, 5])
def test_swift_stream_read_by_pyarrow(
    lib: NativeLibrary, tracker: h.ReleaseTracker, n_batches: int
) -> None:
    batches = _batches(n_batches)
    source = h.CountingSource(batches)
    status, in_stream, out_stream = _call(lib, source, batches[0].schema, tracker)
    assert status == 0, lib.last_error()
    # The pyarrow reader exported into Swift was consumed completely during the call.
    assert source.finished and source.pulled == n_batches
    assert not in_stream.release, "the input stream is moved into the library"
    assert out_stream.release and out_stream.get_next and out_stream.get_schema
    tracker.wrap_stream(out_stream, "out.stream")
    reader = h.import_reader(out_stream)
    assert not out_stream.release
    assert reader.schema.equals(batches[0].schema, check_metadata=True)
    got = list(reader)
    assert len(got) == n_batches
    for a, b in zip(got, batches, strict=True):
        a.validate(full=True)
        assert a.equals(b, check_metadata=True)
    del reader, got


def test_swift_stream_consumed_by_hand(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    """Drive the exported stream's callbacks directly and count every batch's release."""
    batches = _batches(4, seed=10)
    source = h.CountingSource(batches)
    status, _, out = _call(lib, source, batches[0].schema, tracker)
    assert status == 0, lib.last_error()
    tracker.wrap_stream(out, "out.stream")
    schema = ArrowSchema()
    assert out.get_schema(ctypes.byref(out), ctypes.byref(schema)) == 0
    tracker.wrap_schema(schema, "out.schema")
    pa_schema = pa.Schema._import_from_c(ctypes.addressof(schema))
    assert pa_schema.equals(batches[0].schema, check_metadata=True)
    got: list[pa.RecordBatch] = []
    for k in range(10):
        arr = ArrowArray()
        assert out.get_next(ctypes.byref(out), ctypes.byref(arr)) == 0
        if not arr.release:
            break  # end of stream
        tracker.wrap_array(arr, f"out.batch{k}")
        got.append(pa.RecordBatch._import_from_c(ctypes.addressof(arr), pa_schema))
    assert len(got) == len(batches)
    for a, b in zip(got, batches, strict=True):
        assert a.equals(b)
    # After the end, get_next keeps reporting the end.
    arr = ArrowArray()
    assert out.get_next(ctypes.byref(out), ctypes.byref(arr)) == 0
    assert not arr.release
    out.release(ctypes.byref(out))
    assert not out.release
    assert tracker.counts["out.stream"] == 1
    # Batches stay valid after the stream is released.
    for a, b in zip(got, batches, strict=True):
        assert a.equals(b)
    del got


def test_stream_with_no_batches(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    schema = _batches(1)[0].schema
    source = h.CountingSource([])
    status, in_stream, out = _call(lib, source, schema, tracker)
    assert status == 0, lib.last_error()
    assert source.finished
    assert not in_stream.release
    tracker.wrap_stream(out, "out.stream")
    reader = h.import_reader(out)
    assert reader.schema.equals(schema, check_metadata=True)
    assert list(reader) == []
    del reader


def test_stream_skips_zero_row_batches(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    """Swift-exported streams never emit zero-row batches (as query streams, c-abi.md §8.8
    item 3; documented in Sources/Arrow/CData/CStream.swift): the input's zero-row batches
    are consumed and dropped, the others come back identical and in order."""
    batches = _batches(3, seed=20)
    batches.insert(1, batches[0].slice(0, 0))
    batches.append(batches[0].slice(4, 0))
    source = h.CountingSource(batches)
    status, _, out = _call(lib, source, batches[0].schema, tracker)
    assert status == 0, lib.last_error()
    assert source.finished and source.pulled == len(batches)
    tracker.wrap_stream(out, "out.stream")
    got = list(h.import_reader(out))
    non_empty = [b for b in batches if b.num_rows > 0]
    assert [b.num_rows for b in got] == [b.num_rows for b in non_empty]
    for a, b in zip(got, non_empty, strict=True):
        assert a.equals(b)
    del got


def test_stream_read_on_another_thread(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    batches = _batches(3, seed=30)
    status, _, out = _call(lib, h.CountingSource(batches), batches[0].schema, tracker)
    assert status == 0, lib.last_error()
    tracker.wrap_stream(out, "out.stream")
    result: list[pa.RecordBatch] = []

    def read() -> None:
        reader = h.import_reader(out)
        result.extend(reader)
        del reader
        gc.collect()

    t = threading.Thread(target=read)
    t.start()
    t.join()
    assert len(result) == 3 and all(a.equals(b) for a, b in zip(result, batches, strict=True))
    result.clear()


def test_stream_counters_balance(lib: NativeLibrary) -> None:
    batches = _batches(3, seed=40)
    gc.collect()
    start = lib.debug_counters()
    for _ in range(200):
        tracker = h.ReleaseTracker()
        status, _, out = _call(lib, h.CountingSource(batches), batches[0].schema, tracker)
        assert status == 0, lib.last_error()
        got = list(h.import_reader(out))
        assert len(got) == 3
        del got
        assert tracker.wait_all_released() == {}
        tracker.purge_released()
    gc.collect()
    assert lib.debug_counters() == start


def test_unconsumed_output_stream_released(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    """Releasing the output stream without reading it frees everything."""
    batches = _batches(3, seed=50)
    gc.collect()
    start = lib.debug_counters()
    status, _, out = _call(lib, h.CountingSource(batches), batches[0].schema, tracker)
    assert status == 0, lib.last_error()
    tracker.wrap_stream(out, "out.stream")
    _abi.release_if_needed(out)
    assert tracker.wait_all_released() == {}
    gc.collect()
    assert lib.debug_counters() == start
