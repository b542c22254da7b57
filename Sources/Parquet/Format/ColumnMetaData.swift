// `ColumnMetaData` of parquet.thrift.

/// The metadata of one column chunk.
public struct ColumnMetaData: Hashable, Sendable, ThriftStruct {
    public var type: PhysicalType
    /// Every encoding used in the chunk, level encodings included.
    public var encodings: [Encoding]
    public var pathInSchema: [String]
    public var codec: CompressionCodec
    /// The number of values (leaf level count, nulls included).
    public var numValues: Int64
    /// Total uncompressed size of the pages, headers included.
    public var totalUncompressedSize: Int64
    /// Total compressed size of the pages, headers included.
    public var totalCompressedSize: Int64
    public var keyValueMetadata: Optional<[ParquetKeyValue]>
    public var dataPageOffset: Int64
    public var indexPageOffset: Optional<Int64>
    public var dictionaryPageOffset: Optional<Int64>
    public var statistics: Optional<Statistics>
    public var encodingStats: Optional<[PageEncodingStats]>
    public var bloomFilterOffset: Optional<Int64>
    public var bloomFilterLength: Optional<Int32>

    public init(
        type: PhysicalType, encodings: [Encoding] = [], pathInSchema: [String] = [],
        codec: CompressionCodec = .uncompressed, numValues: Int64 = 0,
        totalUncompressedSize: Int64 = 0, totalCompressedSize: Int64 = 0,
        keyValueMetadata: [ParquetKeyValue]? = nil, dataPageOffset: Int64 = 0,
        indexPageOffset: Int64? = nil, dictionaryPageOffset: Int64? = nil,
        statistics: Statistics? = nil, encodingStats: [PageEncodingStats]? = nil,
        bloomFilterOffset: Int64? = nil, bloomFilterLength: Int32? = nil
    ) {
        self.type = type
        self.encodings = encodings
        self.pathInSchema = pathInSchema
        self.codec = codec
        self.numValues = numValues
        self.totalUncompressedSize = totalUncompressedSize
        self.totalCompressedSize = totalCompressedSize
        self.keyValueMetadata = keyValueMetadata
        self.dataPageOffset = dataPageOffset
        self.indexPageOffset = indexPageOffset
        self.dictionaryPageOffset = dictionaryPageOffset
        self.statistics = statistics
        self.encodingStats = encodingStats
        self.bloomFilterOffset = bloomFilterOffset
        self.bloomFilterLength = bloomFilterLength
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> ColumnMetaData {
        let saved = try r.beginStruct()
        var type: PhysicalType?
        var encodings: [Encoding]?
        var path: [String]?
        var codec: CompressionCodec?
        var numValues: Int64?
        var uncompressed: Int64?
        var compressed: Int64?
        var keyValueMetadata: [ParquetKeyValue]?
        var dataPageOffset: Int64?
        var indexPageOffset: Int64?
        var dictionaryPageOffset: Int64?
        var statistics: Statistics?
        var encodingStats: [PageEncodingStats]?
        var bloomFilterOffset: Int64?
        var bloomFilterLength: Int32?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): type = try r.readPhysicalType()
            case (2, .list): encodings = try r.readEncodingList()
            case (3, .list): path = try r.readStringList()
            case (4, .i32): codec = try r.readCompressionCodec()
            case (5, .i64): numValues = try r.readI64()
            case (6, .i64): uncompressed = try r.readI64()
            case (7, .i64): compressed = try r.readI64()
            case (8, .list): keyValueMetadata = try r.readList(of: ParquetKeyValue.self)
            case (9, .i64): dataPageOffset = try r.readI64()
            case (10, .i64): indexPageOffset = try r.readI64()
            case (11, .i64): dictionaryPageOffset = try r.readI64()
            case (12, .struct): statistics = try Statistics.decode(from: &r)
            case (13, .list): encodingStats = try r.readList(of: PageEncodingStats.self)
            case (14, .i64): bloomFilterOffset = try r.readI64()
            case (15, .i32): bloomFilterLength = try r.readI32()
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let type else { throw r.missing("ColumnMetaData", "type") }
        guard let encodings else { throw r.missing("ColumnMetaData", "encodings") }
        guard let path else { throw r.missing("ColumnMetaData", "path_in_schema") }
        guard let codec else { throw r.missing("ColumnMetaData", "codec") }
        guard let numValues else { throw r.missing("ColumnMetaData", "num_values") }
        guard let uncompressed else { throw r.missing("ColumnMetaData", "total_uncompressed_size") }
        guard let compressed else { throw r.missing("ColumnMetaData", "total_compressed_size") }
        guard let dataPageOffset else { throw r.missing("ColumnMetaData", "data_page_offset") }
        return ColumnMetaData(
            type: type, encodings: encodings, pathInSchema: path, codec: codec, numValues: numValues,
            totalUncompressedSize: uncompressed, totalCompressedSize: compressed,
            keyValueMetadata: keyValueMetadata, dataPageOffset: dataPageOffset,
            indexPageOffset: indexPageOffset, dictionaryPageOffset: dictionaryPageOffset,
            statistics: statistics, encodingStats: encodingStats,
            bloomFilterOffset: bloomFilterOffset, bloomFilterLength: bloomFilterLength)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, type)
        w.writeListField(2, encodings)
        w.writeListField(3, pathInSchema)
        w.writeField(4, codec)
        w.writeField(5, numValues)
        w.writeField(6, totalUncompressedSize)
        w.writeField(7, totalCompressedSize)
        w.writeListField(8, keyValueMetadata)
        w.writeField(9, dataPageOffset)
        w.writeField(10, indexPageOffset)
        w.writeField(11, dictionaryPageOffset)
        w.writeField(12, statistics)
        w.writeListField(13, encodingStats)
        w.writeField(14, bloomFilterOffset)
        w.writeField(15, bloomFilterLength)
        w.endStruct(saved)
    }
}
