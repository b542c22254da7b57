import Arrow

/// How the writer stores one Arrow leaf: its physical type, annotations and value conversion
/// (store.md §9.2).
struct LeafWritePlan: Sendable {
    var physicalType: PhysicalType
    var typeLength: Int = 0
    var logicalType: LogicalType? = nil
    var convertedType: ConvertedType? = nil
    var scale: Int32? = nil
    var precision: Int32? = nil
    var conversion: WriteConversion = .identity
    /// Statistics compare unsigned (INT(…, unsigned)).
    var unsignedOrder = false

    /// The arrays of this leaf's Arrow type that need a conversion before encoding.
    enum WriteConversion: Sendable, Equatable {
        /// The Arrow values are the physical values.
        case identity
        /// 1- or 2-byte integers widened to INT32 (sign- or zero-extended).
        case widenToInt32(fromWidth: Int, signed: Bool)
        /// Multiply (INT32 time32[s] → TIME(MILLIS); INT64 timestamp[s] → TIMESTAMP(MILLIS)).
        case multiply(Int64)
        /// date64 milliseconds → DATE days (INT32), flooring.
        case date64ToDays
        /// decimal128 → big-endian FIXED_LEN_BYTE_ARRAY of `typeLength` bytes.
        case decimalToBigEndian
        /// The null type: no values.
        case null
    }
}

/// Arrow schema → Parquet schema elements.
enum ParquetSchemaWriter {
    /// The schema elements (root first, depth-first), and the write plan of each leaf in order.
    static func elements(for schema: Schema) throws(ParquetError) -> ([SchemaElement], [LeafWritePlan]) {
        var elements = [SchemaElement(name: "schema", numChildren: Int32(schema.fields.count))]
        var plans: [LeafWritePlan] = []
        for f in schema.fields {
            try append(f, repetition: f.nullable ? .optional : .required, into: &elements, plans: &plans, depth: 1)
        }
        return (elements, plans)
    }

    static func append(_ field: Field, repetition: Repetition, into elements: inout [SchemaElement], plans: inout [LeafWritePlan], depth: Int) throws(ParquetError) {
        guard depth <= ParquetSchema.maximumDepth else { throw .schema(file: "", detail: "field '\(field.name)' is nested too deeply") }
        switch field.type {
        case .struct(let children):
            guard !children.isEmpty else { throw .schema(file: "", detail: "struct '\(field.name)' has no fields; Parquet cannot store an empty group") }
            elements.append(SchemaElement(name: field.name, repetitionType: repetition, numChildren: Int32(children.count)))
            for c in children {
                try append(c, repetition: c.nullable ? .optional : .required, into: &elements, plans: &plans, depth: depth + 1)
            }
        case .list(let item), .largeList(let item), .fixedSizeList(let item, _):
            elements.append(SchemaElement(name: field.name, repetitionType: repetition, numChildren: 1, convertedType: .list, logicalType: .list))
            elements.append(SchemaElement(name: "list", repetitionType: .repeated, numChildren: 1))
            try append(item.with(name: "element"), repetition: item.nullable ? .optional : .required, into: &elements, plans: &plans, depth: depth + 2)
        case .map(let entries, _):
            guard case .struct(let kv) = entries.type, kv.count == 2 else {
                throw .schema(file: "", detail: "map '\(field.name)' must have key and value fields")
            }
            guard !kv[0].nullable else { throw .schema(file: "", detail: "map '\(field.name)' has nullable keys") }
            elements.append(SchemaElement(name: field.name, repetitionType: repetition, numChildren: 1, convertedType: .map, logicalType: .map))
            elements.append(SchemaElement(name: "key_value", repetitionType: .repeated, numChildren: 2))
            try append(kv[0].with(name: "key"), repetition: .required, into: &elements, plans: &plans, depth: depth + 2)
            try append(kv[1].with(name: "value"), repetition: kv[1].nullable ? .optional : .required, into: &elements, plans: &plans, depth: depth + 2)
        case .dictionary(_, let value, _):
            // Stored as its values (the dictionary is a Parquet-level encoding).
            try append(field.with(type: value), repetition: repetition, into: &elements, plans: &plans, depth: depth)
        default:
            let plan = try leafPlan(field)
            var e = SchemaElement(name: field.name, type: plan.physicalType, repetitionType: repetition,
                                  convertedType: plan.convertedType, scale: plan.scale, precision: plan.precision,
                                  logicalType: plan.logicalType)
            if plan.physicalType == .fixedLenByteArray { e.typeLength = Int32(plan.typeLength) }
            elements.append(e)
            plans.append(plan)
        }
    }

    /// The bytes a decimal of `precision` digits needs (two's complement).
    static func decimalBytes(precision: Int) -> Int {
        var bytes = 1
        // 10^precision - 1 must fit in 8*bytes - 1 bits.
        while bytes < 16 && Double(8 * bytes - 1) * 0.301_029_995_663_981_2 < Double(precision) { bytes += 1 }
        return bytes
    }

    static func leafPlan(_ field: Field) throws(ParquetError) -> LeafWritePlan {
        func integer(_ bits: Int8, _ signed: Bool, _ converted: ConvertedType?) -> (LogicalType, ConvertedType?) {
            (.integer(bitWidth: bits, isSigned: signed), converted)
        }
        switch field.type {
        case .null:
            return LeafWritePlan(physicalType: .int32, logicalType: .null, conversion: .null)
        case .boolean:
            return LeafWritePlan(physicalType: .boolean)
        case .int8:
            return LeafWritePlan(physicalType: .int32, logicalType: .integer(bitWidth: 8, isSigned: true), convertedType: .int8, conversion: .widenToInt32(fromWidth: 1, signed: true))
        case .int16:
            return LeafWritePlan(physicalType: .int32, logicalType: .integer(bitWidth: 16, isSigned: true), convertedType: .int16, conversion: .widenToInt32(fromWidth: 2, signed: true))
        case .int32:
            return LeafWritePlan(physicalType: .int32)
        case .int64:
            return LeafWritePlan(physicalType: .int64)
        case .uint8:
            return LeafWritePlan(physicalType: .int32, logicalType: .integer(bitWidth: 8, isSigned: false), convertedType: .uint8, conversion: .widenToInt32(fromWidth: 1, signed: false), unsignedOrder: true)
        case .uint16:
            return LeafWritePlan(physicalType: .int32, logicalType: .integer(bitWidth: 16, isSigned: false), convertedType: .uint16, conversion: .widenToInt32(fromWidth: 2, signed: false), unsignedOrder: true)
        case .uint32:
            return LeafWritePlan(physicalType: .int32, logicalType: .integer(bitWidth: 32, isSigned: false), convertedType: .uint32, unsignedOrder: true)
        case .uint64:
            return LeafWritePlan(physicalType: .int64, logicalType: .integer(bitWidth: 64, isSigned: false), convertedType: .uint64, unsignedOrder: true)
        case .float16:
            return LeafWritePlan(physicalType: .fixedLenByteArray, typeLength: 2, logicalType: .float16)
        case .float32:
            return LeafWritePlan(physicalType: .float)
        case .float64:
            return LeafWritePlan(physicalType: .double)
        case .utf8, .largeUtf8:
            return LeafWritePlan(physicalType: .byteArray, logicalType: .string, convertedType: .utf8)
        case .binary, .largeBinary:
            return LeafWritePlan(physicalType: .byteArray)
        case .fixedSizeBinary(let w):
            return LeafWritePlan(physicalType: .fixedLenByteArray, typeLength: w)
        case .date32:
            return LeafWritePlan(physicalType: .int32, logicalType: .date, convertedType: .date)
        case .date64:
            return LeafWritePlan(physicalType: .int32, logicalType: .date, convertedType: .date, conversion: .date64ToDays)
        case .time32(let u):
            // Arrow times are local (not UTC-adjusted), as pyarrow writes them; the converted
            // TIME_* types mean UTC-adjusted, so none is written.
            return LeafWritePlan(physicalType: .int32, logicalType: .time(isAdjustedToUTC: false, unit: .millis),
                                 conversion: u == .second ? .multiply(1000) : .identity)
        case .time64(let u):
            return LeafWritePlan(physicalType: .int64, logicalType: .time(isAdjustedToUTC: false, unit: u == .nanosecond ? .nanos : .micros))
        case .timestamp(let u, let tz):
            let utc = tz != nil
            let unit: LogicalType.TimeUnit
            var conversion = LeafWritePlan.WriteConversion.identity
            switch u {
            case .second: unit = .millis; conversion = .multiply(1000)
            case .millisecond: unit = .millis
            case .microsecond: unit = .micros
            case .nanosecond: unit = .nanos
            }
            var converted: ConvertedType? = nil
            if utc { converted = unit == .millis ? .timestampMillis : (unit == .micros ? .timestampMicros : nil) }
            return LeafWritePlan(physicalType: .int64, logicalType: .timestamp(isAdjustedToUTC: utc, unit: unit), convertedType: converted, conversion: conversion)
        case .duration:
            return LeafWritePlan(physicalType: .int64)
        case .decimal128(let p, let s):
            return LeafWritePlan(physicalType: .fixedLenByteArray, typeLength: decimalBytes(precision: p),
                                 logicalType: .decimal(scale: Int32(s), precision: Int32(p)), convertedType: .decimal,
                                 scale: Int32(s), precision: Int32(p), conversion: .decimalToBigEndian)
        default:
            throw .schema(file: "", detail: "field '\(field.name)' of type \(field.type) cannot be stored in Parquet")
        }
    }
}
