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
