/// A fixed-width value type that can be read from and written to Arrow buffers directly.
///
/// Adopted by the integer types `Int8` … `UInt64`, `Float`, `Double` and ``Decimal128``.
/// Typed accessors and builders are generic over it and specialised per concrete type, so
/// element access has no dynamic dispatch. Half-precision floats are carried as raw `UInt16`
/// bits (a `float16` array can be viewed as `PrimitiveArray<UInt16>`).
public protocol ArrowPrimitive: BitwiseCopyable, Sendable {
    /// The Arrow type builders use when none is given (`Int32` → `int32`, `Double` → `float64`).
    static var defaultArrowType: DataType { get }
}

extension Int8: ArrowPrimitive { public static var defaultArrowType: DataType { .int8 } }
extension Int16: ArrowPrimitive { public static var defaultArrowType: DataType { .int16 } }
extension Int32: ArrowPrimitive { public static var defaultArrowType: DataType { .int32 } }
extension Int64: ArrowPrimitive { public static var defaultArrowType: DataType { .int64 } }
extension UInt8: ArrowPrimitive { public static var defaultArrowType: DataType { .uint8 } }
extension UInt16: ArrowPrimitive { public static var defaultArrowType: DataType { .uint16 } }
extension UInt32: ArrowPrimitive { public static var defaultArrowType: DataType { .uint32 } }
extension UInt64: ArrowPrimitive { public static var defaultArrowType: DataType { .uint64 } }
extension Float: ArrowPrimitive { public static var defaultArrowType: DataType { .float32 } }
extension Double: ArrowPrimitive { public static var defaultArrowType: DataType { .float64 } }
extension Decimal128: ArrowPrimitive {
    public static var defaultArrowType: DataType { .decimal128(precision: 38, scale: 0) }
}

/// The offset type of variable-length layouts: `Int32` (utf8, binary, list, map) or `Int64`
/// (large_utf8, large_binary, large_list).
public protocol ArrowOffset: ArrowPrimitive, FixedWidthInteger, SignedInteger {}
extension Int32: ArrowOffset {}
extension Int64: ArrowOffset {}

extension ArrowPrimitive {
    /// The all-zero value of the type (what accessors return for out-of-range indices).
    @inlinable
    static var zeroBits: Self {
        // The shared empty buffer holds 64 zero bytes; every ArrowPrimitive is at most 16 bytes.
        BufferStorage.empty.base.loadUnaligned(as: Self.self)
    }
}

/// Shared checks of the typed views' initializers (O(1): buffer presence and sizes only; the
/// contents — offsets, UTF-8, dictionary indices — are what ``ArrayData/validate()`` checks).
extension ArrayData {
    @usableFromInline
    func requireBufferCount(_ what: String) throws(ArrowError) {
        guard buffers.count == type.bufferCount else {
            throw .invalidData("\(what): \(type) expects \(type.bufferCount) buffers, got \(buffers.count)")
        }
        guard length >= 0, offset >= 0, offset <= MutableBuffer.maximumCapacity, length <= MutableBuffer.maximumCapacity else {
            throw .invalidData("\(what): bad offset \(offset) or length \(length)")
        }
        if let v = validity, length > 0, v.count < Bitmap.byteCount(forBits: offset + length) {
            throw .invalidData("\(what): validity bitmap too short")
        }
    }

    /// The start of buffer `i`, checked to hold `bytes` bytes (any buffer when `length == 0`).
    @usableFromInline
    func bufferStart(_ i: Int, bytes: Int, _ what: String) throws(ArrowError) -> UnsafeRawPointer {
        guard let b = buffers[i] else {
            if bytes == 0 { return BufferStorage.empty.base }
            throw .invalidData("\(what): \(type) array has a NULL buffer \(i)")
        }
        guard b.count >= bytes else { throw .invalidData("\(what): buffer \(i) has \(b.count) bytes, needs \(bytes)") }
        return b.baseAddress
    }

    /// The validity bitmap's start, or nil when there are no nulls.
    @usableFromInline
    var validityStart: UnsafeRawPointer? {
        guard nullCount > 0, let v = validity else { return nil }
        return v.baseAddress
    }
}
