// `DataPageHeader` of parquet.thrift (data page v1).

/// The header of a v1 data page: levels and values are compressed together.
public struct DataPageHeader: Hashable, Sendable, ThriftStruct {
    /// The number of values, nulls included.
    public var numValues: Int32
    public var encoding: Encoding
    public var definitionLevelEncoding: Encoding
    public var repetitionLevelEncoding: Encoding
    public var statistics: Optional<Statistics>

    public init(
        numValues: Int32, encoding: Encoding = .plain,
        definitionLevelEncoding: Encoding = .rle, repetitionLevelEncoding: Encoding = .rle,
        statistics: Statistics? = nil
    ) {
        self.numValues = numValues
        self.encoding = encoding
        self.definitionLevelEncoding = definitionLevelEncoding
        self.repetitionLevelEncoding = repetitionLevelEncoding
        self.statistics = statistics
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> DataPageHeader {
        let saved = try r.beginStruct()
        var numValues: Int32?
        var encoding: Encoding?
        var defEncoding: Encoding?
        var repEncoding: Encoding?
        var statistics: Statistics?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): numValues = try r.readI32()
            case (2, .i32): encoding = try r.readEncoding()
            case (3, .i32): defEncoding = try r.readEncoding()
            case (4, .i32): repEncoding = try r.readEncoding()
            case (5, .struct): statistics = try Statistics.decode(from: &r)
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let numValues else { throw r.missing("DataPageHeader", "num_values") }
        guard let encoding else { throw r.missing("DataPageHeader", "encoding") }
        guard let defEncoding else { throw r.missing("DataPageHeader", "definition_level_encoding") }
        guard let repEncoding else { throw r.missing("DataPageHeader", "repetition_level_encoding") }
        return DataPageHeader(
            numValues: numValues, encoding: encoding, definitionLevelEncoding: defEncoding,
            repetitionLevelEncoding: repEncoding, statistics: statistics)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, numValues)
        w.writeField(2, encoding)
        w.writeField(3, definitionLevelEncoding)
        w.writeField(4, repetitionLevelEncoding)
        w.writeField(5, statistics)
        w.endStruct(saved)
    }
}
