import ArchetypeCore
import Arrow
import CArrowABI

/// The shared prologue of the calls that stage rows into a named table: UTF-8 (5), state
/// (103 / 104), name (154), registration (150), in the order of c-abi.md §4.7.
private func stagingTable(_ h: WorldHandle, _ scope: CallScope, _ table: UnsafePointer<CChar>, _ argument: String = "table",
                          scalars: () throws(FFIError) -> Void = {}) throws(FFIError) -> String {
    let name = try CArgument.string(table, argument)
    try scalars()
    try h.checkMutable()
    try CArgument.checkTableName(name)
    scope.table = name
    guard h.world.schema(of: name) != nil else { throw FFIError(ARCT_ERR_UNKNOWN_TABLE, "unknown table \(name)") }
    return name
}

@c @implementation
public func arct_world_spawn(
    _ world: OpaquePointer?, _ table: UnsafePointer<CChar>?,
    _ batch: UnsafeMutablePointer<ArrowArray>?, _ batchSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ outIds: UnsafeMutablePointer<Int32>?, _ outIdsCap: Int64, _ outNIds: UnsafeMutablePointer<Int64>?
) -> Int32 {
    let function = "arct_world_spawn"
    let input = MovedBatch(batch, batchSchema)
    return withExtendedLifetime(input) {
        ffiCall(function) { () throws(FFIError) in
            guard let table, let input else { throw FFIError(ARCT_ERR_NULL_POINTER, "table, batch and batch_schema are required") }
            guard let outNIds else { throw FFIError(ARCT_ERR_NULL_POINTER, "out_n_ids is NULL") }
            guard outIds != nil || outIdsCap == 0 else { throw FFIError(ARCT_ERR_NULL_POINTER, "out_ids is NULL with out_ids_cap \(outIdsCap)") }
            try WorldRegistry.with(function, world) { (h, scope) throws(FFIError) in
                let name = try stagingTable(h, scope, table) { () throws(FFIError) in
                    guard outIdsCap >= 0 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "out_ids_cap is negative (\(outIdsCap))") }
                }
                let b = try input.importEngineBatch()
                guard Int64(b.length) <= outIdsCap else {
                    throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "out_ids_cap \(outIdsCap) is smaller than the \(b.length) row(s)")
                }
                let ids: [Int32]
                do { ids = try h.world.queueSpawn(name, components: b) } catch { throw FFIError(error) }
                if let outIds { for (i, id) in ids.enumerated() { outIds[i] = id } }
                outNIds.pointee = Int64(ids.count)
            }
        }
    }
}

@c @implementation
public func arct_world_reserve_ids(_ world: OpaquePointer?, _ n: Int64, _ outFirstId: UnsafeMutablePointer<Int32>?) -> Int32 {
    let function = "arct_world_reserve_ids"
    return ffiCall(function) { () throws(FFIError) in
        guard let outFirstId else { throw FFIError(ARCT_ERR_NULL_POINTER, "out_first_id is NULL") }
        try WorldRegistry.with(function, world) { (h, _) throws(FFIError) in
            guard n >= 1 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "n must be at least 1, got \(n)") }
            try h.checkNotPoisoned()
            do { outFirstId.pointee = try h.world.reserveEntityIds(n) } catch { throw FFIError(error) }
        }
    }
}

@c @implementation
public func arct_world_spawn_with_ids(
    _ world: OpaquePointer?, _ table: UnsafePointer<CChar>?,
    _ batch: UnsafeMutablePointer<ArrowArray>?, _ batchSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ ids: UnsafePointer<Int32>?, _ nIds: Int64
) -> Int32 {
    let function = "arct_world_spawn_with_ids"
    let input = MovedBatch(batch, batchSchema)
    return withExtendedLifetime(input) {
        ffiCall(function) { () throws(FFIError) in
            guard let table, let input else { throw FFIError(ARCT_ERR_NULL_POINTER, "table, batch and batch_schema are required") }
            guard ids != nil || nIds <= 0 else { throw FFIError(ARCT_ERR_NULL_POINTER, "ids is NULL with n_ids \(nIds)") }
            try WorldRegistry.with(function, world) { (h, scope) throws(FFIError) in
                let name = try stagingTable(h, scope, table) { () throws(FFIError) in try CArgument.checkCount(nIds, "n_ids") }
                let b = try input.importEngineBatch()
                guard Int64(b.length) == nIds else {
                    throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "the batch has \(b.length) row(s) for \(nIds) id(s)")
                }
                let list = CArgument.int32s(ids, nIds)
                if let bad = list.first(where: { $0 < 1 }) { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "entity id \(bad) is below 1") }
                do { try h.world.queueSpawn(name, components: b, entityIds: list) } catch { throw FFIError(error) }
            }
        }
    }
}

@c @implementation
public func arct_world_despawn(_ world: OpaquePointer?, _ ids: UnsafePointer<Int32>?, _ nIds: Int64) -> Int32 {
    let function = "arct_world_despawn"
    return ffiCall(function) { () throws(FFIError) in
        guard ids != nil || nIds <= 0 else { throw FFIError(ARCT_ERR_NULL_POINTER, "ids is NULL with n_ids \(nIds)") }
        try WorldRegistry.with(function, world) { (h, _) throws(FFIError) in
            try CArgument.checkCount(nIds, "n_ids")
            try h.checkMutable()
            do { try h.world.queueDespawn(CArgument.int32s(ids, nIds)) } catch { throw FFIError(error) }
        }
    }
}

@c @implementation
public func arct_world_update(
    _ world: OpaquePointer?, _ patch: UnsafeMutablePointer<ArrowArray>?, _ patchSchema: UnsafeMutablePointer<ArrowSchema>?
) -> Int32 {
    let function = "arct_world_update"
    let input = MovedBatch(patch, patchSchema)
    return withExtendedLifetime(input) {
        ffiCall(function) { () throws(FFIError) in
            guard let input else { throw FFIError(ARCT_ERR_NULL_POINTER, "patch and patch_schema are required") }
            try WorldRegistry.with(function, world) { (h, _) throws(FFIError) in
                try h.checkMutable()
                let b = try input.importEngineBatch()
                // The entity_id column names the rows; the rest is the overlay (§8.4).
                guard let i = b.schema.index(of: "entity_id") else {
                    throw FFIError(ARCT_ERR_METADATA_COLUMN, "the patch has no entity_id column")
                }
                let idColumn = b.columns[i]
                guard idColumn.type == .int32 else {
                    throw FFIError(ARCT_ERR_METADATA_COLUMN, "the patch's entity_id column is \(idColumn.type), expected int32")
                }
                guard idColumn.nullCount == 0 else { throw FFIError(ARCT_ERR_METADATA_COLUMN, "the patch's entity_id column holds nulls") }
                let idValues: [Int32]
                do { idValues = try Int32Array(idColumn).withUnsafeValues { Array($0) } } catch { throw FFIError(error) }
                var fields = b.schema.fields
                var columns = b.columns
                fields.remove(at: i)
                columns.remove(at: i)
                let overlay: RecordBatch
                do { overlay = try RecordBatch(schema: Schema(fields), columns: columns, length: b.length) } catch { throw FFIError(error) }
                do { try h.world.queueUpdate(idValues, patch: overlay) } catch { throw FFIError(error) }
            }
        }
    }
}

/// The shared body of the two migrations (§8.4).
private func migrate(
    _ function: String, _ world: OpaquePointer?, _ toTable: UnsafePointer<CChar>?, _ toSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ values: UnsafeMutablePointer<ArrowArray>?, _ valuesSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ ids: UnsafePointer<Int32>?, _ nIds: Int64, fullRows: Bool
) -> Int32 {
    let schemaInput = MovedSchema(toSchema)
    let valuesInput = MovedBatch(values, valuesSchema)
    return withExtendedLifetime((schemaInput, valuesInput)) {
        ffiCall(function) { () throws(FFIError) in
            guard let toTable else { throw FFIError(ARCT_ERR_NULL_POINTER, "to_table is NULL") }
            if (values == nil) != (valuesSchema == nil) {
                throw FFIError(ARCT_ERR_NULL_POINTER, "values and values_schema must both be given or both be NULL")
            }
            if fullRows && valuesInput == nil { throw FFIError(ARCT_ERR_NULL_POINTER, "rows and rows_schema are required") }
            guard ids != nil || nIds <= 0 else { throw FFIError(ARCT_ERR_NULL_POINTER, "ids is NULL with n_ids \(nIds)") }
            try WorldRegistry.with(function, world) { (h, scope) throws(FFIError) in
                let name = try CArgument.string(toTable, "to_table")
                guard nIds >= 1 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "n_ids must be at least 1, got \(nIds)") }
                try CArgument.checkCount(nIds, "n_ids")
                try h.checkMutable()
                try CArgument.checkTableName(name)
                scope.table = name
                if schemaInput == nil && h.world.schema(of: name) == nil {
                    throw FFIError(ARCT_ERR_UNKNOWN_TABLE, "unknown table \(name) (and no to_schema to register it)")
                }
                let components = try schemaInput?.importSchema().fields
                let list = CArgument.int32s(ids, nIds)
                let batch: RecordBatch
                if let valuesInput {
                    batch = try valuesInput.importEngineBatch()
                } else {
                    do { batch = try RecordBatch(schema: Schema([]), columns: [], length: list.count) } catch { throw FFIError(error) }
                }
                do {
                    try h.world.queueMigration(list, to: name, registering: components, values: batch, fullRows: fullRows)
                } catch { throw FFIError(error) }
            }
        }
    }
}

@c @implementation
public func arct_world_migrate(
    _ world: OpaquePointer?, _ toTable: UnsafePointer<CChar>?, _ toSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ values: UnsafeMutablePointer<ArrowArray>?, _ valuesSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ ids: UnsafePointer<Int32>?, _ nIds: Int64
) -> Int32 {
    migrate("arct_world_migrate", world, toTable, toSchema, values, valuesSchema, ids, nIds, fullRows: false)
}

@c @implementation
public func arct_world_migrate_rows(
    _ world: OpaquePointer?, _ toTable: UnsafePointer<CChar>?, _ toSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ rows: UnsafeMutablePointer<ArrowArray>?, _ rowsSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ ids: UnsafePointer<Int32>?, _ nIds: Int64
) -> Int32 {
    migrate("arct_world_migrate_rows", world, toTable, toSchema, rows, rowsSchema, ids, nIds, fullRows: true)
}
