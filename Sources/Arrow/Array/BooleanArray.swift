/// A read-only view of a boolean (bit-packed) array.
public struct BooleanArray: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    @usableFromInline let valueBits: UnsafeRawPointer
    @usableFromInline let bits: UnsafeRawPointer?
    @usableFromInline let bitOffset: Int
    /// The number of elements.
    public let length: Int

    /// A view of `data`; throws unless its type is `bool` with buffers large enough.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .boolean = data.type else { throw .schemaMismatch("cannot view \(data.type) as bool") }
        try data.requireBufferCount("BooleanArray")
        self.valueBits = try data.bufferStart(1, bytes: Bitmap.byteCount(forBits: data.offset + data.length), "BooleanArray")
        self.data = data
        self.bits = data.validityStart
        self.bitOffset = data.offset
        self.length = data.length
    }

    @inlinable public var nullCount: Int { data.nullCount }

    /// Whether element `i` is non-null; false outside `0..<length`.
    @inlinable
    public func isValid(_ i: Int) -> Bool {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return false }
        guard let bits else { return true }
        return withExtendedLifetime(data) { Bitmap.get(bits, bitOffset &+ i) }
    }

    /// Element `i`, or nil when null or outside `0..<length`.
    @inlinable
    public subscript(i: Int) -> Bool? {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return nil }
        return withExtendedLifetime(data) {
            if let bits, !Bitmap.get(bits, bitOffset &+ i) { return nil }
            return Bitmap.get(valueBits, bitOffset &+ i)
        }
    }

    /// The bit stored at `i`, ignoring validity. `i` must be in `0..<length` (false outside).
    @inlinable
    public func value(at i: Int) -> Bool {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return false }
        return withExtendedLifetime(data) { Bitmap.get(valueBits, bitOffset &+ i) }
    }

    /// The number of valid `true` values.
    public var trueCount: Int {
        withExtendedLifetime(data) {
            guard let bits else { return Bitmap.countSetBits(valueBits, offset: bitOffset, length: length) }
            var n = 0
            forEachWordAnd(valueBits, bits, offset: bitOffset, length: length) { n &+= $0.nonzeroBitCount }
            return n
        }
    }

    /// Calls `body` with the value bitmap and the bit offset of element 0.
    public func withUnsafeBits<R, E: Error>(_ body: (UnsafeRawPointer, Int) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(data) {} }
        return try body(valueBits, bitOffset)
    }

    public func toArray() -> [Bool?] { Array(self) }
}

extension BooleanArray: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let array: BooleanArray
        @usableFromInline var i = 0
        @inlinable init(array: BooleanArray) { self.array = array }
        @inlinable
        public mutating func next() -> Bool?? {
            guard i < array.length else { return nil }
            defer { i &+= 1 }
            return .some(array[i])
        }
    }
    @inlinable public func makeIterator() -> Iterator { Iterator(array: self) }
    @inlinable public var underestimatedCount: Int { length }
}
