// `Statistics` of parquet.thrift: per column chunk and per page.

/// Column-chunk or page statistics. Values are PLAIN-encoded without a length prefix.
public struct Statistics: Hashable, Sendable, ThriftStruct {
    /// Deprecated maximum (signed comparison).
    public var max: Optional<[UInt8]>
    /// Deprecated minimum (signed comparison).
    public var min: Optional<[UInt8]>
    public var nullCount: Optional<Int64>
    public var distinctCount: Optional<Int64>
    /// Maximum in the column order (`column_orders`).
    public var maxValue: Optional<[UInt8]>
    /// Minimum in the column order (`column_orders`).
    public var minValue: Optional<[UInt8]>
    public var isMaxValueExact: Optional<Bool>
    public var isMinValueExact: Optional<Bool>
    /// Number of NaN values (FLOAT, DOUBLE and FLOAT16 columns).
    public var nanCount: Optional<Int64>

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
        var max: [UInt8]?
        var min: [UInt8]?
        var nullCount: Int64?
        var distinctCount: Int64?
        var maxValue: [UInt8]?
        var minValue: [UInt8]?
        var isMaxValueExact: Bool?
        var isMinValueExact: Bool?
        var nanCount: Int64?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .binary): max = sharing(maxValue, try r.readBinaryView())
            case (2, .binary): min = sharing(minValue, try r.readBinaryView())
            case (3, .i64): nullCount = try r.readI64()
            case (4, .i64): distinctCount = try r.readI64()
            case (5, .binary): maxValue = sharing(max, try r.readBinaryView())
            case (6, .binary): minValue = sharing(min, try r.readBinaryView())
            case (7, .bool): isMaxValueExact = f.boolValue
            case (8, .bool): isMinValueExact = f.boolValue
            case (9, .i64): nanCount = try r.readI64()
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        return Statistics(
            max: max, min: min, nullCount: nullCount, distinctCount: distinctCount,
            maxValue: maxValue, minValue: minValue, isMaxValueExact: isMaxValueExact,
            isMinValueExact: isMinValueExact, nanCount: nanCount)
    }

    /// `bytes` as an array, sharing the storage of `other` when it holds the same bytes (writers
    /// usually store the same value in `max` and `max_value`, and in `min` and `min_value`).
    @inline(__always)
    private static func sharing(_ other: [UInt8]?, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        if let other, other.count == bytes.count,
           other.withUnsafeBytes({ $0.elementsEqual(bytes) }) {
            return other
        }
        return ThriftCompactReader.copy(bytes)
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
