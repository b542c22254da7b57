import Arrow

/// The decoded dictionary page of a fixed-width column: INT32, INT64, FLOAT, DOUBLE,
/// FIXED_LEN_BYTE_ARRAY, or INT96 (converted to `Int64` nanoseconds since the epoch).
///
/// Immutable and shareable; ``values`` is an Arrow buffer of ``count`` values of ``byteWidth``
/// bytes, which a reader may also use as the values of an Arrow dictionary array.
public struct FixedWidthDictionary: Sendable {
    /// The bytes of one value (8 for INT96, which is stored converted).
    public let byteWidth: Int
    /// The number of entries.
    public let count: Int
    /// `count × byteWidth` bytes.
    public let values: ArrowBuffer

    /// Decodes a PLAIN dictionary page holding `count` values of `physicalType`
    /// (`typeLength` is the FIXED_LEN_BYTE_ARRAY width).
    ///
    /// - Throws: `corrupt` when the page is too short or the type has no fixed width here
    ///   (BOOLEAN, BYTE_ARRAY).
    /// - Complexity: O(*count*).
    public init(plain data: UnsafeRawBufferPointer, count: Int, physicalType: PhysicalType, typeLength: Int = 0) throws(ParquetError) {
        guard count >= 0 else { throw .corrupt("dictionary page: negative value count \(count)") }
        var decoder = PlainDecoder(data)
        let width: Int
        switch physicalType {
        case .int32, .float: width = 4
        case .int64, .double: width = 8
        case .int96: width = 8
        case .fixedLenByteArray:
            guard typeLength > 0 else { throw .corrupt("FIXED_LEN_BYTE_ARRAY with type length \(typeLength)") }
            width = typeLength
        case .boolean, .byteArray:
            throw .unsupported("dictionary of \(physicalType) values in a fixed-width dictionary")
        }
        // The page must hold the values before anything is allocated.
        let stored = physicalType == .int96 ? 12 : width
        _ = try decoder.byteCount(count, stored)
        let buffer = MutableBuffer(capacity: count &* width)
        if physicalType == .int96 {
            try decoder.decodeInt96Timestamps(count, appendingTo: buffer)
        } else {
            try decoder.decodeFixed(count, byteWidth: width, appendingTo: buffer)
        }
        byteWidth = width
        self.count = count
        values = buffer.finish()
    }

    /// A dictionary over values already decoded: `count` values of `byteWidth` bytes. The count
    /// is cut to the values `values` holds, so lookups never read past it.
    ///
    /// - Complexity: O(1).
    public init(values: ArrowBuffer, count: Int, byteWidth: Int) {
        self.values = values
        self.byteWidth = Swift.max(byteWidth, 1)
        self.count = Swift.max(0, Swift.min(count, values.count / self.byteWidth))
    }
}

/// The decoded dictionary page of a BYTE_ARRAY column: `Int32` offsets (``count`` + 1) and data,
/// laid out as an Arrow binary array.
public struct ByteArrayDictionary: Sendable {
    /// The number of entries.
    public let count: Int
    /// `count + 1` `Int32` offsets into ``data``, starting at 0.
    public let offsets: ArrowBuffer
    /// The entries' bytes.
    public let data: ArrowBuffer

    /// Decodes a PLAIN dictionary page of `count` byte arrays.
    ///
    /// - Throws: `corrupt` when the page is too short for `count` values.
    /// - Complexity: O(*count* + bytes).
    public init(plain data: UnsafeRawBufferPointer, count: Int) throws(ParquetError) {
        // Each value needs at least its 4-byte length: check before allocating.
        guard count >= 0, count <= data.count / 4 else {
            throw .corrupt("dictionary page: \(count) byte arrays cannot fit in \(data.count) bytes")
        }
        var decoder = PlainDecoder(data)
        let offsets = MutableBuffer(capacity: (count &+ 1) &* 4)
        let bytes = MutableBuffer(capacity: data.count)
        offsets.append(Int32(0))
        try decoder.decodeByteArrays(count, into: ByteArrayOutput(offsets: offsets, data: bytes))
        // Readable slack past the last entry, for the gather's fixed-size copies.
        bytes.reserve(ByteArrayGather.slack)
        self.count = count
        self.offsets = offsets.finish()
        self.data = bytes.finish()
    }

    /// The length of entry `i` (unchecked index).
    @inline(__always)
    func range(_ i: Int) -> (start: Int, length: Int) {
        let o = offsets.baseAddress.assumingMemoryBound(to: Int32.self)
        let s = Int(o[i])
        return (s, Int(o[i &+ 1]) &- s)
    }
}
