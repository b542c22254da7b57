/// A builder of `fixed_size_binary[w]` arrays (and of any fixed-width type, as raw bytes).
public final class FixedSizeBinaryBuilder: ArrayBuilder {
    public let type: DataType
    /// Bytes per element.
    public let byteWidth: Int
    @usableFromInline let values: MutableBuffer
    @exclusivity(unchecked) @usableFromInline var validity = ValidityBuilder()

    /// A builder of `fixed_size_binary[byteWidth]`; throws unless `byteWidth > 0`.
    public convenience init(byteWidth: Int, capacity: Int = 0) throws(ArrowError) {
        try self.init(type: .fixedSizeBinary(byteWidth: byteWidth), capacity: capacity)
    }

    /// A builder of `type`, which must be fixed-width (its values are appended as raw bytes).
    public init(type: DataType, capacity: Int = 0) throws(ArrowError) {
        guard case .fixedWidth(let w) = type.layout, w > 0, w <= 1 << 20 else {
            throw .invalidArgument("cannot build \(type) as fixed-size binary")
        }
        self.type = type
        self.byteWidth = w
        values = MutableBuffer(capacity: Swift.min(capacity, 1 << 24) * w)
    }

    public var length: Int { validity.length }
    public var nullCount: Int { validity.nullCount }

    /// Appends one value; throws unless it is exactly ``byteWidth`` bytes.
    @inlinable
    public func append(bytes: UnsafeRawBufferPointer) throws(ArrowError) {
        guard bytes.count == byteWidth else {
            throw .invalidArgument("value of \(bytes.count) bytes appended to \(type)")
        }
        values.append(contentsOf: bytes)
        validity.appendValid()
    }

    /// Appends one value; throws unless it is exactly ``byteWidth`` bytes.
    public func append(_ bytes: [UInt8]) throws(ArrowError) {
        guard bytes.count == byteWidth else {
            throw .invalidArgument("value of \(bytes.count) bytes appended to \(type)")
        }
        bytes.withUnsafeBytes { values.append(contentsOf: $0) }
        validity.appendValid()
    }

    /// Appends a value or a null.
    public func append(_ bytes: [UInt8]?) throws(ArrowError) {
        if let bytes { try append(bytes) } else { appendNull() }
    }

    public func appendNull() {
        values.appendZeros(byteWidth)
        validity.appendNull()
    }

    public func appendNulls(_ n: Int) {
        guard n > 0 else { return }
        values.appendZeros(n * byteWidth)
        validity.appendNulls(n)
    }

    public func appendEmptyValue() { appendEmptyValues(1) }

    public func appendEmptyValues(_ n: Int) {
        guard n > 0 else { return }
        values.appendZeros(n * byteWidth)
        validity.appendValid(n)
    }

    public func reserve(_ n: Int) {
        let n = reserveHint(n)
        values.reserve(Swift.min(n * byteWidth, 1 << 26))
        validity.reserve(n)
    }

    public func finish() throws(ArrowError) -> ArrayData {
        let n = length
        let (bits, nulls) = validity.finish()
        return ArrayData(unchecked: type, length: n, nullCount: nulls, buffers: [bits, values.finish()])
    }
}
