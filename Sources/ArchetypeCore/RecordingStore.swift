import Arrow

/// A test wrapper around a store (engine.md §10.3): counts reads and appends, records read
/// filters, and fails on demand — the next read, the next append, the next append to a named
/// table — optionally reporting the failed part as published.
public final class RecordingStore: Store {
    public let inner: any Store

    public struct Counters: Sendable {
        public var reads = 0
        public var appends = 0
        public var filters: [ReadFilter] = []
        public var appendedTables: [String] = []
    }

    struct Faults {
        var failNextRead = false
        var failNextAppend: Bool? = nil  // the value: published
        var failAppendTo: [String: Bool] = [:]
    }

    private let counters = LockedValue(Counters())
    private let faults = LockedValue(Faults())

    public init(_ inner: any Store = MemoryStore()) { self.inner = inner }

    /// What happened so far.
    public var recorded: Counters { counters.withLock { $0 } }

    /// Makes the next read fail.
    public func failNextRead() { faults.withLock { $0.failNextRead = true } }
    /// Makes the next append fail; with `published`, the part is appended, then the error says so.
    public func failNextAppend(published: Bool = false) { faults.withLock { $0.failNextAppend = published } }
    /// Makes the next append to `table` fail.
    public func failNextAppend(to table: String, published: Bool = false) { faults.withLock { $0.failAppendTo[table] = published } }

    public func validateTableName(_ name: String) throws(StoreError) { try inner.validateTableName(name) }

    public func append(_ table: String, _ batch: RecordBatch) throws(StoreError) {
        guard batch.length > 0 else { return try inner.append(table, batch) }
        let fault: Bool? = faults.withLock { f -> Bool? in
            if let p = f.failNextAppend { f.failNextAppend = nil; return p }
            if let p = f.failAppendTo.removeValue(forKey: table) { return p }
            return nil
        }
        if let published = fault {
            if published {
                try inner.append(table, batch)
                counters.withLock { $0.appends += 1; $0.appendedTables.append(table) }
            }
            throw .injected("append to \(table)", published: published)
        }
        try inner.append(table, batch)
        counters.withLock { $0.appends += 1; $0.appendedTables.append(table) }
    }

    public func read(_ table: String, filter: ReadFilter, columns: [String]?) throws(StoreError) -> [RecordBatch] {
        let fail = faults.withLock { f -> Bool in
            defer { f.failNextRead = false }
            return f.failNextRead
        }
        counters.withLock { $0.reads += 1; $0.filters.append(filter) }
        if fail { throw .injected("read of \(table)", published: false) }
        return try inner.read(table, filter: filter, columns: columns)
    }

    public func tableNames() throws(StoreError) -> [String] { try inner.tableNames() }
    public func tableSchema(_ table: String) throws(StoreError) -> Schema? { try inner.tableSchema(table) }
    public func summarize(worldId: String, runId: String) throws(StoreError) -> [TableSummary] {
        try inner.summarize(worldId: worldId, runId: runId)
    }
}
