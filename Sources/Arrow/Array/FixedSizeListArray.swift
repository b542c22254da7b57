/// A read-only view of a `fixed_size_list<…>[n]` array: element `i` is child rows
/// `(offset + i) * n ..< (offset + i + 1) * n`.
public struct FixedSizeListArray: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    /// The child array, whole.
    public let values: ArrayData
    /// Values per element.
    public let listSize: Int
    @usableFromInline let bits: UnsafeRawPointer?
    /// The number of elements.
    public let length: Int

    /// A view of `data`; throws unless it is a fixed-size list with a long enough child.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .fixedSizeList(let n) = data.type.layout, n >= 0 else {
            throw .schemaMismatch("cannot view \(data.type) as a fixed-size list")
        }
        try data.requireBufferCount("FixedSizeListArray")
        guard data.children.count == 1 else { throw .invalidData("FixedSizeListArray: needs one child") }
        let (need, o) = (data.offset + data.length).multipliedReportingOverflow(by: n)
        guard !o, data.children[0].length >= need else { throw .invalidData("FixedSizeListArray: child too short") }
        self.data = data
        self.values = data.children[0]
        self.listSize = n
        self.bits = data.validityStart
        self.length = data.length
    }

    @inlinable public var nullCount: Int { data.nullCount }

    /// Whether element `i` is non-null; false outside `0..<length`.
    @inlinable
    public func isValid(_ i: Int) -> Bool {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return false }
        guard let bits else { return true }
        return withExtendedLifetime(data) { Bitmap.get(bits, data.offset &+ i) }
    }

    /// The child index range of element `i`, or nil outside `0..<length`.
    @inlinable
    public func valueRange(at i: Int) -> Range<Int>? {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return nil }
        let s = (data.offset &+ i) &* listSize
        return s..<(s &+ listSize)
    }

    /// Element `i` as a zero-copy slice of the child, or nil when null or out of range.
    public subscript(i: Int) -> ArrayData? {
        guard isValid(i), let r = valueRange(at: i) else { return nil }
        return values.sliceUnchecked(offset: r.lowerBound, length: r.count)
    }
}

extension FixedSizeListArray: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let array: FixedSizeListArray
        @usableFromInline var i = 0
        @inlinable init(array: FixedSizeListArray) { self.array = array }
        public mutating func next() -> ArrayData?? {
            guard i < array.length else { return nil }
            defer { i &+= 1 }
            return .some(array[i])
        }
    }
    @inlinable public func makeIterator() -> Iterator { Iterator(array: self) }
    @inlinable public var underestimatedCount: Int { length }
}
