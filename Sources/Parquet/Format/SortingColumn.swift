// `SortingColumn` of parquet.thrift.

/// A sort key of the rows of a row group.
public struct SortingColumn: Hashable, Sendable, ThriftStruct {
    /// The leaf column's index in the row group.
    public var columnIndex: Int32
    public var descending: Bool
    public var nullsFirst: Bool

    public init(columnIndex: Int32, descending: Bool = false, nullsFirst: Bool = false) {
        self.columnIndex = columnIndex
        self.descending = descending
        self.nullsFirst = nullsFirst
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> SortingColumn {
        let saved = try r.beginStruct()
        var columnIndex: Int32?
        var descending: Bool?
        var nullsFirst: Bool?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): columnIndex = try r.readI32()
            case (2, .bool): descending = f.boolValue
            case (3, .bool): nullsFirst = f.boolValue
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let columnIndex else { throw r.missing("SortingColumn", "column_idx") }
        guard let descending else { throw r.missing("SortingColumn", "descending") }
        guard let nullsFirst else { throw r.missing("SortingColumn", "nulls_first") }
        return SortingColumn(columnIndex: columnIndex, descending: descending, nullsFirst: nullsFirst)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, columnIndex)
        w.writeField(2, descending)
        w.writeField(3, nullsFirst)
        w.endStruct(saved)
    }
}
