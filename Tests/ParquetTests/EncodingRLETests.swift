import Arrow
@testable import Parquet
import Testing

@Suite struct EncodingRLETests {
    typealias S = EncodingTestSupport

    static func roundTrip(_ values: [UInt32], bitWidth: Int) throws -> [UInt32] {
        let sink = MutableBuffer()
        values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: bitWidth, into: sink) }
        return try S.withExactBytes(S.bytes(sink)) { data in
            var d = try RLEHybridDecoder(data, bitWidth: bitWidth)
            var out = [UInt32](repeating: 0xDEAD, count: values.count)
            try out.withUnsafeMutableBufferPointer { try d.decode(into: $0) }
            return out
        }
    }

    @Test(arguments: 0...32)
    func roundTripEveryWidth(width: Int) throws {
        var rng = SeededRNG(seed: UInt64(width) &+ 1)
        let mask: UInt64 = width == 0 ? 0 : (width == 64 ? .max : (1 << UInt64(width)) - 1)
        for n in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099] {
            var values = [UInt32]()
            while values.count < n {
                let v = UInt32(truncatingIfNeeded: rng.next() & mask)
                let repeats = rng.next() % 4 == 0 ? Int(rng.next() % 40) : 1
                values += Array(repeating: v, count: Swift.min(repeats, n - values.count))
            }
            #expect(try Self.roundTrip(values, bitWidth: width) == values, "width \(width) n \(n)")
        }
    }

    @Test func decodeInPiecesMatchesWhole() throws {
        var rng = SeededRNG(seed: 99)
        for width in [1, 3, 8, 13, 17, 32] {
            let mask = UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(width)) - 1)
            var values = [UInt32]()
            for _ in 0..<3000 {
                let v = UInt32(truncatingIfNeeded: rng.next()) & mask
                values += Array(repeating: v, count: rng.next() % 5 == 0 ? 20 : 1)
            }
            let sink = MutableBuffer()
            values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: sink) }
            try S.withExactBytes(S.bytes(sink)) { data in
                var d = try RLEHybridDecoder(data, bitWidth: width)
                let out = MutableBuffer()
                var done = 0
                while done < values.count {
                    let k = Swift.min(Int(rng.next() % 37), values.count - done)
                    try d.decode(k, appendingTo: out)
                    done += k
                }
                #expect(S.values(out, as: UInt32.self) == values)
            }
        }
    }

    /// Encodings.md: the values 0…7 bit-packed at width 3 are the bytes 10001000 11000110 11111010.
    @Test func specBitPackedVector() throws {
        let runs: [UInt8] = [0x03, 0x88, 0xC6, 0xFA]   // header: 1 group, bit-packed
        try S.withExactBytes(runs) { data in
            var d = try RLEHybridDecoder(data, bitWidth: 3)
            var out = [UInt32](repeating: 0, count: 8)
            try out.withUnsafeMutableBufferPointer { try d.decode(into: $0) }
            #expect(out == [0, 1, 2, 3, 4, 5, 6, 7])
        }
        // The encoder produces the same bytes for these values (no run of 8 equal values).
        let sink = MutableBuffer()
        [UInt32](0...7).withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: 3, into: sink) }
        #expect(S.bytes(sink) == runs)
    }

    @Test func repeatedRunVector() throws {
        // 300 copies of 5 at width 3: header varint(300 << 1) = 0xD8 0x04, value in 1 byte.
        let sink = MutableBuffer()
        [UInt32](repeating: 5, count: 300).withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: 3, into: sink) }
        #expect(S.bytes(sink) == [0xD8, 0x04, 0x05])
        // Width 17 repeated values take 3 bytes.
        let wide = MutableBuffer()
        [UInt32](repeating: 0x1_2345, count: 8).withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: 17, into: wide) }
        #expect(S.bytes(wide) == [0x10, 0x45, 0x23, 0x01])
    }

    @Test func levelsWithAndWithoutPrefix() throws {
        var rng = SeededRNG(seed: 11)
        for maxLevel in [0, 1, 2, 3, 7, 100, Int(Int16.max)] {
            var levels = [Int16]()
            while levels.count < 2000 {
                let v = Int16(Int(rng.next() % UInt64(maxLevel + 1)))
                levels += Array(repeating: v, count: rng.next() % 3 == 0 ? Int(rng.next() % 30) : 1)
            }
            for prefixed in [true, false] {
                let sink = MutableBuffer()
                sink.append(UInt8(0x42))
                levels.withUnsafeBufferPointer { RLEHybridEncoder.encodeLevels($0, maxLevel: maxLevel, lengthPrefix: prefixed, into: sink) }
                var bytes = Array(S.bytes(sink).dropFirst())
                bytes += [9, 9, 9]   // the values section that follows the levels
                try S.withExactBytes(bytes) { data in
                    var d = prefixed ? try LevelDecoder(v1: data, maxLevel: maxLevel)
                                     : try LevelDecoder(v2: UnsafeRawBufferPointer(rebasing: data.dropLast(3)), maxLevel: maxLevel)
                    #expect(d.byteCount == bytes.count - 3)
                    let out = MutableBuffer()
                    try d.decode(1000, appendingTo: out)
                    var rest = [Int16](repeating: -1, count: levels.count - 1000)
                    try rest.withUnsafeMutableBufferPointer { try d.decode(into: $0) }
                    #expect(S.values(out, as: Int16.self) + rest == levels)
                }
            }
        }
        #expect(LevelDecoder.bitWidth(maxLevel: 0) == 0)
        #expect(LevelDecoder.bitWidth(maxLevel: 1) == 1)
        #expect(LevelDecoder.bitWidth(maxLevel: 2) == 2)
        #expect(LevelDecoder.bitWidth(maxLevel: 3) == 2)
        #expect(LevelDecoder.bitWidth(maxLevel: 4) == 3)
    }

    @Test func levelAboveMaximumIsCorrupt() throws {
        // Width 2 (max level 2), a repeated run of 3s.
        let bytes: [UInt8] = [3, 0, 0, 0, 0x10, 0x03, 0x00]
        try S.withExactBytes(bytes) { data in
            var d = try LevelDecoder(v1: data, maxLevel: 2)
            var out = [Int16](repeating: 0, count: 8)
            #expect(throws: ParquetError.self) { try out.withUnsafeMutableBufferPointer { try d.decode(into: $0) } }
        }
        // Bit-packed 3s at width 2.
        try S.withExactBytes([3, 0, 0, 0, 0x03, 0xFF, 0xFF]) { data in
            var d = try LevelDecoder(v1: data, maxLevel: 2)
            #expect(throws: ParquetError.self) { try d.decode(8, appendingTo: MutableBuffer()) }
        }
        try S.withExactBytes([0]) { data in
            #expect(throws: ParquetError.self) { try LevelDecoder(v2: data, maxLevel: -1) }
            #expect(throws: ParquetError.self) { try LevelDecoder(v2: data, maxLevel: 40000) }
        }
    }

    @Test func corruptHeaders() throws {
        let cases: [([UInt8], Int, String)] = [
            ([0x02, 0x08], 3, "repeated value 8 does not fit in 3 bits"),
            ([0x02], 3, "repeated value missing"),
            ([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 3, "varint beyond 32 bits"),
            ([0x80], 3, "truncated varint"),
            ([0x03, 0x88], 3, "bit-packed run cut short"),
            ([], 1, "no data"),
            ([0x00, 0x00, 0x00], 8, "only empty runs"),
        ]
        for (bytes, width, what) in cases {
            try S.withExactBytes(bytes) { data in
                var d = try RLEHybridDecoder(data, bitWidth: width)
                var out = [UInt32](repeating: 0, count: 8)
                #expect(throws: ParquetError.self, "\(what)") { try out.withUnsafeMutableBufferPointer { try d.decode(into: $0) } }
            }
        }
        try S.withExactBytes([0x03, 0x88]) { data in
            #expect(throws: ParquetError.self) { try RLEHybridDecoder(data, bitWidth: 33) }
            #expect(throws: ParquetError.self) { try RLEHybridDecoder(data, bitWidth: -1) }
        }
        // Dictionary indices: a bit width above 32 in the first byte.
        try S.withExactBytes([33, 0x02, 0x00]) { data in
            #expect(throws: ParquetError.self) { try RLEHybridDecoder(dictionaryIndices: data) }
        }
        // Length prefixes longer than the data.
        try S.withExactBytes([10, 0, 0, 0, 1, 2]) { data in
            #expect(throws: ParquetError.self) { try RLEHybridDecoder.lengthPrefixed(data, bitWidth: 1) }
            #expect(throws: ParquetError.self) { try LevelDecoder(v1: data, maxLevel: 1) }
        }
        try S.withExactBytes([0xFF, 0xFF, 0xFF, 0xFF]) { data in
            #expect(throws: ParquetError.self) { try LevelDecoder(v1: data, maxLevel: 1) }
        }
        try S.withExactBytes([1, 0, 0]) { data in
            #expect(throws: ParquetError.self) { try LevelDecoder(v1: data, maxLevel: 1) }
        }
    }

    @Test func hugeRunClaimsAreBoundedByTheRequest() throws {
        // A repeated run of 2^31 − 1 zeros at width 0, and a bit-packed run claiming 2^30 groups.
        try S.withExactBytes([0xFE, 0xFF, 0xFF, 0xFF, 0x0F]) { data in
            var d = try RLEHybridDecoder(data, bitWidth: 0)
            let out = MutableBuffer()
            try d.decode(10, appendingTo: out)
            #expect(S.values(out, as: UInt32.self) == Array(repeating: 0, count: 10))
            try d.skip(1 << 30)
        }
        try S.withExactBytes([0x81, 0x80, 0x80, 0x80, 0x08, 0xAB]) { data in
            var d = try RLEHybridDecoder(data, bitWidth: 8)
            let out = MutableBuffer()
            try d.decode(1, appendingTo: out)   // one byte holds one value
            #expect(S.values(out, as: UInt32.self) == [0xAB])
            #expect(throws: ParquetError.self) { try d.decode(1, appendingTo: out) }
        }
    }

    @Test func truncationAtEveryOffset() throws {
        var rng = SeededRNG(seed: 5)
        for width in [1, 2, 5, 8, 12, 20, 32] {
            let mask = UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(width)) - 1)
            var values = [UInt32]()
            while values.count < 300 {
                let v = UInt32(truncatingIfNeeded: rng.next()) & mask
                values += Array(repeating: v, count: rng.next() % 4 == 0 ? 12 : 1)
            }
            let sink = MutableBuffer()
            values.withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, into: sink) }
            S.expectTruncationsSafe(S.bytes(sink), expected: values, "indices width \(width)") { (b) throws(ParquetError) in
                try S.withExactBytes(b) { (data) throws(ParquetError) in
                    var d = try RLEHybridDecoder(dictionaryIndices: data)
                    let out = MutableBuffer()
                    try d.decode(values.count, appendingTo: out)
                    return S.values(out, as: UInt32.self)
                }
            }
        }
    }

    @Test func dictionaryIndicesWidthByte() throws {
        let indices: [UInt32] = [0, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6]
        let sink = MutableBuffer()
        indices.withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, into: sink) }
        #expect(S.bytes(sink).first == 3)
        let explicit = MutableBuffer()
        indices.withUnsafeBufferPointer { RLEHybridEncoder.encodeDictionaryIndices($0, bitWidth: 5, into: explicit) }
        #expect(S.bytes(explicit).first == 5)
        for b in [S.bytes(sink), S.bytes(explicit)] {
            try S.withExactBytes(b) { data in
                var d = try RLEHybridDecoder(dictionaryIndices: data)
                var out = [UInt32](repeating: 0, count: indices.count)
                try out.withUnsafeMutableBufferPointer { try d.decode(into: $0) }
                #expect(out == indices)
            }
        }
        // An empty page body (no values) is accepted.
        try S.withExactBytes([]) { data in
            var d = try RLEHybridDecoder(dictionaryIndices: data)
            try d.decode(0, appendingTo: MutableBuffer())
            #expect(throws: ParquetError.self) { try d.decode(1, appendingTo: MutableBuffer()) }
        }
    }
}
