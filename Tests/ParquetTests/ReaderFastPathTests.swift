import Arrow
@testable import Parquet
import Testing

/// Pages of required INT32/INT64/FLOAT/DOUBLE PLAIN values are decompressed straight into the
/// values buffer: the same values as the general path, and damaged files still throw.
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
