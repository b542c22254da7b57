import Arrow

/// A streaming decoder of DELTA_LENGTH_BYTE_ARRAY (Encodings.md, `DELTA_LENGTH_BYTE_ARRAY = 6`):
/// the lengths of all values, DELTA_BINARY_PACKED, then their bytes back to back.
///
/// The lengths are decoded and validated when the decoder is made (each ≥ 0, their sum inside the
/// page), so decoding a batch is one `memcpy` of its bytes plus its offsets.
struct DeltaLengthByteArrayDecoder {
    /// `count` non-negative `Int32` lengths.
    let lengths: MutableBuffer
    /// The values in the page.
    let count: Int
    var index = 0
    /// The first byte of the value data.
    let dataBase: UnsafeRawPointer
    /// The offset (from `dataBase`) of the next value's bytes.
    var dataPosition = 0
    /// The offset in the input just past the last value's bytes.
    let endOffset: Int

    /// Decodes the lengths of the values in `data`.
    ///
    /// - Parameter maxValues: the most values the page may hold.
    /// - Throws: `corrupt` for a bad length header, a negative length, or lengths whose sum
    ///   runs past the page.
    init(_ data: UnsafeRawBufferPointer, maxValues: Int) throws(ParquetError) {
        var header = try DeltaBinaryPackedDecoder<UInt32>(data, maxValues: maxValues)
        let n = header.totalCount
        let lengths = MutableBuffer(capacity: n &* 4)
        try header.decodeAll(into: lengths)
        let start = header.endOffset
        guard start <= data.count else { throw .corrupt("DELTA_LENGTH_BYTE_ARRAY: the lengths run past the page") }
        var sum = 0
        let p = lengths.baseAddress.assumingMemoryBound(to: Int32.self)
        for i in 0..<n {
            let l = p[i]
            guard l >= 0 else { throw .corrupt("DELTA_LENGTH_BYTE_ARRAY: negative length \(l) for value \(i)") }
            sum &+= Int(l)   // n ≤ 2^62 values below 2^31: checked against the page below per step
            guard sum <= data.count &- start else {
                throw .corrupt("DELTA_LENGTH_BYTE_ARRAY: the values' lengths exceed the \(data.count &- start) bytes of the page")
            }
        }
        self.lengths = lengths
        count = n
        dataBase = (data.baseAddress ?? emptyInputBytes) + start
        endOffset = start &+ sum
    }

    /// Values not yet decoded.
    var remaining: Int { count &- index }

    /// The lengths of the next `n` values.
    func nextLengths(_ n: Int) -> UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(start: lengths.baseAddress.assumingMemoryBound(to: Int32.self) + index, count: n)
    }

    /// Appends the next `n` values to `output`.
    ///
    /// - Throws: `corrupt` when fewer values remain; `limitExceeded` past the output's limit.
    /// - Complexity: O(*n* + bytes), one `memcpy` for the bytes.
    mutating func decode(_ n: Int, into output: ByteArrayOutput) throws(ParquetError) {
        guard n >= 0, n <= remaining else {
            throw .corrupt("DELTA_LENGTH_BYTE_ARRAY: \(n) values requested, \(remaining) left in the page")
        }
        guard n > 0 else { return }
        let lens = nextLengths(n)
        var total = 0
        for l in lens { total &+= Int(l) }
        try output.checkRoom(total)
        output.data.append(contentsOf: UnsafeRawBufferPointer(start: dataBase + dataPosition, count: total))
        output.appendOffsets(lengths: lens)
        index &+= n
        dataPosition &+= total
    }

    /// Takes the bytes of the next value without copying (for DELTA_BYTE_ARRAY suffixes).
    @inline(__always)
    mutating func next() -> UnsafeRawBufferPointer {
        let l = Int(lengths.baseAddress.load(fromByteOffset: index &* 4, as: Int32.self))
        let r = UnsafeRawBufferPointer(start: dataBase + dataPosition, count: l)
        index &+= 1
        dataPosition &+= l
        return r
    }
}
