/// A builder of one array, appended to element by element and frozen with ``finish()``.
///
/// Builders are reference types (nested builders hand out their child builders), not
/// thread-safe, and reusable: ``finish()`` returns the array and leaves the builder empty.
/// What they produce is valid (``ArrayData/validate()`` accepts it), 64-byte aligned and
/// padded, has an exact null count, and has no validity buffer when nothing is null.
public protocol ArrayBuilder: AnyObject {
    /// The type of the array being built.
    var type: DataType { get }
    /// The number of elements appended so far.
    var length: Int { get }
    /// The number of nulls appended so far.
    var nullCount: Int { get }
    /// Appends a null element.
    func appendNull()
    /// Appends `n` null elements.
    func appendNulls(_ n: Int)
    /// Appends a valid element holding the type's empty value: 0, false, "", an empty list,
    /// a fixed-size list of empty values, a struct of empty values, dictionary index 0 (or a
    /// null when the dictionary is empty).
    func appendEmptyValue()
    /// Appends `n` empty values (see ``appendEmptyValue()``).
    func appendEmptyValues(_ n: Int)
    /// Reserves room for `n` more elements.
    func reserve(_ n: Int)
    /// Freezes what was appended into an array and resets the builder.
    ///
    /// Throws when the content cannot form a valid array: Int32 offsets overflowing, child
    /// builders of a struct or fixed-size list with the wrong length, nulls in a non-nullable
    /// child, invalid UTF-8 appended as raw bytes to a string builder.
    func finish() throws(ArrowError) -> ArrayData
}

extension ArrayBuilder {
    public func appendNulls(_ n: Int) { for _ in 0..<Swift.max(n, 0) { appendNull() } }
    public func appendEmptyValues(_ n: Int) { for _ in 0..<Swift.max(n, 0) { appendEmptyValue() } }
    public func reserve(_ n: Int) {}
}

/// A builder for arrays of `type`, nested builders included (struct children, list values,
/// map entries). Concrete classes by layout: ``NullBuilder``, ``BooleanBuilder``,
/// ``PrimitiveBuilder`` (any fixed-width type whose width is 1, 2, 4, 8 or 16 bytes, of the
/// matching Swift type: `Int64` for timestamps, `UInt16` for float16 bits, ``Decimal128`` for
/// decimals), ``FixedSizeBinaryBuilder`` (other widths and `fixed_size_binary`),
/// ``GenericBinaryBuilder`` / ``GenericStringBuilder``, ``GenericListBuilder`` (list,
/// large_list, map), ``FixedSizeListBuilder``, ``StructBuilder``, ``DictionaryBuilder``.
public func makeBuilder(for type: DataType) throws(ArrowError) -> any ArrayBuilder {
    switch type {
    case .null: return NullBuilder()
    case .boolean: return BooleanBuilder()
    case .int8: return try PrimitiveBuilder<Int8>(type: type)
    case .int16: return try PrimitiveBuilder<Int16>(type: type)
    case .int32, .date32, .time32: return try PrimitiveBuilder<Int32>(type: type)
    case .int64, .date64, .time64, .timestamp, .duration: return try PrimitiveBuilder<Int64>(type: type)
    case .uint8: return try PrimitiveBuilder<UInt8>(type: type)
    case .uint16, .float16: return try PrimitiveBuilder<UInt16>(type: type)
    case .uint32: return try PrimitiveBuilder<UInt32>(type: type)
    case .uint64: return try PrimitiveBuilder<UInt64>(type: type)
    case .float32: return try PrimitiveBuilder<Float>(type: type)
    case .float64: return try PrimitiveBuilder<Double>(type: type)
    case .decimal128: return try PrimitiveBuilder<Decimal128>(type: type)
    case .fixedSizeBinary: return try FixedSizeBinaryBuilder(type: type)
    case .utf8: return GenericStringBuilder<Int32>()
    case .largeUtf8: return GenericStringBuilder<Int64>()
    case .binary: return GenericBinaryBuilder<Int32>()
    case .largeBinary: return GenericBinaryBuilder<Int64>()
    case .list, .map: return try GenericListBuilder<Int32>(type: type)
    case .largeList: return try GenericListBuilder<Int64>(type: type)
    case .fixedSizeList: return try FixedSizeListBuilder(type: type)
    case .struct: return try StructBuilder(type: type)
    case .dictionary: return try DictionaryBuilder(type: type)
    }
}

/// The validity bitmap of a builder, materialised only once a null is appended.
@usableFromInline
struct ValidityBuilder {
    @usableFromInline var bits: BitmapBuilder?
    @usableFromInline var length = 0
    @usableFromInline var nullCount = 0

    @inlinable init() { bits = nil }

    @inlinable @inline(__always)
    mutating func appendValid() {
        if bits != nil { bits!.append(true) }
        length &+= 1
    }

    @inlinable
    mutating func append(_ valid: Bool) {
        if valid { appendValid() } else { appendNull() }
    }

    @inlinable
    mutating func appendValid(_ n: Int) {
        guard n > 0 else { return }
        if bits != nil { bits!.append(repeating: true, count: n) }
        length &+= n
    }

    @usableFromInline
    mutating func materialize() {
        guard bits == nil else { return }
        var b = BitmapBuilder(capacity: Swift.max(length &* 2, 64))
        b.append(repeating: true, count: length)
        bits = b
    }

    @inlinable
    mutating func appendNull() {
        if bits == nil { materialize() }
        bits!.append(false)
        length &+= 1
        nullCount &+= 1
    }

    @inlinable
    mutating func appendNulls(_ n: Int) {
        guard n > 0 else { return }
        if bits == nil { materialize() }
        bits!.append(repeating: false, count: n)
        length &+= n
        nullCount &+= n
    }

    func reserve(_ n: Int) { bits?.reserve(n) }

    /// The bitmap (nil when nothing is null) and the null count; resets.
    mutating func finish() -> (ArrowBuffer?, Int) {
        let nulls = nullCount
        var result: ArrowBuffer? = nil
        if nulls > 0, var b = bits { result = b.finish() }
        self = ValidityBuilder()
        return (result, nulls)
    }
}

/// A reservation request clamped to what a hint should allocate up front (`0…2^24` elements):
/// builders grow as needed anyway, and a huge request must not trap.
@inline(__always)
func reserveHint(_ n: Int) -> Int { Swift.min(Swift.max(n, 0), 1 << 24) }

/// Checks a finished child against a non-nullable field.
func checkNonNullable(_ field: Field, _ child: ArrayData) throws(ArrowError) {
    if !field.nullable, child.type != .null, child.nullCount > 0 {
        throw .invalidData("non-nullable field '\(field.name)' holds \(child.nullCount) null(s)")
    }
}
