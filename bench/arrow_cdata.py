"""Benchmark: the cost of an Arrow C Data import + export through the native library, per batch,
against pyarrow's own export → import of the same batch in the same run (issue 2).

For 4 and 16 columns (float64 / int32 / utf8 in turn) and 1,000 and 100,000 rows:

- `call`: the `arct_record_batch_roundtrip` call alone: Swift moves and validates the input
  (import), then exports the same batch. The pyarrow export of each input is prepared before
  the timed loop, the pyarrow import of each output is done after it.
- `end_to_end`: pyarrow export of the input + the call + pyarrow import of the output.
- `pyarrow`: pyarrow's `RecordBatch._export_to_c` → `RecordBatch._import_from_c`.

Releasing the imported batches (and with them every exported struct) happens after each timed
loop, for all three. 1 warm-up + 5 trials; each trial runs a loop of many iterations and counts
its time per batch; the median, min and max over trials are reported, and ratios ours/pyarrow are
taken from the medians of the same run. Before any timing, a correctness gate checks that the
round trip returns the input batch; a failed gate exits 1 and writes nothing.

The native library is the release build of `swift build -c release --scratch-path
.build-release --product ArchetypeFFI` (built by this script unless `--no-build`), loaded through
`ARCHETYPE_NATIVE_LIB` (bench.md §1.2).

    .venv/bin/python bench/arrow_cdata.py [--no-build] [--trials 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import ctypes
import datetime
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SCRATCH = REPO / ".build-release"
LIB_NAME = "libArchetypeFFI.dylib" if sys.platform == "darwin" else "libArchetypeFFI.so"
LIB_PATH = SCRATCH / "release" / LIB_NAME
RESULTS = REPO / "bench" / "results" / "arrow_cdata.json"

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["ARCHETYPE_NATIVE_LIB"] = str(LIB_PATH)
os.environ.setdefault("SWIFT_BACKTRACE", "enable=no")

import pyarrow as pa  # noqa: E402

from archetype import _abi  # noqa: E402
from archetype._abi import ArrowArray, ArrowSchema, NativeLibrary  # noqa: E402

from _machine import git_commit, machine, machine_line  # noqa: E402

VERSION = 1
COLUMNS = (4, 16)
ROWS = (1_000, 100_000)
# Iterations per trial, so that one trial takes a few hundred milliseconds at most.
ITERATIONS = {1_000: 2_000, 100_000: 100}


def build_library() -> None:
    cmd = [
        "swift",
        "build",
        "-c",
        "release",
        "--scratch-path",
        str(SCRATCH),
        "--product",
        "ArchetypeFFI",
    ]
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=REPO, check=True)


def make_batch(columns: int, rows: int, seed: int = 42) -> pa.RecordBatch:
    """float64, int32, utf8 columns in turn; about 5% nulls; strings of 4 to 12 ASCII bytes."""
    rng = random.Random(seed)
    arrays: dict[str, pa.Array] = {}
    for c in range(columns):
        kind = c % 3
        valid = [rng.random() >= 0.05 for _ in range(rows)]
        if kind == 0:
            values: list[Any] = [rng.uniform(-1e6, 1e6) for _ in range(rows)]
            typ = pa.float64()
        elif kind == 1:
            values = [rng.randint(-(2**31), 2**31 - 1) for _ in range(rows)]
            typ = pa.int32()
        else:
            letters = "abcdefghijklmnopqrstuvwxyz"
            values = ["".join(rng.choices(letters, k=rng.randint(4, 12))) for _ in range(rows)]
            typ = pa.string()
        arrays[f"c{c}_{typ}"] = pa.array(
            [v if ok else None for v, ok in zip(values, valid, strict=True)], typ
        )
    return pa.record_batch(arrays)


def export(batch: pa.RecordBatch) -> tuple[ArrowArray, ArrowSchema]:
    arr, schema = ArrowArray(), ArrowSchema()
    batch._export_to_c(ctypes.addressof(arr), ctypes.addressof(schema))
    return arr, schema


def gate(lib: NativeLibrary, batch: pa.RecordBatch) -> None:
    arr, schema = export(batch)
    out_a, out_s = ArrowArray(), ArrowSchema()
    status = lib.arct_record_batch_roundtrip(
        ctypes.byref(arr), ctypes.byref(schema), ctypes.byref(out_a), ctypes.byref(out_s)
    )
    if status != 0:
        raise SystemExit(f"gate failed: status {status}: {lib.last_error()}")
    result = pa.RecordBatch._import_from_c(ctypes.addressof(out_a), ctypes.addressof(out_s))
    if not result.equals(batch) or not result.schema.equals(batch.schema, check_metadata=True):
        raise SystemExit("gate failed: the round trip did not return the input batch")


def time_call(lib: NativeLibrary, batch: pa.RecordBatch, n: int) -> float:
    """Seconds for n library calls; exports prepared before, imports done after."""
    inputs = [export(batch) for _ in range(n)]
    outputs = [(ArrowArray(), ArrowSchema()) for _ in range(n)]
    args = [
        (ctypes.byref(a), ctypes.byref(s), ctypes.byref(oa), ctypes.byref(os_))
        for (a, s), (oa, os_) in zip(inputs, outputs, strict=True)
    ]
    fn = lib.arct_record_batch_roundtrip
    statuses = 0
    t0 = time.perf_counter()
    for a in args:
        statuses |= fn(*a)
    elapsed = time.perf_counter() - t0
    if statuses:
        raise SystemExit(f"a timed call failed: {lib.last_error()}")
    results = [
        pa.RecordBatch._import_from_c(ctypes.addressof(oa), ctypes.addressof(os_))
        for oa, os_ in outputs
    ]
    del results, inputs, outputs, args
    return elapsed


def time_end_to_end(lib: NativeLibrary, batch: pa.RecordBatch, n: int) -> float:
    """Seconds for n × (pyarrow export + library call + pyarrow import)."""
    fn = lib.arct_record_batch_roundtrip
    structs = [(ArrowArray(), ArrowSchema(), ArrowArray(), ArrowSchema()) for _ in range(n)]
    results: list[pa.RecordBatch] = []
    keep = results.append
    addr = ctypes.addressof
    t0 = time.perf_counter()
    for a, s, oa, os_ in structs:
        batch._export_to_c(addr(a), addr(s))
        if fn(ctypes.byref(a), ctypes.byref(s), ctypes.byref(oa), ctypes.byref(os_)):
            raise SystemExit(f"a timed call failed: {lib.last_error()}")
        keep(pa.RecordBatch._import_from_c(addr(oa), addr(os_)))
    elapsed = time.perf_counter() - t0
    del results, structs
    return elapsed


def time_pyarrow(batch: pa.RecordBatch, n: int) -> float:
    """Seconds for n × (pyarrow export + pyarrow import)."""
    structs = [(ArrowArray(), ArrowSchema()) for _ in range(n)]
    results: list[pa.RecordBatch] = []
    keep = results.append
    addr = ctypes.addressof
    t0 = time.perf_counter()
    for a, s in structs:
        batch._export_to_c(addr(a), addr(s))
        keep(pa.RecordBatch._import_from_c(addr(a), addr(s)))
    elapsed = time.perf_counter() - t0
    del results, structs
    return elapsed


def summary(per_batch: list[float]) -> dict[str, Any]:
    return {
        "median_sec": statistics.median(per_batch),
        "min_sec": min(per_batch),
        "max_sec": max(per_batch),
        "trials_sec": per_batch,
    }


def measure(lib: NativeLibrary, columns: int, rows: int, trials: int) -> dict[str, Any]:
    batch = make_batch(columns, rows)
    gate(lib, batch)
    n = ITERATIONS[rows]
    series: dict[str, list[float]] = {"call": [], "end_to_end": [], "pyarrow": []}
    for trial in range(trials + 1):  # trial 0 is the warm-up
        gc.collect()
        gc.disable()
        try:
            # Interleave the three so that drift affects them alike.
            timings = {
                "call": time_call(lib, batch, n) / n,
                "pyarrow": time_pyarrow(batch, n) / n,
                "end_to_end": time_end_to_end(lib, batch, n) / n,
            }
        finally:
            gc.enable()
        if trial > 0:
            for k, v in timings.items():
                series[k].append(v)
    out = {k: summary(v) for k, v in series.items()}
    pyarrow_median = out["pyarrow"]["median_sec"]
    return {
        "columns": columns,
        "rows": rows,
        "column_types": [str(t) for t in batch.schema.types],
        "iterations_per_trial": n,
        "trials": trials,
        **out,
        "ratio_call_vs_pyarrow": out["call"]["median_sec"] / pyarrow_median,
        "ratio_end_to_end_vs_pyarrow": out["end_to_end"]["median_sec"] / pyarrow_median,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="use the existing library")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not args.no_build:
        build_library()
    if not LIB_PATH.is_file():
        print(f"missing {LIB_PATH}; build it or drop --no-build", file=sys.stderr)
        return 2
    lib = _abi.open_library(LIB_PATH)
    counters_before = lib.debug_counters()
    results = []
    for columns in COLUMNS:
        for rows in ROWS:
            r = measure(lib, columns, rows, args.trials)
            results.append(r)
            print(
                f"{columns:>3} cols {rows:>7} rows: call {r['call']['median_sec'] * 1e6:9.2f} µs"
                f"  end-to-end {r['end_to_end']['median_sec'] * 1e6:9.2f} µs"
                f"  pyarrow {r['pyarrow']['median_sec'] * 1e6:9.2f} µs"
                f"  ratio call/pyarrow {r['ratio_call_vs_pyarrow']:.2f}"
                f"  e2e/pyarrow {r['ratio_end_to_end_vs_pyarrow']:.2f}",
                flush=True,
            )
    gc.collect()
    counters_after = lib.debug_counters()
    if counters_after != counters_before:
        print(f"warning: live counters {counters_before} -> {counters_after}", file=sys.stderr)
    info = machine(build="release")
    doc = {
        "version": VERSION,
        "benchmark": "arrow_cdata",
        "git_commit": git_commit(),
        "created_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": info,
        "library": str(LIB_PATH.relative_to(REPO)),
        "timing": {
            "clock": "time.perf_counter",
            "call": "arct_record_batch_roundtrip alone (Swift import with validation + export)",
            "end_to_end": "pyarrow export + arct_record_batch_roundtrip + pyarrow import",
            "pyarrow": "pyarrow RecordBatch._export_to_c + RecordBatch._import_from_c",
            "release": "outside every timed region",
            "per_batch": "trial time / iterations; 1 warm-up + trials; median, min, max",
            "goal": "ratio_call_vs_pyarrow <= 1.0",
        },
        "live_counters": {"before": list(counters_before), "after": list(counters_after)},
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(machine_line(info))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
