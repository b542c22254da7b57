import Arrow
#if canImport(Glibc)
import Glibc
#endif

/// RFC 9562 version-7 UUIDs as lowercase hyphenated strings, monotonic within a generator:
/// when the clock does not advance, the 12-bit `rand_a` field counts up (carrying into the
/// timestamp on overflow), so names sort in creation order.
public final class UUIDv7Generator: Sendable {
    private let state = LockedValue<(ms: UInt64, counter: UInt16)>((0, 0))

    public init() {}

    /// The current Unix time in milliseconds.
    static func nowMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1000 &+ UInt64(ts.tv_nsec) / 1_000_000
    }

    /// The next UUID, after `floor` if given (so it sorts after an existing name).
    public func next(after floor: (ms: UInt64, counter: UInt16)? = nil) -> (text: String, ms: UInt64, counter: UInt16) {
        let (ms, counter) = state.withLock { s -> (UInt64, UInt16) in
            var now = Self.nowMilliseconds()
            // Sort after `floor`, but never move the state backwards (other tables share it).
            if let floor, (s.ms, s.counter) < (floor.ms, floor.counter) { s = (floor.ms, floor.counter) }
            if let floor, now <= floor.ms { now = floor.ms }
            if now > s.ms {
                s = (now, UInt16.random(in: 0..<0x400))
            } else if s.counter >= 0xFFF {
                s = (s.ms + 1, 0)
            } else {
                s.counter += 1
            }
            return s
        }
        var rng = SystemRandomNumberGenerator()
        let randB = rng.next() & 0x3FFF_FFFF_FFFF_FFFF
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: ms >> (8 * UInt64(5 - i))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: randB >> 56) & 0x3F
        for i in 9..<16 { bytes[i] = UInt8(truncatingIfNeeded: randB >> (8 * UInt64(15 - i))) }
        let hex = "0123456789abcdef".utf8.map { $0 }
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        }
        return (String(decoding: out, as: UTF8.self), ms, counter)
    }

    /// A fresh UUIDv7 string.
    public static func make() -> String { shared.next().text }
    static let shared = UUIDv7Generator()
}
