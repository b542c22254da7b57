import Arrow

/// A streaming decoder of DELTA_BYTE_ARRAY (Encodings.md, `DELTA_BYTE_ARRAY = 7`, incremental or
/// front coding): the prefix lengths (DELTA_BINARY_PACKED), then the suffixes
/// (DELTA_LENGTH_BYTE_ARRAY); each value is the first *prefix* bytes of the previous value
/// followed by its suffix.
///
/// Every length is validated when the decoder is made: prefixes and suffixes ≥ 0, the first
/// prefix 0, each prefix ≤ the previous value's length, suffix bytes inside the page. Because
/// prefixes can expand a small page into a large output, each batch's size is computed first and
/// checked against the output's byte limit before anything is copied.
struct DeltaByteArrayDecoder {
    /// `count` `Int32` prefix lengths.
    let prefixes: MutableBuffer
    var suffixes: DeltaLengthByteArrayDecoder
    let count: Int
    var index = 0
    /// The bytes of the last value decoded (the source of the next prefix across calls).
    let previous = MutableBuffer()

    /// Decodes and validates the lengths of the values in `data`.
    ///
    /// - Parameters:
    ///   - maxValues: the most values the page may hold.
    ///   - fixedLength: for FIXED_LEN_BYTE_ARRAY, the length every value must have.
    init(_ data: UnsafeRawBufferPointer, maxValues: Int, fixedLength: Int? = nil) throws(ParquetError) {
        var header = try DeltaBinaryPackedDecoder<UInt32>(data, maxValues: maxValues)
        let n = header.totalCount
        let prefixes = MutableBuffer(capacity: n &* 4)
        try header.decodeAll(into: prefixes)
        let start = header.endOffset
        guard start <= data.count else { throw .corrupt("DELTA_BYTE_ARRAY: the prefix lengths run past the page") }
        let suffixes = try DeltaLengthByteArrayDecoder(UnsafeRawBufferPointer(rebasing: data[start...]), maxValues: maxValues)
        guard suffixes.count == n else {
            throw .corrupt("DELTA_BYTE_ARRAY: \(n) prefix lengths but \(suffixes.count) suffixes")
        }
        let p = prefixes.baseAddress.assumingMemoryBound(to: Int32.self)
        let s = suffixes.lengths.baseAddress.assumingMemoryBound(to: Int32.self)
        var previousLength = 0
        for i in 0..<n {
            let prefix = Int(p[i])
            guard prefix >= 0, prefix <= previousLength else {
                throw .corrupt("DELTA_BYTE_ARRAY: prefix length \(prefix) of value \(i) exceeds the previous value's length \(previousLength)")
            }
            previousLength = prefix &+ Int(s[i])   // both below 2^31
            if let fixedLength, previousLength != fixedLength {
                throw .corrupt("DELTA_BYTE_ARRAY: value \(i) has \(previousLength) bytes, the column's fixed length is \(fixedLength)")
            }
        }
        self.prefixes = prefixes
        self.suffixes = suffixes
        count = n
    }

    /// Values not yet decoded.
    var remaining: Int { count &- index }

    /// Appends the next `n` values' bytes to `data` (after `room(total)` approved their size),
    /// calling `after` once per value.
    @inline(__always)
    mutating func decode(_ n: Int, data: MutableBuffer, room: (Int) throws(ParquetError) -> Void, after: () -> Void) throws(ParquetError) {
        guard n >= 0, n <= remaining else {
            throw .corrupt("DELTA_BYTE_ARRAY: \(n) values requested, \(remaining) left in the page")
        }
        guard n > 0 else { return }
        let p = prefixes.baseAddress.assumingMemoryBound(to: Int32.self) + index
        let s = suffixes.nextLengths(n)
        var total = 0
        for i in 0..<n {
            let (t, o) = total.addingReportingOverflow(Int(p[i]) &+ Int(s[i]))
            guard !o else { throw .limitExceeded(file: "", what: "decoded byte array data", value: Int.max, limit: Int.max) }
            total = t
        }
        try room(total)
        data.reserve(total)
        // The previous value: first the saved one, then each value just written, located by its
        // offset in `data` (the pointer is taken after the reserve that precedes each copy).
        var prevInData = -1
        for i in 0..<n {
            let prefix = Int(p[i])
            let suffix = suffixes.next()
            data.reserve(prefix &+ suffix.count)
            let start = data.count
            if prefix > 0 {
                // Capacity is reserved, so this append does not move `data` under `src`; the
                // previous value ends at or before `start`, so the ranges do not overlap.
                let src = prevInData >= 0 ? UnsafeRawPointer(data.baseAddress + prevInData) : UnsafeRawPointer(previous.baseAddress)
                data.append(contentsOf: UnsafeRawBufferPointer(start: src, count: prefix))
            }
            data.append(contentsOf: suffix)
            prevInData = start
            after()
        }
        let lastLength = Int(p[n &- 1]) &+ Int(s[n &- 1])
        previous.resize(to: 0)
        previous.append(contentsOf: UnsafeRawBufferPointer(start: data.baseAddress + prevInData, count: lastLength))
        index &+= n
    }

    /// Appends the next `n` values to `output` (BYTE_ARRAY).
    ///
    /// - Complexity: O(*n* + bytes written).
    mutating func decode(_ n: Int, into output: ByteArrayOutput) throws(ParquetError) {
        output.offsets.reserve(n &* (output.largeOffsets ? 8 : 4))
        try decode(n, data: output.data, room: { (t) throws(ParquetError) in try output.checkRoom(t) }, after: { output.appendEndOffset() })
    }

    /// Appends the next `n` fixed-length values' bytes to `buffer` (FIXED_LEN_BYTE_ARRAY; the
    /// lengths were checked when the decoder was made).
    ///
    /// - Complexity: O(bytes written).
    mutating func decodeFixed(_ n: Int, appendingTo buffer: MutableBuffer) throws(ParquetError) {
        try decode(n, data: buffer, room: { (_) throws(ParquetError) in }, after: {})
    }
}
