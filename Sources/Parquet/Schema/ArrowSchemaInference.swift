import Arrow

/// The Arrow schema of a Parquet file (store.md §11.3): inferred from the Parquet schema, then
/// replaced field by field by the `ARROW:schema` hint when the hint is decodable and consistent
/// with the Parquet leaves. A malformed or inconsistent hint is never an error: the inferred
/// schema is used.
enum ArrowSchemaInference {
    /// The Arrow field of each top-level node, in order, and whether they come from the hint.
    static func fields(_ schema: ParquetSchema, hint: Schema?) throws(ParquetError) -> (fields: [Field], fromHint: Bool) {
        var inferred: [Field] = []
        for child in schema.root.children {
            inferred.append(try infer(child, depth: 1))
        }
        guard let hint, hint.fields.count == inferred.count else { return (inferred, false) }
        var reconciled: [Field] = []
        for ((node, field), h) in zip(zip(schema.root.children, inferred), hint.fields) {
            guard let r = reconcile(hint: h, inferred: field, node: node, columns: schema.columns) else { return (inferred, false) }
            reconciled.append(r)
        }
        return (reconciled, true)
    }

    // MARK: Inference

    static func isList(_ e: SchemaElement) -> Bool {
        if case .list = e.logicalType { return true }
        return e.logicalType == nil && e.convertedType == .list
    }

    static func isMap(_ e: SchemaElement) -> Bool {
        if case .map = e.logicalType { return true }
        return e.logicalType == nil && (e.convertedType == .map || e.convertedType == .mapKeyValue)
    }

    /// The Arrow field of `node`.
    static func infer(_ node: ParquetSchema.Node, depth: Int) throws(ParquetError) -> Field {
        var field = try inferWithoutId(node, depth: depth)
        // As pyarrow does: a Parquet field id becomes the field's `PARQUET:field_id` metadata.
        if let id = node.element.fieldId { field.metadata.append(("PARQUET:field_id", String(id))) }
        return field
    }

    static func inferWithoutId(_ node: ParquetSchema.Node, depth: Int) throws(ParquetError) -> Field {
        guard depth <= ParquetSchema.maximumDepth else { throw .corrupt("schema nested too deeply") }
        if node.repetition == .repeated {
            // A bare repeated field outside a LIST group: a list of required elements.
            let element = try inferNonRepeated(node, depth: depth, nullable: false)
            return Field(node.name, .list(element), nullable: false)
        }
        return try inferNonRepeated(node, depth: depth, nullable: node.repetition == .optional)
    }

    static func inferNonRepeated(_ node: ParquetSchema.Node, depth: Int, nullable: Bool) throws(ParquetError) -> Field {
        let e = node.element
        if node.isLeaf {
            return Field(e.name, try leafType(e, column: e.name), nullable: nullable)
        }
        if isList(e) {
            guard node.children.count == 1, node.children[0].repetition == .repeated else {
                throw .unsupported("LIST group '\(e.name)' without a single repeated child")
            }
            let rep = node.children[0]
            let item: Field
            if rep.isLeaf {
                // Legacy 2-level list of primitives.
                item = Field(rep.name, try leafType(rep.element, column: rep.name), nullable: false)
            } else if rep.children.count != 1 || rep.name == "array" || rep.name == e.name + "_tuple" {
                // Legacy 2-level list whose repeated group is the element.
                item = try inferNonRepeated(rep, depth: depth + 1, nullable: false)
            } else {
                // Standard 3-level list: the repeated group holds the element.
                let element = rep.children[0]
                guard element.repetition != .repeated else {
                    throw .unsupported("LIST group '\(e.name)' whose element is repeated")
                }
                item = try inferNonRepeated(element, depth: depth + 2, nullable: element.repetition == .optional)
            }
            return Field(e.name, .list(item), nullable: nullable)
        }
        if isMap(e) {
            guard node.children.count == 1, node.children[0].repetition == .repeated, !node.children[0].isLeaf,
                  (1...2).contains(node.children[0].children.count) else {
                throw .unsupported("MAP group '\(e.name)' without a repeated key_value group of one or two fields")
            }
            let kv = node.children[0]
            guard kv.children[0].repetition == .required else {
                throw .schema(file: "", detail: "map '\(e.name)': keys must be annotated as required")
            }
            let key = try infer(kv.children[0], depth: depth + 2)
            guard kv.children.count == 2 else {
                // A map without values reads as a list of its keys (as pyarrow does).
                return Field(e.name, .list(key), nullable: nullable)
            }
            let value = try infer(kv.children[1], depth: depth + 2)
            // The entries struct takes the map's name, as pyarrow's reader does.
            let entries = Field(e.name, .struct([key, value]), nullable: false)
            return Field(e.name, .map(entries, keysSorted: false), nullable: nullable)
        }
        guard !node.children.isEmpty else { throw .unsupported("empty group '\(e.name)'") }
        var children: [Field] = []
        for child in node.children { children.append(try infer(child, depth: depth + 1)) }
        return Field(e.name, .struct(children), nullable: nullable)
    }

    /// The Arrow type of a leaf from its physical type and annotations (logical type first,
    /// converted type when there is none).
    static func leafType(_ e: SchemaElement, column: String) throws(ParquetError) -> DataType {
        guard let physical = e.type else { throw .corrupt("leaf '\(column)' has no type") }
        func unsupported(_ what: String) -> ParquetError { .unsupported("\(what) (column \(column))") }
        func decimal(_ p: Int32, _ s: Int32) throws(ParquetError) -> DataType {
            guard p >= 1, p <= 38, s >= 0, s <= p else { throw unsupported("DECIMAL(\(p), \(s))") }
            return .decimal128(precision: Int(p), scale: Int(s))
        }
        func unit(_ u: LogicalType.TimeUnit) -> Arrow.TimeUnit {
            switch u {
            case .millis: .millisecond
            case .micros: .microsecond
            case .nanos: .nanosecond
            }
        }
        switch e.logicalType {
        case .decimal(let scale, let precision)?:
            guard physical != .boolean, physical != .float, physical != .double, physical != .int96 else {
                throw .corrupt("DECIMAL annotation on \(physical) column \(column)")
            }
            return try decimal(precision, scale)
        case .null?:
            return .null
        case .string?, .enum?, .json?:
            guard physical == .byteArray else { throw .corrupt("string annotation on \(physical) column \(column)") }
            return .utf8
        case .bson?:
            return physical == .byteArray ? .binary : try plain(physical, e, column)
        case .date?:
            guard physical == .int32 else { throw .corrupt("DATE annotation on \(physical) column \(column)") }
            return .date32
        case .time(_, let u)?:
            switch (physical, u) {
            case (.int32, .millis): return .time32(.millisecond)
            case (.int64, .micros): return .time64(.microsecond)
            case (.int64, .nanos): return .time64(.nanosecond)
            default: throw .corrupt("TIME(\(u)) annotation on \(physical) column \(column)")
            }
        case .timestamp(let utc, let u)?:
            guard physical == .int64 else { throw .corrupt("TIMESTAMP annotation on \(physical) column \(column)") }
            return .timestamp(unit(u), timezone: utc ? "UTC" : nil)
        case .integer(let bits, let signed)?:
            switch (physical, bits, signed) {
            case (.int32, 8, true): return .int8
            case (.int32, 16, true): return .int16
            case (.int32, 32, true): return .int32
            case (.int32, 8, false): return .uint8
            case (.int32, 16, false): return .uint16
            case (.int32, 32, false): return .uint32
            case (.int64, 64, true): return .int64
            case (.int64, 64, false): return .uint64
            default: throw .corrupt("INTEGER(\(bits), \(signed)) annotation on \(physical) column \(column)")
            }
        case .uuid?:
            guard physical == .fixedLenByteArray, e.typeLength == 16 else { throw .corrupt("UUID annotation on \(physical) column \(column)") }
            return .fixedSizeBinary(byteWidth: 16)
        case .float16?:
            guard physical == .fixedLenByteArray, e.typeLength == 2 else { throw .corrupt("FLOAT16 annotation on \(physical) column \(column)") }
            return .float16
        case .list?, .map?:
            throw .corrupt("\(e.logicalType!) annotation on leaf column \(column)")
        case .unknown?, nil:
            // An unknown logical type falls back to the converted and physical types.
            break
        }
        switch e.convertedType {
        case .utf8?, .enum?, .json?:
            guard physical == .byteArray else { throw .corrupt("UTF8 annotation on \(physical) column \(column)") }
            return .utf8
        case .bson?: return .binary
        case .decimal?:
            guard let p = e.precision else { throw .corrupt("DECIMAL column \(column) without precision") }
            return try decimal(p, e.scale ?? 0)
        case .date?: return .date32
        case .timeMillis?: return .time32(.millisecond)
        case .timeMicros?: return .time64(.microsecond)
        case .timestampMillis?: return .timestamp(.millisecond, timezone: "UTC")
        case .timestampMicros?: return .timestamp(.microsecond, timezone: "UTC")
        case .uint8?: return .uint8
        case .uint16?: return .uint16
        case .uint32?: return .uint32
        case .uint64?: return .uint64
        case .int8?: return .int8
        case .int16?: return .int16
        case .int32?: return .int32
        case .int64?: return .int64
        case .interval?: throw unsupported("INTERVAL")
        case .list?, .map?, .mapKeyValue?: throw .corrupt("nested annotation on leaf column \(column)")
        case nil: break
        }
        return try plain(physical, e, column)
    }

    static func plain(_ physical: PhysicalType, _ e: SchemaElement, _ column: String) throws(ParquetError) -> DataType {
        switch physical {
        case .boolean: return .boolean
        case .int32: return .int32
        case .int64: return .int64
        case .int96: return .timestamp(.nanosecond, timezone: nil)
        case .float: return .float32
        case .double: return .float64
        case .byteArray: return .binary
        case .fixedLenByteArray:
            guard let l = e.typeLength, l > 0 else { throw .corrupt("FIXED_LEN_BYTE_ARRAY column \(column) without type_length") }
            return .fixedSizeBinary(byteWidth: Int(l))
        }
    }

    // MARK: The ARROW:schema hint

    /// The hint's field, with the Parquet nullability, when its shape matches the Parquet
    /// node and every leaf converts; nil otherwise.
    static func reconcile(hint: Field, inferred: Field, node: ParquetSchema.Node, columns: [ColumnDescriptor]) -> Field? {
        guard hint.name == inferred.name else { return nil }
        var leaf = node.leaves.lowerBound
        guard let type = reconcileType(hint.type, inferred.type, columns: columns, leaf: &leaf, depth: 1),
              leaf == node.leaves.upperBound else { return nil }
        var f = hint
        f.type = type
        f.nullable = inferred.nullable
        return f
    }

    static func reconcileType(_ hint: DataType, _ inferred: DataType, columns: [ColumnDescriptor], leaf: inout Int, depth: Int) -> DataType? {
        guard depth <= ParquetSchema.maximumDepth else { return nil }
        func child(_ h: Field, _ i: Field) -> Field? {
            guard let t = reconcileType(h.type, i.type, columns: columns, leaf: &leaf, depth: depth + 1) else { return nil }
            var f = h
            f.type = t
            f.nullable = i.nullable
            return f
        }
        switch (hint, inferred) {
        case (.dictionary(_, let value, _), _):
            // Dictionaries are read as their values.
            return reconcileType(value, inferred, columns: columns, leaf: &leaf, depth: depth)
        case (.struct(let hs), .struct(let fs)):
            guard hs.count == fs.count else { return nil }
            var out: [Field] = []
            for (h, f) in zip(hs, fs) {
                guard h.name == f.name, let c = child(h, f) else { return nil }
                out.append(c)
            }
            return .struct(out)
        case (.list(let h), .list(let i)):
            return child(h, i).map { .list($0) }
        case (.largeList(let h), .list(let i)):
            return child(h, i).map { .largeList($0) }
        case (.fixedSizeList(let h, let n), .list(let i)):
            return child(h, i).map { .fixedSizeList($0, listSize: n) }
        case (.map(let h, let sorted), .map(let i, _)):
            return child(h, i).map { .map($0, keysSorted: sorted) }
        case (.struct, _), (.list, _), (.largeList, _), (.fixedSizeList, _), (.map, _):
            return nil
        default:
            switch inferred {
            case .struct, .list, .largeList, .fixedSizeList, .map: return nil
            default: break
            }
            guard leaf < columns.count else { return nil }
            let column = columns[leaf]
            leaf += 1
            return LeafConversion.plan(column, target: hint) == nil ? nil : hint
        }
    }
}
