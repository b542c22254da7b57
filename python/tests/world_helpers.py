"""Drive worlds through the C ABI (c-abi.md §7, §8) from Python tests, checking ownership on
every call.

Shared by the pytest modules and by the child processes (`world_negative_cases.py`,
`test_world_rss.py`). A :class:`World` wraps one `arct_world*` token:

- every Arrow input is exported by pyarrow (`_export_to_c`), its release callbacks are wrapped
  by the :class:`cdata_helpers.ReleaseTracker` given to the world (when there is one), and after
  every call, failed or not, both structs must be left released (moved, c-abi.md §4.3);
- every Arrow output the library hands out is wrapped by the same tracker before pyarrow
  imports it (`pa.RecordBatch._import_from_c`) or before its stream is consumed by hand, so the
  tracker can check that each node is released exactly once;
- on failure every output (Arrow shells, ids, counters, info) must be left exactly as it was;
- each method takes `expect` (the status the call must return; None: anything) and raises
  :class:`StatusError` otherwise, with the calling thread's last error read right after the call.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("SWIFT_BACKTRACE", "enable=no")

import pyarrow as pa
import pyarrow.compute as pc

from archetype import _abi
from archetype._abi import (
    ArrowArray,
    ArrowArrayStream,
    ArrowSchema,
    NativeLibrary,
    arct_processor_spec,
    arct_query,
    arct_step_profile,
    arct_table_profile,
    arct_world_info,
    arct_world_options,
)

import cdata_helpers as h

INT32_MAX = 2**31 - 1

BASE_FIELDS: list[pa.Field] = [
    pa.field("world_id", pa.string(), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("entity_id", pa.int32(), nullable=False),
    pa.field("tick", pa.int32(), nullable=False),
    pa.field("is_active", pa.bool_(), nullable=False),
]
BASE_NAMES = [f.name for f in BASE_FIELDS]

MOVEMENT_COLUMNS = ("position__x", "position__y", "velocity__dx", "velocity__dy")
MOVEMENT = pa.schema([pa.field(c, pa.float64(), nullable=False) for c in MOVEMENT_COLUMNS])
POSITION = pa.schema([pa.field("position__x", pa.float64(), nullable=False)])
POSITION_VELOCITY = pa.schema(
    [
        pa.field("position__x", pa.float64(), nullable=False),
        pa.field("velocity__dx", pa.float64(), nullable=False),
    ]
)


def full_schema(components: pa.Schema) -> pa.Schema:
    """The table schema of c-abi.md §8.3 item 1: the five base fields, then the components."""
    return pa.schema(BASE_FIELDS + list(components))


def movement_batch(n: int, *, x0: float = 0.0, dx: float = 1.0, dy: float = -0.5) -> pa.RecordBatch:
    """Entity i: x = x0 + i, y = 0, velocity (dx, dy): exact in binary for small i."""
    return pa.RecordBatch.from_arrays(
        [
            pa.array([x0 + i for i in range(n)], pa.float64()),
            pa.array([0.0] * n, pa.float64()),
            pa.array([dx] * n, pa.float64()),
            pa.array([dy] * n, pa.float64()),
        ],
        schema=MOVEMENT,
    )


def batch_of(schema: pa.Schema, **columns: Sequence[Any]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [pa.array(columns[f.name], f.type) for f in schema], schema=schema
    )


def move(batch: pa.RecordBatch | pa.Table, dt: float) -> pa.RecordBatch:
    """The movement processor in pyarrow.compute: position += velocity * dt."""
    if isinstance(batch, pa.Table):
        batch = batch.combine_chunks().to_batches()[0]
    cols = dict(zip(batch.schema.names, batch.columns, strict=True))
    cols["position__x"] = pc.add(
        cols["position__x"], pc.multiply(cols["velocity__dx"], pa.scalar(dt, pa.float64()))
    )
    cols["position__y"] = pc.add(
        cols["position__y"], pc.multiply(cols["velocity__dy"], pa.scalar(dt, pa.float64()))
    )
    return pa.RecordBatch.from_arrays([cols[n] for n in batch.schema.names], schema=batch.schema)


def with_column(batch: pa.RecordBatch, name: str, values: pa.Array) -> pa.RecordBatch:
    i = batch.schema.get_field_index(name)
    return batch.set_column(i, batch.schema.field(i).with_type(values.type), values)


# ---- calls, statuses, ownership ------------------------------------------------------------------


class StatusError(AssertionError):
    def __init__(self, function: str, status: int, expect: int | None, message: str | None):
        super().__init__(
            f"{function} returned {status}, expected {expect}; last error: {message!r}"
        )
        self.function = function
        self.status = status
        self.expect = expect
        self.message = message


class OwnershipError(AssertionError):
    pass


_local = threading.local()


def last_call() -> tuple[str, int, str | None]:
    """(function, status, message) of the calling thread's most recent helper call."""
    return getattr(_local, "last", ("", 0, None))


def _finish(lib: NativeLibrary, function: str, status: int, expect: int | None) -> int:
    message = lib.last_error() if status != 0 else None
    _local.last = (function, status, message)
    if status == 0 and message is not None:
        raise OwnershipError(f"{function} succeeded but left a last error: {message!r}")
    if expect is not None and status != expect:
        raise StatusError(function, status, expect, message)
    return status


_seq = [0]
_seq_lock = threading.Lock()


def _key(function: str, part: str) -> str:
    with _seq_lock:
        _seq[0] += 1
        n = _seq[0]
    return f"{function.removeprefix('arct_')}#{n}.{part}"


def export_schema(
    schema: pa.Schema, tracker: h.ReleaseTracker | None, key: str = "schema"
) -> ArrowSchema:
    out = ArrowSchema()
    schema._export_to_c(ctypes.addressof(out))
    if tracker is not None:
        tracker.wrap_schema(out, key)
    return out


def export_batch(
    batch: pa.RecordBatch, tracker: h.ReleaseTracker | None, key: str = "batch"
) -> tuple[ArrowArray, ArrowSchema]:
    arr, schema = ArrowArray(), ArrowSchema()
    batch._export_to_c(ctypes.addressof(arr), ctypes.addressof(schema))
    if tracker is not None:
        tracker.wrap_array(arr, key + ".array")
        tracker.wrap_schema(schema, key + ".schema")
    return arr, schema


def assert_moved(function: str, *structs: ArrowArray | ArrowSchema | None) -> None:
    for s in structs:
        if s is not None and s.release:
            raise OwnershipError(f"{function}: an input was not moved (release still set)")


def import_output(
    arr: ArrowArray, schema: ArrowSchema, tracker: h.ReleaseTracker | None, key: str
) -> pa.RecordBatch:
    if tracker is not None:
        tracker.wrap_array(arr, key + ".array")
        tracker.wrap_schema(schema, key + ".schema")
    batch = pa.RecordBatch._import_from_c(ctypes.addressof(arr), ctypes.addressof(schema))
    if arr.release or schema.release:
        raise OwnershipError(f"{key}: pyarrow did not move the output")
    return batch


def check_exported_batch(batch: pa.RecordBatch) -> None:
    """c-abi.md §4.6: offset 0 and exact null counts (visible through pyarrow's validation)."""
    batch.validate(full=True)


def read_stream(
    stream: ArrowArrayStream, tracker: h.ReleaseTracker | None, key: str = "stream"
) -> pa.Table:
    """Consume a library-exported stream by hand (every batch tracked), then release it.
    Checks §8.8 item 3: no zero-row batches."""
    if tracker is not None:
        tracker.wrap_stream(stream, key)
    schema = ArrowSchema()
    rc = stream.get_schema(ctypes.byref(stream), ctypes.byref(schema))
    if rc != 0:
        raise AssertionError(f"get_schema returned {rc}: {_stream_error(stream)}")
    if tracker is not None:
        tracker.wrap_schema(schema, key + ".schema")
    pa_schema = pa.Schema._import_from_c(ctypes.addressof(schema))
    batches: list[pa.RecordBatch] = []
    for k in range(1_000_000):
        arr = ArrowArray()
        rc = stream.get_next(ctypes.byref(stream), ctypes.byref(arr))
        if rc != 0:
            raise AssertionError(f"get_next returned {rc}: {_stream_error(stream)}")
        if not arr.release:
            break
        if tracker is not None:
            tracker.wrap_array(arr, f"{key}.batch{k}")
        b = pa.RecordBatch._import_from_c(ctypes.addressof(arr), pa_schema)
        if b.num_rows == 0:
            raise AssertionError("the query stream emitted a zero-row batch (c-abi.md §8.8)")
        batches.append(b)
    stream.release(ctypes.byref(stream))
    if stream.release:
        raise OwnershipError("the stream's release did not mark it released")
    return pa.Table.from_batches(batches, schema=pa_schema)


def _stream_error(stream: ArrowArrayStream) -> str | None:
    ptr = stream.get_last_error(ctypes.byref(stream))
    return None if not ptr else ctypes.string_at(ptr).decode("utf-8", "replace")


def _snapshot(*objs: Any) -> list[bytes]:
    return [h.struct_bytes(o) if o is not None else b"" for o in objs]


def _unchanged(function: str, before: list[bytes], *objs: Any) -> None:
    if _snapshot(*objs) != before:
        raise OwnershipError(f"{function}: an output was written on failure")


def ids_array(ids: Sequence[int]) -> Any:
    return (ctypes.c_int32 * max(len(ids), 1))(*ids)


# ---- options and worlds ----------------------------------------------------------------------


def options(
    world_id: str | bytes | None = "w",
    run_id: str | bytes | None = "r",
    store_root: str | Path | bytes | None = None,
    namespace: str | bytes | None = None,
    *,
    codec: int = _abi.ARCT_CODEC_SNAPPY,
    codec_level: int = 0,
    durability: int = _abi.ARCT_DURABILITY_NO_FSYNC,
    flags: int = 0,
    struct_size: int | None = None,
    abi_version: int = _abi.ABI_VERSION,
) -> arct_world_options:
    def enc(v: str | Path | bytes | None) -> bytes | None:
        if v is None or isinstance(v, bytes):
            return v
        return os.fsencode(v) if isinstance(v, Path) else v.encode()

    o = arct_world_options()
    o.struct_size = ctypes.sizeof(o) if struct_size is None else struct_size
    o.abi_version = abi_version
    o.world_id = enc(world_id)  # ctypes keeps the bytes alive with the struct
    o.run_id = enc(run_id)
    o.store_root = enc(store_root)
    o.store_namespace = enc(namespace)
    o.codec, o.codec_level, o.durability, o.flags = codec, codec_level, durability, flags
    return o


def create_token(
    lib: NativeLibrary, opts: arct_world_options, *, open_: bool = False, expect: int | None = 0
) -> int | None:
    fn = "arct_world_open" if open_ else "arct_world_new"
    out = ctypes.c_void_p()
    status = int(getattr(lib, fn)(ctypes.byref(opts), ctypes.byref(out)))
    if status != 0 and out.value is not None:
        raise OwnershipError(f"{fn}: *out_world written on failure")
    _finish(lib, fn, status, expect)
    if status == 0 and not out.value:
        raise AssertionError(f"{fn} succeeded with a NULL token")
    return out.value if status == 0 else None


def spec(
    kind: int = _abi.ARCT_PROCESSOR_MOVEMENT,
    dt: float = 1.0,
    priority: int = 10,
    label: bytes | None = None,
    flags: int = 0,
    struct_size: int | None = None,
) -> arct_processor_spec:
    s = arct_processor_spec()
    s.struct_size = ctypes.sizeof(s) if struct_size is None else struct_size
    s.kind, s.priority, s.flags, s.dt, s.label = kind, priority, flags, dt, label
    return s


def build_query(
    *,
    ticks: Sequence[int] | None = None,
    entity_ids: Sequence[int] | None = None,
    active_only: bool = False,
    columns: Sequence[str | bytes] | None = None,
    world_id: str | bytes | None = None,
    run_id: str | bytes | None = None,
    flags: int | None = None,
    struct_size: int | None = None,
) -> arct_query:
    q = arct_query()
    q.struct_size = ctypes.sizeof(q) if struct_size is None else struct_size
    f = 0
    keep: list[Any] = []
    if ticks is not None:
        f |= _abi.ARCT_QUERY_FILTER_TICKS
        arr = ids_array(ticks)
        keep.append(arr)
        q.ticks = ctypes.cast(arr, ctypes.POINTER(ctypes.c_int32))
        q.n_ticks = len(ticks)
    if entity_ids is not None:
        f |= _abi.ARCT_QUERY_FILTER_ENTITY_IDS
        arr = ids_array(entity_ids)
        keep.append(arr)
        q.entity_ids = ctypes.cast(arr, ctypes.POINTER(ctypes.c_int32))
        q.n_entity_ids = len(entity_ids)
    if active_only:
        f |= _abi.ARCT_QUERY_ACTIVE_ONLY
    if columns is not None:
        f |= _abi.ARCT_QUERY_PROJECT
        names = [c.encode() if isinstance(c, str) else c for c in columns]
        carr = (ctypes.c_char_p * max(len(names), 1))(*names)
        keep.append((names, carr))
        q.columns = ctypes.cast(carr, ctypes.POINTER(ctypes.c_char_p))
        q.n_columns = len(names)
    q.world_id = world_id.encode() if isinstance(world_id, str) else world_id
    q.run_id = run_id.encode() if isinstance(run_id, str) else run_id
    q.flags = f if flags is None else flags
    q._keep = keep  # type: ignore[attr-defined]
    return q


@dataclass
class StepResult:
    tick: int
    tick_sec: float
    n_tables: int
    tables: list[dict[str, Any]]


def _profile_entry(p: arct_table_profile) -> dict[str, Any]:
    return {
        "table_name": p.table_name.decode(),
        "read_prior_sec": p.read_prior_sec,
        "materialize_sec": p.materialize_sec,
        "process_sec": p.process_sec,
        "append_sec": p.append_sec,
        "live_snapshot_sec": p.live_snapshot_sec,
        "table_sec": p.table_sec,
        "rows_prior": p.rows_prior,
        "rows_appended": p.rows_appended,
    }


def _enc(name: str | bytes | None) -> bytes | None:
    return name.encode() if isinstance(name, str) else name


class World:
    """One world token and the calls on it (see the module docstring)."""

    def __init__(
        self,
        lib: NativeLibrary,
        token: int,
        tracker: h.ReleaseTracker | None,
        *,
        world_id: str = "w",
        run_id: str = "r",
        store_root: Path | None = None,
        namespace: str = "default",
    ) -> None:
        self.lib = lib
        self.token = token
        self.tracker = tracker
        self.world_id = world_id
        self.run_id = run_id
        self.store_root = store_root
        self.namespace = namespace
        self.freed = False

    # -- construction --

    @classmethod
    def create(
        cls,
        lib: NativeLibrary,
        tracker: h.ReleaseTracker | None,
        world_id: str = "w",
        run_id: str = "r",
        store_root: Path | str | None = None,
        namespace: str | None = None,
        *,
        open_: bool = False,
        durability: int = _abi.ARCT_DURABILITY_NO_FSYNC,
        codec: int = _abi.ARCT_CODEC_SNAPPY,
        codec_level: int = 0,
    ) -> World:
        opts = options(
            world_id,
            run_id,
            store_root,
            namespace,
            codec=codec,
            codec_level=codec_level,
            durability=durability,
        )
        token = create_token(lib, opts, open_=open_)
        assert token is not None
        return cls(
            lib,
            token,
            tracker,
            world_id=world_id,
            run_id=run_id,
            store_root=Path(store_root) if store_root is not None else None,
            namespace=namespace or "default",
        )

    def table_dir(self, table: str) -> Path:
        assert self.store_root is not None
        return self.store_root / self.namespace / table

    def _done(self, function: str, status: int, expect: int | None) -> int:
        return _finish(self.lib, function, status, expect)

    # -- lifecycle and inspection --

    def free(self, expect: int | None = 0) -> int:
        status = int(self.lib.arct_world_free(self.token))
        self._done("arct_world_free", status, expect)
        if status == 0:
            self.freed = True
        return status

    def last_error(self) -> tuple[int, str]:
        return self.lib.world_last_error(self.token)

    def info(self, expect: int | None = 0) -> arct_world_info:
        out = arct_world_info()
        out.struct_size = ctypes.sizeof(out)
        before = _snapshot(out)
        status = int(self.lib.arct_world_get_info(self.token, ctypes.byref(out)))
        if status != 0:
            _unchanged("arct_world_get_info", before, out)
        self._done("arct_world_get_info", status, expect)
        return out

    def tick(self, expect: int | None = 0) -> int:
        out = ctypes.c_int32(-77)
        status = int(self.lib.arct_world_tick(self.token, ctypes.byref(out)))
        if status != 0 and out.value != -77:
            raise OwnershipError("arct_world_tick: output written on failure")
        self._done("arct_world_tick", status, expect)
        return out.value

    def _listing(self, function: str, expect: int | None) -> pa.RecordBatch | None:
        arr, schema = ArrowArray(), ArrowSchema()
        status = int(
            getattr(self.lib, function)(self.token, ctypes.byref(arr), ctypes.byref(schema))
        )
        if status != 0:
            _unchanged(function, _snapshot(ArrowArray(), ArrowSchema()), arr, schema)
        self._done(function, status, expect)
        if status != 0:
            return None
        batch = import_output(arr, schema, self.tracker, _key(function, "out"))
        check_exported_batch(batch)
        return batch

    def active_tables(self, expect: int | None = 0) -> list[str]:
        b = self._listing("arct_world_active_tables", expect)
        if b is None:
            return []
        assert b.schema.equals(pa.schema([pa.field("table_name", pa.string(), False)])), b.schema
        return [str(x) for x in b.column(0).to_pylist()]

    def tables(self, expect: int | None = 0) -> list[dict[str, Any]]:
        b = self._listing("arct_world_tables", expect)
        if b is None:
            return []
        want = pa.schema(
            [
                pa.field("table_name", pa.string(), False),
                pa.field("active", pa.bool_(), False),
                pa.field("committed", pa.bool_(), False),
                pa.field("n_entities", pa.int64(), False),
            ]
        )
        assert b.schema.equals(want), b.schema
        return b.to_pylist()

    def entities(self, expect: int | None = 0) -> list[tuple[int, str]]:
        b = self._listing("arct_world_entities", expect)
        if b is None:
            return []
        want = pa.schema(
            [pa.field("entity_id", pa.int32(), False), pa.field("table_name", pa.string(), False)]
        )
        assert b.schema.equals(want), b.schema
        return [(int(r["entity_id"]), str(r["table_name"])) for r in b.to_pylist()]

    # -- tables --

    def register(
        self,
        table: str | bytes | None,
        schema: pa.Schema,
        flags: int = _abi.ARCT_REGISTER_COMPONENT_SCHEMA,
        expect: int | None = 0,
    ) -> int:
        fn = "arct_world_register_table"
        s = export_schema(schema, self.tracker, _key(fn, "in.schema"))
        status = int(
            self.lib.arct_world_register_table(self.token, _enc(table), ctypes.byref(s), flags)
        )
        assert_moved(fn, s)
        return self._done(fn, status, expect)

    # -- mutations --

    def spawn(
        self,
        table: str | bytes | None,
        batch: pa.RecordBatch,
        expect: int | None = 0,
        *,
        cap: int | None = None,
    ) -> list[int]:
        fn = "arct_world_spawn"
        arr, schema = export_batch(batch, self.tracker, _key(fn, "in"))
        cap = batch.num_rows if cap is None else cap
        out_ids = (ctypes.c_int32 * max(cap, 1))(*([-9] * max(cap, 1)))
        n = ctypes.c_int64(-9)
        before = _snapshot(out_ids, n)
        status = int(
            self.lib.arct_world_spawn(
                self.token,
                _enc(table),
                ctypes.byref(arr),
                ctypes.byref(schema),
                out_ids,
                cap,
                ctypes.byref(n),
            )
        )
        assert_moved(fn, arr, schema)
        if status != 0:
            _unchanged(fn, before, out_ids, n)
        self._done(fn, status, expect)
        if status != 0:
            return []
        assert n.value == batch.num_rows, (n.value, batch.num_rows)
        return list(out_ids[: n.value])

    def spawn_with_ids(
        self,
        table: str | bytes | None,
        batch: pa.RecordBatch,
        ids: Sequence[int],
        expect: int | None = 0,
        *,
        n_ids: int | None = None,
    ) -> int:
        fn = "arct_world_spawn_with_ids"
        arr, schema = export_batch(batch, self.tracker, _key(fn, "in"))
        status = int(
            self.lib.arct_world_spawn_with_ids(
                self.token,
                _enc(table),
                ctypes.byref(arr),
                ctypes.byref(schema),
                ids_array(ids),
                len(ids) if n_ids is None else n_ids,
            )
        )
        assert_moved(fn, arr, schema)
        return self._done(fn, status, expect)

    def reserve(self, n: int, expect: int | None = 0) -> int:
        out = ctypes.c_int32(-9)
        status = int(self.lib.arct_world_reserve_ids(self.token, n, ctypes.byref(out)))
        if status != 0 and out.value != -9:
            raise OwnershipError("arct_world_reserve_ids: output written on failure")
        self._done("arct_world_reserve_ids", status, expect)
        return out.value

    def despawn(self, ids: Sequence[int], expect: int | None = 0) -> int:
        status = int(self.lib.arct_world_despawn(self.token, ids_array(ids), len(ids)))
        return self._done("arct_world_despawn", status, expect)

    def update(self, patch: pa.RecordBatch, expect: int | None = 0) -> int:
        fn = "arct_world_update"
        arr, schema = export_batch(patch, self.tracker, _key(fn, "in"))
        status = int(
            self.lib.arct_world_update(self.token, ctypes.byref(arr), ctypes.byref(schema))
        )
        assert_moved(fn, arr, schema)
        return self._done(fn, status, expect)

    def _migrate(
        self,
        fn: str,
        to_table: str | bytes | None,
        to_schema: pa.Schema | None,
        values: pa.RecordBatch | None,
        ids: Sequence[int],
        expect: int | None,
    ) -> int:
        s = (
            None
            if to_schema is None
            else export_schema(to_schema, self.tracker, _key(fn, "in.to_schema"))
        )
        pair = None if values is None else export_batch(values, self.tracker, _key(fn, "in"))
        status = int(
            getattr(self.lib, fn)(
                self.token,
                _enc(to_table),
                None if s is None else ctypes.byref(s),
                None if pair is None else ctypes.byref(pair[0]),
                None if pair is None else ctypes.byref(pair[1]),
                ids_array(ids),
                len(ids),
            )
        )
        assert_moved(fn, s, *(pair or ()))
        return self._done(fn, status, expect)

    def migrate(
        self,
        to_table: str | bytes | None,
        ids: Sequence[int],
        values: pa.RecordBatch | None = None,
        to_schema: pa.Schema | None = None,
        expect: int | None = 0,
    ) -> int:
        return self._migrate("arct_world_migrate", to_table, to_schema, values, ids, expect)

    def migrate_rows(
        self,
        to_table: str | bytes | None,
        ids: Sequence[int],
        rows: pa.RecordBatch,
        to_schema: pa.Schema | None = None,
        expect: int | None = 0,
    ) -> int:
        return self._migrate("arct_world_migrate_rows", to_table, to_schema, rows, ids, expect)

    # -- processors --

    def add_processor(
        self,
        dt: float = 1.0,
        priority: int = 10,
        label: bytes | None = None,
        kind: int = _abi.ARCT_PROCESSOR_MOVEMENT,
        expect: int | None = 0,
    ) -> int:
        s = spec(kind, dt, priority, label)
        out = ctypes.c_uint64(0)
        status = int(
            self.lib.arct_world_add_processor(self.token, ctypes.byref(s), ctypes.byref(out))
        )
        if status != 0 and out.value != 0:
            raise OwnershipError("arct_world_add_processor: output written on failure")
        self._done("arct_world_add_processor", status, expect)
        if status == 0:
            assert out.value != 0, "processor ids are non-zero"
        return out.value

    def remove_processor(self, processor_id: int, expect: int | None = 0) -> int:
        status = int(self.lib.arct_world_remove_processor(self.token, processor_id))
        return self._done("arct_world_remove_processor", status, expect)

    # -- stepping --

    def step(self, profile_cap: int | None = None, expect: int | None = 0) -> StepResult | None:
        fn = "arct_world_step"
        if profile_cap is None:
            status = int(self.lib.arct_world_step(self.token, None))
            self._done(fn, status, expect)
            return None
        tables = (arct_table_profile * max(profile_cap, 1))()
        p = arct_step_profile()
        p.struct_size = ctypes.sizeof(p)
        p.tick, p.tick_sec, p.n_tables = -5, -5.0, -5
        p.tables_cap = profile_cap
        p.tables = ctypes.cast(tables, ctypes.POINTER(arct_table_profile))
        before = _snapshot(p, tables)
        status = int(self.lib.arct_world_step(self.token, ctypes.byref(p)))
        if status != 0:
            _unchanged(fn, before, p, tables)
        self._done(fn, status, expect)
        if status != 0:
            return None
        assert p.tables_cap == profile_cap, "tables_cap is an input"
        n = min(p.n_tables, profile_cap)
        untouched = bytes(ctypes.sizeof(arct_table_profile))
        for i in range(n, profile_cap):
            assert h.struct_bytes(tables[i]) == untouched, f"profile entry {i} past n_tables"
        return StepResult(
            p.tick, p.tick_sec, p.n_tables, [_profile_entry(tables[i]) for i in range(n)]
        )

    def begin(self, table: str | bytes | None, expect: int | None = 0) -> pa.RecordBatch | None:
        fn = "arct_step_begin"
        arr, schema = ArrowArray(), ArrowSchema()
        status = int(
            self.lib.arct_step_begin(
                self.token, _enc(table), ctypes.byref(arr), ctypes.byref(schema)
            )
        )
        if status != 0:
            _unchanged(fn, _snapshot(ArrowArray(), ArrowSchema()), arr, schema)
        self._done(fn, status, expect)
        if status != 0:
            return None
        batch = import_output(arr, schema, self.tracker, _key(fn, "out"))
        check_exported_batch(batch)
        return batch

    def commit(
        self,
        table: str | bytes | None,
        batch: pa.RecordBatch,
        expect: int | None = 0,
        *,
        with_done: bool = True,
    ) -> int:
        """Returns *out_tick_done (-1 when `with_done` is False or on failure)."""
        fn = "arct_step_commit"
        arr, schema = export_batch(batch, self.tracker, _key(fn, "in"))
        done = ctypes.c_int32(-1)
        status = int(
            self.lib.arct_step_commit(
                self.token,
                _enc(table),
                ctypes.byref(arr),
                ctypes.byref(schema),
                ctypes.byref(done) if with_done else None,
            )
        )
        assert_moved(fn, arr, schema)
        if status != 0 and done.value != -1:
            raise OwnershipError("arct_step_commit: out_tick_done written on failure")
        self._done(fn, status, expect)
        if status == 0 and with_done:
            assert done.value in (0, 1), done.value
        return done.value

    def abort(self, table: str | bytes | None = None, expect: int | None = 0) -> int:
        status = int(self.lib.arct_step_abort(self.token, _enc(table)))
        return self._done("arct_step_abort", status, expect)

    def split_tick(self, processor: Any = None) -> None:
        """One complete split-step tick over the active tables (begin all, process, commit)."""
        tables = self.active_tables()
        assert tables, "split step needs an active table"
        priors = {t: self.begin(t) for t in tables}
        for i, t in enumerate(tables):
            prior = priors[t]
            assert prior is not None
            out = prior if processor is None else processor(t, prior)
            done = self.commit(t, out)
            assert done == (1 if i == len(tables) - 1 else 0), (t, done)

    # -- reads --

    def query_stream(
        self,
        table: str | bytes | None,
        query: arct_query | None = None,
        expect: int | None = 0,
    ) -> ArrowArrayStream | None:
        fn = "arct_world_query"
        out = ArrowArrayStream()
        status = int(
            self.lib.arct_world_query(
                self.token,
                _enc(table),
                None if query is None else ctypes.byref(query),
                ctypes.byref(out),
            )
        )
        if status != 0:
            _unchanged(fn, _snapshot(ArrowArrayStream()), out)
        self._done(fn, status, expect)
        return out if status == 0 else None

    def query(
        self,
        table: str | bytes | None,
        query: arct_query | None = None,
        expect: int | None = 0,
        **filters: Any,
    ) -> pa.Table | None:
        if filters:
            assert query is None
            query = build_query(**filters)
        stream = self.query_stream(table, query, expect)
        if stream is None:
            return None
        return read_stream(stream, self.tracker, _key("arct_world_query", "out"))

    def rows(self, table: str, tick: int | None = None, **filters: Any) -> list[dict[str, Any]]:
        """Committed rows of `table` (one tick, or all), base columns included, as dicts."""
        if tick is not None:
            filters["ticks"] = [tick]
        t = self.query(table, **filters)
        assert t is not None
        return t.to_pylist()


def ledger(w: World, table: str, tick: int, *cols: str) -> list[tuple[Any, ...]]:
    """engine.md §13 `ledger(t, n)`: (entity_id, active, *values) of table t at tick n."""
    return [(r["entity_id"], r["is_active"], *(r[c] for c in cols)) for r in w.rows(table, tick)]


def drain(items: Iterable[Any]) -> None:
    for _ in items:
        pass


# ---- a factory for tests -------------------------------------------------------------------------


def wait_counters(
    lib: NativeLibrary, start: tuple[int, int, int], timeout: float = 2.0
) -> tuple[int, int, int]:
    """Collect garbage until `arct_debug_counters` is back at `start` (or the timeout)."""
    import gc
    import time

    deadline = time.monotonic() + timeout
    while True:
        gc.collect()
        now = lib.debug_counters()
        if now == start or time.monotonic() > deadline:
            return now
        time.sleep(0.01)


class WorldFactory:
    """Creates worlds for one test; `close()` frees those still live and checks that the
    library's live buffers, exports and imports are back where they were at the start."""

    def __init__(self, lib: NativeLibrary, tracker: h.ReleaseTracker | None, tmp: Path) -> None:
        import gc

        self.lib = lib
        self.tracker = tracker
        self.tmp = tmp
        self.worlds: list[World] = []
        gc.collect()
        self.start_counters = lib.debug_counters()
        self._n_stores = 0

    def store(self, name: str | None = None) -> Path:
        self._n_stores += 1
        path = self.tmp / (name or f"store{self._n_stores}")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def new(
        self,
        world_id: str = "w",
        run_id: str = "r",
        store_root: Path | str | None = None,
        namespace: str | None = None,
        **kwargs: Any,
    ) -> World:
        w = World.create(self.lib, self.tracker, world_id, run_id, store_root, namespace, **kwargs)
        self.worlds.append(w)
        return w

    def open(
        self,
        world_id: str = "w",
        run_id: str = "r",
        store_root: Path | str | None = None,
        namespace: str | None = None,
        **kwargs: Any,
    ) -> World:
        return self.new(world_id, run_id, store_root, namespace, open_=True, **kwargs)

    def movement_world(self, n: int = 0, table: str = "mv", **kwargs: Any) -> World:
        w = self.new(**kwargs)
        w.register(table, MOVEMENT)
        if n:
            w.spawn(table, movement_batch(n))
        return w

    def close(self, check_counters: bool = True) -> None:
        for w in self.worlds:
            if not w.freed:
                w.free()
        self.worlds.clear()
        if check_counters:
            now = wait_counters(self.lib, self.start_counters)
            assert now == self.start_counters, (
                f"arct_debug_counters (buffers, exports, imports): {now}, "
                f"at the start of the test {self.start_counters}"
            )
