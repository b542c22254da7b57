// `LogicalType` union of parquet.thrift.

/// A logical type annotation of a schema element.
public enum LogicalType: Hashable, Sendable, ThriftStruct {
    case string                                            // 1
    case map                                               // 2
    case list                                              // 3
    case `enum`                                            // 4
    case decimal(scale: Int32, precision: Int32)           // 5
    case date                                              // 6
    case time(isAdjustedToUTC: Bool, unit: TimeUnit)       // 7
    case timestamp(isAdjustedToUTC: Bool, unit: TimeUnit)  // 8
    case integer(bitWidth: Int8, isSigned: Bool)           // 10
    /// `UNKNOWN` in parquet.thrift (`NullType`): the column holds only nulls.
    case null                                              // 11
    case json                                              // 12
    case bson                                              // 13
    case uuid                                              // 14
    case float16                                           // 15
    /// A union member this reader does not know (VARIANT, GEOMETRY, … or a future type),
    /// identified by its field id. Readers fall back to the physical type.
    case unknown(Int16)

    /// The union field id.
    public var fieldId: Int16 {
        switch self {
        case .string: 1
        case .map: 2
        case .list: 3
        case .enum: 4
        case .decimal: 5
        case .date: 6
        case .time: 7
        case .timestamp: 8
        case .integer: 10
        case .null: 11
        case .json: 12
        case .bson: 13
        case .uuid: 14
        case .float16: 15
        case .unknown(let id): id
        }
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> LogicalType {
        let saved = try r.beginStruct()
        var result: LogicalType?
        while let f = try r.readFieldHeader() {
            guard result == nil, f.type == .struct else {
                // A second member, or a member that is not a struct: skip it.
                if result == nil { result = .unknown(f.id) }
                try r.skip(f)
                continue
            }
            switch f.id {
            case 1: result = .string
            case 2: result = .map
            case 3: result = .list
            case 4: result = .enum
            case 5:
                result = try decodeDecimal(&r)
                continue
            case 6: result = .date
            case 7:
                let (utc, unit) = try decodeTime(&r, "TimeType")
                result = .time(isAdjustedToUTC: utc, unit: unit)
                continue
            case 8:
                let (utc, unit) = try decodeTime(&r, "TimestampType")
                result = .timestamp(isAdjustedToUTC: utc, unit: unit)
                continue
            case 10:
                result = try decodeInteger(&r)
                continue
            case 11: result = .null
            case 12: result = .json
            case 13: result = .bson
            case 14: result = .uuid
            case 15: result = .float16
            default: result = .unknown(f.id)
            }
            // An annotation without parameters (or an unknown one): skip its struct.
            try r.skip(.struct)
        }
        r.endStruct(saved)
        guard let result else { throw r.corrupt("LogicalType: empty union") }
        return result
    }

    private static func decodeDecimal(_ r: inout ThriftCompactReader) throws(ParquetError) -> LogicalType {
        let saved = try r.beginStruct()
        var scale: Int32?
        var precision: Int32?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): scale = try r.readI32()
            case (2, .i32): precision = try r.readI32()
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let scale else { throw r.missing("DecimalType", "scale") }
        guard let precision else { throw r.missing("DecimalType", "precision") }
        return .decimal(scale: scale, precision: precision)
    }

    private static func decodeTime(
        _ r: inout ThriftCompactReader, _ name: StaticString
    ) throws(ParquetError) -> (Bool, TimeUnit) {
        let saved = try r.beginStruct()
        var utc: Bool?
        var unit: TimeUnit?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .bool): utc = f.boolValue
            case (2, .struct): unit = try TimeUnit.decode(from: &r)
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let utc else { throw r.missing(name, "isAdjustedToUTC") }
        guard let unit else { throw r.missing(name, "unit") }
        return (utc, unit)
    }

    private static func decodeInteger(_ r: inout ThriftCompactReader) throws(ParquetError) -> LogicalType {
        let saved = try r.beginStruct()
        var bitWidth: Int8?
        var isSigned: Bool?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i8): bitWidth = try r.readI8()
            case (2, .bool): isSigned = f.boolValue
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let bitWidth else { throw r.missing("IntType", "bitWidth") }
        guard let isSigned else { throw r.missing("IntType", "isSigned") }
        return .integer(bitWidth: bitWidth, isSigned: isSigned)
    }

    /// Writes the union. An `.unknown` member is written as an empty struct under its id.
    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeFieldHeader(fieldId, .struct)
        let inner = w.beginStruct()
        switch self {
        case .decimal(let scale, let precision):
            w.writeField(1, scale)
            w.writeField(2, precision)
        case .time(let utc, let unit), .timestamp(let utc, let unit):
            w.writeField(1, utc)
            w.writeField(2, unit)
        case .integer(let bitWidth, let isSigned):
            w.writeField(1, bitWidth)
            w.writeField(2, isSigned)
        default:
            break
        }
        w.endStruct(inner)
        w.endStruct(saved)
    }
}
