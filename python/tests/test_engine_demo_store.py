"""A store written by `archetype demo`, read by pyarrow, DuckDB and Daft (issue 4 Acceptance;
store.md §10), and the CLI's own views of it (`inspect`, `query`); the native scenarios
`archetype bench movement` / `mid-run-spawn` at their defaults and at 100,000 entities
(bench.md §3).

The demo world: entity i (0-based, id i + 1) starts at x = i, y = 0 with dx = 1, dy = -0.5;
spawns land raw at tick 0 and movement applies from tick 1 (engine.md C19), so at tick t
x = i + t and y = -0.5·t. Every value is a multiple of 0.5 below 2⁵³, so the sums are exact in
any order: Σx = N(N-1)/2 + N·t and Σy = -0.5·N·t.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import parquet_support as ps

N = 2000
T = 20
NAMESPACE = "demo"
TABLE = "position_velocity"

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
#: How `archetype inspect` prints the schema (Arrow's field descriptions, in order).
SCHEMA_LINES = [
    "world_id: string not null",
    "run_id: string not null",
    "entity_id: int32 not null",
    "tick: int32 not null",
    "is_active: bool not null",
    "position__x: double not null",
    "position__y: double not null",
    "velocity__dx: double not null",
    "velocity__dy: double not null",
]
DUCKDB_TYPES = {
    "world_id": "VARCHAR",
    "run_id": "VARCHAR",
    "entity_id": "INTEGER",
    "tick": "INTEGER",
    "is_active": "BOOLEAN",
    "position__x": "DOUBLE",
    "position__y": "DOUBLE",
    "velocity__dx": "DOUBLE",
    "velocity__dy": "DOUBLE",
}
DAFT_TYPES = {
    "world_id": "String",
    "run_id": "String",
    "entity_id": "Int32",
    "tick": "Int32",
    "is_active": "Bool",
    "position__x": "Float64",
    "position__y": "Float64",
    "velocity__dx": "Float64",
    "velocity__dy": "Float64",
}


def sum_x(n: int, t: int) -> float:
    return float(n * (n - 1) // 2 + n * t)


def sum_y(n: int, t: int) -> float:
    return -0.5 * n * t


# ---------------------------------------------------------------------------
# The demo store
# ---------------------------------------------------------------------------
class Demo:
    def __init__(self, cli: Path, root: Path, stdout: str) -> None:
        self.cli = cli
        self.root = root
        self.stdout = stdout
        self.table_dir = root / NAMESPACE / TABLE
        m = re.search(r"world demo-world, run ([0-9a-f-]{36})", stdout)
        assert m, stdout
        self.run_id = m.group(1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    cli = ps.require_cli()
    root = tmp_path_factory.mktemp("demo") / "store"
    proc = ps.run_cli(cli, "demo", "--root", root, "--entities", str(N), "--ticks", str(T))
    assert proc.returncode == 0, proc.stderr
    yield Demo(cli, root, proc.stdout)


def _module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:
        pytest.skip(f"{name} is not installed (pip install -e 'python[{name}]')")


def _check_ticks(
    ticks: list[int], counts: list[int], xs: list[float], ys: list[float], engine: str
) -> None:
    """Per tick (sorted): N rows, Σx and Σy equal to the closed form, exactly."""
    assert ticks == list(range(T)), f"{engine}: ticks {ticks}"
    for t, count, x, y in zip(ticks, counts, xs, ys, strict=True):
        assert count == N, f"{engine}: tick {t} has {count} rows"
        assert x == sum_x(N, t), f"{engine}: tick {t} Σx = {x!r}, want {sum_x(N, t)!r}"
        assert y == sum_y(N, t), f"{engine}: tick {t} Σy = {y!r}, want {sum_y(N, t)!r}"


def test_demo_output(demo: Demo) -> None:
    out = demo.stdout
    assert f"{N} entities, {T} ticks" in out
    assert re.search(rf"^  rows:\s+{N * T}$", out, re.M), out
    assert re.search(rf"^  files:\s+{T} new", out, re.M), out
    assert "matches the closed form" in out
    assert f"Σx = {sum_x(N, T - 1)}, Σy = {sum_y(N, T - 1)}" in out


def test_layout(demo: Demo) -> None:
    """Only what store.md §2.1 allows: the lock, the table directory, T published parts."""
    assert sorted(p.name for p in (demo.root / NAMESPACE).iterdir()) == [".archetype.lock", TABLE]
    names = sorted(p.name for p in demo.table_dir.iterdir())
    assert len(names) == T
    assert all(re.fullmatch(r"part-[0-9a-f-]{36}\.parquet", n) for n in names), names


def test_pyarrow(demo: Demo) -> None:
    table = pq.read_table(demo.table_dir)
    assert table.schema.equals(SCHEMA), table.schema
    assert table.num_rows == N * T
    # Each part: the exact schema (ARROW:schema stored), one tick, the rows in entity order.
    for i, part in enumerate(sorted(demo.table_dir.glob("part-*.parquet"))):
        t = pq.read_table(part)
        assert t.schema.equals(SCHEMA), part.name
        assert pq.read_schema(part).equals(SCHEMA)
        assert t["tick"].unique().to_pylist() == [i], "parts sort in append (tick) order"
        assert t["entity_id"].to_pylist() == list(range(1, N + 1))
    assert pc.unique(table["world_id"]).to_pylist() == ["demo-world"]
    assert pc.unique(table["run_id"]).to_pylist() == [demo.run_id]
    assert pc.all(table["is_active"]).as_py() is True
    agg = (
        table.group_by("tick")
        .aggregate([("entity_id", "count"), ("position__x", "sum"), ("position__y", "sum")])
        .sort_by("tick")
    )
    _check_ticks(
        agg["tick"].to_pylist(),
        agg["entity_id_count"].to_pylist(),
        agg["position__x_sum"].to_pylist(),
        agg["position__y_sum"].to_pylist(),
        "pyarrow",
    )
    # Row level: x = i + t, y = -0.5·t for entity i + 1.
    x = pc.add(pc.subtract(table["entity_id"], 1), table["tick"]).cast(pa.float64())
    assert pc.all(pc.equal(table["position__x"], x)).as_py()
    assert pc.all(pc.equal(table["position__y"], pc.multiply(table["tick"], -0.5))).as_py()


def test_duckdb(demo: Demo) -> None:
    duckdb = _module("duckdb")
    glob = "'" + str(demo.table_dir / "*.parquet").replace("'", "''") + "'"
    con = duckdb.connect()
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({glob})").fetchall()
    assert {r[0]: r[1] for r in described} == DUCKDB_TYPES
    assert [r[0] for r in described] == SCHEMA.names
    rows = con.execute(
        f"SELECT tick, count(*), sum(position__x), sum(position__y), count(DISTINCT entity_id),"
        f" bool_and(is_active) FROM read_parquet({glob}) GROUP BY tick ORDER BY tick"
    ).fetchall()
    _check_ticks(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        "DuckDB",
    )
    assert all(r[4] == N and r[5] is True for r in rows)
    runs = con.execute(f"SELECT DISTINCT world_id, run_id FROM read_parquet({glob})").fetchall()
    assert runs == [("demo-world", demo.run_id)]


def test_daft(demo: Demo) -> None:
    daft = _module("daft")
    df = daft.read_parquet(str(demo.table_dir / "*.parquet"))
    assert {f.name: str(f.dtype) for f in df.schema()} == DAFT_TYPES
    assert [f.name for f in df.schema()] == SCHEMA.names
    assert df.count_rows() == N * T
    table = df.to_arrow()
    agg = (
        table.group_by("tick")
        .aggregate([("entity_id", "count"), ("position__x", "sum"), ("position__y", "sum")])
        .sort_by("tick")
    )
    _check_ticks(
        agg["tick"].to_pylist(),
        agg["entity_id_count"].to_pylist(),
        agg["position__x_sum"].to_pylist(),
        agg["position__y_sum"].to_pylist(),
        "Daft",
    )
    # Daft's own aggregation too.
    sums = (
        df.groupby("tick")
        .agg(
            daft.col("position__x").sum(),
            daft.col("position__y").sum(),
            daft.col("entity_id").count(),
        )
        .sort("tick")
        .to_pydict()
    )
    _check_ticks(
        sums["tick"], sums["entity_id"], sums["position__x"], sums["position__y"], "Daft groupby"
    )


def test_inspect(demo: Demo) -> None:
    proc = ps.run_cli(demo.cli, "inspect", demo.root)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    size = sum(p.stat().st_size for p in demo.table_dir.glob("part-*.parquet"))
    assert lines[0] == f"namespace {NAMESPACE}"
    assert lines[1] == f"  table {TABLE}: {T} parts, {N * T} rows, {size} bytes, ticks 0…{T - 1}"
    assert [line.strip() for line in lines[2:]] == SCHEMA_LINES


def _query(demo: Demo, *args: str) -> str:
    proc = ps.run_cli(
        demo.cli, "query", demo.root, "--namespace", NAMESPACE, "--table", TABLE, *args
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_query_csv_last_tick(demo: Demo) -> None:
    """Without --tick: the last tick, active rows; every value as in the ledger."""
    rows = list(csv.DictReader(io.StringIO(_query(demo, "--format", "csv"))))
    assert list(rows[0]) == SCHEMA.names
    assert len(rows) == N
    t = T - 1
    assert {r["tick"] for r in rows} == {str(t)}
    assert sum(float(r["position__x"]) for r in rows) == sum_x(N, t)
    assert sum(float(r["position__y"]) for r in rows) == sum_y(N, t)
    assert [int(r["entity_id"]) for r in rows] == list(range(1, N + 1))
    assert {(r["world_id"], r["run_id"], r["is_active"]) for r in rows} == {
        ("demo-world", demo.run_id, "true")
    }


def test_query_json_tick_entity(demo: Demo) -> None:
    lines = _query(demo, "--tick", "5", "--entity", "7", "--format", "json").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "world_id": "demo-world",
            "run_id": demo.run_id,
            "entity_id": 7,
            "tick": 5,
            "is_active": True,
            "position__x": 6.0 + 5,
            "position__y": -2.5,
            "velocity__dx": 1.0,
            "velocity__dy": -0.5,
        }
    ]


def test_query_all_history_of_one_entity(demo: Demo) -> None:
    lines = _query(demo, "--entity", "1", "--all", "--format", "json").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [(r["tick"], r["position__x"], r["position__y"]) for r in rows] == [
        (t, float(t), -0.5 * t) for t in range(T)
    ]


def test_query_table_format(demo: Demo) -> None:
    out = _query(demo, "--tick", "3").splitlines()
    assert out[0].split() == SCHEMA.names
    assert set(out[1]) <= {"-", " "}
    assert out[-1] == f"({N} rows)"
    assert len(out) == N + 3


def test_query_errors(demo: Demo) -> None:
    proc = ps.run_cli(demo.cli, "query", demo.root, "--namespace", NAMESPACE, "--table", "nope")
    ps.assert_clean_error(proc, "query of a missing table")


# ---------------------------------------------------------------------------
# Native scenarios (bench.md §3): "correct": true at the defaults and at 100,000 entities
# ---------------------------------------------------------------------------
CORRECTNESS_KEYS = {
    "expected_rows",
    "rows_match",
    "sum_position_x",
    "sum_position_y",
    "expected_sum_position_x",
    "expected_sum_position_y",
    "sum_position_x_abs_error",
    "sum_position_y_abs_error",
    "position_sums_match",
    "correct",
}
PHASE_KEYS = {
    "setup",
    "run",
    "read_prior",
    "materialize",
    "process",
    "append",
    "live_snapshot",
    "profiled_tick",
    "query",
    "total",
}


def _bench(cli: Path, tmp_path: Path, *args: str) -> dict[str, Any]:
    ticks_file = tmp_path / "ticks.json"
    proc = ps.run_cli(cli, "bench", *args, "--per-tick-json", ticks_file)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    assert result["correct"] is True and result["correctness"]["correct"] is True, result
    assert set(result["correctness"]) == CORRECTNESS_KEYS
    assert set(result["phases_sec"]) == PHASE_KEYS
    assert result["backend"] == "swift-arrow-parquet"
    assert result["rows"] == result["entities"] == result["correctness"]["expected_rows"]
    assert result["total_sec"] == pytest.approx(
        result["setup_sec"] + result["run_sec"] + result["query_sec"]
    )
    per_tick = json.loads(ticks_file.read_text())
    assert len(per_tick["tick_sec"]) == len(per_tick["append_sec"]) == result["ticks"]
    assert sum(per_tick["tick_sec"]) == pytest.approx(result["phases_sec"]["profiled_tick"])
    assert sum(per_tick["append_sec"]) == pytest.approx(result["phases_sec"]["append"])
    assert all(a <= t for a, t in zip(per_tick["append_sec"], per_tick["tick_sec"], strict=True))
    return result


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("movement",), (1000, 3, 501500.0, -1000.0)),
        (
            ("movement", "--entities", "100000", "--ticks", "3"),
            (100000, 3, 100000 * 99999 / 2 + 100000 * 2, -0.5 * 100000 * 2),
        ),
        (("mid-run-spawn",), (1200, 5, 723800.0, -2200.0)),
        (
            ("mid-run-spawn", "--initial-entities", "100000"),
            (
                100200,
                5,
                100000 * 99999 / 2 + 100000 * 4 + 200 * (200000 + 199) / 2 + 200 * 2,
                -0.5 * (100000 * 4 + 200 * 2),
            ),
        ),
    ],
    ids=["movement-default", "movement-100k", "mid-run-default", "mid-run-100k"],
)
def test_bench_scenarios(tmp_path: Path, args: tuple[str, ...], expected: tuple[Any, ...]) -> None:
    cli = ps.require_cli()
    result = _bench(cli, tmp_path, *args)
    entities, ticks, x, y = expected
    assert result["scenario"] == args[0].replace("-", "_")
    assert (result["entities"], result["ticks"]) == (entities, ticks)
    assert result["correctness"]["sum_position_x"] == x
    assert result["correctness"]["sum_position_y"] == y
    assert result["codec"] == "snappy" and result["durable"] is True


def test_bench_refuses_a_root_with_parts(demo: Demo) -> None:
    proc = ps.run_cli(demo.cli, "bench", "movement", "--root", demo.root)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
