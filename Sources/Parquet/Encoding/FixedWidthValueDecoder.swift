import Arrow

/// Decodes the values of one data page of a fixed-width column — INT32, INT64, FLOAT, DOUBLE,
/// FIXED_LEN_BYTE_ARRAY, and INT96 (as `Int64` nanoseconds since the epoch) — into Arrow memory:
/// each value is appended to a `MutableBuffer` as ``byteWidth`` little-endian bytes.
///
/// Supported encodings: PLAIN (all), PLAIN_DICTIONARY / RLE_DICTIONARY (all, with the decoded
/// ``FixedWidthDictionary``), DELTA_BINARY_PACKED (INT32, INT64), BYTE_STREAM_SPLIT (INT32,
/// INT64, FLOAT, DOUBLE, FIXED_LEN_BYTE_ARRAY), DELTA_BYTE_ARRAY (FIXED_LEN_BYTE_ARRAY).
///
/// A column reader makes one decoder per page and calls ``decode(_:appendingTo:)`` as many times
/// as it needs (the decoder continues where it stopped). The decoder reads `data` in place: keep
/// the page bytes alive while decoding.
public struct FixedWidthValueDecoder {
    enum State {
        case plain(PlainDecoder)
        case int96(PlainDecoder)
        case dictionary(RLEHybridDecoder, FixedWidthDictionary)
        case delta32(DeltaBinaryPackedDecoder<UInt32>)
        case delta64(DeltaBinaryPackedDecoder<UInt64>)
        case byteStreamSplit(ByteStreamSplitDecoder)
        case deltaByteArray(DeltaByteArrayDecoder)
    }

    var state: State
    /// The bytes each decoded value takes in the output (8 for INT96).
    public let byteWidth: Int
    /// The values the page may still yield.
    public private(set) var remaining: Int

    /// A decoder of the values in `data` (the page's value section, after any levels).
    ///
    /// - Parameters:
    ///   - typeLength: the FIXED_LEN_BYTE_ARRAY width (ignored for other types).
    ///   - valueCount: the most values the page holds (its non-null values, or `num_values` as an
    ///     upper bound); bounds what header-declared counts may allocate.
    ///   - dictionary: the decoded dictionary page, required for dictionary encodings.
    /// - Throws: `unsupported` for an encoding this type cannot use; `corrupt` for a bad header or
    ///   a missing or mismatched dictionary.
    /// - Complexity: O(1).
    public init(
        physicalType: PhysicalType, typeLength: Int = 0, encoding: Encoding, data: UnsafeRawBufferPointer,
        valueCount: Int, dictionary: FixedWidthDictionary? = nil
    ) throws(ParquetError) {
        let width: Int
        switch physicalType {
        case .int32, .float: width = 4
        case .int64, .double, .int96: width = 8
        case .fixedLenByteArray:
            guard typeLength > 0 else { throw .corrupt("FIXED_LEN_BYTE_ARRAY with type length \(typeLength)") }
            width = typeLength
        case .boolean, .byteArray:
            throw .unsupported("\(physicalType) values in a fixed-width decoder")
        }
        byteWidth = width
        remaining = Swift.max(valueCount, 0)
        func unsupported() -> ParquetError { .unsupported("encoding \(encoding.name) for \(physicalType)") }
        switch encoding {
        case .plain:
            state = physicalType == .int96 ? .int96(PlainDecoder(data)) : .plain(PlainDecoder(data))
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw .corrupt("a dictionary-encoded page without a dictionary page") }
            guard dictionary.byteWidth == width else {
                throw .corrupt("dictionary values have \(dictionary.byteWidth) bytes, the column \(width)")
            }
            state = .dictionary(try RLEHybridDecoder(dictionaryIndices: data), dictionary)
        case .deltaBinaryPacked:
            switch physicalType {
            case .int32: state = .delta32(try DeltaBinaryPackedDecoder(data, maxValues: remaining))
            case .int64: state = .delta64(try DeltaBinaryPackedDecoder(data, maxValues: remaining))
            default: throw unsupported()
            }
        case .byteStreamSplit:
            guard physicalType != .int96 else { throw unsupported() }
            state = .byteStreamSplit(try ByteStreamSplitDecoder(data, width: width))
        case .deltaByteArray:
            guard physicalType == .fixedLenByteArray else { throw unsupported() }
            state = .deltaByteArray(try DeltaByteArrayDecoder(data, maxValues: remaining, fixedLength: width))
        default:
            throw unsupported()
        }
    }

    /// Appends the next `count` values to `buffer` (`count × byteWidth` bytes).
    ///
    /// - Throws: `corrupt` when the page holds fewer values or its data is malformed (bad
    ///   dictionary index, truncated run …).
    /// - Complexity: O(*count*); PLAIN is one `memcpy`.
    public mutating func decode(_ count: Int, appendingTo buffer: MutableBuffer) throws(ParquetError) {
        guard count >= 0, count <= remaining else {
            throw .corrupt("\(count) values requested, the page holds \(remaining) more")
        }
        guard count > 0 else { return }
        switch state {
        case .plain(var d):
            try d.decodeFixed(count, byteWidth: byteWidth, appendingTo: buffer)
            state = .plain(d)
        case .int96(var d):
            try d.decodeInt96Timestamps(count, appendingTo: buffer)
            state = .int96(d)
        case .dictionary(var d, let dictionary):
            try d.gather(count, from: dictionary, appendingTo: buffer)
            state = .dictionary(d, dictionary)
        case .delta32(var d):
            guard count <= d.remaining else { throw d.shortage(count) }
            try buffer.appendValues(count, as: UInt32.self) { (p) throws(ParquetError) in try d.decode(into: p, count: count) }
            state = .delta32(d)
        case .delta64(var d):
            guard count <= d.remaining else { throw d.shortage(count) }
            try buffer.appendValues(count, as: UInt64.self) { (p) throws(ParquetError) in try d.decode(into: p, count: count) }
            state = .delta64(d)
        case .byteStreamSplit(var d):
            guard count <= d.total &- d.position else { throw .corrupt("BYTE_STREAM_SPLIT: \(count) values requested, \(d.total &- d.position) left in the page") }
            let w = byteWidth
            try buffer.appendValues(count &* w, as: UInt8.self) { (p) throws(ParquetError) in try d.decode(into: UnsafeMutableRawPointer(p), count: count) }
            state = .byteStreamSplit(d)
        case .deltaByteArray(var d):
            try d.decodeFixed(count, appendingTo: buffer)
            state = .deltaByteArray(d)
        }
        remaining &-= count
    }
}
