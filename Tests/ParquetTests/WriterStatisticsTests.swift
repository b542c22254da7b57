import Arrow
@testable import Parquet
import Testing

/// Column statistics against brute-force references: the unrolled float bounds, the bounds of
/// dictionary-encoded byte arrays taken from the dictionary, and uncompressed PLAIN pages
/// written straight into the file.
@Suite struct WriterStatisticsTests {
    /// The bounds the type-defined order gives, computed the slow way.
    static func reference(_ values: [Double?]) -> (Double, Double)? {
        let present = values.compactMap { $0 }.filter { !$0.isNaN }
        guard var mn = present.min(), var mx = present.max() else { return nil }
        if mn == 0 { mn = -0.0 }
        if mx == 0 { mx = 0.0 }
        return (mn, mx)
    }

    static func bits(_ d: Double) -> UInt64 { d.bitPattern }

    @Test(arguments: 0..<60)
    func floatBoundsMatchTheReference(seed: Int) throws {
        var rng = ArrowRandom.Rng(state: UInt64(seed) &* 0x9E37_79B9 &+ 5)
        let n = seed < 20 ? seed + 1 : 1 + rng.int(200)
        let specials: [Double] = [.nan, .infinity, -.infinity, 0.0, -0.0, .greatestFiniteMagnitude, -.leastNonzeroMagnitude]
        var values: [Double?] = []
        for _ in 0..<n {
            switch rng.int(8) {
            case 0: values.append(specials[rng.int(specials.count)])
            case 1 where seed % 3 == 0: values.append(nil)
            default: values.append(Double(rng.int(2001)) - 1000.5)
            }
        }
        let stats = try Self.statistics(ArrayData.from(values), type: .float64)
        if let (mn, mx) = Self.reference(values) {
            #expect(stats.minValue == ColumnStatisticsBuilder.bytes(mn), "seed \(seed): min of \(values)")
            #expect(stats.maxValue == ColumnStatisticsBuilder.bytes(mx), "seed \(seed): max of \(values)")
        } else {
            #expect(stats.minValue == nil && stats.maxValue == nil, "seed \(seed)")
        }
    }

    @Test func allNaNHasNoBounds() throws {
        let stats = try Self.statistics(ArrayData.from([Double.nan, .nan, .nan, .nan, .nan, .nan, .nan, .nan, .nan]), type: .float64)
        #expect(stats.minValue == nil && stats.maxValue == nil)
    }

    @Test func infinitiesAreBounds() throws {
        var stats = try Self.statistics(ArrayData.from([Double.infinity, .infinity, .infinity, .infinity, .infinity]), type: .float64)
        #expect(stats.minValue == ColumnStatisticsBuilder.bytes(Double.infinity) && stats.maxValue == ColumnStatisticsBuilder.bytes(Double.infinity))
        stats = try Self.statistics(ArrayData.from([-Double.infinity, .nan, -.infinity, -.infinity, -.infinity]), type: .float64)
        #expect(stats.minValue == ColumnStatisticsBuilder.bytes(-Double.infinity) && stats.maxValue == ColumnStatisticsBuilder.bytes(-Double.infinity))
    }

    @Test func booleanBounds() throws {
        let cases: [([Bool?], [UInt8]?, [UInt8]?)] = [
            (Array(repeating: true, count: 100), [1], [1]),
            (Array(repeating: false, count: 70), [0], [0]),
            (Array(repeating: true, count: 99) + [false], [0], [1]),
            ([nil, true, nil, true], [1], [1]),
            ([false, nil, nil], [0], [0]),
            ([nil, nil], nil, nil),
        ]
        for (values, mn, mx) in cases {
            let stats = try Self.statistics(ArrayData.from(values), type: .boolean)
            #expect(stats.minValue == mn && stats.maxValue == mx, "\(values)")
        }
        // A slice whose bits start mid-byte.
        let schema = Schema([Field("v", .boolean, nullable: false)])
        let all = try RecordBatch(schema: schema, columns: [ArrayData.from([false, false, false] + Array(repeating: true, count: 20))])
        var options = ParquetWriterOptions()
        options.maxRowGroupRows = 20
        let reader = try ParquetFileReader(bytes: try ParquetFileWriter.write([all.slice(offset: 3, length: 20)], schema: schema, options: options))
        let stats = reader.metadata.rowGroups[0].columns[0].metaData!.statistics!
        #expect(stats.minValue == [1] && stats.maxValue == [1])
    }

    /// Byte-array bounds with the dictionary on, off, and falling back to PLAIN mid-chunk, under
    /// every codec (uncompressed pages take the direct PLAIN path).
    @Test(arguments: [CompressionCodec.uncompressed, .snappy], [1, 2])
    func byteArrayBoundsMatchTheReference(codec: CompressionCodec, version: Int) throws {
        var rng = ArrowRandom.Rng(state: 42)
        let n = 4000
        var strings: [String?] = []
        for i in 0..<n {
            // Early rows repeat a few values; later rows are distinct, so a small dictionary
            // limit falls back to PLAIN after some pages.
            if i % 17 == 3 { strings.append(nil); continue }
            let k = i < 1000 ? rng.int(5) : 1000 + i
            strings.append(String(repeating: "\u{e9}x", count: rng.int(4)) + "v\(k)")
        }
        let present = strings.compactMap { $0 }.map { Array($0.utf8) }
        let mn = present.min { $0.lexicographicallyPrecedes($1) }!
        let mx = present.max { $0.lexicographicallyPrecedes($1) }!
        let schema = Schema([Field("s", .utf8)])
        let batch = try RecordBatch(schema: schema, columns: [ArrayData.from(strings)])
        for (dictionary, limit) in [(true, 1 << 20), (true, 2 << 10), (false, 1 << 20)] {
            var options = ParquetWriterOptions()
            options.codec = codec
            options.pageVersion = version
            options.dictionary = dictionary
            options.maxDictionaryBytes = limit
            options.dataPageBytes = 4 << 10
            let bytes = try ParquetFileWriter.write([batch], schema: schema, options: options)
            let reader = try ParquetFileReader(bytes: bytes)
            let meta = reader.metadata.rowGroups[0].columns[0].metaData!
            #expect(meta.statistics?.minValue == mn && meta.statistics?.maxValue == mx, "dictionary \(dictionary) limit \(limit)")
            #expect(meta.statistics?.nullCount == Int64(n - present.count))
            if dictionary && limit < (1 << 20) { #expect(meta.encodings.contains(.plain) && meta.encodings.contains(.rleDictionary)) }
            #expect(try reader.readAll() == batch, "dictionary \(dictionary) limit \(limit)")
        }
    }

    /// The statistics the writer stores for one column.
    static func statistics(_ column: ArrayData, type: DataType) throws -> Statistics {
        let schema = Schema([Field("v", type)])
        let batch = try RecordBatch(schema: schema, columns: [column])
        var options = ParquetWriterOptions()
        options.dictionary = false
        let reader = try ParquetFileReader(bytes: try ParquetFileWriter.write([batch], schema: schema, options: options))
        return reader.metadata.rowGroups[0].columns[0].metaData!.statistics!
    }
}
