"""parquet-testing conformance through the CLI (issue 3, Acceptance 1): every file the manifest
of `../shared/parquet-testing` lists, each case in its own `archetype` subprocess.

- `expected == "match"`: `archetype parquet convert FILE OUT` succeeds, and pyarrow's reading of
  OUT equals its reading of FILE (read options as the manifest's: INT96 as microseconds) value
  for value, with the manifest's row count, row-group count, column names and per-column figures
  (null counts, sums, true/false counts, distinct counts, byte totals and SHA-256 of strings);
  the Arrow schema our reader made (the `ARROW:schema` of OUT) equals pyarrow's, metadata
  included; `archetype parquet cat FILE --limit 5` prints valid JSON lines with the right keys
  and values. Documented differences: INT96 is timestamp[ns] in our reader (store.md §11.3),
  compared after a cast; `skip_value_check` columns are compared by nulls and row count only.
  Files whose page CRCs are wrong (`readable_with_crc_check == false`) must be refused with a
  checksum error unless `--no-verify-checksums` is given.
- `expected == "error"`: `convert` and `cat` exit with code 1 and one `error:` line, no crash.

A file our reader does not support yet is an `xfail(strict=True, raises=CliError)`: it must
fail, and fail cleanly (a crash still fails the test).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import parquet_support as ps

ROOT = ps.REPO_ROOT.parent / "shared" / "parquet-testing"
MANIFEST = ROOT / "manifest.json"
READ_OPTIONS: dict[str, Any] = {"coerce_int96_timestamp_unit": "us"}

#: Files pyarrow reads that our reader refuses: file → reason (the CLI's error). Everything
#: that goes through `convert` or `cat` of such a file is xfail(strict=True, raises=CliError).
UNSUPPORTED: dict[str, str] = {}


def _entries() -> list[dict[str, Any]]:
    if not MANIFEST.is_file():
        return []
    entries: list[dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return entries


ENTRIES = _entries()
MISSING = pytest.mark.skip(reason=f"parquet-testing not found at {ROOT}")


def _params(expected: str) -> list[Any]:
    """One case per manifest entry with `expected`; the known gaps as strict xfails."""
    if not ENTRIES:
        return [pytest.param(None, id="no-corpus", marks=MISSING)]
    out = []
    for entry in ENTRIES:
        if entry["expected"] != expected:
            continue
        marks = []
        if entry["file"] in UNSUPPORTED:
            reason = UNSUPPORTED[entry["file"]]
            marks.append(pytest.mark.xfail(strict=True, raises=ps.CliError, reason=reason))
        out.append(pytest.param(entry, id=entry["file"], marks=marks))
    return out


@pytest.fixture(scope="module")
def cli() -> Path:
    return ps.require_cli()


def _path(entry: dict[str, Any]) -> Path:
    return ROOT / entry["file"]


def _int96_columns(entry: dict[str, Any]) -> set[str]:
    """Top-level columns stored as INT96."""
    leaves = (entry.get("parquet") or {}).get("leaf_columns") or []
    return {leaf["path"] for leaf in leaves if leaf["physical_type"] == "INT96"}


def _convert_options(entry: dict[str, Any]) -> list[str]:
    return ["--no-verify-checksums"] if entry["readable_with_crc_check"] is False else []


def _as_reference(ours: pa.Table, entry: dict[str, Any], reference: pa.Schema) -> pa.Table:
    """Our table with INT96 columns (timestamp[ns] in our reader) cast to pyarrow's unit."""
    columns = []
    for name in ours.column_names:
        column = ours.column(name)
        if name in _int96_columns(entry) and name not in entry.get("skip_value_check", []):
            column = column.cast(reference.field(name).type)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=ours.column_names)


def _figures(summary: dict[str, Any]) -> dict[str, Any]:
    """A manifest summary without its type string, children by position: child names are
    schema, checked by `test_reader_schema`, not figures."""
    out = {k: v for k, v in summary.items() if k not in ("type", "children")}
    if "children" in summary:
        out["children"] = [_figures(c) for c in summary["children"].values()]
    return out


@pytest.mark.parametrize("entry", _params("match"))
def test_convert_matches(cli: Path, tmp_path: Path, entry: dict[str, Any]) -> None:
    path, out = _path(entry), tmp_path / "ours.parquet"
    if entry["readable_with_crc_check"] is False:
        proc = ps.run_cli(cli, "parquet", "convert", path, tmp_path / "refused.parquet")
        line = ps.assert_clean_error(proc, "convert with CRC checks")
        assert "crc" in line.lower() or "checksum" in line.lower(), line
    ps.convert(cli, path, out, _convert_options(entry))

    reference = pq.read_table(path, **READ_OPTIONS)
    ours = pq.read_table(out)
    assert ours.num_rows == entry["num_rows"] == reference.num_rows
    assert ours.column_names == list(entry["columns"]) == reference.column_names

    groups = entry["parquet"]["row_groups"]
    non_empty = sum(1 for g in groups if g["num_rows"] > 0)
    assert pq.ParquetFile(out).metadata.num_row_groups == non_empty, "one of ours per input group"

    skip = set(entry.get("skip_value_check", []))
    for name in _int96_columns(entry):
        assert ours.schema.field(name).type == pa.timestamp("ns"), f"INT96 column {name}"
    ours = _as_reference(ours, entry, reference.schema)
    for name in ours.column_names:
        what = f"{entry['file']} column {name}"
        expected = entry["columns"][name]
        if name in skip:
            assert ours.column(name).null_count == expected["null_count"], what
            continue
        ps.assert_same_values(ours.column(name), reference.column(name), what)
        got = ps.summarize(ours.column(name))
        assert _figures(got) == _figures(expected), f"{what}: figures {got} != {expected}"


@pytest.mark.parametrize("entry", _params("match"))
def test_reader_schema(cli: Path, tmp_path: Path, entry: dict[str, Any]) -> None:
    """The Arrow schema our reader made of the file (what our writer stored as `ARROW:schema`)
    is pyarrow's, field metadata included; the schema metadata (the footer's other keys)
    reaches pyarrow through our file."""
    path, out = _path(entry), tmp_path / "ours.parquet"
    ps.convert(cli, path, out, _convert_options(entry))
    reference = pq.read_table(path, **READ_OPTIONS).schema
    fields = [
        f.with_type(pa.timestamp("ns")) if f.name in _int96_columns(entry) else f for f in reference
    ]
    want = ps.canonical_map_names(pa.schema(fields))
    stored = ps.stored_arrow_schema(out).remove_metadata()
    assert stored.equals(want, check_metadata=True), (
        f"{entry['file']}: our reader's schema differs:\n{ps.schema_diff(stored, want)}"
    )
    assert (pq.read_table(out).schema.metadata or {}) == (reference.metadata or {})


@pytest.mark.parametrize("entry", _params("match"))
def test_cat(cli: Path, entry: dict[str, Any]) -> None:
    """`cat FILE --limit 5 --format jsonl`: one JSON object per row, the file's columns as keys,
    values as pyarrow reads them (our reader's types: INT96 as timestamp[ns])."""
    path = _path(entry)
    proc = ps.run_cli(cli, "parquet", "cat", path, "--limit", "5", "--format", "jsonl")
    if proc.returncode != 0 and entry["readable_with_crc_check"] is False:
        line = ps.assert_clean_error(proc, "cat with CRC checks", allow_stdout=True)
        assert "crc" in line.lower() or "checksum" in line.lower(), line
        return
    if proc.returncode != 0:
        raise ps.CliError(f"cat: {ps.assert_clean_error(proc, 'cat', allow_stdout=True)}")
    assert proc.stderr == ""
    reference = pq.read_table(path, **READ_OPTIONS).slice(0, 5)
    skip = set(entry.get("skip_value_check", []))
    lines = proc.stdout.splitlines()
    assert len(lines) == reference.num_rows
    for line in lines:
        assert list(json.loads(line)) == reference.column_names
    checked = reference.drop_columns([n for n in reference.column_names if n in skip])
    for name in _int96_columns(entry) - skip:  # our reader's type: timestamp[ns]
        index = checked.column_names.index(name)
        column = checked.column(name).cast(pa.timestamp("ns"))
        checked = checked.set_column(index, pa.field(name, pa.timestamp("ns")), column)
    stripped = "\n".join(
        json.dumps({k: v for k, v in json.loads(line).items() if k not in skip}) for line in lines
    )
    ps.check_cat_jsonl(stripped, checked, f"{entry['file']} cat")


@pytest.mark.parametrize("entry", _params("match"))
def test_cat_projection(cli: Path, entry: dict[str, Any]) -> None:
    """`--columns` in reverse order: the chosen columns, each with its own values."""
    names = list(entry["columns"])[::-1][:3]
    if not names:
        pytest.skip("no columns")
    path = _path(entry)
    proc = ps.run_cli(cli, "parquet", "cat", path, "--columns", ",".join(names), "--limit", "3")
    if proc.returncode != 0 and entry["readable_with_crc_check"] is False:
        ps.assert_clean_error(proc, "cat with CRC checks", allow_stdout=True)
        return
    if proc.returncode != 0:
        raise ps.CliError(f"cat: {ps.assert_clean_error(proc, 'cat', allow_stdout=True)}")
    full = ps.run_cli(cli, "parquet", "cat", path, "--limit", "3")
    assert full.returncode == 0, full.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    whole = [json.loads(line) for line in full.stdout.splitlines()]
    assert len(rows) == len(whole) == min(3, entry["num_rows"])
    for row, complete in zip(rows, whole, strict=True):
        assert set(row) == set(names), f"keys {list(row)} for --columns {names}"
        assert {n: row[n] for n in names} == {n: complete[n] for n in names}


@pytest.mark.parametrize("entry", _params("error"))
def test_error_files(cli: Path, tmp_path: Path, entry: dict[str, Any]) -> None:
    """Files pyarrow cannot read: a clean one-line error from convert and cat, exit code 1."""
    path = _path(entry)
    proc = ps.run_cli(cli, "parquet", "convert", path, tmp_path / "out.parquet")
    ps.assert_clean_error(proc, f"convert {entry['file']}")
    assert not (tmp_path / "out.parquet").exists(), "a failed convert left an output file"
    proc = ps.run_cli(cli, "parquet", "cat", path, "--format", "jsonl")
    ps.assert_clean_error(proc, f"cat {entry['file']}", allow_stdout=True)


def test_manifest_matches_corpus() -> None:
    """The manifest describes the files that are there (a changed file would make the expected
    figures meaningless)."""
    import hashlib

    if not ENTRIES:
        pytest.skip(f"parquet-testing not found at {ROOT}")
    for entry in ENTRIES:
        path = _path(entry)
        assert path.is_file(), f"{entry['file']} listed but missing"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["file_sha256"], entry["file"]


def _damaged(data: bytes, seed: int) -> list[tuple[str, bytes]]:
    """Truncations and seeded byte flips of one file, footer and pages."""
    import random

    rng = random.Random(seed)
    n = len(data)
    footer = int.from_bytes(data[-8:-4], "little") if n >= 12 else 0
    start = max(4, n - 8 - footer)
    cases = [(f"cut{k}", data[:k]) for k in (0, 3, 11, n // 2, n - 9, n - 5, n - 1) if k >= 0]
    for i in range(6):
        flipped = bytearray(data)
        pos = rng.randrange(start, n - 8) if i % 2 == 0 and n - 8 > start else rng.randrange(n)
        flipped[pos] ^= 1 << rng.randrange(8)
        cases.append((f"flip{i}@{pos}", bytes(flipped)))
    big = bytearray(data)
    big[-8:-4] = (2**31 - 1).to_bytes(4, "little")
    cases.append(("footer-len-max", bytes(big)))
    return cases


HOSTILE_FILES = (
    "data/alltypes_plain.parquet",
    "data/nested_lists.snappy.parquet",
    "data/delta_byte_array.parquet",
    "data/datapage_v2.snappy.parquet",
    "data/rle-dict-snappy-checksum.parquet",
)


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_damaged_files(cli: Path, tmp_path: Path, name: str) -> None:
    """Truncated and bit-flipped copies of corpus files: `cat` and `convert` either succeed or
    exit with code 1 and one `error:` line — never a signal, a hang or a traceback."""
    path = ROOT / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    for label, data in _damaged(path.read_bytes(), seed=len(name)):
        damaged = tmp_path / f"{label}.parquet"
        damaged.write_bytes(data)
        for args in (
            ("cat", damaged, "--format", "jsonl"),
            ("convert", damaged, tmp_path / "out.parquet"),
        ):
            proc = ps.run_cli(cli, "parquet", *args, timeout=30)
            what = f"{args[0]} {name} {label}"
            if proc.returncode == 0:
                if args[0] == "cat":
                    for line in proc.stdout.splitlines():
                        json.loads(line)
            else:
                ps.assert_clean_error(proc, what, allow_stdout=True)
