import Synchronization

/// The untyped contents of an Arrow array: its type, length, offset, buffers and children.
///
/// The layout follows the Arrow C Data Interface exactly, so import and export are zero-copy:
/// - `buffers` has ``DataType/bufferCount`` entries; `buffers[0]` is the validity bitmap, or
///   `nil` when no value is null. (The null type has no buffers.)
/// - `offset` is a logical element offset that applies to every buffer. For a struct it also
///   applies to the children: child row `offset + i` belongs to parent row `i` (each child then
///   applies its own offset too). For a fixed-size list, child rows start at `(offset + i) * size`.
/// - `dictionary` holds the values of a dictionary-encoded array; the buffers hold the indices.
///
/// A struct over a `final class` storage: copies share it, slicing makes a new storage over the
/// same buffers. Everything is immutable, so `ArrayData` can be read from any thread.
public struct ArrayData: Sendable {
    @usableFromInline let storage: Storage

    @usableFromInline
    final class Storage: Sendable {
        @usableFromInline let type: DataType
        @usableFromInline let length: Int
        @usableFromInline let offset: Int
        @usableFromInline let buffers: [ArrowBuffer?]
        @usableFromInline let children: [ArrayData]
        @usableFromInline let dictionary: ArrayData?
        /// -1 until computed.
        @usableFromInline let nullCountCache: Atomic<Int>
        /// The string values are known to be valid UTF-8: built from Swift strings, checked by
        /// ``ArrayData/validate()`` once, or imported back from a range this module exported
        /// as valid (``ExportedBuffers``). `validate()` then skips that check.
        let stringsValid: Atomic<Bool>

        @usableFromInline
        init(type: DataType, length: Int, offset: Int, nullCount: Int, buffers: [ArrowBuffer?], children: [ArrayData],
             dictionary: ArrayData?, stringsTrusted: Bool = false) {
            self.type = type
            self.length = length
            self.offset = offset
            self.buffers = buffers
            self.children = children
            self.dictionary = dictionary
            self.nullCountCache = Atomic(nullCount)
            self.stringsValid = Atomic(stringsTrusted)
        }
    }

    /// Creates array data without validating it. Use ``validate()`` (or build through the
    /// builders, kernels or the C Data importer, which all validate) before trusting it.
    ///
    /// - Parameter nullCount: the number of nulls, or -1 if unknown (computed on first use).
    public init(
        unchecked type: DataType, length: Int, offset: Int = 0, nullCount: Int = -1,
        buffers: [ArrowBuffer?], children: [ArrayData] = [], dictionary: ArrayData? = nil
    ) {
        self.init(unchecked: type, length: length, offset: offset, nullCount: nullCount, buffers: buffers,
                  children: children, dictionary: dictionary, stringsKnownValid: false)
    }

    /// Creates array data without validating it; `stringsKnownValid` says that the offsets of
    /// a utf8 array are valid (non-negative, non-decreasing) and its values valid UTF-8 (for
    /// instance copied from Swift strings), so that ``validate()`` and the C Data round trip
    /// need not check them again.
    public init(
        unchecked type: DataType, length: Int, offset: Int = 0, nullCount: Int = -1,
        buffers: [ArrowBuffer?], children: [ArrayData] = [], dictionary: ArrayData? = nil, stringsKnownValid stringsTrusted: Bool
    ) {
        var nc = nullCount
        // Matching the case, not `==`: the derived equality of an indirect enum is not cheap.
        if case .null = type {
            nc = length
        } else if buffers.first.map({ $0 == nil }) ?? true {
            nc = 0
        }
        storage = Storage(type: type, length: length, offset: offset, nullCount: nc, buffers: buffers, children: children,
                          dictionary: dictionary, stringsTrusted: stringsTrusted)
    }

    /// Creates array data and validates it (see ``validate()``).
    public init(
        type: DataType, length: Int, offset: Int = 0, nullCount: Int = -1,
        buffers: [ArrowBuffer?], children: [ArrayData] = [], dictionary: ArrayData? = nil
    ) throws(ArrowError) {
        self.init(unchecked: type, length: length, offset: offset, nullCount: nullCount, buffers: buffers, children: children, dictionary: dictionary)
        try validate()
    }

    /// The logical type.
    @inlinable public var type: DataType { storage.type }
    /// The number of elements.
    @inlinable public var length: Int { storage.length }
    /// The element offset into the buffers.
    @inlinable public var offset: Int { storage.offset }
    /// The buffers (validity first; see the type's layout).
    @inlinable public var buffers: [ArrowBuffer?] { storage.buffers }
    /// Child arrays of nested types.
    @inlinable public var children: [ArrayData] { storage.children }
    /// The dictionary of a dictionary-encoded array.
    @inlinable public var dictionary: ArrayData? { storage.dictionary }
    /// The validity bitmap, or nil when there are no nulls.
    @inlinable public var validity: ArrowBuffer? { storage.buffers.first ?? nil }

    /// The number of null elements, computed from the validity bitmap the first time it is
    /// needed when it was not known.
    ///
    /// - Complexity: O(1) when known, O(*length* / 64) the first time otherwise.
    public var nullCount: Int {
        let cached = storage.nullCountCache.load(ordering: .relaxed)
        if cached >= 0 { return cached }
        let computed: Int
        if let v = validity {
            let bitsNeeded = offset + length
            if Bitmap.byteCount(forBits: bitsNeeded) > v.count {
                computed = 0 // invalid data; validate() reports it
            } else {
                computed = length - Bitmap.countSetBits(v.baseAddress, offset: offset, length: length)
            }
        } else {
            computed = 0
        }
        storage.nullCountCache.store(computed, ordering: .relaxed)
        return computed
    }

    /// Whether the null count is already known (not -1).
    public var isNullCountKnown: Bool { storage.nullCountCache.load(ordering: .relaxed) >= 0 }

    /// Whether element `index` (0-based, relative to this array's offset) is valid (non-null).
    @inlinable
    public func isValid(_ index: Int) -> Bool {
        if case .null = storage.type { return false }
        guard let v = validity else { return true }
        return Bitmap.get(v.baseAddress, storage.offset &+ index)
    }

    /// Whether element `index` is null.
    @inlinable public func isNull(_ index: Int) -> Bool { !isValid(index) }

    /// A zero-copy view of `length` elements starting at `offset` (relative to this array).
    ///
    /// - Complexity: O(1); the null count of the slice is computed on first use.
    public func slice(offset start: Int, length count: Int) throws(ArrowError) -> ArrayData {
        guard start >= 0, count >= 0, start <= length, count <= length - start else {
            throw .invalidArgument("slice \(start)..<\(start &+ count) is outside an array of length \(length)")
        }
        return sliceUnchecked(offset: start, length: count)
    }

    /// ``slice(offset:length:)`` without the bounds check.
    @inlinable
    public func sliceUnchecked(offset start: Int, length count: Int) -> ArrayData {
        if start == 0 && count == length { return self }
        let known = nullCount == 0 ? 0 : -1 // the initializer counts a null-type slice itself
        // A sub-range of valid strings is valid.
        return ArrayData(unchecked: type, length: count, offset: offset + start, nullCount: known,
                         buffers: buffers, children: children, dictionary: dictionary, stringsKnownValid: stringsKnownValid)
    }

    /// Whether the string values are known to be valid UTF-8 (see
    /// ``init(unchecked:length:offset:nullCount:buffers:children:dictionary:stringsKnownValid:)``).
    public var stringsKnownValid: Bool { storage.stringsValid.load(ordering: .relaxed) }

    /// The child arrays aligned to this array's rows: for a struct, each child sliced to
    /// `[offset, offset + length)`; other types return ``children`` unchanged.
    public var logicalChildren: [ArrayData] {
        guard case .struct = type else { return children }
        // Children already aligned (the usual case) are returned as they are: no new array.
        if offset == 0, children.allSatisfy({ $0.length == length }) { return children }
        return children.map { $0.sliceUnchecked(offset: offset, length: length) }
    }
}

extension ArrayData {
    /// An array of `length` nulls of the null type.
    public static func nulls(_ length: Int) -> ArrayData {
        ArrayData(unchecked: .null, length: length, nullCount: length, buffers: [])
    }
}
