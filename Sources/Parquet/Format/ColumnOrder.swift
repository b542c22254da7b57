// `ColumnOrder` union of parquet.thrift.

/// The order in which a column's `min_value`/`max_value` statistics were computed.
public enum ColumnOrder: Hashable, Sendable, ThriftStruct {
    /// `TYPE_ORDER`: the order of the logical type, else of the physical type.
    case typeDefinedOrder
    /// `IEEE_754_TOTAL_ORDER` (floating-point columns).
    case ieee754TotalOrder
    /// `INT96_TIMESTAMP_ORDER` (INT96 columns).
    case int96TimestampOrder
    /// A union member this reader does not know (its statistics must be ignored).
    case unknown(Int16)

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> ColumnOrder {
        let saved = try r.beginStruct()
        var result: ColumnOrder?
        while let f = try r.readFieldHeader() {
            let member: ColumnOrder
            switch (f.id, f.type) {
            case (1, .struct): member = .typeDefinedOrder
            case (2, .struct): member = .ieee754TotalOrder
            case (3, .struct): member = .int96TimestampOrder
            default: member = .unknown(f.id)
            }
            try r.skip(f)
            if result == nil { result = member }
        }
        r.endStruct(saved)
        guard let result else { throw r.corrupt("ColumnOrder: empty union") }
        return result
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        let id: Int16
        switch self {
        case .typeDefinedOrder: id = 1
        case .ieee754TotalOrder: id = 2
        case .int96TimestampOrder: id = 3
        case .unknown(let n): id = n
        }
        w.writeFieldHeader(id, .struct)
        w.writeEmptyStruct()
        w.endStruct(saved)
    }
}

extension ThriftCompactWriter {
    /// Writes a struct without fields (a stop byte).
    @inline(__always)
    public mutating func writeEmptyStruct() {
        writeByte(0)
    }
}
