/// A builder of `fixed_size_list<…>[n]` arrays: append exactly ``listSize`` values to
/// ``values``, then call ``append(_:)``.
public final class FixedSizeListBuilder: ArrayBuilder {
    public let type: DataType
    /// Values per element.
    public let listSize: Int
    /// The builder of the child values.
    public let values: any ArrayBuilder
    @exclusivity(unchecked) @usableFromInline var validity = ValidityBuilder()
    let field: Field
    /// A request for more child values than a buffer can hold; reported by ``finish()``.
    var overflowed = false

    /// `n * listSize` child values, or nil (and `overflowed`) when that is too many.
    private func childCount(_ n: Int) -> Int? {
        let (c, o) = n.multipliedReportingOverflow(by: listSize)
        guard !o, c <= MutableBuffer.maximumCapacity else { overflowed = true; return nil }
        return c
    }

    /// A builder of `type` with a child builder made by ``makeBuilder(for:)``.
    public convenience init(type: DataType) throws(ArrowError) {
        guard case .fixedSizeList(let f, _) = type else { throw .schemaMismatch("\(type) is not a fixed-size list") }
        try self.init(type: type, values: try makeBuilder(for: f.type))
    }

    /// A builder of `type` with the given child builder.
    public init(type: DataType, values: any ArrayBuilder) throws(ArrowError) {
        guard case .fixedSizeList(let f, let n) = type, n >= 0 else { throw .schemaMismatch("\(type) is not a fixed-size list") }
        guard values.type == f.type else { throw .schemaMismatch("child builder builds \(values.type), \(type) needs \(f.type)") }
        self.type = type
        self.listSize = n
        self.values = values
        self.field = f
    }

    /// A builder of `fixed_size_list<fieldName: values.type>[listSize]`.
    public convenience init(values: any ArrayBuilder, listSize: Int, fieldName: String = "item", nullable: Bool = true) throws(ArrowError) {
        try self.init(type: .fixedSizeList(Field(fieldName, values.type, nullable: nullable), listSize: listSize), values: values)
    }

    /// The child builder as `B`, or nil if it is of another class.
    public func values<B: ArrayBuilder>(as: B.Type) -> B? { values as? B }

    public var length: Int { validity.length }
    public var nullCount: Int { validity.nullCount }

    /// Closes an element whose ``listSize`` values were appended to ``values``.
    public func append(_ isValid: Bool = true) { validity.append(isValid) }

    /// Appends a null element (and ``listSize`` empty child values under it).
    public func appendNull() {
        values.appendEmptyValues(listSize)
        validity.appendNull()
    }

    public func appendNulls(_ n: Int) {
        guard n > 0, let c = childCount(n) else { return }
        values.appendEmptyValues(c)
        validity.appendNulls(n)
    }

    public func appendEmptyValues(_ n: Int) {
        guard n > 0, let c = childCount(n) else { return }
        values.appendEmptyValues(c)
        validity.appendValid(n)
    }

    /// Appends an element of ``listSize`` empty values.
    public func appendEmptyValue() {
        values.appendEmptyValues(listSize)
        validity.appendValid()
    }

    public func reserve(_ n: Int) {
        let n = reserveHint(n)
        let (c, o) = n.multipliedReportingOverflow(by: listSize)
        values.reserve(o ? 1 << 24 : Swift.min(c, 1 << 24))
        validity.reserve(n)
    }

    public func finish() throws(ArrowError) -> ArrayData {
        let n = length
        let (bits, nulls) = validity.finish()
        let child = try values.finish()
        if overflowed {
            overflowed = false
            throw ArrowError(.capacityExceeded, "a fixed-size list of \(listSize) values per element is too large")
        }
        guard child.length == n * listSize else {
            throw .invalidData("fixed-size list of \(n) elements of \(listSize) has \(child.length) child values")
        }
        try checkNonNullable(field, child)
        return ArrayData(unchecked: type, length: n, nullCount: nulls, buffers: [bits], children: [child])
    }
}
