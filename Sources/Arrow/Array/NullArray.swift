/// A view of an array of the `null` type: every element is null and there are no buffers.
public struct NullArray: Sendable, Sequence {
    /// The viewed data.
    public let data: ArrayData
    /// A view of `data`; throws unless its type is `null`.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .null = data.type else { throw .schemaMismatch("cannot view \(data.type) as null") }
        self.data = data
    }
    /// The number of elements (all null).
    public var length: Int { data.length }
    /// Always nil.
    public subscript(i: Int) -> Never? { nil }

    public struct Iterator: IteratorProtocol {
        var remaining: Int
        public mutating func next() -> Never?? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return .some(nil)
        }
    }
    public func makeIterator() -> Iterator { Iterator(remaining: data.length) }
}
