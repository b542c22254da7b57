"""Seeded random Arrow data of every type the library supports (issue 2 / DataType), with nulls,
for round-trip tests."""

from __future__ import annotations

import datetime
import decimal
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

TIME_UNITS = ("s", "ms", "us", "ns")
INDEX_TYPES = (
    pa.int8(),
    pa.int16(),
    pa.int32(),
    pa.int64(),
    pa.uint8(),
    pa.uint16(),
    pa.uint32(),
    pa.uint64(),
)

# Every supported type, by a readable id. Nested types get several shapes.
SUPPORTED_TYPES: dict[str, pa.DataType] = {
    "null": pa.null(),
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
    **{f"timestamp_{u}": pa.timestamp(u) for u in TIME_UNITS},
    **{f"timestamp_{u}_utc": pa.timestamp(u, tz="UTC") for u in TIME_UNITS},
    "timestamp_us_berlin": pa.timestamp("us", tz="Europe/Berlin"),
    "timestamp_ns_offset": pa.timestamp("ns", tz="+05:30"),
    **{f"duration_{u}": pa.duration(u) for u in TIME_UNITS},
    "decimal128_10_2": pa.decimal128(10, 2),
    "decimal128_38_0": pa.decimal128(38, 0),
    "decimal128_5_-2": pa.decimal128(5, -2),
    "list_int64": pa.list_(pa.int64()),
    "list_utf8": pa.list_(pa.string()),
    "list_non_nullable_items": pa.list_(pa.field("element", pa.float64(), nullable=False)),
    "large_list_float64": pa.large_list(pa.float64()),
    "fixed_size_list_int32_3": pa.list_(pa.int32(), 3),
    "struct": pa.struct([("a", pa.int32()), ("b", pa.string()), ("c", pa.bool_())]),
    "struct_empty": pa.struct([]),
    "map_utf8_int64": pa.map_(pa.string(), pa.int64()),
    "map_keys_sorted": pa.map_(pa.int32(), pa.float64(), keys_sorted=True),
    "nested_struct_list_map": pa.struct(
        [
            ("id", pa.int64()),
            ("tags", pa.list_(pa.string())),
            ("attrs", pa.map_(pa.string(), pa.list_(pa.int32()))),
            ("inner", pa.struct([("x", pa.float64()), ("ys", pa.large_list(pa.binary()))])),
        ]
    ),
    "list_of_struct": pa.list_(pa.struct([("k", pa.string()), ("v", pa.float64())])),
    "list_of_list": pa.list_(pa.list_(pa.int16())),
    "fixed_size_list_of_struct": pa.list_(pa.struct([("p", pa.float32())]), 2),
    **{f"dictionary_{t}_utf8": pa.dictionary(t, pa.string()) for t in INDEX_TYPES},
    "dictionary_int32_int64_ordered": pa.dictionary(pa.int32(), pa.int64(), ordered=True),
    "dictionary_int16_float64": pa.dictionary(pa.int16(), pa.float64()),
    "list_of_dictionary": pa.list_(pa.dictionary(pa.int8(), pa.string())),
}


def _ints(rng: random.Random, typ: pa.DataType, n: int) -> list[int]:
    width = typ.bit_width
    signed = pa.types.is_signed_integer(typ)
    lo, hi = (-(2 ** (width - 1)), 2 ** (width - 1) - 1) if signed else (0, 2**width - 1)
    edge = [lo, hi, 0]
    return [rng.choice(edge) if rng.random() < 0.1 else rng.randint(lo, hi) for _ in range(n)]


def _with_nulls(values: list[Any], rng: random.Random, null_p: float) -> list[Any]:
    return [None if rng.random() < null_p else v for v in values]


def random_array(typ: pa.DataType, n: int, rng: random.Random, null_p: float = 0.2) -> pa.Array:
    """An array of `typ` with `n` values, about `null_p` of them null."""
    if pa.types.is_null(typ):
        return pa.nulls(n)
    if pa.types.is_dictionary(typ):
        dict_size = rng.randint(1, 6)
        dictionary = random_array(typ.value_type, dict_size, rng, null_p=0.0)
        idx_typ = typ.index_type
        indices = [rng.randrange(dict_size) for _ in range(n)]
        idx = pa.array(_with_nulls(indices, rng, null_p), type=idx_typ)
        return pa.DictionaryArray.from_arrays(idx, dictionary, ordered=typ.ordered)
    if pa.types.is_struct(typ):
        children = [random_array(f.type, n, rng, null_p if f.nullable else 0.0) for f in typ]
        mask = pa.array([rng.random() < null_p for _ in range(n)], pa.bool_())
        if typ.num_fields == 0:
            arr = pa.array([{}] * n, type=typ)
            return arr
        return pa.StructArray.from_arrays(children, fields=list(typ), mask=mask)
    if pa.types.is_fixed_size_list(typ):
        size = typ.list_size
        vf = typ.value_field
        child = random_array(vf.type, n * size, rng, null_p if vf.nullable else 0.0)
        mask = pa.array([rng.random() < null_p for _ in range(n)], pa.bool_())
        return pa.FixedSizeListArray.from_arrays(child, type=typ, mask=mask)
    if pa.types.is_map(typ):
        lengths = [rng.randint(0, 3) for _ in range(n)]
        total = sum(lengths)
        keys = random_array(typ.key_type, total, rng, null_p=0.0)
        if pa.types.is_integer(typ.key_type):  # keys unique and, if asked, sorted per entry
            keys = pa.array(list(range(total)), typ.key_type)
        items = random_array(typ.item_type, total, rng, null_p)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        valid = [rng.random() >= null_p for _ in range(n)]
        off = pa.array([int(o) for o in offsets], pa.int32())
        arr = pa.MapArray.from_arrays(off, keys, items, type=typ)
        return _apply_mask(arr, valid)
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        lengths = [rng.randint(0, 4) for _ in range(n)]
        vf = typ.value_field
        child = random_array(vf.type, sum(lengths), rng, null_p if vf.nullable else 0.0)
        valid = [rng.random() >= null_p for _ in range(n)]
        off_type = pa.int64() if pa.types.is_large_list(typ) else pa.int32()
        offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).tolist(), off_type)
        cls = pa.LargeListArray if pa.types.is_large_list(typ) else pa.ListArray
        arr = cls.from_arrays(offsets, child, type=typ)
        return _apply_mask(arr, valid)
    return pa.array(_with_nulls(_scalars(typ, n, rng), rng, null_p), type=typ)


def _apply_mask(arr: pa.Array, valid: list[bool]) -> pa.Array:
    """Give a list/map array a validity bitmap (nulls over entries of any length)."""
    if all(valid):
        return arr
    bitmap = pa.array(valid, pa.bool_()).buffers()[1]
    buffers = arr.buffers()
    n_nulls = valid.count(False)
    return pa.Array.from_buffers(
        arr.type, len(arr), [bitmap, *buffers[1:2]], n_nulls, children=_children_of(arr)
    )


def _children_of(arr: pa.Array) -> list[pa.Array]:
    # list / large_list: the values; map: the `entries` struct of keys and items
    return [arr.values]


def _scalars(typ: pa.DataType, n: int, rng: random.Random) -> list[Any]:
    gen: dict[str, Callable[[], Any]] = {}
    if pa.types.is_boolean(typ):
        return [rng.random() < 0.5 for _ in range(n)]
    if pa.types.is_integer(typ):
        return _ints(rng, typ, n)
    if pa.types.is_float16(typ):
        return [np.float16(rng.uniform(-1000, 1000)) for _ in range(n)]
    if pa.types.is_floating(typ):
        special = [0.0, -0.0, float("inf"), float("-inf"), 1e-300, 1.5]
        return [
            rng.choice(special) if rng.random() < 0.1 else rng.uniform(-1e9, 1e9) for _ in range(n)
        ]
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        alphabet = "abcxyzé漢字🙂 "
        return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(n)]
    if pa.types.is_fixed_size_binary(typ):
        return [bytes(rng.getrandbits(8) for _ in range(typ.byte_width)) for _ in range(n)]
    if pa.types.is_binary(typ) or pa.types.is_large_binary(typ):
        return [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 10))) for _ in range(n)]
    if pa.types.is_date32(typ):
        return [
            datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randint(-20000, 40000))
            for _ in range(n)
        ]
    if pa.types.is_date64(typ):
        return [rng.randint(-(10**12), 10**12) // 86_400_000 * 86_400_000 for _ in range(n)]
    if pa.types.is_time32(typ):
        limit = 86_400 if typ.unit == "s" else 86_400_000
        return [rng.randrange(limit) for _ in range(n)]
    if pa.types.is_time64(typ):
        limit = 86_400_000_000 if typ.unit == "us" else 86_400_000_000_000
        return [rng.randrange(limit) for _ in range(n)]
    if pa.types.is_timestamp(typ) or pa.types.is_duration(typ):
        return [rng.randint(-(2**62), 2**62) for _ in range(n)]
    if pa.types.is_decimal(typ):
        digits = typ.precision
        out = []
        for _ in range(n):
            unscaled = rng.randint(-(10**digits) + 1, 10**digits - 1)
            out.append(decimal.Decimal(unscaled).scaleb(-typ.scale))
        return out
    raise NotImplementedError(f"no generator for {typ} {gen}")


def random_batch(
    types: dict[str, pa.DataType],
    n: int,
    seed: int,
    null_p: float = 0.2,
    metadata: bool = True,
) -> pa.RecordBatch:
    """A batch with one column per entry of `types`; each field carries metadata."""
    rng = random.Random(seed)
    arrays = [random_array(t, n, rng, null_p) for t in types.values()]
    fields = [
        pa.field(
            name,
            t,
            nullable=True,
            metadata={b"origin": name.encode(), b"seed": str(seed).encode()} if metadata else None,
        )
        for name, t in types.items()
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
