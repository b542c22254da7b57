/// An ordered list of fields plus schema-level metadata: the shape of a record batch.
public struct Schema: Hashable, Sendable {
    /// The columns, in order.
    public var fields: [Field]
    @usableFromInline var _metadata: [KeyValue]

    /// Schema-level key-value metadata, in order.
    public var metadata: [(String, String)] {
        get { _metadata.map { ($0.key, $0.value) } }
        set { _metadata = newValue.map { KeyValue(key: $0.0, value: $0.1) } }
    }

    @inlinable
    public init(_ fields: [Field], metadata: [(String, String)] = []) {
        self.fields = fields
        self._metadata = metadata.map { KeyValue(key: $0.0, value: $0.1) }
    }

    /// The index of the first field named `name` (exact byte comparison), or nil.
    ///
    /// - Complexity: O(*n*) in the number of fields.
    public func index(of name: String) -> Int? {
        fields.firstIndex { $0.name.hasSameBytes(as: name) }
    }

    /// The field named `name`, or nil.
    public func field(named name: String) -> Field? { index(of: name).map { fields[$0] } }

    /// Equality of fields (names, types, nullability), ignoring all metadata.
    ///
    /// - Complexity: O(1) when both schemas share one field array (``sharesFields(with:)``: a
    ///   table's batches share their schema's), O(*n*) in the fields otherwise.
    public func equalsIgnoringMetadata(_ other: Schema) -> Bool {
        if sharesFields(with: other) { return true }
        return fields.count == other.fields.count && zip(fields, other.fields).allSatisfy { $0.equalsIgnoringMetadata($1) }
    }

    /// Whether both schemas hold one field array (copies of a schema, and batches built under
    /// it, do): then their fields are equal, metadata included. A `false` says nothing.
    ///
    /// - Complexity: O(1).
    public func sharesFields(with other: Schema) -> Bool {
        fields.sharesStorage(with: other.fields)
    }
}

extension Schema: CustomStringConvertible {
    public var description: String { fields.map(\.description).joined(separator: "\n") }
}
