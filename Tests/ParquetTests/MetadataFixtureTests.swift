// Footers and page headers of every file in ../shared/parquet-testing, checked against its
// manifest (what pyarrow sees).

import Foundation
import Parquet
import Testing

/// The parquet-testing corpus next to the repository, or `nil` when absent.
enum ParquetTestingCorpus {
    static let root: URL? = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/parquet-testing").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("manifest.json").path) ? url : nil
    }()

    /// The manifest entries, by relative path.
    nonisolated(unsafe) static let manifest: [String: [String: Any]] = {
        guard let root, let data = try? Data(contentsOf: root.appendingPathComponent("manifest.json")),
              let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return [:] }
        var out: [String: [String: Any]] = [:]
        for e in list { if let f = e["file"] as? String { out[f] = e } }
        return out
    }()

    /// Every `.parquet` file under `data/` and `bad_data/`, relative to the root.
    static let files: [String] = {
        guard let root else { return [] }
        var out: [String] = []
        for dir in ["data", "bad_data"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? []
            out += names.filter { $0.hasSuffix(".parquet") }.map { "\(dir)/\($0)" }
        }
        return out.sorted()
    }()

    static func bytes(_ file: String) -> [UInt8]? {
        guard let root, let data = try? Data(contentsOf: root.appendingPathComponent(file)) else { return nil }
        return [UInt8](data)
    }
}

/// Decodes the footer of `bytes`.
func readFooter(_ bytes: [UInt8]) throws(ParquetError) -> (FileMetaData, Int) {
    let r: Result<(FileMetaData, Int), ParquetError> = bytes.withUnsafeBytes { buffer in
        do throws(ParquetError) {
            let (m, n) = try ParquetFooter.read(buffer)
            return .success((m, n))
        } catch {
            return .failure(error)
        }
    }
    return try r.get()
}

/// The name pyarrow prints for a page type.
func pageTypeName(_ t: PageType) -> String {
    switch t {
    case .dataPage: "DATA_PAGE"
    case .indexPage: "INDEX_PAGE"
    case .dictionaryPage: "DICTIONARY_PAGE"
    case .dataPageV2: "DATA_PAGE_V2"
    case .unknown(let v): "UNKNOWN(\(v))"
    }
}

/// Walks the page headers of a column chunk as the manifest generator does: from the lower of
/// the dictionary and data page offsets (ignoring offsets below 4), until the chunk's
/// compressed size is used up or its data pages hold `num_values` values. Returns page counts
/// by type name.
func walkPages(_ file: UnsafeRawBufferPointer, _ meta: ColumnMetaData) throws(ParquetError) -> [String: Int] {
    var candidates = [meta.dataPageOffset]
    if let d = meta.dictionaryPageOffset { candidates.append(d) }
    guard let start64 = candidates.filter({ $0 >= 4 }).min(), let start = Int(exactly: start64) else {
        throw .corrupt("column chunk has no usable page offset")
    }
    let (end, overflow) = start.addingReportingOverflow(Int(truncatingIfNeeded: meta.totalCompressedSize))
    guard !overflow else { throw .corrupt("chunk end overflows") }
    var counts: [String: Int] = [:]
    var values: Int64 = 0
    var position = start
    while position < end && (values < meta.numValues || meta.numValues == 0) {
        let (header, length) = try PageHeader.decode(file, at: position)
        counts[pageTypeName(header.type), default: 0] += 1
        if let d = header.dataPageHeader, header.type == .dataPage { values += Int64(d.numValues) }
        if let d = header.dataPageHeaderV2, header.type == .dataPageV2 { values += Int64(d.numValues) }
        guard header.compressedPageSize >= 0 else { throw .corrupt("negative compressed_page_size") }
        position += length + Int(header.compressedPageSize)
        guard position <= file.count else { throw .corrupt("page runs past the end of the file") }
    }
    return counts
}

@Suite struct MetadataFixtureTests {
    @Test func corpusIsPresentOrSkipped() {
        if ParquetTestingCorpus.root == nil { return }
        #expect(ParquetTestingCorpus.files.count >= 70)
        #expect(ParquetTestingCorpus.manifest.count == ParquetTestingCorpus.files.count)
    }

    @Test(arguments: ParquetTestingCorpus.files)
    func footerMatchesManifest(_ file: String) throws {
        guard let bytes = ParquetTestingCorpus.bytes(file) else {
            Issue.record("cannot read \(file)")
            return
        }
        let entry = ParquetTestingCorpus.manifest[file]
        let facts = entry?["parquet"] as? [String: Any]
        let mustDecode = (entry?["expected"] as? String) == "match" && facts != nil

        let metadata: FileMetaData
        do throws(ParquetError) {
            (metadata, _) = try readFooter(bytes)
        } catch {
            // Files whose footer pyarrow cannot read may fail, with a ParquetError.
            #expect(!mustDecode, "\(file): \(error)")
            return
        }
        // What we decode, we re-encode to bytes that decode to the same metadata.
        #expect(try FileMetaData.decode(metadata.encoded()) == metadata, "\(file) re-encoded")
        guard let facts else { return }

        // File-level facts.
        #expect(metadata.rowGroups.count == facts["row_groups"].flatMap { ($0 as? [Any])?.count }, "\(file) row groups")
        if let n = entry?["num_row_groups"] as? Int { #expect(metadata.rowGroups.count == n, "\(file)") }
        // pyarrow counts the rows of the row groups (data/repeated_no_annotation.parquet declares
        // num_rows = 0 in FileMetaData but holds a row group of 6 rows).
        if let n = entry?["num_rows"] as? Int, mustDecode {
            #expect(metadata.rowGroups.reduce(0) { $0 + $1.numRows } == Int64(n), "\(file) num_rows")
        }
        #expect((metadata.createdBy ?? "") == (facts["created_by"] as? String ?? ""), "\(file) created_by")
        if let v = facts["format_version"] as? String { #expect((metadata.version == 1) == (v == "1.0"), "\(file) version") }
        let leaves = metadata.schema.dropFirst().filter { $0.numChildren == nil }.count
        #expect(leaves == facts["num_leaf_columns"] as? Int, "\(file) leaf columns")
        for g in metadata.rowGroups { #expect(g.columns.count == leaves, "\(file) chunks per row group") }

        var codecs = Set<String>()
        var encodings = Set<String>()
        for g in metadata.rowGroups {
            for c in g.columns {
                guard let m = c.metaData else { continue }
                codecs.insert(m.codec.name)
                for e in m.encodings { encodings.insert(e.name) }
            }
        }
        #expect(codecs.sorted() == (facts["codecs"] as? [String] ?? []), "\(file) codecs")
        #expect(encodings.sorted() == (facts["encodings"] as? [String] ?? []), "\(file) encodings")

        // Row groups and column chunks.
        let groups = facts["row_groups"] as? [[String: Any]] ?? []
        for (g, group) in zip(metadata.rowGroups, groups) {
            #expect(g.numRows == Int64(group["num_rows"] as? Int ?? -1), "\(file) row group rows")
            let chunks = group["columns"] as? [[String: Any]] ?? []
            #expect(chunks.count == g.columns.count)
            for (c, chunk) in zip(g.columns, chunks) {
                guard let m = c.metaData else {
                    Issue.record("\(file): chunk without metadata")
                    continue
                }
                #expect(m.pathInSchema.joined(separator: ".") == chunk["path"] as? String, "\(file) path")
                #expect(m.codec.name == chunk["codec"] as? String, "\(file) codec")
                #expect(m.encodings.map(\.name) == (chunk["encodings"] as? [String] ?? []), "\(file) chunk encodings")
                #expect(m.numValues == Int64(chunk["num_values"] as? Int ?? -1), "\(file) num_values")
                #expect((m.dictionaryPageOffset != nil) == (chunk["has_dictionary_page"] as? Bool), "\(file) dictionary page")
                #expect((c.columnIndexOffset != nil) == (chunk["has_column_index"] as? Bool), "\(file) column index")
                #expect((c.offsetIndexOffset != nil) == (chunk["has_offset_index"] as? Bool), "\(file) offset index")
                if let stats = chunk["statistics"] as? [String: Any] {
                    if let n = stats["null_count"] as? Int { #expect(m.statistics?.nullCount == Int64(n), "\(file) null_count") }
                    if let n = stats["distinct_count"] as? Int { #expect(m.statistics?.distinctCount == Int64(n), "\(file) distinct") }
                }
            }
        }
    }

    @Test(arguments: ParquetTestingCorpus.files)
    func pageHeadersMatchManifest(_ file: String) throws {
        guard let bytes = ParquetTestingCorpus.bytes(file),
              let (metadata, _) = try? readFooter(bytes) else { return }
        let facts = ParquetTestingCorpus.manifest[file]?["parquet"] as? [String: Any]
        let groups = facts?["row_groups"] as? [[String: Any]] ?? []
        let mustWalk = (ParquetTestingCorpus.manifest[file]?["expected"] as? String) == "match"
        var totals: [String: Int] = [:]
        var failures = 0
        bytes.withUnsafeBytes { buffer in
            for (g, group) in metadata.rowGroups.enumerated() {
                let chunks = g < groups.count ? (groups[g]["columns"] as? [[String: Any]] ?? []) : []
                for (c, chunk) in group.columns.enumerated() {
                    guard let meta = chunk.metaData else { continue }
                    do throws(ParquetError) {
                        let counts = try walkPages(buffer, meta)
                        for (k, v) in counts { totals[k, default: 0] += v }
                        if c < chunks.count, let expected = chunks[c]["page_counts"] as? [String: Int] {
                            #expect(counts == expected, "\(file) row group \(g) column \(c)")
                        }
                    } catch {
                        failures += 1
                        // Files pyarrow reads must walk; in bad files the walks may fail where the
                        // generator's lenient walk did not (a DataPageHeader.num_values sent as i16
                        // in ARROW-RS-GH-6229-DICTHEADER is a missing required field here).
                        if c < chunks.count && mustWalk {
                            #expect(chunks[c]["page_scan_error"] != nil, "\(file) row group \(g) column \(c): \(error)")
                        }
                    }
                }
            }
        }
        if let facts, let expected = facts["page_counts"] as? [String: Int] {
            if mustWalk { #expect(failures == facts["page_scan_errors"] as? Int, "\(file) scan errors") }
            if failures == 0 { #expect(totals == expected, "\(file) page counts") }
        }
    }

    /// Truncating a real footer at every length throws (the footer is one struct, so a strict
    /// prefix always lacks its final stop field).
    @Test(arguments: [
        "data/alltypes_plain.parquet", "data/nested_maps.snappy.parquet", "data/sort_columns.parquet",
        "data/column_chunk_key_value_metadata.parquet", "data/unknown-logical-type.parquet",
        "data/data_index_bloom_encoding_stats.parquet",
    ])
    func truncatedRealFootersThrow(_ file: String) throws {
        guard let bytes = ParquetTestingCorpus.bytes(file) else { return }
        let (metadata, length) = try readFooter(bytes)
        let footer = Array(bytes[(bytes.count - 8 - length)..<(bytes.count - 8)])
        // The footer is exactly one FileMetaData.
        let consumed = try withReader(footer) { r throws(ParquetError) -> Int in
            _ = try FileMetaData.decode(from: &r)
            return r.position
        }
        #expect(consumed == footer.count)
        for n in 0..<footer.count {
            #expect(isCorruptWithOffset(thrownError { _ = try FileMetaData.decode(Array(footer[0..<n])) }), "\(file) prefix \(n)")
        }
        // Re-encoding what we decoded and decoding again gives the same metadata.
        #expect(try FileMetaData.decode(metadata.encoded()) == metadata)
    }

    /// Seeded byte flips and truncations of every real footer: decoding returns or throws.
    @Test(arguments: ParquetTestingCorpus.files)
    func mutatedRealFootersNeverTrap(_ file: String) throws {
        guard let bytes = ParquetTestingCorpus.bytes(file), bytes.count >= 12 else { return }
        let length = Int(UInt32(bytes[bytes.count - 8]) | UInt32(bytes[bytes.count - 7]) << 8
                         | UInt32(bytes[bytes.count - 6]) << 16 | UInt32(bytes[bytes.count - 5]) << 24)
        guard length <= bytes.count - 12 else { return }
        let footer = Array(bytes[(bytes.count - 8 - length)..<(bytes.count - 8)])
        guard !footer.isEmpty else { return }
        var rng = SplitMix64(seed: UInt64(truncatingIfNeeded: file.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }))
        let rounds = footer.count > 20_000 ? 20 : 200
        for _ in 0..<rounds {
            var m = footer
            let i = Int.random(in: 0..<m.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: m[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: m[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 2: m.replaceSubrange(i..<Swift.min(m.count, i + 5), with: [0xFF, 0xFF, 0xFF, 0xFF, 0x07])
            case 3: m[i] = 0x00
            default: m = Array(m[0..<i])
            }
            _ = try? FileMetaData.decode(m)
        }
    }
}
