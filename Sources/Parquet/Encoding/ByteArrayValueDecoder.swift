import Arrow

/// Decodes the values of one data page of a BYTE_ARRAY column into Arrow offsets and data
/// (``ByteArrayOutput``).
///
/// Supported encodings: PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY (with the decoded
/// ``ByteArrayDictionary``), DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY. One decoder per page;
/// ``decode(_:into:)`` continues where the previous call stopped. The page bytes must stay alive
/// while decoding. UTF-8 validation is the caller's (it sees the whole data buffer at once).
public struct ByteArrayValueDecoder {
    enum State {
        case plain(PlainDecoder)
        case dictionary(RLEHybridDecoder, ByteArrayDictionary)
        case deltaLength(DeltaLengthByteArrayDecoder)
        case deltaByteArray(DeltaByteArrayDecoder)
    }

    var state: State
    /// The values the page may still yield.
    public private(set) var remaining: Int

    /// A decoder of the values in `data` (the page's value section, after any levels).
    ///
    /// - Parameters:
    ///   - valueCount: the most values the page holds; bounds header-declared counts.
    ///   - dictionary: the decoded dictionary page, required for dictionary encodings.
    /// - Throws: `unsupported` for other encodings; `corrupt` for malformed headers or lengths
    ///   (the DELTA encodings decode and validate all lengths here).
    /// - Complexity: O(1) for PLAIN and dictionaries, O(*valueCount*) for the DELTA encodings.
    public init(encoding: Encoding, data: UnsafeRawBufferPointer, valueCount: Int, dictionary: ByteArrayDictionary? = nil) throws(ParquetError) {
        remaining = Swift.max(valueCount, 0)
        switch encoding {
        case .plain:
            state = .plain(PlainDecoder(data))
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw .corrupt("a dictionary-encoded page without a dictionary page") }
            state = .dictionary(try RLEHybridDecoder(dictionaryIndices: data), dictionary)
        case .deltaLengthByteArray:
            state = .deltaLength(try DeltaLengthByteArrayDecoder(data, maxValues: remaining))
        case .deltaByteArray:
            state = .deltaByteArray(try DeltaByteArrayDecoder(data, maxValues: remaining))
        default:
            throw .unsupported("encoding \(encoding.name) for BYTE_ARRAY")
        }
    }

    /// Appends the next `count` values to `output` (bytes, then one end offset each).
    ///
    /// - Throws: `corrupt` when the page holds fewer values or is malformed; `limitExceeded`
    ///   before the output data passes its byte limit.
    /// - Complexity: O(*count* + bytes copied).
    public mutating func decode(_ count: Int, into output: ByteArrayOutput) throws(ParquetError) {
        guard count >= 0, count <= remaining else {
            throw .corrupt("\(count) values requested, the page holds \(remaining) more")
        }
        guard count > 0 else { return }
        switch state {
        case .plain(var d):
            try d.decodeByteArrays(count, into: output)
            state = .plain(d)
        case .dictionary(var d, let dictionary):
            try d.gather(count, from: dictionary, into: output)
            state = .dictionary(d, dictionary)
        case .deltaLength(var d):
            try d.decode(count, into: output)
            state = .deltaLength(d)
        case .deltaByteArray(var d):
            try d.decode(count, into: output)
            state = .deltaByteArray(d)
        }
        remaining &-= count
    }
}
