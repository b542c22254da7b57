"""The world functions of the C ABI from Python (c-abi.md §7, §8, §9): the success path of every
function, the split-step epoch state machine, ownership on every call, the profile truncation
rule, resume through `arct_world_open`, and the tick lifecycle (engine.md §4.9, §13).

Every call goes through `world_helpers.World`, which checks after each call that the Arrow
inputs were moved and, on failure, that no output was written; the `worlds` fixture then checks
that every struct crossing the boundary (inputs, outputs, stream batches) was released exactly
once and that the library's debug counters are back where they started.
"""

from __future__ import annotations

import ctypes
import math

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from archetype import _abi
from archetype._abi import ArrowArray, ArrowSchema, NativeLibrary

import world_helpers as wh
from world_helpers import MOVEMENT, POSITION, POSITION_VELOCITY, WorldFactory, ledger

P = "position"
PV = "position_velocity"


def _x(n: list[float]) -> pa.RecordBatch:
    return wh.batch_of(POSITION, position__x=n)


def _xdx(x: list[float], dx: list[float]) -> pa.RecordBatch:
    return wh.batch_of(POSITION_VELOCITY, position__x=x, velocity__dx=dx)


def _add_one(_table: str, b: pa.RecordBatch) -> pa.RecordBatch:
    """engine.md §13 `AddOne` as a Python split-step processor: x += 1."""
    i = b.schema.get_field_index("position__x")
    return b.set_column(i, b.schema.field(i), pc.add(b.column(i), 1.0))


# ---- library ---------------------------------------------------------------------------------


def test_every_world_function_is_bound(lib: NativeLibrary) -> None:
    for name in _abi.PROTOTYPES:
        assert name not in lib.missing, f"{name} is not exported by the library"


# ---- lifecycle and inspection ----------------------------------------------------------------


def test_new_world_defaults(worlds: WorldFactory) -> None:
    w = worlds.new("world-a", "run-a")
    info = w.info()
    assert info.state == _abi.ARCT_WORLD_READY
    assert info.tick == 0
    assert info.next_entity_id == 1
    assert (info.n_entities, info.n_tables) == (0, 0)
    assert info.last_failed_table == b""
    assert w.tick() == 0
    assert w.active_tables() == []
    assert w.tables() == []
    assert w.entities() == []
    assert w.last_error() == (0, "")
    # An empty world still steps (c-abi.md §8.6).
    w.step()
    assert w.tick() == 1
    assert w.info().tick == 1


def test_tokens_are_distinct_and_never_reused(lib: NativeLibrary, worlds: WorldFactory) -> None:
    seen: set[int] = set()
    for i in range(20):
        w = worlds.new(run_id=f"r{i}")
        assert w.token not in seen
        seen.add(w.token)
        w.free()
        w.free(expect=6)  # double free: BAD_HANDLE, not a crash


def test_world_info_struct_size_larger_is_accepted(
    lib: NativeLibrary, worlds: WorldFactory
) -> None:
    """A caller compiled with a bigger struct (fields appended later) is accepted; the library
    writes only the version-2 bytes (c-abi.md §2 item 4)."""
    w = worlds.new()

    class Bigger(ctypes.Structure):
        _fields_ = [("info", _abi.arct_world_info), ("extra", ctypes.c_uint8 * 16)]

    big = Bigger()
    big.info.struct_size = ctypes.sizeof(Bigger)
    ctypes.memset(ctypes.addressof(big.extra), 0x5A, 16)
    assert (
        lib.arct_world_get_info(
            w.token, ctypes.cast(ctypes.byref(big), ctypes.POINTER(_abi.arct_world_info))
        )
        == 0
    )
    assert bytes(big.extra) == b"\x5a" * 16
    assert big.info.next_entity_id == 1


def test_world_last_error_copy_rules(lib: NativeLibrary, worlds: WorldFactory) -> None:
    w = worlds.new("world-a", "run-a")
    w.register(P, POSITION)
    w.spawn("nope", _x([1.0]), expect=150)
    thread_message = lib.last_error()
    assert thread_message and thread_message.startswith("arct_world_spawn: ")
    status, message = w.last_error()
    assert status == 150
    assert message == thread_message
    # A later success does not clear it; the diagnostic does not touch the thread's last error.
    w.spawn(P, _x([1.0]))
    assert lib.last_error() is None
    assert w.last_error() == (150, message)
    lib.arct_record_batch_roundtrip(None, None, None, None)
    before = lib.last_error()
    st, ln = ctypes.c_int32(-1), ctypes.c_size_t(0)
    # buf NULL with buf_len 0: only the length.
    assert lib.arct_world_last_error(w.token, ctypes.byref(st), None, 0, ctypes.byref(ln)) == 0
    assert st.value == 150 and ln.value == len(message.encode())
    assert lib.last_error() == before
    # buf_len 1: just the NUL; buf_len 6: 5 bytes and a NUL (ASCII message).
    for cap in (1, 6, ln.value, ln.value + 1, ln.value + 50):
        buf = ctypes.create_string_buffer(b"\x7f" * (cap + 4), cap + 4)
        assert lib.arct_world_last_error(w.token, ctypes.byref(st), buf, cap, ctypes.byref(ln)) == 0
        k = min(ln.value, cap - 1)
        raw = buf.raw
        assert raw[:k] == message.encode()[:k], cap
        assert raw[k] == 0, cap
        assert raw[cap:] == b"\x7f" * 4, f"wrote past buf_len {cap}"
    assert lib.last_error() == before


def test_tables_and_entities_listings(worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(PV, POSITION_VELOCITY)
    w.register(P, POSITION)
    w.register("idle", POSITION)
    assert w.spawn(P, _x([1.0, 2.0])) == [1, 2]
    assert w.spawn(PV, _xdx([0.0], [1.0])) == [3]
    assert w.active_tables() == [P, PV]
    assert w.tables() == [
        {"table_name": "idle", "active": False, "committed": False, "n_entities": 0},
        {"table_name": P, "active": True, "committed": False, "n_entities": 2},
        {"table_name": PV, "active": True, "committed": False, "n_entities": 1},
    ]
    assert w.entities() == [(1, P), (2, P), (3, PV)]
    info = w.info()
    assert (info.n_entities, info.n_tables, info.next_entity_id) == (3, 3, 4)
    w.step()
    w.despawn([1])
    assert w.entities() == [(2, P), (3, PV)]
    assert [t["committed"] for t in w.tables()] == [False, True, True]
    w.step()
    w.despawn([2])
    w.step()  # the tombstone of 2 at tick 2
    assert w.active_tables() == [PV]
    assert w.tables()[1] == {"table_name": P, "active": False, "committed": True, "n_entities": 0}


def test_active_tables_sorted_bytewise(worlds: WorldFactory) -> None:
    w = worlds.new()
    for t in ("a", "B", "_z", "A-1", "a.b"):
        w.register(t, POSITION)
        w.spawn(t, _x([0.0]))
    assert w.active_tables() == sorted(["a", "B", "_z", "A-1", "a.b"], key=lambda s: s.encode())


# ---- registration ----------------------------------------------------------------------------


def test_register_component_and_full_forms(worlds: WorldFactory) -> None:
    w = worlds.new()
    meta_field = pa.field("tag__label", pa.string(), nullable=True, metadata={b"unit": b"none"})
    comp = pa.schema(
        [meta_field, pa.field("tag__n", pa.int64(), nullable=False)], metadata={b"top": b"dropped"}
    )
    w.register("tags", comp)
    w.register("tags", comp)  # same schema: no change
    w.register("tags", comp.remove_metadata())  # field metadata ignored in the comparison
    w.register("full", wh.full_schema(comp), flags=_abi.ARCT_REGISTER_FULL_SCHEMA)
    w.register("empty", pa.schema([]))
    assert w.info().n_tables == 3
    # Registered never stepped: a stream with the full schema and no batches (C85).
    t = w.query("tags")
    assert t is not None and t.num_rows == 0
    assert t.schema.equals(wh.full_schema(comp))
    assert t.schema.field("tag__label").metadata == {b"unit": b"none"}
    assert not t.schema.metadata
    e = w.query("empty")
    assert e is not None and e.schema.names == wh.BASE_NAMES
    w.spawn(
        "tags",
        pa.record_batch({"tag__n": pa.array([5], pa.int64()), "tag__label": pa.array(["x"])}),
    )
    w.spawn("empty", pa.RecordBatch.from_struct_array(pa.array([{}, {}], pa.struct([]))))
    w.step()
    got = w.query("tags")
    assert got is not None
    assert got.select(["tag__label", "tag__n"]).to_pylist() == [{"tag__label": "x", "tag__n": 5}]
    assert ledger(w, "empty", 0) == [(2, True), (3, True)]


def test_core_types_round_trip_through_a_world(worlds: WorldFactory) -> None:
    """engine.md C95 in small: every S1 type as a component column, spawned and read back."""
    comp = pa.schema(
        [
            pa.field("c__b", pa.bool_()),
            pa.field("c__i8", pa.int8()),
            pa.field("c__i16", pa.int16()),
            pa.field("c__i32", pa.int32()),
            pa.field("c__i64", pa.int64()),
            pa.field("c__u8", pa.uint8()),
            pa.field("c__u16", pa.uint16()),
            pa.field("c__u32", pa.uint32()),
            pa.field("c__u64", pa.uint64()),
            pa.field("c__f32", pa.float32()),
            pa.field("c__f64", pa.float64()),
            pa.field("c__s", pa.string()),
            pa.field("c__bin", pa.binary()),
            pa.field("c__d", pa.date32()),
            pa.field("c__ts", pa.timestamp("us")),
            pa.field("c__tstz", pa.timestamp("us", tz="UTC")),
            pa.field("c__l", pa.list_(pa.int64())),
            pa.field("c__st", pa.struct([("z", pa.int64()), ("w", pa.string())])),
        ]
    )
    rows = [
        [True, None, False],
        [-1, 2, None],
        [-300, None, 7],
        [1, 2**31 - 1, None],
        [None, -(2**63), 2**63 - 1],
        [0, 255, None],
        [65535, None, 1],
        [None, 2**32 - 1, 3],
        [2**64 - 1, 0, None],
        [1.5, None, -0.0],
        [math.inf, -1e300, None],
        ["", "héllo", None],
        [b"", None, b"\x00\xff"],
        [0, 19000, None],
        [0, None, 1_700_000_000_000_000],
        [None, 5, 6],
        [[], None, [1, None, 3]],
        [{"z": 1, "w": "a"}, None, {"z": None, "w": None}],
    ]
    batch = pa.RecordBatch.from_arrays(
        [pa.array(r, f.type) for r, f in zip(rows, comp, strict=True)], schema=comp
    )
    w = worlds.new()
    w.register("types", comp)
    assert w.spawn("types", batch) == [1, 2, 3]
    w.step()
    got = w.query("types")
    assert got is not None
    assert got.schema.equals(wh.full_schema(comp))
    assert got.select(comp.names).to_pylist() == pa.Table.from_batches([batch]).to_pylist()
    # A split tick hands the same values to Python.
    prior = w.begin("types")
    assert prior is not None
    assert prior.select(comp.names).to_pylist() == batch.to_pylist()
    assert w.commit("types", prior) == 1


# ---- entity ids ------------------------------------------------------------------------------


def test_auto_ids_reserve_and_explicit_ids(worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(P, POSITION)
    assert w.spawn(P, _x([1.0, 2.0, 3.0])) == [1, 2, 3]  # C10
    assert w.spawn(P, _x([4.0])) == [4]
    assert w.reserve(3) == 5  # C11
    assert w.spawn(P, _x([0.0])) == [8]
    assert w.reserve(2) == 9
    w.spawn_with_ids(P, _x([10.0, 11.0]), [6, 5])  # reserved, in any order
    w.spawn_with_ids(P, _x([20.0]), [20])  # above the counter: bumps it (C14)
    assert w.info().next_entity_id == 21
    assert w.spawn(P, _x([21.0])) == [21]
    w.spawn_with_ids(P, _x([]), [])  # zero rows, zero ids
    w.step()
    assert [r[0] for r in ledger(w, P, 0)] == [1, 2, 3, 4, 8, 6, 5, 20, 21]


def test_spawn_out_ids_capacity_larger_than_rows(lib: NativeLibrary, worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(P, POSITION)
    arr, schema = wh.export_batch(_x([1.0, 2.0]), worlds.tracker, "spawn.in")
    out = (ctypes.c_int32 * 5)(*([-9] * 5))
    n = ctypes.c_int64(-1)
    assert (
        lib.arct_world_spawn(
            w.token, P.encode(), ctypes.byref(arr), ctypes.byref(schema), out, 5, ctypes.byref(n)
        )
        == 0
    )
    assert n.value == 2
    assert list(out) == [1, 2, -9, -9, -9]
    # out_ids may be NULL when out_ids_cap is 0 (a zero-row spawn).
    arr, schema = wh.export_batch(_x([]), worlds.tracker, "spawn0.in")
    assert (
        lib.arct_world_spawn(
            w.token, P.encode(), ctypes.byref(arr), ctypes.byref(schema), None, 0, ctypes.byref(n)
        )
        == 0
    )
    assert n.value == 0
    assert not arr.release and not schema.release


def test_zero_row_spawn_is_a_no_op(worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(P, POSITION)
    assert w.spawn(P, _x([])) == []  # C27
    assert w.active_tables() == []
    w.step()
    assert w.tick() == 1
    assert w.rows(P) == []


def test_ids_at_int32_max(worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(P, POSITION)
    w.spawn_with_ids(P, _x([1.0]), [wh.INT32_MAX])  # C17
    assert w.info().next_entity_id == 2**31
    w.spawn(P, _x([2.0]), expect=155)
    w.reserve(1, expect=155)
    assert w.entities() == [(wh.INT32_MAX, P)]
    w.step()
    assert ledger(w, P, 0, "position__x") == [(wh.INT32_MAX, True, 1.0)]


# ---- tick lifecycle --------------------------------------------------------------------------


def test_spawn_raw_at_spawn_tick_native(worlds: WorldFactory) -> None:
    """C19/C20 with the native movement processor: x₀ raw at tick N, moved from N+1."""
    w = worlds.new()
    w.register("mv", MOVEMENT)
    pid = w.add_processor(dt=0.5)
    assert pid != 0
    w.spawn("mv", wh.movement_batch(2, x0=10.0, dx=2.0, dy=-1.0))
    for _ in range(2):
        w.step()
    w.spawn("mv", wh.movement_batch(1, x0=100.0, dx=2.0, dy=-1.0))
    for _ in range(2):
        w.step()
    cols = ("position__x", "position__y")
    assert ledger(w, "mv", 0, *cols) == [(1, True, 10.0, 0.0), (2, True, 11.0, 0.0)]
    assert ledger(w, "mv", 1, *cols) == [(1, True, 11.0, -0.5), (2, True, 12.0, -0.5)]
    assert ledger(w, "mv", 2, *cols) == [
        (1, True, 12.0, -1.0),
        (2, True, 13.0, -1.0),
        (3, True, 100.0, 0.0),
    ]
    assert ledger(w, "mv", 3, *cols) == [
        (1, True, 13.0, -1.5),
        (2, True, 14.0, -1.5),
        (3, True, 101.0, -0.5),
    ]
    rows = w.rows("mv", 3)
    assert {(r["world_id"], r["run_id"], r["tick"]) for r in rows} == {("w", "r", 3)}


def test_spawn_raw_at_spawn_tick_split(worlds: WorldFactory) -> None:
    """The same with a Python processor between begin and commit (C74): the begin export holds
    no staged rows, so a spawn at tick N is raw at N and moved from N+1."""
    w = worlds.new()
    w.register("mv", MOVEMENT)
    w.add_processor(dt=100.0)  # never run by a split step (c-abi.md §9.6)
    w.spawn("mv", wh.movement_batch(2, x0=10.0, dx=2.0, dy=-1.0))
    prior = w.begin("mv")
    assert prior is not None and prior.num_rows == 0
    assert prior.schema.equals(wh.full_schema(MOVEMENT))
    assert w.commit("mv", wh.move(prior, 0.5)) == 1
    w.spawn("mv", wh.movement_batch(1, x0=100.0, dx=2.0, dy=-1.0))
    prior = w.begin("mv")
    assert prior is not None and prior.column("entity_id").to_pylist() == [1, 2]
    assert w.commit("mv", wh.move(prior, 0.5)) == 1
    w.split_tick(lambda _t, b: wh.move(b, 0.5))
    cols = ("position__x", "position__y")
    assert ledger(w, "mv", 0, *cols) == [(1, True, 10.0, 0.0), (2, True, 11.0, 0.0)]
    assert ledger(w, "mv", 1, *cols) == [
        (1, True, 11.0, -0.5),
        (2, True, 12.0, -0.5),
        (3, True, 100.0, 0.0),
    ]
    assert ledger(w, "mv", 2, *cols) == [
        (1, True, 12.0, -1.0),
        (2, True, 13.0, -1.0),
        (3, True, 101.0, -0.5),
    ]


def test_split_step_ledger_equals_native_step(worlds: WorldFactory) -> None:
    native = worlds.new(run_id="native")
    split = worlds.new(run_id="split")
    for w in (native, split):
        w.register("mv", MOVEMENT)
        w.register(P, POSITION)
    native.add_processor(dt=0.25)
    for k in range(6):
        for w in (native, split):
            if k % 2 == 0:
                w.spawn("mv", wh.movement_batch(3, x0=float(k), dx=1.0, dy=0.5))
                w.spawn(P, _x([float(k)]))
            if k == 3:
                w.despawn([2])
                w.update(
                    pa.record_batch(
                        {"entity_id": pa.array([1], pa.int32()), "position__y": pa.array([7.0])}
                    )
                )
        native.step()
        split.split_tick(lambda t, b: wh.move(b, 0.25) if t == "mv" else b)
    for table in ("mv", P):
        a = native.query(table)
        b = split.query(table)
        assert a is not None and b is not None
        assert a.drop_columns(["run_id"]).equals(b.drop_columns(["run_id"])), table


def test_split_step_checks_hold_after_repeated_ticks(worlds: WorldFactory) -> None:
    """The library converts and checks a table name, and checks a batch's types, once per world
    while a host repeats them tick after tick (c-abi.md §4.7, §4.5 S1): every other name and
    every other schema is still checked in full."""
    w = worlds.new()
    w.register(P, POSITION)
    w.register("positiom", POSITION)  # same length, one byte apart
    w.spawn(P, _x([1.0, 2.0]))
    for _ in range(3):
        w.split_tick(_add_one)
    w.begin("positiom", expect=151)  # registered, not active
    w.begin("bad name", expect=154)
    w.begin("bad name", expect=154)  # the same bad name again: still refused
    w.begin(b"posi\xfftion", expect=5)
    w.begin("unknown", expect=150)
    prior = w.begin(P)
    assert prior is not None
    # A column of a type outside the engine's set, after the same schema passed three times.
    i = prior.schema.get_field_index("world_id")
    bad = prior.set_column(
        i,
        pa.field("world_id", pa.dictionary(pa.int32(), pa.string())),
        prior.column(i).dictionary_encode(),
    )
    w.commit(P, bad, expect=1)
    assert w.info().state == _abi.ARCT_WORLD_READY  # a data-path failure closes the epoch
    assert w.tick() == 3
    w.split_tick(_add_one)
    assert w.tick() == 4
    before = sorted(r["position__x"] for r in w.rows(P, 2))
    assert sorted(r["position__x"] for r in w.rows(P, 3)) == [x + 1.0 for x in before]


def test_despawn_semantics(worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(P, POSITION)
    w.spawn(P, _x([1.5]))
    w.step()
    w.despawn([1])  # C31
    w.step()
    assert ledger(w, P, 0) == [(1, True)]
    assert ledger(w, P, 1) == [(1, False)]
    assert w.rows(P, 1, active_only=True) == []
    w.step()  # C33: nothing at tick 2
    assert w.rows(P, 2) == []
    assert w.tick() == 3
    assert w.active_tables() == []
    # C34: a despawn in the spawn tick cancels the spawn.
    assert w.spawn(P, _x([1.5, 2.5])) == [2, 3]
    w.despawn([2])
    w.step()
    assert ledger(w, P, 3, "position__x") == [(3, True, 2.5)]
    assert w.rows(P, entity_ids=[2]) == []
    # C35: the same for reserved ids.
    r = w.reserve(1)
    w.spawn_with_ids(P, _x([99.0]), [r])
    w.despawn([r])
    w.despawn([3])
    w.step()
    assert ledger(w, P, 4) == [(3, False)]
    w.despawn([3], expect=152)


def test_tombstones_pass_through_processors(worlds: WorldFactory) -> None:
    """C32 with the split step: the despawned row reaches the processor (is_active false)."""
    w = worlds.new()
    w.register(P, POSITION)
    w.spawn(P, _x([1.5]))
    w.step()
    w.despawn([1])
    prior = w.begin(P)
    assert prior is not None
    assert prior.column("is_active").to_pylist() == [False]
    w.commit(P, _add_one(P, prior))
    assert ledger(w, P, 1, "position__x") == [(1, False, 2.5)]


def test_update_semantics(worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(P, POSITION)
    w.register(PV, POSITION_VELOCITY)
    w.spawn(P, _x([1.0]))
    w.split_tick(_add_one)  # tick 0: raw 1
    w.update(
        pa.record_batch({"entity_id": pa.array([1], pa.int32()), "position__x": pa.array([5.0])})
    )
    w.split_tick(_add_one)  # C38
    assert ledger(w, P, 1, "position__x") == [(1, False, 2.0), (1, True, 5.0)]
    w.split_tick(_add_one)
    assert ledger(w, P, 2, "position__x") == [(1, True, 6.0)]
    # C39: partial updates compose.
    w.spawn(PV, _xdx([1.0], [0.0]))  # id 2
    w.step()
    pid = pa.array([2], pa.int32())
    w.update(pa.record_batch({"entity_id": pid, "position__x": pa.array([5.0])}))
    w.update(pa.record_batch({"entity_id": pid, "velocity__dx": pa.array([9.0])}))
    w.step()
    assert ledger(w, PV, 4, "position__x", "velocity__dx") == [
        (2, False, 1.0, 0.0),
        (2, True, 5.0, 9.0),
    ]
    # C40: updating a staged spawn rewrites it, no tombstone.
    (e,) = w.spawn(P, _x([3.0]))
    w.update(
        pa.record_batch({"entity_id": pa.array([e], pa.int32()), "position__x": pa.array([4.0])})
    )
    w.step()
    assert ledger(w, P, 5, "position__x") == [(1, True, 6.0), (e, True, 4.0)]
    # Two rows for one entity in one patch compose in order; a patch with only entity_id.
    w.update(
        pa.record_batch(
            {"entity_id": pa.array([1, 1], pa.int32()), "position__x": pa.array([7.0, 8.0])}
        )
    )
    w.update(pa.record_batch({"entity_id": pa.array([e], pa.int32())}))
    w.step()
    assert ledger(w, P, 6, "position__x") == [
        (1, False, 6.0),
        (e, False, 4.0),
        (1, True, 8.0),
        (e, True, 4.0),
    ]


def test_update_landing_positions(worlds: WorldFactory) -> None:
    """C43: the overlay row lands after the staged rows; a consumed staged row keeps its place."""
    w = worlds.new()
    w.register(P, POSITION)
    w.spawn(P, _x([1.0, 2.0, 3.0]))
    w.step()
    w.update(
        pa.record_batch({"entity_id": pa.array([1], pa.int32()), "position__x": pa.array([10.0])})
    )
    assert w.spawn(P, _x([0.0])) == [4]
    assert w.spawn(P, _x([0.5])) == [5]
    w.update(
        pa.record_batch({"entity_id": pa.array([4], pa.int32()), "position__x": pa.array([9.0])})
    )
    w.step()
    assert ledger(w, P, 1, "position__x") == [
        (1, False, 1.0),
        (2, True, 2.0),
        (3, True, 3.0),
        (1, True, 10.0),
        (4, True, 9.0),
        (5, True, 0.5),
    ]


def test_update_then_despawn(worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(P, POSITION)
    w.spawn(P, _x([1.0]))
    w.step()
    w.update(
        pa.record_batch({"entity_id": pa.array([1], pa.int32()), "position__x": pa.array([5.0])})
    )
    w.despawn([1])  # C42
    w.step()
    assert ledger(w, P, 1, "position__x") == [(1, False, 1.0)]


def test_migrate_semantics(worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(P, POSITION)
    w.spawn(P, _x([1.0]))
    w.split_tick(_add_one)
    # C44 with to_schema: migrate registers the target table.
    w.migrate(PV, [1], pa.record_batch({"velocity__dx": pa.array([2.0])}), POSITION_VELOCITY)
    assert w.entities() == [(1, PV)]
    assert w.active_tables() == [P, PV]
    w.split_tick(_add_one)
    assert ledger(w, P, 1, "position__x") == [(1, False, 2.0)]
    assert ledger(w, PV, 1, "position__x", "velocity__dx") == [(1, True, 1.0, 2.0)]
    w.split_tick(_add_one)  # C55: P drops out
    assert ledger(w, PV, 2, "position__x", "velocity__dx") == [(1, True, 2.0, 2.0)]
    assert w.rows(P, 2) == []
    # C45: removing a component drops its columns (values NULL: "no supplied values").
    w.migrate(P, [1])
    w.step()
    assert ledger(w, PV, 3) == [(1, False)]
    assert ledger(w, P, 3, "position__x") == [(1, True, 2.0)]
    # C46: migrating a same-tick spawn moves the staged row.
    (e,) = w.spawn(P, _x([3.0]))
    w.migrate(PV, [e], pa.record_batch({"velocity__dx": pa.array([4.0])}))
    w.step()
    assert [r[0] for r in ledger(w, P, 4)] == [1]
    assert ledger(w, PV, 4, "position__x", "velocity__dx") == [(e, True, 3.0, 4.0)]


def test_migrate_compositions(worlds: WorldFactory) -> None:
    w = worlds.new()
    w.register(P, POSITION)
    w.register(PV, POSITION_VELOCITY)
    w.register("empty", pa.schema([]))
    w.register("velocity", pa.schema([pa.field("velocity__dx", pa.float64(), False)]))
    w.spawn(P, _x([1.0, 1.0]))  # 1, 2
    w.step()
    # C48: update then migrate.
    w.update(
        pa.record_batch({"entity_id": pa.array([1], pa.int32()), "position__x": pa.array([5.0])})
    )
    w.migrate(PV, [1], pa.record_batch({"velocity__dx": pa.array([2.0])}))
    # C49: migrate then despawn.
    w.migrate(PV, [2], pa.record_batch({"velocity__dx": pa.array([2.0])}))
    w.despawn([2])
    w.step()
    assert ledger(w, P, 1, "position__x") == [(1, False, 1.0), (2, False, 1.0)]
    assert ledger(w, PV, 1, "position__x", "velocity__dx") == [(1, True, 5.0, 2.0)]
    # C53: full-row migration ignores the old values.
    w.migrate_rows(P, [1], _x([10.0]))
    w.step()
    assert ledger(w, P, 2, "position__x") == [(1, True, 10.0)]
    assert ledger(w, PV, 2) == [(1, False)]
    # C47: from an empty-schema table.
    (e,) = w.spawn("empty", pa.RecordBatch.from_struct_array(pa.array([{}], pa.struct([]))))
    w.migrate("velocity", [e], pa.record_batch({"velocity__dx": pa.array([4.0])}))
    assert "empty" not in w.active_tables()
    w.step()
    assert ledger(w, "velocity", 3, "velocity__dx") == [(e, True, 4.0)]
    assert w.rows("empty") == []
    # migrate_rows with to_schema registers the target; a spawned-this-tick entity moves.
    (f,) = w.spawn(P, _x([0.0]))
    w.migrate_rows("pv2", [f], _xdx([3.0], [1.0]), POSITION_VELOCITY)
    w.step()
    assert ledger(w, "pv2", 4, "position__x", "velocity__dx") == [(f, True, 3.0, 1.0)]
    assert [r[0] for r in ledger(w, P, 4)] == [1]


# ---- processors ------------------------------------------------------------------------------


def test_processor_apply_and_priorities(lib: NativeLibrary, worlds: WorldFactory) -> None:
    tracker = worlds.tracker
    assert tracker is not None
    batch = pa.record_batch(
        {
            "entity_id": pa.array([1, 2], pa.int32()),
            "position__x": pa.array([0.1, 10.0]),
            "position__y": pa.array([1.0, 2.0]),
            "velocity__dx": pa.array([1.1, 3.0]),
            "velocity__dy": pa.array([-0.5, 1.5]),
            "other": pa.array(["a", None]),
        }
    )
    s = wh.spec(dt=0.3, label=b"mover")
    arr, schema = wh.export_batch(batch, tracker, "apply.in")
    out_a, out_s = ArrowArray(), ArrowSchema()
    status = lib.arct_processor_apply(
        ctypes.byref(s),
        ctypes.byref(arr),
        ctypes.byref(schema),
        ctypes.byref(out_a),
        ctypes.byref(out_s),
        7,
    )
    assert status == 0, lib.last_error()
    assert not arr.release and not schema.release
    got = wh.import_output(out_a, out_s, tracker, "apply.out")
    assert got.schema.equals(batch.schema)
    assert (
        got.column("position__x").to_pylist()[0] == 0.1 + 1.1 * 0.3
    )  # no FMA: 0.43000000000000005
    assert got.column("position__x").to_pylist()[0] == 0.43000000000000005
    assert got.column("position__y").to_pylist() == [1.0 - 0.5 * 0.3, 2.0 + 1.5 * 0.3]
    assert got.column("other").equals(batch.column("other"))
    # Processors in a world: add, remove, re-add; two movement processors both run, in order.
    w = worlds.new()
    w.register("mv", MOVEMENT)
    w.spawn("mv", wh.movement_batch(1, dx=1.0, dy=1.0))
    a = w.add_processor(dt=1.0, priority=10)
    b = w.add_processor(dt=2.0, priority=5, label=b"second")
    assert a != b
    w.step()
    w.step()
    assert ledger(w, "mv", 1, "position__x") == [(1, True, 3.0)]
    w.remove_processor(b)
    w.remove_processor(b, expect=8)
    w.step()
    assert ledger(w, "mv", 2, "position__x") == [(1, True, 4.0)]
    w.remove_processor(a)
    w.step()
    assert ledger(w, "mv", 3, "position__x") == [(1, True, 4.0)]
    # Permissive skip: a table without the movement columns passes through.
    w.register(P, POSITION)
    w.add_processor()
    w.spawn(P, _x([1.0]))
    w.step()
    w.step()
    assert ledger(w, P, 5, "position__x") == [(2, True, 1.0)]


# ---- the epoch state machine -----------------------------------------------------------------


def test_epoch_state_machine(worlds: WorldFactory) -> None:
    """C75, C76 (c-abi.md §9.2): protocol errors leave the epoch unchanged."""
    w = worlds.new()
    w.register(P, POSITION)
    w.register(PV, POSITION_VELOCITY)
    w.register("other", POSITION)
    w.spawn(P, _x([1.0]))
    w.spawn(PV, _xdx([2.0], [1.0]))
    w.step()  # tick 0 published
    w.commit(P, _x([1.0]), expect=101)  # no epoch
    w.begin("other", expect=151)  # registered, not active: no epoch opens
    w.begin("unknown", expect=150)
    assert w.info().state == _abi.ARCT_WORLD_READY
    w.abort(expect=101)
    w.abort(P, expect=101)
    prior_p = w.begin(P)
    assert prior_p is not None and prior_p.num_rows == 1
    info = w.info()
    assert info.state == _abi.ARCT_WORLD_EPOCH_OPEN
    assert info.tick == 1 and w.tick() == 1
    assert w.active_tables() == [P, PV]
    w.begin(P, expect=100)
    w.commit(PV, _xdx([2.0], [1.0]), expect=101)  # PV pending
    w.begin("other", expect=102)
    w.commit("other", _x([1.0]), expect=102)
    w.abort("other", expect=102)
    w.spawn(P, _x([3.0]), expect=104)
    w.register("late", POSITION, expect=104)
    w.add_processor(expect=104)
    assert w.reserve(1) == 3
    w.step(expect=100)
    # Reads work during the epoch and see only the committed history.
    assert len(w.rows(P)) == 1
    assert w.info().state == _abi.ARCT_WORLD_EPOCH_OPEN
    # Commit P (held, nothing published), then abort: nothing published, tick unchanged.
    assert w.commit(P, prior_p) == 0
    w.commit(P, prior_p, expect=101)  # already committed
    w.begin(P, expect=100)
    assert w.rows(P, 1) == []
    w.abort()
    assert w.info().state == _abi.ARCT_WORLD_READY
    assert w.tick() == 1
    w.commit(P, prior_p, expect=101)
    # A new epoch: begins in any order, commits in any order, publish at the last commit.
    pv = w.begin(PV)
    p = w.begin(P)
    assert pv is not None and p is not None
    assert w.commit(PV, pv) == 0
    assert w.rows(PV, 1) == []
    assert w.commit(P, p, with_done=False) == -1  # out_tick_done may be NULL
    assert w.tick() == 2
    assert w.info().state == _abi.ARCT_WORLD_READY
    assert len(w.rows(P, 1)) == 1 and len(w.rows(PV, 1)) == 1
    # Abort naming a table of the frozen set closes the epoch too.
    w.begin(P)
    w.abort(PV)
    assert w.info().state == _abi.ARCT_WORLD_READY and w.tick() == 2
    w.step()
    assert w.tick() == 3


def test_publish_order_is_by_name_not_commit_order(worlds: WorldFactory) -> None:
    """C24/C58 on a Parquet store: part names are monotonic per namespace, so their order
    across table directories is the append order."""
    w = worlds.new(store_root=worlds.store())
    for t in ("b", "B", "a"):
        w.register(t, POSITION)
        w.spawn(t, _x([0.0]))
    priors = {t: w.begin(t) for t in ("a", "b", "B")}
    for t in ("a", "b", "B"):  # commit order a, b, B
        batch = priors[t]
        assert batch is not None
        w.commit(t, batch)
    parts = {t: sorted(p.name for p in w.table_dir(t).glob("part-*.parquet")) for t in "abB"}
    assert all(len(v) == 1 for v in parts.values()), parts
    order = sorted("abB", key=lambda t: parts[t][0])
    assert order == ["B", "a", "b"]


def test_data_path_failure_closes_the_epoch(worlds: WorldFactory) -> None:
    """C77: a contract violation at commit closes the epoch; a new begin and commit work."""
    w = worlds.new()
    w.register(P, POSITION)
    w.spawn(P, _x([1.0]))
    w.step()
    prior = w.begin(P)
    assert prior is not None
    w.commit(P, prior.slice(0, 0), expect=302)
    assert w.info().state == _abi.ARCT_WORLD_READY
    assert w.info().last_failed_table == P.encode()
    assert w.tick() == 1
    w.commit(P, prior, expect=101)
    again = w.begin(P)
    assert again is not None
    assert w.commit(P, again) == 1
    assert w.tick() == 2


def test_free_discards_an_open_epoch(worlds: WorldFactory) -> None:
    store = worlds.store()
    w = worlds.new(store_root=store)
    w.register(P, POSITION)
    w.spawn(P, _x([1.0]))
    w.step()
    prior = w.begin(P)
    assert prior is not None
    w.free()
    assert prior.num_rows == 1  # the export stays valid after free
    r = worlds.open(store_root=store)
    assert r.tick() == 1
    assert r.rows(P, 1) == []


# ---- profile ---------------------------------------------------------------------------------


def _check_profile(res: wh.StepResult, names: list[str]) -> None:
    assert [t["table_name"] for t in res.tables] == names
    phases = ("read_prior_sec", "materialize_sec", "process_sec", "append_sec", "live_snapshot_sec")
    total = 0.0
    for t in res.tables:
        for p in (*phases, "table_sec"):
            assert t[p] >= 0.0 and math.isfinite(t[p]), (t, p)
        assert t["table_sec"] + 1e-9 >= sum(t[p] for p in phases), t
        total += t["table_sec"]
    assert res.tick_sec + 1e-9 >= total


def test_profile_truncation(lib: NativeLibrary, worlds: WorldFactory) -> None:
    w = worlds.new()
    for t in ("c", "a", "b"):
        w.register(t, MOVEMENT)
        w.spawn(t, wh.movement_batch(2 if t == "b" else 1))
    w.add_processor()
    full = w.step(profile_cap=5)
    assert full is not None
    assert (full.tick, full.n_tables) == (0, 3)
    _check_profile(full, ["a", "b", "c"])
    assert [t["rows_prior"] for t in full.tables] == [0, 0, 0]
    assert [t["rows_appended"] for t in full.tables] == [1, 2, 1]
    one = w.step(profile_cap=1)  # truncation is not an error
    assert one is not None and (one.tick, one.n_tables) == (1, 3)
    _check_profile(one, ["a"])
    assert one.tables[0]["rows_prior"] == 1
    zero = w.step(profile_cap=0)
    assert zero is not None and (zero.tick, zero.n_tables) == (2, 3) and zero.tables == []
    # tables may be NULL when tables_cap is 0.
    p = _abi.arct_step_profile()
    p.struct_size = ctypes.sizeof(p)
    assert lib.arct_world_step(w.token, ctypes.byref(p)) == 0
    assert (p.tick, p.n_tables, p.tables_cap) == (3, 3, 0)
    assert p.tick_sec >= 0.0
    # An empty world: n_tables 0.
    e = worlds.new(run_id="empty").step(profile_cap=2)
    assert e is not None and (e.tick, e.n_tables, e.tables) == (0, 0, [])


# ---- queries ---------------------------------------------------------------------------------


def test_query_filters_projection_and_other_runs(worlds: WorldFactory) -> None:
    store = worlds.store()
    w = worlds.new("world-a", "run-a", store_root=store)
    w.register(PV, POSITION_VELOCITY)
    w.spawn(PV, _xdx([0.0, 10.0, 20.0], [1.0, 2.0, 3.0]))
    w.step()
    w.despawn([2])
    w.step()
    w.step()
    assert [r["tick"] for r in w.rows(PV)] == [0, 0, 0, 1, 1, 1, 2, 2]
    assert [r["entity_id"] for r in w.rows(PV, ticks=[1])] == [1, 2, 3]
    assert [r["entity_id"] for r in w.rows(PV, ticks=[1], active_only=True)] == [1, 3]
    assert [r["tick"] for r in w.rows(PV, entity_ids=[2])] == [0, 1]
    assert w.rows(PV, ticks=[]) == []
    assert w.rows(PV, ticks=[999]) == []
    assert [r["tick"] for r in w.rows(PV, ticks=[2, 0], entity_ids=[3, 1])] == [0, 0, 2, 2]
    t = w.query(PV, columns=["velocity__dx", "entity_id"], ticks=[0])
    assert t is not None
    assert t.schema.names == ["velocity__dx", "entity_id"]
    assert t.schema.field("entity_id").type == pa.int32()
    assert not t.schema.field("entity_id").nullable
    assert t.to_pylist() == [
        {"velocity__dx": 1.0, "entity_id": 1},
        {"velocity__dx": 2.0, "entity_id": 2},
        {"velocity__dx": 3.0, "entity_id": 3},
    ]
    # Another run in the same namespace and process, and queries across runs.
    other = worlds.new("world-a", "run-b", store_root=store)
    assert other.tick() == 0
    other.register(PV, POSITION_VELOCITY)
    other.spawn(PV, _xdx([5.0], [5.0]))
    other.step()
    assert len(other.rows(PV)) == 1
    assert len(other.rows(PV, run_id="run-a")) == 8
    assert len(w.rows(PV, run_id="run-b")) == 1
    assert w.rows(PV, world_id="world-z") == []
    # A table known only from the store (another run wrote it) is queryable.
    other.register("only_b", POSITION)
    other.spawn("only_b", _x([1.0]))
    other.step()
    assert len(w.rows("only_b", run_id="run-b")) == 1
    assert w.rows("only_b") == []


def test_query_stream_is_a_snapshot_and_read_by_pyarrow(worlds: WorldFactory) -> None:
    """§8.8 item 1: the set of parts is fixed when the query is made. The stream is imported
    with pa.RecordBatchReader._import_from_c."""
    w = worlds.new(store_root=worlds.store())
    w.register(P, POSITION)
    w.spawn(P, _x([1.0, 2.0]))
    w.step()
    stream = w.query_stream(P)
    assert stream is not None
    worlds.tracker.wrap_stream(stream, "pyarrow.stream")  # type: ignore[union-attr]
    w.step()
    w.step()
    reader = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))
    assert not stream.release
    table = reader.read_all()
    assert table.num_rows == 2
    assert table.schema.equals(wh.full_schema(POSITION))
    del reader, table
    assert len(w.rows(P)) == 6


def test_query_of_memory_world_sees_all_ticks(worlds: WorldFactory) -> None:
    w = worlds.movement_world(100)
    w.add_processor()
    for _ in range(5):
        w.step()
    t = w.query("mv", ticks=[4], active_only=True)
    assert t is not None
    assert t.column("position__x").to_pylist() == [i + 4.0 for i in range(100)]


# ---- resume and the store files --------------------------------------------------------------


def test_resume_with_open(worlds: WorldFactory) -> None:
    store = worlds.store()
    w = worlds.new("world-a", "run-a", store_root=store, namespace="ns1")
    w.register("mv", MOVEMENT)
    w.register(P, POSITION)
    w.add_processor(dt=1.0)
    w.spawn("mv", wh.movement_batch(2, x0=5.0, dx=1.0, dy=0.0))
    w.spawn(P, _x([7.0]))
    for _ in range(3):
        w.step()
    w.despawn([1])  # spawned at tick 0, despawned at tick 3
    w.step()
    w.free()
    # pyarrow reads what the store wrote.
    table_dir = store / "ns1" / "mv"
    files = sorted(table_dir.iterdir())
    assert files and all(f.name.startswith("part-") and f.suffix == ".parquet" for f in files)
    assert len(files) == 4
    t = pq.read_table(table_dir)
    assert t.num_rows == 2 + 2 + 2 + 2
    assert t.schema.equals(wh.full_schema(MOVEMENT))
    assert sorted(set(t.column("tick").to_pylist())) == [0, 1, 2, 3]
    last = t.filter(pc.equal(t.column("tick"), 3)).to_pylist()
    assert [(r["entity_id"], r["is_active"], r["position__x"]) for r in last] == [
        (1, False, 8.0),
        (2, True, 9.0),
    ]
    md = pq.read_metadata(files[0])
    assert b"ARROW:schema" in (md.metadata or {})
    # Resume.
    r = worlds.open("world-a", "run-a", store_root=store, namespace="ns1")
    info = r.info()
    assert (info.tick, info.next_entity_id, info.n_tables, info.n_entities) == (4, 4, 2, 2)
    assert r.entities() == [(2, "mv"), (3, P)]
    assert r.active_tables() == ["mv", P]
    assert [t["committed"] for t in r.tables()] == [True, True]
    r.add_processor(dt=1.0)
    r.step()
    assert ledger(r, "mv", 4, "position__x") == [(2, True, 10.0)]
    assert ledger(r, P, 4, "position__x") == [(3, True, 7.0)]
    assert r.spawn("mv", wh.movement_batch(1)) == [4]  # ids are never reused
    r.despawn([2])
    r.step()
    assert ledger(r, "mv", 5, "position__x") == [(2, False, 11.0), (4, True, 0.0)]
    # Registration of a resumed table with its own schema is a no-op; another is 300.
    r.register("mv", MOVEMENT)
    r.register("mv", POSITION, expect=300)
    r.free()
    # new on the same run: RUN_EXISTS; another run starts fresh (C80).
    opts = wh.options("world-a", "run-a", store, "ns1")
    assert wh.create_token(worlds.lib, opts, expect=156) is None
    fresh = worlds.open("world-a", "run-b", store_root=store, namespace="ns1")
    assert (fresh.tick(), fresh.info().next_entity_id, fresh.tables()) == (0, 1, [])
    fresh.register("mv", MOVEMENT)  # same schema as the parts on disk
    fresh.register(P, POSITION_VELOCITY, expect=300)  # one directory holds one schema (§8.3.5)


def test_open_on_an_empty_store_is_like_new(worlds: WorldFactory) -> None:
    store = worlds.store() / "does" / "not" / "exist"
    w = worlds.open(store_root=store)
    assert (w.tick(), w.info().next_entity_id) == (0, 1)
    assert (store / "default").is_dir()
    assert (store / "default" / ".archetype.lock").exists()
    w.register(P, POSITION)
    assert not (store / "default" / P).exists(), "registration creates no directory"
    w.spawn(P, _x([1.0]))
    w.step()
    assert len(list((store / "default" / P).glob("part-*.parquet"))) == 1


def test_resume_a_split_stepped_run(worlds: WorldFactory) -> None:
    store = worlds.store()
    w = worlds.new(store_root=store, durability=_abi.ARCT_DURABILITY_FSYNC)
    w.register("mv", MOVEMENT)
    w.spawn("mv", wh.movement_batch(3, x0=1.0))
    for _ in range(3):
        w.split_tick(lambda _t, b: wh.move(b, 2.0))
    w.free()
    r = worlds.open(store_root=store)
    assert r.tick() == 3
    prior = r.begin("mv")  # the snapshot loads lazily from the store (tick 2, active rows)
    assert prior is not None
    assert prior.column("position__x").to_pylist() == [5.0, 6.0, 7.0]
    assert prior.schema.equals(wh.full_schema(MOVEMENT))
    assert r.commit("mv", wh.move(prior, 2.0)) == 1
    assert [x["position__x"] for x in r.rows("mv", 3)] == [7.0, 8.0, 9.0]


@pytest.mark.parametrize(
    ("codec", "level", "name"),
    [
        (_abi.ARCT_CODEC_SNAPPY, 0, "SNAPPY"),
        (_abi.ARCT_CODEC_NONE, 0, "UNCOMPRESSED"),
        (_abi.ARCT_CODEC_ZSTD, 3, "ZSTD"),
        (_abi.ARCT_CODEC_GZIP, 9, "GZIP"),
    ],
)
def test_codecs(worlds: WorldFactory, codec: int, level: int, name: str) -> None:
    store = worlds.store()
    w = worlds.new(store_root=store, codec=codec, codec_level=level)
    w.register("mv", MOVEMENT)
    w.spawn("mv", wh.movement_batch(50))
    w.step()
    (part,) = list((store / "default" / "mv").glob("part-*.parquet"))
    md = pq.read_metadata(part)
    names = {
        md.row_group(0).column(i).path_in_schema: md.row_group(0).column(i).compression
        for i in range(md.num_columns)
    }
    assert names["position__x"] == name
    assert pq.read_table(part).num_rows == 50


def test_several_worlds_one_store(worlds: WorldFactory) -> None:
    """Several worlds (different runs, different world ids) write one namespace from one
    process (store.md §4); each sees its own rows."""
    store = worlds.store()
    ws = [worlds.new(f"world-{i % 2}", f"run-{i}", store_root=store) for i in range(4)]
    for i, w in enumerate(ws):
        w.register("mv", MOVEMENT)
        w.spawn("mv", wh.movement_batch(i + 1))
        w.step()
    for i, w in enumerate(ws):
        assert len(w.rows("mv")) == i + 1
    t = pq.read_table(store / "default" / "mv")
    assert t.num_rows == 1 + 2 + 3 + 4


def test_exports_outlive_their_world(lib: NativeLibrary, worlds: WorldFactory) -> None:
    """c-abi.md §4.4 item 3/4 from Python: begin and listing exports and query streams stay
    valid after arct_world_free (N36 runs the raw variants in a child process)."""
    w = worlds.movement_world(3)
    w.step()
    prior = w.begin("mv")
    listing = w.entities()
    stream = w.query_stream("mv")
    assert prior is not None and stream is not None
    w.free()
    assert prior.column("entity_id").to_pylist() == [1, 2, 3]
    assert listing == [(1, "mv"), (2, "mv"), (3, "mv")]
    table = wh.read_stream(stream, worlds.tracker, "after_free.stream")
    assert table.num_rows == 3
    del prior, table
