import Arrow

/// Decodes the values of one data page of a BOOLEAN column into an Arrow bitmap.
///
/// Supported encodings: PLAIN (bit-packed, LSB first) and RLE (bit width 1, with its 4-byte
/// length prefix, as data pages v1 and v2 store RLE booleans). One decoder per page;
/// ``decode(_:into:)`` continues where the previous call stopped.
public struct BooleanValueDecoder {
    enum State {
        case plain(PlainDecoder)
        case rle(RLEHybridDecoder)
    }

    var state: State
    /// The values the page may still yield.
    public private(set) var remaining: Int

    /// A decoder of the values in `data` (the page's value section, after any levels).
    ///
    /// - Throws: `unsupported` for other encodings; `corrupt` for a bad RLE length prefix.
    /// - Complexity: O(1).
    public init(encoding: Encoding, data: UnsafeRawBufferPointer, valueCount: Int) throws(ParquetError) {
        remaining = Swift.max(valueCount, 0)
        switch encoding {
        case .plain:
            state = .plain(PlainDecoder(data))
        case .rle:
            state = .rle(try RLEHybridDecoder.lengthPrefixed(data, bitWidth: 1).decoder)
        default:
            throw .unsupported("encoding \(encoding.name) for BOOLEAN")
        }
    }

    /// Appends the next `count` values to `bitmap`.
    ///
    /// - Throws: `corrupt` when the page holds fewer values.
    /// - Complexity: O(*count* / 64) for PLAIN and bit-packed runs, plus run headers.
    public mutating func decode(_ count: Int, into bitmap: inout BitmapBuilder) throws(ParquetError) {
        guard count >= 0, count <= remaining else {
            throw .corrupt("\(count) values requested, the page holds \(remaining) more")
        }
        guard count > 0 else { return }
        switch state {
        case .plain(var d):
            try d.decodeBooleans(count, into: &bitmap)
            state = .plain(d)
        case .rle(var d):
            try d.decodeBooleans(count, into: &bitmap)
            state = .rle(d)
        }
        remaining &-= count
    }
}
