import Arrow

/// The DELTA_BYTE_ARRAY encoder (Encodings.md, `DELTA_BYTE_ARRAY = 7`): for each value the length
/// of the prefix it shares with the previous value and the remaining suffix; prefix lengths are
/// written DELTA_BINARY_PACKED, suffixes as DELTA_LENGTH_BYTE_ARRAY.
public enum DeltaByteArrayEncoder {
    /// Appends byte arrays given by Arrow `Int32` offsets (`count + 1`) into `data`.
    ///
    /// - Complexity: O(*count* + bytes).
    public static func encode(offsets: UnsafeBufferPointer<Int32>, data: UnsafeRawPointer, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        let count = Swift.max(offsets.count &- 1, 0)
        encodeValues(count, validity, sink) { i in (Int(offsets[i]), Int(offsets[i &+ 1]) &- Int(offsets[i])) } data: { data }
    }

    /// Appends byte arrays given by Arrow `Int64` offsets.
    ///
    /// - Complexity: O(*count* + bytes).
    public static func encode(offsets: UnsafeBufferPointer<Int64>, data: UnsafeRawPointer, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        let count = Swift.max(offsets.count &- 1, 0)
        encodeValues(count, validity, sink) { i in (Int(offsets[i]), Int(offsets[i &+ 1]) &- Int(offsets[i])) } data: { data }
    }

    /// Appends `count` FIXED_LEN_BYTE_ARRAY values of `width` bytes each.
    ///
    /// - Complexity: O(*count* × *width*).
    public static func encodeFixedLength(_ data: UnsafeRawPointer, count: Int, width: Int, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        encodeValues(count, validity, sink) { i in (i &* width, width) } data: { data }
    }

    /// The length of the common prefix of two byte ranges.
    @inline(__always)
    static func commonPrefix(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Int {
        var i = 0
        while i &+ 8 <= n {
            let x = a.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if x != 0 { return i &+ UInt64(littleEndian: x).trailingZeroBitCount >> 3 }
            i &+= 8
        }
        while i < n && a.load(fromByteOffset: i, as: UInt8.self) == b.load(fromByteOffset: i, as: UInt8.self) { i &+= 1 }
        return i
    }

    @inline(__always)
    static func encodeValues(_ count: Int, _ validity: ValidityFilter?, _ sink: MutableBuffer, range: (Int) -> (Int, Int), data: () -> UnsafeRawPointer) {
        let base = data()
        var prefixes = [Int32]()
        var suffixLengths = [Int32]()
        prefixes.reserveCapacity(count)
        suffixLengths.reserveCapacity(count)
        let suffixes = MutableBuffer()
        var prevStart = 0
        var prevLength = 0
        ByteArrayRuns.forEachValid(count, validity) { i in
            let (s, l) = range(i)
            let p = commonPrefix(base + prevStart, base + s, Swift.min(l, prevLength))
            prefixes.append(Int32(truncatingIfNeeded: p))
            suffixLengths.append(Int32(truncatingIfNeeded: l &- p))
            suffixes.append(contentsOf: UnsafeRawBufferPointer(start: base + (s &+ p), count: l &- p))
            prevStart = s
            prevLength = l
        }
        prefixes.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: sink) }
        suffixLengths.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: sink) }
        sink.append(contentsOf: UnsafeRawBufferPointer(start: suffixes.baseAddress, count: suffixes.count))
    }
}
