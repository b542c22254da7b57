// `ColumnChunk` of parquet.thrift.

/// A column chunk of a row group: where its pages are and their metadata.
public struct ColumnChunk: Hashable, Sendable, ThriftStruct {
    /// The file holding the pages when not this one (unsupported by Archetype's reader).
    public var filePath: Optional<String>
    /// Deprecated; writers set 0. Read as 0 when absent.
    public var fileOffset: Int64
    /// The chunk's metadata (required in practice).
    public var metaData: Optional<ColumnMetaData>
    public var offsetIndexOffset: Optional<Int64>
    public var offsetIndexLength: Optional<Int32>
    public var columnIndexOffset: Optional<Int64>
    public var columnIndexLength: Optional<Int32>

    public init(
        filePath: String? = nil, fileOffset: Int64 = 0, metaData: ColumnMetaData? = nil,
        offsetIndexOffset: Int64? = nil, offsetIndexLength: Int32? = nil,
        columnIndexOffset: Int64? = nil, columnIndexLength: Int32? = nil
    ) {
        self.filePath = filePath
        self.fileOffset = fileOffset
        self.metaData = metaData
        self.offsetIndexOffset = offsetIndexOffset
        self.offsetIndexLength = offsetIndexLength
        self.columnIndexOffset = columnIndexOffset
        self.columnIndexLength = columnIndexLength
    }

    /// Decodes a column chunk. The encryption fields (crypto_metadata,
    /// encrypted_column_metadata) are skipped: an encrypted file is rejected from its footer.
    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> ColumnChunk {
        let saved = try r.beginStruct()
        var filePath: String?
        var fileOffset: Int64 = 0
        var metaData: ColumnMetaData?
        var offsetIndexOffset: Int64?
        var offsetIndexLength: Int32?
        var columnIndexOffset: Int64?
        var columnIndexLength: Int32?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .binary): filePath = try r.readString()
            case (2, .i64): fileOffset = try r.readI64()
            case (3, .struct): metaData = try ColumnMetaData.decode(from: &r)
            case (4, .i64): offsetIndexOffset = try r.readI64()
            case (5, .i32): offsetIndexLength = try r.readI32()
            case (6, .i64): columnIndexOffset = try r.readI64()
            case (7, .i32): columnIndexLength = try r.readI32()
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        return ColumnChunk(
            filePath: filePath, fileOffset: fileOffset, metaData: metaData,
            offsetIndexOffset: offsetIndexOffset, offsetIndexLength: offsetIndexLength,
            columnIndexOffset: columnIndexOffset, columnIndexLength: columnIndexLength)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, filePath)
        w.writeField(2, fileOffset)
        w.writeField(3, metaData)
        w.writeField(4, offsetIndexOffset)
        w.writeField(5, offsetIndexLength)
        w.writeField(6, columnIndexOffset)
        w.writeField(7, columnIndexLength)
        w.endStruct(saved)
    }
}
