import Arrow

/// An in-memory ledger with the semantics of every store (engine.md §10.3), name rules
/// included. Thread-safe.
public final class MemoryStore: Store {
    private struct State {
        var tables: [String: [RecordBatch]] = [:]
    }
    private let state = LockedValue(State())

    public init() {}

    public func append(_ table: String, _ batch: RecordBatch) throws(StoreError) {
        try validateTableName(table)
        guard batch.length > 0 else { return }
        try state.withLock { (s) throws(StoreError) in
            if let first = s.tables[table]?.first, !first.schema.equalsIgnoringMetadata(batch.schema) {
                throw .schemaMismatch(table: table, part: "memory", detail: "appended batch schema differs from the table's")
            }
            s.tables[table, default: []].append(batch)
        }
    }

    public func read(_ table: String, filter: ReadFilter, columns: [String]?) throws(StoreError) -> [RecordBatch] {
        let batches = state.withLock { $0.tables[table] ?? [] }
        var out: [RecordBatch] = []
        if let first = batches.first {
            // Validate the projection even when the filter matches nothing.
            _ = try first.projected(columns, table: table)
            for c in filter.columns where first.schema.index(of: c) == nil { throw .unknownColumn(table: table, column: c) }
        }
        if filter.matchesNothing { return [] }
        for b in batches {
            let kept = try filter.apply(to: b, table: table)
            if kept.length > 0 { out.append(try kept.projected(columns, table: table)) }
        }
        return out
    }

    public func tableNames() throws(StoreError) -> [String] {
        state.withLock { $0.tables.keys.sorted(by: Names.bytewiseLess) }
    }

    public func tableSchema(_ table: String) throws(StoreError) -> Schema? {
        state.withLock { $0.tables[table]?.first?.schema }
    }

    public func summarize(worldId: String, runId: String) throws(StoreError) -> [TableSummary] {
        try summarizeByReading(worldId: worldId, runId: runId)
    }
}
