/// Reads the FlatBuffers `Message` of a schema into a ``Schema``, verifying every object through
/// ``FlatBufferReader`` and every value against the Arrow format's rules (bit widths, units,
/// child counts). Types outside ``DataType`` are `.unsupportedType` errors that name the type;
/// malformed metadata is `.invalidData`. Errors name the field path where they occurred.
struct IPCSchemaDecoder {
    private let reader: FlatBufferReader
    /// Names of the fields being decoded, outermost first. Not popped on failure, so an error
    /// caught at the top still knows where it happened.
    private var path: [String] = []

    typealias Table = FlatBufferReader.Table

    init(_ flatbuffer: [UInt8]) throws(ArrowError) {
        reader = try FlatBufferReader(flatbuffer, maxDepth: IPCFormat.maximumTableDepth)
    }

    /// Decodes a FlatBuffer whose root is a `Message` holding a `Schema`.
    static func decode(_ flatbuffer: [UInt8]) throws(ArrowError) -> Schema {
        var d = try IPCSchemaDecoder(flatbuffer)
        do {
            return try d.message()
        } catch {
            guard !d.path.isEmpty else { throw error }
            let at = d.path.joined(separator: ".").escapedForMessage
            throw ArrowError(error.kind, "\(error.message) (in field '\(at)')")
        }
    }

    private func invalid(_ message: String) -> ArrowError { ArrowError(.invalidData, message) }
    private func unsupported(_ type: String) -> ArrowError {
        ArrowError(.unsupportedType, "unsupported Arrow type \(type)")
    }

    private mutating func message() throws(ArrowError) -> Schema {
        let message = try reader.root()
        let version = try reader.i16(message, IPCFormat.MessageSlot.version, default: 0)
        guard version == IPCFormat.MetadataVersion.v4 || version == IPCFormat.MetadataVersion.v5 else {
            throw ArrowError(.unsupportedType, "unsupported IPC metadata version V\(Int(version) + 1) (V4 and V5 are read)")
        }
        let header = try reader.union(message, typeSlot: IPCFormat.MessageSlot.headerType)
        guard header.type == IPCFormat.MessageHeader.schema, let schema = header.value else {
            throw invalid("IPC message holds a \(IPCFormat.MessageHeader.name(header.type)), not a Schema")
        }
        let endianness = try reader.i16(schema, IPCFormat.SchemaSlot.endianness, default: IPCFormat.Endianness.little)
        guard endianness == IPCFormat.Endianness.little else {
            if endianness == IPCFormat.Endianness.big {
                throw ArrowError(.unsupportedType, "big-endian IPC schemas are not supported")
            }
            throw invalid("IPC schema endianness \(endianness) is neither Little nor Big")
        }
        var fields: [Field] = []
        if let vector = try reader.vector(schema, IPCFormat.SchemaSlot.fields, elementSize: 4) {
            fields.reserveCapacity(vector.count)
            for i in 0..<vector.count {
                fields.append(try field(try reader.table(in: vector, i), depth: 0))
            }
        }
        let metadata = try keyValues(schema, IPCFormat.SchemaSlot.customMetadata)
        return Schema(fields, metadata: metadata)
    }

    private func keyValues(_ table: Table, _ slot: Int) throws(ArrowError) -> [(String, String)] {
        guard let vector = try reader.vector(table, slot, elementSize: 4) else { return [] }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(vector.count)
        for i in 0..<vector.count {
            let kv = try reader.table(in: vector, i)
            let key = try reader.string(kv, IPCFormat.KeyValueSlot.key) ?? ""
            let value = try reader.string(kv, IPCFormat.KeyValueSlot.value) ?? ""
            pairs.append((key, value))
        }
        return pairs
    }

    private mutating func field(_ table: Table, depth: Int) throws(ArrowError) -> Field {
        let name = try reader.string(table, IPCFormat.FieldSlot.name) ?? ""
        path.append(name)
        guard depth <= ArrowIPCSchema.maximumNestingDepth else {
            throw invalid("fields nested deeper than \(ArrowIPCSchema.maximumNestingDepth) levels")
        }
        let nullable = try reader.bool(table, IPCFormat.FieldSlot.nullable, default: false)
        let typeUnion = try reader.union(table, typeSlot: IPCFormat.FieldSlot.typeType)
        var children: [Field] = []
        if let vector = try reader.vector(table, IPCFormat.FieldSlot.children, elementSize: 4) {
            children.reserveCapacity(vector.count)
            for i in 0..<vector.count {
                children.append(try field(try reader.table(in: vector, i), depth: depth + 1))
            }
        }
        let metadata = try keyValues(table, IPCFormat.FieldSlot.customMetadata)
        guard let typeTable = typeUnion.value else { throw invalid("field has no type") }
        var type = try self.type(typeUnion.type, typeTable, children: children)
        if let encoding = try reader.table(table, IPCFormat.FieldSlot.dictionary) {
            let kind = try reader.i16(encoding, IPCFormat.DictionarySlot.dictionaryKind, default: 0)
            guard kind == 0 else { throw ArrowError(.unsupportedType, "unsupported dictionary kind \(kind)") }
            var index = DataType.int32
            if let indexTable = try reader.table(encoding, IPCFormat.DictionarySlot.indexType) {
                index = try int(indexTable)
            }
            _ = try reader.i64(encoding, IPCFormat.DictionarySlot.id, default: 0)
            let ordered = try reader.bool(encoding, IPCFormat.DictionarySlot.isOrdered, default: false)
            type = .dictionary(index: index, value: type, ordered: ordered)
        }
        path.removeLast()
        return Field(name, type, nullable: nullable, metadata: metadata)
    }

    private func int(_ table: Table) throws(ArrowError) -> DataType {
        let bits = try reader.i32(table, IPCFormat.IntSlot.bitWidth, default: 0)
        let signed = try reader.bool(table, IPCFormat.IntSlot.isSigned, default: false)
        switch (bits, signed) {
        case (8, true): return .int8
        case (16, true): return .int16
        case (32, true): return .int32
        case (64, true): return .int64
        case (8, false): return .uint8
        case (16, false): return .uint16
        case (32, false): return .uint32
        case (64, false): return .uint64
        default: throw invalid("integer bit width \(bits) is not 8, 16, 32 or 64")
        }
    }

    private func unit(_ code: Int16, _ what: String) throws(ArrowError) -> TimeUnit {
        guard let u = IPCFormat.timeUnit(code) else { throw invalid("\(what) time unit \(code) is not 0...3") }
        return u
    }

    /// The type of a field from its `Type` union and its already decoded children.
    private func type(_ id: UInt8, _ t: Table, children: [Field]) throws(ArrowError) -> DataType {
        typealias T = IPCFormat.TypeID
        func leaf(_ type: DataType) throws(ArrowError) -> DataType {
            guard children.isEmpty else { throw invalid("\(type) field has \(children.count) children, expected none") }
            return type
        }
        func one(_ what: String) throws(ArrowError) -> Field {
            guard children.count == 1, let child = children.first else {
                throw invalid("\(what) field has \(children.count) children, expected 1")
            }
            return child
        }
        switch id {
        case T.none:
            throw invalid("field has no type")
        case T.null: return try leaf(.null)
        case T.bool: return try leaf(.boolean)
        case T.int: return try leaf(try int(t))
        case T.floatingPoint:
            let precision = try reader.i16(t, IPCFormat.FloatingPointSlot.precision, default: 0)
            switch precision {
            case IPCFormat.Precision.half: return try leaf(.float16)
            case IPCFormat.Precision.single: return try leaf(.float32)
            case IPCFormat.Precision.double: return try leaf(.float64)
            default: throw invalid("floating point precision \(precision) is not HALF, SINGLE or DOUBLE")
            }
        case T.binary: return try leaf(.binary)
        case T.utf8: return try leaf(.utf8)
        case T.largeBinary: return try leaf(.largeBinary)
        case T.largeUtf8: return try leaf(.largeUtf8)
        case T.decimal:
            let precision = try reader.i32(t, IPCFormat.DecimalSlot.precision, default: 0)
            let scale = try reader.i32(t, IPCFormat.DecimalSlot.scale, default: 0)
            let bits = try reader.i32(t, IPCFormat.DecimalSlot.bitWidth, default: 128)
            switch bits {
            case 128: break
            case 32, 64, 256: throw unsupported("decimal\(bits)(\(precision), \(scale))")
            default: throw invalid("decimal bit width \(bits) is not 32, 64, 128 or 256")
            }
            guard precision >= 1, precision <= 38 else {
                throw invalid("decimal128 precision \(precision) outside 1...38")
            }
            return try leaf(.decimal128(precision: Int(precision), scale: Int(scale)))
        case T.date:
            let unit = try reader.i16(t, IPCFormat.DateSlot.unit, default: IPCFormat.DateUnit.millisecond)
            switch unit {
            case IPCFormat.DateUnit.day: return try leaf(.date32)
            case IPCFormat.DateUnit.millisecond: return try leaf(.date64)
            default: throw invalid("date unit \(unit) is not DAY or MILLISECOND")
            }
        case T.time:
            let u = try self.unit(try reader.i16(t, IPCFormat.TimeSlot.unit, default: 1), "time")
            let bits = try reader.i32(t, IPCFormat.TimeSlot.bitWidth, default: 32)
            switch (u, bits) {
            case (.second, 32), (.millisecond, 32): return try leaf(.time32(u))
            case (.microsecond, 64), (.nanosecond, 64): return try leaf(.time64(u))
            default: throw invalid("time of bit width \(bits) cannot have unit \(u)")
            }
        case T.timestamp:
            let u = try self.unit(try reader.i16(t, IPCFormat.TimestampSlot.unit, default: 0), "timestamp")
            let tz = try reader.string(t, IPCFormat.TimestampSlot.timezone)
            return try leaf(.timestamp(u, timezone: tz?.isEmpty == false ? tz : nil))
        case T.duration:
            let u = try self.unit(try reader.i16(t, IPCFormat.DurationSlot.unit, default: 1), "duration")
            return try leaf(.duration(u))
        case T.fixedSizeBinary:
            let width = try reader.i32(t, IPCFormat.FixedSizeBinarySlot.byteWidth, default: 0)
            guard width > 0 else { throw invalid("fixed_size_binary width \(width) is not positive") }
            return try leaf(.fixedSizeBinary(byteWidth: Int(width)))
        case T.list: return .list(try one("list"))
        case T.largeList: return .largeList(try one("large_list"))
        case T.fixedSizeList:
            let size = try reader.i32(t, IPCFormat.FixedSizeListSlot.listSize, default: 0)
            guard size >= 0 else { throw invalid("fixed_size_list size \(size) is negative") }
            return .fixedSizeList(try one("fixed_size_list"), listSize: Int(size))
        case T.struct_: return .struct(children)
        case T.map:
            let entries = try one("map")
            guard case .struct(let kv) = entries.type, kv.count == 2 else {
                throw invalid("map entries must be a struct of two fields, got \(entries.type)")
            }
            return .map(entries, keysSorted: try reader.bool(t, IPCFormat.MapSlot.keysSorted, default: false))
        case T.interval:
            let unit = try reader.i16(t, IPCFormat.IntervalSlot.unit, default: 0)
            let name = switch unit {
            case 0: "month_interval"
            case 1: "day_time_interval"
            case 2: "month_day_nano_interval"
            default: "interval (unit \(unit))"
            }
            throw unsupported(name)
        case T.union:
            let mode = try reader.i16(t, IPCFormat.UnionSlot.mode, default: 0)
            throw unsupported(mode == 1 ? "dense_union" : "sparse_union")
        case T.runEndEncoded: throw unsupported("run_end_encoded")
        case T.binaryView: throw unsupported("binary_view")
        case T.utf8View: throw unsupported("string_view")
        case T.listView: throw unsupported("list_view")
        case T.largeListView: throw unsupported("large_list_view")
        default:
            throw ArrowError(.unsupportedType, "unknown Arrow type id \(id)")
        }
    }
}
