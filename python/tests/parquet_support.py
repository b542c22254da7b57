"""Shared pieces of the Parquet interop tests (issue 3): the `archetype` CLI and how to run it,
pyarrow's and our writer options with a pairwise covering design over them, tables of every
type with edge values, a NaN- and -0.0-aware table comparison, and a small raw footer and
page-header walker (codec ids and page types, which pyarrow does not expose)."""

from __future__ import annotations

import base64
import decimal
import itertools
import math
import os
import random
import struct
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ENV_CLI = "ARCHETYPE_CLI"
ENV_NATIVE_CORE = "ARCHETYPE_NATIVE_CORE"
#: Seconds any one CLI call may take before the test fails (a hang is a failure, not a skip).
CLI_TIMEOUT = 120.0


# ---------------------------------------------------------------------------
# The CLI
# ---------------------------------------------------------------------------
def cli_candidates() -> list[Path]:
    """`$ARCHETYPE_CLI` if set (then the only candidate), else the release and debug builds
    under the repository root, newest first."""
    env = os.environ.get(ENV_CLI, "").strip()
    if env:
        return [Path(env)]
    builds = [REPO_ROOT / ".build" / kind / "archetype" for kind in ("release", "debug")]
    existing = [p for p in builds if p.is_file()]
    existing.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return existing or builds


def find_cli() -> Path | None:
    for path in cli_candidates():
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


def require_cli() -> Path:
    """The CLI binary; skips the test when it is missing, unless `ARCHETYPE_NATIVE_CORE=required`
    (CI), which makes it fail."""
    path = find_cli()
    if path is None:
        tried = ", ".join(str(p) for p in cli_candidates())
        reason = f"archetype CLI not found (tried {tried}); build it with `make build-release`"
        if os.environ.get(ENV_NATIVE_CORE, "").strip().lower() == "required":
            pytest.fail(f"{reason} (ARCHETYPE_NATIVE_CORE=required)", pytrace=False)
        pytest.skip(reason)
    return path


def run_cli(
    cli: Path, *args: str | Path, timeout: float = CLI_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Runs `archetype ARGS…` in a subprocess; fails the test if it died of a signal (a trap,
    a crash) or hung."""
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    argv = [str(cli), *(str(a) for a in args)]
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(argv)}` did not finish within {timeout} s", pytrace=False)
    assert proc.returncode >= 0, (
        f"`{' '.join(argv)}` was killed by signal {-proc.returncode}; "
        f"stderr:\n{proc.stderr[-2000:]}"
    )
    return proc


class CliError(AssertionError):
    """The CLI refused cleanly (exit code 1, one `error:` line): a failure of the test, but not
    a crash. Known gaps are `xfail(raises=CliError)`, so a crash still fails them."""


def convert(cli: Path, src: Path, dst: Path, options: Sequence[str] = ()) -> None:
    """`archetype parquet convert SRC DST OPTIONS…`, which must succeed."""
    what = f"convert {src.name} {' '.join(options)}".strip()
    proc = run_cli(cli, "parquet", "convert", src, dst, *options)
    if proc.returncode != 0:
        raise CliError(f"{what}: {assert_clean_error(proc, what)}")
    assert proc.stderr == "", f"{what} succeeded but wrote to stderr: {proc.stderr!r}"
    assert dst.is_file()


def assert_clean_error(
    proc: subprocess.CompletedProcess[str], what: str, *, allow_stdout: bool = False
) -> str:
    """A failure as the CLI promises it: exit code 1 (not a signal), exactly one line on stderr
    starting with `error:`, no traceback or crash report. Returns that line."""
    assert proc.returncode == 1, (
        f"{what}: expected exit code 1, got {proc.returncode}; stderr: {proc.stderr!r}"
    )
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, (
        f"{what}: expected one line on stderr, got {len(lines)}: {proc.stderr!r}"
    )
    line = lines[0]
    assert line.startswith("error:"), f"{what}: stderr does not start with 'error:': {line!r}"
    for marker in ("Fatal error", "Stack trace", "Traceback", "Backtrace", "Illegal instruction"):
        assert marker not in line, f"{what}: crash report on stderr: {line!r}"
    if not allow_stdout:
        assert proc.stdout == "", f"{what}: failed but printed to stdout: {proc.stdout[:200]!r}"
    return line


# ---------------------------------------------------------------------------
# Pairwise covering design
# ---------------------------------------------------------------------------
def pairwise(
    factors: Mapping[str, Sequence[Any]],
    valid: Callable[[Mapping[str, Any]], bool] = lambda _: True,
) -> list[dict[str, Any]]:
    """A deterministic set of rows (one value per factor) in which every valid pair of values of
    two factors occurs at least once (greedy, AETG-style). `valid` judges partial rows, so the
    constraints it expresses must involve at most two factors."""
    names = list(factors)
    uncovered: set[tuple[str, Any, str, Any]] = set()
    for a, b in itertools.combinations(names, 2):
        for x, y in itertools.product(factors[a], factors[b]):
            if valid({a: x, b: y}):
                uncovered.add((a, x, b, y))

    def gain(row: Mapping[str, Any], name: str, value: Any) -> int:
        n = 0
        for other, v in row.items():
            i, j = names.index(other), names.index(name)
            key = (other, v, name, value) if i < j else (name, value, other, v)
            n += key in uncovered
        return n

    rows: list[dict[str, Any]] = []
    usage: dict[tuple[str, Any], int] = {}
    while uncovered:
        a, x, b, y = min(uncovered, key=lambda k: (names.index(k[0]), names.index(k[2]), repr(k)))
        row: dict[str, Any] = {a: x, b: y}
        for name in names:
            if name in row:
                continue
            options = [v for v in factors[name] if valid({**row, name: v})]
            # most new pairs first; on a tie, the value used least so far (fillers vary)
            row[name] = max(options, key=lambda v: (gain(row, name, v), -usage.get((name, v), 0)))
        ordered = {name: row[name] for name in names}
        for name, value in ordered.items():
            usage[name, value] = usage.get((name, value), 0) + 1
        for p, q in itertools.combinations(names, 2):
            uncovered.discard((p, ordered[p], q, ordered[q]))
        rows.append(ordered)
    return rows


# ---------------------------------------------------------------------------
# Writer options
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PyarrowOptions:
    """How pyarrow writes the input file."""

    compression: str = "snappy"
    dictionary: str = "on"  # on | off | fallback (tiny dictionary_pagesize_limit)
    data_page_version: str = "1.0"
    row_group_size: int | None = None
    data_page_size: int | None = None
    store_schema: bool = True
    compliant_nested: bool = True
    version: str = "2.6"
    encoding: str = "default"  # default | delta | split (per leaf, through column_encoding)
    page_checksum: bool = False

    @property
    def id(self) -> str:
        parts = [
            self.compression,
            f"dict-{self.dictionary}",
            f"v{self.data_page_version}",
            f"rg{self.row_group_size or 'all'}",
            f"page{self.data_page_size or 'dflt'}",
            "schema" if self.store_schema else "noschema",
            "compliant" if self.compliant_nested else "legacy",
            f"fmt{self.version}",
            f"enc-{self.encoding}",
        ]
        if self.page_checksum:
            parts.append("crc")
        return "pa:" + "/".join(parts)

    def representable(self, table: pa.Table) -> pa.Table:
        """`table` as these options can store it: format 1.0 has no nanosecond timestamps, so
        pyarrow writes microseconds (and refuses to truncate): ns values are floored to µs."""
        if self.version != "1.0":
            return table
        columns = []
        for f, column in zip(table.schema, table.columns, strict=True):
            if pa.types.is_timestamp(f.type) and f.type.unit == "ns":
                ints = column.cast(pa.int64()).to_pylist()
                floored = [None if v is None else v - v % 1000 for v in ints]
                columns.append(pa.array(floored, pa.int64()).cast(f.type))
            else:
                columns.append(column)
        return pa.Table.from_arrays(columns, schema=table.schema)

    def write(self, table: pa.Table, path: Path) -> None:
        kwargs: dict[str, Any] = {
            "compression": self.compression,
            "use_dictionary": self.dictionary != "off",
            "data_page_version": self.data_page_version,
            "store_schema": self.store_schema,
            "use_compliant_nested_type": self.compliant_nested,
            "version": self.version,
            "write_page_checksum": self.page_checksum,
            "allow_truncated_timestamps": True,
        }
        if self.row_group_size is not None:
            kwargs["row_group_size"] = self.row_group_size
        if self.data_page_size is not None:
            kwargs["data_page_size"] = self.data_page_size
        if self.dictionary == "fallback":
            kwargs["dictionary_pagesize_limit"] = 64
        if self.encoding != "default":
            encodings = leaf_encodings(table, self.encoding, self.compliant_nested)
            if encodings:
                kwargs["column_encoding"] = encodings
        pq.write_table(table, path, **kwargs)


_LEAF_ENCODINGS = {
    "delta": {
        "INT32": "DELTA_BINARY_PACKED",
        "INT64": "DELTA_BINARY_PACKED",
        "BYTE_ARRAY": "DELTA_LENGTH_BYTE_ARRAY",
        "FIXED_LEN_BYTE_ARRAY": "DELTA_BYTE_ARRAY",
        "FLOAT": "BYTE_STREAM_SPLIT",
        "DOUBLE": "BYTE_STREAM_SPLIT",
    },
    "split": {
        "INT32": "BYTE_STREAM_SPLIT",
        "INT64": "BYTE_STREAM_SPLIT",
        "BYTE_ARRAY": "DELTA_BYTE_ARRAY",
        "FIXED_LEN_BYTE_ARRAY": "BYTE_STREAM_SPLIT",
        "FLOAT": "BYTE_STREAM_SPLIT",
        "DOUBLE": "BYTE_STREAM_SPLIT",
    },
}


def leaf_encodings(table: pa.Table, mode: str, compliant_nested: bool) -> dict[str, str]:
    """`column_encoding` for every leaf whose physical type has a non-default encoding in
    `mode`, found by writing the schema once (leaf paths depend on the nested-type layout)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table.slice(0, 0), sink, use_compliant_nested_type=compliant_nested)
    schema = pq.ParquetFile(pa.BufferReader(sink.getvalue())).schema
    out: dict[str, str] = {}
    for i in range(len(schema)):
        column = schema.column(i)
        encoding = _LEAF_ENCODINGS[mode].get(column.physical_type)
        if encoding is not None and str(column.logical_type) not in ("Null", "Float16"):
            out[column.path] = encoding
    return out


@dataclass(frozen=True)
class OurOptions:
    """The options of `archetype parquet convert`."""

    codec: str = "snappy"
    dictionary: bool = True
    page_version: int = 1
    row_group_size: int | None = None
    page_size: int | None = None

    @property
    def args(self) -> list[str]:
        out = ["--codec", self.codec, "--dictionary", "on" if self.dictionary else "off"]
        out += ["--page-version", str(self.page_version)]
        if self.row_group_size is not None:
            out += ["--row-group-size", str(self.row_group_size)]
        if self.page_size is not None:
            out += ["--page-size", str(self.page_size)]
        return out

    @property
    def codec_id(self) -> int:
        """The Parquet codec id the footer must carry."""
        name = self.codec.split(":")[0]
        return {"none": 0, "snappy": 1, "gzip": 2, "zstd": 6, "lz4_raw": 7}[name]

    @property
    def id(self) -> str:
        parts = [
            self.codec,
            "dict" if self.dictionary else "plain",
            f"v{self.page_version}",
            f"rg{self.row_group_size or 'dflt'}",
            f"page{self.page_size or 'dflt'}",
        ]
        return "ours:" + "/".join(parts)


@dataclass(frozen=True)
class Scenario:
    """One row of the covering design: how pyarrow writes, how we rewrite."""

    pa_options: PyarrowOptions
    ours: OurOptions

    @property
    def id(self) -> str:
        return f"{self.pa_options.id}+{self.ours.id}"


PA_FACTORS: dict[str, Sequence[Any]] = {
    "compression": ("none", "snappy", "gzip", "zstd", "lz4"),
    "dictionary": ("on", "off", "fallback"),
    "data_page_version": ("1.0", "2.0"),
    "row_group_size": (None, 40),
    "data_page_size": (None, 64),
    "store_schema": (True, False),
    "compliant_nested": (True, False),
    "version": ("2.6", "1.0"),
    "encoding": ("default", "delta", "split"),
    "page_checksum": (False, True),
}
OUR_FACTORS: dict[str, Sequence[Any]] = {
    "codec": ("none", "snappy", "gzip", "gzip:9", "zstd", "zstd:9", "lz4_raw"),
    "dictionary": (True, False),
    "page_version": (1, 2),
    "row_group_size": (None, 64, 7),
    "page_size": (None, 300, 1),
}


def _valid_scenario(row: Mapping[str, Any]) -> bool:
    # pyarrow: column_encoding only without dictionary encoding
    return not (
        row.get("pa.encoding", "default") != "default" and row.get("pa.dictionary") != "off"
    )


def scenarios() -> list[Scenario]:
    """A pairwise covering of pyarrow's options × ours: every pair of option values (within
    pyarrow's, within ours, and across) occurs in some scenario."""
    factors = {f"pa.{k}": v for k, v in PA_FACTORS.items()}
    factors |= {f"ours.{k}": v for k, v in OUR_FACTORS.items()}
    out = []
    for row in pairwise(factors, _valid_scenario):
        pa_kwargs = {k[3:]: v for k, v in row.items() if k.startswith("pa.")}
        our_kwargs = {k[5:]: v for k, v in row.items() if k.startswith("ours.")}
        out.append(Scenario(PyarrowOptions(**pa_kwargs), OurOptions(**our_kwargs)))
    return out


# ---------------------------------------------------------------------------
# Types and values
# ---------------------------------------------------------------------------
def _meta(name: str) -> dict[bytes, bytes]:
    return {b"origin": name.encode(), b"note": "ünï\x00code".encode()}


#: The matrix of Arrow types, by a readable id.
MATRIX_TYPES: dict[str, pa.DataType] = {
    "bool": pa.bool_(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "uint8": pa.uint8(),
    "uint16": pa.uint16(),
    "uint32": pa.uint32(),
    "uint64": pa.uint64(),
    "float16": pa.float16(),
    "float32": pa.float32(),
    "float64": pa.float64(),
    "utf8": pa.string(),
    "large_utf8": pa.large_string(),
    "binary": pa.binary(),
    "large_binary": pa.large_binary(),
    "fixed_size_binary": pa.binary(5),
    "date32": pa.date32(),
    "date64": pa.date64(),
    "time32_s": pa.time32("s"),
    "time32_ms": pa.time32("ms"),
    "time64_us": pa.time64("us"),
    "time64_ns": pa.time64("ns"),
    **{f"timestamp_{u}": pa.timestamp(u) for u in ("s", "ms", "us", "ns")},
    **{f"timestamp_{u}_utc": pa.timestamp(u, tz="UTC") for u in ("s", "ms", "us", "ns")},
    "timestamp_us_berlin": pa.timestamp("us", tz="Europe/Berlin"),
    "duration_s": pa.duration("s"),
    "duration_ns": pa.duration("ns"),
    "decimal128_9_2": pa.decimal128(9, 2),
    "decimal128_38_10": pa.decimal128(38, 10),
    "null": pa.null(),
    "list_int64": pa.list_(pa.int64()),
    "list_required_items": pa.list_(pa.field("element", pa.float64(), nullable=False)),
    "large_list_utf8": pa.large_list(pa.string()),
    "fixed_size_list_int32": pa.list_(pa.int32(), 3),
    "struct": pa.struct(
        [
            pa.field("a", pa.int32(), metadata=_meta("struct.a")),
            pa.field("b", pa.string()),
            pa.field("c", pa.float64(), nullable=False),
        ]
    ),
    "map_utf8_int64": pa.map_(pa.string(), pa.int64()),
    "list_struct": pa.list_(pa.struct([("k", pa.string()), ("v", pa.float64())])),
    "struct_list": pa.struct([("id", pa.int64()), ("tags", pa.list_(pa.string()))]),
    "list_list": pa.list_(pa.list_(pa.int16())),
    "dictionary_int32_utf8": pa.dictionary(pa.int32(), pa.string()),
}

#: Types without a non-nullable variant (a REQUIRED column cannot hold the null type's nulls).
NULLABLE_ONLY = frozenset({"null"})

#: The core type set of store.md §9.2, for the random (hypothesis) tables.
CORE_TYPES: dict[str, pa.DataType] = {
    k: MATRIX_TYPES[k]
    for k in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float32",
        "float64",
        "utf8",
        "binary",
        "date32",
        "timestamp_us",
        "timestamp_us_utc",
        "list_int64",
        "struct",
    )
}

_DAY_MS = 86_400_000
_FLOAT_EDGES = (math.nan, -0.0, 0.0, math.inf, -math.inf, 5e-324, 1.5, -2.25)
_STRING_EDGES = ("", "é漢字🙂", "a", "with\nnewline", "\x00nul", "zzz")
_BINARY_EDGES = (b"", b"\x00", b"\xff\xfe", b"\x00" * 7)


def _int_range(typ: pa.DataType) -> tuple[int, int]:
    width = typ.bit_width
    if pa.types.is_signed_integer(typ):
        return -(2 ** (width - 1)), 2 ** (width - 1) - 1
    return 0, 2**width - 1


_TEMPORAL_RANGE: dict[str, tuple[int, int]] = {
    # timestamps: years ~1700–2250 in every unit (inside the int64-nanosecond range)
    "s": (-8_500_000_000, 8_500_000_000),
    "ms": (-8_500_000_000_000, 8_500_000_000_000),
    "us": (-8_500_000_000_000_000, 8_500_000_000_000_000),
    "ns": (-8_500_000_000_000_000_000, 8_500_000_000_000_000_000),
}


def _scalar(typ: pa.DataType, rng: random.Random, i: int) -> Any:
    """Value `i` of a column: the first values are the type's edge cases, then random ones."""
    if pa.types.is_boolean(typ):
        return (True, False)[i] if i < 2 else rng.random() < 0.5
    if pa.types.is_integer(typ):
        lo, hi = _int_range(typ)
        edges = (lo, hi, 0, 1) if lo == 0 else (lo, hi, 0, -1, 1)
        return edges[i] if i < len(edges) else rng.randint(lo, hi)
    if pa.types.is_floating(typ):
        if i < len(_FLOAT_EDGES):
            return _FLOAT_EDGES[i]
        scale = 6e4 if pa.types.is_float16(typ) else 1e6
        return rng.choice((rng.uniform(-scale, scale), float(rng.randint(-100, 100)) / 8))
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        if i < len(_STRING_EDGES):
            return _STRING_EDGES[i]
        return "".join(rng.choice("abcxyzé漢🙂 ") for _ in range(rng.randint(0, 12)))
    if pa.types.is_fixed_size_binary(typ):
        w = typ.byte_width
        edges = (b"\x00" * w, b"\xff" * w, b"\x7f" + b"\x80" * (w - 1))
        return edges[i] if i < len(edges) else rng.randbytes(w)
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ):
        if i < len(_BINARY_EDGES):
            return _BINARY_EDGES[i]
        return rng.randbytes(rng.randint(0, 16))
    if pa.types.is_date32(typ):
        edges = (0, -1, 2_932_896, -719_162)  # 1970-01-01, 1969-12-31, 9999-12-31, 0001-01-01
        return edges[i] if i < len(edges) else rng.randint(-100_000, 100_000)
    if pa.types.is_date64(typ):
        return (0, -_DAY_MS)[i] if i < 2 else rng.randint(-100_000, 100_000) * _DAY_MS
    if pa.types.is_time32(typ) or pa.types.is_time64(typ):
        per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
        limit = per_day[typ.unit]
        return (0, limit - 1)[i] if i < 2 else rng.randrange(limit)
    if pa.types.is_timestamp(typ):
        lo, hi = _TEMPORAL_RANGE[typ.unit]
        return (0, -1, lo, hi)[i] if i < 4 else rng.randint(lo, hi)
    if pa.types.is_duration(typ):
        lo, hi = -(2**63), 2**63 - 1
        return (0, -1, lo, hi)[i] if i < 4 else rng.randint(lo, hi)
    if pa.types.is_decimal(typ):
        top = 10**typ.precision - 1
        unscaled = (0, top, -top, 1, -1)[i] if i < 5 else rng.randint(-top, top)
        return decimal.Decimal(unscaled).scaleb(-typ.scale, decimal.Context(prec=80))
    raise NotImplementedError(f"no generator for {typ}")


def py_values(typ: pa.DataType, n: int, rng: random.Random, null_p: float) -> list[Any]:
    """`n` Python values of `typ` (pa.array input), about `null_p` of them null; the first rows
    hold the edge cases: NaN, -0.0, empty strings, empty lists, nulls inside nested values."""

    def nullify(values: list[Any]) -> list[Any]:
        if null_p <= 0:
            return values
        # row 1 is null, so every nullable column has a null early on
        return [None if i == 1 or rng.random() < null_p else v for i, v in enumerate(values)]

    if pa.types.is_null(typ):
        return [None] * n
    if pa.types.is_dictionary(typ):
        words = ["", "alpha", "beta", "gamma", "δέλτα"]
        return nullify([words[i % len(words)] if i < 5 else rng.choice(words) for i in range(n)])
    if pa.types.is_struct(typ):
        columns = [py_values(f.type, n, rng, null_p if f.nullable else 0.0) for f in typ]
        names = [f.name for f in typ]
        return nullify([dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)])
    if pa.types.is_map(typ):
        lengths = [0 if i == 0 else rng.randint(0, 3) for i in range(n)]
        items = py_values(typ.item_type, sum(lengths), rng, 0.25)
        rows, k = [], 0
        for length in lengths:
            rows.append([(f"k{j}", items[k + j]) for j in range(length)])
            k += length
        return nullify(rows)
    if pa.types.is_fixed_size_list(typ):
        # no null lists: pyarrow 26 cannot read back a fixed_size_list column with null entries,
        # not even from its own file ("Expected all lists to be of size=3 but index 2 had
        # size=0"); nulls stay in the children
        size = typ.list_size
        vf = typ.value_field
        flat = py_values(vf.type, n * size, rng, 0.25 if vf.nullable else 0.0)
        return [flat[i * size : (i + 1) * size] for i in range(n)]
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        lengths = [0 if i == 0 else rng.randint(0, 4) for i in range(n)]
        vf = typ.value_field
        flat = py_values(vf.type, sum(lengths), rng, 0.25 if vf.nullable else 0.0)
        rows, k = [], 0
        for length in lengths:
            rows.append(flat[k : k + length])
            k += length
        return nullify(rows)
    return nullify([_scalar(typ, rng, i) for i in range(n)])


def make_array(typ: pa.DataType, values: list[Any]) -> pa.Array:
    if pa.types.is_float16(typ):
        mask = np.array([v is None for v in values], dtype=bool)
        data = np.array([0.0 if v is None else v for v in values], dtype=np.float16)
        return pa.array(data, type=typ, mask=mask)
    return pa.array(values, type=typ)


def matrix_table(
    type_ids: Sequence[str],
    n: int,
    seed: int,
    *,
    null_p: float = 0.2,
    required: bool = True,
) -> pa.Table:
    """A table with a nullable column per type id (with nulls) and, if `required`, a
    non-nullable one (`<id>_req`, no top-level nulls); field and schema metadata set."""
    rng = random.Random(seed)
    fields: list[pa.Field] = []
    arrays: list[pa.Array] = []
    for type_id in type_ids:
        typ = MATRIX_TYPES[type_id]
        fields.append(pa.field(type_id, typ, nullable=True, metadata=_meta(type_id)))
        arrays.append(make_array(typ, py_values(typ, n, rng, null_p)))
        if required and type_id not in NULLABLE_ONLY:
            name = f"{type_id}_req"
            fields.append(pa.field(name, typ, nullable=False, metadata=_meta(name)))
            arrays.append(make_array(typ, py_values(typ, n, rng, 0.0)))
    schema = pa.schema(fields, metadata={b"archetype:test": b"parquet matrix", b"seed": str(seed)})
    return pa.Table.from_arrays(arrays, schema=schema)


def without_dictionaries(table: pa.Table) -> pa.Table:
    """The table as our reader must return it: dictionary<…, utf8> columns as their value type
    (store.md §11.3), names, nullability and metadata kept."""
    fields, columns = [], []
    for f, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_dictionary(f.type):
            fields.append(pa.field(f.name, f.type.value_type, f.nullable, f.metadata))
            columns.append(column.cast(f.type.value_type))
        else:
            fields.append(f)
            columns.append(column)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields, metadata=table.schema.metadata))


def contains_type(typ: pa.DataType, predicate: Callable[[pa.DataType], bool]) -> bool:
    """Whether `typ` or any type nested in it satisfies `predicate`."""
    if predicate(typ):
        return True
    if pa.types.is_dictionary(typ):
        return contains_type(typ.value_type, predicate)
    return any(contains_type(typ.field(i).type, predicate) for i in range(typ.num_fields))


def canonical_map_names(schema: pa.Schema) -> pa.Schema:
    """`schema` with every map's entries field named `entries`, the Arrow format's name. pyarrow,
    inferring a map from a Parquet schema without `ARROW:schema`, names it after the map column
    instead; our reader uses the Arrow name (field names inside a map are not data)."""

    def fix(typ: pa.DataType) -> pa.DataType:
        if pa.types.is_map(typ):
            key, item = typ.key_field, typ.item_field
            return pa.map_(
                key.with_type(fix(key.type)), item.with_type(fix(item.type)), typ.keys_sorted
            )
        if pa.types.is_struct(typ):
            return pa.struct([f.with_type(fix(f.type)) for f in typ])
        if pa.types.is_large_list(typ):
            return pa.large_list(typ.value_field.with_type(fix(typ.value_type)))
        if pa.types.is_fixed_size_list(typ):
            return pa.list_(typ.value_field.with_type(fix(typ.value_type)), typ.list_size)
        if pa.types.is_list(typ):
            return pa.list_(typ.value_field.with_type(fix(typ.value_type)))
        return typ

    return pa.schema([f.with_type(fix(f.type)) for f in schema], metadata=schema.metadata)


def pyarrow_roundtrip(table: pa.Table) -> pa.Table:
    """What pyarrow reads back from its own file of `table` (default options)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return pq.read_table(pa.BufferReader(sink.getvalue()))


def stored_arrow_schema(path: Path) -> pa.Schema:
    """The Arrow schema in a file's `ARROW:schema` key (base64 IPC message, store.md §9.5)."""
    metadata = pq.ParquetFile(path).metadata.metadata or {}
    assert b"ARROW:schema" in metadata, f"{path}: no ARROW:schema key"
    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(metadata[b"ARROW:schema"])))


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Float:
    """A float compared by value and sign (-0.0 ≠ 0.0), with all NaNs equal."""

    value: float

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Float):
            return NotImplemented
        a, b = self.value, other.value
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return repr(self.value)


def canonical(value: Any) -> Any:
    """A Python value (from to_pylist) with floats made sign- and NaN-aware."""
    if isinstance(value, (float, np.floating)):
        return _Float(float(value))
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(canonical(v) for v in value)
    return value


def _contains_nan(value: Any) -> bool:
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_contains_nan(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_nan(v) for v in value)
    return False


def storage_type(typ: pa.DataType) -> pa.DataType:
    """`typ` with every temporal type (at any depth) replaced by its integer storage, so that
    values compare as stored (Python's datetime has neither nanoseconds nor the full range)."""
    if pa.types.is_date32(typ) or pa.types.is_time32(typ):
        return pa.int32()
    if pa.types.is_temporal(typ) and not pa.types.is_interval(typ):
        return pa.int64()
    if pa.types.is_dictionary(typ):
        return storage_type(typ.value_type)
    if pa.types.is_struct(typ):
        return pa.struct([f.with_type(storage_type(f.type)) for f in typ])
    if pa.types.is_map(typ):
        key, item = typ.key_field, typ.item_field
        return pa.map_(
            key.with_type(storage_type(key.type)), item.with_type(storage_type(item.type))
        )
    if pa.types.is_fixed_size_list(typ):
        return pa.list_(typ.value_field.with_type(storage_type(typ.value_type)), typ.list_size)
    if pa.types.is_large_list(typ):
        return pa.large_list(typ.value_field.with_type(storage_type(typ.value_type)))
    if pa.types.is_list(typ):
        return pa.list_(typ.value_field.with_type(storage_type(typ.value_type)))
    return typ


def plain_values(column: pa.ChunkedArray | pa.Array) -> list[Any]:
    """Python values of a column, temporal ones as their stored integers."""
    target = storage_type(column.type)
    if target != column.type:
        column = column.cast(target)
    return column.to_pylist()


def assert_same_values(
    actual: pa.ChunkedArray | pa.Array, expected: pa.ChunkedArray | pa.Array, what: str
) -> None:
    a, e = plain_values(actual), plain_values(expected)
    assert len(a) == len(e), f"{what}: {len(a)} values, expected {len(e)}"
    for i, (x, y) in enumerate(zip(a, e, strict=True)):
        if canonical(x) != canonical(y):
            pytest.fail(f"{what}: row {i}: got {x!r}, expected {y!r}", pytrace=False)


def _field_text(f: pa.Field) -> str:
    return pa.schema([f]).to_string(show_schema_metadata=False).replace("\n", " | ")


def schema_diff(actual: pa.Schema, expected: pa.Schema) -> str:
    """The fields (with children and field metadata) and schema metadata that differ."""
    lines = []
    if actual.names != expected.names:
        lines.append(f"names {actual.names} != expected {expected.names}")
    for f in actual:
        if f.name in expected.names:
            e = expected.field(f.name)
            if not f.equals(e, check_metadata=True):
                lines.append(f"got      {_field_text(f)}\nexpected {_field_text(e)}")
    if (actual.metadata or {}) != (expected.metadata or {}):
        lines.append(f"schema metadata {actual.metadata} != expected {expected.metadata}")
    return "\n".join(lines)


def assert_tables_equal(actual: pa.Table, expected: pa.Table, context: str = "") -> None:
    """`actual.equals(expected)` with schema and field metadata; where NaNs make `.equals` false
    (NaN ≠ NaN), the values must still agree row by row, NaN matching NaN and -0.0 only -0.0."""
    prefix = f"{context}: " if context else ""
    assert actual.schema.equals(expected.schema, check_metadata=True), (
        f"{prefix}schema differs:\n{schema_diff(actual.schema, expected.schema)}"
    )
    assert actual.num_rows == expected.num_rows, (
        f"{prefix}{actual.num_rows} rows, expected {expected.num_rows}"
    )
    identical = actual.equals(expected, check_metadata=True)
    for name in expected.column_names:
        assert_same_values(actual.column(name), expected.column(name), f"{prefix}column {name!r}")
    if not identical:
        assert any(_contains_nan(plain_values(c)) for c in expected.columns), (
            f"{prefix}Table.equals is false although no value contains NaN"
        )


# ---------------------------------------------------------------------------
# Raw footer and page headers
# ---------------------------------------------------------------------------
class _Compact:
    """Just enough of the Thrift compact protocol to walk a footer and page headers."""

    def __init__(self, buf: bytes, pos: int) -> None:
        self.buf, self.pos = buf, pos

    def byte(self) -> int:
        b = self.buf[self.pos]
        self.pos += 1
        return b

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, ftype: int) -> Any:
        if ftype in (1, 2):
            return ftype == 1
        if ftype == 3:
            return struct.unpack("b", bytes([self.byte()]))[0]
        if ftype in (4, 5, 6):
            return self.zigzag()
        if ftype == 7:
            self.pos += 8
            return None
        if ftype == 8:
            n = self.varint()
            self.pos += n
            return self.buf[self.pos - n : self.pos]
        if ftype in (9, 10):
            head = self.byte()
            size, etype = head >> 4, head & 0x0F
            if size == 15:
                size = self.varint()
            if etype in (1, 2):
                return [self.byte() == 1 for _ in range(size)]
            return [self.value(etype) for _ in range(size)]
        if ftype == 11:
            size = self.varint()
            if size:
                kv = self.byte()
                for _ in range(size):
                    self.value(kv >> 4)
                    self.value(kv & 0x0F)
            return None
        if ftype == 12:
            return self.struct()
        raise ValueError(f"invalid compact type {ftype}")

    def struct(self) -> dict[int, Any]:
        fields: dict[int, Any] = {}
        last = 0
        while True:
            head = self.byte()
            if head == 0:
                return fields
            delta, ftype = head >> 4, head & 0x0F
            fid = last + delta if delta else self.zigzag()
            fields[fid] = self.value(ftype)
            last = fid


PAGE_TYPES = {0: "DATA_PAGE", 1: "INDEX_PAGE", 2: "DICTIONARY_PAGE", 3: "DATA_PAGE_V2"}


@dataclass
class RawChunk:
    row_group: int
    path: str
    codec: int
    encodings: list[int]
    page_types: list[str] = field(default_factory=list)


def raw_chunks(path: Path) -> Iterator[RawChunk]:
    """Every column chunk of the file with its raw codec id and the types of its pages."""
    buf = path.read_bytes()
    assert buf[:4] == b"PAR1" and buf[-4:] == b"PAR1", f"{path}: magic missing"
    footer_len = int.from_bytes(buf[-8:-4], "little")
    meta = _Compact(buf, len(buf) - 8 - footer_len).struct()
    for g, row_group in enumerate(meta.get(4) or []):
        for chunk in row_group.get(1) or []:
            cm = chunk[3]
            out = RawChunk(g, ".".join(p.decode() for p in cm[3]), cm[4], list(cm[2]))
            start = min(o for o in (cm.get(9), cm.get(11)) if o is not None and o >= 4)
            end, pos = start + cm[7], start
            while pos < end:
                reader = _Compact(buf, pos)
                header = reader.struct()
                out.page_types.append(PAGE_TYPES.get(header[1], f"UNKNOWN({header[1]})"))
                pos = reader.pos + header[3]
            assert pos == end, f"{path}: pages of {out.path} end at {pos}, chunk ends at {end}"
            yield out


# ---------------------------------------------------------------------------
# Figures (as the parquet-testing manifest defines them)
# ---------------------------------------------------------------------------
def _json_float(x: float | None) -> Any:
    if x is None:
        return None
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def summarize(arr: pa.Array | pa.ChunkedArray) -> dict[str, Any]:
    """The manifest's per-column summary (parquet-testing README, "Column summary")."""
    import hashlib

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    out: dict[str, Any] = {"type": str(arr.type), "null_count": arr.null_count}
    if isinstance(arr.type, pa.ExtensionType):
        arr = arr.storage
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    t = arr.type
    if pa.types.is_null(t):
        return out
    if pa.types.is_boolean(t):
        vals = arr.to_pylist()
        out["true_count"] = sum(1 for v in vals if v is True)
        out["false_count"] = sum(1 for v in vals if v is False)
        return out
    if pa.types.is_integer(t):
        ints = [v for v in arr.to_pylist() if v is not None]
        total = sum(ints)
        out |= {"sum": float(total), "sum_exact": str(total)}
        out |= {"min": min(ints) if ints else None, "max": max(ints) if ints else None}
        return out
    if pa.types.is_floating(t):
        if pa.types.is_float16(t):
            arr = arr.cast(pa.float32())
        floats = [float(v) for v in arr.to_pylist() if v is not None]
        acc = 0.0
        for v in floats:
            acc += v
        finite = [v for v in floats if not math.isnan(v)]
        out |= {"sum": _json_float(acc), "nan_count": len(floats) - len(finite)}
        out |= {
            "min": _json_float(min(finite)) if finite else None,
            "max": _json_float(max(finite)) if finite else None,
        }
        return out
    if pa.types.is_decimal(t):
        decs = [v for v in arr.to_pylist() if v is not None]
        with decimal.localcontext() as ctx:
            ctx.prec = 400
            dtotal = sum(decs, decimal.Decimal(0))
        out |= {"sum": float(dtotal), "sum_exact": str(dtotal)}
        out |= {"min": str(min(decs)) if decs else None, "max": str(max(decs)) if decs else None}
        return out
    if pa.types.is_temporal(t):
        if pa.types.is_interval(t):
            return out
        storage = pa.int32() if pa.types.is_date32(t) or pa.types.is_time32(t) else pa.int64()
        ints = [v for v in arr.view(storage).to_pylist() if v is not None]
        total = sum(ints)
        out |= {"sum": float(total), "sum_exact": str(total)}
        out |= {"min": min(ints) if ints else None, "max": max(ints) if ints else None}
        return out
    if (
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_binary(t)
        or pa.types.is_large_binary(t)
        or pa.types.is_fixed_size_binary(t)
    ):
        raw = [
            v.encode() if isinstance(v, str) else bytes(v) for v in arr.to_pylist() if v is not None
        ]
        out["distinct_count"] = len(set(raw))
        out["total_bytes"] = sum(len(v) for v in raw)
        out["sha256"] = hashlib.sha256(b"\n".join(raw)).hexdigest()
        return out
    if pa.types.is_map(t):
        out["value_count"] = len(arr.keys)
        out["children"] = {
            t.key_field.name: summarize(arr.keys),
            t.item_field.name: summarize(arr.items),
        }
        return out
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        flat = arr.flatten()
        out["value_count"] = len(flat)
        out["children"] = {t.value_field.name: summarize(flat)}
        return out
    if pa.types.is_struct(t):
        children: dict[str, Any] = {}
        for i, child in enumerate(arr.flatten()):
            name = t.field(i).name
            children[name if name not in children else f"{name}#{i}"] = summarize(child)
        out["children"] = children
        return out
    out["summary"] = "not summarised for this type"
    return out


# ---------------------------------------------------------------------------
# `archetype parquet cat --format jsonl`, as the CLI documents it
# ---------------------------------------------------------------------------
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _iso_date(days: int) -> str:
    """Proleptic Gregorian date of a day count since 1970-01-01, for any year (the years
    Python's datetime cannot hold included); the year has at least four digits."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    sign = "-" if year < 0 else ""
    return f"{sign}{abs(year):04d}-{month:02d}-{day:02d}"


def _iso_clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _fraction(value: int, unit: str) -> str:
    digits = {"s": 0, "ms": 3, "us": 6, "ns": 9}[unit]
    return f".{value:0{digits}d}" if digits else ""


def _iso_timestamp(value: int, unit: str, utc: bool) -> str:
    seconds, frac = divmod(value, _PER_SECOND[unit])
    days, rem = divmod(seconds, 86_400)
    text = f"{_iso_date(days)}T{_iso_clock(rem)}{_fraction(frac, unit)}"
    return text + "Z" if utc else text


def _json_number(value: float) -> Any:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def expected_json(value: Any, typ: pa.DataType) -> Any:
    """The JSON value `cat` prints for one value of `typ` (as `plain_values` gives it:
    temporal values as their stored integers)."""
    if value is None:
        return None
    if pa.types.is_dictionary(typ):
        return expected_json(value, typ.value_type)
    if pa.types.is_floating(typ):
        return _json_number(float(value))
    if (
        pa.types.is_binary(typ)
        or pa.types.is_large_binary(typ)
        or pa.types.is_fixed_size_binary(typ)
    ):
        return base64.b64encode(value).decode()
    if pa.types.is_date32(typ):
        return _iso_date(value)
    if pa.types.is_date64(typ):
        if value % 86_400_000 == 0:
            return _iso_date(value // 86_400_000)
        return _iso_timestamp(value, "ms", utc=False)
    if pa.types.is_time32(typ) or pa.types.is_time64(typ):
        seconds, frac = divmod(value, _PER_SECOND[typ.unit])
        return _iso_clock(seconds) + _fraction(frac, typ.unit)
    if pa.types.is_timestamp(typ):
        return _iso_timestamp(value, typ.unit, utc=typ.tz is not None)
    if pa.types.is_decimal(typ):
        return format(value, "f") if typ.scale >= 0 else str(int(value))
    if pa.types.is_map(typ):
        return [
            {"key": expected_json(k, typ.key_type), "value": expected_json(v, typ.item_type)}
            for k, v in value
        ]
    if pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_fixed_size_list(typ):
        return [expected_json(v, typ.value_type) for v in value]
    if pa.types.is_struct(typ):
        return {f.name: expected_json(value[f.name], f.type) for f in typ}
    return value  # bool, integers, duration (an integer), strings


def assert_json_value(got: Any, want: Any, typ: pa.DataType, what: str) -> None:
    """`got` (parsed from cat) against `want` (expected_json); floats must round-trip exactly
    in their own width, -0.0 included."""
    if want is None or got is None:
        assert got == want, f"{what}: got {got!r}, expected {want!r}"
        return
    if pa.types.is_dictionary(typ):
        assert_json_value(got, want, typ.value_type, what)
    elif pa.types.is_floating(typ) and not isinstance(want, str):
        assert isinstance(got, (int, float)) and not isinstance(got, bool), f"{what}: {got!r}"
        width = {16: np.float16, 32: np.float32, 64: np.float64}[typ.bit_width]
        g, w = width(got), width(want)
        same_sign = math.copysign(1, float(g)) == math.copysign(1, float(w))
        assert g == w and same_sign, f"{what}: got {got!r}, expected {want!r}"
    elif pa.types.is_map(typ):
        assert isinstance(got, list) and len(got) == len(want), f"{what}: {got!r} vs {want!r}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert list(g) == ["key", "value"], f"{what}[{i}]: keys {list(g)}"
            assert_json_value(g["key"], w["key"], typ.key_type, f"{what}[{i}].key")
            assert_json_value(g["value"], w["value"], typ.item_type, f"{what}[{i}].value")
    elif pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_fixed_size_list(typ):
        assert isinstance(got, list) and len(got) == len(want), f"{what}: {got!r} vs {want!r}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_json_value(g, w, typ.value_type, f"{what}[{i}]")
    elif pa.types.is_struct(typ):
        assert isinstance(got, dict) and list(got) == list(want), f"{what}: {got!r} vs {want!r}"
        for f in typ:
            assert_json_value(got[f.name], want[f.name], f.type, f"{what}.{f.name}")
    else:
        assert got == want and type(got) is type(want), f"{what}: got {got!r}, expected {want!r}"


def check_cat_jsonl(stdout: str, table: pa.Table, what: str) -> None:
    """Every line of `cat --format jsonl` output is one JSON object whose keys are the table's
    columns in order and whose values are the table's rows as the CLI documents them."""
    import json

    lines = stdout.splitlines()
    assert len(lines) == table.num_rows, f"{what}: {len(lines)} lines for {table.num_rows} rows"
    columns = {name: plain_values(table.column(name)) for name in table.column_names}
    for i, line in enumerate(lines):
        row = json.loads(line, object_pairs_hook=dict)
        assert isinstance(row, dict), f"{what}: line {i} is not an object: {line[:200]}"
        assert list(row) == table.column_names, f"{what}: line {i} keys {list(row)}"
        for f in table.schema:
            want = expected_json(columns[f.name][i], f.type)
            assert_json_value(row[f.name], want, f.type, f"{what}: row {i} column {f.name}")
