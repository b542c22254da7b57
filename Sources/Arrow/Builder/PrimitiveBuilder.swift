/// A builder of fixed-width arrays whose values are `T`: integers, floats, dates, times,
/// timestamps, durations (as their integer representation), float16 (as `UInt16` bits),
/// decimal128 (as ``Decimal128``).
public final class PrimitiveBuilder<T: ArrowPrimitive>: ArrayBuilder {
    public let type: DataType
    @usableFromInline let values: MutableBuffer
    @exclusivity(unchecked) @usableFromInline var validity = ValidityBuilder()

    /// A builder of `T.defaultArrowType` arrays.
    public init(capacity: Int = 0) {
        type = T.defaultArrowType
        values = MutableBuffer(capacity: capacity * MemoryLayout<T>.stride)
    }

    /// A builder of `type` arrays; throws unless `type` is fixed-width with `T`'s stride.
    public init(type: DataType, capacity: Int = 0) throws(ArrowError) {
        guard case .fixedWidth(let w) = type.layout, w == MemoryLayout<T>.stride else {
            throw .schemaMismatch("a builder of \(T.self) values cannot build \(type)")
        }
        self.type = type
        values = MutableBuffer(capacity: capacity * MemoryLayout<T>.stride)
    }

    @inlinable public var length: Int { validity.length }
    @inlinable public var nullCount: Int { validity.nullCount }

    /// Appends a value.
    @inlinable
    public func append(_ value: T) {
        values.append(value)
        validity.appendValid()
    }

    /// Appends a value or a null.
    @inlinable
    public func append(_ value: T?) {
        if let value { append(value) } else { appendNull() }
    }

    /// Appends values (no nulls).
    @inlinable
    public func append(contentsOf buffer: UnsafeBufferPointer<T>) {
        values.append(contentsOf: buffer)
        validity.appendValid(buffer.count)
    }

    /// Appends values (no nulls).
    @inlinable
    public func append<S: Sequence<T>>(contentsOf seq: S) {
        let done: Void? = seq.withContiguousStorageIfAvailable { append(contentsOf: $0) }
        if done == nil { for v in seq { append(v) } }
    }

    /// Appends values and nulls.
    @inlinable
    public func append<S: Sequence<T?>>(contentsOf seq: S) {
        for v in seq { append(v) }
    }

    public func appendNull() {
        values.append(T.zeroBits)
        validity.appendNull()
    }

    public func appendNulls(_ n: Int) {
        guard n > 0 else { return }
        values.appendZeros(n * MemoryLayout<T>.stride)
        validity.appendNulls(n)
    }

    public func appendEmptyValue() { append(T.zeroBits) }

    public func appendEmptyValues(_ n: Int) {
        guard n > 0 else { return }
        values.appendZeros(n * MemoryLayout<T>.stride)
        validity.appendValid(n)
    }

    public func reserve(_ n: Int) {
        let n = reserveHint(n)
        values.reserve(n * MemoryLayout<T>.stride)
        validity.reserve(n)
    }

    public func finish() throws(ArrowError) -> ArrayData { finishUnchecked() }

    /// ``finish()`` for callers that know it cannot fail (it never does for this builder).
    public func finishUnchecked() -> ArrayData {
        let n = length
        let (bits, nulls) = validity.finish()
        return ArrayData(unchecked: type, length: n, nullCount: nulls, buffers: [bits, values.finish()])
    }
}
