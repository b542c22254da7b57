import Arrow
@testable import Parquet
import Testing

/// A seeded generator (SplitMix64) so that every random test is reproducible.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Helpers shared by the Encoding and Codec tests.
enum EncodingTestSupport {
    /// The written bytes of a buffer.
    static func bytes(_ buffer: MutableBuffer) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: buffer.baseAddress, count: buffer.count))
    }

    /// The written values of a buffer as `T`.
    static func values<T: BitwiseCopyable>(_ buffer: MutableBuffer, as: T.Type) -> [T] {
        let n = buffer.count / MemoryLayout<T>.stride
        return (0..<n).map { buffer.baseAddress.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.stride, as: T.self) }
    }

    /// A buffer holding `bytes`.
    static func buffer(_ bytes: [UInt8]) -> MutableBuffer {
        let b = MutableBuffer(capacity: bytes.count)
        bytes.withUnsafeBytes { b.append(contentsOf: $0) }
        return b
    }

    /// A validity bitmap (packed bytes) for `valid`, with `offset` leading bits.
    static func bitmap(_ valid: [Bool], offset: Int = 0) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (valid.count + offset + 7) / 8 + 8)
        for (i, v) in valid.enumerated() where v {
            let bit = i + offset
            out[bit >> 3] |= UInt8(1) << UInt8(bit & 7)
        }
        return out
    }

    /// Runs `body` with an exact-size heap copy of `bytes` (so that reads past the end are
    /// caught by sanitizers, and so that truncation tests see a real end of input).
    static func withExactBytes<R, E: Error>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let p = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bytes.count, 1), alignment: 1)
        defer { p.deallocate() }
        if !bytes.isEmpty { bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        return try body(UnsafeRawBufferPointer(start: p, count: bytes.count))
    }
}

extension EncodingTestSupport {
    /// Random validity (about 1 in 4 null) or nil.
    static func randomValidity(_ n: Int, _ rng: inout SeededRNG) -> [Bool] {
        (0..<n).map { _ in rng.next() % 4 != 0 }
    }

    /// Encodes with a validity filter over `valid` (placed at bit offset 3 to exercise offsets).
    static func withFilter<R>(_ valid: [Bool]?, _ body: (ValidityFilter?) throws -> R) rethrows -> R {
        guard let valid else { return try body(nil) }
        let bits = bitmap(valid, offset: 3)
        return try bits.withUnsafeBytes { try body(ValidityFilter(bits: $0.baseAddress!, offset: 3)) }
    }

    /// `values` restricted to the valid positions.
    static func dense<T>(_ values: [T], _ valid: [Bool]?) -> [T] {
        guard let valid else { return values }
        return zip(values, valid).filter { $0.1 }.map { $0.0 }
    }

    /// Arrow Int32 offsets and data for `strings`.
    static func arrow(_ strings: [[UInt8]]) -> (offsets: [Int32], data: [UInt8]) {
        var offsets: [Int32] = [0]
        var data = [UInt8]()
        for s in strings {
            data += s
            offsets.append(Int32(data.count))
        }
        return (offsets, data + [0])   // never an empty array (non-nil base address)
    }

    /// The strings of decoded Arrow offsets and data.
    static func strings(offsets: MutableBuffer, data: MutableBuffer, large: Bool = false) -> [[UInt8]] {
        let bytes = Self.bytes(data)
        if large {
            let o = values(offsets, as: Int64.self)
            return (0..<(o.count - 1)).map { Array(bytes[Int(o[$0])..<Int(o[$0 + 1])]) }
        }
        let o = values(offsets, as: Int32.self)
        return (0..<Swift.max(o.count - 1, 0)).map { Array(bytes[Int(o[$0])..<Int(o[$0 + 1])]) }
    }

    /// Random byte strings: short, empty, repeated prefixes.
    static func randomStrings(_ n: Int, _ rng: inout SeededRNG, alphabet: UInt64 = 4, maxLength: UInt64 = 12) -> [[UInt8]] {
        var out = [[UInt8]]()
        for _ in 0..<n {
            if let last = out.last, rng.next() % 3 == 0 {
                // Share a prefix with the previous value.
                let keep = Int(rng.next() % UInt64(last.count + 1))
                out.append(Array(last.prefix(keep)) + (0..<Int(rng.next() % 4)).map { _ in UInt8(97 + rng.next() % alphabet) })
            } else {
                out.append((0..<Int(rng.next() % (maxLength + 1))).map { _ in UInt8(97 + rng.next() % alphabet) })
            }
        }
        return out
    }

    /// Decodes `count` fixed-width values with the front-end decoder, in random batch sizes.
    static func decodeFixed(
        _ type: PhysicalType, typeLength: Int = 0, _ encoding: Encoding, _ bytes: [UInt8], count: Int,
        dictionary: FixedWidthDictionary? = nil, seed: UInt64 = 7
    ) throws(ParquetError) -> [UInt8] {
        try withExactBytes(bytes) { (data) throws(ParquetError) in
            var d = try FixedWidthValueDecoder(physicalType: type, typeLength: typeLength, encoding: encoding, data: data, valueCount: count, dictionary: dictionary)
            let out = MutableBuffer()
            var rng = SeededRNG(seed: seed)
            var done = 0
            while done < count {
                let k = Swift.min(count - done, Int(rng.next() % 300))
                try d.decode(k, appendingTo: out)
                done += k
            }
            return Self.bytes(out)
        }
    }

    /// Decodes `count` byte arrays with the front-end decoder, in random batch sizes.
    static func decodeByteArrays(
        _ encoding: Encoding, _ bytes: [UInt8], count: Int, dictionary: ByteArrayDictionary? = nil,
        large: Bool = false, byteLimit: Int = Int(Int32.max), seed: UInt64 = 7
    ) throws(ParquetError) -> [[UInt8]] {
        try withExactBytes(bytes) { (data) throws(ParquetError) in
            var d = try ByteArrayValueDecoder(encoding: encoding, data: data, valueCount: count, dictionary: dictionary)
            let offsets = MutableBuffer(), values = MutableBuffer()
            if large { offsets.append(Int64(0)) } else { offsets.append(Int32(0)) }
            let output = ByteArrayOutput(offsets: offsets, data: values, largeOffsets: large, byteLimit: byteLimit)
            var rng = SeededRNG(seed: seed)
            var done = 0
            while done < count {
                let k = Swift.min(count - done, Int(rng.next() % 300))
                try d.decode(k, into: output)
                done += k
            }
            return strings(offsets: offsets, data: values, large: large)
        }
    }

    /// Raw little-endian bytes of values.
    static func raw<T: BitwiseCopyable>(_ values: [T]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    /// Calls `decode` on every strict prefix of `bytes`: each must throw a `ParquetError` or
    /// produce `expected` (cutting only padding is allowed to succeed).
    static func expectTruncationsSafe<T: Equatable>(_ bytes: [UInt8], expected: T, _ what: String, _ decode: ([UInt8]) throws(ParquetError) -> T) {
        for cut in 0..<bytes.count {
            do {
                let got = try decode(Array(bytes.prefix(cut)))
                #expect(got == expected, "\(what): truncated to \(cut) of \(bytes.count) bytes decoded different values")
            } catch {
                _ = error   // a typed ParquetError: the expected outcome
            }
        }
    }
}
