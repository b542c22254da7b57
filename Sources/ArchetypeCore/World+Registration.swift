import Arrow

extension World {
    /// Registers `name` with a component schema: the five base fields, then `components`
    /// (engine.md §2). Registering the same schema again is a no-op.
    public func registerTable(_ name: String, components: [Field]) throws(ArchetypeError) {
        try checkMutable()
        try Names.validateTableName(name)
        for f in components where BaseColumns.names.contains(f.name) {
            throw .baseColumnInComponentSchema(table: name, column: f.name)
        }
        try register(name, Schema(BaseColumns.fields + components))
    }

    /// Registers `name` with a full schema whose first five fields are the base fields.
    public func registerTable(_ name: String, fullSchema: Schema) throws(ArchetypeError) {
        try checkMutable()
        try Names.validateTableName(name)
        try Self.checkBaseColumns(name, fullSchema)
        try register(name, Schema(fullSchema.fields))
    }

    /// V3: the first five fields are exactly the base fields, and none repeats later.
    static func checkBaseColumns(_ name: String, _ schema: Schema) throws(ArchetypeError) {
        let base = BaseColumns.fields
        for (i, expected) in base.enumerated() {
            guard i < schema.fields.count else {
                throw .invalidBaseColumn(table: name, column: expected.name, detail: "missing")
            }
            let f = schema.fields[i]
            guard f.name == expected.name else {
                throw .invalidBaseColumn(table: name, column: expected.name, detail: "field \(i) is \(f.name)")
            }
            guard f.type == expected.type, !f.nullable else {
                throw .invalidBaseColumn(table: name, column: expected.name, detail: "must be \(expected.type) not null, got \(f.type)\(f.nullable ? " nullable" : "")")
            }
        }
        for f in schema.fields.dropFirst(base.count) where BaseColumns.names.contains(f.name) {
            throw .invalidBaseColumn(table: name, column: f.name, detail: "repeated after the base fields")
        }
    }

    func register(_ name: String, _ schema: Schema) throws(ArchetypeError) {
        // V1, V4, V5.
        var seen = Set<String>()
        for f in schema.fields {
            guard seen.insert(f.name).inserted else { throw .duplicateColumn(table: name, column: f.name) }
        }
        for f in schema.fields.dropFirst(BaseColumns.fields.count) {
            let parts = f.name.split(separator: "__", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw .invalidColumnName(table: name, column: f.name) }
            guard Self.isCoreType(f.type) else { throw .unsupportedType(table: name, column: f.name, type: "\(f.type)") }
        }
        // V7.
        if let existing = tables[name] {
            guard existing.schema.equalsIgnoringMetadata(schema) else {
                throw .schemaMismatch(table: name, detail: "registered with another schema")
            }
            return
        }
        // V8.
        let stored: Schema?
        do { stored = try store.tableSchema(name) } catch { throw .storeRead(table: name, cause: error) }
        if let stored, !stored.equalsIgnoringMetadata(schema) {
            throw .schemaMismatch(table: name, detail: "the store holds parts of this table with another schema")
        }
        tables[name] = TableState(name: name, schema: schema, live: try? RecordBatch.empty(schema))
    }

    /// The core type set (engine.md §1.2), recursively.
    public static func isCoreType(_ type: DataType) -> Bool {
        switch type {
        case .boolean, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float32, .float64,
             .utf8, .binary, .date32:
            return true
        case .timestamp(let unit, _):
            return unit == .microsecond
        case .list(let item):
            return isCoreType(item.type)
        case .struct(let fields):
            return !fields.isEmpty && fields.allSatisfy { isCoreType($0.type) }
        default:
            return false
        }
    }
}
