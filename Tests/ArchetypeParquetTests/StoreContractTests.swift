import Arrow
import ArchetypeCore
@testable import ArchetypeParquet
import Foundation
import Parquet
import Testing

/// The store contracts S1–S8, S11 and S13 of store.md §13.
@Suite struct StoreContractTests {
    @Test func s01_oneAppendMakesOneFile() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        let batch = try Rows.batch([Row(entity: 1, tick: 0, x: 1), Row(entity: 2, tick: 0, x: 2)])
        try store.append("t", batch)
        let afterFirst = Disk.entries(root.join("ns", "t"))
        try store.append("t", batch)
        let files = Disk.entries(root.join("ns", "t"))
        #expect(files.count == 2)
        #expect(afterFirst.count == 1)
        // The second name sorts after the first: file-name order is append order.
        #expect(files[0] == afterFirst[0])
        #expect(Names.bytewiseLess(files[0], files[1]))
        for f in files {
            // part-<uuidv7>.parquet: lowercase, hyphenated, version 7, variant 10.
            let uuid = Array(f.dropFirst(5).dropLast(8))
            #expect(f.hasPrefix("part-") && f.hasSuffix(".parquet") && uuid.count == 36)
            #expect(uuid[14] == "7")
            #expect("89ab".contains(uuid[19]))
            #expect([8, 13, 18, 23].allSatisfy { uuid[$0] == "-" })
            #expect(uuid.allSatisfy { "0123456789abcdef-".contains($0) })
        }
        #expect(Disk.entries(root.join("ns")) == [".archetype.lock", "t"])
        #expect(try store.read("t", filter: .all, columns: nil).rowCount == 4)
    }

    /// S2 with the example of store.md, then every filter field on its own and combined.
    @Test func s02_filters() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        let batch = try Rows.batch([
            Row(world: "world-a", run: "run-a", entity: 1, tick: 0, active: true, x: 1),
            Row(world: "world-b", run: "run-a", entity: 2, tick: 0, active: false, x: 2),
        ])
        try store.append("t", batch)
        try store.append("t", batch)
        let activeA = try store.read("t", filter: ReadFilter(worldId: "world-a", runId: "run-a", activeOnly: true), columns: nil)
        #expect(activeA.doubles("position__x") == [1, 1])
        #expect(try store.read("t", filter: ReadFilter(entityIds: [2]), columns: nil).doubles("position__x") == [2, 2])
        #expect(try store.read("t", filter: ReadFilter(ticks: []), columns: nil).isEmpty)
        #expect(try store.read("t", filter: ReadFilter(entityIds: []), columns: nil).isEmpty)

        let more = try Rows.batch([
            Row(world: "world-a", run: "run-b", entity: 3, tick: 1, active: true, x: 3),
            Row(world: "world-b", run: "run-b", entity: 1, tick: 2, active: true, x: 4),
            Row(world: "world-a", run: "run-a", entity: 2, tick: 2, active: false, x: 5),
        ])
        try store.append("t", more)
        func xs(_ f: ReadFilter) throws -> [Double?] { try store.read("t", filter: f, columns: nil).doubles("position__x") }
        #expect(try xs(.all) == [1, 2, 1, 2, 3, 4, 5])
        #expect(try xs(ReadFilter(worldId: "world-a")) == [1, 1, 3, 5])
        #expect(try xs(ReadFilter(worldId: "world-")) == [])
        #expect(try xs(ReadFilter(runId: "run-b")) == [3, 4])
        #expect(try xs(ReadFilter(ticks: [2])) == [4, 5])
        #expect(try xs(ReadFilter(ticks: [0, 1])) == [1, 2, 1, 2, 3])
        #expect(try xs(ReadFilter(ticks: [7])) == [])
        #expect(try xs(ReadFilter(entityIds: [1, 3])) == [1, 1, 3, 4])
        #expect(try xs(ReadFilter(activeOnly: true)) == [1, 1, 3, 4])
        #expect(try xs(ReadFilter(worldId: "world-a", runId: "run-a", ticks: [0, 2], entityIds: [1, 2], activeOnly: false)) == [1, 1, 5])
        #expect(try xs(ReadFilter(worldId: "world-b", ticks: [2], activeOnly: true)) == [4])
        // The same answers as the reference store.
        let memory = MemoryStore()
        for b in [batch, batch, more] { try memory.append("t", b) }
        for f in [ReadFilter.all, ReadFilter(worldId: "world-b"), ReadFilter(runId: "run-a", activeOnly: true), ReadFilter(ticks: [2], entityIds: [2])] {
            #expect(try memory.read("t", filter: f, columns: nil).doubles("position__x") == xs(f))
        }
    }

    /// S3: a foreign part whose tick, world_id and is_active are nullable.
    @Test func s03_nullsNeverMatchAFilter() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        let schema = Schema([
            Field("world_id", .utf8), Field("run_id", .utf8, nullable: false), Field("entity_id", .int32),
            Field("tick", .int32), Field("is_active", .boolean), Field("position__x", .float64),
        ])
        let batch = try RecordBatch(schema: schema, columns: [
            try ArrayData.from(["w", nil, "w"] as [String?]),
            try ArrayData.from(["r", "r", "r"]),
            ArrayData.from([1, nil, 3] as [Int32?]),
            ArrayData.from([0, nil, 0] as [Int32?]),
            ArrayData.from([true, nil, nil] as [Bool?]),
            ArrayData.from([1, 2, 3] as [Double?]),
        ])
        try Disk.makeDirectory(root.join("ns", "t"))
        try Disk.writeParquet([batch], schema: schema, to: root.join("ns", "t", "foreign.parquet"))
        func xs(_ f: ReadFilter) throws -> [Double?] { try store.read("t", filter: f, columns: nil).doubles("position__x") }
        #expect(try xs(.all) == [1, 2, 3])
        #expect(try xs(ReadFilter(ticks: [0])) == [1, 3])
        #expect(try xs(ReadFilter(worldId: "w")) == [1, 3])
        #expect(try xs(ReadFilter(entityIds: [1, 2, 3])) == [1, 3])
        #expect(try xs(ReadFilter(activeOnly: true)) == [1])
        // The store.md example: tick = [0, null], filter ticks [0] → 1 row.
        try Disk.makeDirectory(root.join("ns", "u"))
        try Disk.writeParquet([try batch.slice(offset: 0, length: 2)], schema: schema, to: root.join("ns", "u", "foreign.parquet"))
        #expect(try store.read("u", filter: ReadFilter(ticks: [0]), columns: nil).rowCount == 1)
        // Pruning keeps the answer: an all-null row group is skipped, never a matching one.
        let nulls = try RecordBatch(schema: schema, columns: [
            try ArrayData.from([nil, nil] as [String?]), try ArrayData.from(["r", "r"]), ArrayData.from([nil, nil] as [Int32?]),
            ArrayData.from([nil, nil] as [Int32?]), ArrayData.from([nil, nil] as [Bool?]), ArrayData.from([5, 6] as [Double?]),
        ])
        try Disk.writeParquet([nulls], schema: schema, to: root.join("ns", "u", "g.parquet"))
        store.resetStatistics()
        #expect(try store.read("u", filter: ReadFilter(ticks: [0]), columns: nil).doubles("position__x") == [1])
        #expect(store.statistics.rowGroupsPruned == 1)
        #expect(try store.read("u", filter: .all, columns: nil).doubles("position__x") == [1, 2, 5, 6])
    }

    /// S4: 20 single-row appends read back as x = 0…19, also after the files were re-created
    /// in shuffled order in another directory (another listing order).
    @Test func s04_readOrderIsAppendOrder() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        for i in 0..<20 { try store.append("t", try Rows.batch([Row(entity: 1, tick: Int32(i), x: Double(i))])) }
        let expected = (0..<20).map { Double?(Double($0)) }
        #expect(try store.read("t", filter: .all, columns: nil).doubles("position__x") == expected)
        var names = Disk.entries(root.join("ns", "t"))
        #expect(names.count == 20)
        var rng = SystemRandomNumberGenerator()
        names.shuffle(using: &rng)
        try Disk.makeDirectory(root.join("ns", "copy"))
        for n in names { try FileManager.default.copyItem(atPath: root.join("ns", "t", n), toPath: root.join("ns", "copy", n)) }
        #expect(try store.read("copy", filter: .all, columns: nil).doubles("position__x") == expected)
        // One batch per part (one row group each), in order.
        #expect(try store.read("copy", filter: .all, columns: nil).map(\.length) == Array(repeating: 1, count: 20))
    }

    static let invalidNames = ["", ".", "..", ".hidden", "a/b", "a\\b", "é", String(repeating: "a", count: 256), "a b", "a\u{0}b", "../x"]
    static let validNames = ["a_1c_sa85ab0c4bb96f38f", "position.v2", "x-y", "_x", "A", String(repeating: "z", count: 255)]

    /// S5: every invalid table name and namespace is rejected, and nothing is created on disk.
    @Test func s05_nameRules() throws {
        let root = TemporaryRoot()
        let storeRoot = root.join("store")
        let store = try ParquetStore(root: storeRoot, namespace: "ns")
        let batch = try Rows.tick(0, entities: 1...2)
        for name in Self.invalidNames {
            func invalid(_ e: StoreError) -> Bool { if case .invalidName = e { return true } else { return false } }
            expectStoreError({ () throws(StoreError) in try store.append(name, batch) }, invalid)
            expectStoreError({ () throws(StoreError) in _ = try store.read(name, filter: .all, columns: nil) }, invalid)
            expectStoreError({ () throws(StoreError) in _ = try store.tableSchema(name) }, invalid)
            expectStoreError({ () throws(StoreError) in try store.validateTableName(name) }, invalid)
            expectStoreError({ () throws(StoreError) in _ = try ParquetStore(root: root.join("other"), namespace: name) }, invalid)
            expectStoreError({ () throws(StoreError) in
                var o = ParquetStoreOptions(); o.readOnly = true
                _ = try ParquetStore(root: root.join("other"), namespace: name, options: o)
            }, invalid)
        }
        #expect(Disk.entries(storeRoot + "/ns") == [".archetype.lock"])
        #expect(Disk.entries(root.path) == ["store"])
        for name in Self.validNames {
            try store.append(name, batch)
            let ns = try ParquetStore(root: root.join("valid"), namespace: name)
            ns.close()
        }
        #expect(try store.tableNames() == Self.validNames.sorted(by: Names.bytewiseLess))
    }

    /// S6: staging files are invisible to reads, kept by read-only opens, deleted by the first
    /// writable open; nothing else is deleted.
    @Test func s06_stagingFilesAreInvisibleAndCleaned() throws {
        let root = TemporaryRoot()
        do {
            let store = try ParquetStore(root: root.path, namespace: "ns")
            try store.append("t", try Rows.tick(0, entities: 1...3))
            store.close()
        }
        let table = root.join("ns", "t")
        let strays = [".part-0190a5b3-7c4d-7abc-8def-0123456789ab.parquet.tmp", "part-0190a5b3-7c4d-7abc-8def-0123456789ac.parquet.tmp"]
        let kept = ["notes.txt", ".other.tmp", "_SUCCESS", ".part-x.parquet", "part-.parquet.tmp"]
        for f in strays + kept { try Disk.write(Array("garbage".utf8), to: table + "/" + f) }
        // Staging-looking files outside table directories (or under invalid names) stay too.
        try Disk.makeDirectory(root.join("ns", ".hidden"))
        try Disk.write([1], to: root.join("ns", ".hidden", strays[0]))
        try Disk.write([1], to: root.join("ns", strays[1]))

        var readOnly = ParquetStoreOptions()
        readOnly.readOnly = true
        let reader = try ParquetStore(root: root.path, namespace: "ns", options: readOnly)
        #expect(try reader.read("t", filter: .all, columns: nil).rowCount == 3)
        #expect(try reader.tableNames() == ["t"])
        #expect(Set(Disk.entries(table)).isSuperset(of: strays))

        let writer = try ParquetStore(root: root.path, namespace: "ns")
        let after = Disk.entries(table)
        #expect(after.filter { strays.contains($0) }.isEmpty)
        #expect(Set(after).isSuperset(of: kept))
        #expect(after.filter { $0.hasPrefix("part-") && $0.hasSuffix(".parquet") }.count == 1)
        #expect(Disk.exists(root.join("ns", ".hidden", strays[0])))
        #expect(Disk.exists(root.join("ns", strays[1])))
        #expect(try writer.read("t", filter: .all, columns: nil).rowCount == 3)
        // A second writable open in the same process shares the lock and cleans nothing more.
        try Disk.write([1], to: table + "/" + strays[0])
        let second = try ParquetStore(root: root.path, namespace: "ns")
        #expect(Disk.exists(table + "/" + strays[0]))
        second.close()
        writer.close()
    }

    /// S7 within one process: writable stores of a namespace share one lock; two worlds (runs
    /// r1 and r2) append to the same table; a read-only open works alongside.
    @Test func s07_writableStoresShareTheNamespaceInOneProcess() throws {
        let root = TemporaryRoot()
        let a = try ParquetStore(root: root.path, namespace: "ns")
        // The same namespace through another spelling of the root (canonical path).
        let b = try ParquetStore(root: root.path + "/./", namespace: "ns")
        #expect(NamespaceRegistry.references(root: root.path, namespace: "ns") == 2)
        var readOnly = ParquetStoreOptions()
        readOnly.readOnly = true
        let reader = try ParquetStore(root: root.path, namespace: "ns", options: readOnly)
        #expect(NamespaceRegistry.references(root: root.path, namespace: "ns") == 2)
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let store = i == 0 ? a : b
            for t in 0..<10 { try! store.append("t", try! Rows.tick(Int32(t), entities: 1...3, run: "r\(i + 1)")) }
        }
        let names = try reader.partNames("t")
        #expect(names.count == 20)
        #expect(try reader.read("t", filter: ReadFilter(runId: "r1"), columns: nil).rowCount == 30)
        #expect(try reader.read("t", filter: ReadFilter(runId: "r2"), columns: nil).rowCount == 30)
        // Each run's parts are in its append order.
        for run in ["r1", "r2"] {
            let ticks = try reader.read("t", filter: ReadFilter(runId: run), columns: ["tick"]).int32s("tick").compactMap { $0 }
            #expect(ticks == ticks.sorted())
        }
        a.close()
        #expect(NamespaceRegistry.references(root: root.path, namespace: "ns") == 1)
        try b.append("t", try Rows.tick(99, entities: 1...1))
        b.close()
        #expect(NamespaceRegistry.references(root: root.path, namespace: "ns") == 0)
        expectStoreError({ () throws(StoreError) in try b.append("t", try! Rows.tick(100, entities: 1...1)) }) {
            if case .io(_, EBADF, _) = $0 { return true } else { return false }
        }
    }

    /// S7 across processes: a process holding the lock makes a writable open `busy`; read-only
    /// opens still work; the store's own lock blocks other processes until the last close.
    @Test(.enabled(if: Helper.hasPython)) func s07_aSecondWritingProcessIsBusy() throws {
        let root = TemporaryRoot()
        try Disk.makeDirectory(root.join("ns"))
        let lockPath = root.join("ns", ".archetype.lock")
        let holder = try Helper.LockHolder(path: lockPath)
        expectStoreError({ () throws(StoreError) in _ = try ParquetStore(root: root.path, namespace: "ns") }) {
            if case .busy(let path) = $0 { return path.hasSuffix("/ns/.archetype.lock") } else { return false }
        }
        #expect(NamespaceRegistry.references(root: root.path, namespace: "ns") == 0)
        var readOnly = ParquetStoreOptions()
        readOnly.readOnly = true
        let reader = try ParquetStore(root: root.path, namespace: "ns", options: readOnly)
        #expect(try reader.tableNames() == [])
        holder.release()

        let store = try ParquetStore(root: root.path, namespace: "ns")
        let second = try ParquetStore(root: root.path, namespace: "ns")
        #expect(try Helper.otherProcessCanLock(lockPath) == false)
        store.close()
        #expect(try Helper.otherProcessCanLock(lockPath) == false)
        second.close()
        #expect(try Helper.otherProcessCanLock(lockPath) == true)
        // deinit releases as well.
        do { _ = try ParquetStore(root: root.path, namespace: "ns") }
        #expect(try Helper.otherProcessCanLock(lockPath) == true)
    }

    /// S8: a 0-row append creates nothing.
    @Test func s08_zeroRowAppendIsANoOp() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        try store.append("t", Rows.empty)
        #expect(Disk.entries(root.join("ns")) == [".archetype.lock"])
        #expect(try store.tableNames() == [])
        #expect(try store.read("t", filter: .all, columns: nil).isEmpty)
        #expect(try store.tableSchema("t") == nil)
    }

    /// S11: one schema per table, for appends (cold and warm cache) and for foreign parts.
    @Test func s11_oneSchemaPerTable() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        try store.append("t", try Rows.tick(0, entities: 1...2))
        var fields = Rows.schema.fields
        fields[5] = Field("position__x", .float32, nullable: false)
        let f32 = try Rows.batch([Row(entity: 1, tick: 1, x: 1)], schema: Schema(fields))
        func mismatch(_ e: StoreError) -> Bool { if case .schemaMismatch(let t, _, let d) = e { return t == "t" && d.contains("position__x") } else { return false } }
        expectStoreError({ () throws(StoreError) in try store.append("t", f32) }, mismatch)
        // A store that never saw the table learns the schema from its first part.
        let other = try ParquetStore(root: root.path, namespace: "ns")
        expectStoreError({ () throws(StoreError) in try other.append("t", f32) }, mismatch)
        var nullable = Rows.schema.fields
        nullable[5] = Field("position__x", .float64, nullable: true)
        let nullableBatch = try Rows.batch([Row(entity: 1, tick: 1, x: 1)], schema: Schema(nullable))
        expectStoreError({ () throws(StoreError) in try store.append("t", nullableBatch) }, mismatch)
        #expect(Disk.entries(root.join("ns", "t")).count == 1)
        // Field metadata is not part of the comparison.
        var plain = Rows.schema.fields
        plain[5] = Field("position__x", .float64, nullable: false)
        try store.append("t", try Rows.batch([Row(entity: 1, tick: 1, x: 1)], schema: Schema(plain)))
        #expect(Disk.entries(root.join("ns", "t")).count == 2)

        // Two foreign parts with different schemas: the read names the second part.
        let dir = root.join("ns", "foreign")
        try Disk.makeDirectory(dir)
        let s1 = Schema([Field("a", .int64, nullable: false)]), s2 = Schema([Field("a", .int32, nullable: false)])
        try Disk.writeParquet([try RecordBatch(schema: s1, columns: [ArrayData.from([1 as Int64])])], schema: s1, to: dir + "/a.parquet")
        try Disk.writeParquet([try RecordBatch(schema: s2, columns: [ArrayData.from([1 as Int32])])], schema: s2, to: dir + "/b.parquet")
        expectStoreError({ () throws(StoreError) in _ = try store.read("foreign", filter: .all, columns: nil) }) {
            if case .schemaMismatch("foreign", let part, _) = $0 { return part.hasSuffix("/b.parquet") } else { return false }
        }
        expectStoreError({ () throws(StoreError) in _ = try store.summarize(worldId: "w", runId: "r") }) {
            if case .schemaMismatch("foreign", _, _) = $0 { return true } else { return false }
        }
        // The table schema is the first part's.
        #expect(try store.tableSchema("foreign") == s1)
    }

    /// S13: projection returns exactly the requested columns in order; filter columns need not
    /// be projected and are the only extra columns decoded.
    @Test func s13_projection() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        for t in 0..<3 { try store.append("t", try Rows.tick(Int32(t), entities: 1...4)) }
        store.resetStatistics()
        let batches = try store.read("t", filter: ReadFilter(ticks: [1]), columns: ["position__x", "entity_id"])
        #expect(batches.count == 1)
        #expect(batches[0].schema.fields.map(\.name) == ["position__x", "entity_id"])
        #expect(batches[0].schema.fields[0].metadata.first?.0 == "unit")
        #expect(batches.doubles("position__x") == [1.01, 2.01, 3.01, 4.01])
        #expect(batches.int32s("entity_id") == [1, 2, 3, 4])
        #expect(store.statistics.decodedColumns == ["position__x": 1, "entity_id": 1, "tick": 1])
        // No columns: the row counts alone.
        let none = try store.read("t", filter: ReadFilter(ticks: [0, 2]), columns: [])
        #expect(none.allSatisfy { $0.columnCount == 0 } && none.rowCount == 8)
        func unknown(_ c: String) -> (StoreError) -> Bool { { $0 == .unknownColumn(table: "t", column: c) } }
        expectStoreError({ () throws(StoreError) in _ = try store.read("t", filter: .all, columns: ["nope"]) }, unknown("nope"))
        expectStoreError({ () throws(StoreError) in _ = try store.read("t", filter: .all, columns: ["tick", "tick"]) }, unknown("tick"))
        // Checked even when the filter matches nothing.
        expectStoreError({ () throws(StoreError) in _ = try store.read("t", filter: ReadFilter(ticks: []), columns: ["nope"]) }, unknown("nope"))
        // Filter columns: missing → unknownColumn, wrong type → schemaMismatch.
        let schema = Schema([Field("tick", .int64, nullable: false), Field("v", .float64)])
        try Disk.makeDirectory(root.join("ns", "odd"))
        try Disk.writeParquet([try RecordBatch(schema: schema, columns: [ArrayData.from([1 as Int64]), ArrayData.from([1.5 as Double?])])], schema: schema, to: root.join("ns", "odd", "p.parquet"))
        expectStoreError({ () throws(StoreError) in _ = try store.read("odd", filter: ReadFilter(worldId: "w"), columns: nil) }) {
            $0 == .unknownColumn(table: "odd", column: "world_id")
        }
        expectStoreError({ () throws(StoreError) in _ = try store.read("odd", filter: ReadFilter(ticks: [1]), columns: nil) }) {
            if case .schemaMismatch("odd", _, let d) = $0 { return d.contains("tick") } else { return false }
        }
        // A missing table reads as nothing, whatever the projection.
        #expect(try store.read("missing", filter: .all, columns: ["nope"]).isEmpty)
    }
}
