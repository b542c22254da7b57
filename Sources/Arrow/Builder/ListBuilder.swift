/// A builder of `list` / `map` (`Offset` = `Int32`) and `large_list` (`Int64`) arrays.
///
/// Append an element's items to ``values`` (or to ``keys`` and ``items`` for a map), then call
/// ``append(_:)`` to close the element: its items are the values appended since the previous
/// element was closed.
///
/// ```swift
/// let b = ListBuilder(values: PrimitiveBuilder<Int64>())
/// let v = b.values(as: PrimitiveBuilder<Int64>.self)!
/// v.append(1); v.append(2); b.append()      // [1, 2]
/// b.appendNull()                            // null
/// b.append()                                // []
/// ```
public final class GenericListBuilder<Offset: ArrowOffset>: ArrayBuilder {
    public let type: DataType
    /// The builder of the child values (for a map: a ``StructBuilder`` of key and value).
    public let values: any ArrayBuilder
    @usableFromInline let offsets: MutableBuffer
    @exclusivity(unchecked) @usableFromInline var validity = ValidityBuilder()
    let field: Field
    let isMap: Bool

    /// A builder of `type` (list or map for `Int32` offsets, large list for `Int64`), with a
    /// child builder made by ``makeBuilder(for:)``.
    public convenience init(type: DataType) throws(ArrowError) {
        guard let f = type.children.first else { throw .schemaMismatch("\(type) is not a list type") }
        try self.init(type: type, values: try makeBuilder(for: f.type))
    }

    /// A builder of `type` with the given child builder (whose type must be the child type).
    public init(type: DataType, values: any ArrayBuilder) throws(ArrowError) {
        guard case .list(let w) = type.layout, w == MemoryLayout<Offset>.stride, let f = type.children.first else {
            throw .schemaMismatch("a list builder with \(Offset.self) offsets cannot build \(type)")
        }
        guard values.type == f.type else { throw .schemaMismatch("child builder builds \(values.type), \(type) needs \(f.type)") }
        if case .map = type {
            guard values is StructBuilder, f.type.children.count == 2 else { throw .schemaMismatch("map entries must be a struct of key and value") }
            isMap = true
        } else {
            isMap = false
        }
        self.type = type
        self.values = values
        self.field = f
        offsets = MutableBuffer(capacity: 64)
        offsets.append(Offset(0))
    }

    /// A list (or large list) builder over `values`, the child field named `fieldName`.
    public convenience init(values: any ArrayBuilder, fieldName: String = "item", nullable: Bool = true) {
        let f = Field(fieldName, values.type, nullable: nullable)
        // Cannot fail: the type is built from the child's type.
        try! self.init(type: Offset.self == Int32.self ? .list(f) : .largeList(f), values: values)
    }

    /// The child builder as `B`, or nil if it is of another class.
    public func values<B: ArrayBuilder>(as: B.Type) -> B? { values as? B }

    /// For a map: the builder of the keys.
    public var keys: (any ArrayBuilder)? { isMap ? (values as? StructBuilder)?.children[0] : nil }
    /// For a map: the builder of the values.
    public var items: (any ArrayBuilder)? { isMap ? (values as? StructBuilder)?.children[1] : nil }

    @inlinable public var length: Int { validity.length }
    @inlinable public var nullCount: Int { validity.nullCount }

    func closeElement() {
        if isMap, let entries = values as? StructBuilder { entries.appendValidRowsToMatchChildren() }
        offsets.append(Offset(truncatingIfNeeded: values.length))
    }

    /// Closes the current element (valid by default): its items are the values appended since
    /// the previous element.
    public func append(_ isValid: Bool = true) {
        closeElement()
        validity.append(isValid)
    }

    /// Closes the current element as null (normally with no values appended for it).
    public func appendNull() {
        closeElement()
        validity.appendNull()
    }

    /// Appends an empty list.
    public func appendEmptyValue() { append(true) }

    public func reserve(_ n: Int) {
        let n = reserveHint(n)
        offsets.reserve(n * MemoryLayout<Offset>.stride)
        validity.reserve(n)
    }

    public func finish() throws(ArrowError) -> ArrayData {
        let n = length
        let (bits, nulls) = validity.finish()
        let offsetBuffer = offsets.finish()
        offsets.append(Offset(0))
        let last = offsetBuffer.load(n, as: Offset.self)
        let child = try values.finish()
        guard child.length <= Int(Offset.max), Int(last) <= child.length else {
            throw ArrowError(.capacityExceeded, "\(child.length) child values overflow \(Offset.self) list offsets")
        }
        try checkNonNullable(field, child)
        return ArrayData(unchecked: type, length: n, nullCount: nulls, buffers: [bits, offsetBuffer], children: [child])
    }
}

public typealias ListBuilder = GenericListBuilder<Int32>
public typealias LargeListBuilder = GenericListBuilder<Int64>
/// A map builder is a list builder with `Int32` offsets whose child is a struct builder.
public typealias MapBuilder = GenericListBuilder<Int32>

extension GenericListBuilder where Offset == Int32 {
    /// A map builder with key and value builders made by ``makeBuilder(for:)``; keys are
    /// non-nullable.
    public static func map(key: DataType, value: DataType, keysSorted: Bool = false) throws(ArrowError) -> GenericListBuilder<Int32> {
        let entries = Field("entries", .struct([Field("key", key, nullable: false), Field("value", value)]), nullable: false)
        return try GenericListBuilder<Int32>(type: .map(entries, keysSorted: keysSorted))
    }
}
