import Foundation
@testable import Arrow

/// Helpers shared by the IPC tests, namespaced so they cannot clash with other test files.
enum IPCTestSupport {
    /// SplitMix64: a small seeded generator, so every mutation run is reproducible.
    struct RNG: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let units = TimeUnit.allCases

    /// A schema holding every `DataType` case, nested types and dictionaries included.
    static var everyType: Schema {
        var fields: [Field] = [
            Field("null", .null),
            Field("bool", .boolean, nullable: false),
            Field("i8", .int8), Field("i16", .int16), Field("i32", .int32), Field("i64", .int64),
            Field("u8", .uint8), Field("u16", .uint16), Field("u32", .uint32), Field("u64", .uint64, nullable: false),
            Field("f16", .float16), Field("f32", .float32), Field("f64", .float64),
            Field("utf8", .utf8), Field("large_utf8", .largeUtf8),
            Field("binary", .binary), Field("large_binary", .largeBinary),
            Field("fsb1", .fixedSizeBinary(byteWidth: 1)), Field("fsb_big", .fixedSizeBinary(byteWidth: Int(Int32.max))),
            Field("date32", .date32), Field("date64", .date64),
            Field("t32s", .time32(.second)), Field("t32ms", .time32(.millisecond)),
            Field("t64us", .time64(.microsecond)), Field("t64ns", .time64(.nanosecond)),
            Field("dec", .decimal128(precision: 38, scale: 10)),
            Field("dec_small", .decimal128(precision: 1, scale: 0), nullable: false),
            Field("dec_neg", .decimal128(precision: 5, scale: -3)),
        ]
        for u in units {
            fields.append(Field("ts_\(u)", .timestamp(u, timezone: nil)))
            fields.append(Field("ts_\(u)_utc", .timestamp(u, timezone: "UTC")))
            fields.append(Field("ts_\(u)_ny", .timestamp(u, timezone: "America/New_York"), nullable: false))
            fields.append(Field("dur_\(u)", .duration(u)))
        }
        let entries = Field("entries", .struct([Field("key", .utf8, nullable: false), Field("value", .int64)]), nullable: false)
        fields += [
            Field("list", .list(Field("item", .int32))),
            Field("list_required_item", .list(Field("element", .utf8, nullable: false))),
            Field("large_list", .largeList(Field("item", .float64))),
            Field("fsl", .fixedSizeList(Field("item", .int16), listSize: 3)),
            Field("fsl0", .fixedSizeList(Field("item", .int8), listSize: 0)),
            Field("struct", .struct([Field("a", .int32, nullable: false), Field("b", .utf8)])),
            Field("empty_struct", .struct([])),
            Field("map", .map(entries, keysSorted: false)),
            Field("map_sorted", .map(entries, keysSorted: true)),
            Field("list_struct_map", .list(Field("item", .struct([
                Field("m", .map(Field("entries", .struct([Field("k", .int32, nullable: false), Field("v", .list(Field("item", .boolean)))]), nullable: false), keysSorted: false)),
                Field("fsl", .fixedSizeList(Field("item", .fixedSizeBinary(byteWidth: 4)), listSize: 2)),
            ])))),
            Field("dict", .dictionary(index: .int32, value: .utf8, ordered: false)),
            Field("dict_ordered", .dictionary(index: .int8, value: .largeUtf8, ordered: true), nullable: false),
            Field("dict_u64", .dictionary(index: .uint64, value: .float64, ordered: false)),
            Field("dict_of_list", .dictionary(index: .int16, value: .list(Field("item", .int32)), ordered: false)),
            Field("list_of_dict", .list(Field("item", .dictionary(index: .uint8, value: .binary, ordered: false)))),
            Field("struct_of_dict", .struct([Field("d", .dictionary(index: .int64, value: .timestamp(.nanosecond, timezone: "UTC"), ordered: true))])),
        ]
        return Schema(fields)
    }

    /// A schema with field metadata at several depths and schema metadata.
    static var withMetadata: Schema {
        Schema([
            Field("a", .int64, nullable: false, metadata: [("unit", "m/s"), ("empty", ""), ("", "empty key")]),
            Field("b", .struct([Field("c", .utf8, metadata: [("inner", "yes"), ("ünïcode", "✓")])]), metadata: [("outer", "1")]),
            Field("l", .list(Field("item", .int8, metadata: [("deep", "x")]))),
            Field("d", .dictionary(index: .int32, value: .utf8, ordered: false), metadata: [("dict", "meta")]),
            Field("big", .boolean, metadata: [("k", String(repeating: "v", count: 5000))]),
        ], metadata: [("origin", "archetype"), ("pandas", "{\"columns\": []}"), ("dup", "1"), ("dup", "2")])
    }

    /// `depth` levels of nested lists around an int32 (depth 0 is the int32 itself).
    static func nestedLists(_ depth: Int) -> Schema {
        var f = Field("leaf", .int32)
        for i in 0..<depth { f = Field("l\(i)", .list(f)) }
        return Schema([f])
    }

    /// The directory of the committed fixtures.
    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// The repository root (…/Tests/ArrowTests/<file> → …).
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }
}
