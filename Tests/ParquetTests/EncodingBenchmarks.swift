import Arrow
@testable import Parquet
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Throughput of the hot decode and encode paths. Not a correctness test: runs only with
/// `ENCODING_BENCH=1`, meant for release builds:
/// `ENCODING_BENCH=1 swift test -c release --filter EncodingBenchmarks`.
@Suite(.enabled(if: getenv("ENCODING_BENCH") != nil))
struct EncodingBenchmarks {
    typealias S = EncodingTestSupport

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Best time of `reps` runs of `body`, printed as MB/s of `bytes` and M values/s.
    static func measure(_ name: String, bytes: Int, values: Int, reps: Int = 20, _ body: () throws -> Void) rethrows {
        var best = Double.infinity
        for _ in 0..<reps {
            let t = now()
            try body()
            best = Swift.min(best, now() - t)
        }
        let mbps = Double(bytes) / best / 1e6
        let mvps = Double(values) / best / 1e6
        print("BENCH \(name): \(String(format: "%.0f", mbps)) MB/s, \(String(format: "%.0f", mvps)) M values/s (\(String(format: "%.3f", best * 1e3)) ms)")
    }

    static let n = 1 << 20

    @Test func decoders() throws {
        var rng = SeededRNG(seed: 1)
        let n = Self.n
        // PLAIN INT64 / DOUBLE.
        let plain = (0..<(n * 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let out = MutableBuffer(capacity: n * 8)
        try plain.withUnsafeBytes { p in
            try Self.measure("PLAIN double decode", bytes: n * 8, values: n) {
                out.resize(to: 0)
                var d = try FixedWidthValueDecoder(physicalType: .double, encoding: .plain, data: p, valueCount: n)
                try d.decode(n, appendingTo: out)
            }
        }
        // RLE/bit-packed dictionary indices, random at width 10 (bit-packed runs), and runs.
        for (name, values) in [("random width 10", (0..<n).map { _ in UInt32(rng.next() % 1000) }),
                               ("runs of 100", (0..<n).map { UInt32(($0 / 100) % 1000) })] {
            let page = MutableBuffer()
            values.withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, bitWidth: 10, into: page) }
            let dict = FixedWidthDictionary(values: ArrowBuffer(values: (0..<1000).map { Double($0) }), count: 1000, byteWidth: 8)
            try UnsafeRawBufferPointer(start: page.baseAddress, count: page.count).withMemoryRebound(to: UInt8.self) { _ in }
            let bytes = UnsafeRawBufferPointer(start: page.baseAddress, count: page.count)
            try Self.measure("RLE indices decode (\(name))", bytes: n * 4, values: n) {
                out.resize(to: 0)
                var d = try RLEHybridDecoder(dictionaryIndices: bytes)
                try d.decode(n, appendingTo: out)
            }
            try Self.measure("dictionary gather double (\(name))", bytes: n * 8, values: n) {
                out.resize(to: 0)
                var d = try FixedWidthValueDecoder(physicalType: .double, encoding: .rleDictionary, data: bytes, valueCount: n, dictionary: dict)
                try d.decode(n, appendingTo: out)
            }
        }
        // Definition levels: all defined (one run) and random 0/1.
        for (name, levels) in [("all 1", [Int16](repeating: 1, count: n)), ("random 0/1", (0..<n).map { _ in Int16(rng.next() % 2) })] {
            let page = MutableBuffer()
            levels.withUnsafeBufferPointer { RLEHybridEncoder.encodeLevels($0, maxLevel: 1, into: page) }
            let bytes = UnsafeRawBufferPointer(start: page.baseAddress, count: page.count)
            try Self.measure("levels decode (\(name))", bytes: n * 2, values: n) {
                out.resize(to: 0)
                var d = try LevelDecoder(v1: bytes, maxLevel: 1)
                try d.decode(n, appendingTo: out)
            }
        }
        // DELTA_BINARY_PACKED INT64 (timestamps-like) and BYTE_STREAM_SPLIT double.
        let ts = (0..<n).map { Int64(1_700_000_000_000_000) + Int64($0) * 1000 + Int64(rng.next() % 100) }
        let delta = MutableBuffer()
        ts.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: delta) }
        try Self.measure("DELTA_BINARY_PACKED int64 decode", bytes: n * 8, values: n) {
            out.resize(to: 0)
            var d = try FixedWidthValueDecoder(physicalType: .int64, encoding: .deltaBinaryPacked,
                                               data: UnsafeRawBufferPointer(start: delta.baseAddress, count: delta.count), valueCount: n)
            try d.decode(n, appendingTo: out)
        }
        let bss = MutableBuffer()
        plain.withUnsafeBytes { ByteStreamSplitEncoder.encode($0.baseAddress!, count: n, byteWidth: 8, into: bss) }
        try Self.measure("BYTE_STREAM_SPLIT double decode", bytes: n * 8, values: n) {
            out.resize(to: 0)
            var d = try FixedWidthValueDecoder(physicalType: .double, encoding: .byteStreamSplit,
                                               data: UnsafeRawBufferPointer(start: bss.baseAddress, count: bss.count), valueCount: n)
            try d.decode(n, appendingTo: out)
        }
        // Byte arrays: PLAIN, DELTA_LENGTH, and a world_id-like dictionary.
        let strings = (0..<n).map { Array("entity-\($0 % 5000)-\(rng.next() % 1000)".utf8) }
        let (offsets, data) = S.arrow(strings)
        let total = data.count - 1
        for encoding in [Encoding.plain, .deltaLengthByteArray, .deltaByteArray] {
            let page = MutableBuffer()
            offsets.withUnsafeBufferPointer { o in
                data.withUnsafeBytes { d in
                    switch encoding {
                    case .plain: PlainEncoder.encodeByteArrays(offsets: o, data: d.baseAddress!, into: page)
                    case .deltaLengthByteArray: DeltaLengthByteArrayEncoder.encode(offsets: o, data: d.baseAddress!, into: page)
                    default: DeltaByteArrayEncoder.encode(offsets: o, data: d.baseAddress!, into: page)
                    }
                }
            }
            let offs = MutableBuffer(capacity: n * 4 + 4), bytes = MutableBuffer(capacity: total)
            try Self.measure("\(encoding.name) byte array decode (~20 B)", bytes: total, values: n, reps: 10) {
                offs.resize(to: 0)
                bytes.resize(to: 0)
                offs.append(Int32(0))
                var d = try ByteArrayValueDecoder(encoding: encoding, data: UnsafeRawBufferPointer(start: page.baseAddress, count: page.count), valueCount: n)
                try d.decode(n, into: ByteArrayOutput(offsets: offs, data: bytes))
            }
        }
        let world = Array(repeating: Array("world-7f3c2a".utf8), count: n)
        let (wo, wd) = S.arrow(world)
        let encoder = DictionaryEncoder()
        let indices = MutableBuffer()
        try Self.measure("dictionary encode world_id (1 distinct)", bytes: n * 12, values: n) {
            encoder.reset()
            indices.resize(to: 0)
            wo.withUnsafeBufferPointer { o in wd.withUnsafeBytes { encoder.insert(offsets: o, data: $0.baseAddress!, indices: indices) } }
        }
        try Self.measure("dictionary encode 1M strings (5M distinct-ish)", bytes: total, values: n, reps: 5) {
            encoder.reset()
            indices.resize(to: 0)
            offsets.withUnsafeBufferPointer { o in data.withUnsafeBytes { encoder.insert(offsets: o, data: $0.baseAddress!, indices: indices) } }
        }
        let dictPage = MutableBuffer()
        encoder.encodeDictionaryPage(into: dictPage)
        let dictionary = try ByteArrayDictionary(plain: UnsafeRawBufferPointer(start: dictPage.baseAddress, count: dictPage.count), count: encoder.count)
        let idxPage = MutableBuffer()
        S.values(indices, as: UInt32.self).withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, bitWidth: encoder.indexBitWidth, into: idxPage) }
        let offs = MutableBuffer(capacity: n * 4 + 4), bytes = MutableBuffer(capacity: total)
        try Self.measure("dictionary gather byte arrays (~20 B, ~1M entries)", bytes: total, values: n, reps: 10) {
            offs.resize(to: 0)
            bytes.resize(to: 0)
            offs.append(Int32(0))
            var d = try ByteArrayValueDecoder(encoding: .rleDictionary, data: UnsafeRawBufferPointer(start: idxPage.baseAddress, count: idxPage.count), valueCount: n, dictionary: dictionary)
            try d.decode(n, into: ByteArrayOutput(offsets: offs, data: bytes))
        }
        // A small dictionary (1000 entries of ~20 B, random indices): the common case.
        let small = (0..<1000).map { Array("entity-\($0)-abcdefghij".utf8) }
        let (so, sd) = S.arrow(small)
        let smallEncoder = DictionaryEncoder()
        let smallIndices = MutableBuffer()
        let picks = (0..<n).map { _ in Int32(rng.next() % 1000) }
        var pickedOffsets: [Int32] = [0]
        var pickedData = [UInt8]()
        for p in picks { pickedData += small[Int(p)]; pickedOffsets.append(Int32(pickedData.count)) }
        pickedData.append(0)
        try Self.measure("dictionary encode 1M strings (1000 distinct)", bytes: pickedData.count, values: n, reps: 10) {
            smallEncoder.reset()
            smallIndices.resize(to: 0)
            pickedOffsets.withUnsafeBufferPointer { o in pickedData.withUnsafeBytes { smallEncoder.insert(offsets: o, data: $0.baseAddress!, indices: smallIndices) } }
        }
        _ = (so, sd)
        let smallPage = MutableBuffer()
        smallEncoder.encodeDictionaryPage(into: smallPage)
        let smallDict = try ByteArrayDictionary(plain: UnsafeRawBufferPointer(start: smallPage.baseAddress, count: smallPage.count), count: smallEncoder.count)
        let smallIdxPage = MutableBuffer()
        S.values(smallIndices, as: UInt32.self).withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, bitWidth: smallEncoder.indexBitWidth, into: smallIdxPage) }
        try Self.measure("dictionary gather byte arrays (~25 B, 1000 entries)", bytes: pickedData.count, values: n, reps: 10) {
            offs.resize(to: 0)
            bytes.resize(to: 0)
            offs.append(Int32(0))
            var d = try ByteArrayValueDecoder(encoding: .rleDictionary, data: UnsafeRawBufferPointer(start: smallIdxPage.baseAddress, count: smallIdxPage.count), valueCount: n, dictionary: smallDict)
            try d.decode(n, into: ByteArrayOutput(offsets: offs, data: bytes))
        }
        let plainOut = MutableBuffer(capacity: total + 4 * n)
        Self.measure("PLAIN byte array encode (~20 B)", bytes: total, values: n, reps: 10) {
            plainOut.resize(to: 0)
            offsets.withUnsafeBufferPointer { o in data.withUnsafeBytes { PlainEncoder.encodeByteArrays(offsets: o, data: $0.baseAddress!, into: plainOut) } }
        }
        let rleOut = MutableBuffer()
        let levels = (0..<n).map { _ in Int16(rng.next() % 2) }
        Self.measure("RLE levels encode (random 0/1)", bytes: n * 2, values: n) {
            rleOut.resize(to: 0)
            levels.withUnsafeBufferPointer { RLEHybridEncoder.encodeLevels($0, maxLevel: 1, into: rleOut) }
        }
    }

    @Test func codecs() throws {
        // A 1 MiB page of float64 history-like values.
        var rng = SeededRNG(seed: 2)
        let values = (0..<(1 << 17)).map { Double($0 / 4) * 0.25 + Double(rng.next() % 16) }
        try values.withUnsafeBytes { input in
            for (codec, level) in [(CompressionCodec.snappy, nil), (.zstd, 1), (.lz4Raw, nil), (.gzip, 1)] as [(CompressionCodec, Int?)] {
                let c = try PageCompressor(codec: codec, level: level)
                let sink = MutableBuffer(capacity: input.count * 2)
                try Self.measure("\(codec.name) compress 1 MiB doubles", bytes: input.count, values: values.count) {
                    sink.resize(to: 0)
                    try c.compress(input, into: sink)
                }
                let d = PageDecompressor()
                let compressed = UnsafeRawBufferPointer(start: sink.baseAddress, count: sink.count)
                try Self.measure("\(codec.name) decompress (ratio \(String(format: "%.2f", Double(input.count) / Double(sink.count))))", bytes: input.count, values: values.count) {
                    _ = try d.decompress(codec, compressed, uncompressedSize: input.count)
                }
            }
        }
    }
}
