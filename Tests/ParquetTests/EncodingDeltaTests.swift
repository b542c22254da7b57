import Arrow
@testable import Parquet
import Testing

@Suite struct EncodingDeltaTests {
    typealias S = EncodingTestSupport

    static func encode32(_ values: [Int32], valid: [Bool]? = nil) -> [UInt8] {
        let sink = MutableBuffer()
        S.withFilter(valid) { f in values.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, validity: f, into: sink) } }
        return S.bytes(sink)
    }

    static func encode64(_ values: [Int64], valid: [Bool]? = nil) -> [UInt8] {
        let sink = MutableBuffer()
        S.withFilter(valid) { f in values.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, validity: f, into: sink) } }
        return S.bytes(sink)
    }

    static func decode32(_ bytes: [UInt8], count: Int, seed: UInt64 = 1) throws(ParquetError) -> [Int32] {
        let raw = try S.decodeFixed(.int32, .deltaBinaryPacked, bytes, count: count, seed: seed)
        return raw.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
    }

    static func decode64(_ bytes: [UInt8], count: Int, seed: UInt64 = 1) throws(ParquetError) -> [Int64] {
        let raw = try S.decodeFixed(.int64, .deltaBinaryPacked, bytes, count: count, seed: seed)
        return raw.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
    }

    static let counts = [0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 255, 256, 257, 1000]

    @Test func int32RoundTrips() throws {
        var rng = SeededRNG(seed: 1)
        for n in Self.counts {
            let shapes: [[Int32]] = [
                (0..<n).map { _ in Int32(truncatingIfNeeded: rng.next()) },
                (0..<n).map { Int32($0) * 3 + 7 },
                Array(repeating: 42, count: n),
                (0..<n).map { $0 % 2 == 0 ? Int32.min : Int32.max },
                (0..<n).map { _ in Int32(rng.next() % 1000) - 500 },
                (0..<n).map { i in i % 100 == 0 ? Int32.max : Int32(i) },
            ]
            for values in shapes {
                for valid in [nil, S.randomValidity(n, &rng)] {
                    let bytes = Self.encode32(values, valid: valid)
                    let dense = S.dense(values, valid)
                    #expect(try Self.decode32(bytes, count: dense.count, seed: UInt64(n)) == dense, "n \(n)")
                }
            }
        }
    }

    @Test func int64RoundTrips() throws {
        var rng = SeededRNG(seed: 2)
        for n in Self.counts {
            let shapes: [[Int64]] = [
                (0..<n).map { _ in Int64(bitPattern: rng.next()) },
                (0..<n).map { Int64($0) * 1_000_000_007 },
                Array(repeating: -9, count: n),
                (0..<n).map { $0 % 2 == 0 ? Int64.min : Int64.max },
                (0..<n).map { $0 % 3 == 0 ? Int64.min : ($0 % 3 == 1 ? 0 : Int64.max) },
                (0..<n).map { _ in Int64(rng.next() % 100) },
            ]
            for values in shapes {
                for valid in [nil, S.randomValidity(n, &rng)] {
                    let bytes = Self.encode64(values, valid: valid)
                    let dense = S.dense(values, valid)
                    #expect(try Self.decode64(bytes, count: dense.count, seed: UInt64(n)) == dense, "n \(n)")
                }
            }
        }
    }

    /// The bit widths stay within the type's width (Encodings.md: INT32 never needs more than 32).
    @Test func extremeDeltasUseAtMostTheTypeWidth() throws {
        var rng = SeededRNG(seed: 3)
        let shapes: [[Int32]] = [
            (0..<129).map { _ in Int32(truncatingIfNeeded: rng.next()) },
            (0..<129).map { [Int32.min, Int32.max, 0][$0 % 3] },
        ]
        for values in shapes {
            let bytes = Self.encode32(values)
            try S.withExactBytes(bytes) { data in
                var c = ByteCursor(data)
                for _ in 0..<3 { _ = try c.readULEB128("header") }
                _ = try c.readZigZag("first")
                _ = try c.readZigZag("min delta")
                let widths = (0..<4).map { data[c.position + $0] }
                #expect(widths.allSatisfy { $0 <= 32 } && widths.contains { $0 >= 31 }, "\(widths)")
                var d = try DeltaBinaryPackedDecoder<UInt32>(data, maxValues: 129)
                try d.decodeAll(into: MutableBuffer())
                #expect(d.endOffset == bytes.count)
            }
            #expect(try Self.decode32(bytes, count: 129) == values)
        }
    }

    /// Encodings.md examples, with a valid block size (128, 4 miniblocks) instead of 8.
    @Test func specExamples() throws {
        // 1, 2, 3, 4, 5: deltas all 1, min delta 1, all widths 0.
        let ex1: [UInt8] = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0]
        #expect(try Self.decode32(ex1, count: 5) == [1, 2, 3, 4, 5])
        #expect(Self.encode32([1, 2, 3, 4, 5]) == ex1)
        // 7, 5, 3, 1, 2, 3, 4, 5: deltas −2, −2, −2, 1, 1, 1, 1; min −2; relative 0,0,0,3,3,3,3 on 2 bits.
        var ex2: [UInt8] = [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 2, 0, 0, 0, 0xC0, 0x3F]
        ex2 += [UInt8](repeating: 0, count: 6)
        #expect(try Self.decode32(ex2, count: 8) == [7, 5, 3, 1, 2, 3, 4, 5])
        #expect(Self.encode32([7, 5, 3, 1, 2, 3, 4, 5]) == ex2)
        #expect(try Self.decode64(ex2, count: 8) == [7, 5, 3, 1, 2, 3, 4, 5])
        // Unused miniblocks of the last block may carry arbitrary widths: readers ignore them.
        var ex2b = ex2
        ex2b[7] = 0xFF; ex2b[8] = 99; ex2b[9] = 33
        #expect(try Self.decode32(ex2b, count: 8) == [7, 5, 3, 1, 2, 3, 4, 5])
        // Padding bits of the last miniblock may be arbitrary too.
        var ex2c = ex2
        for i in 12..<18 { ex2c[i] = 0xFF }
        ex2c[11] |= 0xC0
        #expect(try Self.decode32(ex2c, count: 8) == [7, 5, 3, 1, 2, 3, 4, 5])
        // Header only: no values, one value.
        #expect(try Self.decode32([0x80, 0x01, 0x04, 0x00, 0x00], count: 0) == [])
        #expect(try Self.decode32([0x80, 0x01, 0x04, 0x01, 0x03], count: 1) == [-2])
        #expect(Self.encode32([-2]) == [0x80, 0x01, 0x04, 0x01, 0x03])
        #expect(Self.encode32([]) == [0x80, 0x01, 0x04, 0x00, 0x00])
    }

    @Test func miniblockWidthsUpTo64() throws {
        // One block of 128, 1 miniblock of 128 values (allowed: 128 is a multiple of 32), width 64.
        var rng = SeededRNG(seed: 4)
        let values = (0..<129).map { _ in Int64(bitPattern: rng.next()) }
        var bytes: [UInt8] = [0x80, 0x01, 0x01, 0x81, 0x01]
        let sink = MutableBuffer()
        VarInt.appendZigZag(values[0], to: sink)
        VarInt.appendZigZag(0, to: sink)   // min delta 0
        bytes += S.bytes(sink)
        bytes.append(64)
        var deltas = [UInt64]()
        for i in 1..<129 { deltas.append(UInt64(bitPattern: values[i] &- values[i - 1])) }
        bytes += S.raw(deltas)   // 64-bit packing is little-endian words
        #expect(try Self.decode64(bytes, count: 129) == values)
        // Width 64 for INT32 is corrupt; so is 65 for INT64.
        var bad = bytes
        bad[bytes.count - 128 * 8 - 1] = 65
        #expect(throws: ParquetError.self) { try Self.decode64(bad, count: 129) }
        bad[bytes.count - 128 * 8 - 1] = 33
        #expect(throws: ParquetError.self) { try Self.decode32(bad, count: 129) }
    }

    @Test func corruptHeaders() throws {
        let cases: [([UInt8], Int, String)] = [
            ([0x64, 0x04, 0x05, 0x02], 5, "block size 100"),
            ([0x00, 0x04, 0x05, 0x02], 5, "block size 0"),
            ([0x80, 0x01, 0x03, 0x05, 0x02], 5, "3 miniblocks"),
            ([0x80, 0x01, 0x08, 0x05, 0x02], 5, "16 values per miniblock"),
            ([0x80, 0x01, 0x00, 0x05, 0x02], 5, "0 miniblocks"),
            ([0x80, 0x01, 0x04, 0x06, 0x02], 5, "more values than the page"),
            ([0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0], 5, "missing miniblock widths"),
            ([0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 40, 0, 0, 0] + [UInt8](repeating: 0, count: 160), 5, "width 40 for INT32"),
            ([0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 8, 0, 0, 0, 1, 2], 5, "miniblock data missing"),
            ([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x04, 0x05, 0x02], 5, "block size beyond 32 bits"),
            ([0x80, 0x01, 0x04, 0x05], 5, "no first value"),
        ]
        for (bytes, n, what) in cases {
            #expect(throws: ParquetError.self, "\(what)") { try Self.decode32(bytes, count: n) }
        }
        // Asking for more values than the header declares.
        #expect(throws: ParquetError.self) { try Self.decode32([0x80, 0x01, 0x04, 0x01, 0x03], count: 2) }
    }

    @Test func truncationAtEveryOffset() throws {
        var rng = SeededRNG(seed: 9)
        let values = (0..<300).map { _ in Int64(rng.next() % 100_000) }
        let bytes = Self.encode64(values)
        S.expectTruncationsSafe(bytes, expected: values, "DELTA_BINARY_PACKED") { (b) throws(ParquetError) in try Self.decode64(b, count: values.count) }
        let values32 = (0..<200).map { _ in Int32(truncatingIfNeeded: rng.next()) }
        let bytes32 = Self.encode32(values32)
        S.expectTruncationsSafe(bytes32, expected: values32, "DELTA_BINARY_PACKED 32") { (b) throws(ParquetError) in try Self.decode32(b, count: values32.count) }
    }

    // MARK: DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY

    static func encodeStrings(_ encoding: Encoding, _ strings: [[UInt8]], valid: [Bool]? = nil, large: Bool = false) -> [UInt8] {
        let (offsets, data) = S.arrow(strings)
        let sink = MutableBuffer()
        S.withFilter(valid) { f in
            data.withUnsafeBytes { d in
                if large {
                    offsets.map { Int64($0) }.withUnsafeBufferPointer { o in
                        if encoding == .deltaLengthByteArray {
                            DeltaLengthByteArrayEncoder.encode(offsets: o, data: d.baseAddress!, validity: f, into: sink)
                        } else {
                            DeltaByteArrayEncoder.encode(offsets: o, data: d.baseAddress!, validity: f, into: sink)
                        }
                    }
                } else {
                    offsets.withUnsafeBufferPointer { o in
                        if encoding == .deltaLengthByteArray {
                            DeltaLengthByteArrayEncoder.encode(offsets: o, data: d.baseAddress!, validity: f, into: sink)
                        } else {
                            DeltaByteArrayEncoder.encode(offsets: o, data: d.baseAddress!, validity: f, into: sink)
                        }
                    }
                }
            }
        }
        return S.bytes(sink)
    }

    @Test func deltaLengthSpecExample() throws {
        let strings = ["Hello", "World", "Foobar", "ABCDEF"].map { Array($0.utf8) }
        let bytes = Self.encodeStrings(.deltaLengthByteArray, strings)
        #expect(bytes.suffix(22) == Array("HelloWorldFoobarABCDEF".utf8))
        #expect(Array(bytes.dropLast(22)) == Self.encode32([5, 5, 6, 6]))
        #expect(try S.decodeByteArrays(.deltaLengthByteArray, bytes, count: 4) == strings)
    }

    @Test func deltaByteArraySpecExample() throws {
        let strings = ["axis", "axle", "babble", "babyhood"].map { Array($0.utf8) }
        let bytes = Self.encodeStrings(.deltaByteArray, strings)
        let expected = Self.encode32([0, 2, 0, 3]) + Self.encode32([4, 2, 6, 5]) + Array("axislebabbleyhood".utf8)
        #expect(bytes == expected)
        #expect(try S.decodeByteArrays(.deltaByteArray, bytes, count: 4) == strings)
    }

    @Test(arguments: [Encoding.deltaLengthByteArray, .deltaByteArray])
    func byteArrayRoundTrips(encoding: Encoding) throws {
        var rng = SeededRNG(seed: 77)
        for n in [0, 1, 2, 127, 128, 129, 1000] {
            let shapes = [
                S.randomStrings(n, &rng),
                Array(repeating: [UInt8](), count: n),
                Array(repeating: Array("same".utf8), count: n),
                (0..<n).map { Array("prefix/\($0)".utf8) },
            ]
            for strings in shapes {
                for valid in [nil, S.randomValidity(n, &rng)] {
                    for large in [false, true] {
                        let bytes = Self.encodeStrings(encoding, strings, valid: valid, large: large)
                        let dense = S.dense(strings, valid)
                        #expect(try S.decodeByteArrays(encoding, bytes, count: dense.count, large: large, seed: UInt64(n)) == dense)
                    }
                }
            }
        }
    }

    @Test(arguments: [Encoding.deltaLengthByteArray, .deltaByteArray])
    func byteArrayTruncations(encoding: Encoding) throws {
        var rng = SeededRNG(seed: 78)
        let strings = S.randomStrings(150, &rng)
        let bytes = Self.encodeStrings(encoding, strings)
        S.expectTruncationsSafe(bytes, expected: strings, encoding.name) { (b) throws(ParquetError) in try S.decodeByteArrays(encoding, b, count: strings.count) }
    }

    @Test func deltaByteArrayCorruptPrefixes() throws {
        // A first prefix above 0, and a prefix longer than the previous value.
        let first = Self.encode32([1, 0]) + Self.encode32([2, 2]) + Array("abcd".utf8)
        #expect(throws: ParquetError.self) { try S.decodeByteArrays(.deltaByteArray, first, count: 2) }
        let long = Self.encode32([0, 5]) + Self.encode32([2, 2]) + Array("abcd".utf8)
        #expect(throws: ParquetError.self) { try S.decodeByteArrays(.deltaByteArray, long, count: 2) }
        let negative = Self.encode32([0, -1]) + Self.encode32([2, 2]) + Array("abcd".utf8)
        #expect(throws: ParquetError.self) { try S.decodeByteArrays(.deltaByteArray, negative, count: 2) }
        let mismatch = Self.encode32([0, 0]) + Self.encode32([2, 2, 2]) + Array("abcdef".utf8)
        #expect(throws: ParquetError.self) { try S.decodeByteArrays(.deltaByteArray, mismatch, count: 3) }
        let negativeLength = Self.encode32([3, -1]) + Array("abc".utf8)
        #expect(throws: ParquetError.self) { try S.decodeByteArrays(.deltaLengthByteArray, negativeLength, count: 2) }
        let tooLong = Self.encode32([3, 4]) + Array("abcdef".utf8)
        #expect(throws: ParquetError.self) { try S.decodeByteArrays(.deltaLengthByteArray, tooLong, count: 2) }
    }

    @Test func deltaByteArrayAmplificationHitsTheLimit() throws {
        // A 4096-byte value, then 10,000 values repeating it through their prefixes: 40 MB from ~4 KB.
        let n = 10_001
        let prefixes = [Int32(0)] + Array(repeating: 4096, count: n - 1)
        let suffixes = [Int32(4096)] + Array(repeating: 0, count: n - 1)
        let bytes = Self.encode32(prefixes) + Self.encode32(suffixes) + [UInt8](repeating: 0x61, count: 4096)
        #expect(bytes.count < 6000)
        do {
            _ = try S.decodeByteArrays(.deltaByteArray, bytes, count: n, byteLimit: 1 << 20)
            Issue.record("no error")
        } catch {
            guard case .limitExceeded = error else { Issue.record("\(error)"); return }
        }
        // Within the limit it decodes.
        let small = Self.encode32([0, 3, 3]) + Self.encode32([3, 0, 1]) + Array("abcd".utf8)
        #expect(try S.decodeByteArrays(.deltaByteArray, small, count: 3) == ["abc", "abc", "abcd"].map { Array($0.utf8) })
    }

    @Test func fixedLenByteArrayDeltaByteArray() throws {
        var rng = SeededRNG(seed: 5)
        let width = 6
        let values = (0..<500).map { i in Array("ab\(i % 7)".utf8).prefix(3) + (0..<3).map { _ in UInt8(rng.next() % 3) } }
        let flat = values.flatMap { $0 }
        for valid in [nil, S.randomValidity(values.count, &rng)] {
            let sink = MutableBuffer()
            S.withFilter(valid) { f in flat.withUnsafeBytes { DeltaByteArrayEncoder.encodeFixedLength($0.baseAddress!, count: values.count, width: width, validity: f, into: sink) } }
            let dense = S.dense(values, valid)
            #expect(try S.decodeFixed(.fixedLenByteArray, typeLength: width, .deltaByteArray, S.bytes(sink), count: dense.count) == dense.flatMap { $0 })
            // The wrong fixed length is corrupt.
            if !dense.isEmpty {
                #expect(throws: ParquetError.self) { try S.decodeFixed(.fixedLenByteArray, typeLength: width + 1, .deltaByteArray, S.bytes(sink), count: dense.count) }
            }
        }
    }

    // MARK: BYTE_STREAM_SPLIT

    @Test func byteStreamSplitSpecExample() throws {
        let values: [UInt8] = [0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6]
        let sink = MutableBuffer()
        values.withUnsafeBytes { ByteStreamSplitEncoder.encode($0.baseAddress!, count: 3, byteWidth: 4, into: sink) }
        #expect(S.bytes(sink) == [0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6])
        #expect(try S.decodeFixed(.float, .byteStreamSplit, S.bytes(sink), count: 3) == values)
    }

    @Test func byteStreamSplitRoundTrips() throws {
        var rng = SeededRNG(seed: 6)
        for (type, width) in [(PhysicalType.float, 4), (.int32, 4), (.double, 8), (.int64, 8), (.fixedLenByteArray, 3), (.fixedLenByteArray, 16)] {
            for n in [0, 1, 2, 100, 1001] {
                let raw = (0..<(n * width)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                for valid in [nil, S.randomValidity(n, &rng)] {
                    let sink = MutableBuffer()
                    S.withFilter(valid) { f in raw.withUnsafeBytes { ByteStreamSplitEncoder.encode($0.baseAddress ?? UnsafeRawPointer(sink.baseAddress), count: n, byteWidth: width, validity: f, into: sink) } }
                    let dense = (0..<n).filter { valid?[$0] ?? true }.flatMap { raw[($0 * width)..<(($0 + 1) * width)] }
                    #expect(sink.count == dense.count)
                    let typeLength = type == .fixedLenByteArray ? width : 0
                    #expect(try S.decodeFixed(type, typeLength: typeLength, .byteStreamSplit, S.bytes(sink), count: dense.count / width) == dense)
                }
            }
        }
        // A page size that is not a multiple of the width, and more values than the page holds.
        #expect(throws: ParquetError.self) { try S.decodeFixed(.double, .byteStreamSplit, [UInt8](repeating: 0, count: 12), count: 1) }
        #expect(throws: ParquetError.self) { try S.decodeFixed(.double, .byteStreamSplit, [UInt8](repeating: 0, count: 16), count: 3) }
    }
}
