/// A read-only view of a `fixed_size_binary[w]` array (or any fixed-width array as raw bytes).
public struct FixedSizeBinaryArray: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    @usableFromInline let values: UnsafeRawPointer   // advanced by offset * byteWidth
    @usableFromInline let bits: UnsafeRawPointer?
    @usableFromInline let bitOffset: Int
    /// Bytes per element.
    public let byteWidth: Int
    /// The number of elements.
    public let length: Int

    /// A view of `data`; throws unless its layout is fixed-width.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .fixedWidth(let w) = data.type.layout, w > 0 else {
            throw .schemaMismatch("cannot view \(data.type) as fixed-size binary")
        }
        try data.requireBufferCount("FixedSizeBinaryArray")
        let (bytes, o) = (data.offset + data.length).multipliedReportingOverflow(by: w)
        guard !o else { throw .invalidData("FixedSizeBinaryArray: size overflows") }
        let base = try data.bufferStart(1, bytes: bytes, "FixedSizeBinaryArray")
        self.values = base + data.offset * w
        self.data = data
        self.byteWidth = w
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

    /// A copy of element `i`'s bytes, or nil when null or outside `0..<length`.
    public subscript(i: Int) -> [UInt8]? {
        guard isValid(i) else { return nil }
        return withExtendedLifetime(data) { Array(UnsafeRawBufferPointer(start: values + i &* byteWidth, count: byteWidth)) }
    }

    /// Calls `body` with element `i`'s `byteWidth` bytes (empty outside `0..<length`).
    @inlinable
    public func withUnsafeBytes<R, E: Error>(at i: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(data) {} }
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: values + i &* byteWidth, count: byteWidth))
    }

    /// Element `i`'s bytes without a copy, or nil when null or out of range; valid only while
    /// this view is alive.
    @inlinable
    public func unsafeBytes(at i: Int) -> UnsafeRawBufferPointer? {
        guard isValid(i) else { return nil }
        return UnsafeRawBufferPointer(start: values + i &* byteWidth, count: byteWidth)
    }

    public func toArray() -> [[UInt8]?] { Array(self) }
}

extension FixedSizeBinaryArray: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let array: FixedSizeBinaryArray
        @usableFromInline var i = 0
        @inlinable init(array: FixedSizeBinaryArray) { self.array = array }
        public mutating func next() -> [UInt8]?? {
            guard i < array.length else { return nil }
            defer { i &+= 1 }
            return .some(array[i])
        }
    }
    @inlinable public func makeIterator() -> Iterator { Iterator(array: self) }
    @inlinable public var underestimatedCount: Int { length }
}
