/// A builder of arrays of the `null` type (no buffers; every element is null).
public final class NullBuilder: ArrayBuilder {
    public var type: DataType { .null }
    public private(set) var length = 0
    public var nullCount: Int { length }
    public init() {}
    public func appendNull() { length += 1 }
    public func appendNulls(_ n: Int) { length += Swift.max(n, 0) }
    /// Appends a null: the null type has no other value.
    public func appendEmptyValue() { length += 1 }
    public func appendEmptyValues(_ n: Int) { length += Swift.max(n, 0) }
    public func finish() throws(ArrowError) -> ArrayData {
        defer { length = 0 }
        return .nulls(length)
    }
}
