import Arrow
import ArchetypeCore
@testable import ArchetypeParquet
import Foundation
import Parquet
import Testing

/// Reads: pruning (S12), result shape, streaming, footers and table listing (store.md §6).
@Suite struct StoreReadTests {
    /// Pruning skips row groups: 10 appends of one tick each, a `ticks: [3]` read decodes one
    /// part's row group and loads one part.
    @Test func pruningSkipsRowGroups() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        for t in 0..<10 { try store.append("t", try Rows.tick(Int32(t), entities: 1...5)) }
        store.resetStatistics()
        let batches = try store.read("t", filter: ReadFilter(ticks: [3]), columns: nil)
        #expect(batches.int32s("tick") == Array(repeating: 3, count: 5))
        var s = store.statistics
        #expect(s.rowGroupsRead == 1)
        #expect(s.rowGroupsPruned == 9)
        #expect(s.partsLoaded == 1)
        #expect(s.footersRead + s.footerCacheHits == 10)
        // Footers are cached (parts are immutable).
        store.resetStatistics()
        _ = try store.read("t", filter: ReadFilter(ticks: [3]), columns: nil)
        s = store.statistics
        #expect(s.footersRead == 0 && s.footerCacheHits == 10)
        // Each filter field prunes.
        for t in 10..<12 { try store.append("t", try Rows.tick(Int32(t), entities: 6...8, world: "w2", run: "r2", active: false)) }
        let cases: [(ReadFilter, Int)] = [
            (ReadFilter(worldId: "w2"), 2), (ReadFilter(worldId: "a"), 0), (ReadFilter(runId: "r2"), 2),
            (ReadFilter(entityIds: [7, 100]), 2), (ReadFilter(entityIds: [1]), 10), (ReadFilter(activeOnly: true), 10),
            (ReadFilter(ticks: [0, 11]), 2), (ReadFilter(ticks: [-1, 12]), 0), (ReadFilter(ticks: []), 0),
        ]
        for (filter, groups) in cases {
            store.resetStatistics()
            _ = try store.read("t", filter: filter, columns: ["entity_id"])
            #expect(store.statistics.rowGroupsRead == groups, "\(filter)")
            #expect(store.statistics.partsLoaded == groups, "\(filter)")
        }
    }

    /// S12: 50 parts of 3 row groups and 500 random filters give identical results with
    /// pruning on and off; with pruning on, a `ticks [k]` read decodes only row groups whose
    /// tick range holds k.
    @Test func s12_pruningNeverChangesResults() throws {
        let root = TemporaryRoot()
        var options = ParquetStoreOptions()
        options.maxRowGroupRows = 4
        options.durable = false
        let store = try ParquetStore(root: root.path, namespace: "ns", options: options)
        var rng = SplitMix(seed: 12)
        var groupsByTick: [Int32: Int] = [:]
        for p in 0..<50 {
            // 12 rows, 3 row groups of 4; each row group holds one or two ticks.
            var rows: [Row] = []
            for g in 0..<3 {
                let base = Int32(p * 3 + g)
                var ticks: Set<Int32> = []
                for i in 0..<4 {
                    let tick = base + (i >= 2 && rng.next() % 2 == 0 ? 1 : 0)
                    ticks.insert(tick)
                    rows.append(Row(world: rng.next() % 3 == 0 ? "w1" : "w0", run: "r\(p % 4)", entity: Int32(rng.next() % 40) + 1,
                                    tick: tick, active: rng.next() % 4 != 0, x: Double(rows.count + p * 12)))
                }
                for t in ticks { groupsByTick[t, default: 0] += 1 }
            }
            try store.append("t", try Rows.batch(rows))
        }
        var off = options
        off.pruneRowGroups = false
        off.readOnly = true
        let unpruned = try ParquetStore(root: root.path, namespace: "ns", options: off)
        for _ in 0..<500 {
            var f = ReadFilter()
            if rng.next() % 3 == 0 { f.worldId = ["w0", "w1", "w2"][Int(rng.next() % 3)] }
            if rng.next() % 3 == 0 { f.runId = "r\(rng.next() % 5)" }
            if rng.next() % 2 == 0 { f.ticks = (0..<(rng.next() % 4)).map { _ in Int32(rng.next() % 160) } }
            if rng.next() % 3 == 0 { f.entityIds = (0..<(1 + rng.next() % 3)).map { _ in Int32(rng.next() % 45) } }
            f.activeOnly = rng.next() % 3 == 0
            let a = try store.read("t", filter: f, columns: ["position__x"]).doubles("position__x")
            let b = try unpruned.read("t", filter: f, columns: ["position__x"]).doubles("position__x")
            #expect(a == b, "\(f)")
        }
        for k: Int32 in [0, 7, 75, 149, 150] {
            store.resetStatistics()
            _ = try store.read("t", filter: ReadFilter(ticks: [k]), columns: nil)
            #expect(store.statistics.rowGroupsRead == groupsByTick[k, default: 0], "tick \(k)")
        }
    }

    /// Result shape: part order, row-group order; one batch per row group, never spanning two;
    /// no 0-row batches; every batch with the same schema.
    @Test func resultShape() throws {
        let root = TemporaryRoot()
        var options = ParquetStoreOptions()
        options.maxRowGroupRows = 2
        let store = try ParquetStore(root: root.path, namespace: "ns", options: options)
        try store.append("t", try Rows.tick(0, entities: 1...5))
        try store.append("t", try Rows.tick(1, entities: 1...3))
        let all = try store.read("t", filter: .all, columns: nil)
        #expect(all.map(\.length) == [2, 2, 1, 2, 1])
        #expect(all.int32s("entity_id") == [1, 2, 3, 4, 5, 1, 2, 3])
        #expect(all.allSatisfy { $0.schema == Rows.schema })
        // Row groups emptied by the filter give no batch.
        let some = try store.read("t", filter: ReadFilter(entityIds: [1, 5]), columns: ["entity_id"])
        #expect(some.map(\.length) == [1, 1, 1])
        #expect(some.allSatisfy { $0.schema.fields.map(\.name) == ["entity_id"] })
    }

    /// The streaming variant yields the batches of `read`, loading parts lazily.
    @Test func streamingMatchesRead() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        for t in 0..<4 { try store.append("t", try Rows.tick(Int32(t), entities: 1...3)) }
        store.resetStatistics()
        let stream = try store.batches("t", filter: ReadFilter(ticks: [1, 3]), columns: ["tick", "position__x"])
        #expect(stream.schema?.fields.map(\.name) == ["tick", "position__x"])
        #expect(store.statistics.partsLoaded == 0)
        let first = try #require(try stream.next())
        #expect(first.int32s("tick") == [1, 1, 1])
        #expect(store.statistics.partsLoaded == 1)
        let second = try #require(try stream.next())
        #expect(second.int32s("tick") == [3, 3, 3])
        #expect(try stream.next() == nil)
        #expect(try stream.next() == nil)
        let read = try store.read("t", filter: ReadFilter(ticks: [1, 3]), columns: ["tick", "position__x"])
        #expect(read.doubles("position__x") == [first, second].doubles("position__x"))
        let missing = try store.batches("nope")
        #expect(missing.schema == nil)
        #expect(try missing.next() == nil)
        // The stream outlives its store.
        var maybe: ParquetStore? = try ParquetStore(root: root.path, namespace: "ns")
        let late = try maybe!.batches("t")
        maybe = nil
        #expect(try late.collect().rowCount == 12)
    }

    /// Parts this store wrote load only the column chunks a read needs.
    @Test func onlyNeededColumnChunksAreLoaded() throws {
        let root = TemporaryRoot()
        var options = ParquetStoreOptions()
        options.codec = .none
        let store = try ParquetStore(root: root.path, namespace: "ns", options: options)
        let wide = Schema(BaseColumns.fields + [Field("big__blob", .utf8, nullable: false)])
        let n = 2000
        let blob = String(repeating: "x", count: 500)
        let batch = try RecordBatch(schema: wide, columns: [
            try ArrayData.from([String](repeating: "w", count: n)), try ArrayData.from([String](repeating: "r", count: n)),
            ArrayData.from((1...n).map { Int32($0) }), ArrayData.from([Int32](repeating: 0, count: n)),
            ArrayData.from([Bool](repeating: true, count: n)), try ArrayData.from([String](repeating: blob, count: n)),
        ])
        try store.append("t", batch)
        let size = try Disk.read(root.join("ns", "t", try store.partNames("t")[0])).count
        store.resetStatistics()
        let ids = try store.read("t", filter: ReadFilter(ticks: [0]), columns: ["entity_id"])
        #expect(ids.int32s("entity_id") == (1...n).map { Int32($0) })
        #expect(store.statistics.bytesLoaded < size / 10)
        #expect(store.statistics.decodedColumns == ["entity_id": 1, "tick": 1])
        store.resetStatistics()
        #expect(try store.read("t", filter: .all, columns: nil).strings("big__blob").count == n)
        #expect(store.statistics.bytesLoaded > size / 2)
    }

    /// `tableNames`: bytewise order; only directories with valid names holding a part.
    @Test func tableNamesListTablesWithParts() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        for t in ["b", "a", "B", "_x", "a.b", "a-b"] { try store.append(t, try Rows.tick(0, entities: 1...1)) }
        try Disk.makeDirectory(root.join("ns", "empty"))
        try Disk.makeDirectory(root.join("ns", "onlytmp"))
        try Disk.write([0], to: root.join("ns", "onlytmp", ".part-x.parquet.tmp"))
        try Disk.makeDirectory(root.join("ns", ".hidden"))
        try FileManager.default.copyItem(atPath: root.join("ns", "a", try store.partNames("a")[0]), toPath: root.join("ns", ".hidden", "p.parquet"))
        try Disk.makeDirectory(root.join("ns", "é"))
        try FileManager.default.copyItem(atPath: root.join("ns", "a", try store.partNames("a")[0]), toPath: root.join("ns", "é", "p.parquet"))
        try Disk.write([0], to: root.join("ns", "file.parquet"))
        #expect(try store.tableNames() == ["B", "_x", "a", "a-b", "a.b", "b"])
    }

    /// Read-only stores: nothing created, locked or deleted; appends refused; a missing root is
    /// an empty store.
    @Test func readOnlyStores() throws {
        let root = TemporaryRoot()
        var options = ParquetStoreOptions()
        options.readOnly = true
        let missing = try ParquetStore(root: root.join("nothing"), namespace: "ns", options: options)
        #expect(try missing.tableNames() == [])
        #expect(try missing.read("t", filter: .all, columns: nil).isEmpty)
        #expect(try missing.summarize(worldId: "w", runId: "r") == [])
        #expect(try missing.tableSchema("t") == nil)
        expectStoreError({ () throws(StoreError) in try missing.append("t", try! Rows.tick(0, entities: 1...1)) }) { $0 == .readOnly }
        #expect(!Disk.exists(root.join("nothing")))
        #expect(NamespaceRegistry.references(root: root.join("nothing"), namespace: "ns") == 0)
    }

    /// Options out of range are refused.
    @Test func optionRanges() throws {
        let root = TemporaryRoot()
        var bad: [ParquetStoreOptions] = []
        for change in [
            { (o: inout ParquetStoreOptions) in o.codec = .gzip(level: 0) }, { $0.codec = .gzip(level: 10) },
            { $0.codec = .zstd(level: 23) }, { $0.maxRowGroupRows = 0 }, { $0.dataPageBytes = 4095 },
        ] as [(inout ParquetStoreOptions) -> Void] {
            var o = ParquetStoreOptions()
            change(&o)
            bad.append(o)
        }
        for o in bad {
            expectStoreError({ () throws(StoreError) in _ = try ParquetStore(root: root.path, namespace: "ns", options: o) }) {
                if case .unsupported = $0 { return true } else { return false }
            }
        }
        #expect(Disk.entries(root.path).isEmpty)
    }
}

/// A small deterministic generator.
struct SplitMix {
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
