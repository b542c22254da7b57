"""A Python round-trip run of the C ABI for valgrind (docs/c-abi.md, "Checking the library").

Drives every data path that allocates in the library: world creation on an in-memory and on a
Parquet store, registration, spawns, updates, despawns, migrations, native steps, split steps with
a pyarrow processor, queries read to the end, the version-1 round trips and failed calls with
inputs. Everything the library hands out is imported by pyarrow (which releases it) and every
world is freed, so any "definitely lost" block attributed to libArchetypeFFI is a library leak.

    PYTHONMALLOC=malloc valgrind --leak-check=full python scripts/valgrind_roundtrip.py LIB [N]
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import tempfile

os.environ.setdefault("SWIFT_BACKTRACE", "enable=no")

import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python", "src"))

from archetype._abi import (
    ArrowArray,
    ArrowArrayStream,
    ArrowSchema,
    NativeLibrary,
    arct_processor_spec,
    arct_world_options,
    open_library,
)

SCHEMA = pa.schema(
    [
        (n, pa.float64(), False)
        for n in ("position__x", "position__y", "velocity__dx", "velocity__dy")
    ]
    + [pa.field("name__label", pa.utf8())]
)


def export_batch(batch: pa.RecordBatch) -> tuple[ArrowArray, ArrowSchema]:
    a, s = ArrowArray(), ArrowSchema()
    batch._export_to_c(ctypes.addressof(a), ctypes.addressof(s))
    return a, s


def movers(n: int, start: float = 0.0) -> pa.RecordBatch:
    xs = [start + i for i in range(n)]
    return pa.record_batch(
        [
            pa.array(xs),
            pa.array(xs),
            pa.array([1.0] * n),
            pa.array([0.5] * n),
            pa.array([f"m{i}" for i in range(n)]),
        ],
        schema=SCHEMA,
    )


def main() -> None:
    lib = open_library(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    before = lib.debug_counters()
    drive(lib, rounds)
    gc.collect()
    # Empty the process-wide caches (pooled buffers, parsed schemas) so that what valgrind
    # finds at exit is only what is really held; every counter must then be back at the start.
    lib.arct_debug_release_caches()
    after = lib.debug_counters()
    print(f"valgrind_roundtrip: ok, counters {before} -> {after}", flush=True)
    if after != before:
        raise SystemExit("buffers, exports or imports are still alive")
    os._exit(0)


def drive(lib: NativeLibrary, rounds: int) -> None:
    c = lib.cdll

    def ok(rc: int, what: str) -> None:
        if rc != 0:
            raise SystemExit(f"{what}: status {rc}: {lib.last_error()}")

    root = tempfile.mkdtemp(prefix="arct-valgrind-")
    for k in range(2):
        opts = arct_world_options()
        c.arct_world_options_init(ctypes.byref(opts))
        opts.world_id, opts.run_id = b"w", f"r{k}".encode()
        if k == 1:
            opts.store_root = root.encode()
            opts.durability = 1
        world = ctypes.c_void_p()
        ok(c.arct_world_new(ctypes.byref(opts), ctypes.byref(world)), "new")
        s = ArrowSchema()
        SCHEMA._export_to_c(ctypes.addressof(s))
        ok(c.arct_world_register_table(world, b"movers", ctypes.byref(s), 0), "register")
        spec = arct_processor_spec(
            struct_size=32, kind=1, priority=10, flags=0, dt=0.5, label=b"move"
        )
        pid = ctypes.c_uint64()
        ok(
            c.arct_world_add_processor(world, ctypes.byref(spec), ctypes.byref(pid)),
            "add processor",
        )
        ids = (ctypes.c_int32 * 64)()
        n = ctypes.c_int64()
        for r in range(rounds):
            a, s = export_batch(movers(32, r))
            ok(
                c.arct_world_spawn(
                    world, b"movers", ctypes.byref(a), ctypes.byref(s), ids, 64, ctypes.byref(n)
                ),
                "spawn",
            )
            patch = pa.record_batch(
                [pa.array([ids[0]], pa.int32()), pa.array([99.0])],
                names=["entity_id", "position__x"],
            )
            a, s = export_batch(patch)
            ok(c.arct_world_update(world, ctypes.byref(a), ctypes.byref(s)), "update")
            dead = (ctypes.c_int32 * 1)(ids[1])
            ok(c.arct_world_despawn(world, dead, 1), "despawn")
            ok(c.arct_world_step(world, None), "step")
            # A split step with a pyarrow processor.
            a, s = ArrowArray(), ArrowSchema()
            ok(c.arct_step_begin(world, b"movers", ctypes.byref(a), ctypes.byref(s)), "begin")
            prior = pa.RecordBatch._import_from_c(ctypes.addressof(a), ctypes.addressof(s))
            x = pc.add(prior.column("position__x"), pc.multiply(prior.column("velocity__dx"), 0.5))
            i = prior.schema.get_field_index("position__x")
            out = prior.set_column(i, prior.schema.field(i), x)
            a, s = export_batch(out)
            done = ctypes.c_int32()
            ok(
                c.arct_step_commit(
                    world, b"movers", ctypes.byref(a), ctypes.byref(s), ctypes.byref(done)
                ),
                "commit",
            )
            # Failed calls with inputs: the inputs are still released.
            a, s = export_batch(pa.record_batch([pa.array([1.0])], names=["nope__x"]))
            assert (
                c.arct_world_spawn(
                    world, b"movers", ctypes.byref(a), ctypes.byref(s), ids, 64, ctypes.byref(n)
                )
                == 300
            )
            stream = ArrowArrayStream()
            ok(c.arct_world_query(world, b"movers", None, ctypes.byref(stream)), "query")
            pa.RecordBatchReader._import_from_c(ctypes.addressof(stream)).read_all()
            for name in ("arct_world_tables", "arct_world_entities", "arct_world_active_tables"):
                a, s = ArrowArray(), ArrowSchema()
                ok(getattr(c, name)(world, ctypes.byref(a), ctypes.byref(s)), name)
                pa.RecordBatch._import_from_c(ctypes.addressof(a), ctypes.addressof(s))
            a, s = export_batch(movers(8))
            oa, os_ = ArrowArray(), ArrowSchema()
            ok(
                c.arct_record_batch_roundtrip(
                    ctypes.byref(a), ctypes.byref(s), ctypes.byref(oa), ctypes.byref(os_)
                ),
                "roundtrip",
            )
            pa.RecordBatch._import_from_c(ctypes.addressof(oa), ctypes.addressof(os_))
            a, s = export_batch(movers(8))
            oa, os_ = ArrowArray(), ArrowSchema()
            ok(
                c.arct_processor_apply(
                    ctypes.byref(spec),
                    ctypes.byref(a),
                    ctypes.byref(s),
                    ctypes.byref(oa),
                    ctypes.byref(os_),
                    0,
                ),
                "apply",
            )
            pa.RecordBatch._import_from_c(ctypes.addressof(oa), ctypes.addressof(os_))
        # Migration into a new table (registered by the call), then one more step.
        to = ArrowSchema()
        pa.schema([pa.field("position__x", pa.float64(), False)])._export_to_c(ctypes.addressof(to))
        moved = (ctypes.c_int32 * 1)(ids[2])
        ok(c.arct_world_migrate(world, b"still", ctypes.byref(to), None, None, moved, 1), "migrate")
        ok(c.arct_world_step(world, None), "step")
        ok(c.arct_world_free(world), "free")


if __name__ == "__main__":
    main()
