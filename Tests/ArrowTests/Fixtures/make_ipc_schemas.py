#!/usr/bin/env python3
"""Arrow IPC schema fixtures for the Swift `ArrowIPCSchema` tests (store.md §9.5, §11.3).

    python make_ipc_schemas.py generate [OUT_DIR]   # default: ./ipc next to this script
    python make_ipc_schemas.py verify DIR           # check Swift-written messages with pyarrow

`generate` writes, for every schema below:
  - `<name>.bin`          pyarrow's `schema.serialize().to_pybytes()` (continuation framing);
  - `<name>.parquet.b64`  the `ARROW:schema` value of a Parquet file pyarrow wrote with that
                          schema (only when pyarrow can write the schema to Parquet);
  - `<name>.legacy.bin`   for a few schemas, the first message of an IPC stream written with
                          `use_legacy_format=True` (no continuation marker; the end-of-stream
                          marker follows);
and `manifest.json`: pyarrow's version, and per schema `str(schema)`, the field list as JSON (the
Swift tests rebuild the expected `Schema` from it), or the expected error for types the Swift
module does not support.

`verify` reads `<name>.bin` (and `<name>.b64` when present) written by the Swift encoder for
schema names of this script, decodes them with `pa.ipc.read_schema`, and compares with pyarrow's
own round trip of the same schema (`check_metadata=True`). It prints a JSON report and exits 0
when everything matches, 1 otherwise.
"""

import base64
import io
import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

UNITS = ["s", "ms", "us", "ns"]


def supported_schemas():
    """Schemas made only of types the Swift `DataType` represents."""
    f = pa.field
    s = {}
    s["empty"] = pa.schema([])
    s["primitives"] = pa.schema([
        f("null", pa.null()),
        f("bool", pa.bool_()),
        f("i8", pa.int8()), f("i16", pa.int16()), f("i32", pa.int32()), f("i64", pa.int64()),
        f("u8", pa.uint8()), f("u16", pa.uint16()), f("u32", pa.uint32()), f("u64", pa.uint64()),
        f("f16", pa.float16()), f("f32", pa.float32()), f("f64", pa.float64()),
        f("utf8", pa.string()), f("large_utf8", pa.large_string()),
        f("binary", pa.binary()), f("large_binary", pa.large_binary()),
        f("fsb", pa.binary(16)),
    ])
    s["temporal"] = pa.schema(
        [f("date32", pa.date32()), f("date64", pa.date64()),
         f("time32_s", pa.time32("s")), f("time32_ms", pa.time32("ms")),
         f("time64_us", pa.time64("us")), f("time64_ns", pa.time64("ns"))]
        + [f(f"ts_{u}", pa.timestamp(u)) for u in UNITS]
        + [f(f"ts_{u}_utc", pa.timestamp(u, tz="UTC")) for u in UNITS]
        + [f("ts_us_ny", pa.timestamp("us", tz="America/New_York")),
           f("ts_ms_offset", pa.timestamp("ms", tz="+07:30"))]
        + [f(f"dur_{u}", pa.duration(u)) for u in UNITS]
    )
    s["decimals"] = pa.schema([
        f("d38_10", pa.decimal128(38, 10)), f("d1_0", pa.decimal128(1, 0)),
        f("d9_2", pa.decimal128(9, 2), nullable=False),
    ])
    # Not writable to Parquet: negative scales, structs without children.
    s["ipc_only"] = pa.schema([f("d5_neg", pa.decimal128(5, -3)), f("empty_struct", pa.struct([]))])
    s["nested"] = pa.schema([
        f("list_i32", pa.list_(pa.int32())),
        f("list_nonnull_item", pa.list_(f("element", pa.string(), nullable=False))),
        f("large_list", pa.large_list(pa.float64())),
        f("fsl", pa.list_(pa.int16(), 3)),
        f("fsl_zero", pa.list_(pa.int8(), 0)),
        f("struct", pa.struct([f("a", pa.int32(), nullable=False), f("b", pa.string())])),
        f("map", pa.map_(pa.string(), pa.int64())),
        f("map_sorted", pa.map_(pa.int32(), pa.list_(pa.string()), keys_sorted=True)),
        f("list_of_struct", pa.list_(pa.struct([f("x", pa.float32()), f("y", pa.list_(pa.binary(4), 2))]))),
        f("deep", pa.struct([f("l1", pa.struct([f("l2", pa.list_(pa.struct([f("l3", pa.large_list(pa.bool_()))])))]))])),
        f("required_struct", pa.struct([f("v", pa.uint8())]), nullable=False),
    ])
    s["dictionary"] = pa.schema([
        f("dict_str", pa.dictionary(pa.int32(), pa.string())),
        f("dict_i8_ordered", pa.dictionary(pa.int8(), pa.large_string(), ordered=True)),
        f("dict_u16_i64", pa.dictionary(pa.uint16(), pa.int64()), nullable=False),
        f("list_of_dict", pa.list_(pa.dictionary(pa.int16(), pa.binary()))),
        f("struct_with_dict", pa.struct([f("d", pa.dictionary(pa.int64(), pa.float64()))])),
    ])
    s["metadata"] = pa.schema(
        [
            f("a", pa.int64(), nullable=False, metadata={"unit": "m/s", "empty": ""}),
            f("b", pa.struct([f("c", pa.string(), metadata={"inner": "yes", "ünïcode": "✓"})]),
              metadata={"outer": "1"}),
            f("ts", pa.timestamp("us", tz="UTC"), metadata={"k": "v" * 300}),
        ],
        metadata={"origin": "archetype", "pandas": '{"columns": []}', "": "empty key"},
    )
    s["names"] = pa.schema([
        f("", pa.int32()),
        f("with space", pa.string()),
        f("ünïcödé ✓", pa.float64()),
        f("x" * 1000, pa.bool_()),
        f("dup", pa.int8()), f("dup", pa.int16()),
    ])
    s["wide"] = pa.schema([f(f"c{i}", [pa.int32(), pa.string(), pa.float64()][i % 3]) for i in range(300)])
    return s


def unsupported_schemas():
    """Schemas with one type the Swift module rejects, and the name the error must contain."""
    f = pa.field
    return {
        "unsupported_dense_union": (pa.schema([f("u", pa.dense_union([f("a", pa.int32()), f("b", pa.string())]))]), "dense_union"),
        "unsupported_sparse_union": (pa.schema([f("u", pa.sparse_union([f("a", pa.int32())]))]), "sparse_union"),
        "unsupported_interval": (pa.schema([f("i", pa.month_day_nano_interval())]), "month_day_nano_interval"),
        "unsupported_string_view": (pa.schema([f("v", pa.string_view())]), "string_view"),
        "unsupported_binary_view": (pa.schema([f("v", pa.binary_view())]), "binary_view"),
        "unsupported_list_view": (pa.schema([f("v", pa.list_view(pa.int32()))]), "list_view"),
        "unsupported_large_list_view": (pa.schema([f("v", pa.large_list_view(pa.int32()))]), "large_list_view"),
        "unsupported_run_end": (pa.schema([f("r", pa.run_end_encoded(pa.int32(), pa.string()))]), "run_end_encoded"),
        "unsupported_decimal256": (pa.schema([f("d", pa.decimal256(50, 4))]), "decimal256"),
        "unsupported_decimal32": (pa.schema([f("d", pa.decimal32(7, 2))]), "decimal32"),
        "unsupported_nested_union": (pa.schema([f("s", pa.struct([f("ok", pa.int8()), f("bad", pa.list_(pa.sparse_union([f("a", pa.int32())])))]))]), "sparse_union"),
    }


LEGACY = ["primitives", "nested", "metadata"]


# ---------------------------------------------------------------------------------------------
# JSON description of types (what the Swift test rebuilds as `DataType`)

def unit_of(t):
    return t.unit


def type_json(t):
    T = pa.types
    simple = [
        (T.is_null, "null"), (T.is_boolean, "bool"),
        (T.is_int8, "int8"), (T.is_int16, "int16"), (T.is_int32, "int32"), (T.is_int64, "int64"),
        (T.is_uint8, "uint8"), (T.is_uint16, "uint16"), (T.is_uint32, "uint32"), (T.is_uint64, "uint64"),
        (T.is_float16, "float16"), (T.is_float32, "float32"), (T.is_float64, "float64"),
        (T.is_string, "utf8"), (T.is_large_string, "large_utf8"),
        (T.is_binary, "binary"), (T.is_large_binary, "large_binary"),
        (T.is_date32, "date32"), (T.is_date64, "date64"),
    ]
    if T.is_dictionary(t):
        return {"id": "dictionary", "index": type_json(t.index_type), "value": type_json(t.value_type), "ordered": bool(t.ordered)}
    for pred, name in simple:
        if pred(t):
            return {"id": name}
    if T.is_fixed_size_binary(t) and not T.is_decimal(t):
        return {"id": "fixed_size_binary", "byte_width": t.byte_width}
    if T.is_time32(t):
        return {"id": "time32", "unit": unit_of(t)}
    if T.is_time64(t):
        return {"id": "time64", "unit": unit_of(t)}
    if T.is_timestamp(t):
        return {"id": "timestamp", "unit": unit_of(t), "tz": t.tz}
    if T.is_duration(t):
        return {"id": "duration", "unit": unit_of(t)}
    if T.is_decimal128(t):
        return {"id": "decimal128", "precision": t.precision, "scale": t.scale}
    if T.is_map(t):
        return {"id": "map", "entries": field_json(t.field(0)), "keys_sorted": bool(t.keys_sorted)}
    if T.is_large_list(t):
        return {"id": "large_list", "child": field_json(t.value_field)}
    if T.is_fixed_size_list(t):
        return {"id": "fixed_size_list", "child": field_json(t.value_field), "list_size": t.list_size}
    if T.is_list(t):
        return {"id": "list", "child": field_json(t.value_field)}
    if T.is_struct(t):
        return {"id": "struct", "fields": [field_json(t.field(i)) for i in range(t.num_fields)]}
    raise ValueError(f"no JSON description for {t}")


def metadata_json(md):
    # pyarrow returns a dict of bytes; key order is the order of insertion.
    return [[k.decode(), v.decode()] for k, v in (md or {}).items()]


def field_json(fld):
    return {"name": fld.name, "nullable": fld.nullable, "type": type_json(fld.type), "metadata": metadata_json(fld.metadata)}


def parquet_arrow_schema(schema):
    """The `ARROW:schema` value pyarrow writes for `schema`, or None when it cannot write it."""
    try:
        buf = io.BytesIO()
        pq.write_table(schema.empty_table(), buf)
        md = pq.ParquetFile(io.BytesIO(buf.getvalue())).metadata.metadata
        return md[b"ARROW:schema"].decode()
    except Exception:  # noqa: BLE001 - types Parquet cannot hold
        return None


def legacy_message(schema):
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema, options=pa.ipc.IpcWriteOptions(use_legacy_format=True)):
        pass
    return sink.getvalue().to_pybytes()


def generate(out):
    os.makedirs(out, exist_ok=True)
    manifest = {"pyarrow_version": pa.__version__, "generator": "make_ipc_schemas.py", "schemas": {}}
    for name, schema in supported_schemas().items():
        entry = {"str": str(schema), "fields": [field_json(fl) for fl in schema],
                 "metadata": metadata_json(schema.metadata), "files": []}
        with open(os.path.join(out, f"{name}.bin"), "wb") as fh:
            fh.write(schema.serialize().to_pybytes())
        entry["files"].append(f"{name}.bin")
        b64 = parquet_arrow_schema(schema)
        if b64 is not None:
            with open(os.path.join(out, f"{name}.parquet.b64"), "w") as fh:
                fh.write(b64)
            entry["files"].append(f"{name}.parquet.b64")
        if name in LEGACY:
            with open(os.path.join(out, f"{name}.legacy.bin"), "wb") as fh:
                fh.write(legacy_message(schema))
            entry["files"].append(f"{name}.legacy.bin")
        manifest["schemas"][name] = entry
    for name, (schema, type_name) in unsupported_schemas().items():
        with open(os.path.join(out, f"{name}.bin"), "wb") as fh:
            fh.write(schema.serialize().to_pybytes())
        manifest["schemas"][name] = {"str": str(schema), "files": [f"{name}.bin"],
                                     "error": {"kind": "unsupportedType", "contains": type_name}}
    with open(os.path.join(out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1, ensure_ascii=False, sort_keys=True)
        fh.write("\n")
    print(f"wrote {len(manifest['schemas'])} schemas to {out} (pyarrow {pa.__version__})")


def verify(directory):
    schemas = supported_schemas()
    report = {"pyarrow_version": pa.__version__, "checked": [], "failures": []}
    names = sorted({fn.split(".")[0] for fn in os.listdir(directory) if fn.endswith((".bin", ".b64"))})
    for name in names:
        if name not in schemas:
            report["failures"].append({"name": name, "error": "no schema of that name in make_ipc_schemas.py"})
            continue
        expected = pa.ipc.read_schema(pa.py_buffer(schemas[name].serialize()))
        for suffix in (".bin", ".b64"):
            path = os.path.join(directory, name + suffix)
            if not os.path.exists(path):
                continue
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
                if suffix == ".b64":
                    data = base64.b64decode(data, validate=True)
                got = pa.ipc.read_schema(pa.py_buffer(data))
                if not got.equals(expected, check_metadata=True):
                    report["failures"].append({"name": name + suffix, "expected": str(expected), "got": str(got)})
                else:
                    report["checked"].append(name + suffix)
            except Exception as e:  # noqa: BLE001 - reported, not raised
                report["failures"].append({"name": name + suffix, "error": f"{type(e).__name__}: {e}"})
    print(json.dumps(report, indent=1, ensure_ascii=False))
    return 0 if not report["failures"] and report["checked"] else 1


def main(argv):
    if len(argv) >= 2 and argv[1] == "verify" and len(argv) == 3:
        code = verify(argv[2])
    elif len(argv) >= 2 and argv[1] == "generate" and len(argv) <= 3:
        generate(argv[2] if len(argv) == 3 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "ipc"))
        code = 0
    else:
        print(__doc__, file=sys.stderr)
        code = 2
    sys.stdout.flush()
    sys.stderr.flush()
    # pyarrow 26 may abort at interpreter exit (apache/arrow#34314): leave without teardown.
    os._exit(code)


if __name__ == "__main__":
    main(sys.argv)
