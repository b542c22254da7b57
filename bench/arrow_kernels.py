"""Benchmark: the Arrow kernels `take`, `filter` and `concatenate` of the Swift module against
`pyarrow.compute` on the identical 1M-row data, in the same run.

Data (row `i` of `rows`; the Swift side, `archetype bench arrow`, uses the same formulas):

- `entity_id` int32 (not null) = `i`
- `x` float64 = `(i % 1000) * 0.5`; in the `*_nulls` batch, null where
  `(i * 2654435761) mod 2**32` is divisible by 10 (~10%)
- `flag` bool = `i % 3 == 0`
- `name` utf8 = `f"entity-{i % 100003}"` (8-13 bytes)
- take indices: 1M int32 from the 64-bit LCG `s = s * 6364136223846793005 + 1442695040888963407
  mod 2**64` (seed 42, advanced before each draw), index = `(s >> 33) % rows`
- filter mask: the same LCG with seed 7, bit = `s >> 63` (~50% true, no nulls)

A first Swift run writes its inputs as raw little-endian files (`--write-inputs`) and prints
checksums of its results (row counts, sums, null counts, string bytes, equality of the
concatenated batch with the input); this script compares the files byte for byte with its own
inputs and the checksums with pyarrow's results before timing anything. A mismatch exits 1 and
writes nothing.

Cases are timed interleaved: for each case, a Swift run timing only that case
(`--only op/case`), then pyarrow's timing of the same case, so that both sides of each ratio see
the same machine load; this is repeated `--rounds` times (3) per case, and each side reports the
median of its round medians (every round median is kept in `round_medians`).

What is timed (1 warm-up trial + 5 trials each, every trial repeating the operation until it
lasts >= 20 ms, identically on both sides; median, min and max seconds per operation; ratios
ours/pyarrow from the medians; <= 1.0 means we are as fast or faster):

- take: `pc.take(batch_or_array, indices)` with an int32 index array (no nulls) vs
  `batch.take(indices:)` / `array.take(indices:)` with the same int32 array. `batch_fast_int32`
  is the Swift `take(UnsafeBufferPointer<Int32>)` fast path (compared with the same pyarrow
  number).
- filter: `pc.filter(batch_or_array, mask)` (`null_selection_behavior="drop"`) vs
  `filter(mask:)`.
- concatenate: 10 zero-copy slices of 100k rows into one contiguous 1M-row result:
  `pa.concat_tables([Table.from_batches([s]) for s in slices]).combine_chunks()` for batches
  (`concat_tables` alone is zero-copy; `combine_chunks` does the copying), `pa.concat_arrays`
  for columns, vs `RecordBatch.concatenate` / `ArrayData.concatenate`. `pa.concat_batches` is
  reported too (`pyarrow_concat_batches`).

Only the kernel calls are inside the clock on both sides; each result is dropped before the
next call, inside the clock (deallocation counted on both sides). pyarrow runs with its default
thread pool and memory pool (both recorded); the Swift kernels are single-threaded.

The Swift binary is the release build of `swift build -c release --scratch-path .build-release
--product archetype` (built by this script unless `--no-build`).

    .venv/bin/python bench/arrow_kernels.py [--no-build] [--rows 1000000] [--trials 5]
        [--rounds 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import git_commit, machine, machine_line

VERSION = 1
REPO = Path(__file__).resolve().parent.parent
SCRATCH = REPO / ".build-release"
BINARY = SCRATCH / "release" / "archetype"
RESULTS = REPO / "bench" / "results" / "arrow_kernels.json"
BUILD_COMMAND = [
    "swift",
    "build",
    "-c",
    "release",
    "--scratch-path",
    str(SCRATCH),
    "--product",
    "archetype",
]
MASK64 = (1 << 64) - 1


def lcg(seed: int, n: int) -> np.ndarray:
    """`n` successive states of the benchmark LCG (advanced before each draw), as uint64."""
    out = np.empty(n, dtype=np.uint64)
    s = seed
    a, c = 6364136223846793005, 1442695040888963407
    for k in range(n):
        s = (s * a + c) & MASK64
        out[k] = s
    return out


def build_inputs(rows: int) -> dict[str, Any]:
    i = np.arange(rows, dtype=np.uint64)
    entity_id = i.astype(np.int32)
    x = (i % np.uint64(1000)).astype(np.float64) * 0.5
    x_valid = ((i * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)) % np.uint64(10) != 0
    flag = (i % np.uint64(3)) == 0
    names = pa.array([f"entity-{k % 100003}" for k in range(rows)], type=pa.string())
    indices = ((lcg(42, rows) >> np.uint64(33)) % np.uint64(rows)).astype(np.int32)
    mask = (lcg(7, rows) >> np.uint64(63)) == 1

    schema = pa.schema(
        [
            pa.field("entity_id", pa.int32(), nullable=False),
            ("x", pa.float64()),
            ("flag", pa.bool_()),
            ("name", pa.string()),
        ]
    )
    id_col = pa.array(entity_id, type=pa.int32())
    x_col = pa.array(x, type=pa.float64())
    xn_col = pa.array(x, type=pa.float64(), mask=~x_valid)
    flag_col = pa.array(flag, type=pa.bool_())
    plain = pa.RecordBatch.from_arrays([id_col, x_col, flag_col, names], schema=schema)
    nulls = pa.RecordBatch.from_arrays([id_col, xn_col, flag_col, names], schema=schema)
    return {
        "raw": {
            "entity_id": entity_id,
            "x": x,
            "x_valid": x_valid,
            "flag": flag,
            "indices": indices,
            "mask": mask,
        },
        "plain": plain,
        "nulls": nulls,
        "columns": {
            "int32": id_col,
            "float64": x_col,
            "float64_nulls": xn_col,
            "bool": flag_col,
            "utf8": names,
        },
        "indices": pa.array(indices, type=pa.int32()),
        "mask": pa.array(mask, type=pa.bool_()),
    }


def verify_inputs(directory: Path, inputs: dict[str, Any]) -> list[str]:
    """Differences between the Swift inputs written to `directory` and ours (empty if none)."""
    raw = inputs["raw"]
    names = inputs["columns"]["utf8"]
    _, offsets_buf, data_buf = names.buffers()
    n = len(names)
    expected = {
        "entity_id.i32": raw["entity_id"].astype("<i4").tobytes(),
        "x.f64": raw["x"].astype("<f8").tobytes(),
        "x_valid.u8": raw["x_valid"].astype(np.uint8).tobytes(),
        "flag.u8": raw["flag"].astype(np.uint8).tobytes(),
        "name.offsets.i32": offsets_buf.to_pybytes()[: (n + 1) * 4],
        "name.data": data_buf.to_pybytes()[
            : int(np.frombuffer(offsets_buf, dtype="<i4", count=n + 1)[-1])
        ],
        "take_indices.i32": raw["indices"].astype("<i4").tobytes(),
        "filter_mask.u8": raw["mask"].astype(np.uint8).tobytes(),
    }
    problems = []
    for name, want in expected.items():
        got = (directory / name).read_bytes() if (directory / name).is_file() else None
        if got != want:
            problems.append(
                f"{name}: Swift wrote {None if got is None else len(got)} bytes "
                f"that differ from ours ({len(want)})"
            )
    return problems


def measure(fn: Callable[[], Any], trials: int, warmup: int) -> dict[str, float]:
    """Median/min/max seconds per call over `trials` trials after `warmup` trials; each trial
    repeats the call so that it lasts >= 20 ms (calibrated on a second call), results are
    dropped inside the loop (their deallocation is timed, as on the Swift side)."""
    fn()  # the first call pays for first-touch page faults: calibrate on the second
    start = time.perf_counter()
    result = fn()
    single = max(time.perf_counter() - start, 1e-7)
    del result
    reps = max(1, min(1000, int(0.02 / single)))
    times = []
    for t in range(warmup + trials):
        start = time.perf_counter()
        for _ in range(reps):
            result = fn()
            del result
        end = time.perf_counter()
        if t >= warmup:
            times.append((end - start) / reps)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "reps": reps}


def checksums(prefix: str, batch: pa.RecordBatch) -> dict[str, int]:
    x = batch.column(1)
    xsum = pc.sum(x).as_py() or 0.0
    return {
        f"{prefix}_rows": batch.num_rows,
        f"{prefix}_entity_id_sum": int(pc.sum(batch.column(0).cast(pa.int64())).as_py() or 0),
        f"{prefix}_x_nulls": x.null_count,
        f"{prefix}_x_sum_x2": int(xsum * 2),
        f"{prefix}_flag_true": int(pc.sum(batch.column(2)).as_py() or 0),
        f"{prefix}_name_bytes": int(pc.sum(pc.binary_length(batch.column(3))).as_py() or 0),
    }


def combine_rounds(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from several rounds: the median of the rounds' medians, the overall min and
    max, and each round's median."""
    return {
        "median": statistics.median(r["median"] for r in rounds),
        "min": min(r["min"] for r in rounds),
        "max": max(r["max"] for r in rounds),
        "reps": rounds[0]["reps"],
        "round_medians": [r["median"] for r in rounds],
    }


def pyarrow_cases(inputs: dict[str, Any], rows: int) -> dict[str, Callable[[], Any]]:
    """The pyarrow operation of every case, by "op/case" name."""
    idx, mask = inputs["indices"], inputs["mask"]
    plain, nulls = inputs["plain"], inputs["nulls"]
    cols = inputs["columns"]
    step = rows // 10
    plain_slices = [plain.slice(k * step, step) for k in range(10)]
    null_slices = [nulls.slice(k * step, step) for k in range(10)]

    def combine(slices: list[pa.RecordBatch]) -> pa.Table:
        return pa.concat_tables([pa.Table.from_batches([s]) for s in slices]).combine_chunks()

    cases: dict[str, Callable[[], Any]] = {
        "take/batch": lambda: pc.take(plain, idx),
        "take/batch_nulls": lambda: pc.take(nulls, idx),
        "filter/batch": lambda: pc.filter(plain, mask),
        "filter/batch_nulls": lambda: pc.filter(nulls, mask),
        "concatenate/batch": lambda: combine(plain_slices),
        "concatenate/batch_nulls": lambda: combine(null_slices),
        "concatenate/batch:concat_batches": lambda: pa.concat_batches(plain_slices),
        "concatenate/batch_nulls:concat_batches": lambda: pa.concat_batches(null_slices),
    }
    for name, col in cols.items():
        parts = [col.slice(k * step, step) for k in range(10)]
        cases[f"take/{name}"] = lambda col=col: pc.take(col, idx)
        cases[f"filter/{name}"] = lambda col=col: pc.filter(col, mask)
        cases[f"concatenate/{name}"] = lambda parts=parts: pa.concat_arrays(parts)
    return cases


def pyarrow_checksums(inputs: dict[str, Any], rows: int) -> dict[str, int]:
    idx, mask, nulls = inputs["indices"], inputs["mask"], inputs["nulls"]
    step = rows // 10
    sums = {}
    sums.update(checksums("take", pc.take(nulls, idx)))
    sums.update(checksums("filter", pc.filter(nulls, mask)))
    joined = pa.concat_tables(
        [pa.Table.from_batches([nulls.slice(k * step, step)]) for k in range(10)]
    ).combine_chunks()
    joined_batch = joined.to_batches()[0]
    sums.update(checksums("concatenate", joined_batch))
    sums["concatenate_equal"] = 1 if joined_batch.equals(nulls) else 0
    return sums


def run_swift(args: argparse.Namespace, extra: list[str]) -> dict[str, Any]:
    cmd = [
        str(BINARY),
        "bench",
        "arrow",
        "--rows",
        str(args.rows),
        "--trials",
        str(args.trials),
        "--warmup",
        str(args.warmup),
        *extra,
    ]
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="use the existing binary")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per case")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not args.no_build:
        subprocess.run(BUILD_COMMAND, cwd=REPO, check=True)
    if not BINARY.is_file():
        print(f"missing {BINARY}; build it or drop --no-build", file=sys.stderr)
        return 2

    load_before = os.getloadavg()
    # 1. Inputs and results agree: the Swift run writes its inputs and prints result checksums.
    with tempfile.TemporaryDirectory() as tmp:
        try:
            reference = run_swift(args, ["--only", "none", "--write-inputs", tmp])
        except RuntimeError as e:
            print(e, file=sys.stderr)
            return 1
        inputs = build_inputs(args.rows)
        problems = verify_inputs(Path(tmp), inputs)
    if problems:
        print(
            "inputs differ between Swift and Python:\n  " + "\n  ".join(problems), file=sys.stderr
        )
        return 1
    py_sums = pyarrow_checksums(inputs, args.rows)
    mismatched = {
        k: (v, py_sums.get(k)) for k, v in reference["checksums"].items() if py_sums.get(k) != v
    }
    if mismatched:
        print(f"result checksums differ (swift, pyarrow): {mismatched}", file=sys.stderr)
        return 1

    # 2. Timing, interleaved case by case (a Swift run of the case, then pyarrow's), so that both
    #    sides of a ratio are measured under the same machine load; `rounds` times per case.
    py_cases = pyarrow_cases(inputs, args.rows)
    results: dict[str, Any] = {}
    ratios = []
    for op, cases in reference["results"].items():
        results[op] = {}
        for case in cases:
            name = f"{op}/{case}"
            ref_name = f"{op}/batch" if case == "batch_fast_int32" else name
            alt = py_cases.get(f"{name}:concat_batches")
            ours_rounds, theirs_rounds, alt_rounds = [], [], []
            for _ in range(args.rounds):
                try:
                    ours_rounds.append(run_swift(args, ["--only", name])["results"][op][case])
                except RuntimeError as e:
                    print(e, file=sys.stderr)
                    return 1
                gc.collect()
                theirs_rounds.append(measure(py_cases[ref_name], args.trials, args.warmup))
                if alt is not None:
                    alt_rounds.append(measure(alt, args.trials, args.warmup))
            ours, theirs = combine_rounds(ours_rounds), combine_rounds(theirs_rounds)
            entry: dict[str, Any] = {
                "swift": ours,
                "pyarrow": theirs,
                "ratio_median": ours["median"] / theirs["median"],
            }
            if alt_rounds:
                entry["pyarrow_concat_batches"] = combine_rounds(alt_rounds)
                entry["ratio_median_vs_concat_batches"] = (
                    ours["median"] / entry["pyarrow_concat_batches"]["median"]
                )
            results[op][case] = entry
            ratios.append((entry["ratio_median"], name))
            print(
                f"{op:12s} {case:17s} swift {ours['median'] * 1e3:9.3f} ms  "
                f"pyarrow {theirs['median'] * 1e3:9.3f} ms"
                f"  ratio {entry['ratio_median']:.2f}",
                flush=True,
            )

    info = machine(build="release")
    doc = {
        "version": VERSION,
        "benchmark": "arrow_kernels",
        "git_commit": git_commit(),
        "created_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": info,
        "binary": str(BINARY.relative_to(REPO)),
        "build_command": " ".join([*BUILD_COMMAND[:5], ".build-release", *BUILD_COMMAND[6:]]),
        "config": {
            "rows": args.rows,
            "rounds": args.rounds,
            "trials": args.trials,
            "warmup": args.warmup,
            "pyarrow_cpu_count": pa.cpu_count(),
            "pyarrow_memory_pool": pa.default_memory_pool().backend_name,
            "clock": "time.perf_counter / CLOCK_MONOTONIC",
            "load_average_1m_before_after": [
                round(load_before[0], 2),
                round(os.getloadavg()[0], 2),
            ],
        },
        "timing": {
            "take": "pc.take(batch|array, int32 indices) vs take(indices:); batch_fast_int32 = "
            "take(UnsafeBufferPointer<Int32>) against the same pyarrow batch number",
            "filter": "pc.filter(batch|array, bool mask) vs filter(mask:)",
            "concatenate": "10 slices of rows/10 into one contiguous result: "
            "pa.concat_tables(...).combine_chunks() (batches) / pa.concat_arrays (columns) vs "
            "RecordBatch.concatenate / ArrayData.concatenate; pa.concat_batches also reported",
            "statistic": "seconds per operation; per round: median, min, max over the trials "
            "after the warm-up, each trial repeating the operation `reps` times (>= 20 ms per "
            "trial); reported: median of the round medians, min and max over all rounds; "
            "ratio = swift median / pyarrow median",
        },
        "inputs_verified": True,
        "checksums": reference["checksums"],
        "results": results,
        "summary": {
            "max_ratio": max(r for r, _ in ratios),
            "cases_slower_than_pyarrow": [
                name for r, name in sorted(ratios, reverse=True) if r > 1.0
            ],
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(machine_line(info))
    print(f"wrote {args.out}")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
