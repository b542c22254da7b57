"""Issue 5: a Python process driving 10,000 split-step ticks with a Python processor keeps a
flat RSS (start and end are printed; run pytest with -s to see them).

A child interpreter creates a world, spawns 1,000 movement entities and runs 10,000 ticks of
`arct_step_begin` → `position += velocity * dt` in `pyarrow.compute` → `arct_step_commit`. It
prints its resident set size (`/proc/self/statm`) and the library's debug counters every 1,000
ticks as it goes, then checks the last tick's values and frees the world. The test asserts:
RSS growth from tick 1,000 (warmed up) to 10,000 below 20 MB, the same debug counters at every
sample from tick 1,000 on, counters back to zero after `arct_world_free`, and a clean exit.

The world writes its ledger to a Parquet store in a temporary directory (no fsync): an
in-memory store keeps every tick's batch in process memory by design (its ledger *is* memory),
so only a store that writes elsewhere can show a flat RSS. A control run copies every column in
the processor (nothing the library exported comes back at commit), and a shorter run on the
in-memory store checks that its growth stays within the ledger it holds.
"""

from __future__ import annotations

import json
import time
from typing import Any

from archetype._abi import NativeLibrary

import cdata_helpers as h

MB = 1024 * 1024

CHILD = r"""
import json, os, shutil, sys, tempfile, time
import pyarrow as pa
import pyarrow.compute as pc
import cdata_helpers as h
import world_helpers as wh

TICKS = int(os.environ["RSS_TICKS"])
N = int(os.environ["RSS_ENTITIES"])
STORE = os.environ["RSS_STORE"]
EVERY = int(os.environ["RSS_EVERY"])
PROCESSOR = os.environ["RSS_PROCESSOR"]
PAGE = os.sysconf("SC_PAGE_SIZE")

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE

def emit(kind, value):
    print(kind + " " + json.dumps(value), flush=True)

lib = h.load_native()
tmp = tempfile.mkdtemp(prefix="arct-rss-") if STORE == "parquet" else None
w = wh.World.create(lib, None, "rss", "run", tmp)
w.register("mv", wh.MOVEMENT)
w.spawn("mv", wh.movement_batch(N, x0=0.0, dx=1.0, dy=-0.5))
dt = pa.scalar(0.5, pa.float64())
ix = wh.full_schema(wh.MOVEMENT).get_field_index("position__x")
iy = ix + 1

def compute(b):
    # position += velocity * dt; every other column passes through untouched (zero-copy).
    x = pc.add(b.column(ix), pc.multiply(b.column(ix + 2), dt))
    y = pc.add(b.column(iy), pc.multiply(b.column(iy + 2), dt))
    b = b.set_column(ix, b.schema.field(ix), x)
    return b.set_column(iy, b.schema.field(iy), y)

def copy_all(b):
    # The same, then every column copied into fresh pyarrow buffers.
    b = compute(b)
    idx = pa.array(range(b.num_rows), pa.int32())
    return pa.RecordBatch.from_arrays([c.take(idx) for c in b.columns], schema=b.schema)

process = {"compute": compute, "copy_all": copy_all}[PROCESSOR]
t0 = time.monotonic()
emit("SAMPLE", {"tick": 0, "rss": rss(), "counters": lib.debug_counters(), "sec": 0.0})
for tick in range(1, TICKS + 1):
    prior = w.begin("mv")
    done = w.commit("mv", process(prior))
    assert done == 1
    del prior
    if tick % EVERY == 0 or tick == 1:
        emit("SAMPLE", {"tick": tick, "rss": rss(), "counters": lib.debug_counters(),
                        "sec": time.monotonic() - t0})
assert w.tick() == TICKS
last = w.query("mv", ticks=[TICKS - 1])
xs = last.column("position__x").to_pylist()
emit("VALUES", xs == [i + 0.5 * (TICKS - 1) for i in range(N)])
del last
if tmp is not None:
    emit("PARTS", len(os.listdir(os.path.join(tmp, "default", "mv"))))
emit("FREEING", lib.debug_counters())
w.free()
emit("FREED", lib.debug_counters())
if tmp is not None:
    shutil.rmtree(tmp, ignore_errors=True)
finish()
"""


def _run(
    ticks: int, entities: int, store: str, every: int, processor: str = "compute"
) -> dict[str, Any]:
    settings = {
        "RSS_TICKS": ticks,
        "RSS_ENTITIES": entities,
        "RSS_STORE": store,
        "RSS_EVERY": every,
        "RSS_PROCESSOR": processor,
    }
    prelude = "".join(f"os.environ[{k!r}] = {str(v)!r}\n" for k, v in settings.items())
    start = time.monotonic()
    proc = h.run_python(prelude + CHILD, timeout=900)
    out: dict[str, Any] = {"samples": [], "proc": proc, "process_sec": time.monotonic() - start}
    for line in proc.stdout.splitlines():
        kind, _, value = line.partition(" ")
        if kind == "SAMPLE":
            out["samples"].append(json.loads(value))
        elif kind in ("VALUES", "PARTS", "FREEING", "FREED"):
            out[kind.lower()] = json.loads(value)
    return out


def _report(label: str, out: dict[str, Any]) -> tuple[int, int]:
    samples = out["samples"]
    assert samples, f"no sample: {h.describe_exit(out['proc'])}"
    by_tick = {s["tick"]: s for s in samples}
    warm = by_tick.get(1000, samples[min(1, len(samples) - 1)])
    end = samples[-1]
    print(
        f"\n{label}: RSS at tick {warm['tick']} = {warm['rss'] / MB:.1f} MB, "
        f"at tick {end['tick']} = {end['rss'] / MB:.1f} MB "
        f"(start {samples[0]['rss'] / MB:.1f} MB); {end['tick']} ticks in {end['sec']:.1f} s "
        f"({1e3 * end['sec'] / max(end['tick'], 1):.2f} ms/tick), child process "
        f"{out['process_sec']:.1f} s, exit {out['proc'].returncode}"
    )
    listing = ", ".join(f"{s['tick']}: {s['rss'] / MB:.1f}" for s in samples)
    print("  samples (tick: RSS MB): " + listing)
    print(
        f"  debug counters (buffers, exports, imports): {warm['counters']} at tick "
        f"{warm['tick']}, {end['counters']} at tick {end['tick']}; before free "
        f"{out.get('freeing')}, after {out.get('freed')}"
    )
    return int(warm["rss"]), int(end["rss"])


def _assert_flat(out: dict[str, Any], warm: int, end: int, ticks: int) -> None:
    samples = out["samples"]
    problems = []
    if samples[-1]["tick"] != ticks:
        problems.append(f"the child stopped at tick {samples[-1]['tick']}")
    if end - warm >= 20 * MB:
        problems.append(f"RSS grew by {(end - warm) / MB:.1f} MB from tick 1000 to {ticks}")
    drift = [s["counters"] for s in samples if s["tick"] >= 1000]
    if len({tuple(c) for c in drift}) != 1:
        problems.append(f"library counters drift after tick 1000: {drift[0]} -> {drift[-1]}")
    if out.get("values") is not True:
        problems.append(f"positions at the last tick: {out.get('values')}")
    if out.get("freed") != [0, 0, 0]:
        problems.append(f"after arct_world_free the counters are {out.get('freed')}")
    if out["proc"].returncode != 0:
        problems.append(
            "the child process did not survive"
            + (" arct_world_free" if "freeing" in out and "freed" not in out else "")
            + ": "
            + h.describe_exit(out["proc"])
        )
    assert not problems, "; ".join(problems)


def test_rss_flat_over_10000_split_ticks(lib: NativeLibrary) -> None:
    """The acceptance run: pyarrow.compute movement, 1,000 entities, 10,000 ticks."""
    out = _run(ticks=10_000, entities=1_000, store="parquet", every=1_000)
    warm, end = _report("pyarrow.compute movement, Parquet store", out)
    _assert_flat(out, warm, end, 10_000)
    assert out.get("parts") == 10_000


def test_rss_flat_when_the_processor_copies_every_column(lib: NativeLibrary) -> None:
    """Control: the same loop with every column copied by pyarrow (nothing the library
    exported comes back at commit)."""
    out = _run(ticks=3_000, entities=1_000, store="parquet", every=1_000, processor="copy_all")
    warm, end = _report("copy-all processor, Parquet store", out)
    _assert_flat(out, warm, end, 3_000)


def test_rss_in_memory_store_grows_only_by_its_ledger(lib: NativeLibrary) -> None:
    ticks, n = 3_000, 1_000
    out = _run(ticks=ticks, entities=n, store="memory", every=500)
    warm, end = _report("pyarrow.compute movement, in-memory store", out)
    assert out["proc"].returncode == 0, h.describe_exit(out["proc"])
    assert out.get("values") is True, "wrong positions at the last tick"
    # The ledger: per tick and row, 4 float64 + entity_id + tick (int32) + is_active, plus the
    # two strings (offsets and bytes); generously 60 bytes a row.
    ledger = (ticks - 1000) * n * 60
    assert end - warm < ledger + 20 * MB, (
        f"RSS grew by {(end - warm) / MB:.1f} MB from tick 1000 to {ticks}, "
        f"the ledger holds at most {ledger / MB:.1f} MB"
    )
