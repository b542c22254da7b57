/// A read-only view of a `list` (`Int32` offsets) or `large_list` (`Int64`) array.
///
/// Element `i` is the child range `valueRange(at: i)` of ``values``. (A `map` array can be
/// viewed as a list of its entries too; see ``MapArray``.)
public struct GenericListArray<Offset: ArrowOffset>: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    /// The child array, whole (offsets index into it directly).
    public let values: ArrayData
    @usableFromInline let offsets: UnsafePointer<Offset>
    @usableFromInline let bits: UnsafeRawPointer?
    @usableFromInline let bitOffset: Int
    /// The number of elements.
    public let length: Int

    /// A view of `data`; throws unless its layout is a list with `Offset` offsets.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .list(let w) = data.type.layout, w == MemoryLayout<Offset>.stride else {
            throw .schemaMismatch("cannot view \(data.type) as a list with \(Offset.self) offsets")
        }
        try data.requireBufferCount("ListArray")
        guard data.children.count == 1 else { throw .invalidData("ListArray: a list needs one child") }
        let off = try data.bufferStart(1, bytes: data.length == 0 ? 0 : (data.offset + data.length + 1) * w, "ListArray")
        guard Int(bitPattern: off) % MemoryLayout<Offset>.alignment == 0 else { throw .invalidData("ListArray: misaligned offsets") }
        let child = data.children[0]
        if data.length > 0 {
            let p = off.assumingMemoryBound(to: Offset.self) + data.offset
            let first = p[0], last = p[data.length]
            guard first >= 0, first <= last, Int(last) <= child.length else {
                throw .invalidData("ListArray: offsets \(first)...\(last) outside a child of \(child.length) values")
            }
            offsets = p
        } else {
            offsets = UnsafeRawPointer(BufferStorage.empty.base).assumingMemoryBound(to: Offset.self)
        }
        self.data = data
        self.values = child
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

    /// The child index range of element `i` (whatever its validity), or nil outside
    /// `0..<length` or when the offsets are out of order (unvalidated data).
    @inlinable
    public func valueRange(at i: Int) -> Range<Int>? {
        guard UInt(bitPattern: i) < UInt(bitPattern: length) else { return nil }
        return withExtendedLifetime(data) {
            let s = Int(offsets[i]), e = Int(offsets[i &+ 1])
            guard s >= 0, s <= e, e <= values.length else { return nil }
            return s..<e
        }
    }

    /// Element `i` as a zero-copy slice of the child, or nil when null or out of range.
    public subscript(i: Int) -> ArrayData? {
        guard isValid(i), let r = valueRange(at: i) else { return nil }
        return values.sliceUnchecked(offset: r.lowerBound, length: r.count)
    }

    /// Calls `body` with the `length + 1` visible offsets.
    @inlinable
    public func withUnsafeOffsets<R, E: Error>(_ body: (UnsafeBufferPointer<Offset>) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(data) {} }
        return try body(UnsafeBufferPointer(start: offsets, count: length == 0 ? 0 : length + 1))
    }
}

extension GenericListArray: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline let array: GenericListArray
        @usableFromInline var i = 0
        @inlinable init(array: GenericListArray) { self.array = array }
        public mutating func next() -> ArrayData?? {
            guard i < array.length else { return nil }
            defer { i &+= 1 }
            return .some(array[i])
        }
    }
    @inlinable public func makeIterator() -> Iterator { Iterator(array: self) }
    @inlinable public var underestimatedCount: Int { length }
}

public typealias ListArray = GenericListArray<Int32>
public typealias LargeListArray = GenericListArray<Int64>
