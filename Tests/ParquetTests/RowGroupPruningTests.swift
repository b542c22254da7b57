import Arrow
import Foundation
@testable import Parquet
import Testing

/// Row-group pruning by statistics (issue 3: equality, ranges, IN lists).
@Suite struct RowGroupPruningTests {
    /// Ten row groups of 5 rows; row group t holds tick t, names "w<t>", x = t + 0.5, and a
    /// column that is null in even row groups.
    static func file() throws -> ParquetFileReader {
        let schema = Schema([Field("tick", .int32, nullable: false), Field("name", .utf8), Field("x", .float64), Field("sparse", .int64), Field("u", .uint64)])
        let writer = try ParquetFileWriter(schema: schema)
        for t in 0..<10 {
            let batch = try RecordBatch(schema: schema, columns: [
                ArrayData.from([Int32](repeating: Int32(t), count: 5)),
                try ArrayData.from([String](repeating: "w\(t)", count: 5)),
                ArrayData.from([Double](repeating: Double(t) + 0.5, count: 5)),
                ArrayData.from([Int64?](repeating: t % 2 == 0 ? nil : Int64(t), count: 5)),
                ArrayData.from([UInt64](repeating: t < 5 ? UInt64(t) : UInt64.max - UInt64(t), count: 5)),
            ])
            try writer.write(batch)
        }
        return try ParquetFileReader(bytes: try writer.finish())
    }

    @Test func equalityRangesAndInLists() throws {
        let r = try Self.file()
        #expect(r.rowGroupCount == 10)
        #expect(r.rowGroups(matching: .equals("tick", .int(3))) == [3])
        #expect(r.rowGroups(matching: .equals("tick", .int(42))) == [])
        #expect(r.rowGroups(matching: .range("tick", lower: .int(2), upper: .int(4))) == [2, 3, 4])
        #expect(r.rowGroups(matching: .range("tick", lower: .int(2), lowerInclusive: false, upper: .int(4), upperInclusive: false)) == [3])
        #expect(r.rowGroups(matching: .range("tick", lower: .int(8), upper: nil)) == [8, 9])
        #expect(r.rowGroups(matching: .isIn("tick", [.int(1), .int(7), .int(99)])) == [1, 7])
        #expect(r.rowGroups(matching: .isIn("tick", [])) == [])
        #expect(r.rowGroups(matching: .equals("name", .string("w5"))) == [5])
        #expect(r.rowGroups(matching: .range("x", lower: .double(3.0), upper: .double(4.6))) == [3, 4])
        #expect(r.rowGroups(matching: .and([.range("tick", lower: .int(2), upper: nil), .equals("name", .string("w2"))])) == [2])
        // Nulls never match: all-null row groups are skipped.
        #expect(r.rowGroups(matching: .range("sparse", lower: nil, upper: nil)) == [1, 3, 5, 7, 9])
        // Unsigned order: UInt64.max - 9 is larger than 4.
        #expect(r.rowGroups(matching: .range("u", lower: .int(5), upper: nil)) == [5, 6, 7, 8, 9])
        // Unknown columns never prune.
        #expect(r.rowGroups(matching: .equals("nope", .int(1))).count == 10)
    }

    @Test func nanStatisticsAreNotTrusted() throws {
        let path = ParquetTestingConformanceTests.root.appendingPathComponent("data/nan_in_stats.parquet").path
        guard FileManager.default.fileExists(atPath: path) else { return }
        let r = try ParquetFileReader(path: path)
        #expect(r.rowGroups(matching: .equals("x", .double(1e300))) == Array(0..<r.rowGroupCount))
    }
}
