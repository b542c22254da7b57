"""The SIGKILL crash test of issue 4 (engine.md §7.3, store.md §4–§7).

`archetype crash-worker` opens (creates or resumes) the movement world `crash-world` / run
`crash-run` on a ParquetStore and steps it to 1,000 ticks, printing `resumed at tick K` and then
`tick n` after each completed tick. Here it is killed with SIGKILL at seeded random points
(a random target tick, then a random sleep of a few milliseconds, so the kill lands anywhere in
a tick: in the processors, during the staging write, the fsyncs or the rename), then run again
until it finishes. After every kill:

- every visible file of the table directory is a published `part-*.parquet`, and pyarrow reads
  each of them completely; no visible `*.tmp` (a dot-prefixed staging file may remain);
- pyarrow reads the table directory as a dataset, and `archetype inspect` reports the parts,
  rows and tick range of what pyarrow sees;
- the ledger is whole: ticks 0…L each hold exactly the 200 entities, once, all active;
- L is the last tick the worker printed, or the one after it (killed between the rename and
  the print);
- the next run prints `resumed at tick L+1`, and by then the staging files left by the kill
  (plus a planted, truncated one) have been deleted by the writable open.

At the end the ledger holds exactly one active row per entity per tick 0…999 and the positions
of every tick t equal the closed form (Σx = Σ(i + t), Σy = -0.5·200·t), so no tick was lost,
repeated or resumed from the wrong state. Most kills run with durability on; every third one
with `--no-durable` (the same guarantees hold for a process crash).
"""

from __future__ import annotations

import os
import pty
import random
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import parquet_support as ps

TICKS = 1000
ENTITIES = 200
KILLS = 6
SEED = 20261125
TABLE = "position_velocity"
#: Seconds one worker run may take before the test fails (a hang is a failure).
RUN_TIMEOUT = 120.0

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


class Worker:
    """One `archetype crash-worker` process with its stdout on a pseudo-terminal, so that the
    child's stdio is line-buffered and every printed line reaches us before a kill."""

    def __init__(self, cli: Path, root: Path, durable: bool) -> None:
        argv = [
            str(cli),
            "crash-worker",
            "--root",
            str(root),
            "--entities",
            str(ENTITIES),
            "--ticks",
            str(TICKS),
        ]
        if not durable:
            argv.append("--no-durable")
        self.argv = argv
        master, slave = pty.openpty()
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
        self.proc = subprocess.Popen(
            argv, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
        )
        os.close(slave)
        self.master = master
        self.buffer = b""
        self.eof = False
        self.last_tick = -1  # the last tick printed (the caller sets it to K-1 on `resumed at K`)
        self.deadline = time.monotonic() + RUN_TIMEOUT

    def _fill(self, timeout: float) -> None:
        if self.eof:
            return
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the child side is closed and everything was read
            chunk = b""
        if chunk:
            self.buffer += chunk
        else:
            self.eof = True

    def readline(self) -> str | None:
        """The next line, or None at the end of the output."""
        while b"\n" not in self.buffer:
            if self.eof:
                return None
            if time.monotonic() > self.deadline:
                self.kill()
                pytest.fail(f"`{' '.join(self.argv)}` hung (no output for {RUN_TIMEOUT} s)")
            self._fill(0.5)
        line, _, self.buffer = self.buffer.partition(b"\n")
        text = line.decode().rstrip("\r")
        if m := re.fullmatch(r"tick (\d+)", text):
            n = int(m.group(1))
            assert n == self.last_tick + 1, (n, self.last_tick)
            self.last_tick = n
        return text

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def finish(self) -> tuple[int, list[str], str]:
        """Drains the output after the child exited (or was killed): (returncode, the remaining
        lines, stderr)."""
        rest: list[str] = []
        while (line := self.readline()) is not None:
            rest.append(line)
        rc = self.proc.wait(timeout=RUN_TIMEOUT)
        err = self.proc.stderr.read().decode() if self.proc.stderr else ""
        os.close(self.master)
        if self.proc.stderr:
            self.proc.stderr.close()
        return rc, rest, err


def _table_files(table_dir: Path) -> tuple[list[Path], list[Path]]:
    """(visible parts, hidden staging files); fails on any other name."""
    parts: list[Path] = []
    staging: list[Path] = []
    if not table_dir.is_dir():
        return parts, staging
    for p in sorted(table_dir.iterdir()):
        name = p.name
        assert not (name.endswith(".tmp") and not name.startswith(".")), (
            f"visible staging file {name}"
        )
        if re.fullmatch(r"part-[0-9a-f-]{36}\.parquet", name):
            parts.append(p)
        elif re.fullmatch(r"\.part-[0-9a-f-]{36}\.parquet\.tmp", name):
            staging.append(p)
        else:
            pytest.fail(f"unexpected file in the table directory: {name}")
    return parts, staging


def _check_ledger(table: pa.Table, last: int) -> None:
    """Ticks 0…last each hold the 200 entities exactly once, all active, in this run."""
    assert table.schema.equals(SCHEMA), table.schema
    assert table.num_rows == ENTITIES * (last + 1)
    assert pc.all(table["is_active"]).as_py() is True
    assert pc.unique(table["world_id"]).to_pylist() == ["crash-world"]
    assert pc.unique(table["run_id"]).to_pylist() == ["crash-run"]
    counts = table.group_by("tick").aggregate(
        [
            ("entity_id", "count_distinct"),
            ("entity_id", "count"),
            ("entity_id", "min"),
            ("entity_id", "max"),
        ]
    )
    counts = counts.sort_by("tick")
    assert counts["tick"].to_pylist() == list(range(last + 1))
    for key in ("entity_id_count_distinct", "entity_id_count"):
        assert set(counts[key].to_pylist()) == {ENTITIES}, key
    assert set(counts["entity_id_min"].to_pylist()) == {1}
    assert set(counts["entity_id_max"].to_pylist()) == {ENTITIES}


def _check_positions(table: pa.Table, last: int) -> None:
    """Every tick t: Σx = Σ(i + t) and Σy = -0.5·N·t (exact: all values are multiples of 0.5)."""
    sums = table.group_by("tick").aggregate([("position__x", "sum"), ("position__y", "sum")])
    sums = sums.sort_by("tick")
    base = ENTITIES * (ENTITIES - 1) // 2
    xs, ys = sums["position__x_sum"].to_pylist(), sums["position__y_sum"].to_pylist()
    for t in range(last + 1):
        assert xs[t] == base + ENTITIES * t, (t, xs[t])
        assert ys[t] == -0.5 * ENTITIES * t, (t, ys[t])
    assert pc.all(pc.equal(table["velocity__dx"], 1.0)).as_py()
    assert pc.all(pc.equal(table["velocity__dy"], -0.5)).as_py()


def _check_store(cli: Path, root: Path, table_dir: Path, read_parts: set[str]) -> int:
    """The store after a kill: every visible part complete, the ledger whole. Returns L, the
    greatest tick in the ledger (-1 when nothing was published)."""
    parts, _ = _table_files(table_dir)
    # Each visible part read completely on its own (new ones only: published parts never change).
    for part in parts:
        if part.name in read_parts:
            continue
        t = pq.ParquetFile(part).read()
        assert t.schema.equals(SCHEMA), part.name
        assert t.num_rows == ENTITIES, part.name
        assert len(pc.unique(t["tick"])) == 1, part.name
        read_parts.add(part.name)
    if not parts:
        last = -1
    else:
        table = pq.read_table(table_dir)  # dataset discovery: dot-files skipped
        last = pc.max(table["tick"]).as_py()
        assert len(parts) == last + 1, "one part per tick"
        _check_ledger(table, last)
    inspect = ps.run_cli(cli, "inspect", root)
    assert inspect.returncode == 0, inspect.stderr
    if parts:
        want = f"table {TABLE}: {len(parts)} parts, {ENTITIES * (last + 1)} rows"
        assert want in inspect.stdout, inspect.stdout
        assert f"ticks 0…{last}" in inspect.stdout, inspect.stdout
    return last


def _plant_staging(table_dir: Path, rng: random.Random) -> Path | None:
    """A truncated copy of a real part under a staging name, as a crash during the write leaves
    it, so that the cleanup on open is exercised whatever the kills hit."""
    parts, _ = _table_files(table_dir)
    if not parts:
        return None
    data = parts[-1].read_bytes()
    stem = parts[-1].name.removeprefix("part-").removesuffix(".parquet")
    fake = table_dir / f".part-{stem[:-4]}ffff.parquet.tmp"
    fake.write_bytes(data[: rng.randrange(1, len(data))])
    return fake


def test_sigkill_at_random_points_resumes_and_finishes(tmp_path: Path) -> None:
    cli = ps.require_cli()
    rng = random.Random(SEED)
    root = tmp_path / "store"
    table_dir = root / "crash" / TABLE
    # Kill targets: distinct ticks spread over the run; 0 means "right after the open".
    ticks = sorted(rng.sample(range(1, TICKS - 10), KILLS - 1))
    at = rng.randrange(KILLS)
    targets = [*ticks[:at], 0, *ticks[at:]]
    expected_resume = 0
    read_parts: set[str] = set()
    leftover: list[Path] = []  # staging files a kill left (or planted) for the next open to clean
    kills = 0
    durable_kills = 0
    staging_seen = 0
    log: list[str] = []
    for run in range(KILLS + 1):
        final = run == KILLS
        durable = final or run % 3 != 2
        worker = Worker(cli, root, durable)
        first = worker.readline()
        assert first == f"resumed at tick {expected_resume}", (run, first, worker.finish())
        worker.last_tick = expected_resume - 1
        # The writable open (before the line above) removed every stray staging file.
        assert not [p.name for p in leftover if p.exists()], "staging files not cleaned on open"
        if final:
            rc, rest, err = worker.finish()
            assert rc == 0, err
            assert rest[-1] == f"tick {TICKS - 1}", rest[-3:]
            assert worker.last_tick == TICKS - 1
            break
        target = max(targets[run], expected_resume)
        if targets[run] != 0:
            while worker.last_tick < target - 1:
                assert worker.readline() is not None, "the worker ended before its kill"
        time.sleep(rng.uniform(0.0, 0.004))
        worker.kill()
        rc, _, err = worker.finish()
        assert rc == -signal.SIGKILL, (rc, err)
        kills += 1
        durable_kills += durable
        printed = worker.last_tick
        last = _check_store(cli, root, table_dir, read_parts)
        # A tick is printed after its append returned: the ledger holds every printed tick, and
        # at most the one that was being printed when the kill came.
        assert printed <= last <= printed + 1, (printed, last)
        _, staging = _table_files(table_dir)
        staging_seen += len(staging)
        planted = _plant_staging(table_dir, rng)
        if planted is not None:
            # Never visible to readers, before the cleanup either.
            assert pq.read_table(table_dir).num_rows == ENTITIES * (last + 1)
        leftover = [*staging, *([planted] if planted else [])]
        log.append(
            f"kill {run + 1} ({'durable' if durable else 'no-durable'}): printed "
            f"{printed}, ledger {last}, {len(staging)} staging file(s) left"
        )
        expected_resume = last + 1
    assert kills >= 5 and durable_kills >= 3, (kills, durable_kills)
    print("\n".join([*log, f"staging files left by the kills: {staging_seen}"]))

    _, staging = _table_files(table_dir)
    assert not staging
    table = pq.read_table(table_dir)
    _check_ledger(table, TICKS - 1)
    _check_positions(table, TICKS - 1)
    last_tick = table.filter(pc.equal(table["tick"], TICKS - 1))
    assert pc.sum(last_tick["position__x"]).as_py() == sum(i + TICKS - 1 for i in range(ENTITIES))
    assert pc.sum(last_tick["position__y"]).as_py() == -0.5 * ENTITIES * (TICKS - 1)
    # A run over a finished ledger resumes at 1000 and steps nothing.
    again = ps.run_cli(
        cli, "crash-worker", "--root", root, "--entities", str(ENTITIES), "--ticks", str(TICKS)
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [f"resumed at tick {TICKS}"]
    assert len(_table_files(table_dir)[0]) == TICKS
    shutil.rmtree(root)
