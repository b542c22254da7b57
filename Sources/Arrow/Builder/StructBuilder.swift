/// A builder of struct arrays: append one value to every child builder, then call
/// ``append(_:)``. ``appendNull()`` appends empty values to the children itself.
public final class StructBuilder: ArrayBuilder {
    public let type: DataType
    /// The fields, in order.
    public let fields: [Field]
    /// One builder per field.
    public let children: [any ArrayBuilder]
    @exclusivity(unchecked) @usableFromInline var validity = ValidityBuilder()

    /// A builder of a struct of `fields`, children made by ``makeBuilder(for:)``.
    public convenience init(fields: [Field]) throws(ArrowError) {
        var kids: [any ArrayBuilder] = []
        for f in fields { kids.append(try makeBuilder(for: f.type)) }
        try self.init(fields: fields, children: kids)
    }

    /// A builder of a struct `type`, children made by ``makeBuilder(for:)``.
    public convenience init(type: DataType) throws(ArrowError) {
        guard case .struct(let fields) = type else { throw .schemaMismatch("\(type) is not a struct") }
        try self.init(fields: fields)
    }

    /// A builder of a struct of `fields` with the given child builders.
    public init(fields: [Field], children: [any ArrayBuilder]) throws(ArrowError) {
        guard fields.count == children.count else { throw .schemaMismatch("\(fields.count) fields but \(children.count) child builders") }
        for (f, c) in zip(fields, children) where f.type != c.type {
            throw .schemaMismatch("child builder for '\(f.name)' builds \(c.type), expected \(f.type)")
        }
        self.fields = fields
        self.children = children
        self.type = .struct(fields)
    }

    /// The child builder at `index` as `B`, or nil.
    public func child<B: ArrayBuilder>(_ index: Int, as: B.Type) -> B? {
        children.indices.contains(index) ? children[index] as? B : nil
    }

    /// The child builder named `name` as `B`, or nil.
    public func child<B: ArrayBuilder>(named name: String, as: B.Type) -> B? {
        fields.firstIndex { $0.name == name }.flatMap { children[$0] as? B }
    }

    public var length: Int { validity.length }
    public var nullCount: Int { validity.nullCount }

    /// Closes a row whose values were appended to every child.
    public func append(_ isValid: Bool = true) { validity.append(isValid) }

    /// Appends a null row (and an empty value to every child).
    public func appendNull() {
        for c in children { c.appendEmptyValue() }
        validity.appendNull()
    }

    public func appendNulls(_ n: Int) {
        guard n > 0 else { return }
        for c in children { c.appendEmptyValues(n) }
        validity.appendNulls(n)
    }

    /// Appends a valid row of empty values.
    public func appendEmptyValue() {
        for c in children { c.appendEmptyValue() }
        validity.appendValid()
    }

    public func appendEmptyValues(_ n: Int) {
        guard n > 0 else { return }
        for c in children { c.appendEmptyValues(n) }
        validity.appendValid(n)
    }

    public func reserve(_ n: Int) {
        let n = reserveHint(n)
        for c in children { c.reserve(n) }
        validity.reserve(n)
    }

    /// Appends valid rows until this struct is as long as its first child (map entries).
    func appendValidRowsToMatchChildren() {
        guard let first = children.first else { return }
        let missing = first.length - length
        if missing > 0 { validity.appendValid(missing) }
    }

    public func finish() throws(ArrowError) -> ArrayData {
        let n = length
        let (bits, nulls) = validity.finish()
        var kids: [ArrayData] = []
        kids.reserveCapacity(children.count)
        for c in children { kids.append(try c.finish()) }
        for (f, k) in zip(fields, kids) {
            guard k.length == n else { throw .invalidData("struct child '\(f.name)' has \(k.length) values, the struct \(n) rows") }
            try checkNonNullable(f, k)
        }
        return ArrayData(unchecked: type, length: n, nullCount: nulls, buffers: [bits], children: kids)
    }
}
