// The fuzz corpus in CI (docs/fuzzing.md, store.md §11.5):
// - every committed seed of the libFuzzer target through the target's own code path
//   (`ParquetFuzzHarness.run`);
// - seeded mutations of every Parquet fixture (the corpus's files plus the parquet-testing files
//   under 64 KB): truncations, byte flips in the footer, page headers and page bodies, and
//   length fields set to 0, −1 and 2³¹−1. Every read returns values or throws `ParquetError`,
//   within 5 s, and never traps (tests run in debug builds: overflow checks are on).
//
// Environment:
// - PARQUET_MUTATIONS: mutations per fixture (default 2000, the spec's figure);
// - PARQUET_MUTATION_SEED: a seed mixed into every fixture's generator (default 0), for longer
//   manual runs with fresh mutations;
// - PARQUET_MUTATION_FILTER: only fixtures whose name contains this string.

import Arrow
import Foundation
import Parquet
import ParquetFuzz
import Testing

/// The committed seed corpus and the mutation fixtures.
enum FuzzCorpus {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

    /// Every file of the committed corpus, by name.
    static let names: [String] = {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return all.filter { !$0.hasPrefix(".") }.sorted()
    }()

    static func bytes(_ name: String) -> [UInt8] {
        (try? Data(contentsOf: directory.appendingPathComponent(name))).map { [UInt8]($0) } ?? []
    }

    static let parquetTestingData = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/parquet-testing/data").standardizedFileURL

    /// A fixture: a Parquet file to mutate.
    struct Fixture: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        var testDescription: String { name }
    }

    /// The corpus files that are Parquet files (they start with `PAR1`) other than the inputs
    /// the fuzzer found (`fz-*`: mostly broken files already), then the parquet-testing files
    /// under 64 KB not already in the corpus (same bytes).
    static let fixtures: [Fixture] = {
        var out: [Fixture] = []
        var seen = Set<[UInt8]>()
        let magic: [UInt8] = Array("PAR1".utf8)
        for name in names where !name.hasPrefix("fz-") {
            let b = bytes(name)
            guard b.count >= 12, Array(b[0..<4]) == magic, seen.insert(b).inserted else { continue }
            out.append(Fixture(name: name, bytes: b))
        }
        let testing = (try? FileManager.default.contentsOfDirectory(atPath: parquetTestingData.path)) ?? []
        for file in testing.sorted() where file.hasSuffix(".parquet") {
            let url = parquetTestingData.appendingPathComponent(file)
            guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int,
                  size < 64 * 1024, let data = try? Data(contentsOf: url) else { continue }
            let b = [UInt8](data)
            guard seen.insert(b).inserted else { continue }
            out.append(Fixture(name: "parquet-testing/\(file)", bytes: b))
        }
        if let filter = ProcessInfo.processInfo.environment["PARQUET_MUTATION_FILTER"], !filter.isEmpty {
            out = out.filter { $0.name.contains(filter) }
        }
        return out
    }()

    static var mutationsPerFixture: Int {
        ProcessInfo.processInfo.environment["PARQUET_MUTATIONS"].flatMap { Int($0) } ?? 2000
    }

    static var extraSeed: UInt64 {
        ProcessInfo.processInfo.environment["PARQUET_MUTATION_SEED"].flatMap { UInt64($0) } ?? 0
    }
}

/// SplitMix64: deterministic, seeded per fixture.
struct MutationRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a of a name, for per-fixture seeds that do not depend on the run.
    static func seed(_ name: String, _ extra: UInt64) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h ^ extra
    }
}

/// Where the parts of a Parquet file are, found by decoding it (as far as it decodes).
struct ParquetLayout {
    struct Page {
        let headerStart: Int
        let headerLength: Int
        let header: PageHeader
        var bodyStart: Int { headerStart + headerLength }
        var bodyLength: Int { Int(header.compressedPageSize) }
    }

    var metadata: FileMetaData?
    /// The footer (Thrift `FileMetaData`), without the length and the closing magic.
    var footer: Range<Int>
    var pages: [Page] = []

    init(_ bytes: [UInt8]) {
        let n = bytes.count
        footer = max(0, n - 8)..<max(0, n - 8)
        guard let (metadata, length) = try? bytes.withUnsafeBytes({ try ParquetFooter.read($0) }) else { return }
        self.metadata = metadata
        footer = (n - 8 - length)..<(n - 8)
        bytes.withUnsafeBytes { raw in
            for group in metadata.rowGroups {
                for chunk in group.columns {
                    guard let meta = chunk.metaData, meta.numValues > 0 else { continue }
                    var pos = Int(clamping: meta.dataPageOffset)
                    if let d = meta.dictionaryPageOffset, d > 0, d < meta.dataPageOffset { pos = Int(d) }
                    var values: Int64 = 0
                    while values < meta.numValues, pos >= 4, pos < footer.lowerBound, pages.count < 10_000 {
                        guard let (header, length) = try? PageHeader.decode(raw, at: pos) else { break }
                        let page = Page(headerStart: pos, headerLength: length, header: header)
                        guard page.bodyLength >= 0, page.bodyLength <= footer.lowerBound - page.bodyStart else { break }
                        pages.append(page)
                        values += Int64(header.dataPageHeader?.numValues ?? header.dataPageHeaderV2?.numValues ?? 0)
                        pos = page.bodyStart + page.bodyLength
                    }
                }
            }
        }
    }
}

/// One seeded mutation of a Parquet file (store.md §11.5).
enum Mutation {
    static let lengthValues: [Int64] = [0, -1, Int64(Int32.max)]

    /// A mutated copy of `bytes` and a description of what was changed.
    static func apply(_ bytes: [UInt8], _ layout: ParquetLayout, _ rng: inout MutationRNG) -> ([UInt8], String) {
        var b = bytes
        let value = lengthValues.randomElement(using: &rng)!
        switch Int.random(in: 0..<10, using: &rng) {
        case 0:
            let at = Int.random(in: 0..<b.count, using: &rng)
            return (Array(b[0..<at]), "truncated at \(at)")
        case 1, 2:
            guard !layout.footer.isEmpty else { break }
            let flips = flipBytes(&b, in: layout.footer, &rng)
            return (b, "footer bytes flipped at \(flips)")
        case 3:
            guard let page = layout.pages.randomElement(using: &rng) else { break }
            let flips = flipBytes(&b, in: page.headerStart..<page.bodyStart, &rng)
            return (b, "page header bytes flipped at \(flips)")
        case 4, 5:
            guard let page = layout.pages.randomElement(using: &rng), page.bodyLength > 0 else { break }
            let flips = flipBytes(&b, in: page.bodyStart..<(page.bodyStart + page.bodyLength), &rng)
            return (b, "page body bytes flipped at \(flips)")
        case 6:
            guard let page = layout.pages.randomElement(using: &rng) else { break }
            let (header, field) = pageHeaderField(page.header, Int32(truncatingIfNeeded: value), &rng)
            var w = ThriftCompactWriter()
            header.encode(to: &w)
            b.replaceSubrange(page.headerStart..<page.bodyStart, with: w.bytes)
            return (b, "page header at \(page.headerStart): \(field) = \(value)")
        case 7:
            guard var metadata = layout.metadata else { break }
            let field = footerField(&metadata, value, &rng)
            var file = Array(b[0..<layout.footer.lowerBound])
            ParquetFooter.write(metadata, to: &file)
            return (file, "footer: \(field) = \(value)")
        case 8:
            // A 4-byte little-endian length inside a page body (level lengths, PLAIN byte-array
            // lengths, block headers…), or the footer length.
            if let page = layout.pages.randomElement(using: &rng), page.bodyLength >= 4, Bool.random(using: &rng) {
                let at = page.bodyStart + Int.random(in: 0...(page.bodyLength - 4), using: &rng)
                store(Int32(truncatingIfNeeded: value), &b, at: at)
                return (b, "4-byte length in a page body at \(at) = \(value)")
            }
            guard b.count >= 8 else { break }
            store(Int32(truncatingIfNeeded: value), &b, at: b.count - 8)
            return (b, "footer length = \(value)")
        default:
            break
        }
        // Anywhere in the file.
        let flips = flipBytes(&b, in: 0..<b.count, &rng)
        return (b, "bytes flipped at \(flips)")
    }

    static func store(_ v: Int32, _ b: inout [UInt8], at offset: Int) {
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<4 { b[offset + i] = $0[i] } }
    }

    /// Flips 1–4 bytes of `range`: one bit, a random byte, 0x00 or 0xFF.
    static func flipBytes(_ b: inout [UInt8], in range: Range<Int>, _ rng: inout MutationRNG) -> [Int] {
        guard !range.isEmpty else { return [] }
        var at: [Int] = []
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let i = Int.random(in: range, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: b[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1: b[i] = UInt8.random(in: 0...255, using: &rng)
            case 2: b[i] = 0
            default: b[i] = 0xFF
            }
            at.append(i)
        }
        return at
    }

    static func pageHeaderField(_ h: PageHeader, _ v: Int32, _ rng: inout MutationRNG) -> (PageHeader, String) {
        var h = h
        var choices: [String] = ["uncompressed_page_size", "compressed_page_size"]
        if h.dataPageHeader != nil { choices.append("num_values") }
        if h.dataPageHeaderV2 != nil {
            choices += ["v2.num_values", "v2.num_nulls", "v2.num_rows", "definition_levels_byte_length", "repetition_levels_byte_length"]
        }
        if h.dictionaryPageHeader != nil { choices.append("dictionary.num_values") }
        let field = choices.randomElement(using: &rng)!
        switch field {
        case "uncompressed_page_size": h.uncompressedPageSize = v
        case "compressed_page_size": h.compressedPageSize = v
        case "num_values": h.dataPageHeader?.numValues = v
        case "v2.num_values": h.dataPageHeaderV2?.numValues = v
        case "v2.num_nulls": h.dataPageHeaderV2?.numNulls = v
        case "v2.num_rows": h.dataPageHeaderV2?.numRows = v
        case "definition_levels_byte_length": h.dataPageHeaderV2?.definitionLevelsByteLength = v
        case "repetition_levels_byte_length": h.dataPageHeaderV2?.repetitionLevelsByteLength = v
        default: h.dictionaryPageHeader?.numValues = v
        }
        return (h, field)
    }

    static func footerField(_ m: inout FileMetaData, _ v: Int64, _ rng: inout MutationRNG) -> String {
        let v32 = Int32(truncatingIfNeeded: v)
        var choices = ["num_rows"]
        if !m.rowGroups.isEmpty {
            choices += ["row_group.num_rows", "num_values", "total_compressed_size", "data_page_offset", "dictionary_page_offset"]
        }
        if m.schema.contains(where: { $0.numChildren != nil }) { choices.append("num_children") }
        if m.schema.contains(where: { $0.typeLength != nil }) { choices.append("type_length") }
        let field = choices.randomElement(using: &rng)!
        switch field {
        case "num_rows": m.numRows = v
        case "num_children":
            let i = m.schema.indices.filter { m.schema[$0].numChildren != nil }.randomElement(using: &rng)!
            m.schema[i].numChildren = v32
            return "schema[\(i)].num_children"
        case "type_length":
            let i = m.schema.indices.filter { m.schema[$0].typeLength != nil }.randomElement(using: &rng)!
            m.schema[i].typeLength = v32
            return "schema[\(i)].type_length"
        default:
            let g = Int.random(in: 0..<m.rowGroups.count, using: &rng)
            if field == "row_group.num_rows" {
                m.rowGroups[g].numRows = v
                return "row_groups[\(g)].num_rows"
            }
            guard !m.rowGroups[g].columns.isEmpty else { return "nothing (row group \(g) has no columns)" }
            let c = Int.random(in: 0..<m.rowGroups[g].columns.count, using: &rng)
            switch field {
            case "num_values": m.rowGroups[g].columns[c].metaData?.numValues = v
            case "total_compressed_size": m.rowGroups[g].columns[c].metaData?.totalCompressedSize = v
            case "data_page_offset": m.rowGroups[g].columns[c].metaData?.dataPageOffset = v
            default: m.rowGroups[g].columns[c].metaData?.dictionaryPageOffset = v
            }
            return "row_groups[\(g)].columns[\(c)].\(field)"
        }
        return field
    }
}

@Suite struct FuzzCorpusReplayTests {
    /// The committed corpus is there and not empty (a missing directory would make the replay
    /// test pass vacuously).
    @Test func corpusIsPresent() {
        #expect(FuzzCorpus.names.count >= 50, "seed corpus at \(FuzzCorpus.directory.path)")
        let total = FuzzCorpus.names.reduce(0) { $0 + FuzzCorpus.bytes($1).count }
        #expect(total < 1 << 20, "the committed corpus should stay under 1 MB (\(total) bytes)")
    }

    /// Every seed through the fuzz target's code path: values or `ParquetError`, and the values
    /// returned are valid Arrow data.
    @Test(arguments: FuzzCorpus.names)
    func replay(_ name: String) {
        let bytes = FuzzCorpus.bytes(name)
        let clock = ContinuousClock()
        var result = ParquetFuzzResult()
        let elapsed = clock.measure { result = ParquetFuzzHarness.run(bytes) }
        #expect(result.invalidOutput == nil, "\(name): \(result.invalidOutput ?? "")")
        #expect(result.batches > 0 || !result.errors.isEmpty, "\(name): neither values nor an error")
        #expect(elapsed < .seconds(5), "\(name): read took \(elapsed)")
        // Files written by pyarrow are valid: they must read without any error.
        if name.hasPrefix("gen-") {
            #expect(result.errors.isEmpty, "\(name): \(result.errors.map(\.description))")
        }
    }

    /// store.md §11.5: seeded mutations of every fixture.
    @Test(arguments: FuzzCorpus.fixtures)
    func mutations(_ fixture: FuzzCorpus.Fixture) {
        let layout = ParquetLayout(fixture.bytes)
        var rng = MutationRNG(seed: MutationRNG.seed(fixture.name, FuzzCorpus.extraSeed))
        let clock = ContinuousClock()
        var slowest: Duration = .zero
        var rejected = 0, read = 0
        for i in 0..<FuzzCorpus.mutationsPerFixture {
            let (mutated, what) = Mutation.apply(fixture.bytes, layout, &rng)
            var result = ParquetFuzzResult()
            let elapsed = clock.measure {
                result = mutated.withUnsafeBytes { ParquetFuzzHarness.readFile($0) }
            }
            slowest = max(slowest, elapsed)
            if !result.errors.isEmpty { rejected += 1 }
            if result.batches > 0 { read += 1 }
            #expect(elapsed < .seconds(5), "\(fixture.name) mutation \(i) (\(what)): read took \(elapsed)")
            #expect(result.invalidOutput == nil, "\(fixture.name) mutation \(i) (\(what)): \(result.invalidOutput ?? "")")
        }
        #expect(slowest < .seconds(5))
        // The mutations do reach the reader: some are rejected (truncations always are).
        if FuzzCorpus.mutationsPerFixture >= 100 {
            #expect(rejected > 0, "\(fixture.name): no mutation was rejected (\(read) read)")
        }
    }
}
