import Arrow
@testable import Parquet
import Testing

/// Repeated dictionary runs of byte arrays (copied once, then doubled) against the per-value
/// gather, for both offset widths, a non-zero offset base and empty entries.
@Suite struct DictionaryGatherRunTests {
    static func dictionary(_ entries: [[UInt8]]) throws -> ByteArrayDictionary {
        var page: [UInt8] = []
        for e in entries { withUnsafeBytes(of: UInt32(e.count).littleEndian) { page += $0 }; page += e }
        return try page.withUnsafeBytes { try ByteArrayDictionary(plain: $0, count: entries.count) }
    }

    static func output(large: Bool, base: Int) -> ByteArrayOutput {
        let offsets = MutableBuffer(), data = MutableBuffer()
        if large { offsets.append(Int64(base)) } else { offsets.append(Int32(base)) }
        return ByteArrayOutput(offsets: offsets, data: data, largeOffsets: large, offsetBase: base)
    }

    static func contents(_ o: ByteArrayOutput) -> ([Int], [UInt8]) {
        let n = o.offsets.count / (o.largeOffsets ? 8 : 4)
        let offsets = (0..<n).map { o.largeOffsets ? Int(o.offsets.baseAddress.load(fromByteOffset: $0 * 8, as: Int64.self))
                                                    : Int(o.offsets.baseAddress.load(fromByteOffset: $0 * 4, as: Int32.self)) }
        return (offsets, Array(UnsafeRawBufferPointer(start: o.data.baseAddress, count: o.data.count)))
    }

    @Test(arguments: [false, true], [0, 7])
    func repeatedRunsMatchTheGather(large: Bool, base: Int) throws {
        let d = try Self.dictionary([Array("bench-world".utf8), [], Array("x".utf8), [UInt8](repeating: 0xAB, count: 100)])
        let runs: [(Int, Int)] = [(0, 1), (0, 5), (1, 3), (2, 1000), (3, 37), (0, 1), (1, 1), (3, 2)]
        let a = Self.output(large: large, base: base), b = Self.output(large: large, base: base)
        for (i, n) in runs {
            try ByteArrayGather.emitRepeated(i, n, d, a)
            var idx = [UInt32](repeating: UInt32(i), count: n)
            var done = 0
            while done < n {
                let k = Swift.min(512, n - done)
                try idx.withUnsafeMutableBufferPointer { (p) throws(ParquetError) in try ByteArrayGather.emit(p.baseAddress! + done, k, d, b) }
                done += k
            }
        }
        let (ao, ad) = Self.contents(a), (bo, bd) = Self.contents(b)
        #expect(ao == bo)
        #expect(ad == bd)
        #expect(ao.last == base + ad.count)
    }

    @Test func repeatedRunsRespectTheByteLimit() throws {
        let d = try Self.dictionary([[UInt8](repeating: 1, count: 1000)])
        let o = ByteArrayOutput(offsets: MutableBuffer(), data: MutableBuffer(), byteLimit: 10_000)
        try ByteArrayGather.emitRepeated(0, 10, d, o)
        #expect(throws: ParquetError.self) { try ByteArrayGather.emitRepeated(0, 1, d, o) }
        #expect(throws: ParquetError.self) { try ByteArrayGather.emitRepeated(0, Int.max / 2, d, o) }
        #expect(o.data.count == 10_000)
    }
}

/// Strings read from dictionary pages are checked through their dictionary entries: invalid
/// UTF-8 is still an error, PLAIN pages are still checked value by value.
@Suite struct DictionaryUTF8Tests {
    static func file(_ values: [[UInt8]], dictionary: Bool) throws -> ArrowBuffer {
        var offsets: [Int32] = [0]
        var data: [UInt8] = []
        for v in values { data += v; offsets.append(Int32(data.count)) }
        let column = ArrayData(unchecked: .utf8, length: values.count, nullCount: 0,
                               buffers: [nil, ArrowBuffer(values: offsets), ArrowBuffer(values: data)])
        let schema = Schema([Field("s", .utf8, nullable: false)])
        var options = ParquetWriterOptions()
        options.dictionary = dictionary
        options.dataPageBytes = 64
        return try ParquetFileWriter.write([RecordBatch(schema: schema, columns: [column])], schema: schema, options: options)
    }

    @Test(arguments: [true, false])
    func invalidStringsAreRejected(dictionary: Bool) throws {
        let good = (0..<200).map { Array("v\($0 % 3)-é".utf8) }
        let bytes = try Self.file(good, dictionary: dictionary)
        let back = try ParquetFileReader(bytes: bytes).readAll()
        #expect(try StringArray(back.columns[0]).value(at: 4) == "v1-é")
        var bad = good
        bad[150] = [0x76, 0xC3]   // a truncated two-byte character
        let badBytes = try Self.file(bad, dictionary: dictionary)
        #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: badBytes).readAll() }
        var lenient = ParquetReaderOptions()
        lenient.validateUTF8 = false
        #expect(try ParquetFileReader(bytes: badBytes, options: lenient).readAll().length == 200)
    }
}
