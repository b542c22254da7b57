"""DuckDB and Daft on files our writer made (issue 3 Acceptance; store.md §10): the same counts,
sums, GROUP BY and filtered answers as pyarrow gives on the same data, the expected column
types, and — as a differential check — exactly what each engine reads from pyarrow's own file
of the same table. Each engine is skipped (with the reason) when it is not installed; they are
the `duckdb` and `daft` extras of python/pyproject.toml.
"""

from __future__ import annotations

import decimal
import importlib
import math
import random
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import parquet_support as ps

#: Our writer's options for the files the engines read: one of each page version, dictionary
#: on/off, codecs, several row groups and pages.
OPTIONS = {
    "snappy-dict-v1": ps.OurOptions("snappy", True, 1, 700, None),
    "zstd-plain-v2": ps.OurOptions("zstd:3", False, 2, 333, 2048),
}
#: DuckDB's names of our codecs in parquet_metadata().
DUCKDB_CODECS = {0: "UNCOMPRESSED", 1: "SNAPPY", 2: "GZIP", 6: "ZSTD", 7: "LZ4_RAW"}

TIME_IDS = ("time32_s", "time32_ms", "time64_us", "time64_ns")

#: DESCRIBE types DuckDB must report for the engine table.
DUCKDB_TYPES = {
    "k": "INTEGER",
    "tick": "INTEGER",
    "i8": "TINYINT",
    "i16": "SMALLINT",
    "i32": "INTEGER",
    "i64": "BIGINT",
    "u8": "UTINYINT",
    "u16": "USMALLINT",
    "u32": "UINTEGER",
    "u64": "UBIGINT",
    "f32": "FLOAT",
    "f64": "DOUBLE",
    "b": "BOOLEAN",
    "s": "VARCHAR",
    "bin": "BLOB",
    "d": "DATE",
    "ts": "TIMESTAMP",
    "tsz": "TIMESTAMP WITH TIME ZONE",
    "dec": "DECIMAL(10,2)",
    "tags": "VARCHAR[]",
    "st": "STRUCT(z BIGINT)",
}
#: Daft's dtypes for the same columns.
DAFT_TYPES = {
    "k": "Int32",
    "tick": "Int32",
    "i8": "Int8",
    "i16": "Int16",
    "i32": "Int32",
    "i64": "Int64",
    "u8": "UInt8",
    "u16": "UInt16",
    "u32": "UInt32",
    "u64": "UInt64",
    "f32": "Float32",
    "f64": "Float64",
    "b": "Bool",
    "s": "String",
    "bin": "Binary",
    "d": "Date",
    "ts": "Timestamp[us]",
    "tsz": "Timestamp[us; UTC]",
    "dec": "Decimal[precision: 10, scale: 2]",
    "tags": "List[String]",
    "st": "Struct[z: Int64]",
}

WORDS = ["", "alpha", "beta", "gamma", "delta", "epsilon", "ζήτα", "eta🙂", "theta", "iota"]


def engine_table(n: int = 2000, seed: int = 7) -> pa.Table:
    """The history-like table the engines query: group and tick keys without nulls, every core
    type with about 10 % nulls, values small enough that no engine's sum overflows."""
    rng = random.Random(seed)

    def col(make: Any, nulls: bool = True) -> list[Any]:
        return [None if nulls and rng.random() < 0.1 else make() for _ in range(n)]

    data: dict[str, tuple[pa.DataType, list[Any]]] = {
        "k": (pa.int32(), [rng.randrange(7) for _ in range(n)]),
        "tick": (pa.int32(), [i // 40 for i in range(n)]),
        "i8": (pa.int8(), col(lambda: rng.randint(-128, 127))),
        "i16": (pa.int16(), col(lambda: rng.randint(-32768, 32767))),
        "i32": (pa.int32(), col(lambda: rng.randint(-(2**31), 2**31 - 1))),
        "i64": (pa.int64(), col(lambda: rng.randint(-(10**12), 10**12))),
        "u8": (pa.uint8(), col(lambda: rng.randint(0, 255))),
        "u16": (pa.uint16(), col(lambda: rng.randint(0, 65535))),
        "u32": (pa.uint32(), col(lambda: rng.randint(0, 2**32 - 1))),
        "u64": (pa.uint64(), col(lambda: rng.randint(0, 10**15))),
        "f32": (pa.float32(), col(lambda: rng.randint(-4000, 4000) / 8)),
        "f64": (pa.float64(), col(lambda: rng.uniform(-1e6, 1e6))),
        "b": (pa.bool_(), col(lambda: rng.random() < 0.3)),
        "s": (pa.string(), col(lambda: rng.choice(WORDS))),
        "bin": (pa.binary(), col(lambda: rng.randbytes(rng.randint(0, 8)))),
        "d": (pa.date32(), col(lambda: rng.randint(-20000, 30000))),
        "ts": (pa.timestamp("us"), col(lambda: rng.randint(-(10**15), 10**16))),
        "tsz": (pa.timestamp("us", "UTC"), col(lambda: rng.randint(0, 2 * 10**15))),
        "dec": (
            pa.decimal128(10, 2),
            col(lambda: decimal.Decimal(rng.randint(-(10**9), 10**9)).scaleb(-2)),
        ),
        "tags": (
            pa.list_(pa.string()),
            col(lambda: [rng.choice(WORDS) for _ in range(rng.randint(0, 3))]),
        ),
        "st": (
            pa.struct([("z", pa.int64())]),
            col(lambda: {"z": rng.choice([None, rng.randint(-999, 999)])}),
        ),
    }
    fields = [
        pa.field(name, typ, nullable=name not in ("k", "tick")) for name, (typ, _) in data.items()
    ]
    arrays = [pa.array(values, typ) for typ, values in data.values()]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


@pytest.fixture(scope="module")
def cli() -> Path:
    return ps.require_cli()


@pytest.fixture(scope="module", params=list(OPTIONS), ids=list(OPTIONS))
def files(
    request: pytest.FixtureRequest, cli: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path, pa.Table, ps.OurOptions]]:
    """(our file, pyarrow's file, the table, our options)."""
    options = OPTIONS[request.param]
    folder = tmp_path_factory.mktemp(f"engines-{request.param}")
    table = engine_table()
    theirs, ours = folder / "pyarrow.parquet", folder / "ours.parquet"
    pq.write_table(table, theirs, row_group_size=900)
    ps.convert(cli, theirs, ours, options.args)
    yield ours, theirs, table, options


def _module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:
        pytest.skip(f"{name} is not installed (pip install -e 'python[{name}]')")


@pytest.fixture(scope="module")
def duckdb() -> ModuleType:
    return _module("duckdb")


@pytest.fixture(scope="module")
def daft() -> ModuleType:
    return _module("daft")


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _arrow_table(con: Any, query: str) -> pa.Table:
    relation = con.sql(query)
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow  # duckdb 2 / 1
    table: pa.Table = fetch()
    return table


def _close(a: Any, b: Any, what: str) -> None:
    if isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None, f"{what}: {a!r} vs {b!r}"
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6), f"{what}: {a!r} vs {b!r}"
    else:
        assert a == b, f"{what}: {a!r} vs {b!r}"


# ---------------------------------------------------------------------------
# DuckDB
# ---------------------------------------------------------------------------
def test_duckdb_describe(
    duckdb: ModuleType, files: tuple[Path, Path, pa.Table, ps.OurOptions]
) -> None:
    ours = files[0]
    rows = (
        duckdb.connect()
        .execute(f"DESCRIBE SELECT * FROM read_parquet({_sql_path(ours)})")
        .fetchall()
    )
    assert {r[0]: r[1] for r in rows} == DUCKDB_TYPES
    assert [r[0] for r in rows] == list(DUCKDB_TYPES)


def test_duckdb_aggregates(
    duckdb: ModuleType, files: tuple[Path, Path, pa.Table, ps.OurOptions]
) -> None:
    ours, _, table, _ = files
    ints = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "tick"]
    query = (
        "SELECT count(*), "
        + ", ".join(f"sum({c})" for c in ints)
        + ", sum(f32), sum(f64), count(s), min(s), max(s), min(d), max(d), sum(dec), "
        "sum(CASE WHEN b THEN 1 ELSE 0 END), count(b), sum(len(tags)), sum(st.z), count(bin), "
        f"min(ts), max(ts) FROM read_parquet({_sql_path(ours)})"
    )
    got = duckdb.connect().execute(query).fetchone()

    def total(name: str) -> Any:
        return pc.sum(table.column(name)).as_py()

    strings = [v for v in table.column("s").to_pylist() if v is not None]
    want = [
        table.num_rows,
        *(total(c) for c in ints),
        total("f32"),
        total("f64"),
        len(strings),
        min(strings, key=str.encode),
        max(strings, key=str.encode),
        pc.min(table.column("d")).as_py(),
        pc.max(table.column("d")).as_py(),
        total("dec"),
        table.column("b").to_pylist().count(True),
        len(table) - table.column("b").null_count,
        pc.sum(pc.list_value_length(table.column("tags"))).as_py(),
        pc.sum(pc.struct_field(table.column("st"), [0])).as_py(),
        len(table) - table.column("bin").null_count,
        pc.min(table.column("ts")).as_py(),
        pc.max(table.column("ts")).as_py(),
    ]
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        _close(g, w, f"aggregate {i}: {query.split(', ')[i] if i < 12 else i}")


def test_duckdb_group_by(
    duckdb: ModuleType, files: tuple[Path, Path, pa.Table, ps.OurOptions]
) -> None:
    ours, _, table, _ = files
    query = (
        "SELECT k, count(*), sum(i64), sum(f64), count(s), sum(u32), max(tsz) "
        f"FROM read_parquet({_sql_path(ours)}) GROUP BY k ORDER BY k"
    )
    got = duckdb.connect().execute(query).fetchall()
    grouped = (
        table.group_by("k")
        .aggregate(
            [
                ("k", "count"),
                ("i64", "sum"),
                ("f64", "sum"),
                ("s", "count"),
                ("u32", "sum"),
                ("tsz", "max"),
            ]
        )
        .sort_by("k")
    )
    want = list(zip(*(grouped.column(c).to_pylist() for c in [
        "k", "k_count", "i64_sum", "f64_sum", "s_count", "u32_sum", "tsz_max"
    ]), strict=True))  # fmt: skip
    assert len(got) == len(want) == 7
    for g_row, w_row in zip(got, want, strict=True):
        for j, (g, w) in enumerate(zip(g_row, w_row, strict=True)):
            _close(g, w, f"k={w_row[0]} column {j}")


@pytest.mark.parametrize(
    ("where", "mask"),
    [
        ("tick = 2", lambda t: pc.equal(t["tick"], 2)),
        (
            "i64 BETWEEN -100000000000 AND 200000000000",
            lambda t: pc.and_(
                pc.greater_equal(t["i64"], -(10**11)), pc.less_equal(t["i64"], 2 * 10**11)
            ),
        ),
        ("s = 'gamma'", lambda t: pc.equal(t["s"], "gamma")),
        ("s IN ('', 'ζήτα')", lambda t: pc.is_in(t["s"], pa.array(["", "ζήτα"]))),
        ("u64 > 900000000000000", lambda t: pc.greater(t["u64"], 9 * 10**14)),
        (
            "d >= DATE '2000-01-01'",
            lambda t: pc.greater_equal(t["d"], pa.scalar(10957, pa.date32())),
        ),
        ("f32 < -400", lambda t: pc.less(t["f32"], -400)),
        ("b", lambda t: pc.equal(t["b"], True)),
    ],
    ids=["tick", "i64-range", "s-eq", "s-in", "u64-gt", "d-ge", "f32-lt", "bool"],
)
def test_duckdb_filters(
    duckdb: ModuleType, files: tuple[Path, Path, pa.Table, ps.OurOptions], where: str, mask: Any
) -> None:
    """Filters DuckDB may answer by pruning row groups with our statistics: a wrong minimum or
    maximum would drop rows."""
    ours, _, table, _ = files
    query = (
        f"SELECT count(*), sum(i64), sum(tick) FROM read_parquet({_sql_path(ours)}) WHERE {where}"
    )
    got = duckdb.connect().execute(query).fetchone()
    selected = table.filter(mask(table))
    want = (selected.num_rows, pc.sum(selected["i64"]).as_py(), pc.sum(selected["tick"]).as_py())
    assert selected.num_rows > 0
    assert tuple(got) == want, f"WHERE {where}"


def test_duckdb_parquet_metadata(
    duckdb: ModuleType, files: tuple[Path, Path, pa.Table, ps.OurOptions]
) -> None:
    """DuckDB parses our footer: one row per column chunk, our codec, our statistics."""
    ours, _, _, options = files
    md = pq.ParquetFile(ours).metadata
    rows = (
        duckdb.connect()
        .execute(
            "SELECT row_group_id, path_in_schema, compression, stats_min_value, stats_max_value "
            f"FROM parquet_metadata({_sql_path(ours)}) ORDER BY row_group_id, column_id"
        )
        .fetchall()
    )
    assert len(rows) == md.num_row_groups * md.num_columns
    assert {r[2] for r in rows} == {DUCKDB_CODECS[options.codec_id]}
    for group, path, _, lo, hi in rows:
        if path == "i64":
            stats = md.row_group(group).column(md.schema.names.index("i64")).statistics
            assert (int(lo), int(hi)) == (stats.min, stats.max)


def test_duckdb_reads_ours_as_pyarrows(duckdb: ModuleType, cli: Path, tmp_path: Path) -> None:
    """Differential: DuckDB's reading of our file of every matrix type equals its reading of
    pyarrow's file of the same table (time types aside: see test_duckdb_time_types)."""
    type_ids = [t for t in ps.MATRIX_TYPES if t not in TIME_IDS]
    table = ps.matrix_table(type_ids, 120, seed=21)
    theirs, ours = tmp_path / "pyarrow.parquet", tmp_path / "ours.parquet"
    pq.write_table(table, theirs)
    ps.convert(cli, theirs, ours, ["--row-group-size", "50"])
    con = duckdb.connect()
    want = _arrow_table(con, f"SELECT * FROM read_parquet({_sql_path(theirs)})")
    got = _arrow_table(con, f"SELECT * FROM read_parquet({_sql_path(ours)})")
    ps.assert_tables_equal(got, want, "DuckDB")


def test_duckdb_time_types(duckdb: ModuleType, cli: Path, tmp_path: Path) -> None:
    table = ps.matrix_table(list(TIME_IDS), 30, seed=22)
    theirs, ours = tmp_path / "pyarrow.parquet", tmp_path / "ours.parquet"
    pq.write_table(table, theirs)
    ps.convert(cli, theirs, ours)
    con = duckdb.connect()

    def describe(path: Path) -> list[tuple[str, str]]:
        rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_sql_path(path)})").fetchall()
        return [(r[0], r[1]) for r in rows]

    assert describe(ours) == describe(theirs)
    want = _arrow_table(con, f"SELECT * FROM read_parquet({_sql_path(theirs)})")
    got = _arrow_table(con, f"SELECT * FROM read_parquet({_sql_path(ours)})")
    ps.assert_tables_equal(got, want, "DuckDB")


# ---------------------------------------------------------------------------
# Daft
# ---------------------------------------------------------------------------
def test_daft(daft: ModuleType, files: tuple[Path, Path, pa.Table, ps.OurOptions]) -> None:
    """Daft's types, row count, sums and values on our file; the values equal Daft's reading
    of pyarrow's file."""
    ours, theirs, table, _ = files
    df = daft.read_parquet(str(ours))
    assert {f.name: str(f.dtype) for f in df.schema()} == DAFT_TYPES
    assert df.count_rows() == table.num_rows
    sums = df.sum("i64", "u32", "f64", "tick").to_pydict()
    for name in ("i64", "u32", "f64", "tick"):
        _close(sums[name][0], pc.sum(table.column(name)).as_py(), f"daft sum({name})")
    got = df.to_arrow()
    want = daft.read_parquet(str(theirs)).to_arrow()
    ps.assert_tables_equal(got, want, "Daft")
