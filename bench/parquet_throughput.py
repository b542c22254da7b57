"""Benchmark (bench.md §5): Parquet write and read throughput of the Swift writer/reader against
pyarrow on the history table, at several sizes and codecs, in the same run.

Data (bench.md §5.1; both sides generate it independently, nothing crosses the process
boundary): `world_id` "bench-world", `run_id` "bench-run", `entity_id` int32 i + 1, `tick`
int32 7, `is_active` true, `position__x` 1000·u(1, i), `position__y` 1000·u(2, i),
`velocity__dx` 1.0, `velocity__dy` -0.5, all non-null (declared non-nullable, as the engine's
base columns are), with u(s, i) = (splitmix64(s·2³² + i) >> 11)·2⁻⁵³.

Settings (§5.2, identical on both sides): data page v1, dictionary for world_id/run_id only,
statistics on, one row group, 1 MiB data pages, ARROW:schema stored; codecs none, snappy,
zstd level 1, gzip level 6; no fsync. pyarrow writes with exactly

    pq.write_table(t, path, compression=c, compression_level=l,
                   use_dictionary=["world_id", "run_id"], write_statistics=True,
                   data_page_version="1.0", row_group_size=N, data_page_size=1 << 20,
                   store_schema=True)

and reads with `pq.read_table(path, use_threads=False)` (`use_threads=True` is reported as
`read_mt`, never used in a ratio). The Swift side is `archetype bench parquet` (release build of
`swift build -c release --scratch-path .build-release --product archetype`), which times its
library calls inside its own process (start-up excluded).

Procedure, per size and codec: 1 warm-up + 5 measured trials; each trial is a Swift block
followed by a pyarrow block, alternating. Both sides are long-lived processes: the Swift one is
`archetype bench parquet --serve` (the table generated once, one trial per request), so both
allocators are warm, as pyarrow's is in this process. A trial writes `iterations` new files and
then reads them, and reports seconds per file: 200 iterations at 1k rows, 50 at 10k, 5 at
100k, 3 at 1M (small files are far below the clock's useful resolution one at a time, and
single large files are at the mercy of the VM's page-cache and writeback hiccups). Each
write creates a new file, as the store writes new parts: rewriting a file in place makes ext4
start writeback at close (auto_da_alloc), ~5 ms that would swamp small files on both sides.
Files of fewer than 100k rows are kept until the end of the run (ext4 scans past recently
freed inodes when it allocates new ones, which would slow every later small-file creation);
larger ones are removed right after their own block, untimed, so that each block reuses the
page-cache memory the other side's block has just freed (on this VM, memory freed a while ago
goes back to the hypervisor, and touching it again makes writing 40 MB of page cache several
times slower). Results are dropped inside the clock on both sides.

The files go to a temporary directory under /var/tmp (`--tmpdir`), on the same ext4 filesystem
as /tmp. When ext4 allocates an inode it skips the ones freed in the last 60 s (300 s while
their inode-table block is still dirty), reading each: on this shared VM /tmp is churned by
every session's compilers, and creating a file there costs ~1 ms, against ~0.06 ms in a quiet
/var/tmp, which would swamp every small file on both sides. For the same reason a run should
not follow another run's clean-up (thousands of files freed) by less than five minutes. The
cost of creating a 42 kB file is probed before and after the run and recorded
(`file_create_probe_ms`).

Gate (§5.3), after the warm-up trial and before any measured trial: pyarrow reads the Swift
file and it `.equals` the generated table, schema (nullability, metadata) included; the Swift
digest of the pyarrow file (rows, Σentity_id, left-to-right Σposition__x and Σposition__y, true
is_active count, distinct world_id/run_id) equals pyarrow's; both files carry the requested
codec in every column chunk, one row group, dictionary pages exactly for world_id/run_id, and
the ARROW:schema key. Any failure: exit 1, nothing written.

Metrics: `arrow_bytes` = `table.nbytes`; `*_mb_per_sec` = arrow_bytes / 1e6 / median seconds;
`write_ratio` / `read_ratio` = Swift MB/s / pyarrow MB/s (> 1: Swift faster); `size_ratio` =
Swift file bytes / pyarrow file bytes.

    .venv/bin/python bench/parquet_throughput.py [--no-build] [--sizes 1000,10000,100000,1000000]
        [--codecs none,snappy,zstd:1,gzip:6] [--trials 5] [--warmup 1] [--out FILE]
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
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import git_commit, machine, machine_line

VERSION = 1
REPO = Path(__file__).resolve().parent.parent
SCRATCH = REPO / ".build-release"
BINARY = SCRATCH / "release" / "archetype"
RESULTS = REPO / "bench" / "results" / "parquet_throughput.json"
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
DEFAULT_SIZES = [1_000, 10_000, 100_000, 1_000_000]
DEFAULT_CODECS = ["none", "snappy", "zstd:1", "gzip:6"]
DICTIONARY_COLUMNS = ["world_id", "run_id"]
PAGE_BYTES = 1 << 20
# Files of fewer rows are kept until the end of the run; larger ones are removed after their
# own block (see the module docstring).
KEEP_BELOW_ROWS = 100_000
# /tmp on this VM is churned by every session's compilers; ext4 skips inodes freed in the
# last minutes when it allocates one, so creating a file there costs ~1 ms against ~0.06 ms in
# a quiet /var/tmp (the same filesystem).
DEFAULT_TMPDIR = Path("/var/tmp")
FILE_CODEC = {"none": "UNCOMPRESSED", "snappy": "SNAPPY", "zstd": "ZSTD", "gzip": "GZIP"}


def iterations_for(rows: int) -> int:
    """Files written and read per trial: enough to last well above the clock's resolution."""
    return max(3, min(200, 500_000 // rows))


def parse_codec(text: str) -> tuple[str, int | None]:
    name, _, level = text.partition(":")
    if name not in FILE_CODEC:
        raise SystemExit(f"unknown codec {text!r}")
    return name, int(level) if level else None


def splitmix64(z: np.ndarray) -> np.ndarray:
    """The SplitMix64 output function on uint64 values (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def u(s: int, i: np.ndarray) -> np.ndarray:
    return (splitmix64((np.uint64(s) << np.uint64(32)) + i) >> np.uint64(11)).astype(
        np.float64
    ) * 2.0**-53


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


def make_table(n: int) -> pa.Table:
    """The table of bench.md §5.1."""
    i = np.arange(n, dtype=np.uint64)
    return pa.Table.from_arrays(
        [
            pa.array(["bench-world"] * n, type=pa.string()),
            pa.array(["bench-run"] * n, type=pa.string()),
            pa.array(np.arange(1, n + 1, dtype=np.int32)),
            pa.array(np.full(n, 7, dtype=np.int32)),
            pa.array(np.ones(n, dtype=np.bool_)),
            pa.array(1000.0 * u(1, i)),
            pa.array(1000.0 * u(2, i)),
            pa.array(np.full(n, 1.0)),
            pa.array(np.full(n, -0.5)),
        ],
        schema=SCHEMA,
    )


def digest(t: pa.Table) -> dict[str, Any]:
    """The gate digest; sums of doubles left to right (np.cumsum), as the Swift side adds."""

    def column(name: str) -> np.ndarray:
        return t.column(name).to_numpy()

    def seq_sum(a: np.ndarray) -> float:
        return float(np.cumsum(a)[-1]) if len(a) else 0.0

    return {
        "rows": t.num_rows,
        "sum_entity_id": int(column("entity_id").astype(np.int64).sum()),
        "sum_position_x": seq_sum(column("position__x")),
        "sum_position_y": seq_sum(column("position__y")),
        "is_active_true": int(column("is_active").sum()),
        "world_ids": sorted(set(t.column("world_id").to_pylist())),
        "run_ids": sorted(set(t.column("run_id").to_pylist())),
    }


def write_pyarrow(t: pa.Table, path: Path, codec: str, level: int | None) -> None:
    pq.write_table(
        t,
        path,
        compression=codec,
        compression_level=level,
        use_dictionary=DICTIONARY_COLUMNS,
        write_statistics=True,
        data_page_version="1.0",
        row_group_size=t.num_rows,
        data_page_size=PAGE_BYTES,
        store_schema=True,
    )


def pyarrow_block(
    t: pa.Table, path: Path, codec: str, level: int | None, iterations: int, tag: str
) -> dict[str, Any]:
    """One pyarrow trial: per-file seconds of `iterations` writes, reads and threaded reads."""
    paths = [path.with_name(f"{path.stem}-{tag}-{k}{path.suffix}") for k in range(iterations)]
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for p in paths:
            write_pyarrow(t, p, codec, level)
        write = (time.perf_counter() - start) / iterations
        start = time.perf_counter()
        for p in paths:
            back = pq.read_table(p, use_threads=False)
            del back
        read = (time.perf_counter() - start) / iterations
        start = time.perf_counter()
        for p in paths:
            back = pq.read_table(p, use_threads=True)
            del back
        read_mt = (time.perf_counter() - start) / iterations
    finally:
        gc.enable()
    return {
        "write_sec": write,
        "read_sec": read,
        "read_mt_sec": read_mt,
        "path": paths[0],
        "paths": paths,
        "file_bytes": paths[0].stat().st_size,
    }


def run_swift(args: list[str]) -> dict[str, Any]:
    cmd = [str(BINARY), "bench", "parquet", *args]
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return json.loads(proc.stdout)


class SwiftServer:
    """`archetype bench parquet --serve` for one size and codec: the table is generated once
    and the process stays up (warm, like the pyarrow process); each `trial()` is one Swift
    block, timed inside the Swift process."""

    def __init__(self, rows: int, codec: str, directory: Path, iterations: int) -> None:
        self.cmd = [
            str(BINARY),
            "bench",
            "parquet",
            "--rows",
            str(rows),
            "--codec",
            codec,
            "--out",
            str(directory),
            "--iterations",
            str(iterations),
            "--serve",
        ]
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by close()
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
        self.proc = subprocess.Popen(
            self.cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env=env,
        )

    def trial(self) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("trial\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=60)
            self.stderr.seek(0)
            raise RuntimeError(
                f"{' '.join(self.cmd)} failed ({self.proc.returncode}): {self.stderr.read()}"
            )
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
        self.stderr.close()


def file_problems(path: Path, codec: str, who: str) -> list[str]:
    """Settings visible in the file that differ from the requested ones."""
    problems = []
    md = pq.ParquetFile(path).metadata
    if md.num_row_groups != 1:
        problems.append(f"{who}: {md.num_row_groups} row groups, expected 1")
    kv = md.metadata or {}
    if b"ARROW:schema" not in kv:
        problems.append(f"{who}: no ARROW:schema key")
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        for c in range(rg.num_columns):
            col = rg.column(c)
            name = col.path_in_schema
            if col.compression != FILE_CODEC[codec]:
                problems.append(
                    f"{who}: {name} has codec {col.compression}, expected {FILE_CODEC[codec]}"
                )
            if col.has_dictionary_page != (name in DICTIONARY_COLUMNS):
                problems.append(f"{who}: {name} dictionary page {col.has_dictionary_page}")
            if not col.is_stats_set:
                problems.append(f"{who}: {name} has no statistics")
    return problems


def gate(
    t: pa.Table, swift_file: Path, pyarrow_file: Path, codec: str, swift_run: dict[str, Any]
) -> list[str]:
    problems = []
    if not swift_run.get("roundtrip_equal"):
        problems.append("swift: its own read-back differs from the batch it wrote")
    back = pq.read_table(swift_file, use_threads=False)
    if not back.schema.equals(t.schema, check_metadata=True):
        problems.append(
            f"pyarrow reads the Swift file with schema {back.schema}, expected {t.schema}"
        )
    if not back.equals(t):
        problems.append("pyarrow reads the Swift file with values that differ from the table")
    ours = digest(pq.read_table(pyarrow_file, use_threads=False))
    theirs = run_swift(["--digest", str(pyarrow_file)])
    theirs.pop("path", None)
    if theirs != ours:
        problems.append(f"Swift digest of the pyarrow file {theirs} differs from pyarrow's {ours}")
    problems += file_problems(swift_file, codec, "swift file")
    problems += file_problems(pyarrow_file, codec, "pyarrow file")
    return problems


def file_create_probe_ms(directory: Path, files: int = 200) -> float:
    """Milliseconds to create and write one 42 kB file (the size of a 1k-row file) in
    `directory`, averaged over `files` new files (kept until the run's clean-up)."""
    directory.mkdir(parents=True, exist_ok=True)
    data = os.urandom(42_000)
    start = time.perf_counter()
    for k in range(files):
        with (directory / f"probe-{k}.bin").open("wb") as f:
            f.write(data)
    return (time.perf_counter() - start) / files * 1e3


def remove(paths: list[Any]) -> None:
    for f in paths:
        Path(f).unlink()


class GateError(Exception):
    pass


def run_case(
    table: pa.Table, codec: str, level: int | None, tmpdir: Path, trials: int, warmup: int
) -> dict[str, Any]:
    """Warm-up, gate, then the measured trials of one size and codec, alternating sides."""
    rows = table.num_rows
    spec = codec if level is None else f"{codec}:{level}"
    iterations = iterations_for(rows)
    py_path = tmpdir / f"pyarrow-{rows}-{codec}.parquet"
    sw: dict[str, list[float]] = {"write_sec": [], "read_sec": []}
    py: dict[str, list[float]] = {"write_sec": [], "read_sec": [], "read_mt_sec": []}
    swift_file_bytes = py_file_bytes = 0
    server = SwiftServer(rows, spec, tmpdir / "swift", iterations)
    try:
        for trial in range(warmup + trials):
            gating = trial == warmup - 1
            # Large files go right after their own block (untimed; after the gate for the
            # warm-up), so that each block reuses the page-cache memory the other side's block
            # just freed.
            drop = rows >= KEEP_BELOW_ROWS
            s = server.trial()
            if drop and not gating:
                remove(s["paths"])
            p = pyarrow_block(table, py_path, codec, level, iterations, f"t{trial}")
            if drop and not gating:
                remove(p["paths"])
            if gating:
                problems = gate(table, Path(s["path"]), p["path"], codec, s)
                if problems:
                    raise GateError(
                        f"gate failed ({rows} rows, {spec}):\n  " + "\n  ".join(problems)
                    )
                if drop:
                    remove([*s["paths"], *p["paths"]])
            if trial < warmup:
                continue
            sw["write_sec"].append(s["write_sec"])
            sw["read_sec"].append(s["read_sec"])
            swift_file_bytes = s["file_bytes"]
            py_file_bytes = p["file_bytes"]
            for key, times in py.items():
                times.append(p[key])
    finally:
        server.close()
    return make_entry(
        rows,
        codec,
        level,
        iterations,
        table.nbytes,
        sw,
        py,
        swift_file_bytes,
        py_file_bytes,
    )


def progress_line(e: dict[str, Any]) -> str:
    spec = e["codec"] if e["level"] is None else f"{e['codec']}:{e['level']}"
    sw, py = e["swift"], e["pyarrow"]
    return (
        f"{e['rows']:>8} {spec:<7} write {e['write_ratio']:.2f}x read {e['read_ratio']:.2f}x "
        f"(ms/file swift {sw['median_write_sec'] * 1e3:.3f} / {sw['median_read_sec'] * 1e3:.3f}, "
        f"pyarrow {py['median_write_sec'] * 1e3:.3f} / {py['median_read_sec'] * 1e3:.3f})"
    )


def summarize(times: list[float]) -> tuple[float, float, float]:
    return statistics.median(times), min(times), max(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="use the existing binary")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--codecs", default=",".join(DEFAULT_CODECS))
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--tmpdir",
        type=Path,
        default=DEFAULT_TMPDIR if DEFAULT_TMPDIR.is_dir() else None,
        help="where both sides write their files (default /var/tmp; see the module docstring)",
    )
    args = parser.parse_args(argv)
    if args.tmpdir is not None:
        # The files go there, and machine() reports its filesystem.
        tempfile.tempdir = str(args.tmpdir)
    sizes = [int(s) for s in args.sizes.split(",")]
    codecs = [parse_codec(c) for c in args.codecs.split(",")]
    if args.trials < 1 or args.warmup < 1 or any(n < 1 for n in sizes):
        print(
            "--trials, --warmup and sizes must be >= 1 (the gate follows a warm-up)",
            file=sys.stderr,
        )
        return 2
    if not args.no_build:
        subprocess.run(BUILD_COMMAND, cwd=REPO, check=True)
    if not BINARY.is_file():
        print(f"missing {BINARY}; build it or drop --no-build", file=sys.stderr)
        return 2

    info = machine()
    load_before = os.getloadavg()
    entries: list[dict[str, Any]] = []
    arrow_bytes: dict[str, int] = {}
    # Temp files on the same filesystem for both sides (the default temp directory).
    with tempfile.TemporaryDirectory(prefix="parquet-bench-") as tmp:
        probe = {"before": file_create_probe_ms(Path(tmp) / "probe-before")}
        print(f"creating a 42 kB file: {probe['before']:.3f} ms", file=sys.stderr)
        for rows in sizes:
            table = make_table(rows)
            arrow_bytes[str(rows)] = table.nbytes
            for codec, level in codecs:
                try:
                    entry = run_case(table, codec, level, Path(tmp), args.trials, args.warmup)
                except (RuntimeError, GateError) as e:
                    print(e, file=sys.stderr)
                    return 1
                entries.append(entry)
                print(progress_line(entry), file=sys.stderr)
            del table
            gc.collect()
        probe["after"] = file_create_probe_ms(Path(tmp) / "probe-after")
    load_after = os.getloadavg()

    result = {
        "benchmark": "parquet_throughput",
        "version": VERSION,
        "git_commit": git_commit(),
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": info,
        "machine_line": machine_line(info),
        "load_average": {"before": list(load_before), "after": list(load_after)},
        "file_create_probe_ms": probe,
        "config": {
            "rows": sizes,
            "sizes": sizes,
            "trials": args.trials,
            "warmup": args.warmup,
            "row_group_rows": sizes,
            "data_page_bytes": PAGE_BYTES,
            "dictionary_columns": DICTIONARY_COLUMNS,
            "data_page_version": 1,
            "statistics": True,
            "store_schema": True,
            "nullable": False,
            "durable": False,
            "tmpdir": tempfile.gettempdir(),
            "iterations": {str(n): iterations_for(n) for n in sizes},
            "timing": "seconds per file; a trial writes `iterations` new files, then reads them",
            "swift_build": " ".join([*BUILD_COMMAND[:4], "--scratch-path", ".build-release"]),
        },
        "arrow_bytes": arrow_bytes,
        "correct": True,
        "codecs": entries,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def make_entry(
    rows: int,
    codec: str,
    level: int | None,
    iterations: int,
    nbytes: int,
    sw: dict[str, list[float]],
    py: dict[str, list[float]],
    swift_file_bytes: int,
    py_file_bytes: int,
) -> dict[str, Any]:
    def side(times: dict[str, list[float]], file_bytes: int) -> dict[str, Any]:
        wm, wmin, wmax = summarize(times["write_sec"])
        rm, rmin, rmax = summarize(times["read_sec"])
        return {
            "write_sec": times["write_sec"],
            "read_sec": times["read_sec"],
            "median_write_sec": wm,
            "median_read_sec": rm,
            "min_write_sec": wmin,
            "max_write_sec": wmax,
            "min_read_sec": rmin,
            "max_read_sec": rmax,
            "write_mb_per_sec": nbytes / 1e6 / wm,
            "read_mb_per_sec": nbytes / 1e6 / rm,
            "file_bytes": file_bytes,
        }

    swift = side(sw, swift_file_bytes)
    pyarrow = side(py, py_file_bytes)
    pyarrow["read_mt_sec"] = py["read_mt_sec"]
    pyarrow["read_mt_median_sec"] = statistics.median(py["read_mt_sec"])
    return {
        "rows": rows,
        "codec": codec,
        "level": level,
        "iterations": iterations,
        "arrow_bytes": nbytes,
        "swift": swift,
        "pyarrow": pyarrow,
        "write_ratio": swift["write_mb_per_sec"] / pyarrow["write_mb_per_sec"],
        "read_ratio": swift["read_mb_per_sec"] / pyarrow["read_mb_per_sec"],
        "size_ratio": swift_file_bytes / py_file_bytes,
    }


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # pyarrow 26 may abort at interpreter exit (TIPS.md)
