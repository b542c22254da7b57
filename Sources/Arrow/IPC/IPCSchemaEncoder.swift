/// Writes a ``Schema`` as the FlatBuffers `Message { version: V5, header: Schema }` of the Arrow
/// IPC format.
///
/// Every type is checked to be representable (and decodable by ``IPCSchemaDecoder``) before it
/// is written, so `decode(encode(schema)) == schema` for every schema this accepts, empty
/// timezones aside (they decode as no timezone).
struct IPCSchemaEncoder {
    private var builder = FlatBufferBuilder()
    /// Dictionary ids, assigned in depth-first pre-order as Arrow C++ does.
    private var nextDictionaryID: Int64 = 0
    /// Names of the fields being encoded, outermost first, for error messages.
    private var path: [String] = []

    typealias Ref = FlatBufferBuilder.Ref

    /// The finished FlatBuffer of the message (without framing).
    static func encode(_ schema: Schema) throws(ArrowError) -> [UInt8] {
        var e = IPCSchemaEncoder()
        return try e.message(schema)
    }

    private func fail(_ kind: ArrowError.Kind, _ message: String) -> ArrowError {
        let at = path.isEmpty ? "" : " (in field '\(path.joined(separator: ".").escapedForMessage)')"
        return ArrowError(kind, message + at)
    }

    private mutating func message(_ schema: Schema) throws(ArrowError) -> [UInt8] {
        var fieldRefs: [Ref] = []
        fieldRefs.reserveCapacity(schema.fields.count)
        for f in schema.fields { fieldRefs.append(try field(f, depth: 0)) }
        let fields = builder.createVector(offsetsTo: fieldRefs)
        let metadata = keyValues(schema._metadata)

        builder.startTable()
        builder.add(slot: IPCFormat.SchemaSlot.endianness, always: IPCFormat.Endianness.little)
        builder.add(slot: IPCFormat.SchemaSlot.fields, offsetTo: fields)
        builder.add(slot: IPCFormat.SchemaSlot.customMetadata, offsetTo: metadata)
        let header = builder.endTable()

        builder.startTable()
        builder.add(slot: IPCFormat.MessageSlot.bodyLength, always: Int64(0))
        builder.addUnion(typeSlot: IPCFormat.MessageSlot.headerType, type: IPCFormat.MessageHeader.schema, value: header)
        builder.add(slot: IPCFormat.MessageSlot.version, always: IPCFormat.MetadataVersion.v5)
        let message = builder.endTable()
        let bytes = builder.finish(root: message)
        guard bytes.count <= Int(Int32.max) - 16 else {
            throw ArrowError(.capacityExceeded, "schema message of \(bytes.count) bytes exceeds the IPC limit of 2 GiB")
        }
        return bytes
    }

    /// A vector of `KeyValue` tables, or nil for no metadata.
    private mutating func keyValues(_ pairs: [KeyValue]) -> Ref? {
        guard !pairs.isEmpty else { return nil }
        var refs: [Ref] = []
        refs.reserveCapacity(pairs.count)
        for kv in pairs {
            let key = builder.createString(kv.key)
            let value = builder.createString(kv.value)
            builder.startTable()
            builder.add(slot: IPCFormat.KeyValueSlot.key, offsetTo: key)
            builder.add(slot: IPCFormat.KeyValueSlot.value, offsetTo: value)
            refs.append(builder.endTable())
        }
        return builder.createVector(offsetsTo: refs)
    }

    private func int32(_ value: Int, _ what: String) throws(ArrowError) -> Int32 {
        guard let v = Int32(exactly: value) else {
            throw fail(.invalidArgument, "\(what) \(value) does not fit in an int32")
        }
        return v
    }

    private mutating func field(_ f: Field, depth: Int) throws(ArrowError) -> Ref {
        path.append(f.name)
        guard depth <= ArrowIPCSchema.maximumNestingDepth else {
            throw fail(.invalidArgument, "fields nested deeper than \(ArrowIPCSchema.maximumNestingDepth) levels")
        }
        // A dictionary-encoded field is written as its value type plus a DictionaryEncoding.
        var valueType = f.type
        var dictionary: (index: DataType, ordered: Bool, id: Int64)? = nil
        if case .dictionary(let index, let value, let ordered) = f.type {
            guard index.isInteger else {
                throw fail(.invalidArgument, "dictionary index type \(index) is not an integer type")
            }
            if case .dictionary = value {
                throw fail(.unsupportedType, "a dictionary of dictionary values cannot be written as an IPC field")
            }
            valueType = value
            dictionary = (index, ordered, nextDictionaryID)
            nextDictionaryID += 1
        }
        let name = builder.createString(f.name)
        var childRefs: [Ref] = []
        for child in valueType.children { childRefs.append(try field(child, depth: depth + 1)) }
        let children = builder.createVector(offsetsTo: childRefs)
        let metadata = keyValues(f._metadata)
        let (typeID, typeTable) = try type(valueType)
        var encoding: Ref? = nil
        if let dictionary {
            let indexTable = try intTable(dictionary.index)
            builder.startTable()
            builder.add(slot: IPCFormat.DictionarySlot.id, always: dictionary.id)
            builder.add(slot: IPCFormat.DictionarySlot.indexType, offsetTo: indexTable)
            builder.add(slot: IPCFormat.DictionarySlot.isOrdered, dictionary.ordered, default: false)
            encoding = builder.endTable()
        }

        builder.startTable()
        builder.add(slot: IPCFormat.FieldSlot.name, offsetTo: name)
        builder.add(slot: IPCFormat.FieldSlot.children, offsetTo: children)
        builder.add(slot: IPCFormat.FieldSlot.customMetadata, offsetTo: metadata)
        builder.add(slot: IPCFormat.FieldSlot.dictionary, offsetTo: encoding)
        builder.addUnion(typeSlot: IPCFormat.FieldSlot.typeType, type: typeID, value: typeTable)
        builder.add(slot: IPCFormat.FieldSlot.nullable, f.nullable, default: false)
        let ref = builder.endTable()
        path.removeLast()
        return ref
    }

    /// An `Int` table for an integer type.
    private mutating func intTable(_ type: DataType) throws(ArrowError) -> Ref {
        let (bits, signed): (Int32, Bool)
        switch type {
        case .int8: (bits, signed) = (8, true)
        case .int16: (bits, signed) = (16, true)
        case .int32: (bits, signed) = (32, true)
        case .int64: (bits, signed) = (64, true)
        case .uint8: (bits, signed) = (8, false)
        case .uint16: (bits, signed) = (16, false)
        case .uint32: (bits, signed) = (32, false)
        case .uint64: (bits, signed) = (64, false)
        default: throw fail(.invalidArgument, "\(type) is not an integer type")
        }
        builder.startTable()
        builder.add(slot: IPCFormat.IntSlot.bitWidth, always: bits)
        builder.add(slot: IPCFormat.IntSlot.isSigned, signed, default: false)
        return builder.endTable()
    }

    /// A table with no fields (Null, Utf8, Binary, Bool, List, Struct_ …).
    private mutating func emptyTable() -> Ref {
        builder.startTable()
        return builder.endTable()
    }

    private mutating func unitTable(slot: Int, _ unit: Int16) -> Ref {
        builder.startTable()
        builder.add(slot: slot, always: unit)
        return builder.endTable()
    }

    /// The `Type` union value of a (non-dictionary) type: its id and table.
    private mutating func type(_ type: DataType) throws(ArrowError) -> (UInt8, Ref) {
        typealias T = IPCFormat.TypeID
        switch type {
        case .null: return (T.null, emptyTable())
        case .boolean: return (T.bool, emptyTable())
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
            return (T.int, try intTable(type))
        case .float16, .float32, .float64:
            let p: Int16 = switch type {
            case .float16: IPCFormat.Precision.half
            case .float32: IPCFormat.Precision.single
            default: IPCFormat.Precision.double
            }
            return (T.floatingPoint, unitTable(slot: IPCFormat.FloatingPointSlot.precision, p))
        case .utf8: return (T.utf8, emptyTable())
        case .largeUtf8: return (T.largeUtf8, emptyTable())
        case .binary: return (T.binary, emptyTable())
        case .largeBinary: return (T.largeBinary, emptyTable())
        case .fixedSizeBinary(let width):
            guard width > 0 else { throw fail(.invalidArgument, "fixed_size_binary width \(width) is not positive") }
            let w = try int32(width, "fixed_size_binary width")
            builder.startTable()
            builder.add(slot: IPCFormat.FixedSizeBinarySlot.byteWidth, always: w)
            return (T.fixedSizeBinary, builder.endTable())
        case .date32: return (T.date, unitTable(slot: IPCFormat.DateSlot.unit, IPCFormat.DateUnit.day))
        case .date64: return (T.date, unitTable(slot: IPCFormat.DateSlot.unit, IPCFormat.DateUnit.millisecond))
        case .time32(let unit), .time64(let unit):
            let is32: Bool
            if case .time32 = type { is32 = true } else { is32 = false }
            let valid = is32 ? (unit == .second || unit == .millisecond) : (unit == .microsecond || unit == .nanosecond)
            guard valid else { throw fail(.invalidArgument, "\(type) has a unit invalid for its bit width") }
            builder.startTable()
            builder.add(slot: IPCFormat.TimeSlot.bitWidth, always: Int32(is32 ? 32 : 64))
            builder.add(slot: IPCFormat.TimeSlot.unit, always: IPCFormat.code(unit))
            return (T.time, builder.endTable())
        case .timestamp(let unit, let timezone):
            let tz = timezone.map { builder.createString($0) }
            builder.startTable()
            builder.add(slot: IPCFormat.TimestampSlot.timezone, offsetTo: tz)
            builder.add(slot: IPCFormat.TimestampSlot.unit, always: IPCFormat.code(unit))
            return (T.timestamp, builder.endTable())
        case .duration(let unit):
            return (T.duration, unitTable(slot: IPCFormat.DurationSlot.unit, IPCFormat.code(unit)))
        case .decimal128(let precision, let scale):
            guard precision >= 1, precision <= 38 else {
                throw fail(.invalidArgument, "decimal128 precision \(precision) outside 1...38")
            }
            let s = try int32(scale, "decimal128 scale")
            builder.startTable()
            builder.add(slot: IPCFormat.DecimalSlot.precision, always: Int32(precision))
            builder.add(slot: IPCFormat.DecimalSlot.scale, always: s)
            builder.add(slot: IPCFormat.DecimalSlot.bitWidth, always: Int32(128))
            return (T.decimal, builder.endTable())
        case .list: return (T.list, emptyTable())
        case .largeList: return (T.largeList, emptyTable())
        case .fixedSizeList(_, let listSize):
            guard listSize >= 0 else { throw fail(.invalidArgument, "fixed_size_list size \(listSize) is negative") }
            let n = try int32(listSize, "fixed_size_list size")
            builder.startTable()
            builder.add(slot: IPCFormat.FixedSizeListSlot.listSize, always: n)
            return (T.fixedSizeList, builder.endTable())
        case .struct: return (T.struct_, emptyTable())
        case .map(let entries, let keysSorted):
            guard case .struct(let kv) = entries.type, kv.count == 2 else {
                throw fail(.invalidArgument, "map entries must be a struct of two fields, got \(entries.type)")
            }
            builder.startTable()
            builder.add(slot: IPCFormat.MapSlot.keysSorted, keysSorted, default: false)
            return (T.map, builder.endTable())
        case .dictionary:
            throw fail(.unsupportedType, "a dictionary type cannot be the value type of a dictionary")
        }
    }
}
