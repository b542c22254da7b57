// `DictionaryPageHeader` of parquet.thrift.

/// The header of a dictionary page.
public struct DictionaryPageHeader: Hashable, Sendable, ThriftStruct {
    /// The number of dictionary entries.
    public var numValues: Int32
    /// PLAIN (or the legacy alias PLAIN_DICTIONARY).
    public var encoding: Encoding
    public var isSorted: Optional<Bool>

    public init(numValues: Int32, encoding: Encoding = .plain, isSorted: Bool? = nil) {
        self.numValues = numValues
        self.encoding = encoding
        self.isSorted = isSorted
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> DictionaryPageHeader {
        let saved = try r.beginStruct()
        var numValues: Int32?
        var encoding: Encoding?
        var isSorted: Bool?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): numValues = try r.readI32()
            case (2, .i32): encoding = try r.readEncoding()
            case (3, .bool): isSorted = f.boolValue
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let numValues else { throw r.missing("DictionaryPageHeader", "num_values") }
        guard let encoding else { throw r.missing("DictionaryPageHeader", "encoding") }
        return DictionaryPageHeader(numValues: numValues, encoding: encoding, isSorted: isSorted)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, numValues)
        w.writeField(2, encoding)
        w.writeField(3, isSorted)
        w.endStruct(saved)
    }
}
