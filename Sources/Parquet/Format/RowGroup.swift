// `RowGroup` of parquet.thrift.

/// A row group: one column chunk per leaf column.
public struct RowGroup: Hashable, Sendable, ThriftStruct {
    public var columns: [ColumnChunk]
    /// Total uncompressed size of the column data.
    public var totalByteSize: Int64
    public var numRows: Int64
    public var sortingColumns: Optional<[SortingColumn]>
    /// Offset of the first page (data or dictionary) of the row group.
    public var fileOffset: Optional<Int64>
    public var totalCompressedSize: Optional<Int64>
    public var ordinal: Optional<Int16>

    public init(
        columns: [ColumnChunk] = [], totalByteSize: Int64 = 0, numRows: Int64 = 0,
        sortingColumns: [SortingColumn]? = nil, fileOffset: Int64? = nil,
        totalCompressedSize: Int64? = nil, ordinal: Int16? = nil
    ) {
        self.columns = columns
        self.totalByteSize = totalByteSize
        self.numRows = numRows
        self.sortingColumns = sortingColumns
        self.fileOffset = fileOffset
        self.totalCompressedSize = totalCompressedSize
        self.ordinal = ordinal
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> RowGroup {
        let saved = try r.beginStruct()
        var columns: [ColumnChunk]?
        var totalByteSize: Int64?
        var numRows: Int64?
        var g = RowGroup()
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .list): columns = try r.readList(of: ColumnChunk.self)
            case (2, .i64): totalByteSize = try r.readI64()
            case (3, .i64): numRows = try r.readI64()
            case (4, .list): g.sortingColumns = try r.readList(of: SortingColumn.self)
            case (5, .i64): g.fileOffset = try r.readI64()
            case (6, .i64): g.totalCompressedSize = try r.readI64()
            case (7, .i16): g.ordinal = try r.readI16()
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let columns else { throw r.missing("RowGroup", "columns") }
        guard let totalByteSize else { throw r.missing("RowGroup", "total_byte_size") }
        guard let numRows else { throw r.missing("RowGroup", "num_rows") }
        g.columns = columns
        g.totalByteSize = totalByteSize
        g.numRows = numRows
        return g
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeListField(1, columns)
        w.writeField(2, totalByteSize)
        w.writeField(3, numRows)
        w.writeListField(4, sortingColumns)
        w.writeField(5, fileOffset)
        w.writeField(6, totalCompressedSize)
        w.writeField(7, ordinal)
        w.endStruct(saved)
    }
}
