/// A builder of boolean arrays.
public final class BooleanBuilder: ArrayBuilder {
    public var type: DataType { .boolean }
    @exclusivity(unchecked) @usableFromInline var values: BitmapBuilder
    @exclusivity(unchecked) @usableFromInline var validity = ValidityBuilder()

    public init(capacity: Int = 0) { values = BitmapBuilder(capacity: capacity) }

    @inlinable public var length: Int { validity.length }
    @inlinable public var nullCount: Int { validity.nullCount }

    @inlinable
    public func append(_ value: Bool) {
        values.append(value)
        validity.appendValid()
    }

    @inlinable
    public func append(_ value: Bool?) {
        if let value { append(value) } else { appendNull() }
    }

    @inlinable
    public func append<S: Sequence<Bool>>(contentsOf seq: S) { for v in seq { append(v) } }

    @inlinable
    public func append<S: Sequence<Bool?>>(contentsOf seq: S) { for v in seq { append(v) } }

    public func appendNull() {
        values.append(false)
        validity.appendNull()
    }

    public func appendNulls(_ n: Int) {
        guard n > 0 else { return }
        values.append(repeating: false, count: n)
        validity.appendNulls(n)
    }

    public func appendEmptyValue() { append(false) }

    public func appendEmptyValues(_ n: Int) {
        guard n > 0 else { return }
        values.append(repeating: false, count: n)
        validity.appendValid(n)
    }

    public func reserve(_ n: Int) {
        let n = reserveHint(n)
        values.reserve(n)
        validity.reserve(n)
    }

    public func finish() throws(ArrowError) -> ArrayData { finishUnchecked() }

    /// ``finish()`` for callers that know it cannot fail (it never does for this builder).
    public func finishUnchecked() -> ArrayData {
        let n = length
        let (bits, nulls) = validity.finish()
        return ArrayData(unchecked: .boolean, length: n, nullCount: nulls, buffers: [bits, values.finish()])
    }
}
