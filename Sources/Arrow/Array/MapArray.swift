/// A read-only view of a `map<K, V>` array: a list of non-null `entries` structs of a key and a
/// value. Element `i` is entries `valueRange(at: i)`.
public struct MapArray: @unchecked Sendable {
    /// The viewed data (keeps the buffers alive).
    public let data: ArrayData
    @usableFromInline let list: GenericListArray<Int32>
    /// The entries struct array, whole.
    public let entries: ArrayData
    /// All keys, aligned to ``entries`` rows.
    public let keys: ArrayData
    /// All values, aligned to ``entries`` rows.
    public let items: ArrayData
    /// Whether the keys are declared sorted within each map.
    public let keysSorted: Bool

    /// A view of `data`; throws unless it is a map array.
    public init(_ data: ArrayData) throws(ArrowError) {
        guard case .map(_, let sorted) = data.type else { throw .schemaMismatch("cannot view \(data.type) as a map") }
        list = try GenericListArray<Int32>(data)
        let entries = data.children[0]
        guard case .struct(let kv) = entries.type, kv.count == 2, entries.children.count == 2 else {
            throw .invalidData("MapArray: entries must be a struct of key and value")
        }
        let entryView = try StructArray(entries)
        self.data = data
        self.entries = entries
        self.keys = entryView.children[0]
        self.items = entryView.children[1]
        self.keysSorted = sorted
    }

    @inlinable public var length: Int { list.length }
    @inlinable public var nullCount: Int { data.nullCount }
    /// Whether element `i` is non-null; false outside `0..<length`.
    @inlinable public func isValid(_ i: Int) -> Bool { list.isValid(i) }
    /// The entry range of element `i`, or nil outside `0..<length`.
    @inlinable public func valueRange(at i: Int) -> Range<Int>? { list.valueRange(at: i) }

    /// The keys and values of map `i` as zero-copy slices, or nil when null or out of range.
    public subscript(i: Int) -> (keys: ArrayData, values: ArrayData)? {
        guard isValid(i), let r = valueRange(at: i) else { return nil }
        return (keys.sliceUnchecked(offset: r.lowerBound, length: r.count), items.sliceUnchecked(offset: r.lowerBound, length: r.count))
    }
}
