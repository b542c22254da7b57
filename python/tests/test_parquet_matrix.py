"""pyarrow → `archetype parquet convert` → pyarrow (issue 3, Acceptance 2): every Arrow type of
the matrix, nullable with nulls and non-nullable, written by pyarrow with its options (codecs,
dictionary on/off/fallback, page versions, row groups, pages, `store_schema`, nested layouts,
format versions, DELTA_* and BYTE_STREAM_SPLIT encodings, page CRCs), rewritten by our reader and
writer with ours (codec and level, dictionary, page version, row-group and page size), then:

- the Arrow schema our reader made (stored by our writer as `ARROW:schema`) is exactly the
  source's, field metadata included (dictionary<int32, utf8> as utf8, store.md §11.3); where
  pyarrow's own options lose information (`store_schema=False`, an inconsistent hint in format
  1.0) it is the schema pyarrow infers;
- pyarrow reads our file exactly as it reads its own file of that table: `.equals` with schema,
  field and schema metadata, and values (NaN, -0.0, empty strings and lists, nested nulls);
- our footer: created_by, `ARROW:schema`, the codec and page version asked for, dictionary
  pages only with `--dictionary on`, row groups of the size asked for, exact statistics.

The option space is covered pairwise (`parquet_support.scenarios()`): every pair of option
values, within pyarrow's, within ours and across the two, occurs in some scenario. Each scenario
runs once over a wide table of all types; each type also runs alone under two scenarios, so a
failure names its type. Random tables of the core types (hypothesis, derandomized) add more.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import parquet_support as ps

SCENARIOS = ps.scenarios()
TYPE_IDS = list(ps.MATRIX_TYPES)

#: Known failures of our reader or writer: type id → reason. Each is an xfail(strict=True) in
#: the per-type test, and the type is left out of the wide table (which would fail as a whole).
KNOWN_TYPE_FAILURES: dict[str, str] = {}


@pytest.fixture(scope="module")
def cli() -> Path:
    return ps.require_cli()


def _row_group_rows(path: Path) -> list[int]:
    md = pq.ParquetFile(path).metadata
    return [md.row_group(g).num_rows for g in range(md.num_row_groups)]


def our_reading(source: pa.Table, scenario: ps.Scenario, written: Path) -> pa.Table:
    """The table our reader must make of pyarrow's file (store.md §11.3): the source itself,
    dictionaries as their values, when the file has a usable `ARROW:schema`; otherwise the
    schema inferred from the Parquet schema, as pyarrow infers it. In format 1.0 pyarrow stores
    uint32 as plain INT64, which contradicts the `ARROW:schema` hint: the hint is then not used
    at all (§11.3, "inconsistent"), where pyarrow still applies it field by field."""
    options = scenario.pa_options
    inconsistent = options.version == "1.0" and any(
        ps.contains_type(f.type, pa.types.is_uint32) for f in source.schema
    )
    if options.store_schema and not inconsistent:
        return ps.without_dictionaries(source)
    if options.store_schema:
        # pyarrow's inference of the same Parquet schema; the footer's other keys stay the
        # schema metadata (store_schema=False would drop them from the file)
        bare = written.with_name("pyarrow-without-schema.parquet")
        dataclasses.replace(options, store_schema=False).write(source, bare)
        inferred = pq.read_table(bare)
        return ps.without_dictionaries(inferred.replace_schema_metadata(source.schema.metadata))
    return ps.without_dictionaries(pq.read_table(written))


def roundtrip(cli: Path, tmp_path: Path, source: pa.Table, scenario: ps.Scenario) -> pa.Table:
    """Writes `source` with pyarrow, converts it with the CLI and checks our file:

    - the Arrow schema our writer stores (`ARROW:schema`) is exactly the one our reader must
      have made of pyarrow's file, field metadata included;
    - pyarrow reads our file exactly as it reads its own file of that table (schema with field
      and schema metadata, values with NaN, -0.0, empty and nested nulls). pyarrow restores less
      than it stores (date64 comes back as date32, timestamp[s] as [ms], list and map children
      under Parquet's names), so its reading of its own file is the reference, not the source;
    - the footer (`check_file_metadata`).

    Returns pyarrow's reading of our file."""
    src, dst = tmp_path / "pyarrow.parquet", tmp_path / "ours.parquet"
    source = scenario.pa_options.representable(source)
    scenario.pa_options.write(source, src)
    ps.convert(cli, src, dst, scenario.ours.args)
    reading = our_reading(source, scenario, src)
    # schema-level metadata aside: store.md §9.5 leaves it out of the message, but pyarrow takes
    # a file's schema metadata from ARROW:schema when present, so writers put it there too
    stored = ps.stored_arrow_schema(dst).remove_metadata()
    want = ps.canonical_map_names(reading.schema.remove_metadata())
    assert stored.equals(want, check_metadata=True), (
        f"{scenario.id}: ARROW:schema of our file differs:\n{ps.schema_diff(stored, want)}"
    )
    ours = pq.read_table(dst)
    ps.assert_tables_equal(ours, ps.pyarrow_roundtrip(reading), scenario.id)
    check_file_metadata(dst, ours, scenario.ours, _row_group_rows(src))
    return ours


# ---------------------------------------------------------------------------
# Metadata of the files we write
# ---------------------------------------------------------------------------
def _float_bound(value: object) -> float:
    if isinstance(value, bytes):  # FLOAT16 statistics come back as their two raw bytes
        return float(np.frombuffer(value, dtype="<f2")[0])
    assert isinstance(value, float), f"float statistic of type {type(value)}"
    return value


def _raw_int(column: pa.Array, typ: pa.DataType) -> list[int]:
    """Temporal values as the integers Parquet stores (pyarrow's mapping: seconds become
    milliseconds, date64 becomes days)."""
    storage = pa.int32() if pa.types.is_date32(typ) or pa.types.is_time32(typ) else pa.int64()
    ints = [v for v in column.view(storage).to_pylist() if v is not None]
    if pa.types.is_date64(typ):
        return [v // 86_400_000 for v in ints]
    if (pa.types.is_timestamp(typ) or pa.types.is_time32(typ)) and typ.unit == "s":
        return [v * 1000 for v in ints]
    return ints


def check_statistics(stats: pq.Statistics, column: pa.Array, what: str) -> None:
    """store.md §9.4 on one top-level, non-nested column chunk."""
    typ = column.type
    assert stats.has_null_count, f"{what}: no null_count"
    assert stats.null_count == column.null_count, (
        f"{what}: null_count {stats.null_count}, expected {column.null_count}"
    )
    values = [v for v in ps.plain_values(column) if v is not None]
    if pa.types.is_floating(typ):
        values = [float(v) for v in values if not math.isnan(v)]
    if pa.types.is_null(typ) or not values:
        assert not stats.has_min_max, f"{what}: min/max written for a chunk without values"
        return
    assert stats.has_min_max, f"{what}: no min/max"
    if pa.types.is_floating(typ):
        lo, hi = _float_bound(stats.min), _float_bound(stats.max)
        assert (lo, hi) == (min(values), max(values)), f"{what}: min/max {lo}/{hi}"
        if lo == 0:
            assert math.copysign(1, lo) < 0, f"{what}: a zero minimum must be -0.0"
        if hi == 0:
            assert math.copysign(1, hi) > 0, f"{what}: a zero maximum must be +0.0"
    elif pa.types.is_string(typ) or pa.types.is_large_string(typ):
        key = str.encode
        expected = (min(values, key=key), max(values, key=key))
        assert (stats.min, stats.max) == expected, f"{what}: min/max {stats.min!r}/{stats.max!r}"
    elif pa.types.is_temporal(typ):
        ints = _raw_int(column, typ)
        got = (stats.min_raw, stats.max_raw)
        assert got == (min(ints), max(ints)), f"{what}: raw min/max {got}"
    else:  # bool, integers, binaries (bytewise), decimals
        got = (stats.min, stats.max)
        assert got == (min(values), max(values)), f"{what}: min/max {got!r}"


def check_file_metadata(
    path: Path, table: pa.Table, ours: ps.OurOptions, input_row_groups: list[int]
) -> None:
    """Our file's footer: created_by, `ARROW:schema`, row groups as the writer promises, the
    codec asked for in every chunk, page versions, dictionary on/off, statistics."""
    md = pq.ParquetFile(path).metadata
    assert md.created_by.startswith("archetype"), md.created_by
    assert b"ARROW:schema" in (md.metadata or {}), "no ARROW:schema key"
    limit = ours.row_group_size or 1 << 20
    sizes = [md.row_group(g).num_rows for g in range(md.num_row_groups)]
    assert sum(sizes) == table.num_rows
    assert all(0 < s <= limit for s in sizes), f"row group sizes {sizes}, limit {limit}"
    expected_groups = sum(math.ceil(r / limit) for r in input_row_groups)
    assert len(sizes) == expected_groups, f"row group sizes {sizes} from input {input_row_groups}"

    data_page = "DATA_PAGE" if ours.page_version == 1 else "DATA_PAGE_V2"
    for chunk in ps.raw_chunks(path):
        what = f"row group {chunk.row_group} column {chunk.path}"
        assert chunk.codec == ours.codec_id, f"{what}: codec {chunk.codec}, asked {ours.codec}"
        data_pages = [p for p in chunk.page_types if p != "DICTIONARY_PAGE"]
        assert data_pages, f"{what}: no data page"
        assert set(data_pages) == {data_page}, f"{what}: pages {chunk.page_types}"
        if not ours.dictionary:
            assert "DICTIONARY_PAGE" not in chunk.page_types, f"{what}: dictionary page"
            assert not {2, 8} & set(chunk.encodings), f"{what}: encodings {chunk.encodings}"
        if ours.page_size == 1 and md.row_group(chunk.row_group).num_rows > 1:
            assert len(data_pages) > 1, f"{what}: one data page with --page-size 1"

    offset = 0
    for g, rows in enumerate(sizes):
        group = md.row_group(g)
        leaves = {group.column(j).path_in_schema: group.column(j) for j in range(group.num_columns)}
        for f in table.schema:
            if pa.types.is_nested(f.type) or f.name not in leaves:
                continue
            chunk = leaves[f.name]
            column = table.column(f.name).slice(offset, rows).combine_chunks()
            what = f"row group {g} column {f.name}"
            assert chunk.is_stats_set, f"{what}: no statistics"
            check_statistics(chunk.statistics, column, what)
            if ours.dictionary and pa.types.is_string(f.type) and column.null_count < rows:
                assert chunk.has_dictionary_page, f"{what}: --dictionary on, no dictionary page"
        offset += rows


# ---------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------
def _type_cases() -> list[object]:
    cases: list[object] = []
    for i, type_id in enumerate(TYPE_IDS):
        for k in range(2):
            scenario = SCENARIOS[(2 * i + k * 17) % len(SCENARIOS)]
            marks = []
            if type_id in KNOWN_TYPE_FAILURES:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_TYPE_FAILURES[type_id]))
            cases.append(pytest.param(type_id, scenario, id=f"{type_id}-{k}", marks=marks))
    return cases


@pytest.mark.parametrize(("type_id", "scenario"), _type_cases())
def test_type_roundtrip(cli: Path, tmp_path: Path, type_id: str, scenario: ps.Scenario) -> None:
    source = ps.matrix_table([type_id], 150, seed=TYPE_IDS.index(type_id))
    roundtrip(cli, tmp_path, source, scenario)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[f"s{i:02d}" for i in range(len(SCENARIOS))])
def test_all_types(cli: Path, tmp_path: Path, scenario: ps.Scenario) -> None:
    type_ids = [t for t in TYPE_IDS if t not in KNOWN_TYPE_FAILURES]
    source = ps.matrix_table(type_ids, 200, seed=SCENARIOS.index(scenario))
    roundtrip(cli, tmp_path, source, scenario)


def test_dictionary_reads_back_as_utf8(cli: Path, tmp_path: Path) -> None:
    """store.md §11.3: dictionary<int32, utf8> is read as utf8 (values and field kept)."""
    source = ps.matrix_table(["dictionary_int32_utf8"], 50, seed=3)
    ours = roundtrip(cli, tmp_path, source, ps.Scenario(ps.PyarrowOptions(), ps.OurOptions()))
    for name in ("dictionary_int32_utf8", "dictionary_int32_utf8_req"):
        assert ours.schema.field(name).type == pa.string()
        assert ours.schema.field(name).metadata == source.schema.field(name).metadata
        assert ours.column(name).to_pylist() == source.column(name).to_pylist()


@pytest.mark.parametrize("options", [ps.OurOptions(), ps.OurOptions("zstd", False, 2, 3, 1)])
def test_empty_table(cli: Path, tmp_path: Path, options: ps.OurOptions) -> None:
    """0 rows: schema and metadata survive; no row group (an empty input row group gives
    ⌈0 / N⌉ = 0 of ours)."""
    type_ids = [t for t in TYPE_IDS if t not in KNOWN_TYPE_FAILURES]
    source = ps.matrix_table(type_ids, 0, seed=11)
    roundtrip(cli, tmp_path, source, ps.Scenario(ps.PyarrowOptions(), options))
    assert pq.ParquetFile(tmp_path / "ours.parquet").metadata.num_rows == 0


def test_all_null_chunks(cli: Path, tmp_path: Path) -> None:
    """Nullable columns holding only nulls: values read back, statistics hold only null_count."""
    type_ids = [t for t in TYPE_IDS if t not in KNOWN_TYPE_FAILURES]
    source = ps.matrix_table(type_ids, 30, seed=12, null_p=1.0, required=False)
    scenario = ps.Scenario(ps.PyarrowOptions(), ps.OurOptions(row_group_size=10))
    roundtrip(cli, tmp_path, source, scenario)


def _schema_cases() -> list[object]:
    cases: list[object] = []
    for type_id in TYPE_IDS:
        cases.append(pytest.param(type_id, id=type_id))
    return cases


@pytest.mark.parametrize("type_id", _schema_cases())
@pytest.mark.parametrize("compliant", [True, False], ids=["compliant", "legacy"])
def test_parquet_schema_like_pyarrow(
    cli: Path, tmp_path: Path, type_id: str, compliant: bool
) -> None:
    """Our Parquet schema (groups, repetition, physical, logical and converted types, levels)
    is the one pyarrow writes for the same Arrow table (format 2.6; converted types as in
    store.md §9.2). Other readers see only this, not `ARROW:schema`."""
    source = ps.matrix_table([type_id], 10, seed=5)
    src, dst = tmp_path / "pyarrow.parquet", tmp_path / "ours.parquet"
    pq.write_table(source, src, use_compliant_nested_type=compliant)
    ps.convert(cli, src, dst)
    if not compliant:  # our writer always writes 3-level lists named `element`
        pq.write_table(source, src)

    def text(path: Path) -> list[str]:
        return str(pq.ParquetFile(path).schema).splitlines()[1:]

    assert text(dst) == text(src)


def test_long_values_and_nan_only_statistics(cli: Path, tmp_path: Path) -> None:
    """store.md §9.4: min/max omitted when a bound exceeds 4 KiB, and for a float chunk of only
    NaN and nulls; exact otherwise."""
    long = "x" * 5000
    table = pa.table(
        {
            "long_max": pa.array(["a", "b", "z" + long]),
            "long_min": pa.array(["\x00" + long, "b", "c"]),
            "long_middle": pa.array(["a", "m" + long, "z"]),
            "nan_only": pa.array([math.nan, None, math.nan]),
            "neg_zero": pa.array([0.0, -0.0, 0.0]),
        }
    )
    src, dst = tmp_path / "pyarrow.parquet", tmp_path / "ours.parquet"
    pq.write_table(table, src)
    ps.convert(cli, src, dst, ["--dictionary", "off"])
    ours = pq.read_table(dst)
    ps.assert_tables_equal(ours, ps.pyarrow_roundtrip(table))
    group = pq.ParquetFile(dst).metadata.row_group(0)
    stats = {group.column(j).path_in_schema: group.column(j).statistics for j in range(5)}
    assert not stats["long_max"].has_min_max
    assert not stats["long_min"].has_min_max
    assert (stats["long_middle"].min, stats["long_middle"].max) == ("a", "z")
    assert not stats["nan_only"].has_min_max and stats["nan_only"].null_count == 1
    lo, hi = stats["neg_zero"].min, stats["neg_zero"].max
    assert lo == hi == 0 and math.copysign(1, lo) < 0 < math.copysign(1, hi)


def test_dictionary_fallback(cli: Path, tmp_path: Path) -> None:
    """A chunk whose dictionary would pass 1 MiB falls back to PLAIN for its remaining pages
    (store.md §9.3): one dictionary page, dictionary pages then PLAIN ones, the values intact."""
    n = 40_000
    table = pa.table(
        {"s": [f"{i:08d}-" + "v" * 32 for i in range(n)], "k": [i % 3 for i in range(n)]}
    )
    src, dst = tmp_path / "pyarrow.parquet", tmp_path / "ours.parquet"
    pq.write_table(table, src)
    ps.convert(cli, src, dst, ["--dictionary", "on", "--page-size", "65536"])
    ours = pq.read_table(dst)
    ps.assert_tables_equal(ours, ps.pyarrow_roundtrip(table))
    chunk = next(c for c in ps.raw_chunks(dst) if c.path == "s")
    assert chunk.page_types.count("DICTIONARY_PAGE") == 1, chunk.page_types
    assert {0, 8} <= set(chunk.encodings), f"PLAIN and RLE_DICTIONARY expected: {chunk.encodings}"
    small = next(c for c in ps.raw_chunks(dst) if c.path == "k")
    assert "DICTIONARY_PAGE" in small.page_types


# ---------------------------------------------------------------------------
# `archetype parquet cat`
# ---------------------------------------------------------------------------
def test_cat_jsonl(cli: Path, tmp_path: Path) -> None:
    """`cat --format jsonl` of pyarrow's file and of ours prints every value of every type as
    documented (floats round-trip exactly, NaN/Infinity as strings, binary as base64, ISO 8601
    dates, times and timestamps with Z for time zones, exact decimals, maps as key/value
    objects); `--limit` and `--columns` (in the order asked) select rows and columns."""
    source = ps.matrix_table(TYPE_IDS, 60, seed=31)
    expected = ps.without_dictionaries(source)
    src, dst = tmp_path / "pyarrow.parquet", tmp_path / "ours.parquet"
    pq.write_table(source, src, row_group_size=25)
    ps.convert(cli, src, dst, ["--row-group-size", "16"])
    for path in (src, dst):
        proc = ps.run_cli(cli, "parquet", "cat", path, "--format", "jsonl")
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        ps.check_cat_jsonl(proc.stdout, expected, f"cat {path.name}")
        proc = ps.run_cli(cli, "parquet", "cat", path, "--limit", "17")
        assert proc.returncode == 0, proc.stderr
        ps.check_cat_jsonl(proc.stdout, expected.slice(0, 17), f"cat --limit 17 {path.name}")
        names = ["struct", "float64", "utf8_req"]
        proc = ps.run_cli(cli, "parquet", "cat", path, "--columns", ",".join(names), "--limit", "5")
        assert proc.returncode == 0, proc.stderr
        ps.check_cat_jsonl(
            proc.stdout, expected.select(names).slice(0, 5), f"cat --columns {path.name}"
        )


def test_cat_csv(cli: Path, tmp_path: Path) -> None:
    """`cat --format csv`: a header of the column names, one record per row (strings with
    commas, quotes and newlines quoted), nulls as a bare `null`."""
    import csv
    import io

    source = ps.matrix_table(["int64", "utf8", "bool", "float64"], 40, seed=32, required=False)
    src = tmp_path / "pyarrow.parquet"
    pq.write_table(source, src)
    proc = ps.run_cli(cli, "parquet", "cat", src, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    records = list(csv.reader(io.StringIO(proc.stdout, newline="")))
    assert records[0] == source.column_names
    assert len(records) == source.num_rows + 1
    for i, record in enumerate(records[1:]):
        row = source.slice(i, 1).to_pylist()[0]
        assert record[0] == ("null" if row["int64"] is None else str(row["int64"]))
        assert record[1] == ("null" if row["utf8"] is None else row["utf8"]), f"row {i}"
        assert record[2] == ("null" if row["bool"] is None else str(row["bool"]).lower())


def test_cat_fixed_size_list_null_entries(cli: Path, tmp_path: Path) -> None:
    """Null entries of a fixed_size_list (which pyarrow 26 cannot read back itself) read by our
    reader, and by it again after our writer."""
    typ = pa.list_(pa.int32(), 3)
    values = [[1, 2, 3], None, [4, None, 6], None, [7, 8, 9]]
    table = pa.table({"f": pa.array(values, typ)})
    src, dst = tmp_path / "pyarrow.parquet", tmp_path / "ours.parquet"
    pq.write_table(table, src)
    ps.convert(cli, src, dst)
    for path in (src, dst):
        proc = ps.run_cli(cli, "parquet", "cat", path)
        assert proc.returncode == 0, proc.stderr
        assert [json.loads(line)["f"] for line in proc.stdout.splitlines()] == values
    assert ps.stored_arrow_schema(dst).field("f").type == typ


# ---------------------------------------------------------------------------
# Random tables of the core types (store.md §11.5)
# ---------------------------------------------------------------------------
_CORE_IDS = list(ps.CORE_TYPES)


@st.composite
def _core_tables(draw: st.DrawFn) -> tuple[pa.Table, ps.Scenario]:
    type_ids = draw(st.lists(st.sampled_from(_CORE_IDS), min_size=1, max_size=6, unique=True))
    rows = draw(st.integers(0, 300))
    null_p = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    table_seed = draw(st.integers(0, 2**31))
    table = ps.matrix_table(type_ids, rows, seed=table_seed, null_p=null_p)
    scenario = draw(st.sampled_from(SCENARIOS))
    return table, scenario


@seed(20261125)
@settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=_core_tables())
def test_random_core_tables(cli: Path, tmp_path: Path, case: tuple[pa.Table, ps.Scenario]) -> None:
    table, scenario = case
    for old in tmp_path.iterdir():
        old.unlink()
    roundtrip(cli, tmp_path, table, scenario)
