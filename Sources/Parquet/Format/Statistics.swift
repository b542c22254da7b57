// `Statistics` of parquet.thrift: per column chunk and per page.

/// Column-chunk or page statistics. Values are PLAIN-encoded without a length prefix.
public struct Statistics: Hashable, Sendable, ThriftStruct {
    /// Deprecated maximum (signed comparison).
    public var max: [UInt8]?
    /// Deprecated minimum (signed comparison).
    public var min: [UInt8]?
    public var nullCount: Int64?
    public var distinctCount: Int64?
    /// Maximum in the column order (`column_orders`).
    public var maxValue: [UInt8]?
    /// Minimum in the column order (`column_orders`).
    public var minValue: [UInt8]?
    public var isMaxValueExact: Bool?
    public var isMinValueExact: Bool?
    /// Number of NaN values (FLOAT, DOUBLE and FLOAT16 columns).
    public var nanCount: Int64?

    public init(
        max: [UInt8]? = nil, min: [UInt8]? = nil, nullCount: Int64? = nil, distinctCount: Int64? = nil,
        maxValue: [UInt8]? = nil, minValue: [UInt8]? = nil,
        isMaxValueExact: Bool? = nil, isMinValueExact: Bool? = nil, nanCount: Int64? = nil
    ) {
        self.max = max
        self.min = min
        self.nullCount = nullCount
        self.distinctCount = distinctCount
        self.maxValue = maxValue
        self.minValue = minValue
        self.isMaxValueExact = isMaxValueExact
        self.isMinValueExact = isMinValueExact
        self.nanCount = nanCount
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> Statistics {
        let saved = try r.beginStruct()
        var s = Statistics()
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .binary): s.max = try r.readBinary()
            case (2, .binary): s.min = try r.readBinary()
            case (3, .i64): s.nullCount = try r.readI64()
            case (4, .i64): s.distinctCount = try r.readI64()
            case (5, .binary): s.maxValue = try r.readBinary()
            case (6, .binary): s.minValue = try r.readBinary()
            case (7, .bool): s.isMaxValueExact = f.boolValue
            case (8, .bool): s.isMinValueExact = f.boolValue
            case (9, .i64): s.nanCount = try r.readI64()
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        return s
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, max)
        w.writeField(2, min)
        w.writeField(3, nullCount)
        w.writeField(4, distinctCount)
        w.writeField(5, maxValue)
        w.writeField(6, minValue)
        w.writeField(7, isMaxValueExact)
        w.writeField(8, isMinValueExact)
        w.writeField(9, nanCount)
        w.endStruct(saved)
    }
}
