// `KeyValue` of parquet.thrift: file and column-chunk key/value metadata.

/// A key/value metadata entry (`ARROW:schema`, `archetype:…`, writer-specific keys).
public struct ParquetKeyValue: Hashable, Sendable, ThriftStruct {
    public var key: String
    /// `nil` when the entry has no value (which is different from an empty value).
    public var value: Optional<String>

    public init(key: String, value: String? = nil) {
        self.key = key
        self.value = value
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> ParquetKeyValue {
        let saved = try r.beginStruct()
        var key: String?
        var value: String?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .binary): key = try r.readString()
            case (2, .binary): value = try r.readString()
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let key else { throw r.missing("KeyValue", "key") }
        return ParquetKeyValue(key: key, value: value)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, key)
        w.writeField(2, value)
        w.endStruct(saved)
    }
}
