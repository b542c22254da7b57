import Arrow
@testable import Parquet
import Testing

/// The reader's fast paths: pages of required INT32/INT64/FLOAT/DOUBLE PLAIN values are
/// decompressed straight into the values buffer, definition levels that are one run at the
/// maximum are never materialised. Same values as the general path; damaged files still throw.
@Suite struct ReaderFastPathTests {
    static let schema = Schema([
        Field("i", .int32, nullable: false), Field("l", .int64, nullable: false),
        Field("f", .float32, nullable: false), Field("d", .float64, nullable: false),
        Field("o", .float64),
    ])

    static func batch(_ n: Int) throws -> RecordBatch {
        try RecordBatch(schema: schema, columns: [
            ArrayData.from((0..<n).map { Int32($0 &* 7) }),
            ArrayData.from((0..<n).map { Int64($0) << 33 }),
            ArrayData.from((0..<n).map { Float($0) / 3 }),
            ArrayData.from((0..<n).map { Double($0) * 0.25 }),
            ArrayData.from((0..<n).map { $0 % 5 == 0 ? nil : Double($0) }),
        ])
    }

    @Test(arguments: [CompressionCodec.snappy, .zstd, .gzip, .lz4Raw, .uncompressed])
    func valuesRoundTrip(codec: CompressionCodec) throws {
        let b = try Self.batch(5000)
        var options = ParquetWriterOptions()
        options.codec = codec
        options.dataPageBytes = 4096
        options.dictionary = false
        let back = try ParquetFileReader(bytes: try ParquetFileWriter.write([b], schema: Self.schema, options: options)).readAll()
        #expect(back == b)
    }

    /// Definition levels that are one run at the maximum stay implicit; pages with nulls before,
    /// between and after such pages get their levels right.
    @Test(arguments: [1, 2], [CompressionCodec.uncompressed, .snappy])
    func allPresentPagesMixWithNullPages(version: Int, codec: CompressionCodec) throws {
        let n = 3000
        let patterns: [(String, (Int) -> Bool)] = [
            ("none", { _ in false }),
            ("late", { $0 > 2500 && $0 % 7 == 0 }),
            ("early", { $0 < 300 && $0 % 3 == 0 }),
            ("middle", { $0 > 1400 && $0 < 1600 }),
            ("last", { $0 == n - 1 }),
            ("all", { _ in true }),
        ]
        for (name, isNull) in patterns {
            let schema = Schema([Field("d", .float64), Field("s", .utf8), Field("b", .boolean)])
            let d = ArrayData.from((0..<n).map { isNull($0) ? nil : Double($0) })
            let str = try ArrayData.from((0..<n).map { isNull($0) ? nil : "v\($0 % 10)" })
            let b = ArrayData.from((0..<n).map { isNull($0) ? nil : $0 % 2 == 0 })
            let batch = try RecordBatch(schema: schema, columns: [d, str, b])
            var options = ParquetWriterOptions()
            options.codec = codec
            options.pageVersion = version
            options.dataPageBytes = 1024
            let back = try ParquetFileReader(bytes: try ParquetFileWriter.write([batch], schema: schema, options: options)).readAll()
            #expect(back == batch, "\(name) v\(version) \(codec)")
            #expect(back.columns[0].nullCount == (0..<n).filter(isNull).count, "\(name)")
        }
    }

    @Test(arguments: [CompressionCodec.snappy, .zstd])
    func damagedPagesThrow(codec: CompressionCodec) throws {
        let b = try Self.batch(300)
        var options = ParquetWriterOptions()
        options.codec = codec
        options.dataPageBytes = 512
        options.dictionary = false
        let good = try ParquetFileWriter.write([b], schema: Self.schema, options: options)
        let bytes = good.withUnsafeBytes { Array($0) }
        // Every byte of the data (not the footer), changed three ways: a value error or a
        // ParquetError, never a trap.
        let footerLength = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt32.self) })
        let dataEnd = bytes.count - 8 - footerLength
        var errors = 0
        for i in stride(from: 4, to: dataEnd, by: 3) {
            for delta: UInt8 in [1, 0x80, 0xFF] {
                var damaged = bytes
                damaged[i] &+= delta
                do {
                    _ = try ParquetFileReader(bytes: damaged).readAll()
                } catch {
                    errors += 1
                }
            }
        }
        #expect(errors > 0)
    }
}
