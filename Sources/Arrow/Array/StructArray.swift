/// A read-only view of a struct array. Its children are exposed aligned to its rows (sliced by
/// the struct's offset), so `child(at: k)` row `i` belongs to struct row `i`.
public struct StructArray: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    /// The fields, in order.
    public let fields: [Field]
    /// The children aligned to this array's rows.
    public let children: [ArrayData]
    @usableFromInline let bits: UnsafeRawPointer?
    /// The number of elements.
    public let length: Int

    /// A view of `data`; throws unless it is a struct whose children are long enough.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .struct(let fields) = data.type else { throw .schemaMismatch("cannot view \(data.type) as a struct") }
        try data.requireBufferCount("StructArray")
        guard data.children.count == fields.count else { throw .invalidData("StructArray: \(fields.count) fields but \(data.children.count) children") }
        for c in data.children where c.length < data.offset + data.length {
            throw .invalidData("StructArray: a child has \(c.length) rows, needs \(data.offset + data.length)")
        }
        self.data = data
        self.fields = fields
        self.children = data.logicalChildren
        self.bits = data.validityStart
        self.length = data.length
    }

    @inlinable public var nullCount: Int { data.nullCount }

    /// Whether row `i` is non-null; false outside `0..<length`.
    @inlinable
    public func isValid(_ i: Int) -> Bool {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return false }
        guard let bits else { return true }
        return withExtendedLifetime(data) { Bitmap.get(bits, data.offset &+ i) }
    }

    /// The child at position `k` (aligned to this array's rows), or nil.
    public func child(at k: Int) -> ArrayData? { children.indices.contains(k) ? children[k] : nil }

    /// The first child named `name` (aligned to this array's rows), or nil.
    public func child(named name: String) -> ArrayData? {
        fields.firstIndex { $0.name.hasSameBytes(as: name) }.map { children[$0] }
    }
}
