import Arrow

/// A streaming decoder of PLAIN values (Encodings.md, `PLAIN = 0`) for every physical type.
///
/// Each call continues where the previous stopped. Fixed-width values are copied with one
/// `memcpy`; booleans are bit-packed LSB first and copied as a bitmap; byte arrays are a 4-byte
/// little-endian length followed by the bytes. Every read is bounds-checked against the page.
/// The decoder does not own its input: keep the bytes alive while decoding.
public struct PlainDecoder {
    var cursor: ByteCursor
    /// Booleans consumed (bit position in the page).
    var bitPosition = 0

    /// A decoder over the values of one page.
    ///
    /// - Complexity: O(1).
    public init(_ data: UnsafeRawBufferPointer) {
        cursor = ByteCursor(data)
    }

    /// Bytes not yet consumed.
    public var remainingBytes: Int { cursor.remaining }

    /// Copies the next `count` values of `byteWidth` bytes to `dst`.
    ///
    /// - Throws: `corrupt` when the page holds fewer values.
    /// - Complexity: O(*count* × *byteWidth*), one `memcpy`.
    public mutating func decodeFixed(_ count: Int, byteWidth: Int, into dst: UnsafeMutableRawPointer) throws(ParquetError) {
        let n = try byteCount(count, byteWidth)
        if n > 0 { dst.copyMemory(from: try cursor.take(n, "PLAIN values"), byteCount: n) }
    }

    /// Appends the next `count` values of `byteWidth` bytes to `buffer`.
    ///
    /// - Throws: `corrupt` when the page holds fewer values.
    /// - Complexity: O(*count* × *byteWidth*), one `memcpy`.
    public mutating func decodeFixed(_ count: Int, byteWidth: Int, appendingTo buffer: MutableBuffer) throws(ParquetError) {
        let n = try byteCount(count, byteWidth)
        if n > 0 { buffer.append(contentsOf: UnsafeRawBufferPointer(start: try cursor.take(n, "PLAIN values"), count: n)) }
    }

    func byteCount(_ count: Int, _ byteWidth: Int) throws(ParquetError) -> Int {
        let (n, o) = count.multipliedReportingOverflow(by: byteWidth)
        guard count >= 0, byteWidth >= 0, !o, n <= cursor.remaining else {
            throw .corrupt("PLAIN: \(count) values of \(byteWidth) bytes need more than the \(cursor.remaining) bytes left")
        }
        return n
    }

    /// Decodes the next `count` INT96 values as nanoseconds since the epoch (`Int64`) into `dst`.
    ///
    /// - Complexity: O(*count*).
    public mutating func decodeInt96Timestamps(_ count: Int, into dst: UnsafeMutablePointer<Int64>) throws(ParquetError) {
        let n = try byteCount(count, 12)
        Int96Timestamp.convert(try cursor.take(n, "PLAIN INT96 values"), count: count, into: dst)
    }

    /// Appends the next `count` INT96 values as nanoseconds since the epoch (`Int64`) to `buffer`.
    ///
    /// - Complexity: O(*count*).
    public mutating func decodeInt96Timestamps(_ count: Int, appendingTo buffer: MutableBuffer) throws(ParquetError) {
        _ = try byteCount(count, 12)
        try buffer.appendValues(count, as: Int64.self) { (p) throws(ParquetError) in try decodeInt96Timestamps(count, into: p) }
    }

    /// Appends the next `count` booleans (bit-packed, LSB first) to `bitmap`.
    ///
    /// - Throws: `corrupt` when the page holds fewer bits.
    /// - Complexity: O(*count* / 64) word copies (O(*count*) when bit positions are unaligned
    ///   with the last byte).
    public mutating func decodeBooleans(_ count: Int, into bitmap: inout BitmapBuilder) throws(ParquetError) {
        guard count >= 0, count <= cursor.remaining &* 8 &- bitPosition else {
            throw .corrupt("PLAIN booleans: \(count) values need more than the \(cursor.remaining) bytes left")
        }
        guard count > 0 else { return }
        bitmap.append(bits: cursor.pointer, offset: bitPosition, length: count)
        let bits = bitPosition &+ count
        cursor.position &+= bits >> 3
        bitPosition = bits & 7
    }

    /// Appends the next `count` byte arrays to `output`.
    ///
    /// - Throws: `corrupt` when a length is missing or runs past the page; `limitExceeded` when
    ///   the output would exceed its byte limit.
    /// - Complexity: O(*count* + bytes copied).
    public mutating func decodeByteArrays(_ count: Int, into output: ByteArrayOutput) throws(ParquetError) {
        guard count > 0 else { return }
        // The page bounds the data, so reserve once and check the limit only when it might bind.
        let perValueCheck = cursor.remaining > output.dataLimit &- output.data.count
        output.data.reserve(Swift.min(cursor.remaining, Swift.max(0, output.dataLimit &- output.data.count)))
        output.offsets.reserve(count &* (output.largeOffsets ? 8 : 4))
        for _ in 0..<count {
            let length = Int(try cursor.readUInt32LE("PLAIN byte array length"))
            guard length <= cursor.remaining else {
                throw .corrupt("PLAIN byte array: length \(length) at offset \(cursor.position &- 4) runs past the page (\(cursor.remaining) bytes left)")
            }
            if perValueCheck { try output.checkRoom(length) }
            output.data.append(contentsOf: UnsafeRawBufferPointer(start: cursor.pointer, count: length))
            cursor.position &+= length
            output.appendEndOffset()
        }
    }

    /// Skips the next `count` byte arrays.
    ///
    /// - Complexity: O(*count*).
    public mutating func skipByteArrays(_ count: Int) throws(ParquetError) {
        for _ in 0..<Swift.max(count, 0) {
            let length = Int(try cursor.readUInt32LE("PLAIN byte array length"))
            _ = try cursor.take(length, "PLAIN byte array")
        }
    }
}
