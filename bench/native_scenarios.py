"""Benchmark: the native scenarios of bench.md §3 (`archetype bench movement` and
`archetype bench mid-run-spawn`), written to `bench/results/native_scenarios.json` (§6.1), plus
the two measurements issue 4 asks for:

- **cases**: `movement` at 1000x50, 10000x50, 100000x20 and 1000000x5, and `mid-run-spawn` at its
  defaults; each 1 warm-up + 5 measured trials of the release CLI, a fresh empty store root
  (a new temp directory) per trial, snappy, durable. Every trial's CLI object (§3.5) is kept; the
  `median` object holds `setup_sec, run_sec, query_sec, total_sec, run_sec_per_tick` and every
  `phases_sec` key (and `min`/`max` objects the same keys).
- **append_vs_pyarrow**: the per-row cost of the store's `append` against pyarrow writing the
  same batches with the same codec and durability, in the same run. Native: a trial's
  `phases_sec.append` / ticks / rows (`append` covers encoding, the staging write, the file
  fsync, the rename and the directory fsync: store.md §5). pyarrow: the identical 9-column table
  of each tick (bench.md §2 fixture at that tick: world/run strings, entity ids 1…N, tick,
  is_active, x = i + t, y = -0.5·t, dx = 1, dy = -0.5; built before the clock starts) written by
  `pq.write_table(t, staging, compression="snappy", use_dictionary=["world_id", "run_id"],
  write_statistics=True, data_page_version="1.0", row_group_size=N, data_page_size=1 MiB,
  store_schema=True)`, then fsync of the file, rename, fsync of the directory — the store's
  protocol. One pyarrow trial (the same T appends into a fresh directory) follows each native
  trial of the 100000x20 and 1000000x5 cases, so both sides see the same machine load.
  `ratio` = native median / pyarrow median (below 1: the store's append is faster). The gate
  checks that pyarrow reads the native part of the last tick as exactly the table pyarrow writes.
- **tick_growth**: `movement --entities 1000 --ticks 1000` (durable), 1 warm-up + 5 trials, with
  `--per-tick-json` (each tick's `tickSeconds` and `append`): the median tick time of the first
  100 ticks vs the last 100, and their ratio, per trial and as the median over trials; the same
  for the append alone and for the rest of the tick (tick - append: the engine without the
  store's I/O). The same with `--no-durable` is reported as `tick_growth_no_durable`, and the
  durable run with the store on tmpfs (/dev/shm) as `tick_growth_tmpfs`: on this shared VM the
  cost of an fsync and of creating a file in ext4 jumps between regimes with the other
  sessions' I/O (~0.15 ms per create in a fresh directory, rising to a ~1 ms plateau within a
  few hundred files, as a plain Python create/write/fsync/rename loop shows too; ~0.4 vs ~8 ms
  per fsync), which the tmpfs run leaves out.

Correctness gate first (bench.md §1): any trial with `"correct": false`, a failing CLI or a
failed table comparison exits 1 and writes nothing.

    .venv/bin/python bench/native_scenarios.py [--no-build] [--trials 5] [--warmup 1]
        [--quick] [--out FILE]

`--quick` runs small cases with 1 trial (a smoke test of the script; never published).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import _filesystem, git_commit, machine, machine_line

VERSION = 1
REPO = Path(__file__).resolve().parent.parent
SCRATCH = REPO / ".build-release"
BINARY = SCRATCH / "release" / "archetype"
BUILD_COMMAND = [
    "swift", "build", "-c", "release", "--scratch-path", str(SCRATCH), "--product", "archetype",
]  # fmt: skip
RESULTS = REPO / "bench" / "results" / "native_scenarios.json"

MOVEMENT_CASES = [(1000, 50), (10000, 50), (100000, 20), (1000000, 5)]
APPEND_CASES = {"100000x20", "1000000x5"}
GROWTH = (1000, 1000)  # entities, ticks
CODEC = "snappy"
SUMMARY_KEYS = ["setup_sec", "run_sec", "query_sec", "total_sec", "run_sec_per_tick"]

SCHEMA = pa.schema(
    [
        pa.field("world_id", pa.string(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("entity_id", pa.int32(), nullable=False),
        pa.field("tick", pa.int32(), nullable=False),
        pa.field("is_active", pa.bool_(), nullable=False),
        pa.field("position__x", pa.float64(), nullable=False),
        pa.field("position__y", pa.float64(), nullable=False),
        pa.field("velocity__dx", pa.float64(), nullable=False),
        pa.field("velocity__dy", pa.float64(), nullable=False),
    ]
)


class GateError(RuntimeError):
    """A failed correctness gate or CLI run: exit 1, publish nothing."""


# ---------------------------------------------------------------------------
# The native side
# ---------------------------------------------------------------------------
def run_cli(args: list[str], work: Path, per_tick: bool = False) -> dict[str, Any]:
    """One `archetype bench …` trial in a fresh, empty store root under `work`; returns the CLI
    object (plus `_per_tick` and `_store_bytes`, which the caller pops)."""
    root = Path(tempfile.mkdtemp(prefix="root-", dir=work))
    out = work / "result.json"
    ticks_file = work / "ticks.json"
    cmd = [str(BINARY), "bench", *args, "--root", str(root), "--codec", CODEC,
           "--json-out", str(out)]  # fmt: skip
    if per_tick:
        cmd += ["--per-tick-json", str(ticks_file)]
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0 or not out.is_file():
        raise GateError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    result: dict[str, Any] = json.loads(out.read_text())
    if result.get("correct") is not True:
        raise GateError(f"{' '.join(cmd)}: not correct: {result.get('correctness')}")
    parts = sorted(root.glob("*/*/part-*.parquet"))
    result["_store_bytes"] = sum(p.stat().st_size for p in parts)
    result["_parts"] = parts
    if per_tick:
        result["_per_tick"] = json.loads(ticks_file.read_text())
    result["_root"] = root
    return result


#: Parts of at least this many rows are removed right after their trial.
REMOVE_NOW_ROWS = 100_000


def dispose(path: Path, rows_per_file: int) -> None:
    """Removes a trial's directory (untimed). ext4 skips inodes freed in the last ~30 s when it
    allocates new ones, so deleting thousands of small files between trials would slow every
    later file creation on both sides: directories of small files are kept until the end of the
    run. Large ones go at once, so that the next trial reuses the page cache they held."""
    if rows_per_file >= REMOVE_NOW_ROWS:
        shutil.rmtree(path, ignore_errors=True)
    # else: left for the removal of the whole work directory at the end of the run


def strip(result: dict[str, Any]) -> dict[str, Any]:
    dispose(result.pop("_root"), result["entities"])
    result.pop("_parts", None)
    result.pop("_per_tick", None)
    result.pop("_store_bytes", None)
    return result


def summary(trials: list[dict[str, Any]], how: Any) -> dict[str, float]:
    keys: dict[str, list[float]] = {k: [] for k in SUMMARY_KEYS}
    for t in trials:
        for k in SUMMARY_KEYS[:-1]:
            keys[k].append(t[k])
        keys["run_sec_per_tick"].append(t["run_sec"] / t["ticks"])
        for k, v in t["phases_sec"].items():
            keys.setdefault(f"phases_sec.{k}", []).append(v)
    return {k: how(v) for k, v in keys.items()}


# ---------------------------------------------------------------------------
# The pyarrow side of append_vs_pyarrow
# ---------------------------------------------------------------------------
def fixture_table(n: int, tick: int) -> pa.Table:
    """The batch the movement world appends at `tick` (bench.md §2; spawns at tick 0)."""
    i = np.arange(n, dtype=np.float64)
    cols = [
        pa.repeat(pa.scalar("movement-world"), n),
        pa.repeat(pa.scalar("movement-run"), n),
        pa.array(np.arange(1, n + 1, dtype=np.int32)),
        pa.array(np.full(n, tick, dtype=np.int32)),
        pa.array(np.ones(n, dtype=bool)),
        pa.array(i + tick),
        pa.array(np.full(n, -0.5 * tick)),
        pa.array(np.ones(n)),
        pa.array(np.full(n, -0.5)),
    ]
    return pa.Table.from_arrays(cols, schema=SCHEMA)


def write_kwargs(n: int) -> dict[str, Any]:
    return {
        "compression": CODEC,
        "use_dictionary": ["world_id", "run_id"],
        "write_statistics": True,
        "data_page_version": "1.0",
        "row_group_size": n,
        "data_page_size": 1 << 20,
        "store_schema": True,
    }


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pyarrow_trial(n: int, ticks: int, work: Path, durable: bool = True) -> dict[str, Any]:
    """The store's append protocol with pyarrow's writer, once per table (tick), into a fresh
    table directory: write a dot-prefixed staging file, fsync it, rename it, fsync the
    directory; the first append also creates the table directory and fsyncs its parent
    (without `durable`: no fsyncs, as `--no-durable`). Each tick's table is built before its
    clock starts (the engine's batch exists before `append` is called). Returns the seconds
    of all appends and of the write calls alone, and the bytes."""
    namespace = Path(tempfile.mkdtemp(prefix="pyarrow-", dir=work))
    table_dir = namespace / "position_velocity"
    kwargs = write_kwargs(n)
    total = write = 0.0
    size = 0
    for k in range(ticks):
        table = fixture_table(n, k)
        staging = table_dir / f".part-{k:08d}.parquet.tmp"
        final = table_dir / f"part-{k:08d}.parquet"
        t0 = time.perf_counter()
        if k == 0:  # the store's first append creates the table directory (store.md §5.3)
            table_dir.mkdir()
            if durable:
                fsync_path(namespace)
            t0b = time.perf_counter()
        else:
            t0b = t0
        pq.write_table(table, staging, **kwargs)
        t1 = time.perf_counter()
        if durable:
            fsync_path(staging)
        os.rename(staging, final)
        if durable:
            fsync_path(table_dir)
        t2 = time.perf_counter()
        del table
        total += t2 - t0
        write += t1 - t0b
        size += final.stat().st_size
    dispose(namespace, n)
    return {"append_sec": total, "write_call_sec": write, "bytes": size}


def spread(values: list[float]) -> dict[str, Any]:
    return {
        "values": values,
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------
def movement_case(n: int, t: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    name = f"{n}x{t}"
    compare = name in APPEND_CASES
    trials: list[dict[str, Any]] = []
    native_row: list[float] = []
    native_bytes: list[int] = []
    py_row: list[float] = []
    py_write_row: list[float] = []
    py_bytes: list[int] = []
    for k in range(args.warmup + args.trials):
        r = run_cli(["movement", "--entities", str(n), "--ticks", str(t)], work)
        if compare and k == 0:
            # Gate: the native part of the last tick is exactly the table pyarrow writes.
            got = pq.read_table(r["_parts"][-1])
            if not got.equals(fixture_table(n, t - 1)) or not got.schema.equals(SCHEMA):
                raise GateError(f"{name}: the native part of tick {t - 1} differs from pyarrow's")
        store_bytes = r["_store_bytes"]
        result = strip(r)
        py = pyarrow_trial(n, t, work) if compare else None
        if k < args.warmup:
            continue
        trials.append(result)
        if py is not None:
            native_row.append(result["phases_sec"]["append"] / t / n)
            native_bytes.append(store_bytes)
            py_row.append(py["append_sec"] / t / n)
            py_write_row.append(py["write_call_sec"] / t / n)
            py_bytes.append(py["bytes"])
    case: dict[str, Any] = {
        "case": name,
        "scenario": "movement",
        "entities": n,
        "ticks": t,
        "correct": True,
        "trials": trials,
        "median": summary(trials, statistics.median),
        "min": summary(trials, min),
        "max": summary(trials, max),
    }
    m = case["median"]
    print(
        f"movement {name:>10s}: run {m['run_sec'] * 1e3:9.2f} ms, "
        f"{m['run_sec_per_tick'] * 1e3:8.3f} ms/tick, "
        f"append {m['phases_sec.append'] * 1e3:9.2f} ms",
        flush=True,
    )
    if compare:
        case["_append"] = append_entry(name, n, t, native_row, native_bytes, py_row,
                                       py_write_row, py_bytes)  # fmt: skip
    return case


def append_entry(
    name: str,
    n: int,
    t: int,
    native_row: list[float],
    native_bytes: list[int],
    py_row: list[float],
    py_write_row: list[float],
    py_bytes: list[int],
) -> dict[str, Any]:
    native, theirs = spread(native_row), spread(py_row)
    entry = {
        "case": name,
        "rows_per_append": n,
        "appends_per_trial": t,
        "native": {
            "append_sec_per_row": native,
            "ns_per_row_median": native["median"] * 1e9,
            "store_bytes_median": statistics.median(native_bytes),
        },
        "pyarrow": {
            "append_sec_per_row": theirs,
            "ns_per_row_median": theirs["median"] * 1e9,
            "write_table_call_sec_per_row": spread(py_write_row),
            "bytes_median": statistics.median(py_bytes),
        },
        "ratio": native["median"] / theirs["median"],
        "size_ratio": statistics.median(native_bytes) / statistics.median(py_bytes),
    }
    print(
        f"  append per row: native {native['median'] * 1e9:.1f} ns, pyarrow "
        f"{theirs['median'] * 1e9:.1f} ns, ratio {entry['ratio']:.2f}",
        flush=True,
    )
    return entry


def append_no_durable(n: int, t: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The append comparison without fsyncs on either side (`--no-durable`): the encoder and
    the write alone. Supplementary; the same interleaving and trial counts."""
    native_row: list[float] = []
    native_bytes: list[int] = []
    py_row: list[float] = []
    py_write_row: list[float] = []
    py_bytes: list[int] = []
    for k in range(args.warmup + args.trials):
        r = run_cli(["movement", "--entities", str(n), "--ticks", str(t), "--no-durable"], work)
        store_bytes = r["_store_bytes"]
        result = strip(r)
        py = pyarrow_trial(n, t, work, durable=False)
        if k < args.warmup:
            continue
        native_row.append(result["phases_sec"]["append"] / t / n)
        native_bytes.append(store_bytes)
        py_row.append(py["append_sec"] / t / n)
        py_write_row.append(py["write_call_sec"] / t / n)
        py_bytes.append(py["bytes"])
    print(f"no-durable {n}x{t}:", end="")
    return append_entry(f"{n}x{t}", n, t, native_row, native_bytes, py_row, py_write_row, py_bytes)


def mid_run_case(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    trials = []
    for k in range(args.warmup + args.trials):
        result = strip(run_cli(["mid-run-spawn"], work))
        if k >= args.warmup:
            trials.append(result)
    case = {
        "case": "mid_run_spawn_defaults",
        "scenario": "mid_run_spawn",
        "entities": trials[0]["entities"],
        "ticks": trials[0]["ticks"],
        "initial_entities": trials[0]["initial_entities"],
        "late_entities": trials[0]["late_entities"],
        "spawn_at_tick": trials[0]["spawn_at_tick"],
        "correct": True,
        "trials": trials,
        "median": summary(trials, statistics.median),
        "min": summary(trials, min),
        "max": summary(trials, max),
    }
    m = case["median"]
    print(f"mid-run-spawn defaults: run {m['run_sec'] * 1e3:.2f} ms", flush=True)
    return case


def tick_growth(args: argparse.Namespace, work: Path, durable: bool) -> dict[str, Any]:
    n, t = GROWTH
    window = min(100, t // 2)
    extra = [] if durable else ["--no-durable"]
    trials = []
    for k in range(args.warmup + args.trials):
        cmd = ["movement", "--entities", str(n), "--ticks", str(t), *extra]
        r = run_cli(cmd, work, per_tick=True)
        per_tick = r["_per_tick"]
        result = strip(r)
        if k < args.warmup:
            continue
        ticks, appends = per_tick["tick_sec"], per_tick["append_sec"]
        first, last = statistics.median(ticks[:window]), statistics.median(ticks[-window:])
        a_first, a_last = statistics.median(appends[:window]), statistics.median(appends[-window:])
        engine = [x - a for x, a in zip(ticks, appends, strict=True)]  # the tick minus the I/O
        e_first, e_last = statistics.median(engine[:window]), statistics.median(engine[-window:])
        trials.append(
            {
                "run_sec": result["run_sec"],
                "first_median_tick_sec": first,
                "last_median_tick_sec": last,
                "ratio": last / first,
                "first_median_append_sec": a_first,
                "last_median_append_sec": a_last,
                "append_ratio": a_last / a_first,
                "first_median_non_append_sec": e_first,
                "last_median_non_append_sec": e_last,
                "non_append_ratio": e_last / e_first,
                "median_tick_sec": statistics.median(ticks),
                "max_tick_sec": max(ticks),
            }
        )
    firsts = [x["first_median_tick_sec"] for x in trials]
    lasts = [x["last_median_tick_sec"] for x in trials]
    out = {
        "entities": n,
        "ticks": t,
        "window_ticks": window,
        "codec": CODEC,
        "durable": durable,
        "trials": trials,
        "median_first_tick_sec": statistics.median(firsts),
        "median_last_tick_sec": statistics.median(lasts),
        "ratio_of_medians": statistics.median(lasts) / statistics.median(firsts),
        "ratio": spread([x["ratio"] for x in trials]),
        "append_ratio": spread([x["append_ratio"] for x in trials]),
        "non_append_ratio": spread([x["non_append_ratio"] for x in trials]),
    }
    print(
        f"tick growth ({'durable' if durable else 'no-durable'}, {work}): first {window} "
        f"{out['median_first_tick_sec'] * 1e3:.3f} ms, last {window} "
        f"{out['median_last_tick_sec'] * 1e3:.3f} ms, ratio {out['ratio']['median']:.3f} "
        f"(without the append: {out['non_append_ratio']['median']:.3f})",
        flush=True,
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="use the existing binary")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small cases, 1 trial (smoke)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--tmpdir",
        type=Path,
        default=Path("/var/tmp"),
        help="where the stores and pyarrow's files go (default /var/tmp; see the docstring)",
    )
    args = parser.parse_args(argv)
    global MOVEMENT_CASES, APPEND_CASES, GROWTH
    if args.quick:
        MOVEMENT_CASES, APPEND_CASES, GROWTH = [(1000, 5), (20000, 3)], {"20000x3"}, (100, 40)
        args.trials = 1
    if not args.no_build:
        subprocess.run(BUILD_COMMAND, cwd=REPO, check=True)
    if not BINARY.is_file():
        print(f"missing {BINARY}; build it or drop --no-build", file=sys.stderr)
        return 2

    load_before = os.getloadavg()
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(
            prefix="archetype-native-scenarios-", dir=args.tmpdir
        ) as tmp:
            work = Path(tmp)
            cases = [movement_case(n, t, args, work) for n, t in MOVEMENT_CASES]
            cases.append(mid_run_case(args, work))
            growth = tick_growth(args, work, durable=True)
            growth_fast = tick_growth(args, work, durable=False)
            growth_tmpfs = None
            if Path("/dev/shm").is_dir() and _filesystem("/dev/shm") == "tmpfs":
                with tempfile.TemporaryDirectory(prefix="archetype-ns-", dir="/dev/shm") as shm:
                    growth_tmpfs = tick_growth(args, Path(shm), durable=True)
            append_fast = [
                append_no_durable(n, t, args, work)
                for n, t in MOVEMENT_CASES
                if f"{n}x{t}" in APPEND_CASES
            ]
    except GateError as e:
        print(f"gate failed: {e}", file=sys.stderr)
        return 1
    append = [c.pop("_append") for c in cases if "_append" in c]

    info = machine(build="release")
    doc = {
        "version": VERSION,
        "benchmark": "native_scenarios",
        "git_commit": git_commit(),
        "created_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": info,
        "machine_line": machine_line(info),
        "binary": str(BINARY.relative_to(REPO)),
        "build_command": " ".join([*BUILD_COMMAND[:5], ".build-release", *BUILD_COMMAND[6:]]),
        "config": {
            "trials": args.trials,
            "warmup": args.warmup,
            "codec": CODEC,
            "durable": True,
            "dt": 1.0,
            "store_root": "a new empty temp directory per trial (--root), deleted afterwards",
            "temp_dir": str(args.tmpdir),
            "temp_dir_filesystem": _filesystem(str(args.tmpdir)),
            "clock": "ContinuousClock in the CLI; time.perf_counter for pyarrow",
            "load_average_1m_before_after": [
                round(load_before[0], 2),
                round(os.getloadavg()[0], 2),
            ],
            "wall_sec": round(time.perf_counter() - started, 1),
        },
        "correct": True,
        "cases": cases,
        "append_vs_pyarrow": {
            "codec": CODEC,
            "durable": True,
            "definition": "seconds per row of one append (encode, staging write, file fsync, "
            "rename, directory fsync); native = phases_sec.append / ticks / rows per trial, "
            "pyarrow = the same protocol around pq.write_table of the identical table; "
            "ratio = native median / pyarrow median (< 1: native faster); trials interleaved",
            "pyarrow_write_options": {
                k: v for k, v in write_kwargs(0).items() if k != "row_group_size"
            }
            | {"row_group_size": "rows"},
            "cases": append,
        },
        "append_vs_pyarrow_no_durable": {
            "codec": CODEC,
            "durable": False,
            "definition": "as append_vs_pyarrow, with --no-durable and no fsync on the pyarrow "
            "side: encoding, the staging write and the rename only (supplementary)",
            "cases": append_fast,
        },
        "tick_growth": growth,
        "tick_growth_no_durable": growth_fast,
        "tick_growth_tmpfs": growth_tmpfs
        and {
            "note": "the same durable run with the store on tmpfs (/dev/shm), where fsync is a "
            "no-op and file creation does not touch a disk: the engine and the store's code "
            "without the filesystem's variance (supplementary)",
            **growth_tmpfs,
        },
    }
    if not args.quick:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"wrote {args.out}")
    else:
        print(json.dumps(doc["append_vs_pyarrow"], indent=1)[:2000])
    print(machine_line(info))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
