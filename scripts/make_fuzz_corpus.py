#!/usr/bin/env python3
"""Generates the seed corpus of the Parquet fuzz target (docs/fuzzing.md).

Writes into Tests/ParquetTests/FuzzCorpus/ (or the directory given as the first argument):

- ``gen-*.parquet``: small files written by pyarrow, covering data page v1 and v2, dictionary
  pages (RLE_DICTIONARY and PLAIN_DICTIONARY), dictionary fallback, every codec, the DELTA and
  BYTE_STREAM_SPLIT encodings, nested struct/list layouts with nulls and empty lists, INT96,
  page checksums, several row groups and pages, 0-row files and files without ARROW:schema;
- ``pt-*.parquet``: the files of ../shared/parquet-testing/data under 8 KB;
- ``page-*.bin``: page-mode inputs (see ParquetFuzzHarness.swift: a 12-byte header choosing
  the column, encoding and codec, then the page bodies).

Files already present that match none of these prefixes (crash regression seeds) are kept.
Run with the project's venv: ``.venv/bin/python scripts/make_fuzz_corpus.py``.
"""

import datetime
import glob
import io
import os
import struct
import sys

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "ParquetTests", "FuzzCorpus")
TESTING = os.path.join(ROOT, "..", "shared", "parquet-testing", "data")
MAX_TESTING_BYTES = 8 * 1024
MAX_GENERATED_BYTES = 8 * 1024


def flat_table(n=24):
    ints = [None if i % 5 == 3 else i * 7 - 40 for i in range(n)]
    return pa.table({
        "b": pa.array([None if i % 7 == 0 else i % 3 == 0 for i in range(n)], pa.bool_()),
        "i8": pa.array([None if v is None else v % 100 for v in ints], pa.int8()),
        "i32": pa.array(ints, pa.int32()),
        "u32": pa.array([i * 1000 for i in range(n)], pa.uint32()),
        "i64": pa.array([None if v is None else v * 1_000_000_007 for v in ints], pa.int64()),
        "f32": pa.array([None if i % 4 == 1 else i / 3 for i in range(n)], pa.float32()),
        "f64": pa.array([float(i) * 1.5 - 3 for i in range(n)], pa.float64()),
        "s": pa.array([None if i % 6 == 2 else f"v{i % 5}" for i in range(n)], pa.string()),
        "bin": pa.array([bytes([i, i + 1]) * (i % 3) for i in range(n)], pa.binary()),
        "fsb": pa.array([bytes([i] * 4) for i in range(n)], pa.binary(4)),
        "d": pa.array([datetime.date(2020, 1, 1 + i % 28) for i in range(n)], pa.date32()),
        "ts": pa.array([i * 1_000_000 for i in range(n)], pa.timestamp("us", tz="UTC")),
    })


def nested_table(n=12):
    lists = [None if i % 5 == 4 else [] if i % 4 == 1 else [j if j % 3 else None for j in range(i % 4)] for i in range(n)]
    return pa.table({
        "id": pa.array(range(n), pa.int32()),
        "st": pa.array([None if i % 6 == 5 else {"x": i, "y": None if i % 2 else f"y{i}"} for i in range(n)],
                       pa.struct([("x", pa.int32()), ("y", pa.string())])),
        "l": pa.array(lists, pa.list_(pa.int64())),
        "ls": pa.array([None if i % 5 == 0 else [{"a": i, "b": float(i)}] * (i % 3) for i in range(n)],
                       pa.list_(pa.struct([("a", pa.int32()), ("b", pa.float64())]))),
        "sl": pa.array([{"v": None if i % 3 == 0 else [str(i)] * (i % 2)} for i in range(n)],
                       pa.struct([("v", pa.list_(pa.string()))])),
        "ll": pa.array([None if i % 7 == 6 else [[i], [], None] if i % 2 else [] for i in range(n)],
                       pa.list_(pa.list_(pa.int32()))),
        "fl": pa.array([[i, i + 1] for i in range(n)], pa.list_(pa.int16(), 2)),
    })


def write(name, table, **kwargs):
    buf = io.BytesIO()
    pq.write_table(table, buf, **kwargs)
    data = buf.getvalue()
    if len(data) > MAX_GENERATED_BYTES:
        raise SystemExit(f"{name}: {len(data)} bytes, above {MAX_GENERATED_BYTES}")
    with open(os.path.join(OUT, f"gen-{name}.parquet"), "wb") as f:
        f.write(data)


def generated():
    flat = flat_table()
    nested = nested_table()
    write("v1-plain", flat, use_dictionary=False, compression="none")
    write("v1-dict", flat, compression="none")
    write("v2-dict", flat, data_page_version="2.0", compression="none")
    write("v2-plain-snappy", flat, data_page_version="2.0", use_dictionary=False, compression="snappy")
    write("v1-format10-plain-dictionary", flat.select(["i32", "s", "f64"]), version="1.0", compression="none")
    for codec in ["snappy", "gzip", "zstd", "lz4"]:
        write(f"codec-{codec}", flat.select(["i32", "s", "f64", "b"]), compression=codec)
        write(f"codec-{codec}-v2", flat.select(["i64", "s", "b"]), compression=codec, data_page_version="2.0")
    write("nested", nested, compression="none")
    write("nested-v2-snappy", nested, compression="snappy", data_page_version="2.0")
    write("nested-noncompliant", nested.select(["l", "ll"]), compression="none", use_compliant_nested_type=False)
    write("nested-no-arrow-schema", nested.select(["st", "l", "ls"]), compression="none", store_schema=False)
    delta_int = flat.select(["i32", "i64", "u32"])
    write("delta-binary-packed", delta_int, use_dictionary=False, compression="none",
          column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "u32": "DELTA_BINARY_PACKED"})
    write("delta-binary-packed-v2", delta_int, use_dictionary=False, compression="none", data_page_version="2.0",
          column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "u32": "DELTA_BINARY_PACKED"})
    big = pa.table({"i64": pa.array([(i * 0x9E3779B97F4A7C15) % (1 << 63) - (1 << 62) for i in range(200)], pa.int64()),
                    "i32": pa.array([(i * 2654435761) % (1 << 31) - (1 << 30) for i in range(200)], pa.int32())})
    write("delta-binary-packed-wide", big, use_dictionary=False, compression="zstd",
          column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED"})
    strs = flat.select(["s", "bin", "fsb"])
    write("delta-length-byte-array", strs.select(["s", "bin"]), use_dictionary=False, compression="none",
          column_encoding={"s": "DELTA_LENGTH_BYTE_ARRAY", "bin": "DELTA_LENGTH_BYTE_ARRAY"})
    write("delta-byte-array", strs, use_dictionary=False, compression="none",
          column_encoding={"s": "DELTA_BYTE_ARRAY", "bin": "DELTA_BYTE_ARRAY", "fsb": "DELTA_BYTE_ARRAY"})
    write("delta-byte-array-v2", strs, use_dictionary=False, compression="none", data_page_version="2.0",
          column_encoding={"s": "DELTA_BYTE_ARRAY", "bin": "DELTA_BYTE_ARRAY", "fsb": "DELTA_BYTE_ARRAY"})
    bss = flat.select(["f32", "f64", "i32", "i64", "fsb"])
    write("byte-stream-split", bss, use_dictionary=False, compression="none",
          column_encoding={c: "BYTE_STREAM_SPLIT" for c in ["f32", "f64", "i32", "i64", "fsb"]})
    write("byte-stream-split-v2-gzip", bss, use_dictionary=False, compression="gzip", data_page_version="2.0",
          column_encoding={c: "BYTE_STREAM_SPLIT" for c in ["f32", "f64", "i32", "i64", "fsb"]})
    fallback = pa.table({"s": pa.array([f"value-{i:04d}" for i in range(300)], pa.string())})
    write("dictionary-fallback", fallback, compression="zstd", dictionary_pagesize_limit=256, data_page_size=512)
    write("row-groups-pages", flat.select(["i32", "s", "b"]), compression="none", row_group_size=8,
          data_page_size=64, write_batch_size=4)
    write("zero-rows", flat.slice(0, 0), compression="none")
    write("all-null", pa.table({"x": pa.array([None] * 10, pa.int32()), "s": pa.array([None] * 10, pa.string())}),
          compression="none")
    write("int96", pa.table({"t": pa.array([i * 86_400_000_000_123 for i in range(10)], pa.timestamp("ns"))}),
          use_deprecated_int96_timestamps=True, compression="none")
    write("checksum", flat.select(["i32", "s"]), compression="snappy", write_page_checksum=True)
    write("page-index-stats", flat.select(["i32", "s"]), compression="none", write_page_index=True,
          write_statistics=True)
    write("booleans-v2-rle", pa.table({"b": pa.array([i % 3 == 0 for i in range(100)])}), compression="none",
          data_page_version="2.0", use_dictionary=False)


def testing_files():
    for path in sorted(glob.glob(os.path.join(TESTING, "*.parquet"))):
        if os.path.getsize(path) < MAX_TESTING_BYTES:
            with open(path, "rb") as f:
                data = f.read()
            with open(os.path.join(OUT, "pt-" + os.path.basename(path)), "wb") as f:
                f.write(data)


# Page-mode inputs (ParquetFuzzHarness.swift, `PageInput`).
TYPES = ["boolean", "int32", "int64", "int96", "float", "double", "byte_array", "flba"]
ENCODINGS = ["plain", "plain_dictionary", "rle", "delta_binary_packed", "delta_length_byte_array",
             "delta_byte_array", "rle_dictionary", "byte_stream_split"]
CODECS = ["uncompressed", "snappy", "gzip", "zstd", "lz4_raw", "snappy_raw", "gzip_raw", "zstd_raw"]


def page_input(name, ptype, shape=0, v2=False, second=False, logical=False, encoding="plain",
               codec="uncompressed", dictionary=b"", dict_count=0, v2_compressed=False, values=0,
               type_length=1, rows=0, rep_len=0, def_len=0, split=128, raw_size=0, data=b""):
    b0 = TYPES.index(ptype) | (shape << 3) | (0x20 if v2 else 0) | (0x40 if second else 0) | (0x80 if logical else 0)
    b1 = ENCODINGS.index(encoding) | (CODECS.index(codec) << 3) | (0x40 if dictionary else 0) | (0x80 if v2_compressed else 0)
    header = bytes([b0, b1, values & 0xFF, (values >> 8) | ((type_length - 1) << 4), dict_count, rows,
                    len(dictionary) & 0xFF, len(dictionary) >> 8, rep_len, def_len, split, raw_size // 16])
    with open(os.path.join(OUT, f"page-{name}.bin"), "wb") as f:
        f.write(header + dictionary + data)


def uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(v):
    return (v << 1) ^ (v >> 63)


def delta_binary_packed(values):
    """One block of 128 values in 4 miniblocks, as the spec's example layout."""
    out = bytearray(uleb(128) + uleb(4) + uleb(len(values)) + uleb(zigzag(values[0])))
    deltas = [b - a for a, b in zip(values, values[1:])]
    for start in range(0, len(deltas), 128):
        block = deltas[start:start + 128]
        lo = min(block)
        out += uleb(zigzag(lo))
        rel = [d - lo for d in block] + [0] * (128 - len(block))
        widths = [max(x.bit_length() for x in rel[m * 32:(m + 1) * 32]) for m in range(4)]
        out += bytes(widths)
        for m in range(4):
            bits = 0
            for i, x in enumerate(rel[m * 32:(m + 1) * 32]):
                bits |= x << (i * widths[m])
            out += bits.to_bytes(4 * widths[m], "little")
    return bytes(out)


def rle_run(value, count, bit_width):
    return uleb(count << 1) + value.to_bytes((bit_width + 7) // 8, "little")


def page_inputs():
    ints = list(range(-5, 11))
    page_input("int32-plain", "int32", values=16, data=struct.pack("<16i", *ints))
    page_input("int64-plain-snappy", "int64", values=16, codec="snappy", data=struct.pack("<16q", *ints))
    page_input("double-plain-v2-zstd", "double", v2=True, v2_compressed=True, codec="zstd", values=8,
               data=struct.pack("<8d", *[i / 3 for i in range(8)]))
    page_input("float-bss", "float", values=8, encoding="byte_stream_split",
               data=bytes(b for i in range(4) for b in struct.pack("<8f", *range(8))[i::4]))
    strings = b"".join(struct.pack("<i", len(s)) + s for s in [b"a", b"bc", b"", b"def"])
    defs = rle_run(1, 4, 1) + rle_run(0, 1, 1)
    page_input("bytes-plain-optional", "byte_array", shape=1, values=5,
               data=struct.pack("<i", len(defs)) + defs + strings)
    page_input("string-plain", "byte_array", logical=True, values=4, data=strings)
    page_input("flba-plain", "flba", type_length=3, values=4, data=bytes(range(12)))
    page_input("int96-plain", "int96", values=2, data=bytes(24))
    page_input("bool-plain", "boolean", values=10, data=b"\x55\x02")
    page_input("bool-rle-v2", "boolean", v2=True, encoding="rle", values=10,
               data=struct.pack("<i", 2) + rle_run(1, 10, 1))
    dictionary = struct.pack("<4i", 10, 20, 30, 40)
    page_input("int32-dictionary", "int32", encoding="rle_dictionary", dictionary=dictionary, dict_count=4,
               values=8, data=b"\x02" + rle_run(3, 8, 2))
    page_input("int32-dictionary-fallback", "int32", encoding="rle_dictionary", dictionary=dictionary,
               dict_count=4, values=4, second=True, split=41,
               data=b"\x02" + rle_run(1, 4, 2) + struct.pack("<4i", 1, 2, 3, 4))
    page_input("string-dictionary-gzip", "byte_array", logical=True, encoding="plain_dictionary", codec="gzip",
               dictionary=strings, dict_count=4, values=6, data=b"\x02\x03\x88\xc6")
    page_input("int64-delta", "int64", encoding="delta_binary_packed", values=40,
               data=delta_binary_packed([i * i - 7 * i for i in range(40)]))
    page_input("int32-delta-v2", "int32", v2=True, encoding="delta_binary_packed", values=20,
               data=delta_binary_packed([(i * 37) % 11 for i in range(20)]))
    lengths = delta_binary_packed([1, 2, 0, 3])
    page_input("bytes-delta-length", "byte_array", encoding="delta_length_byte_array", values=4,
               data=lengths + b"abcdef")
    page_input("bytes-delta", "byte_array", encoding="delta_byte_array", values=4,
               data=delta_binary_packed([0, 1, 1, 0]) + delta_binary_packed([2, 1, 2, 1]) + b"abcdefg")
    reps = b"\x03\x2a"  # one bit-packed group: 0, 1, 0, 1, 0, 1 (three rows of two)
    defs = rle_run(3, 6, 2)
    page_input("list-int32-v1", "int32", shape=2, values=6, rows=3,
               data=struct.pack("<i", len(reps)) + reps + struct.pack("<i", len(defs)) + defs
               + struct.pack("<6i", *range(6)))
    page_input("list-int32-v2", "int32", shape=2, v2=True, values=6, rows=3, rep_len=len(reps), def_len=len(defs),
               data=reps + defs + struct.pack("<6i", *range(6)))
    page_input("struct-double-v2-lz4", "double", shape=3, v2=True, v2_compressed=True, codec="lz4_raw",
               values=4, def_len=2, data=rle_run(2, 4, 2) + struct.pack("<4d", 1, 2, 3, 4))
    page_input("raw-snappy", "int32", codec="snappy_raw", values=4, raw_size=16,
               data=b"\x10\x3c" + struct.pack("<4i", 1, 2, 3, 4))


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.startswith(("gen-", "pt-", "page-")):
            os.remove(os.path.join(OUT, old))
    generated()
    testing_files()
    page_inputs()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} files, {total} bytes in {OUT} (pyarrow {pa.__version__})")
    sys.stdout.flush()
    os._exit(0)  # pyarrow may abort at interpreter exit (TIPS.md)


if __name__ == "__main__":
    main()
