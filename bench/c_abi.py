"""Benchmark: the C ABI v2 (c-abi.md §7–§9) as Python drives it through ctypes (issue 5).

Two parts, both in one run of one process, written to `bench/results/c_abi.json`:

**per_call** — the overhead of each entry point, called in a tight Python loop with minimal
inputs on an in-memory world (`store_root` NULL). Each timed loop runs `iterations` calls,
calibrated so that one repetition of the loop takes at least `--target-ms` (50 ms); the number
reported is the median over the repetitions of (loop time / iterations), in ns, with min and max.
The time covers the ctypes call itself (argument conversion, the GIL release, the library's
work) and the Python loop around it (`for a in args: status |= fn(*a)`), which is what a Python
host pays; `ctypes_baseline` (libc `getpagesize()` in the same loop) shows that fixed part. Untimed:
building the worlds and the inputs, and releasing outputs unless a `release` part says so.

- Arrow inputs are exported by pyarrow before the loop (one export per call, since every input
  is moved); the export loop is timed on its own and reported as the `pyarrow_export` part.
- Arrow outputs go into shells prepared before the loop; releasing them (each struct's
  `release` callback called through ctypes, after the call loop) is timed as the `release` part.
- Pairs that must alternate (begin + commit, begin + abort, add + remove processor) are timed as
  the pair (`pair`); their per-function split comes from a second loop with a
  `time.perf_counter_ns()` pair around each call, minus the median cost of an empty timer
  interval measured in the same round (`timer_interval`); the split is indicative only.
- Mutations that accumulate state (spawn, spawn-with-ids, despawn, update, migrate) get a new
  world per repetition: a despawn, update or migration targets a different live entity each call
  (the entities were spawned in one batch and stepped once before the loop).

**split_step** — one tick of a world with one table `position_velocity` (the 4 float64
components of the bench.md §2 fixture; base columns added by the engine) at 1,000 and 10,000
entities, on an in-memory store so that Parquet writing is not what is measured (and, unless
`--stores memory`, also on a ParquetStore in a temp directory, snappy, durability NO_FSYNC).
Variants, each timed per tick over a loop of `ticks` ticks (calibrated like the per-call loops):

- `split_identity` (a): `arct_step_begin` → `pa.RecordBatch._import_from_c` →
  `batch._export_to_c` (unchanged) → `arct_step_commit`.
- `split_identity_calls` ("begin + commit"): the same loop with a `time.perf_counter_ns()` pair
  around `begin` and around `commit`; the tick counts only the time inside the two calls (the
  host's pyarrow import and export between them are reported as `host_pyarrow_sec`). The host
  drops its batch before `commit` (`del b`), so the library's release of the `begin` export,
  which pyarrow triggers once nothing holds it, runs inside `commit` and is counted. The cost
  of an empty timer pair, measured right after the loop over as many pairs, is subtracted from
  each call (`timer_pair_sec`, ~0.1 µs).
- `split_python_movement` (b, the real use): the same with the movement processor in
  pyarrow.compute (`x + dx·dt`, `y + dy·dt`) between the import and the export.
- `split_handback`: the `begin` export handed straight back to `commit` (no pyarrow): the
  library's own part of a split step.
- `split_native_apply`: `begin` → `arct_processor_apply` (movement) → `commit`, no pyarrow.
- `native_step` (c): `arct_world_step(world, NULL)` with the native movement processor.
- `native_step_profiled`: the same with an `arct_step_profile` (1 table entry), summed per tick
  in Python; used for the engine's phases (`tick_sec`, `process_sec`, ...).
- `pyarrow_roundtrip_x2` (d): pyarrow's own C Data round trip of the same batch (the `begin`
  export of a world of the same size, imported by pyarrow once): `batch._export_to_c(a, s)`,
  `pa.RecordBatch._import_from_c(a, s)`, then the same again on the result — twice, because a
  split step crosses the boundary twice (begin: engine → host, commit: host → engine).
- `pyarrow_movement`: the pyarrow.compute movement processor alone on that batch (reference).

Each world is new for its repetition (untimed: create, register, spawn N, tick 0 with the raw
spawns, 2 warm-up ticks of the variant); it is freed after the loop (untimed). A world runs at
most 2,000 timed ticks; a longer repetition continues on fresh worlds (untimed in between),
because the in-memory store keeps every tick's rows: a world of 10,000 entities grows by
~0.7 MB a tick, and a loop over fresh memory measures page faults more than the ABI. Repetitions of
the variants are interleaved (one of each per round, the order rotated from round to round),
1 warm-up round + `--trials` (5) measured rounds; medians, min and max over the rounds.

**engine work** = the median over rounds of the per-tick mean of (`tick_sec` - `process_sec`)
of `native_step_profiled`, both measured inside the library: everything a full native step
does except running the processors — prior (live snapshot) read, tombstones, appending staged
rows, stamping world/run/tick, the store append, the live-snapshot refresh. The split step does
all of that too. `process_sec` (subtracted) is the movement kernel plus the processor-contract
check that follows it; a split commit repeats the contract check, which therefore counts as ABI
cost, against the ABI. The ctypes cost of the `arct_world_step` call itself is not part of the
engine work either. `engine_work_alt_sec` = median(`native_step`) - median(`process_sec`) (wall
time, so one ctypes call counted as engine work) is reported as a second estimate.

**goal** (issue 5), judged on the in-memory store: begin + commit costs no more than 2×
pyarrow's own round trip beyond the work itself, i.e. `split_identity_calls` - engine work ≤
2 × one pyarrow export → import round trip = (d): `calls_beyond_work_over_pyarrow_roundtrip_x2`
≤ 1. Also reported: the ratio against a single round trip (`..._x1`, ≤ 2 for the goal), the
same with `split_handback` (begin + commit without a host in between), and the host-inclusive
reading ((a) - engine work ≤ (d), which also charges the host's own pyarrow import and export,
about one more pyarrow round trip, to the ABI; docs/decisions.md "What the split-step goal
measures").

Correctness gate first (bench.md §1): every status is checked; before timing, each world variant
runs ticks 0–3 and its active rows of tick 3 must be the closed-form values (identity:
x = i, y = 0; movement: x = i + 3, y = -1.5), the Python, native-apply and native-step
ledgers of tick 3 must be equal, and pyarrow's round trip must return the batch; after every
timed loop the world's tick must have advanced by exactly the ticks run. A failure exits 1 and
writes nothing.

The native library is the release build of `swift build -c release --scratch-path
.build-release --product ArchetypeFFI` (built by this script unless `--no-build`), loaded with
`archetype._abi.open_library` (bench.md §1.2).

    .venv/bin/python bench/c_abi.py [--no-build] [--trials 5] [--warmup 1] [--target-ms 50]
        [--sizes 1000,10000] [--stores memory,parquet] [--tmpdir DIR] [--quick]
        [--skip-per-call] [--skip-split-step] [--out FILE]

`--quick` (1 trial, 10 ms loops, memory store only) is a smoke test; it, and a run with a
`--skip-*` option, writes nothing unless `--out` is given.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import gc
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

REPO = Path(__file__).resolve().parent.parent
SCRATCH = REPO / ".build-release"
LIB_NAME = "libArchetypeFFI.dylib" if sys.platform == "darwin" else "libArchetypeFFI.so"
LIB_PATH = SCRATCH / "release" / LIB_NAME
RESULTS = REPO / "bench" / "results" / "c_abi.json"
BUILD_COMMAND = [
    "swift", "build", "-c", "release", "--scratch-path", str(SCRATCH), "--product", "ArchetypeFFI",
]  # fmt: skip

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["ARCHETYPE_NATIVE_LIB"] = str(LIB_PATH)
os.environ.setdefault("SWIFT_BACKTRACE", "enable=no")
# Nothing here uses BLAS; OpenBLAS's idle worker threads spin on a 2-core machine (seen in perf).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from archetype import _abi  # noqa: E402
from archetype._abi import (  # noqa: E402
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

from _machine import _filesystem, git_commit, machine, machine_line  # noqa: E402

VERSION = 1
TABLE = b"position_velocity"
OTHER_TABLE = b"position_only"
DT = 1.0
SIZES = (1_000, 10_000)
STORES = ("memory", "parquet")
WARMUP_TICKS = 2  # per world, after tick 0, before the timed loop
GATE_TICKS = 3  # ticks after tick 0 in the gate run
# Ticks per world before it is replaced by a fresh one (untimed): the in-memory store keeps every
# tick's rows, so a world's memory grows with its ticks (see the docstring).
MAX_TICKS_PER_WORLD = 2_000

#: The extras of split_identity_calls (the rest of a case's extras are the native profile's).
CALL_PARTS = ("begin_sec", "commit_sec", "host_pyarrow_sec", "timer_pair_sec")

MOVEMENT_COLUMNS = ("position__x", "position__y", "velocity__dx", "velocity__dy")
COMPONENTS = pa.schema([pa.field(c, pa.float64(), nullable=False) for c in MOVEMENT_COLUMNS])
POSITION_ONLY = pa.schema([pa.field(c, pa.float64(), nullable=False) for c in MOVEMENT_COLUMNS[:2]])
PATCH = pa.schema(
    [
        pa.field("entity_id", pa.int32(), nullable=False),
        pa.field("position__x", pa.float64(), nullable=False),
    ]
)

# Every function the script calls, with its prototype: used only if archetype._abi does not
# declare it (the declarations there are authoritative).
_P = ctypes.POINTER
_W, _N, _I32, _I64 = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int64
_PA, _PS, _PI = _P(ArrowArray), _P(ArrowSchema), _P(ctypes.c_int32)
LOCAL_PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {
    "arct_ffi_version": (ctypes.c_uint32, []),
    "arct_status_name": (ctypes.c_char_p, [_I32]),
    "arct_last_error_message": (ctypes.c_char_p, []),
    "arct_world_options_init": (None, [_P(arct_world_options)]),
    "arct_world_new": (_I32, [_P(arct_world_options), _P(ctypes.c_void_p)]),
    "arct_world_free": (_I32, [_W]),
    "arct_world_get_info": (_I32, [_W, _P(arct_world_info)]),
    "arct_world_tick": (_I32, [_W, _PI]),
    "arct_world_active_tables": (_I32, [_W, _PA, _PS]),
    "arct_world_tables": (_I32, [_W, _PA, _PS]),
    "arct_world_entities": (_I32, [_W, _PA, _PS]),
    "arct_world_register_table": (_I32, [_W, _N, _PS, ctypes.c_uint32]),
    "arct_world_spawn": (_I32, [_W, _N, _PA, _PS, _PI, _I64, _P(_I64)]),
    "arct_world_reserve_ids": (_I32, [_W, _I64, _PI]),
    "arct_world_spawn_with_ids": (_I32, [_W, _N, _PA, _PS, _PI, _I64]),
    "arct_world_despawn": (_I32, [_W, _PI, _I64]),
    "arct_world_update": (_I32, [_W, _PA, _PS]),
    "arct_world_migrate": (_I32, [_W, _N, _PS, _PA, _PS, _PI, _I64]),
    "arct_world_add_processor": (_I32, [_W, _P(arct_processor_spec), _P(ctypes.c_uint64)]),
    "arct_world_remove_processor": (_I32, [_W, ctypes.c_uint64]),
    "arct_processor_apply": (_I32, [_P(arct_processor_spec), _PA, _PS, _PA, _PS, _I32]),
    "arct_world_step": (_I32, [_W, _P(arct_step_profile)]),
    "arct_step_begin": (_I32, [_W, _N, _PA, _PS]),
    "arct_step_commit": (_I32, [_W, _N, _PA, _PS, _PI]),
    "arct_step_abort": (_I32, [_W, _N]),
    "arct_world_query": (_I32, [_W, _N, _P(arct_query), _P(ArrowArrayStream)]),
    "arct_record_batch_roundtrip": (_I32, [_PA, _PS, _PA, _PS]),
    "arct_movement_process": (_I32, [_PA, _PS, _PA, _PS, ctypes.c_double, _I32]),
    "arct_debug_counters": (None, [_P(_I64), _P(_I64), _P(_I64)]),
}


class GateError(RuntimeError):
    """A failed call or correctness check: exit 1, publish nothing."""


def build_library() -> None:
    print("+ " + " ".join(BUILD_COMMAND), flush=True)
    subprocess.run(BUILD_COMMAND, cwd=REPO, check=True)


def load(path: Path) -> NativeLibrary:
    """open_library, plus a local prototype for any function archetype._abi does not declare."""
    lib = _abi.open_library(path, require_all=False)
    for name, (restype, argtypes) in LOCAL_PROTOTYPES.items():
        if name in _abi.PROTOTYPES and name not in lib.missing:
            continue
        try:
            fn = getattr(lib.cdll, name)
        except AttributeError:
            raise GateError(f"the library {path} does not export {name}") from None
        fn.restype, fn.argtypes = restype, argtypes
        setattr(lib, name, fn)
    return lib


# ---------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------
def fixture(n: int) -> pa.RecordBatch:
    """bench.md §2: entity i has x = i, y = 0, dx = 1, dy = -0.5."""
    return pa.RecordBatch.from_arrays(
        [
            pa.array(np.arange(n, dtype=np.float64)),
            pa.array(np.zeros(n)),
            pa.array(np.ones(n)),
            pa.array(np.full(n, -0.5)),
        ],
        schema=COMPONENTS,
    )


_DT = pa.scalar(DT, pa.float64())


def move(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The movement processor in pyarrow.compute: position += velocity · dt, other columns kept."""
    names = batch.schema.names
    cols = list(batch.columns)
    ix, iy = names.index("position__x"), names.index("position__y")
    cols[ix] = pc.add(cols[ix], pc.multiply(cols[names.index("velocity__dx")], _DT))
    cols[iy] = pc.add(cols[iy], pc.multiply(cols[names.index("velocity__dy")], _DT))
    return pa.RecordBatch.from_arrays(cols, schema=batch.schema)


def export_batch(batch: pa.RecordBatch) -> tuple[ArrowArray, ArrowSchema]:
    a, s = ArrowArray(), ArrowSchema()
    batch._export_to_c(ctypes.addressof(a), ctypes.addressof(s))
    return a, s


def export_schema(schema: pa.Schema) -> ArrowSchema:
    s = ArrowSchema()
    schema._export_to_c(ctypes.addressof(s))
    return s


def release(*structs: Any) -> None:
    for s in structs:
        if s.release:
            s.release(ctypes.byref(s))


def time_batch_exports(batch: pa.RecordBatch, n: int) -> tuple[list[Any], float]:
    """n pyarrow exports of `batch` into fresh shells: ([(array, schema)], seconds)."""
    shells = [(ArrowArray(), ArrowSchema()) for _ in range(n)]
    addrs = [(ctypes.addressof(a), ctypes.addressof(s)) for a, s in shells]
    exp = batch._export_to_c
    t0 = time.perf_counter()
    for aa, sa in addrs:
        exp(aa, sa)
    return shells, time.perf_counter() - t0


def time_releases(structs: list[Any]) -> float:
    """Seconds to call the `release` callback of every struct through ctypes."""
    refs = [(s, ctypes.byref(s)) for s in structs]
    t0 = time.perf_counter()
    for s, r in refs:
        s.release(r)
    elapsed = time.perf_counter() - t0
    if any(s.release for s in structs):
        raise GateError("a release callback did not mark its struct released")
    return elapsed


def loop_or(fn: Callable[..., int], args: list[tuple[Any, ...]]) -> tuple[float, int]:
    """(seconds for `fn(*a)` over args, the OR of the results)."""
    acc = 0
    t0 = time.perf_counter()
    for a in args:
        acc |= fn(*a)
    return time.perf_counter() - t0, acc


def loop(name: str, fn: Callable[..., int], args: list[tuple[Any, ...]]) -> float:
    """Seconds for `fn(*a)` over args; every status must be 0."""
    elapsed, status = loop_or(fn, args)
    if status:
        raise GateError(f"{name} failed in a timed loop (statuses OR {status})")
    return elapsed


class Abi:
    """The loaded library and the few world operations the setups need (every status checked)."""

    def __init__(self, lib: NativeLibrary) -> None:
        self.lib = lib
        self.runs = 0
        self.spec = arct_processor_spec()
        self.spec.struct_size = ctypes.sizeof(arct_processor_spec)
        self.spec.kind = _abi.ARCT_PROCESSOR_MOVEMENT
        self.spec.priority = 10
        self.spec.dt = DT

    def ok(self, status: int, function: str) -> None:
        if status != 0:
            raise GateError(
                f"{function} returned {status} ({self.lib.status_name(status)}): "
                f"{self.lib.last_error()}"
            )

    def world(self, store_root: Path | None = None) -> int:
        self.runs += 1
        o = arct_world_options()
        self.lib.arct_world_options_init(ctypes.byref(o))
        o.world_id = b"bench-world"
        o.run_id = f"bench-run-{self.runs}".encode()
        o.store_root = None if store_root is None else os.fsencode(store_root)
        o.durability = _abi.ARCT_DURABILITY_NO_FSYNC
        out = ctypes.c_void_p()
        self.ok(self.lib.arct_world_new(ctypes.byref(o), ctypes.byref(out)), "arct_world_new")
        assert out.value is not None
        return out.value

    def free(self, w: int) -> None:
        self.ok(self.lib.arct_world_free(w), "arct_world_free")

    def register(self, w: int, table: bytes, schema: pa.Schema) -> None:
        s = export_schema(schema)
        self.ok(self.lib.arct_world_register_table(w, table, ctypes.byref(s), 0), "register")

    def spawn(self, w: int, table: bytes, batch: pa.RecordBatch) -> None:
        a, s = export_batch(batch)
        ids = (ctypes.c_int32 * max(batch.num_rows, 1))()
        n = ctypes.c_int64()
        status = self.lib.arct_world_spawn(
            w, table, ctypes.byref(a), ctypes.byref(s), ids, batch.num_rows, ctypes.byref(n)
        )
        self.ok(status, "arct_world_spawn")

    def add_movement(self, w: int) -> None:
        out = ctypes.c_uint64()
        status = self.lib.arct_world_add_processor(w, ctypes.byref(self.spec), ctypes.byref(out))
        self.ok(status, "arct_world_add_processor")

    def step(self, w: int) -> None:
        self.ok(self.lib.arct_world_step(w, None), "arct_world_step")

    def tick(self, w: int) -> int:
        out = ctypes.c_int32()
        self.ok(self.lib.arct_world_tick(w, ctypes.byref(out)), "arct_world_tick")
        return out.value

    def info(self, w: int) -> arct_world_info:
        out = arct_world_info()
        out.struct_size = ctypes.sizeof(out)
        self.ok(self.lib.arct_world_get_info(w, ctypes.byref(out)), "arct_world_get_info")
        return out

    def movement_world(self, n: int, *, native: bool, store_root: Path | None = None) -> int:
        """A world with `n` fixture entities in TABLE, tick 0 done (the raw spawns published)."""
        w = self.world(store_root)
        self.register(w, TABLE, COMPONENTS)
        if n:
            self.spawn(w, TABLE, fixture(n))
        if native:
            self.add_movement(w)
        self.step(w)
        return w

    def query_tick(self, w: int, table: bytes, tick: int) -> pa.Table:
        """The active rows of `table` at `tick`, through arct_world_query."""
        q = arct_query()
        q.struct_size = ctypes.sizeof(q)
        q.flags = _abi.ARCT_QUERY_FILTER_TICKS | _abi.ARCT_QUERY_ACTIVE_ONLY
        ticks = (ctypes.c_int32 * 1)(tick)
        q.ticks = ctypes.cast(ticks, ctypes.POINTER(ctypes.c_int32))
        q.n_ticks = 1
        stream = ArrowArrayStream()
        status = self.lib.arct_world_query(w, table, ctypes.byref(q), ctypes.byref(stream))
        self.ok(status, "arct_world_query")
        reader = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))
        return reader.read_all()

    def begin_batch(self, n: int) -> pa.RecordBatch:
        """The batch `arct_step_begin` exports for a world of n entities at tick 1, in pyarrow."""
        w = self.movement_world(n, native=False)
        a, s = ArrowArray(), ArrowSchema()
        self.ok(self.lib.arct_step_begin(w, TABLE, ctypes.byref(a), ctypes.byref(s)), "begin")
        batch = pa.RecordBatch._import_from_c(ctypes.addressof(a), ctypes.addressof(s))
        self.ok(self.lib.arct_step_abort(w, None), "arct_step_abort")
        self.free(w)
        return batch


# ---------------------------------------------------------------------------
# Part 1: per-call overhead
# ---------------------------------------------------------------------------
# A case runs `n` calls and returns {part: seconds for the n calls}; the first part is the
# one the loop count is calibrated on.
Case = Callable[[Abi, int], dict[str, float]]


def pc_timer_interval(x: Abi, n: int) -> dict[str, float]:
    del x
    pcn = time.perf_counter_ns
    total = 0
    for _ in range(n):
        t0 = pcn()
        t1 = pcn()
        total += t1 - t0
    return {"interval": total * 1e-9}


def pc_ctypes_baseline(x: Abi, n: int) -> dict[str, float]:
    del x
    getpagesize = ctypes.CDLL(None).getpagesize
    getpagesize.restype, getpagesize.argtypes = ctypes.c_int, []
    elapsed, _ = loop_or(getpagesize, [()] * n)
    return {"call": elapsed}


def pc_ffi_version(x: Abi, n: int) -> dict[str, float]:
    elapsed, acc = loop_or(x.lib.arct_ffi_version, [()] * n)
    if acc != _abi.ABI_VERSION:
        raise GateError(f"arct_ffi_version returned {acc}")
    return {"call": elapsed}


def pc_status_name(x: Abi, n: int) -> dict[str, float]:
    fn = x.lib.arct_status_name
    args = [(152,)] * n
    t0 = time.perf_counter()
    for a in args:
        fn(*a)
    elapsed = time.perf_counter() - t0
    if fn(152) != b"ARCT_ERR_UNKNOWN_ENTITY":
        raise GateError(f"arct_status_name(152) = {fn(152)!r}")
    return {"call": elapsed}


def pc_world_tick(x: Abi, n: int) -> dict[str, float]:
    w = x.movement_world(1, native=True)
    out = ctypes.c_int32()
    elapsed = loop("arct_world_tick", x.lib.arct_world_tick, [(w, ctypes.byref(out))] * n)
    ok = out.value == 1
    x.free(w)
    if not ok:
        raise GateError(f"arct_world_tick gave {out.value}, expected 1")
    return {"call": elapsed}


def pc_world_get_info(x: Abi, n: int) -> dict[str, float]:
    w = x.movement_world(1, native=True)
    info = arct_world_info()
    info.struct_size = ctypes.sizeof(info)
    elapsed = loop("arct_world_get_info", x.lib.arct_world_get_info, [(w, ctypes.byref(info))] * n)
    x.free(w)
    if info.n_entities != 1 or info.tick != 1:
        raise GateError("arct_world_get_info: unexpected contents")
    return {"call": elapsed}


def _listing(function: str) -> Case:
    def case(x: Abi, n: int) -> dict[str, float]:
        w = x.movement_world(1, native=True)
        shells = [(ArrowArray(), ArrowSchema()) for _ in range(n)]
        args = [(w, ctypes.byref(a), ctypes.byref(s)) for a, s in shells]
        elapsed = loop(function, getattr(x.lib, function), args)
        first = pa.RecordBatch._import_from_c(*map(ctypes.addressof, shells[0]))
        rel = time_releases([st for pair in shells[1:] for st in pair])
        x.free(w)
        if first.num_rows != 1:
            raise GateError(f"{function}: {first.num_rows} rows, expected 1")
        return {"call": elapsed, "release": rel * n / max(n - 1, 1)}

    return case


def pc_register_table(x: Abi, n: int) -> dict[str, float]:
    w = x.world()
    x.register(w, TABLE, COMPONENTS)
    shells = [ArrowSchema() for _ in range(n)]
    addrs = [ctypes.addressof(s) for s in shells]
    exp = COMPONENTS._export_to_c
    t0 = time.perf_counter()
    for sa in addrs:
        exp(sa)
    export = time.perf_counter() - t0
    args = [(w, TABLE, ctypes.byref(s), 0) for s in shells]
    elapsed = loop("arct_world_register_table", x.lib.arct_world_register_table, args)
    tables = x.info(w).n_tables
    x.free(w)
    if tables != 1:
        raise GateError(f"re-registration changed the world: {tables} tables")
    return {"call": elapsed, "pyarrow_export": export}


def pc_spawn(x: Abi, n: int) -> dict[str, float]:
    w = x.world()
    x.register(w, TABLE, COMPONENTS)
    shells, export = time_batch_exports(fixture(1), n)
    out_ids = (ctypes.c_int32 * 1)()
    out_n = ctypes.c_int64()
    args = [(w, TABLE, ctypes.byref(a), ctypes.byref(s), out_ids, 1, ctypes.byref(out_n))
            for a, s in shells]  # fmt: skip
    elapsed = loop("arct_world_spawn", x.lib.arct_world_spawn, args)
    entities = x.info(w).n_entities
    x.free(w)
    if entities != n or out_ids[0] != n:
        raise GateError(f"arct_world_spawn: {entities} entities, last id {out_ids[0]}; want {n}")
    return {"call": elapsed, "pyarrow_export": export}


def pc_reserve_ids(x: Abi, n: int) -> dict[str, float]:
    w = x.world()
    out = ctypes.c_int32()
    elapsed = loop("arct_world_reserve_ids", x.lib.arct_world_reserve_ids,
                   [(w, 1, ctypes.byref(out))] * n)  # fmt: skip
    x.free(w)
    if out.value != n:
        raise GateError(f"arct_world_reserve_ids: last id {out.value}, expected {n}")
    return {"call": elapsed}


def _spawn_with_ids(reserved: bool) -> Case:
    def case(x: Abi, n: int) -> dict[str, float]:
        w = x.world()
        x.register(w, TABLE, COMPONENTS)
        first = 1
        if reserved:
            out = ctypes.c_int32()
            x.ok(x.lib.arct_world_reserve_ids(w, n, ctypes.byref(out)), "arct_world_reserve_ids")
            first = out.value
        ids = [ctypes.c_int32(first + k) for k in range(n)]
        shells, export = time_batch_exports(fixture(1), n)
        args = [(w, TABLE, ctypes.byref(a), ctypes.byref(s), ctypes.byref(i), 1)
                for (a, s), i in zip(shells, ids, strict=True)]  # fmt: skip
        elapsed = loop("arct_world_spawn_with_ids", x.lib.arct_world_spawn_with_ids, args)
        entities = x.info(w).n_entities
        x.free(w)
        if entities != n:
            raise GateError(f"arct_world_spawn_with_ids: {entities} entities, expected {n}")
        return {"call": elapsed, "pyarrow_export": export}

    return case


def pc_despawn(x: Abi, n: int) -> dict[str, float]:
    w = x.movement_world(n, native=False)
    ids = [ctypes.c_int32(k + 1) for k in range(n)]
    args = [(w, ctypes.byref(i), 1) for i in ids]
    elapsed = loop("arct_world_despawn", x.lib.arct_world_despawn, args)
    entities = x.info(w).n_entities
    x.free(w)
    if entities != 0:
        raise GateError(f"arct_world_despawn: {entities} entities left")
    return {"call": elapsed}


def pc_update(x: Abi, n: int) -> dict[str, float]:
    w = x.movement_world(n, native=False)
    x_value = pa.array([0.5])
    patches = [
        pa.RecordBatch.from_arrays([pa.array([k + 1], pa.int32()), x_value], schema=PATCH)
        for k in range(n)
    ]
    shells = [(ArrowArray(), ArrowSchema()) for _ in range(n)]
    addrs = [(b._export_to_c, ctypes.addressof(a), ctypes.addressof(s))
             for b, (a, s) in zip(patches, shells, strict=True)]  # fmt: skip
    t0 = time.perf_counter()
    for exp, aa, sa in addrs:
        exp(aa, sa)
    export = time.perf_counter() - t0
    args = [(w, ctypes.byref(a), ctypes.byref(s)) for a, s in shells]
    elapsed = loop("arct_world_update", x.lib.arct_world_update, args)
    x.free(w)
    return {"call": elapsed, "pyarrow_export": export}


def pc_migrate(x: Abi, n: int) -> dict[str, float]:
    w = x.movement_world(n, native=False)
    x.register(w, OTHER_TABLE, POSITION_ONLY)
    ids = [ctypes.c_int32(k + 1) for k in range(n)]
    args = [(w, OTHER_TABLE, None, None, None, ctypes.byref(i), 1) for i in ids]
    elapsed = loop("arct_world_migrate", x.lib.arct_world_migrate, args)
    x.free(w)
    return {"call": elapsed}


def pc_add_remove_processor(x: Abi, n: int) -> dict[str, float]:
    w = x.movement_world(1, native=False)
    add, remove = x.lib.arct_world_add_processor, x.lib.arct_world_remove_processor
    sref = ctypes.byref(x.spec)
    out = ctypes.c_uint64()
    oref = ctypes.byref(out)
    status = 0
    t0 = time.perf_counter()
    for _ in range(n):
        status |= add(w, sref, oref)
        status |= remove(w, out.value)
    pair = time.perf_counter() - t0
    pcn = time.perf_counter_ns
    ta = tr = 0
    for _ in range(n):
        t0n = pcn()
        status |= add(w, sref, oref)
        t1n = pcn()
        status |= remove(w, out.value)
        t2n = pcn()
        ta += t1n - t0n
        tr += t2n - t1n
    x.free(w)
    if status:
        raise GateError("arct_world_add_processor / remove_processor failed in a timed loop")
    return {"pair": pair, "split:add": ta * 1e-9, "split:remove": tr * 1e-9}


def _one_row_in_out(function: str, extra: tuple[Any, ...], spec_first: bool = False) -> Case:
    def case(x: Abi, n: int) -> dict[str, float]:
        shells, export = time_batch_exports(fixture(1), n)
        outs = [(ArrowArray(), ArrowSchema()) for _ in range(n)]
        head = (ctypes.byref(x.spec),) if spec_first else ()
        args = [
            (*head, ctypes.byref(a), ctypes.byref(s), ctypes.byref(oa), ctypes.byref(os_), *extra)
            for (a, s), (oa, os_) in zip(shells, outs, strict=True)
        ]
        elapsed = loop(function, getattr(x.lib, function), args)
        first = pa.RecordBatch._import_from_c(*map(ctypes.addressof, outs[0]))
        rel = time_releases([st for pair in outs[1:] for st in pair])
        want = move(fixture(1)) if function != "arct_record_batch_roundtrip" else fixture(1)
        if not first.equals(want):
            raise GateError(f"{function}: wrong output {first.to_pylist()}")
        return {"call": elapsed, "pyarrow_export": export, "release": rel * n / max(n - 1, 1)}

    return case


def _world_step(entities: int) -> Case:
    def case(x: Abi, n: int) -> dict[str, float]:
        w = x.movement_world(entities, native=True) if entities else x.world()
        elapsed = loop("arct_world_step", x.lib.arct_world_step, [(w, None)] * n)
        tick = x.tick(w)
        x.free(w)
        expected = n + (1 if entities else 0)
        if tick != expected:
            raise GateError(f"arct_world_step: tick {tick}, expected {expected}")
        return {"call": elapsed}

    return case


def pc_begin_commit(x: Abi, n: int) -> dict[str, float]:
    """begin + commit of a 1-entity world, the begin export handed back to commit unchanged;
    a fresh world every MAX_TICKS_PER_WORLD ticks (untimed)."""
    begin, commit = x.lib.arct_step_begin, x.lib.arct_step_commit
    a, s, done = ArrowArray(), ArrowSchema(), ctypes.c_int32()
    ra, rs, rd = ctypes.byref(a), ctypes.byref(s), ctypes.byref(done)
    pcn = time.perf_counter_ns
    pair = 0.0
    tb = tc = 0
    for split in (False, True):
        left = n
        while left > 0:
            chunk = min(left, MAX_TICKS_PER_WORLD)
            left -= chunk
            w = x.movement_world(1, native=False)
            status = ticks = 0
            if not split:
                t0 = time.perf_counter()
                for _ in range(chunk):
                    status |= begin(w, TABLE, ra, rs)
                    status |= commit(w, TABLE, ra, rs, rd)
                    ticks += done.value
                pair += time.perf_counter() - t0
            else:
                for _ in range(chunk):
                    t0n = pcn()
                    status |= begin(w, TABLE, ra, rs)
                    t1n = pcn()
                    status |= commit(w, TABLE, ra, rs, rd)
                    t2n = pcn()
                    tb += t1n - t0n
                    tc += t2n - t1n
                    ticks += done.value
            tick = x.tick(w)
            x.free(w)
            if status or ticks != chunk or tick != 1 + chunk:
                raise GateError(f"begin/commit: status {status}, {ticks} ticks done, tick {tick}")
    return {"pair": pair, "split:begin": tb * 1e-9, "split:commit": tc * 1e-9}


def pc_begin_abort(x: Abi, n: int) -> dict[str, float]:
    w = x.movement_world(1, native=False)
    begin, abort = x.lib.arct_step_begin, x.lib.arct_step_abort
    shells = [(ArrowArray(), ArrowSchema()) for _ in range(2 * n)]
    refs = [(ctypes.byref(a), ctypes.byref(s)) for a, s in shells]
    status = 0
    t0 = time.perf_counter()
    for ra, rs in refs[:n]:
        status |= begin(w, TABLE, ra, rs)
        status |= abort(w, TABLE)
    pair = time.perf_counter() - t0
    pcn = time.perf_counter_ns
    tb = tab = 0
    for ra, rs in refs[n:]:
        t0n = pcn()
        status |= begin(w, TABLE, ra, rs)
        t1n = pcn()
        status |= abort(w, TABLE)
        t2n = pcn()
        tb += t1n - t0n
        tab += t2n - t1n
    rel = time_releases([st for pair_ in shells[:n] for st in pair_])
    for a, s in shells[n:]:
        release(a, s)
    tick = x.tick(w)
    x.free(w)
    if status or tick != 1:
        raise GateError(f"begin/abort: status {status}, tick {tick}")
    return {"pair": pair, "split:begin": tb * 1e-9, "split:abort": tab * 1e-9, "release": rel}


def pc_query(x: Abi, n: int) -> dict[str, float]:
    w = x.movement_world(1, native=True)
    fn = x.lib.arct_world_query
    streams = [ArrowArrayStream() for _ in range(n)]
    args = [(w, TABLE, None, ctypes.byref(st)) for st in streams]
    elapsed = loop("arct_world_query", fn, args)
    rel = time_releases(streams)
    streams = [ArrowArrayStream() for _ in range(n)]
    refs = [(ctypes.byref(st), ctypes.addressof(st)) for st in streams]
    imp = pa.RecordBatchReader._import_from_c
    status = rows = 0
    t0 = time.perf_counter()
    for r, addr in refs:
        status |= fn(w, TABLE, None, r)
        rows += imp(addr).read_all().num_rows
    full = time.perf_counter() - t0
    x.free(w)
    if status or rows != n:
        raise GateError(f"arct_world_query: status {status}, {rows} rows for {n} reads")
    return {"call": elapsed, "release": rel, "call_import_read_all": full}


def pc_pyarrow_roundtrip(x: Abi, n: int) -> dict[str, float]:
    del x
    batch = fixture(1)
    shells = [(ArrowArray(), ArrowSchema()) for _ in range(n)]
    addrs = [(ctypes.addressof(a), ctypes.addressof(s)) for a, s in shells]
    imp = pa.RecordBatch._import_from_c
    exp = batch._export_to_c
    t0 = time.perf_counter()
    for aa, sa in addrs:
        exp(aa, sa)
        imp(aa, sa)
    return {"call": time.perf_counter() - t0}


#: key → (function(s), inputs, case)
PER_CALL: list[tuple[str, str, str, Case]] = [
    ("timer_interval", "time.perf_counter_ns() pair", "an empty interval (subtracted from "
     "split:* parts)", pc_timer_interval),
    ("ctypes_baseline", "libc getpagesize", "the ctypes call of a trivial C function and the "
     "Python loop alone", pc_ctypes_baseline),
    ("arct_ffi_version", "arct_ffi_version", "none", pc_ffi_version),
    ("arct_status_name", "arct_status_name", "status 152", pc_status_name),
    ("arct_world_tick", "arct_world_tick", "world of 1 entity", pc_world_tick),
    ("arct_world_get_info", "arct_world_get_info", "world of 1 entity", pc_world_get_info),
    ("arct_world_active_tables", "arct_world_active_tables", "world of 1 entity, 1 table; "
     "release = releasing the exported array and schema", _listing("arct_world_active_tables")),
    ("arct_world_tables", "arct_world_tables", "world of 1 entity, 1 table",
     _listing("arct_world_tables")),
    ("arct_world_entities", "arct_world_entities", "world of 1 entity",
     _listing("arct_world_entities")),
    ("arct_world_register_table", "arct_world_register_table", "the registered 4-field "
     "component schema again (a no-op); pyarrow_export = Schema._export_to_c",
     pc_register_table),
    ("arct_world_spawn", "arct_world_spawn", "1 row of 4 float64 (auto id); the world "
     "accumulates the staged spawns", pc_spawn),
    ("arct_world_reserve_ids", "arct_world_reserve_ids", "n = 1", pc_reserve_ids),
    ("arct_world_spawn_with_ids", "arct_world_spawn_with_ids", "1 row, 1 id >= next",
     _spawn_with_ids(reserved=False)),
    ("arct_world_spawn_with_ids_reserved", "arct_world_spawn_with_ids", "1 row, 1 id out of "
     "one block reserved before the loop", _spawn_with_ids(reserved=True)),
    ("arct_world_despawn", "arct_world_despawn", "1 id, a different live entity each call",
     pc_despawn),
    ("arct_world_update", "arct_world_update", "1 row (entity_id, position__x), a different "
     "live entity each call", pc_update),
    ("arct_world_migrate", "arct_world_migrate", "1 id to a registered table with 2 of the 4 "
     "components (to_schema and values NULL), a different live entity each call", pc_migrate),
    ("arct_world_add_remove_processor", "arct_world_add_processor + "
     "arct_world_remove_processor", "movement spec", pc_add_remove_processor),
    ("arct_processor_apply", "arct_processor_apply", "movement spec, 1 row of 4 float64",
     _one_row_in_out("arct_processor_apply", (0,), spec_first=True)),
    ("arct_world_step_empty", "arct_world_step", "world without tables, profile NULL",
     _world_step(0)),
    ("arct_world_step_1_entity", "arct_world_step", "1 entity, native movement processor, "
     "profile NULL, in-memory store", _world_step(1)),
    ("arct_step_begin_commit", "arct_step_begin + arct_step_commit", "1 entity; the begin "
     "export handed back to commit unchanged (no pyarrow)", pc_begin_commit),
    ("arct_step_begin_abort", "arct_step_begin + arct_step_abort", "1 entity; release = "
     "releasing the begin export", pc_begin_abort),
    ("arct_world_query", "arct_world_query", "query NULL on a table of 1 published row; "
     "call_import_read_all = call + RecordBatchReader._import_from_c + read_all", pc_query),
    ("arct_record_batch_roundtrip", "arct_record_batch_roundtrip", "1 row of 4 float64",
     _one_row_in_out("arct_record_batch_roundtrip", ())),
    ("arct_movement_process", "arct_movement_process", "1 row of 4 float64, dt 1",
     _one_row_in_out("arct_movement_process", (DT, 0))),
    ("pyarrow_roundtrip_1_row", "pyarrow", "RecordBatch._export_to_c + _import_from_c of 1 row "
     "of 4 float64 (reference)", pc_pyarrow_roundtrip),
]  # fmt: skip


def run_case(case: Case, x: Abi, n: int) -> dict[str, float]:
    gc.collect()
    gc.disable()
    try:
        return case(x, n)
    finally:
        gc.enable()


def calibrate(case: Case, x: Abi, target: float, n_max: int) -> int:
    """The smallest loop count (from 100 up) for which the first part takes >= target."""
    n = 100
    while True:
        parts = run_case(case, x, n)
        first = next(iter(parts.values()))
        if first >= target or n >= n_max:
            return n
        n = min(n_max, max(2 * n, math.ceil(n * target * 1.2 / max(first, 1e-9))))


def spread(values: list[float]) -> dict[str, Any]:
    return {
        "values": values,
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def per_call(x: Abi, args: argparse.Namespace) -> dict[str, Any]:
    target = args.target_ms / 1e3
    plan = []
    for key, function, inputs, case in PER_CALL:
        plan.append((key, function, inputs, case, calibrate(case, x, target, 4_000_000)))
    samples: dict[str, dict[str, list[float]]] = {key: {} for key, *_ in plan}
    rounds = args.warmup + args.trials
    for r in range(rounds):
        shift = r % len(plan)
        for key, _f, _i, case, n in plan[shift:] + plan[:shift]:
            parts = run_case(case, x, n)
            if r < args.warmup:
                continue
            for part, sec in parts.items():
                samples[key].setdefault(part, []).append(sec / n * 1e9)
    timer = samples["timer_interval"]["interval"]
    entries = []
    for key, function, inputs, _case, n in plan:
        parts: dict[str, Any] = {}
        for part, raw in samples[key].items():
            values = raw
            if part.startswith("split:"):
                # Per round: the timed interval minus that round's empty interval.
                values = [v - t for v, t in zip(raw, timer, strict=True)]
            parts[part] = spread(values)
        entries.append(
            {"key": key, "function": function, "inputs": inputs, "iterations": n, "ns": parts}
        )
        text = "  ".join(f"{p} {s['median']:8.1f}" for p, s in parts.items())
        print(f"  {key:<36s} {text}", flush=True)
    return {
        "definition": "median over repetitions of loop time / iterations, in ns per call; "
        "each repetition's loop takes >= target_ms; parts: call = the function alone (Arrow "
        "inputs exported before the loop); pyarrow_export = pyarrow's export of those inputs "
        "(its own loop); release = the outputs' release callbacks called through ctypes (its "
        "own loop); pair = two alternating functions together; split:<fn> = one function of a "
        "pair, timed by a perf_counter_ns pair around it minus the round's timer_interval "
        "(indicative)",
        "target_ms": args.target_ms,
        "entries": entries,
    }


# ---------------------------------------------------------------------------
# Part 2: split-step tick
# ---------------------------------------------------------------------------
class TickBench:
    """The variants of one (entities, store) case; each `run_*` times k ticks of a world."""

    def __init__(self, x: Abi, n: int, store: str, tmpdir: Path) -> None:
        self.x = x
        self.lib = x.lib
        self.n = n
        self.store = store
        self.tmpdir = tmpdir
        self.batch = x.begin_batch(n)  # the shape begin exports, imported by pyarrow
        self.roots: list[Path] = []

    # -- worlds --

    def new_world(self, native: bool) -> int:
        root = None
        if self.store == "parquet":
            root = Path(tempfile.mkdtemp(prefix="c-abi-store-", dir=self.tmpdir))
            self.roots.append(root)
        return self.x.movement_world(self.n, native=native, store_root=root)

    def drop_world(self, w: int) -> None:
        self.x.free(w)
        for root in self.roots:
            shutil.rmtree(root, ignore_errors=True)
        self.roots.clear()

    # -- the tick loops (each returns the loop's seconds and extra sums) --

    def split_identity(self, w: int, k: int) -> tuple[float, dict[str, float]]:
        begin, commit = self.lib.arct_step_begin, self.lib.arct_step_commit
        a, s, done = ArrowArray(), ArrowSchema(), ctypes.c_int32()
        ra, rs, rd = ctypes.byref(a), ctypes.byref(s), ctypes.byref(done)
        aa, sa = ctypes.addressof(a), ctypes.addressof(s)
        imp = pa.RecordBatch._import_from_c
        status = ticks = 0
        t0 = time.perf_counter()
        for _ in range(k):
            status |= begin(w, TABLE, ra, rs)
            b = imp(aa, sa)
            b._export_to_c(aa, sa)
            status |= commit(w, TABLE, ra, rs, rd)
            ticks += done.value
        elapsed = time.perf_counter() - t0
        self._check(status, ticks, k, "split_identity")
        return elapsed, {}

    def split_identity_calls(self, w: int, k: int) -> tuple[float, dict[str, float]]:
        """split_identity with a timer pair around `begin` and around `commit`: the two calls'
        own cost in the real use (the host's pyarrow import and export between them are not
        counted; the release of the begin export, which pyarrow triggers, falls inside commit).
        The empty-timer cost (measured right after the loop over as many pairs) is subtracted
        from each call."""
        begin, commit = self.lib.arct_step_begin, self.lib.arct_step_commit
        a, s, done = ArrowArray(), ArrowSchema(), ctypes.c_int32()
        ra, rs, rd = ctypes.byref(a), ctypes.byref(s), ctypes.byref(done)
        aa, sa = ctypes.addressof(a), ctypes.addressof(s)
        imp = pa.RecordBatch._import_from_c
        clock = time.perf_counter_ns
        status = ticks = 0
        in_begin = in_commit = in_host = 0
        for _ in range(k):
            t0 = clock()
            status |= begin(w, TABLE, ra, rs)
            t1 = clock()
            b = imp(aa, sa)
            b._export_to_c(aa, sa)
            # The export still holds b's buffers: the library's release of its begin export
            # runs when commit releases pyarrow's struct, inside the commit's interval.
            del b
            t2 = clock()
            status |= commit(w, TABLE, ra, rs, rd)
            t3 = clock()
            ticks += done.value
            in_begin += t1 - t0
            in_host += t2 - t1
            in_commit += t3 - t2
        empty = 0
        for _ in range(k):
            t0 = clock()
            t1 = clock()
            empty += t1 - t0
        self._check(status, ticks, k, "split_identity_calls")
        begin_sec = (in_begin - empty) / 1e9
        commit_sec = (in_commit - empty) / 1e9
        return begin_sec + commit_sec, {
            "begin_sec": begin_sec,
            "commit_sec": commit_sec,
            "host_pyarrow_sec": (in_host - empty) / 1e9,
            "timer_pair_sec": empty / 1e9,
        }

    def split_python_movement(self, w: int, k: int) -> tuple[float, dict[str, float]]:
        begin, commit = self.lib.arct_step_begin, self.lib.arct_step_commit
        a, s, done = ArrowArray(), ArrowSchema(), ctypes.c_int32()
        ra, rs, rd = ctypes.byref(a), ctypes.byref(s), ctypes.byref(done)
        aa, sa = ctypes.addressof(a), ctypes.addressof(s)
        imp = pa.RecordBatch._import_from_c
        status = ticks = 0
        t0 = time.perf_counter()
        for _ in range(k):
            status |= begin(w, TABLE, ra, rs)
            b = move(imp(aa, sa))
            b._export_to_c(aa, sa)
            status |= commit(w, TABLE, ra, rs, rd)
            ticks += done.value
        elapsed = time.perf_counter() - t0
        self._check(status, ticks, k, "split_python_movement")
        return elapsed, {}

    def split_handback(self, w: int, k: int) -> tuple[float, dict[str, float]]:
        begin, commit = self.lib.arct_step_begin, self.lib.arct_step_commit
        a, s, done = ArrowArray(), ArrowSchema(), ctypes.c_int32()
        ra, rs, rd = ctypes.byref(a), ctypes.byref(s), ctypes.byref(done)
        status = ticks = 0
        t0 = time.perf_counter()
        for _ in range(k):
            status |= begin(w, TABLE, ra, rs)
            status |= commit(w, TABLE, ra, rs, rd)
            ticks += done.value
        elapsed = time.perf_counter() - t0
        self._check(status, ticks, k, "split_handback")
        return elapsed, {}

    def split_native_apply(self, w: int, k: int) -> tuple[float, dict[str, float]]:
        begin, commit = self.lib.arct_step_begin, self.lib.arct_step_commit
        apply = self.lib.arct_processor_apply
        a, s, oa, os_ = ArrowArray(), ArrowSchema(), ArrowArray(), ArrowSchema()
        ra, rs, roa, ros = ctypes.byref(a), ctypes.byref(s), ctypes.byref(oa), ctypes.byref(os_)
        done = ctypes.c_int32()
        rd = ctypes.byref(done)
        sref = ctypes.byref(self.x.spec)
        status = ticks = 0
        t0 = time.perf_counter()
        for _ in range(k):
            status |= begin(w, TABLE, ra, rs)
            status |= apply(sref, ra, rs, roa, ros, 0)
            status |= commit(w, TABLE, roa, ros, rd)
            ticks += done.value
        elapsed = time.perf_counter() - t0
        self._check(status, ticks, k, "split_native_apply")
        return elapsed, {}

    def native_step(self, w: int, k: int) -> tuple[float, dict[str, float]]:
        step = self.lib.arct_world_step
        status = 0
        t0 = time.perf_counter()
        for _ in range(k):
            status |= step(w, None)
        elapsed = time.perf_counter() - t0
        self._check(status, k, k, "native_step")
        return elapsed, {}

    def native_step_profiled(self, w: int, k: int) -> tuple[float, dict[str, float]]:
        step = self.lib.arct_world_step
        prof = arct_step_profile()
        table = arct_table_profile()
        prof.struct_size = ctypes.sizeof(prof)
        prof.tables_cap = 1
        prof.tables = ctypes.pointer(table)
        ref = ctypes.byref(prof)
        status = 0
        tick_sec = read_prior = materialize = process = append = live = 0.0
        t0 = time.perf_counter()
        for _ in range(k):
            status |= step(w, ref)
            tick_sec += prof.tick_sec
            read_prior += table.read_prior_sec
            materialize += table.materialize_sec
            process += table.process_sec
            append += table.append_sec
            live += table.live_snapshot_sec
        elapsed = time.perf_counter() - t0
        self._check(status, k, k, "native_step_profiled")
        if prof.n_tables != 1 or table.rows_appended != self.n:
            raise GateError(f"profile: {prof.n_tables} tables, {table.rows_appended} rows")
        return elapsed, {
            "tick_sec": tick_sec,
            "read_prior_sec": read_prior,
            "materialize_sec": materialize,
            "process_sec": process,
            "append_sec": append,
            "live_snapshot_sec": live,
            "tick_minus_process_sec": tick_sec - process,
        }

    def pyarrow_roundtrip_x2(self, w: int | None, k: int) -> tuple[float, dict[str, float]]:
        del w
        a, s = ArrowArray(), ArrowSchema()
        aa, sa = ctypes.addressof(a), ctypes.addressof(s)
        imp = pa.RecordBatch._import_from_c
        batch = self.batch
        t0 = time.perf_counter()
        for _ in range(k):
            batch._export_to_c(aa, sa)
            b1 = imp(aa, sa)
            b1._export_to_c(aa, sa)
            b2 = imp(aa, sa)
        elapsed = time.perf_counter() - t0
        if not b2.equals(batch):
            raise GateError("pyarrow's round trip did not return the batch")
        return elapsed, {}

    def pyarrow_movement(self, w: int | None, k: int) -> tuple[float, dict[str, float]]:
        del w
        batch = self.batch
        t0 = time.perf_counter()
        for _ in range(k):
            b = move(batch)
        elapsed = time.perf_counter() - t0
        if b.num_rows != self.n:
            raise GateError("pyarrow movement: wrong row count")
        return elapsed, {}

    def _check(self, status: int, ticks_done: int, k: int, name: str) -> None:
        if status or ticks_done != k:
            raise GateError(f"{name}: statuses OR {status}, {ticks_done} of {k} ticks completed")

    # -- variants --

    #: name → (loop method, world needed, native processor in the world)
    VARIANTS: ClassVar[dict[str, tuple[str, bool, bool]]] = {
        "split_identity": ("split_identity", True, False),
        "split_identity_calls": ("split_identity_calls", True, False),
        "split_python_movement": ("split_python_movement", True, False),
        "split_handback": ("split_handback", True, False),
        "split_native_apply": ("split_native_apply", True, False),
        "native_step": ("native_step", True, True),
        "native_step_profiled": ("native_step_profiled", True, True),
        "pyarrow_roundtrip_x2": ("pyarrow_roundtrip_x2", False, False),
        "pyarrow_movement": ("pyarrow_movement", False, False),
    }

    def trial(self, variant: str, k: int) -> tuple[float, dict[str, float]]:
        """One repetition of k timed ticks; seconds per tick (and the extras per tick). World
        variants run in chunks of at most MAX_TICKS_PER_WORLD ticks, each on a fresh world
        (created, warmed up and freed untimed)."""
        method, needs_world, native = self.VARIANTS[variant]
        fn = getattr(self, method)
        gc.collect()
        if not needs_world:
            fn(None, 3)
            gc.disable()
            try:
                elapsed, _ = fn(None, k)
            finally:
                gc.enable()
            return elapsed / k, {}
        elapsed = 0.0
        sums: dict[str, float] = {}
        left = k
        while left > 0:
            chunk = min(left, MAX_TICKS_PER_WORLD)
            left -= chunk
            w = self.new_world(native)
            try:
                fn(w, WARMUP_TICKS)
                gc.disable()
                try:
                    sec, extra = fn(w, chunk)
                finally:
                    gc.enable()
                tick = self.x.tick(w)
                if tick != 1 + WARMUP_TICKS + chunk:
                    raise GateError(f"{variant}: tick {tick} after {1 + WARMUP_TICKS + chunk}")
            finally:
                self.drop_world(w)
            elapsed += sec
            for key, v in extra.items():
                sums[key] = sums.get(key, 0.0) + v
        return elapsed / k, {key: v / k for key, v in sums.items()}

    def gate(self) -> None:
        """Ticks 0..GATE_TICKS of every world variant: closed-form rows and equal ledgers."""
        n, t = self.n, GATE_TICKS
        last: dict[str, pa.Table] = {}
        for variant, (method, needs_world, native) in self.VARIANTS.items():
            if not needs_world:
                continue
            w = self.new_world(native)
            try:
                getattr(self, method)(w, t)
                last[variant] = self.x.query_tick(w, TABLE, t)
            finally:
                self.drop_world(w)
        base = n * (n - 1) / 2
        for variant, table in last.items():
            moving = variant not in ("split_identity", "split_identity_calls", "split_handback")
            want_x = base + (n * t if moving else 0.0)
            want_y = -0.5 * n * t if moving else 0.0
            ids = table.column("entity_id").to_pylist()
            sx = pc.sum(table.column("position__x")).as_py()
            sy = pc.sum(table.column("position__y")).as_py()
            if ids != list(range(1, n + 1)) or sx != want_x or sy != want_y:
                raise GateError(
                    f"gate {variant} ({n}, {self.store}): {len(ids)} rows, Σx {sx} (want "
                    f"{want_x}), Σy {sy} (want {want_y})"
                )
        ref = last["native_step"].drop_columns(["run_id"])
        for variant in ("split_python_movement", "split_native_apply", "native_step_profiled"):
            if not last[variant].drop_columns(["run_id"]).equals(ref):
                raise GateError(f"gate: the tick-{t} ledger of {variant} differs from native_step")
        identity = last["split_identity"].drop_columns(["run_id"])
        for variant in ("split_handback", "split_identity_calls"):
            if not identity.equals(last[variant].drop_columns(["run_id"])):
                raise GateError(f"gate: split_identity and {variant} ledgers differ")
        self.pyarrow_roundtrip_x2(None, 1)

    def calibrate(self, variant: str, target: float) -> int:
        k = 8
        while True:
            per_tick, _ = self.trial(variant, k)
            if per_tick * k >= target or k >= 100_000:
                return k
            k = min(100_000, max(2 * k, math.ceil(target * 1.2 / max(per_tick, 1e-9))))


def split_case(x: Abi, n: int, store: str, args: argparse.Namespace) -> dict[str, Any]:
    bench = TickBench(x, n, store, args.tmpdir)
    bench.gate()
    target = args.target_ms / 1e3
    plan = [(v, bench.calibrate(v, target)) for v in TickBench.VARIANTS]
    per_tick: dict[str, list[float]] = {v: [] for v, _ in plan}
    phases: dict[str, list[float]] = {}
    for r in range(args.warmup + args.trials):
        shift = r % len(plan)
        for variant, k in plan[shift:] + plan[:shift]:
            sec, extra = bench.trial(variant, k)
            if r < args.warmup:
                continue
            per_tick[variant].append(sec)
            for key, v in extra.items():
                phases.setdefault(key, []).append(v)
    med = {v: statistics.median(values) for v, values in per_tick.items()}
    phase_med = {key: statistics.median(values) for key, values in phases.items()}
    a, b = med["split_identity"], med["split_python_movement"]
    c, d = med["native_step"], med["pyarrow_roundtrip_x2"]
    calls = med["split_identity_calls"]
    work = phase_med["tick_minus_process_sec"]
    work_alt = c - phase_med["process_sec"]
    beyond = calls - work
    host_inclusive = a - work
    ratios = {
        "calls_beyond_work_over_pyarrow_roundtrip_x2": beyond / d,
        "calls_beyond_work_over_pyarrow_roundtrip_x1": beyond / (d / 2),
        "calls_beyond_work_alt_over_pyarrow_roundtrip_x2": (calls - work_alt) / d,
        "handback_beyond_work_over_pyarrow_roundtrip_x2": (med["split_handback"] - work) / d,
        "identity_beyond_work_over_pyarrow_roundtrip_x2": host_inclusive / d,
        "abi_identity_over_pyarrow_roundtrip_x2": a / d,
        "python_movement_over_native_step": b / c,
        "abi_identity_over_native_step": a / c,
        "calls_over_native_step": calls / c,
        "handback_over_native_step": med["split_handback"] / c,
        "native_apply_over_native_step": med["split_native_apply"] / c,
        "python_movement_over_abi_identity": b / a,
    }
    goal = {
        "statement": "begin + commit costs no more than 2x pyarrow's own round trip beyond the "
        "work itself: (arct_step_begin + arct_step_commit, timed in the real split step) - "
        "engine_work <= 2 x one pyarrow export->import round trip = pyarrow_roundtrip_x2",
        "begin_plus_commit_sec": calls,
        "beyond_work_sec": beyond,
        "allowed_sec": d,
        "ratio": beyond / d,
        "met": beyond <= d,
        "host_inclusive_reading": "split_identity (begin + the host's pyarrow import and "
        "export + commit) - engine_work <= pyarrow_roundtrip_x2: charges the host's own pyarrow "
        "work to the ABI as well",
        "host_inclusive_ratio": host_inclusive / d,
        "met_host_inclusive": host_inclusive <= d,
    }
    if store != "memory":
        goal["note"] = (
            "supplementary: the store's file writes dominate both the split step and the "
            "engine work, so their difference carries the I/O's variance; the goal is judged "
            "on the in-memory store"
        )
    case = {
        "entities": n,
        "store": store,
        "codec": "snappy" if store == "parquet" else None,
        "durability": "NO_FSYNC" if store == "parquet" else None,
        "batch_columns": bench.batch.num_columns,
        "batch_nbytes": bench.batch.nbytes,
        "ticks_per_repetition": dict(plan),
        "sec_per_tick": {v: spread(values) for v, values in per_tick.items()},
        "native_profile_sec_per_tick": {
            k: spread(v) for k, v in phases.items() if k not in CALL_PARTS
        },
        "split_identity_calls_sec_per_tick": {
            k: spread(v) for k, v in phases.items() if k in CALL_PARTS
        },
        "engine_work_sec": work,
        "engine_work_alt_sec": work_alt,
        "native_kernel_and_contract_sec": phase_med["process_sec"],
        "deltas_sec": {
            "calls_minus_engine_work": beyond,
            "abi_identity_minus_engine_work": host_inclusive,
            "handback_minus_engine_work": med["split_handback"] - work,
            "python_movement_minus_native_step": b - c,
            "abi_identity_minus_handback": a - med["split_handback"],
            "python_movement_minus_abi_identity": b - a,
        },
        "ratios": ratios,
        "goal": goal,
        "correct": True,
    }
    us = {v: m * 1e6 for v, m in med.items()}
    print(
        f"  {n:>6} entities, {store:<7s}: identity {us['split_identity']:8.1f} µs, "
        f"handback {us['split_handback']:8.1f}, python movement {us['split_python_movement']:8.1f}"
        f", native apply {us['split_native_apply']:8.1f}, native step {us['native_step']:8.1f}, "
        f"pyarrow rt x2 {us['pyarrow_roundtrip_x2']:6.1f}, engine work {work * 1e6:7.1f} µs",
        flush=True,
    )
    parts = {k: phase_med[k] * 1e6 for k in CALL_PARTS}
    print(
        f"  {'':>6}   begin + commit {us['split_identity_calls']:.1f} µs (begin "
        f"{parts['begin_sec']:.1f}, commit {parts['commit_sec']:.1f}; host pyarrow "
        f"{parts['host_pyarrow_sec']:.1f})  (calls-work)/d {goal['ratio']:.2f}  "
        f"(a-work)/d {goal['host_inclusive_ratio']:.2f}  b/c "
        f"{ratios['python_movement_over_native_step']:.2f}  a/c "
        f"{ratios['abi_identity_over_native_step']:.2f}  goal met: {goal['met']} "
        f"(host-inclusive: {goal['met_host_inclusive']})",
        flush=True,
    )
    return case


# ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="use the existing library")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--target-ms", type=float, default=50.0, help="min ms per repetition")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--stores", default=",".join(STORES))
    parser.add_argument("--skip-per-call", action="store_true", help="split step only")
    parser.add_argument("--skip-split-step", action="store_true", help="per call only")
    parser.add_argument("--quick", action="store_true", help="1 trial, 10 ms loops (smoke)")
    parser.add_argument("--tmpdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--out", type=Path, default=None, help=f"default {RESULTS}")
    args = parser.parse_args(argv)
    if args.quick:
        args.trials, args.target_ms, args.stores = 1, 10.0, "memory"
    partial = args.quick or args.skip_per_call or args.skip_split_step
    out = args.out or (None if partial else RESULTS)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    stores = [s for s in args.stores.split(",") if s]
    if args.trials < 1 or any(s not in STORES for s in stores) or any(n < 1 for n in sizes):
        parser.error("--trials >= 1, --stores from memory,parquet, --sizes >= 1")
    if not args.no_build:
        build_library()
    if not LIB_PATH.is_file():
        print(f"missing {LIB_PATH}; build it or drop --no-build", file=sys.stderr)
        return 2
    lib = load(LIB_PATH)
    x = Abi(lib)
    counters_before = lib.debug_counters()
    load_before = os.getloadavg()
    started = time.perf_counter()
    try:
        calls = None
        if not args.skip_per_call:
            print("per call (ns):", flush=True)
            calls = per_call(x, args)
        cases = []
        if not args.skip_split_step:
            print("split step (per tick):", flush=True)
            for store in stores:
                for n in sizes:
                    cases.append(split_case(x, n, store, args))
    except GateError as e:
        print(f"gate failed: {e}", file=sys.stderr)
        return 1
    gc.collect()
    counters_after = lib.debug_counters()
    if counters_after != counters_before:
        print(f"warning: live counters {counters_before} -> {counters_after}", file=sys.stderr)
    info = machine(build="release")
    doc = {
        "version": VERSION,
        "benchmark": "c_abi",
        "git_commit": git_commit(),
        "created_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": info,
        "machine_line": machine_line(info),
        "library": str(LIB_PATH.relative_to(REPO)),
        "build_command": " ".join([*BUILD_COMMAND[:5], ".build-release", *BUILD_COMMAND[6:]]),
        "config": {
            "trials": args.trials,
            "warmup": args.warmup,
            "target_ms_per_repetition": args.target_ms,
            "sizes": sizes,
            "stores": stores,
            "dt": DT,
            "warmup_ticks_per_world": WARMUP_TICKS,
            "pyarrow_version": pa.__version__,
            "clock": "time.perf_counter (time.perf_counter_ns for split:* parts)",
            "gc": "collected before and disabled during every timed loop",
            "temp_dir": str(args.tmpdir),
            "temp_dir_filesystem": _filesystem(str(args.tmpdir)),
            "load_average_1m_5m_15m_before": [round(v, 2) for v in load_before],
            "load_average_1m_5m_15m_after": [round(v, 2) for v in os.getloadavg()],
            "wall_sec": round(time.perf_counter() - started, 1),
        },
        "correct": True,
        "live_counters": {"before": list(counters_before), "after": list(counters_after)},
        "per_call": calls,
        "split_step": {
            "definition": "seconds per tick: the median over rounds of (loop time / ticks); "
            "split_identity (a) = begin + pyarrow import + pyarrow export of the unchanged "
            "batch + commit; split_identity_calls = the same loop, counting only the time "
            "inside begin and commit (a timer pair around each, the empty-timer cost "
            "subtracted); split_python_movement (b) = the same with the pyarrow.compute "
            "movement processor; split_handback = the begin export handed to commit unchanged "
            "(no pyarrow); split_native_apply = begin + arct_processor_apply + commit; "
            "native_step (c) = arct_world_step(profile NULL) with the native movement "
            "processor; native_step_profiled = with a profile (phases summed per tick); "
            "pyarrow_roundtrip_x2 (d) = pyarrow export + import of the begin-shaped batch, "
            "twice; pyarrow_movement = the pyarrow.compute processor alone",
            "engine_work": "median over rounds of the per-tick mean of tick_sec - process_sec "
            "of native_step_profiled (inside the library): prior read, tombstones, staged "
            "rows, stamping, store append, live snapshot; process_sec = the movement kernel "
            "and its contract check. engine_work_alt = median(native_step) - "
            "median(process_sec)",
            "goal": "calls_beyond_work_over_pyarrow_roundtrip_x2 = (split_identity_calls - "
            "engine_work) / d <= 1; host-inclusive reading: (a - engine_work) / d <= 1",
            "cases": cases,
        },
        "goal_summary": [
            {
                "entities": c["entities"],
                "store": c["store"],
                "ratio": c["goal"]["ratio"],
                "met": c["goal"]["met"],
                "host_inclusive_ratio": c["goal"]["host_inclusive_ratio"],
                "met_host_inclusive": c["goal"]["met_host_inclusive"],
                "judged": c["store"] == "memory",
            }
            for c in cases
        ],
    }
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"wrote {out}")
    for c in cases:
        g = c["goal"]
        print(
            f"goal, {c['entities']} entities, {c['store']}: (begin + commit - engine work) = "
            f"{g['beyond_work_sec'] * 1e6:.1f} µs vs 2 pyarrow round trips = "
            f"{g['allowed_sec'] * 1e6:.1f} µs: ratio {g['ratio']:.2f}, "
            f"{'MET' if g['met'] else 'NOT MET'} (host-inclusive ratio "
            f"{g['host_inclusive_ratio']:.2f}: "
            f"{'met' if g['met_host_inclusive'] else 'not met'})"
            + ("" if c["store"] == "memory" else "; supplementary (store I/O)")
        )
    print(machine_line(info))
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
