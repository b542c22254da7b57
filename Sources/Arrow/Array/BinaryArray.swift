/// The buffers of a variable-length binary or string array, resolved once.
@usableFromInline
struct VarBinaryStorage<Offset: ArrowOffset>: @unchecked Sendable {
    @usableFromInline let offsets: UnsafePointer<Offset>   // already advanced by the array offset
    @usableFromInline let bytes: UnsafeRawPointer
    @usableFromInline let byteCount: Int
    @usableFromInline let bits: UnsafeRawPointer?
    @usableFromInline let bitOffset: Int
    @usableFromInline let length: Int

    @usableFromInline
    init(_ data: ArrayData, _ what: String) throws(ArrowError) {
        try data.requireBufferCount(what)
        let off = try data.bufferStart(1, bytes: data.length == 0 ? 0 : (data.offset + data.length + 1) * MemoryLayout<Offset>.stride, what)
        guard Int(bitPattern: off) % MemoryLayout<Offset>.alignment == 0 else { throw .invalidData("\(what): misaligned offsets") }
        let dataBuffer = data.buffers[2]
        bytes = dataBuffer?.baseAddress ?? BufferStorage.empty.base
        byteCount = dataBuffer?.count ?? 0
        if data.length > 0 {
            let p = off.assumingMemoryBound(to: Offset.self) + data.offset
            let first = p[0], last = p[data.length]
            guard first >= 0, first <= last, Int(last) <= byteCount else {
                throw .invalidData("\(what): offsets \(first)...\(last) outside the data buffer of \(byteCount) bytes")
            }
            offsets = p
        } else {
            offsets = UnsafeRawPointer(BufferStorage.empty.base).assumingMemoryBound(to: Offset.self)
        }
        bits = data.validityStart
        bitOffset = data.offset
        length = data.length
    }

    @inlinable @inline(__always)
    func isValid(_ i: Int) -> Bool {
        guard let bits else { return true }
        return Bitmap.get(bits, bitOffset &+ i)
    }

    /// The bytes of element `i` (unchecked index). Offsets that are out of order (data that was
    /// never validated) yield an empty range rather than a read outside the buffer.
    @inlinable @inline(__always)
    func bytes(_ i: Int) -> UnsafeRawBufferPointer {
        let s = Int(offsets[i]), e = Int(offsets[i &+ 1])
        guard s >= 0, s <= e, e <= byteCount else { return UnsafeRawBufferPointer(start: bytes, count: 0) }
        return UnsafeRawBufferPointer(start: bytes + s, count: e &- s)
    }
}

/// A read-only view of a `binary` (`Int32` offsets) or `large_binary` (`Int64`) array.
public struct GenericBinaryArray<Offset: ArrowOffset>: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    @usableFromInline let storage: VarBinaryStorage<Offset>

    /// A view of `data`; throws unless its layout is variable binary with `Offset` offsets
    /// (utf8 arrays are accepted too: their values are bytes as well).
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .variableBinary(let w) = data.type.layout, w == MemoryLayout<Offset>.stride else {
            throw .schemaMismatch("cannot view \(data.type) as binary with \(Offset.self) offsets")
        }
        self.storage = try VarBinaryStorage(data, "BinaryArray")
        self.data = data
    }

    @inlinable public var length: Int { storage.length }
    @inlinable public var nullCount: Int { data.nullCount }

    /// Whether element `i` is non-null; false outside `0..<length`.
    @inlinable
    public func isValid(_ i: Int) -> Bool {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return false }
        return withExtendedLifetime(data) { storage.isValid(i) }
    }

    /// A copy of element `i`'s bytes, or nil when null or outside `0..<length`.
    public subscript(i: Int) -> [UInt8]? {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return nil }
        return withExtendedLifetime(data) { storage.isValid(i) ? Array(storage.bytes(i)) : nil }
    }

    /// Calls `body` with element `i`'s bytes (empty for a null slot or an index outside
    /// `0..<length`). No copy is made.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(at i: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(data) {} }
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(storage.bytes(i))
    }

    /// Element `i`'s bytes without a copy, or nil when null or out of range. The pointer is
    /// valid only while this view (or its `data`) is alive.
    @inlinable
    public func unsafeBytes(at i: Int) -> UnsafeRawBufferPointer? {
        guard UInt(bitPattern: i) < UInt(bitPattern: length), storage.isValid(i) else { return nil }
        return storage.bytes(i)
    }

    /// The byte length of element `i` (0 outside `0..<length`).
    @inlinable
    public func valueLength(at i: Int) -> Int {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return 0 }
        return withExtendedLifetime(data) { storage.bytes(i).count }
    }

    public func toArray() -> [[UInt8]?] { Array(self) }
}

extension GenericBinaryArray: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let array: GenericBinaryArray
        @usableFromInline var i = 0
        @inlinable init(array: GenericBinaryArray) { self.array = array }
        public mutating func next() -> [UInt8]?? {
            guard i < array.length else { return nil }
            defer { i &+= 1 }
            return .some(array[i])
        }
    }
    @inlinable public func makeIterator() -> Iterator { Iterator(array: self) }
    @inlinable public var underestimatedCount: Int { length }
}

/// A read-only view of a `utf8` (`Int32` offsets) or `large_utf8` (`Int64`) array.
public struct GenericStringArray<Offset: ArrowOffset>: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    @usableFromInline let storage: VarBinaryStorage<Offset>

    /// A view of `data`; throws unless its type is utf8 (Int32) or large_utf8 (Int64).
    /// UTF-8 validity is what ``ArrayData/validate()`` checks; a string built from invalid
    /// bytes gets replacement characters, never a crash.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard data.type.isString, case .variableBinary(let w) = data.type.layout, w == MemoryLayout<Offset>.stride else {
            throw .schemaMismatch("cannot view \(data.type) as strings with \(Offset.self) offsets")
        }
        self.storage = try VarBinaryStorage(data, "StringArray")
        self.data = data
    }

    @inlinable public var length: Int { storage.length }
    @inlinable public var nullCount: Int { data.nullCount }

    /// Whether element `i` is non-null; false outside `0..<length`.
    @inlinable
    public func isValid(_ i: Int) -> Bool {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return false }
        return withExtendedLifetime(data) { storage.isValid(i) }
    }

    /// Element `i` as a `String`, or nil when null or outside `0..<length`.
    public subscript(i: Int) -> String? {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return nil }
        return withExtendedLifetime(data) {
            storage.isValid(i) ? String(decoding: storage.bytes(i), as: UTF8.self) : nil
        }
    }

    /// The string stored at `i`, ignoring validity (a null slot usually holds ""). `i` must be
    /// in `0..<length`; outside, the result is "".
    public func value(at i: Int) -> String {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return "" }
        return withExtendedLifetime(data) { String(decoding: storage.bytes(i), as: UTF8.self) }
    }

    /// Calls `body` with element `i`'s UTF-8 bytes (empty for a null slot or an index outside
    /// `0..<length`). No copy is made.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(at i: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(data) {} }
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(storage.bytes(i))
    }

    /// Element `i`'s UTF-8 bytes without a copy, or nil when null or out of range. The pointer
    /// is valid only while this view (or its `data`) is alive.
    @inlinable
    public func unsafeBytes(at i: Int) -> UnsafeRawBufferPointer? {
        guard UInt(bitPattern: i) < UInt(bitPattern: length), storage.isValid(i) else { return nil }
        return storage.bytes(i)
    }

    /// The byte length of element `i` (0 outside `0..<length`).
    @inlinable
    public func valueLength(at i: Int) -> Int {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return 0 }
        return withExtendedLifetime(data) { storage.bytes(i).count }
    }

    public func toArray() -> [String?] { Array(self) }
}

extension GenericStringArray: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let array: GenericStringArray
        @usableFromInline var i = 0
        @inlinable init(array: GenericStringArray) { self.array = array }
        public mutating func next() -> String?? {
            guard i < array.length else { return nil }
            defer { i &+= 1 }
            return .some(array[i])
        }
    }
    @inlinable public func makeIterator() -> Iterator { Iterator(array: self) }
    @inlinable public var underestimatedCount: Int { length }
}

public typealias BinaryArray = GenericBinaryArray<Int32>
public typealias LargeBinaryArray = GenericBinaryArray<Int64>
public typealias StringArray = GenericStringArray<Int32>
public typealias LargeStringArray = GenericStringArray<Int64>
