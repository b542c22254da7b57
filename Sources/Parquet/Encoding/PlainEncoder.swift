import Arrow

/// The PLAIN encoder (Encodings.md, `PLAIN = 0`) for Arrow values. With a ``ValidityFilter``
/// only the valid values are written (data pages store no slots for nulls).
public enum PlainEncoder {
    /// Appends `count` fixed-width values of `byteWidth` bytes (INT32, INT64, FLOAT, DOUBLE,
    /// FIXED_LEN_BYTE_ARRAY: little-endian bytes as Arrow stores them).
    ///
    /// - Complexity: O(*count* × *byteWidth*): one `memcpy`, or one per run of valid values.
    public static func encode(_ values: UnsafeRawPointer, count: Int, byteWidth: Int, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        guard count > 0 else { return }
        guard let validity else {
            sink.append(contentsOf: UnsafeRawBufferPointer(start: values, count: count &* byteWidth))
            return
        }
        sink.reserve(count &* byteWidth)
        validity.forEachValidRun(count) { start, length in
            sink.append(contentsOf: UnsafeRawBufferPointer(start: values + start &* byteWidth, count: length &* byteWidth))
        }
    }

    /// Appends timestamps (nanoseconds since the epoch) as INT96 values (12 bytes each).
    ///
    /// - Complexity: O(*values.count*).
    public static func encodeInt96(nanoseconds values: UnsafeBufferPointer<Int64>, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        let n = validity?.validCount(values.count) ?? values.count
        guard n > 0 else { return }
        var dst = sink.extend(by: n &* 12)
        for i in 0..<values.count where validity?.isValid(i) ?? true {
            Int96Timestamp.store(nanoseconds: values[i], at: dst)
            dst += 12
        }
    }

    /// Appends byte arrays given by Arrow `Int32` offsets (`count + 1` of them, into `data`):
    /// each a 4-byte little-endian length, then its bytes.
    ///
    /// - Complexity: O(*count* + bytes).
    public static func encodeByteArrays(offsets: UnsafeBufferPointer<Int32>, data: UnsafeRawPointer, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        encodeByteArraysGeneric(offsets, data, validity, sink)
    }

    /// Appends byte arrays given by Arrow `Int64` offsets (large_binary / large_utf8).
    ///
    /// - Complexity: O(*count* + bytes).
    public static func encodeByteArrays(offsets: UnsafeBufferPointer<Int64>, data: UnsafeRawPointer, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        encodeByteArraysGeneric(offsets, data, validity, sink)
    }

    static func encodeByteArraysGeneric<O: FixedWidthInteger>(_ offsets: UnsafeBufferPointer<O>, _ data: UnsafeRawPointer, _ validity: ValidityFilter?, _ sink: MutableBuffer) {
        let count = offsets.count &- 1
        guard count > 0 else { return }
        let total = Int(offsets[count]) &- Int(offsets[0])
        sink.reserve(total &+ 4 &* count)
        @inline(__always) func put(_ i: Int) {
            let s = Int(offsets[i])
            let l = Int(offsets[i &+ 1]) &- s
            sink.append(UInt32(truncatingIfNeeded: l).littleEndian)
            sink.append(contentsOf: UnsafeRawBufferPointer(start: data + s, count: l))
        }
        if let validity {
            validity.forEachValidRun(count) { start, length in
                for i in start..<(start &+ length) { put(i) }
            }
        } else {
            for i in 0..<count { put(i) }
        }
    }
}

/// PLAIN booleans: bit-packed LSB first, continuing bit by bit across calls so that a page can
/// be assembled from several Arrow arrays.
///
/// The encoder owns the tail of the sink: between ``init()`` (or ``reset()``) and the end of the
/// page, append nothing else to the sink.
public struct PlainBooleanEncoder {
    /// Bits written since the start of the page.
    public private(set) var bitCount = 0

    /// An encoder at the start of a page.
    ///
    /// - Complexity: O(1).
    public init() {}

    /// Starts a new page.
    ///
    /// - Complexity: O(1).
    public mutating func reset() { bitCount = 0 }

    /// Appends `count` booleans from `bits` (starting at bit `offset`); with a validity filter
    /// only the valid ones.
    ///
    /// - Complexity: O(*count* / 64) per run of valid values.
    public mutating func append(bits: UnsafeRawPointer, offset: Int, count: Int, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        guard count > 0 else { return }
        let regionStart = sink.count &- Bitmap.byteCount(forBits: bitCount)
        let n = validity?.validCount(count) ?? count
        let finalBytes = Bitmap.byteCount(forBits: bitCount &+ n)
        // 8 bytes of slack for the word-wise bit copy, trimmed afterwards.
        sink.resize(to: regionStart &+ finalBytes &+ 8)
        let dst = sink.baseAddress + regionStart
        if let validity {
            validity.forEachValidRun(count) { start, length in
                Bitmap.copy(from: bits, srcOffset: offset &+ start, to: dst, dstOffset: bitCount, length: length)
                bitCount &+= length
            }
        } else {
            Bitmap.copy(from: bits, srcOffset: offset, to: dst, dstOffset: bitCount, length: count)
            bitCount &+= count
        }
        sink.resize(to: regionStart &+ finalBytes)
    }
}
