// `DataPageHeaderV2` of parquet.thrift (data page v2).

/// The header of a v2 data page: levels are stored uncompressed before the (optionally
/// compressed) values, with their byte lengths in the header.
public struct DataPageHeaderV2: Hashable, Sendable, ThriftStruct {
    /// The number of values, nulls included.
    public var numValues: Int32
    public var numNulls: Int32
    public var numRows: Int32
    public var encoding: Encoding
    public var definitionLevelsByteLength: Int32
    public var repetitionLevelsByteLength: Int32
    /// Whether the values section is compressed (absent on the wire means true).
    public var isCompressed: Bool
    public var statistics: Optional<Statistics>

    public init(
        numValues: Int32, numNulls: Int32 = 0, numRows: Int32, encoding: Encoding = .plain,
        definitionLevelsByteLength: Int32 = 0, repetitionLevelsByteLength: Int32 = 0,
        isCompressed: Bool = true, statistics: Statistics? = nil
    ) {
        self.numValues = numValues
        self.numNulls = numNulls
        self.numRows = numRows
        self.encoding = encoding
        self.definitionLevelsByteLength = definitionLevelsByteLength
        self.repetitionLevelsByteLength = repetitionLevelsByteLength
        self.isCompressed = isCompressed
        self.statistics = statistics
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> DataPageHeaderV2 {
        let saved = try r.beginStruct()
        var numValues: Int32?
        var numNulls: Int32?
        var numRows: Int32?
        var encoding: Encoding?
        var defLength: Int32?
        var repLength: Int32?
        var isCompressed = true
        var statistics: Statistics?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): numValues = try r.readI32()
            case (2, .i32): numNulls = try r.readI32()
            case (3, .i32): numRows = try r.readI32()
            case (4, .i32): encoding = try r.readEncoding()
            case (5, .i32): defLength = try r.readI32()
            case (6, .i32): repLength = try r.readI32()
            case (7, .bool): isCompressed = f.boolValue
            case (8, .struct): statistics = try Statistics.decode(from: &r)
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let numValues else { throw r.missing("DataPageHeaderV2", "num_values") }
        guard let numNulls else { throw r.missing("DataPageHeaderV2", "num_nulls") }
        guard let numRows else { throw r.missing("DataPageHeaderV2", "num_rows") }
        guard let encoding else { throw r.missing("DataPageHeaderV2", "encoding") }
        guard let defLength else { throw r.missing("DataPageHeaderV2", "definition_levels_byte_length") }
        guard let repLength else { throw r.missing("DataPageHeaderV2", "repetition_levels_byte_length") }
        return DataPageHeaderV2(
            numValues: numValues, numNulls: numNulls, numRows: numRows, encoding: encoding,
            definitionLevelsByteLength: defLength, repetitionLevelsByteLength: repLength,
            isCompressed: isCompressed, statistics: statistics)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, numValues)
        w.writeField(2, numNulls)
        w.writeField(3, numRows)
        w.writeField(4, encoding)
        w.writeField(5, definitionLevelsByteLength)
        w.writeField(6, repetitionLevelsByteLength)
        w.writeField(7, isCompressed)
        w.writeField(8, statistics)
        w.endStruct(saved)
    }
}
