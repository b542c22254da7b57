import Arrow

/// The validity bitmap of Arrow values handed to an encoder: only the values whose bit is set
/// are encoded (Parquet pages store no slots for nulls).
public struct ValidityFilter {
    /// The bitmap (LSB-first, as Arrow stores it).
    public let bits: UnsafeRawPointer
    /// The bit of the first value.
    public let offset: Int

    /// A filter over `bits`, where value `i` is valid when bit `offset + i` is set.
    ///
    /// - Complexity: O(1).
    public init(bits: UnsafeRawPointer, offset: Int = 0) {
        self.bits = bits
        self.offset = offset
    }

    /// Whether value `i` is valid.
    @inline(__always)
    func isValid(_ i: Int) -> Bool {
        let bit = offset &+ i
        return (bits.load(fromByteOffset: bit >> 3, as: UInt8.self) >> UInt8(bit & 7)) & 1 == 1
    }

    /// The number of valid values among the first `count`.
    ///
    /// - Complexity: O(*count* / 64).
    public func validCount(_ count: Int) -> Int {
        Bitmap.countSetBits(bits, offset: offset, length: count)
    }

    /// Bits `64k ..< 64k + 64` of the filter (relative to `offset`), reading only bytes that hold
    /// bits below `count`; bits at or above `count` are zero.
    @inline(__always)
    func word(_ k: Int, count: Int) -> UInt64 {
        let start = offset &+ (k << 6)
        let byte = start >> 3
        let shift = UInt64(start & 7)
        let nbits = Swift.min(64, count &- (k << 6))
        let lastByte = (start &+ nbits &- 1) >> 3
        var w: UInt64
        if lastByte &- byte >= 8 {
            // Nine bytes are needed and exist.
            w = bits.loadUnaligned(fromByteOffset: byte, as: UInt64.self).littleEndian >> shift
            w |= UInt64(bits.load(fromByteOffset: byte &+ 8, as: UInt8.self)) << (64 &- shift)
        } else if lastByte &- byte == 7 {
            w = bits.loadUnaligned(fromByteOffset: byte, as: UInt64.self).littleEndian >> shift
        } else {
            w = 0
            var b = byte
            var s: UInt64 = 0
            while b <= lastByte {
                w |= UInt64(bits.load(fromByteOffset: b, as: UInt8.self)) << s
                s &+= 8
                b &+= 1
            }
            w >>= shift
        }
        return nbits == 64 ? w : w & ((UInt64(1) << UInt64(nbits)) &- 1)
    }

    /// Calls `body(start, length)` for each maximal run of valid values among the first `count`,
    /// in order.
    ///
    /// - Complexity: O(*count* / 64 + runs).
    @inline(__always)
    func forEachValidRun<E: Error>(_ count: Int, _ body: (Int, Int) throws(E) -> Void) throws(E) {
        var runStart = -1
        var k = 0
        while k << 6 < count {
            let base = k << 6
            let nbits = Swift.min(64, count &- base)
            let w = word(k, count: count)
            var pos = 0
            while pos < nbits {
                if runStart < 0 {
                    let rest = w >> UInt64(pos)
                    if rest == 0 { break }
                    pos &+= rest.trailingZeroBitCount
                    runStart = base &+ pos
                } else {
                    let rest = ~w >> UInt64(pos)
                    if rest == 0 { break }
                    pos &+= rest.trailingZeroBitCount
                    if pos >= nbits { break }
                    try body(runStart, base &+ pos &- runStart)
                    runStart = -1
                }
            }
            k &+= 1
        }
        if runStart >= 0 { try body(runStart, count &- runStart) }
    }
}

/// Packs the valid values of a fixed-width array densely.
enum Compaction {
    /// Calls `body` with the valid values of `values` (`count` values of `width` bytes), packed
    /// densely: `values` itself when there is no filter, else a copy in `scratch`.
    ///
    /// - Complexity: O(*count* × *width*) when filtered, O(1) otherwise.
    @inline(__always)
    static func withDense<R, E: Error>(
        _ values: UnsafeRawPointer, count: Int, width: Int, validity: ValidityFilter?, scratch: MutableBuffer,
        _ body: (UnsafeRawPointer, Int) throws(E) -> R
    ) throws(E) -> R {
        guard let validity else { return try body(values, count) }
        scratch.resize(to: 0)
        scratch.reserve(count &* width)
        validity.forEachValidRun(count) { start, length in
            scratch.append(contentsOf: UnsafeRawBufferPointer(start: values + start &* width, count: length &* width))
        }
        return try body(UnsafeRawPointer(scratch.baseAddress), scratch.count / Swift.max(width, 1))
    }
}

/// Appends runs of equal bits to a bitmap being built.
enum BitFill {
    nonisolated(unsafe) static let ones: UnsafeRawPointer = {
        let p = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        p.initializeMemory(as: UInt8.self, repeating: 0xFF, count: 64)
        return UnsafeRawPointer(p)
    }()

    /// Appends `count` copies of `bit`.
    ///
    /// - Complexity: O(*count* / 8).
    static func append(_ bit: Bool, count: Int, to bitmap: inout BitmapBuilder) {
        let src = bit ? ones : emptyInputBytes
        var left = count
        while left > 0 {
            let n = Swift.min(left, 512)
            bitmap.append(bits: src, offset: 0, length: n)
            left &-= n
        }
    }
}
