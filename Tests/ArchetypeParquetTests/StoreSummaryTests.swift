import Arrow
import ArchetypeCore
@testable import ArchetypeParquet
import Foundation
import Parquet
import Testing

/// `summarize` (store.md §6.7, S23) and `tableSchema`.
@Suite struct StoreSummaryTests {
    /// S23: after a 3-tick run of 10 entities, the summary comes from statistics alone.
    @Test func s23_theRunSummaryComesFromStatistics() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        for t in 0..<3 { try store.append("movers", try Rows.tick(Int32(t), entities: 1...10, world: "w", run: "r")) }
        // Other runs and worlds in the same table and in another.
        try store.append("movers", try Rows.tick(5, entities: 1...20, world: "w", run: "other"))
        try store.append("movers", try Rows.tick(7, entities: 1...30, world: "x", run: "r"))
        try store.append("others", try Rows.tick(9, entities: 1...3, world: "x", run: "r"))
        store.resetStatistics()
        let summary = try store.summarize(worldId: "w", runId: "r")
        #expect(summary == [TableSummary(table: "movers", lastTick: 2, activeRowsAtLastTick: 10, maxEntityId: 10)])
        let s = store.statistics
        #expect(s.decodedColumns["position__x"] == nil)
        #expect(s.rowGroupsRead == 0 && s.partsLoaded == 0)
        #expect(s.rowGroupsSummarizedFromStatistics == 3)
        #expect(try store.summarize(worldId: "x", runId: "r") == [
            TableSummary(table: "movers", lastTick: 7, activeRowsAtLastTick: 30, maxEntityId: 30),
            TableSummary(table: "others", lastTick: 9, activeRowsAtLastTick: 3, maxEntityId: 3),
        ])
        #expect(try store.summarize(worldId: "nobody", runId: "r") == [])
        // The same answers as the summary computed by reading.
        for (w, r) in [("w", "r"), ("x", "r"), ("w", "other")] {
            #expect(try store.summarize(worldId: w, runId: r) == store.summarizeByReading(worldId: w, runId: r))
        }
    }

    /// Tombstones at the last tick: `is_active` varies, so only it is decoded, and only for the
    /// row groups of the last tick.
    @Test func mixedActivityDecodesOnlyIsActive() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        try store.append("t", try Rows.tick(0, entities: 1...10))
        try store.append("t", try Rows.batch((1...10).map { Row(entity: $0, tick: 1, active: $0 % 3 != 0, x: 0) }))
        try store.append("t", try Rows.batch((1...12).map { Row(entity: $0, tick: 2, active: $0 != 12, x: 0) }))
        store.resetStatistics()
        #expect(try store.summarize(worldId: "w", runId: "r") == [TableSummary(table: "t", lastTick: 2, activeRowsAtLastTick: 11, maxEntityId: 12)])
        #expect(store.statistics.decodedColumns == ["is_active": 1])
        #expect(try store.summarize(worldId: "w", runId: "r") == store.summarizeByReading(worldId: "w", runId: "r"))
    }

    /// Row groups whose statistics do not pin the run (several runs in one part, a foreign file
    /// without statistics) decode the base columns; the answers stay those of reading.
    @Test func otherFilesDecodeTheBaseColumns() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        try store.append("t", try Rows.batch([
            Row(world: "w", run: "r", entity: 4, tick: 3, active: true),
            Row(world: "w", run: "q", entity: 9, tick: 8, active: true),
            Row(world: "w", run: "r", entity: 2, tick: 3, active: false),
            Row(world: "w", run: "r", entity: 7, tick: 1, active: false),
        ]))
        var noStats = ParquetWriterOptions()
        noStats.statistics = false
        try Disk.writeParquet([try Rows.batch([Row(entity: 5, tick: 3, active: true), Row(entity: 6, tick: 2, active: true)])],
                              schema: Rows.schema, to: root.join("ns", "t", "zz-foreign.parquet"), options: noStats)
        store.resetStatistics()
        let summary = try store.summarize(worldId: "w", runId: "r")
        #expect(summary == [TableSummary(table: "t", lastTick: 3, activeRowsAtLastTick: 2, maxEntityId: 7)])
        #expect(summary == (try store.summarizeByReading(worldId: "w", runId: "r")))
        #expect(store.statistics.decodedColumns["position__x"] == nil)
        #expect(store.statistics.rowGroupsSummarizedFromStatistics == 0)
    }

    /// `tableSchema` is the first part's, read from its footer alone.
    @Test func tableSchemaComesFromTheFirstFooter() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        #expect(try store.tableSchema("t") == nil)
        try store.append("t", try Rows.tick(0, entities: 1...3))
        store.resetStatistics()
        let schema = try #require(try store.tableSchema("t"))
        #expect(schema == Rows.schema)
        #expect(schema.fields[5].metadata.map(\.0) == ["unit"])
        #expect(store.statistics.partsLoaded == 0)
    }
}
