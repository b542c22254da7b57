"""`arct_movement_process` (c-abi.md §8.10, engine.md §8.4): positions advance by velocity·dt
(multiply, round, add, round: no fused multiply-add), nulls propagate (validity = position ∧
velocity), every other column is untouched; `tick` is ignored."""

from __future__ import annotations

import ctypes
import math
import random

import numpy as np
import pyarrow as pa
import pytest

from archetype._abi import ArrowArray, ArrowSchema, NativeLibrary

import cdata_helpers as h


def _move(
    lib: NativeLibrary, batch: pa.RecordBatch, dt: float, tracker: h.ReleaseTracker, tick: int = 0
) -> pa.RecordBatch:
    in_array, in_schema = h.export_batch(batch)
    tracker.wrap_array(in_array, "in.array")
    tracker.wrap_schema(in_schema, "in.schema")
    out_array, out_schema = ArrowArray(), ArrowSchema()
    status = lib.arct_movement_process(
        ctypes.byref(in_array), ctypes.byref(in_schema),
        ctypes.byref(out_array), ctypes.byref(out_schema), dt, tick,
    )  # fmt: skip
    assert status == 0, lib.last_error()
    assert lib.last_error() is None
    assert not in_array.release and not in_schema.release
    tracker.wrap_array(out_array, "out.array")
    tracker.wrap_schema(out_schema, "out.schema")
    result = h.import_batch(out_array, out_schema)
    result.validate(full=True)
    return result


def _expected(position: pa.Array, velocity: pa.Array, dt: float) -> pa.Array:
    p = position.to_numpy(zero_copy_only=False)
    v = velocity.to_numpy(zero_copy_only=False)
    with np.errstate(all="ignore"):
        step = np.multiply(v, np.float64(dt))  # rounded product
        values = np.add(p, step)  # rounded sum: no FMA
    valid = np.logical_and(position.is_valid().to_numpy(zero_copy_only=False),
                           velocity.is_valid().to_numpy(zero_copy_only=False))  # fmt: skip
    return pa.array(values, pa.float64(), mask=~valid)


def _bits(arr: pa.Array) -> list[int | None]:
    vals = arr.to_pylist()
    return [None if v is None else int(np.float64(v).view(np.int64)) for v in vals]


def _movement_batch(n: int, seed: int, null_p: float = 0.0) -> pa.RecordBatch:
    rng = random.Random(seed)

    def col() -> pa.Array:
        values = [rng.uniform(-1e6, 1e6) for _ in range(n)]
        return pa.array([None if rng.random() < null_p else v for v in values], pa.float64())

    return pa.record_batch(
        {
            "entity_id": pa.array(range(1, n + 1), pa.int32()),
            "position__x": col(),
            "label": pa.array([f"e{i}" if i % 3 else None for i in range(n)], pa.string()),
            "position__y": col(),
            "velocity__dx": col(),
            "velocity__dy": col(),
            "health__hp": pa.array([rng.random() for _ in range(n)], pa.float64()),
        }
    )


def _check(batch: pa.RecordBatch, result: pa.RecordBatch, dt: float) -> None:
    assert result.schema.names == batch.schema.names
    assert result.num_rows == batch.num_rows
    ex = _expected(batch.column("position__x"), batch.column("velocity__dx"), dt)
    ey = _expected(batch.column("position__y"), batch.column("velocity__dy"), dt)
    assert _bits(result.column("position__x")) == _bits(ex)
    assert _bits(result.column("position__y")) == _bits(ey)
    for name in batch.schema.names:
        if name not in ("position__x", "position__y"):
            assert result.column(name).equals(batch.column(name)), name
            assert result.schema.field(name).equals(batch.schema.field(name), check_metadata=True)


@pytest.mark.parametrize("dt", [1.0, 0.5, 1 / 3, -2.0, 0.0])
def test_positions_advance(lib: NativeLibrary, tracker: h.ReleaseTracker, dt: float) -> None:
    batch = _movement_batch(257, seed=1)
    _check(batch, _move(lib, batch, dt, tracker), dt)


def test_bench_fixture_values(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    n = 1000
    batch = pa.record_batch(
        {
            "position__x": pa.array([float(i) for i in range(n)]),
            "position__y": pa.array([0.0] * n),
            "velocity__dx": pa.array([1.0] * n),
            "velocity__dy": pa.array([-0.5] * n),
        }
    )
    out = _move(lib, batch, 1.0, tracker, tick=7)
    assert out.column("position__x").to_pylist() == [i + 1.0 for i in range(n)]
    assert out.column("position__y").to_pylist() == [-0.5] * n
    assert out.column("position__x").null_count == 0


def test_nulls_preserved(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    batch = _movement_batch(300, seed=2, null_p=0.2)
    result = _move(lib, batch, 0.25, tracker)
    _check(batch, result, 0.25)
    x, dx = batch.column("position__x"), batch.column("velocity__dx")
    expected_nulls = sum(
        1 for a, b in zip(x.is_null().to_pylist(), dx.is_null().to_pylist(), strict=True) if a or b
    )
    assert result.column("position__x").null_count == expected_nulls > 0


def test_sliced_input(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    batch = _movement_batch(100, seed=3, null_p=0.1).slice(13, 50)
    _check(batch, _move(lib, batch, 2.0, tracker), 2.0)


def test_empty_batch(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    batch = _movement_batch(0, seed=4)
    result = _move(lib, batch, 1.0, tracker)
    assert result.num_rows == 0 and result.schema.names == batch.schema.names


def test_dt_not_validated(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    batch = _movement_batch(5, seed=5)
    result = _move(lib, batch, float("nan"), tracker)
    assert all(math.isnan(v) for v in result.column("position__x").to_pylist())


def test_tick_ignored(lib: NativeLibrary, tracker: h.ReleaseTracker) -> None:
    batch = _movement_batch(20, seed=6)
    a = _move(lib, batch, 1.5, tracker, tick=0)
    b = _move(lib, batch, 1.5, tracker, tick=-12345)
    assert a.equals(b)
