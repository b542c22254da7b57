import ArchetypeCore
import Arrow
import CArrowABI

@c @implementation
public func arct_world_step(_ world: OpaquePointer?, _ profile: UnsafeMutablePointer<arct_step_profile>?) -> Int32 {
    let function = "arct_world_step"
    return ffiCall(function) { () throws(FFIError) in
        if let profile, profile.pointee.struct_size >= MemoryLayout<arct_step_profile>.size,
           profile.pointee.tables_cap > 0, profile.pointee.tables == nil {
            throw FFIError(ARCT_ERR_NULL_POINTER, "profile.tables is NULL with tables_cap \(profile.pointee.tables_cap)")
        }
        try WorldRegistry.with(function, world) { (h, scope) throws(FFIError) in
            if let profile {
                try CArgument.checkStructSize(profile.pointee.struct_size, minimum: MemoryLayout<arct_step_profile>.size, "profile")
                guard profile.pointee.tables_cap >= 0 else {
                    throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "profile.tables_cap is negative (\(profile.pointee.tables_cap))")
                }
            }
            try h.checkNotPoisoned()
            if h.world.isEpochOpen { throw FFIError(ARCT_ERR_STEP_ALREADY_IN_FLIGHT, "a split step is open; commit or abort it first") }
            let result: StepProfile
            do {
                result = try h.world.stepProfiled()
            } catch {
                if !h.world.lastFailedTable.isEmpty { scope.table = h.world.lastFailedTable }
                throw FFIError(error)
            }
            if let profile { StepProfiles.write(result, to: profile) }
        }
    }
}

/// Fills a caller's `arct_step_profile` (c-abi.md §8.6): truncation to `tables_cap` is not an
/// error, `n_tables` always counts every table.
enum StepProfiles {
    static func write(_ p: StepProfile, to out: UnsafeMutablePointer<arct_step_profile>) {
        out.pointee.tick = p.tick
        out.pointee.tick_sec = p.tickSeconds
        out.pointee.n_tables = Int64(p.tables.count)
        guard let tables = out.pointee.tables else { return }
        let n = min(p.tables.count, Int(out.pointee.tables_cap))
        for i in 0..<n {
            let t = p.tables[i]
            var e = arct_table_profile()
            CNames.copy(t.table, into: &e.table_name)
            e.read_prior_sec = t.readPriorSeconds
            e.materialize_sec = t.materializeSeconds
            e.process_sec = t.processSeconds
            e.append_sec = t.appendSeconds
            e.live_snapshot_sec = t.liveSnapshotSeconds
            e.table_sec = max(t.tableSeconds, t.readPriorSeconds + t.materializeSeconds + t.processSeconds + t.appendSeconds + t.liveSnapshotSeconds)
            e.rows_prior = Int64(t.rowsPrior)
            e.rows_appended = Int64(t.rowsAppended)
            tables[i] = e
        }
    }
}

@c @implementation
public func arct_step_begin(
    _ world: OpaquePointer?, _ table: UnsafePointer<CChar>?,
    _ outArray: UnsafeMutablePointer<ArrowArray>?, _ outSchema: UnsafeMutablePointer<ArrowSchema>?
) -> Int32 {
    let function = "arct_step_begin"
    return ffiCall(function) { () throws(FFIError) in
        guard let table, let outArray, let outSchema else { throw FFIError(ARCT_ERR_NULL_POINTER, "table, out_array and out_schema are required") }
        try WorldRegistry.with(function, world) { (h, scope) throws(FFIError) in
            try checkOutputs(outArray, outSchema)
            let name = try h.tableName(table)
            scope.table = name
            try h.checkNotPoisoned()
            // Epoch rules come before the name rules (§4.7): a bad name is outside any epoch.
            if !h.world.isEpochOpen { try h.checkTableName(name) }
            let batch: RecordBatch
            do { batch = try h.world.beginTableStep(name) } catch { throw FFIError(error) }
            CDataInterface.exportRecordBatch(batch, array: outArray, schema: outSchema)
        }
    }
}

@c @implementation
public func arct_step_commit(
    _ world: OpaquePointer?, _ table: UnsafePointer<CChar>?,
    _ processedArray: UnsafeMutablePointer<ArrowArray>?, _ processedSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ outTickDone: UnsafeMutablePointer<Int32>?
) -> Int32 {
    let function = "arct_step_commit"
    let input = MovedBatch(processedArray, processedSchema)
    return withExtendedLifetime(input) {
        ffiCall(function) { () throws(FFIError) in
            guard let table, let input else { throw FFIError(ARCT_ERR_NULL_POINTER, "table, processed_array and processed_schema are required") }
            try WorldRegistry.with(function, world) { (h, scope) throws(FFIError) in
                let name = try h.tableName(table)
                scope.table = name
                let begun: RecordBatch
                do { begun = try h.world.checkCommittable(name) } catch { throw FFIError(error) }
                // From here a failure is a data-path failure: it closes the epoch (§9.5).
                let batch: RecordBatch
                do throws(FFIError) {
                    // Columns the host hands back unchanged are the begun batch's own.
                    batch = try input.importBatch(hint: begun)
                    try h.checkEngineTypes(batch.schema)
                } catch {
                    h.world.closeEpoch(failedTable: name)
                    throw error
                }
                let done: Bool
                do {
                    // The importer validated every column.
                    done = try h.world.commitTableStep(name, processed: batch, validated: true) != nil
                } catch {
                    if !h.world.lastFailedTable.isEmpty { scope.table = h.world.lastFailedTable }
                    throw FFIError(error)
                }
                outTickDone?.pointee = done ? 1 : 0
            }
        }
    }
}

@c @implementation
public func arct_step_abort(_ world: OpaquePointer?, _ table: UnsafePointer<CChar>?) -> Int32 {
    let function = "arct_step_abort"
    return ffiCall(function) { () throws(FFIError) in
        try WorldRegistry.with(function, world) { (h, scope) throws(FFIError) in
            let name = try CArgument.optionalString(table, "table")
            scope.table = name
            do { try h.world.abortStep(name) } catch { throw FFIError(error) }
        }
    }
}
