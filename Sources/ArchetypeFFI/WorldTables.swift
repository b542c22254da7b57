import ArchetypeCore
import Arrow
import CArrowABI

@c @implementation
public func arct_world_register_table(
    _ world: OpaquePointer?, _ table: UnsafePointer<CChar>?, _ schema: UnsafeMutablePointer<ArrowSchema>?, _ flags: UInt32
) -> Int32 {
    let function = "arct_world_register_table"
    let input = MovedSchema(schema)
    return ffiCall(function) { () throws(FFIError) in
        guard let table, let input else { throw FFIError(ARCT_ERR_NULL_POINTER, "table and schema are required") }
        try WorldRegistry.with(function, world) { (h, scope) throws(FFIError) in
            let name = try CArgument.string(table, "table")
            guard flags == ARCT_REGISTER_COMPONENT_SCHEMA || flags == ARCT_REGISTER_FULL_SCHEMA else {
                throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "flags \(flags) is neither ARCT_REGISTER_COMPONENT_SCHEMA nor ARCT_REGISTER_FULL_SCHEMA")
            }
            try h.checkMutable()
            try CArgument.checkTableName(name)
            scope.table = name
            let s = try input.importSchema()
            do {
                if flags == ARCT_REGISTER_FULL_SCHEMA {
                    try h.world.registerTable(name, fullSchema: Schema(s.fields))
                } else {
                    try h.world.registerTable(name, components: s.fields)
                }
            } catch { throw FFIError(error) }
        }
    }
}

/// The inspection batches of c-abi.md §8.2, exported on success only.
enum WorldExports {
    static func export(_ batch: () throws(ArrowError) -> RecordBatch,
                       _ array: UnsafeMutablePointer<ArrowArray>, _ schema: UnsafeMutablePointer<ArrowSchema>) throws(FFIError) {
        let b: RecordBatch
        do { b = try batch() } catch { throw FFIError(ARCT_ERR_INTERNAL, "internal error: \(error.message)") }
        CDataInterface.exportRecordBatch(b, array: array, schema: schema)
    }

    /// The shared shape of the three inspection functions: NULL checks, handle, output shells.
    static func call(_ function: String, _ world: OpaquePointer?,
                     _ outArray: UnsafeMutablePointer<ArrowArray>?, _ outSchema: UnsafeMutablePointer<ArrowSchema>?,
                     _ make: @escaping (World) throws(ArrowError) -> RecordBatch) -> Int32 {
        ffiCall(function) { () throws(FFIError) in
            guard let outArray, let outSchema else { throw FFIError(ARCT_ERR_NULL_POINTER, "out_array and out_schema are required") }
            try WorldRegistry.with(function, world) { (h, _) throws(FFIError) in
                try checkOutputs(outArray, outSchema)
                try export({ () throws(ArrowError) in try make(h.world) }, outArray, outSchema)
            }
        }
    }
}

@c @implementation
public func arct_world_active_tables(
    _ world: OpaquePointer?, _ outArray: UnsafeMutablePointer<ArrowArray>?, _ outSchema: UnsafeMutablePointer<ArrowSchema>?
) -> Int32 {
    WorldExports.call("arct_world_active_tables", world, outArray, outSchema) { (w) throws(ArrowError) in
        try RecordBatch(schema: Schema([Field("table_name", .utf8, nullable: false)]), columns: [try ArrayData.from(w.activeTables())])
    }
}

@c @implementation
public func arct_world_tables(
    _ world: OpaquePointer?, _ outArray: UnsafeMutablePointer<ArrowArray>?, _ outSchema: UnsafeMutablePointer<ArrowSchema>?
) -> Int32 {
    WorldExports.call("arct_world_tables", world, outArray, outSchema) { (w) throws(ArrowError) in
        let names = w.tableNames
        let active = Set(w.activeTables())
        let schema = Schema([
            Field("table_name", .utf8, nullable: false),
            Field("active", .boolean, nullable: false),
            Field("committed", .boolean, nullable: false),
            Field("n_entities", .int64, nullable: false),
        ])
        return try RecordBatch(schema: schema, columns: [
            try ArrayData.from(names),
            ArrayData.from(names.map { active.contains($0) }),
            ArrayData.from(names.map { w.isCommitted($0) }),
            ArrayData.from(names.map { Int64(w.entityCount(in: $0)) }),
        ])
    }
}

@c @implementation
public func arct_world_entities(
    _ world: OpaquePointer?, _ outArray: UnsafeMutablePointer<ArrowArray>?, _ outSchema: UnsafeMutablePointer<ArrowSchema>?
) -> Int32 {
    WorldExports.call("arct_world_entities", world, outArray, outSchema) { (w) throws(ArrowError) in
        let entities = w.entities
        let schema = Schema([Field("entity_id", .int32, nullable: false), Field("table_name", .utf8, nullable: false)])
        return try RecordBatch(schema: schema, columns: [ArrayData.from(entities.map(\.0)), try ArrayData.from(entities.map(\.1))])
    }
}
