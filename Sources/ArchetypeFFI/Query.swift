import ArchetypeCore
import ArchetypeParquet
import Arrow
import CArrowABI

/// `arct_query` after its checks (c-abi.md §8.8).
struct QueryRequest {
    var filter = ReadFilter()
    var columns: [String]?

    /// NULL pointers (3) are checked by ``nullPointers(_:)`` before the handle; this reads the
    /// rest in the order of §4.7: UTF-8 (5), sizes, flags and counts (8), ids (154).
    init(_ q: UnsafePointer<arct_query>?) throws(FFIError) {
        guard let q else { return }
        try CArgument.checkStructSize(q.pointee.struct_size, minimum: MemoryLayout<arct_query>.size, "query")
        let query = q.pointee
        let known = ARCT_QUERY_FILTER_TICKS | ARCT_QUERY_FILTER_ENTITY_IDS | ARCT_QUERY_ACTIVE_ONLY | ARCT_QUERY_PROJECT
        let worldId = try CArgument.optionalString(query.world_id, "query.world_id")
        let runId = try CArgument.optionalString(query.run_id, "query.run_id")
        var names: [String]?
        if query.flags & ARCT_QUERY_PROJECT != 0, query.n_columns > 0, query.n_columns <= Int64(Int32.max), let columns = query.columns {
            var list: [String] = []
            for i in 0..<Int(query.n_columns) {
                guard let c = columns[i] else { throw FFIError(ARCT_ERR_NULL_POINTER, "query.columns[\(i)] is NULL") }
                list.append(try CArgument.string(c, "query.columns[\(i)]"))
            }
            names = list
        }
        guard query.flags & ~known == 0 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "query.flags has unknown bits \(query.flags & ~known)") }
        if query.flags & ARCT_QUERY_FILTER_TICKS != 0 {
            try CArgument.checkCount(query.n_ticks, "query.n_ticks")
            filter.ticks = CArgument.int32s(query.ticks, query.n_ticks)
        }
        if query.flags & ARCT_QUERY_FILTER_ENTITY_IDS != 0 {
            try CArgument.checkCount(query.n_entity_ids, "query.n_entity_ids")
            filter.entityIds = CArgument.int32s(query.entity_ids, query.n_entity_ids)
        }
        filter.activeOnly = query.flags & ARCT_QUERY_ACTIVE_ONLY != 0
        if query.flags & ARCT_QUERY_PROJECT != 0 {
            guard query.n_columns >= 1 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "query.n_columns must be at least 1, got \(query.n_columns)") }
            try CArgument.checkCount(query.n_columns, "query.n_columns")
            let list = names ?? []
            var seen = Set<String>()
            for c in list where !seen.insert(c).inserted {
                throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "column \(c) is projected twice")
            }
            columns = list
        }
        if let worldId { try CArgument.checkId(worldId, what: "world id") }
        if let runId { try CArgument.checkId(runId, what: "run id") }
        filter.worldId = worldId
        filter.runId = runId
    }

    /// The NULL-pointer checks of a query (§4.7 step 2, N1: arrays with n > 0).
    static func nullPointers(_ q: UnsafePointer<arct_query>?) throws(FFIError) {
        guard let q, q.pointee.struct_size >= MemoryLayout<arct_query>.size else { return }
        let query = q.pointee
        if query.flags & ARCT_QUERY_FILTER_TICKS != 0, query.n_ticks > 0, query.ticks == nil {
            throw FFIError(ARCT_ERR_NULL_POINTER, "query.ticks is NULL with n_ticks \(query.n_ticks)")
        }
        if query.flags & ARCT_QUERY_FILTER_ENTITY_IDS != 0, query.n_entity_ids > 0, query.entity_ids == nil {
            throw FFIError(ARCT_ERR_NULL_POINTER, "query.entity_ids is NULL with n_entity_ids \(query.n_entity_ids)")
        }
        if query.flags & ARCT_QUERY_PROJECT != 0, query.n_columns > 0, query.columns == nil {
            throw FFIError(ARCT_ERR_NULL_POINTER, "query.columns is NULL with n_columns \(query.n_columns)")
        }
    }
}

/// Store failures met while a query stream is consumed, as the C Stream Interface reports them:
/// corrupt or unreadable content is `EINVAL`, everything else `EIO` (§8.8 item 4).
private func streamError(_ e: StoreError) -> ArrowError {
    switch e {
    case .corrupt, .unsupported, .limitExceeded, .schemaMismatch: return ArrowError(.invalidData, "\(e)")
    default: return ArrowError(.streamError, "\(e)")
    }
}

@c @implementation
public func arct_world_query(
    _ world: OpaquePointer?, _ table: UnsafePointer<CChar>?, _ query: UnsafePointer<arct_query>?,
    _ outStream: UnsafeMutablePointer<ArrowArrayStream>?
) -> Int32 {
    let function = "arct_world_query"
    return ffiCall(function) { () throws(FFIError) in
        guard let table, let outStream else { throw FFIError(ARCT_ERR_NULL_POINTER, "table and out_stream are required") }
        try QueryRequest.nullPointers(query)
        try WorldRegistry.with(function, world) { (h, scope) throws(FFIError) in
            guard outStream.pointee.release == nil else { throw FFIError(ARCT_ERR_OUTPUT_NOT_EMPTY, "out_stream is not empty (release != NULL)") }
            let name = try CArgument.string(table, "table")
            var request = try QueryRequest(query)
            try CArgument.checkTableName(name)
            scope.table = name
            let w = h.world
            if request.filter.worldId == nil { request.filter.worldId = w.worldId }
            if request.filter.runId == nil { request.filter.runId = w.runId }
            // The table's schema: registered, or from the store's first part (§8.8).
            var known = w.schema(of: name)
            if known == nil {
                do { known = try w.store.tableSchema(name) } catch { throw FFIError(ARCT_ERR_STORE_READ, "\(error)") }
            }
            guard let schema = known else { throw FFIError(ARCT_ERR_UNKNOWN_TABLE, "unknown table \(name)") }
            var resultSchema = Schema(schema.fields)
            if let columns = request.columns {
                var fields: [Field] = []
                for c in columns {
                    guard let f = schema.field(named: c) else { throw FFIError(ARCT_ERR_SCHEMA_MISMATCH, "unknown column \(c)") }
                    fields.append(f)
                }
                resultSchema = Schema(fields)
            }
            if let parquet = h.parquet {
                // Lazy: footers are read now (the part set is fixed), data as the consumer pulls.
                let stream: ParquetBatchStream
                do { stream = try parquet.batches(name, filter: request.filter, columns: request.columns) } catch {
                    throw FFIError(error, reading: true)
                }
                let outSchema = stream.schema.map { s in Schema(s.fields) } ?? resultSchema
                CDataInterface.exportStream(schema: outSchema, to: outStream) { () throws(ArrowError) -> RecordBatch? in
                    do throws(StoreError) { return try stream.next() } catch { throw streamError(error) }
                }
            } else {
                let batches: [RecordBatch]
                do throws(StoreError) { batches = try w.store.read(name, filter: request.filter, columns: request.columns) } catch {
                    throw FFIError(error, reading: true)
                }
                let outSchema = batches.first.map { Schema($0.schema.fields) } ?? resultSchema
                var rebased: [RecordBatch] = []
                for b in batches where b.length > 0 {
                    do { rebased.append(try RecordBatch(schema: outSchema, columns: b.columns, length: b.length)) } catch { throw FFIError(error) }
                }
                CDataInterface.exportStream(schema: outSchema, batches: rebased, to: outStream)
            }
        }
    }
}
