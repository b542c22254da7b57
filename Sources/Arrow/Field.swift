/// A named, typed column or child of a nested type.
public struct Field: Hashable, Sendable {
    /// The name; may be empty for children of nested types.
    public var name: String
    /// The logical type.
    public var type: DataType
    /// Whether the field may hold nulls.
    public var nullable: Bool
    /// Key-value metadata, in order. Keys are unique in practice but not enforced.
    public var metadata: [(String, String)] {
        get { _metadata.map { ($0.key, $0.value) } }
        set { _metadata = newValue.map { KeyValue(key: $0.0, value: $0.1) } }
    }
    @usableFromInline var _metadata: [KeyValue]

    @inlinable
    public init(_ name: String, _ type: DataType, nullable: Bool = true, metadata: [(String, String)] = []) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self._metadata = metadata.map { KeyValue(key: $0.0, value: $0.1) }
    }

    /// Equality of name, nullability and type, ignoring metadata at every depth.
    public func equalsIgnoringMetadata(_ other: Field) -> Bool {
        name == other.name && nullable == other.nullable && type.equalsIgnoringMetadata(other.type)
    }

    /// A copy with another type.
    public func with(type: DataType) -> Field { var f = self; f.type = type; return f }
    /// A copy with another name.
    public func with(name: String) -> Field { var f = self; f.name = name; return f }
}

/// One metadata entry. Ordered pairs are kept (rather than a dictionary) so that metadata
/// survives round trips byte for byte.
public struct KeyValue: Hashable, Sendable {
    public var key: String
    public var value: String
    @inlinable public init(key: String, value: String) { self.key = key; self.value = value }
}

extension Field: CustomStringConvertible {
    public var description: String { "\(name): \(type)\(nullable ? "" : " not null")" }
}
