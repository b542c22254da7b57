import Arrow
@testable import Parquet
import Testing

@Suite struct EncodingPlainTests {
    typealias S = EncodingTestSupport

    static func roundTripFixed<T: BitwiseCopyable>(_ values: [T], _ type: PhysicalType, typeLength: Int = 0, valid: [Bool]?) throws {
        let width = MemoryLayout<T>.stride
        let sink = MutableBuffer()
        S.withFilter(valid) { filter in
            values.withUnsafeBytes { PlainEncoder.encode($0.baseAddress ?? UnsafeRawPointer(sink.baseAddress), count: values.count, byteWidth: width, validity: filter, into: sink) }
        }
        let expected = S.raw(S.dense(values, valid))
        let encoded = S.bytes(sink)
        #expect(encoded == expected)
        let n = expected.count / width
        #expect(try S.decodeFixed(type, typeLength: typeLength, .plain, encoded, count: n) == expected)
        S.expectTruncationsSafe(encoded, expected: expected, "PLAIN \(type)") { (b) throws(ParquetError) in try S.decodeFixed(type, typeLength: typeLength, .plain, b, count: n) }
    }

    @Test(arguments: [0, 1, 2, 100, 1000])
    func fixedWidthRoundTrips(n: Int) throws {
        var rng = SeededRNG(seed: UInt64(n))
        for valid in [nil, S.randomValidity(n, &rng)] {
            try Self.roundTripFixed((0..<n).map { _ in Int32(truncatingIfNeeded: rng.next()) }, .int32, valid: valid)
            try Self.roundTripFixed((0..<n).map { _ in Int64(bitPattern: rng.next()) }, .int64, valid: valid)
            try Self.roundTripFixed((0..<n).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }.map { $0.bitPattern }, .float, valid: valid)
            try Self.roundTripFixed((0..<n).map { _ in Double(bitPattern: rng.next()).bitPattern }, .double, valid: valid)
            // FIXED_LEN_BYTE_ARRAY(16) as pairs of UInt64.
            try Self.roundTripFixed((0..<n).map { _ in Bytes16(lo: rng.next(), hi: rng.next()) }, .fixedLenByteArray, typeLength: 16, valid: valid)
        }
    }

    @Test func fixedLenByteArrayOddWidth() throws {
        var rng = SeededRNG(seed: 3)
        let bytes = (0..<3 * 77).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let sink = MutableBuffer()
        bytes.withUnsafeBytes { PlainEncoder.encode($0.baseAddress!, count: 77, byteWidth: 3, into: sink) }
        #expect(try S.decodeFixed(.fixedLenByteArray, typeLength: 3, .plain, S.bytes(sink), count: 77) == bytes)
    }

    @Test func int96Timestamps() throws {
        // Known vector: Julian day 2440589 (1970-01-02), 1 ns into the day.
        var v: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0]
        v += [0x8D, 0x3D, 0x25, 0x00]   // 2440589 little-endian
        #expect(try S.decodeFixed(.int96, .plain, v, count: 1) == S.raw([Int64(86_400_000_000_001)]))
        let day = Int96Timestamp.nanosecondsPerDay
        let values: [Int64] = [0, 1, -1, day, -day, day - 1, -day + 1, 1_700_000_000_123_456_789, -5_000_000_000_000_000_000,
                               Int64.max / 2, Int64.min / 2]
        for valid in [nil, values.map { $0 != 1 }] {
            let sink = MutableBuffer()
            S.withFilter(valid) { filter in values.withUnsafeBufferPointer { PlainEncoder.encodeInt96(nanoseconds: $0, validity: filter, into: sink) } }
            let dense = S.dense(values, valid)
            #expect(sink.count == dense.count * 12)
            #expect(try S.decodeFixed(.int96, .plain, S.bytes(sink), count: dense.count) == S.raw(dense))
            let encoded = S.bytes(sink)
            S.expectTruncationsSafe(encoded, expected: S.raw(dense), "INT96") { (b) throws(ParquetError) in try S.decodeFixed(.int96, .plain, b, count: dense.count) }
        }
        // Wrapping, not trapping, on out-of-range days.
        let extreme = [UInt8](repeating: 0xFF, count: 12)
        _ = try S.decodeFixed(.int96, .plain, extreme, count: 1)
    }

    @Test(arguments: [0, 1, 5, 300])
    func byteArrayRoundTrips(n: Int) throws {
        var rng = SeededRNG(seed: UInt64(n) + 100)
        let strings = S.randomStrings(n, &rng) + [[], []]
        let (offsets, data) = S.arrow(strings)
        for valid in [nil, S.randomValidity(strings.count, &rng)] {
            let sink = MutableBuffer()
            S.withFilter(valid) { filter in
                offsets.withUnsafeBufferPointer { o in data.withUnsafeBytes { PlainEncoder.encodeByteArrays(offsets: o, data: $0.baseAddress!, validity: filter, into: sink) } }
            }
            let dense = S.dense(strings, valid)
            var expectedBytes = [UInt8]()
            for s in dense { expectedBytes += S.raw([UInt32(s.count)]) + s }
            #expect(S.bytes(sink) == expectedBytes)
            for large in [false, true] {
                #expect(try S.decodeByteArrays(.plain, S.bytes(sink), count: dense.count, large: large) == dense)
            }
            S.expectTruncationsSafe(S.bytes(sink), expected: dense, "PLAIN BYTE_ARRAY") { (b) throws(ParquetError) in try S.decodeByteArrays(.plain, b, count: dense.count) }
        }
        // Int64 Arrow offsets encode the same bytes.
        let sink32 = MutableBuffer(), sink64 = MutableBuffer()
        let offsets64 = offsets.map { Int64($0) }
        offsets.withUnsafeBufferPointer { o in data.withUnsafeBytes { PlainEncoder.encodeByteArrays(offsets: o, data: $0.baseAddress!, into: sink32) } }
        offsets64.withUnsafeBufferPointer { o in data.withUnsafeBytes { PlainEncoder.encodeByteArrays(offsets: o, data: $0.baseAddress!, into: sink64) } }
        #expect(S.bytes(sink32) == S.bytes(sink64))
    }

    @Test func byteArrayOffsetsContinueFromBase() throws {
        var bytes = [UInt8]()
        for s in ["ab", "", "cde"] { bytes += S.raw([UInt32(s.utf8.count)]) + Array(s.utf8) }
        try S.withExactBytes(bytes) { data in
            var d = try ByteArrayValueDecoder(encoding: .plain, data: data, valueCount: 3)
            let offsets = MutableBuffer(), values = MutableBuffer()
            values.append(contentsOf: UnsafeRawBufferPointer(start: [UInt8(9)], count: 1))
            let out = ByteArrayOutput(offsets: offsets, data: values, offsetBase: 100)
            try d.decode(3, into: out)
            #expect(S.values(offsets, as: Int32.self) == [103, 103, 106])
            #expect(throws: ParquetError.self) { try d.decode(1, into: out) }
        }
    }

    @Test func byteArrayLengthPastThePageIsCorrupt() throws {
        let bytes = S.raw([UInt32(10)]) + [1, 2, 3]
        #expect(throws: ParquetError.self) { try S.decodeByteArrays(.plain, bytes, count: 1) }
        let huge = S.raw([UInt32.max]) + [1, 2, 3]
        #expect(throws: ParquetError.self) { try S.decodeByteArrays(.plain, huge, count: 1) }
    }

    @Test func byteArrayLimit() throws {
        var bytes = [UInt8]()
        for _ in 0..<10 { bytes += S.raw([UInt32(100)]) + [UInt8](repeating: 7, count: 100) }
        #expect(try S.decodeByteArrays(.plain, bytes, count: 10, byteLimit: 1000).count == 10)
        do {
            _ = try S.decodeByteArrays(.plain, bytes, count: 10, byteLimit: 999)
            Issue.record("no error")
        } catch {
            guard case .limitExceeded = error else { Issue.record("\(error)"); return }
        }
    }

    static func bools(_ bits: [Bool]) -> [UInt8] { S.bitmap(bits).prefix((bits.count + 7) / 8).map { $0 } }

    static func decodeBools(_ encoding: Encoding, _ bytes: [UInt8], count: Int, seed: UInt64 = 1) throws(ParquetError) -> [Bool] {
        try S.withExactBytes(bytes) { (data) throws(ParquetError) in
            var d = try BooleanValueDecoder(encoding: encoding, data: data, valueCount: count)
            var b = BitmapBuilder()
            var rng = SeededRNG(seed: seed)
            var done = 0
            while done < count {
                let k = Swift.min(count - done, Int(rng.next() % 70))
                try d.decode(k, into: &b)
                done += k
            }
            return (0..<count).map { b.get($0) }
        }
    }

    @Test(arguments: [0, 1, 7, 8, 9, 64, 65, 1000])
    func booleanRoundTrips(n: Int) throws {
        var rng = SeededRNG(seed: UInt64(n) + 7)
        let values = (0..<n).map { _ in rng.next() % 3 == 0 }
        let bits = S.bitmap(values, offset: 5)
        for valid in [nil, S.randomValidity(n, &rng)] {
            let dense = S.dense(values, valid)
            // PLAIN, assembled from two calls.
            let sink = MutableBuffer()
            var enc = PlainBooleanEncoder()
            let half = n / 3
            S.withFilter(valid.map { Array($0.prefix(half)) }) { filter in
                bits.withUnsafeBytes { enc.append(bits: $0.baseAddress!, offset: 5, count: half, validity: filter, into: sink) }
            }
            S.withFilter(valid.map { Array($0.dropFirst(half)) }) { filter in
                bits.withUnsafeBytes { enc.append(bits: $0.baseAddress!, offset: 5 + half, count: n - half, validity: filter, into: sink) }
            }
            #expect(enc.bitCount == dense.count)
            #expect(S.bytes(sink) == Self.bools(dense))
            #expect(try Self.decodeBools(.plain, S.bytes(sink), count: dense.count) == dense)
            // RLE with the length prefix.
            let rle = MutableBuffer()
            S.withFilter(valid) { filter in
                bits.withUnsafeBytes { RLEHybridEncoder.encodeBooleans(bits: $0.baseAddress!, offset: 5, count: n, validity: filter, into: rle) }
            }
            #expect(try Self.decodeBools(.rle, S.bytes(rle), count: dense.count) == dense)
            S.expectTruncationsSafe(S.bytes(rle), expected: dense, "RLE booleans") { (b) throws(ParquetError) in try Self.decodeBools(.rle, b, count: dense.count) }
            S.expectTruncationsSafe(S.bytes(sink), expected: dense, "PLAIN booleans") { (b) throws(ParquetError) in try Self.decodeBools(.plain, b, count: dense.count) }
        }
    }

    @Test func booleanRunsOfRepeatedValues() throws {
        let values = Array(repeating: true, count: 1000) + Array(repeating: false, count: 777) + [true, false, true]
        let bits = S.bitmap(values)
        let rle = MutableBuffer()
        bits.withUnsafeBytes { RLEHybridEncoder.encodeBooleans(bits: $0.baseAddress!, offset: 0, count: values.count, into: rle) }
        #expect(rle.count < 20)
        #expect(try Self.decodeBools(.rle, S.bytes(rle), count: values.count) == values)
    }

    @Test func frontEndsRejectWrongEncodings() throws {
        let data: [UInt8] = [0, 0, 0, 0]
        try data.withUnsafeBytes { p in
            #expect(throws: ParquetError.self) { try FixedWidthValueDecoder(physicalType: .double, encoding: .deltaBinaryPacked, data: p, valueCount: 1) }
            #expect(throws: ParquetError.self) { try FixedWidthValueDecoder(physicalType: .int32, encoding: .deltaLengthByteArray, data: p, valueCount: 1) }
            #expect(throws: ParquetError.self) { try FixedWidthValueDecoder(physicalType: .int96, encoding: .byteStreamSplit, data: p, valueCount: 1) }
            #expect(throws: ParquetError.self) { try FixedWidthValueDecoder(physicalType: .int32, encoding: .rle, data: p, valueCount: 1) }
            #expect(throws: ParquetError.self) { try FixedWidthValueDecoder(physicalType: .boolean, encoding: .plain, data: p, valueCount: 1) }
            #expect(throws: ParquetError.self) { try FixedWidthValueDecoder(physicalType: .fixedLenByteArray, typeLength: 0, encoding: .plain, data: p, valueCount: 1) }
            #expect(throws: ParquetError.self) { try FixedWidthValueDecoder(physicalType: .int32, encoding: .rleDictionary, data: p, valueCount: 1) }
            #expect(throws: ParquetError.self) { try ByteArrayValueDecoder(encoding: .byteStreamSplit, data: p, valueCount: 1) }
            #expect(throws: ParquetError.self) { try ByteArrayValueDecoder(encoding: .unknown(77), data: p, valueCount: 1) }
            #expect(throws: ParquetError.self) { try BooleanValueDecoder(encoding: .rleDictionary, data: p, valueCount: 1) }
            // More values than the page was declared to hold.
            var d = try FixedWidthValueDecoder(physicalType: .int32, encoding: .plain, data: p, valueCount: 1)
            #expect(throws: ParquetError.self) { try d.decode(2, appendingTo: MutableBuffer()) }
            #expect(throws: ParquetError.self) { try d.decode(-1, appendingTo: MutableBuffer()) }
        }
    }

    @Test func appendsToUnalignedBuffers() throws {
        let values: [Int64] = [1, -2, 3]
        let buffer = MutableBuffer()
        buffer.append(UInt8(0xEE))   // the next Int64 would be unaligned
        // DELTA output goes through a typed pointer: it must cope with unaligned ends.
        let delta = MutableBuffer()
        values.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: delta) }
        try S.withExactBytes(S.bytes(delta)) { data in
            var d = try FixedWidthValueDecoder(physicalType: .int64, encoding: .deltaBinaryPacked, data: data, valueCount: 3)
            try d.decode(3, appendingTo: buffer)
        }
        #expect(Array(S.bytes(buffer).dropFirst()) == S.raw(values))
    }
}
