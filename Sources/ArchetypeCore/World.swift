import Arrow

/// A world: entities in archetype tables, stepped tick by tick, with every tick appended to a
/// store (engine.md). Not thread-safe: callers serialise access (the C ABI holds a lock per
/// world).
public final class World {
    public let worldId: String
    public let runId: String
    public let store: any Store
    /// The next tick to produce (the number of completed steps of this run).
    public internal(set) var tick: Int32 = 0
    var ids = EntityIdAllocator()
    var tables: [String: TableState] = [:]
    /// entity → table.
    var registry = EntityRegistry()
    var processors: [(id: UInt64, processor: any Processor)] = []
    var nextProcessorId: UInt64 = 1
    /// Set when a tick was partially committed; every later mutation or step returns it.
    public internal(set) var poison: ArchetypeError?
    var epoch: Epoch?
    let constants: ConstantColumns
    /// The table whose prepare, commit or append failed last ("" when none).
    public internal(set) var lastFailedTable = ""

    init(worldId: String, runId: String, store: any Store) {
        self.worldId = worldId
        self.runId = runId
        self.store = store
        constants = ConstantColumns(worldId: worldId, runId: runId)
    }

    /// Starts a new run. Fails with `runExists` when the store holds rows of this run.
    public static func create(worldId: String? = nil, runId: String? = nil, store: any Store) throws(ArchetypeError) -> World {
        let w = worldId ?? UUIDv7Generator.make()
        let r = runId ?? UUIDv7Generator.make()
        try Names.validateId(w, what: "world id")
        try Names.validateId(r, what: "run id")
        let summary: [TableSummary]
        do { summary = try store.summarize(worldId: w, runId: r) } catch { throw .storeRead(table: "", cause: error) }
        guard summary.isEmpty else { throw .runExists(worldId: w, runId: r) }
        return World(worldId: w, runId: r, store: store)
    }

    // MARK: Accessors

    /// The next automatic entity id (2³¹ when exhausted).
    public var nextEntityId: Int64 { ids.next }
    /// Registered table names, bytewise sorted.
    public var tableNames: [String] { tables.keys.sorted(by: Names.bytewiseLess) }
    /// The registered schema of `table`.
    public func schema(of table: String) -> Schema? { tables[table]?.schema }
    /// The table `entity` is registered to.
    public func tableOf(_ entity: Int32) -> String? { registry[entity] }
    /// The number of registered entities.
    public var entityCount: Int { registry.count }
    /// Registered entities, sorted by id, with their tables.
    public var entities: [(Int32, String)] { registry.sorted }
    /// Whether a split step is open.
    public var isEpochOpen: Bool { epoch != nil }
    /// Registered entities mapped to `table`.
    public func entityCount(in table: String) -> Int { registry.counts[table] ?? 0 }
    /// Whether a part of this run was published for `table`.
    public func isCommitted(_ table: String) -> Bool { tables[table]?.committed ?? false }

    /// The active tables of the current tick (engine.md §4.7), bytewise sorted; during an epoch,
    /// its frozen set.
    public func activeTables() -> [String] {
        if let epoch { return epoch.tables }
        // Each name once: tables with entities, then the others with work (no set, no copies).
        var names: [String] = []
        for (name, n) in registry.counts where n > 0 { names.append(name) }
        for (name, t) in tables where t.hasWork && registry.counts[name, default: 0] <= 0 { names.append(name) }
        if names.count > 1 { names.sort(by: Names.bytewiseLess) }
        return names
    }

    /// The live snapshot of `table` (loaded from the store after a resume).
    public func liveSnapshot(_ table: String) throws(ArchetypeError) -> RecordBatch {
        guard let t = tables[table] else { throw .unknownTable(table) }
        return try loadLive(t)
    }

    // MARK: Checks shared by mutations

    func checkMutable() throws(ArchetypeError) {
        if let poison { throw poison }
        if epoch != nil { throw .mutationDuringStep }
    }

    func table(_ name: String) throws(ArchetypeError) -> TableState {
        guard let t = tables[name] else { throw .unknownTable(name) }
        return t
    }

    /// Loads a table's live snapshot from the store if it is not known (engine.md §7.1).
    func loadLive(_ t: TableState) throws(ArchetypeError) -> RecordBatch {
        if let live = t.live { return live }
        let filter = ReadFilter(worldId: worldId, runId: runId, ticks: [tick - 1], activeOnly: true)
        let batches: [RecordBatch]
        do { batches = try store.read(t.name, filter: filter, columns: nil) } catch { throw .storeRead(table: t.name, cause: error) }
        var batch: RecordBatch
        do {
            if batches.isEmpty { batch = try RecordBatch.empty(t.schema) }
            else if batches.count == 1 { batch = batches[0] }
            else { batch = try RecordBatch.concatenate(batches) }
        } catch { throw .arrow(error) }
        guard batch.schema.equalsIgnoringMetadata(t.schema) else {
            throw .schemaMismatch(table: t.name, detail: "stored rows do not match the registered schema")
        }
        batch = try BatchBuilding.retyped(batch, t.schema)
        t.installLive(batch)
        return batch
    }

    // MARK: Processors

    /// Adds a processor; returns its id.
    @discardableResult
    public func addProcessor(_ p: any Processor) throws(ArchetypeError) -> UInt64 {
        try checkMutable()
        let id = nextProcessorId
        nextProcessorId += 1
        processors.append((id, p))
        return id
    }

    /// Removes the processor with `id`.
    public func removeProcessor(_ id: UInt64) throws(ArchetypeError) {
        try checkMutable()
        guard let i = processors.firstIndex(where: { $0.id == id }) else { throw .invalidArgument("unknown processor id \(id)") }
        processors.remove(at: i)
    }

    /// The processors eligible for `schema`, in run order (stable by priority).
    func eligible(_ schema: Schema) -> [any Processor] {
        let names = Set(schema.fields.map(\.name))
        return processors.enumerated()
            .filter { $0.element.processor.requiredColumns.allSatisfy(names.contains) }
            .sorted { ($0.element.processor.priority, $0.offset) < ($1.element.processor.priority, $1.offset) }
            .map(\.element.processor)
    }

    // MARK: Query

    /// Reads committed rows of `table` from the store (engine.md §7.2). A nil world or run id in
    /// the filter means this world's.
    public func query(_ table: String, filter: ReadFilter = ReadFilter(), columns: [String]? = nil) throws(ArchetypeError) -> [RecordBatch] {
        var f = filter
        if f.worldId == nil { f.worldId = worldId }
        if f.runId == nil { f.runId = runId }
        if let columns, Set(columns).count != columns.count { throw .invalidArgument("a projected column is repeated") }
        if tables[table] == nil {
            let known: Bool
            do { known = try store.tableSchema(table) != nil } catch { throw .storeRead(table: table, cause: error) }
            guard known else { throw .unknownTable(table) }
        }
        do {
            return try store.read(table, filter: f, columns: columns)
        } catch {
            if case .unknownColumn(_, let c) = error { throw .schemaMismatch(table: table, detail: "unknown column \(c)") }
            throw .storeRead(table: table, cause: error)
        }
    }
}
