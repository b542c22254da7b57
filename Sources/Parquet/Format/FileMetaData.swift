// `FileMetaData` of parquet.thrift: the footer.

/// The file footer: schema, row groups and file-level metadata.
public struct FileMetaData: Hashable, Sendable, ThriftStruct {
    /// Archetype writes 2 (store.md §9.1); readers accept 1 and 2 alike.
    public var version: Int32
    /// The flattened schema, root first.
    public var schema: [SchemaElement]
    public var numRows: Int64
    public var rowGroups: [RowGroup]
    public var keyValueMetadata: Optional<[ParquetKeyValue]>
    public var createdBy: Optional<String>
    /// One entry per leaf column, when present.
    public var columnOrders: Optional<[ColumnOrder]>
    /// Set only in encrypted files with a plaintext footer: such files are `unsupported`.
    public var encryptionAlgorithm: Optional<EncryptionAlgorithm>
    public var footerSigningKeyMetadata: Optional<[UInt8]>

    public init(
        version: Int32 = 2, schema: [SchemaElement] = [], numRows: Int64 = 0,
        rowGroups: [RowGroup] = [], keyValueMetadata: [ParquetKeyValue]? = nil, createdBy: String? = nil,
        columnOrders: [ColumnOrder]? = nil, encryptionAlgorithm: EncryptionAlgorithm? = nil,
        footerSigningKeyMetadata: [UInt8]? = nil
    ) {
        self.version = version
        self.schema = schema
        self.numRows = numRows
        self.rowGroups = rowGroups
        self.keyValueMetadata = keyValueMetadata
        self.createdBy = createdBy
        self.columnOrders = columnOrders
        self.encryptionAlgorithm = encryptionAlgorithm
        self.footerSigningKeyMetadata = footerSigningKeyMetadata
    }

    /// Whether the footer declares encryption (`encryption_algorithm` present).
    public var isEncrypted: Bool { encryptionAlgorithm != nil }

    /// The value of the first key/value entry with `key`.
    public func metadataValue(forKey key: String) -> String? {
        keyValueMetadata?.first(where: { $0.key == key })?.value
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> FileMetaData {
        let saved = try r.beginStruct()
        var version: Int32?
        var schema: [SchemaElement]?
        var numRows: Int64?
        var rowGroups: [RowGroup]?
        var m = FileMetaData()
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): version = try r.readI32()
            case (2, .list): schema = try r.readList(of: SchemaElement.self)
            case (3, .i64): numRows = try r.readI64()
            case (4, .list): rowGroups = try r.readList(of: RowGroup.self)
            case (5, .list): m.keyValueMetadata = try r.readList(of: ParquetKeyValue.self)
            case (6, .binary): m.createdBy = try r.readString()
            case (7, .list): m.columnOrders = try r.readList(of: ColumnOrder.self)
            case (8, .struct): m.encryptionAlgorithm = try EncryptionAlgorithm.decode(from: &r)
            case (9, .binary): m.footerSigningKeyMetadata = try r.readBinary()
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let version else { throw r.missing("FileMetaData", "version") }
        guard let schema else { throw r.missing("FileMetaData", "schema") }
        guard let numRows else { throw r.missing("FileMetaData", "num_rows") }
        guard let rowGroups else { throw r.missing("FileMetaData", "row_groups") }
        m.version = version
        m.schema = schema
        m.numRows = numRows
        m.rowGroups = rowGroups
        return m
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, version)
        w.writeListField(2, schema)
        w.writeField(3, numRows)
        w.writeListField(4, rowGroups)
        w.writeListField(5, keyValueMetadata)
        w.writeField(6, createdBy)
        w.writeListField(7, columnOrders)
        w.writeField(8, encryptionAlgorithm)
        w.writeField(9, footerSigningKeyMetadata)
        w.endStruct(saved)
    }
}
