/// A typed, read-only view of a fixed-width array whose values are `T`.
///
/// Any array whose layout is fixed-width with `MemoryLayout<T>.stride` bytes per value can be
/// viewed: `PrimitiveArray<Int64>` reads int64, timestamp, duration, time64 and date64 arrays;
/// `PrimitiveArray<UInt16>` reads float16 bits. The view caches the buffer addresses, so element
/// access is a bounds check plus a load: no dynamic dispatch, no allocation.
///
/// Indices are 0-based and relative to the array's offset.
public struct PrimitiveArray<T: ArrowPrimitive>: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    @usableFromInline let values: UnsafePointer<T>
    @usableFromInline let bits: UnsafeRawPointer?
    @usableFromInline let bitOffset: Int
    /// The number of elements.
    public let length: Int

    /// A view of `data`; throws if its layout is not fixed-width with `T`'s stride, or if its
    /// buffers are too short or misaligned for `T`.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .fixedWidth(let w) = data.type.layout, w == MemoryLayout<T>.stride else {
            throw .schemaMismatch("cannot view \(data.type) as \(T.self) values (\(MemoryLayout<T>.stride) bytes)")
        }
        try data.requireBufferCount("PrimitiveArray")
        let base = try data.bufferStart(1, bytes: (data.offset + data.length) * w, "PrimitiveArray")
        guard Int(bitPattern: base) % MemoryLayout<T>.alignment == 0 else {
            throw .invalidData("values buffer is not aligned for \(T.self)")
        }
        self.data = data
        self.values = base.assumingMemoryBound(to: T.self) + data.offset
        self.bits = data.validityStart
        self.bitOffset = data.offset
        self.length = data.length
    }

    /// The logical type.
    @inlinable public var type: DataType { data.type }
    /// The number of nulls.
    @inlinable public var nullCount: Int { data.nullCount }

    /// Whether element `i` is non-null; false outside `0..<length`.
    @inlinable
    public func isValid(_ i: Int) -> Bool {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return false }
        guard let bits else { return true }
        return withExtendedLifetime(data) { Bitmap.get(bits, bitOffset &+ i) }
    }

    /// Element `i`, or nil when it is null or `i` is outside `0..<length`.
    @inlinable
    public subscript(i: Int) -> T? {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return nil }
        return withExtendedLifetime(data) {
            if let bits, !Bitmap.get(bits, bitOffset &+ i) { return nil }
            return values[i]
        }
    }

    /// The value stored at `i`, ignoring validity (a null slot holds an unspecified value).
    ///
    /// `i` must be in `0..<length`; an index outside is not read and yields the all-zero value.
    @inlinable
    public func value(at i: Int) -> T {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return T.zeroBits }
        return withExtendedLifetime(data) { values[i] }
    }

    /// Calls `body` with the `length` visible values (the array's offset applied). Null slots
    /// hold unspecified values; check ``isValid(_:)`` or the validity bitmap.
    @inlinable
    public func withUnsafeValues<R, E: Error>(_ body: (UnsafeBufferPointer<T>) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(data) {} }
        return try body(UnsafeBufferPointer(start: values, count: length))
    }

    /// The values as an array, nulls as nil.
    public func toArray() -> [T?] { Array(self) }
}

extension PrimitiveArray: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let array: PrimitiveArray
        @usableFromInline var i = 0
        @inlinable init(array: PrimitiveArray) { self.array = array }
        @inlinable
        public mutating func next() -> T?? {
            guard i < array.length else { return nil }
            defer { i &+= 1 }
            return .some(array[i])
        }
    }
    @inlinable public func makeIterator() -> Iterator { Iterator(array: self) }
    @inlinable public var underestimatedCount: Int { length }
}

public typealias Int8Array = PrimitiveArray<Int8>
public typealias Int16Array = PrimitiveArray<Int16>
public typealias Int32Array = PrimitiveArray<Int32>
public typealias Int64Array = PrimitiveArray<Int64>
public typealias UInt8Array = PrimitiveArray<UInt8>
public typealias UInt16Array = PrimitiveArray<UInt16>
public typealias UInt32Array = PrimitiveArray<UInt32>
public typealias UInt64Array = PrimitiveArray<UInt64>
public typealias Float32Array = PrimitiveArray<Float>
public typealias Float64Array = PrimitiveArray<Double>
/// Half-precision floats as raw bits.
public typealias Float16BitsArray = PrimitiveArray<UInt16>
public typealias Decimal128Array = PrimitiveArray<Decimal128>
