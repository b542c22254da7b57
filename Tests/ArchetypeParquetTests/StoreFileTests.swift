import Arrow
import ArchetypeCore
@testable import ArchetypeParquet
import Foundation
import Parquet
import Testing

/// The files the store writes (store.md §9; S18, S21, S22) and part names (§2.3).
@Suite struct StoreFileTests {
    static func onlyPart(_ store: ParquetStore, _ table: String) throws -> ParquetFileReader {
        let names = try store.partNames(table)
        try #require(names.count == 1)
        return try ParquetFileReader(path: store.tableDirectory(table) + "/" + names[0])
    }

    /// The file profile: created_by, ARROW:schema, TypeDefinedOrder, dictionary only for
    /// world_id and run_id, statistics on the base columns.
    @Test func filesFollowTheProfile() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        try store.append("t", try Rows.tick(4, entities: 1...50))
        let reader = try Self.onlyPart(store, "t")
        let m = reader.metadata
        #expect(m.version == 2)
        #expect(m.createdBy == "archetype version 0.1.0")
        #expect(m.metadataValue(forKey: "ARROW:schema") != nil)
        #expect(reader.usedArrowSchemaHint)
        #expect(reader.schema == Rows.schema)
        #expect(m.columnOrders == Array(repeating: .typeDefinedOrder, count: 6))
        #expect(m.rowGroups.count == 1)
        for chunk in m.rowGroups[0].columns {
            let meta = try #require(chunk.metaData)
            let name = meta.pathInSchema[0]
            #expect(meta.codec == .snappy)
            let dictionary = name == "world_id" || name == "run_id"
            #expect(meta.encodings.contains(.rleDictionary) == dictionary, "\(name)")
            #expect((meta.dictionaryPageOffset != nil) == dictionary, "\(name)")
            #expect(meta.statistics?.minValue != nil && meta.statistics?.maxValue != nil, "\(name)")
            #expect(meta.statistics?.nullCount == 0, "\(name)")
        }
        // Another dictionary column on request.
        var options = ParquetStoreOptions()
        options.dictionaryColumns = ["position__x"]
        let other = try ParquetStore(root: root.path, namespace: "dict", options: options)
        try other.append("t", try Rows.tick(4, entities: 1...50))
        let encodings = try Self.onlyPart(other, "t").metadata.rowGroups[0].columns.map { ($0.metaData!.pathInSchema[0], $0.metaData!.encodings.contains(.rleDictionary)) }
        #expect(encodings.filter(\.1).map(\.0) == ["world_id", "run_id", "position__x"])
    }

    /// S21: each writable codec is recorded in every column chunk, and the part reads back.
    @Test(arguments: [
        (ParquetStoreOptions.Codec.none, CompressionCodec.uncompressed), (.snappy, .snappy), (.gzip(level: 6), .gzip),
        (.zstd(level: 3), .zstd), (.lz4Raw, .lz4Raw),
    ])
    func s21_codecsAreRecorded(codec: ParquetStoreOptions.Codec, expected: CompressionCodec) throws {
        let root = TemporaryRoot()
        var options = ParquetStoreOptions()
        options.codec = codec
        let store = try ParquetStore(root: root.path, namespace: "ns", options: options)
        try store.append("t", try Rows.tick(1, entities: 1...100))
        let reader = try Self.onlyPart(store, "t")
        #expect(reader.metadata.rowGroups[0].columns.allSatisfy { $0.metaData?.codec == expected })
        #expect(try store.read("t", filter: .all, columns: ["entity_id"]).int32s("entity_id") == (1...100).map { Int32($0) })
    }

    /// S22: `maxRowGroupRows = 1000` and a 2,500-row append give row groups of 1000, 1000, 500.
    @Test func s22_rowGroupsFollowMaxRowGroupRows() throws {
        let root = TemporaryRoot()
        var options = ParquetStoreOptions()
        options.maxRowGroupRows = 1000
        let store = try ParquetStore(root: root.path, namespace: "ns", options: options)
        try store.append("t", try Rows.tick(0, entities: 1...2500))
        let reader = try Self.onlyPart(store, "t")
        #expect(reader.metadata.rowGroups.map(\.numRows) == [1000, 1000, 500])
        #expect(try store.read("t", filter: .all, columns: nil).map(\.length) == [1000, 1000, 500])
    }

    /// S18 through the store: damaged parts give errors naming the part, never a crash.
    @Test func s18_corruptionGivesErrors() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        try store.append("t", try Rows.tick(0, entities: 1...20))
        let good = try Disk.read(root.join("ns", "t", try store.partNames("t")[0]))
        func damaged(_ name: String, _ bytes: [UInt8], _ matches: @escaping (StoreError) -> Bool) throws {
            let dir = root.join("ns", name)
            try Disk.makeDirectory(dir)
            try Disk.write(bytes, to: dir + "/part-0.parquet")
            expectStoreError({ () throws(StoreError) in _ = try store.read(name, filter: .all, columns: nil) }, matches)
            expectStoreError({ () throws(StoreError) in _ = try store.summarize(worldId: "w", runId: "r") }, matches)
            try FileManager.default.removeItem(atPath: dir)
        }
        func corrupt(_ e: StoreError) -> Bool { if case .corrupt(let d) = e { return d.contains("part-0.parquet") } else { return false } }
        try damaged("truncated", Array(good.prefix(good.count - 5)), corrupt)
        try damaged("tiny", [0x50, 0x41, 0x52], corrupt)
        var badMagic = good
        badMagic[badMagic.count - 1] = 0x58
        try damaged("badmagic", badMagic, corrupt)
        var encrypted = good
        encrypted.replaceSubrange((encrypted.count - 4)..., with: Array("PARE".utf8))
        try damaged("encrypted", encrypted) { e in
            if case .unsupported(let d) = e { return d.contains("encrypted Parquet") } else { return false }
        }
        // Damaged pages (the footer intact): corrupt when the data is decoded.
        var pages = good
        for i in 4..<min(200, pages.count - 100) { pages[i] = 0xFF }
        let dir = root.join("ns", "pages")
        try Disk.makeDirectory(dir)
        try Disk.write(pages, to: dir + "/part-0.parquet")
        do {
            _ = try store.read("pages", filter: .all, columns: nil)
            Issue.record("expected an error")
        } catch {
            switch error {
            case .corrupt, .unsupported, .limitExceeded: break
            default: Issue.record("unexpected \(error)")
            }
        }
    }

    /// §2.3: the first append of the process sorts after every existing part name, even one
    /// from the future.
    @Test func partNamesBumpPastTheGreatestExistingName() throws {
        let root = TemporaryRoot()
        do {
            let store = try ParquetStore(root: root.path, namespace: "ns")
            try store.append("t", try Rows.tick(0, entities: 1...1))
        }
        let dir = root.join("ns", "t")
        let first = Disk.entries(dir)[0]
        // A copy named one day ahead, counter 0xabc.
        let ms = UInt64(Date().timeIntervalSince1970 * 1000) + 86_400_000
        var hex = String(ms, radix: 16)
        hex = String(repeating: "0", count: 12 - hex.count) + hex
        let future = "part-\(hex.prefix(8))-\(hex.dropFirst(8))-7abc-8000-000000000000.parquet"
        try FileManager.default.copyItem(atPath: dir + "/" + first, toPath: dir + "/" + future)
        let store = try ParquetStore(root: root.path, namespace: "ns")
        try store.append("t", try Rows.tick(1, entities: 1...1))
        try store.append("t", try Rows.tick(2, entities: 1...1))
        let names = Disk.entries(dir)
        #expect(names.count == 4)
        #expect(names[1] == future)
        #expect(names[2].hasPrefix("part-\(hex.prefix(8))-\(hex.dropFirst(8))-7abd"))
        #expect(try store.read("t", filter: .all, columns: nil).int32s("tick") == [0, 0, 1, 2])
        // Other tables of the namespace keep sorting in append order.
        try store.append("u", try Rows.tick(0, entities: 1...1))
        try store.append("u", try Rows.tick(1, entities: 1...1))
        #expect(try store.read("u", filter: .all, columns: nil).int32s("tick") == [0, 1])
    }

    @Test func floorParsing() {
        let f = ParquetStoreLayout.floor(ofPartName: "part-0190a5b3-7c4d-7abc-8def-0123456789ab.parquet")
        #expect(f?.ms == 0x0190a5b37c4d && f?.counter == 0xabc)
        #expect(ParquetStoreLayout.floor(ofPartName: "part-0190a5b3-7c4d-4abc-8def-0123456789ab.parquet")?.counter == 0)
        #expect(ParquetStoreLayout.floor(ofPartName: "part-0190a5b3-7c4d-fabc-8def-0123456789ab.parquet")?.counter == 0xFFF)
        #expect(ParquetStoreLayout.floor(ofPartName: "foreign.parquet") == nil)
        #expect(ParquetStoreLayout.floor(ofPartName: "part-zz.parquet") == nil)
        #expect(ParquetStoreLayout.isPartCandidate("part-x.parquet"))
        #expect(ParquetStoreLayout.isPartCandidate("a.parquet"))
        #expect(!ParquetStoreLayout.isPartCandidate(".parquet"))
        #expect(!ParquetStoreLayout.isPartCandidate("_a.parquet"))
        #expect(!ParquetStoreLayout.isPartCandidate("a.parquet.tmp"))
        #expect(ParquetStoreLayout.isStagingFileName(".part-a.parquet.tmp"))
        #expect(ParquetStoreLayout.isStagingFileName("part-a.parquet.tmp"))
        #expect(!ParquetStoreLayout.isStagingFileName("part-.parquet.tmp"))
        #expect(!ParquetStoreLayout.isStagingFileName("..part-a.parquet.tmp"))
        #expect(!ParquetStoreLayout.isStagingFileName(".x-a.parquet.tmp"))
    }
}
