// `PageHeader` of parquet.thrift.

/// The header in front of every page of a column chunk.
public struct PageHeader: Hashable, Sendable, ThriftStruct {
    public var type: PageType
    /// The page size after decompression, header excluded.
    public var uncompressedPageSize: Int32
    /// The page size on disk, header excluded.
    public var compressedPageSize: Int32
    /// CRC-32 of the page bytes as stored (after compression).
    public var crc: Optional<Int32>
    public var dataPageHeader: Optional<DataPageHeader>
    /// Whether an `index_page_header` was present (its content is not kept).
    public var hasIndexPageHeader: Bool
    public var dictionaryPageHeader: Optional<DictionaryPageHeader>
    public var dataPageHeaderV2: Optional<DataPageHeaderV2>

    public init(
        type: PageType, uncompressedPageSize: Int32 = 0, compressedPageSize: Int32 = 0,
        crc: Int32? = nil, dataPageHeader: DataPageHeader? = nil, hasIndexPageHeader: Bool = false,
        dictionaryPageHeader: DictionaryPageHeader? = nil, dataPageHeaderV2: DataPageHeaderV2? = nil
    ) {
        self.type = type
        self.uncompressedPageSize = uncompressedPageSize
        self.compressedPageSize = compressedPageSize
        self.crc = crc
        self.dataPageHeader = dataPageHeader
        self.hasIndexPageHeader = hasIndexPageHeader
        self.dictionaryPageHeader = dictionaryPageHeader
        self.dataPageHeaderV2 = dataPageHeaderV2
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> PageHeader {
        let saved = try r.beginStruct()
        var type: PageType?
        var uncompressed: Int32?
        var compressed: Int32?
        var h = PageHeader(type: .dataPage)
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): type = try r.readPageType()
            case (2, .i32): uncompressed = try r.readI32()
            case (3, .i32): compressed = try r.readI32()
            case (4, .i32): h.crc = try r.readI32()
            case (5, .struct): h.dataPageHeader = try DataPageHeader.decode(from: &r)
            case (6, .struct):
                try r.skip(f)
                h.hasIndexPageHeader = true
            case (7, .struct): h.dictionaryPageHeader = try DictionaryPageHeader.decode(from: &r)
            case (8, .struct): h.dataPageHeaderV2 = try DataPageHeaderV2.decode(from: &r)
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let type else { throw r.missing("PageHeader", "type") }
        guard let uncompressed else { throw r.missing("PageHeader", "uncompressed_page_size") }
        guard let compressed else { throw r.missing("PageHeader", "compressed_page_size") }
        h.type = type
        h.uncompressedPageSize = uncompressed
        h.compressedPageSize = compressed
        return h
    }

    /// Decodes the page header that starts at `offset` in `bytes` (a whole file, or a buffer
    /// whose first byte is at file offset `baseOffset`). Returns the header and its encoded
    /// length. The header must end inside `bytes`; the page body is not checked.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, baseOffset: Int = 0
    ) throws(ParquetError) -> (header: PageHeader, headerLength: Int) {
        guard offset >= 0, offset < bytes.count else {
            let (at, overflow) = baseOffset.addingReportingOverflow(offset)
            throw .corrupt(
                "page header offset \(overflow ? offset : at) is outside the \(bytes.count)-byte buffer",
                at: "byte offset \(overflow ? offset : at)")
        }
        let (base, overflow) = baseOffset.addingReportingOverflow(offset)
        var r = ThriftCompactReader(
            UnsafeRawBufferPointer(rebasing: bytes[offset...]), baseOffset: overflow ? offset : base)
        let header = try decode(from: &r)
        return (header, r.position)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, type)
        w.writeField(2, uncompressedPageSize)
        w.writeField(3, compressedPageSize)
        w.writeField(4, crc)
        w.writeField(5, dataPageHeader)
        if hasIndexPageHeader {
            w.writeFieldHeader(6, .struct)
            w.writeEmptyStruct()
        }
        w.writeField(7, dictionaryPageHeader)
        w.writeField(8, dataPageHeaderV2)
        w.endStruct(saved)
    }
}
