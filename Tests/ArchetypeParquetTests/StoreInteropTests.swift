import Arrow
import ArchetypeCore
@testable import ArchetypeParquet
import Foundation
import Parquet
import Testing

/// External readers read a store directory directly (store.md §10, S6, S14, S15, S16), with
/// staging and lock files present. Runs when a Python with pyarrow is available (the
/// repository's `.venv`, or `ARCHETYPE_TEST_PYTHON`); DuckDB and Daft are checked when
/// installed there.
@Suite struct StoreInteropTests {
    /// The §10 table T: base columns, `position__x` f64, `position__y` f64 nullable,
    /// `c__tags` list<utf8>, `c__meta` struct<z: int64>. Row i (entity i % 10 + 1, tick i / 10)
    /// follows the formulas the Python script repeats.
    static let schema = Schema(BaseColumns.fields + [
        Field("position__x", .float64, nullable: false, metadata: [("unit", "m")]),
        Field("position__y", .float64, nullable: true),
        Field("c__tags", .list(Field("item", .utf8, nullable: true)), nullable: true),
        Field("c__meta", .struct([Field("z", .int64, nullable: true)]), nullable: true),
    ])

    static func tick(_ tick: Int) throws -> RecordBatch {
        let rows = (tick * 10)..<(tick * 10 + 10)
        let x: [Double] = rows.map { i in i == 3 ? .nan : (i == 4 ? -0.0 : Double(i) * 0.5) }
        let y: [Double?] = rows.map { $0 % 4 == 0 ? nil : Double($0) }
        let tags = try ListBuilder(type: .list(Field("item", .utf8, nullable: true)))
        let items = tags.values(as: StringBuilder.self)!
        for i in rows {
            switch i % 5 {
            case 0: tags.appendNull()
            case 1: tags.append(true)
            default:
                items.append("a\(i)")
                items.append("")
                if i % 7 == 0 { items.appendNull() }
                tags.append(true)
            }
        }
        let meta = try StructBuilder(fields: [Field("z", .int64, nullable: true)])
        let z = meta.child(0, as: PrimitiveBuilder<Int64>.self)!
        for i in rows {
            if i % 6 == 0 { meta.appendNull(); continue }
            z.append(i % 3 == 0 ? nil : Int64(i) * 1_000_000_000_000)
            meta.append(true)
        }
        return try RecordBatch(schema: schema, columns: [
            try ArrayData.from([String](repeating: "world-1", count: 10)),
            try ArrayData.from([String](repeating: "run-1", count: 10)),
            ArrayData.from(rows.map { Int32($0 % 10 + 1) }),
            ArrayData.from([Int32](repeating: Int32(tick), count: 10)),
            ArrayData.from(rows.map { $0 % 10 != 9 || tick < 2 }),
            ArrayData.from(x), ArrayData.from(y), try tags.finish(), try meta.finish(),
        ])
    }

    static let script = #"""
import json, math, os, sys
import pyarrow as pa, pyarrow.parquet as pq, pyarrow.dataset as ds, pyarrow.compute as pc
table_dir, part = sys.argv[1], sys.argv[2]
errors = []
def check(cond, what):
    if not cond: errors.append(what)
expected_schema = pa.schema([
    pa.field("world_id", pa.string(), nullable=False), pa.field("run_id", pa.string(), nullable=False),
    pa.field("entity_id", pa.int32(), nullable=False), pa.field("tick", pa.int32(), nullable=False),
    pa.field("is_active", pa.bool_(), nullable=False),
    pa.field("position__x", pa.float64(), nullable=False, metadata={"unit": "m"}),
    pa.field("position__y", pa.float64()), pa.field("c__tags", pa.list_(pa.field("item", pa.string()))),
    pa.field("c__meta", pa.struct([pa.field("z", pa.int64())])),
])
def row(i):
    tick = i // 10
    tags = None if i % 5 == 0 else ([] if i % 5 == 1 else ["a%d" % i, ""] + ([None] if i % 7 == 0 else []))
    meta = None if i % 6 == 0 else {"z": None if i % 3 == 0 else i * 1_000_000_000_000}
    x = float("nan") if i == 3 else (-0.0 if i == 4 else i * 0.5)
    return {"world_id": "world-1", "run_id": "run-1", "entity_id": i % 10 + 1, "tick": tick,
            "is_active": i % 10 != 9 or tick < 2, "position__x": x,
            "position__y": None if i % 4 == 0 else float(i), "c__tags": tags, "c__meta": meta}
def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b): return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b
expected = [row(i) for i in range(30)]
for name, t in [("read_table(dir)", pq.read_table(table_dir))]:
    # pyarrow names list children "element" on read (as for its own files); equals() without
    # check_metadata ignores that name, so field metadata is compared field by field.
    check(t.schema.equals(expected_schema), name + " schema: " + str(t.schema))
    for f in expected_schema:
        check(t.schema.field(f.name).metadata == f.metadata, name + " metadata of " + f.name)
    got = t.to_pylist()
    check(len(got) == 30, name + " rows %d" % len(got))
    for i, (g, e) in enumerate(zip(got, expected)):
        for k in e:
            if not same(g[k], e[k]): errors.append("%s row %d %s: %r != %r" % (name, i, k, g[k], e[k]))
one = pq.read_table(part)
check(one.schema.equals(expected_schema), "part schema")
check(one.schema.field("position__x").metadata == {b"unit": b"m"}, "part field metadata")
check(one.num_rows == 10, "part rows")
md = pq.ParquetFile(part).metadata
check(b"ARROW:schema" in (md.metadata or {}), "ARROW:schema missing")
check(md.created_by.startswith("archetype version"), "created_by " + md.created_by)
rg = md.row_group(0)
for c in range(rg.num_columns):
    col = rg.column(c)
    check(col.compression == "SNAPPY", "%s codec %s" % (col.path_in_schema, col.compression))
    if col.path_in_schema in ("world_id", "run_id"):
        check(col.has_dictionary_page and "RLE_DICTIONARY" in col.encodings, col.path_in_schema + " dictionary")
    if col.path_in_schema in ("world_id", "run_id", "entity_id", "tick", "is_active"):
        check(col.statistics is not None and col.statistics.has_min_max, col.path_in_schema + " min/max")
dt = ds.dataset(table_dir, format="parquet").to_table(filter=pc.field("tick") == 2)
check(dt.num_rows == 10 and set(dt.column("tick").to_pylist()) == {2}, "dataset filter tick == 2")
extras = []
try:
    import duckdb
    extras.append("duckdb")
    con = duckdb.connect()
    types = [r[1] for r in con.execute("DESCRIBE SELECT * FROM read_parquet('%s/*.parquet')" % table_dir).fetchall()]
    check(types == ["VARCHAR", "VARCHAR", "INTEGER", "INTEGER", "BOOLEAN", "DOUBLE", "DOUBLE", "VARCHAR[]", "STRUCT(z BIGINT)"], "duckdb types %r" % types)
    n = con.execute("SELECT count(*) FROM read_parquet('%s/*.parquet') WHERE tick = 2" % table_dir).fetchone()[0]
    check(n == 10, "duckdb tick 2 rows %d" % n)
    s = con.execute("SELECT sum(position__y) FROM read_parquet('%s/*.parquet') WHERE tick = 2" % table_dir).fetchone()[0]
    check(s == pc.sum(dt.column("position__y")).as_py(), "duckdb sum %r" % s)
except ImportError:
    pass
try:
    import daft
    extras.append("daft")
    df = daft.read_parquet(table_dir + "/*.parquet")
    check(df.count_rows() == 30, "daft rows")
except ImportError:
    pass
print(json.dumps({"errors": errors, "extras": extras}), flush=True)
os._exit(0)
"""#

    /// S6/S14 (and S15/S16 when DuckDB and Daft are installed): pyarrow reads the table
    /// directory (staging files present) and a part with the exact schema and values.
    @Test(.enabled(if: Helper.hasPyarrow)) func externalReadersReadTheStoreDirectory() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        for t in 0..<3 { try store.append("T", try Self.tick(t)) }
        let dir = store.tableDirectory("T")
        let part = dir + "/" + (try store.partNames("T")[0])
        // A garbage staging file, as a crashed append leaves it.
        try Disk.write(Array("partial".utf8), to: dir + "/.part-0190a5b3-7c4d-7abc-8def-0123456789ab.parquet.tmp")
        let (status, output) = try Helper.run(Helper.python, ["-c", Self.script, dir, part], environment: ["SWIFT_BACKTRACE": "enable=no"])
        try #require(status == 0, "python failed: \(output)")
        let line = try #require(output.split(separator: "\n").last(where: { $0.hasPrefix("{") }))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let errors = json["errors"] as? [String] ?? ["no errors field"]
        #expect(errors.isEmpty, "\(errors.prefix(10))")
        if ProcessInfo.processInfo.environment["ARCHETYPE_TEST_VERBOSE"] != nil { print("interop checked with pyarrow and \(json["extras"] ?? [])") }
        // Swift reads the same rows back.
        let back = try store.read("T", filter: .all, columns: nil)
        #expect(back.rowCount == 30)
        #expect(back.allSatisfy { $0.schema == Self.schema })
    }
}
