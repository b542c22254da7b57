/// The shared state of variable-length binary and string builders.
@usableFromInline
struct VarBinaryCore<Offset: ArrowOffset> {
    @usableFromInline let offsets: MutableBuffer
    @usableFromInline let data: MutableBuffer
    @usableFromInline var validity = ValidityBuilder()
    /// Raw bytes were appended to a string builder: check UTF-8 at finish.
    @usableFromInline var needsUTF8Check = false

    @usableFromInline
    init(capacity: Int, byteCapacity: Int) {
        offsets = MutableBuffer(capacity: (capacity + 1) * MemoryLayout<Offset>.stride)
        offsets.append(Offset(0))
        data = MutableBuffer(capacity: byteCapacity)
    }

    /// Records the end of the current element. Offsets past `Offset.max` are stored truncated
    /// and reported by ``finish(type:)``.
    @inlinable @inline(__always)
    func closeElement() {
        offsets.append(Offset(truncatingIfNeeded: data.count))
    }

    @inlinable
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        data.append(contentsOf: bytes)
        closeElement()
        validity.appendValid()
    }

    @inlinable
    mutating func append(_ string: String) {
        var s = string
        s.withUTF8 { data.append(contentsOf: UnsafeRawBufferPointer($0)) }
        closeElement()
        validity.appendValid()
    }

    @usableFromInline
    mutating func appendNull() {
        closeElement()
        validity.appendNull()
    }

    mutating func appendNulls(_ n: Int) {
        guard n > 0 else { return }
        let end = Offset(truncatingIfNeeded: data.count)
        offsets.reserve(n * MemoryLayout<Offset>.stride)
        for _ in 0..<n { offsets.append(end) }
        validity.appendNulls(n)
    }

    mutating func appendEmpty(_ n: Int) {
        guard n > 0 else { return }
        let end = Offset(truncatingIfNeeded: data.count)
        offsets.reserve(n * MemoryLayout<Offset>.stride)
        for _ in 0..<n { offsets.append(end) }
        validity.appendValid(n)
    }

    func reserve(_ n: Int) {
        let n = reserveHint(n)
        offsets.reserve(n * MemoryLayout<Offset>.stride)
        validity.reserve(n)
    }

    mutating func finish(type: DataType) throws(ArrowError) -> ArrayData {
        let n = validity.length
        let total = data.count
        let check = needsUTF8Check && type.isString
        let (bits, nulls) = validity.finish()
        let offsetBuffer = offsets.finish()
        let dataBuffer = data.finish()
        offsets.append(Offset(0))
        needsUTF8Check = false
        guard total <= Int(Offset.max) else {
            throw ArrowError(.capacityExceeded, "\(total) bytes of \(type) data overflow \(Offset.self) offsets")
        }
        let result = ArrayData(unchecked: type, length: n, nullCount: nulls, buffers: [bits, offsetBuffer, dataBuffer])
        if check { try result.validate() }
        return result
    }
}

/// A builder of `binary` / `large_binary` arrays (`Offset` = `Int32` / `Int64`); it can also
/// build `utf8` / `large_utf8` (``init(type:capacity:byteCapacity:)``), in which case bytes
/// appended raw are checked for UTF-8 validity at ``finish()``.
public final class GenericBinaryBuilder<Offset: ArrowOffset>: ArrayBuilder {
    public let type: DataType
    @exclusivity(unchecked) @usableFromInline var core: VarBinaryCore<Offset>

    /// A builder of binary (Int32 offsets) or large binary (Int64) arrays.
    public init(capacity: Int = 0, byteCapacity: Int = 0) {
        type = Offset.self == Int32.self ? .binary : .largeBinary
        core = VarBinaryCore(capacity: capacity, byteCapacity: byteCapacity)
    }

    /// A builder of `type`: binary, utf8 (Int32 offsets), large_binary or large_utf8 (Int64).
    public init(type: DataType, capacity: Int = 0, byteCapacity: Int = 0) throws(ArrowError) {
        guard case .variableBinary(let w) = type.layout, w == MemoryLayout<Offset>.stride else {
            throw .schemaMismatch("a builder with \(Offset.self) offsets cannot build \(type)")
        }
        self.type = type
        core = VarBinaryCore(capacity: capacity, byteCapacity: byteCapacity)
    }

    @inlinable public var length: Int { core.validity.length }
    @inlinable public var nullCount: Int { core.validity.nullCount }
    /// The number of value bytes appended so far.
    @inlinable public var byteCount: Int { core.data.count }

    /// Appends one value's bytes.
    @inlinable
    public func append(bytes: UnsafeRawBufferPointer) {
        core.append(bytes)
        if type.isString { core.needsUTF8Check = true }
    }

    /// Appends one value's bytes.
    @inlinable
    public func append<C: Collection<UInt8>>(_ bytes: C) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { append(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { append(bytes: $0) } }
    }

    /// Appends one value's bytes, or a null.
    @inlinable
    public func append(_ bytes: [UInt8]?) {
        if let bytes { append(bytes) } else { appendNull() }
    }

    /// Appends the UTF-8 bytes of a string.
    @inlinable
    public func append(_ string: String) { core.append(string) }

    public func appendNull() { core.appendNull() }
    public func appendNulls(_ n: Int) { core.appendNulls(n) }
    public func appendEmptyValue() { core.appendEmpty(1) }
    public func appendEmptyValues(_ n: Int) { core.appendEmpty(n) }
    public func reserve(_ n: Int) { core.reserve(n) }
    /// Reserves room for `n` more value bytes.
    public func reserveBytes(_ n: Int) { core.data.reserve(n) }

    public func finish() throws(ArrowError) -> ArrayData { try core.finish(type: type) }
}

/// A builder of `utf8` / `large_utf8` arrays (`Offset` = `Int32` / `Int64`).
public final class GenericStringBuilder<Offset: ArrowOffset>: ArrayBuilder {
    public var type: DataType { Offset.self == Int32.self ? .utf8 : .largeUtf8 }
    @exclusivity(unchecked) @usableFromInline var core: VarBinaryCore<Offset>

    public init(capacity: Int = 0, byteCapacity: Int = 0) {
        core = VarBinaryCore(capacity: capacity, byteCapacity: byteCapacity)
    }

    @inlinable public var length: Int { core.validity.length }
    @inlinable public var nullCount: Int { core.validity.nullCount }
    /// The number of UTF-8 bytes appended so far.
    @inlinable public var byteCount: Int { core.data.count }

    /// Appends a string.
    @inlinable
    public func append(_ string: String) { core.append(string) }

    /// Appends a string or a null.
    @inlinable
    public func append(_ string: String?) {
        if let string { core.append(string) } else { core.appendNull() }
    }

    /// Appends strings and nulls.
    @inlinable
    public func append<S: Sequence<String?>>(contentsOf seq: S) { for s in seq { append(s) } }

    /// Appends strings.
    @inlinable
    public func append<S: Sequence<String>>(contentsOf seq: S) { for s in seq { append(s) } }

    /// Appends one value as raw UTF-8 bytes; their validity is checked at ``finish()``.
    @inlinable
    public func append(utf8 bytes: UnsafeRawBufferPointer) {
        core.append(bytes)
        core.needsUTF8Check = true
    }

    public func appendNull() { core.appendNull() }
    public func appendNulls(_ n: Int) { core.appendNulls(n) }
    public func appendEmptyValue() { core.appendEmpty(1) }
    public func appendEmptyValues(_ n: Int) { core.appendEmpty(n) }
    public func reserve(_ n: Int) { core.reserve(n) }
    /// Reserves room for `n` more UTF-8 bytes.
    public func reserveBytes(_ n: Int) { core.data.reserve(n) }

    public func finish() throws(ArrowError) -> ArrayData { try core.finish(type: type) }
}

public typealias BinaryBuilder = GenericBinaryBuilder<Int32>
public typealias LargeBinaryBuilder = GenericBinaryBuilder<Int64>
public typealias StringBuilder = GenericStringBuilder<Int32>
public typealias LargeStringBuilder = GenericStringBuilder<Int64>
