/// A read-only view of a dictionary-encoded array with `Index` indices.
///
/// ``key(at:)`` returns the dictionary position of element `i`; ``dictionary`` holds the values
/// (view it with the typed array that matches its type).
public struct DictionaryArray<Index: ArrowPrimitive & FixedWidthInteger>: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    /// The indices as a plain integer array (same offset, length and validity).
    public let indices: PrimitiveArray<Index>
    /// The dictionary values.
    public let dictionary: ArrayData

    /// A view of `data`; throws unless it is dictionary-encoded with `Index` indices.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .dictionary(let indexType, _, _) = data.type, indexType.isInteger,
              case .fixedWidth(let w) = indexType.layout, w == MemoryLayout<Index>.stride,
              Index.isSigned == [.int8, .int16, .int32, .int64].contains(indexType) else {
            throw .schemaMismatch("cannot view \(data.type) as a dictionary with \(Index.self) indices")
        }
        guard let dict = data.dictionary else { throw .invalidData("dictionary array without a dictionary") }
        try data.requireBufferCount("DictionaryArray")
        self.indices = try PrimitiveArray<Index>(data.indicesArray)
        self.data = data
        self.dictionary = dict
    }

    @inlinable public var length: Int { indices.length }
    @inlinable public var nullCount: Int { data.nullCount }
    /// Whether element `i` is non-null; false outside `0..<length`.
    @inlinable public func isValid(_ i: Int) -> Bool { indices.isValid(i) }

    /// The dictionary position of element `i`, or nil when null, out of range, or (on data that
    /// was never validated) outside the dictionary.
    @inlinable
    public func key(at i: Int) -> Int? {
        guard let k = indices[i] else { return nil }
        let key = Int(truncatingIfNeeded: k)
        guard k >= 0, UInt64(truncatingIfNeeded: k) < UInt64(dictionary.length) else { return nil }
        return key
    }
}


extension ArrayData {
    /// For a dictionary array, its indices as a plain integer array of the index type (same
    /// length, offset and validity); for other arrays, self.
    public var indicesArray: ArrayData {
        guard case .dictionary(let indexType, _, _) = type else { return self }
        return ArrayData(unchecked: indexType, length: length, offset: offset, nullCount: isNullCountKnown ? nullCount : -1,
                         buffers: buffers)
    }
}
