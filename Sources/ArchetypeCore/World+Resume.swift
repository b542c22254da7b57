import Arrow

extension World {
    /// Creates or resumes a run (engine.md §7.3). With rows of this run in the store, the world
    /// continues at the tick after the last one, with its tables registered from their stored
    /// schemas and the registry rebuilt from the active rows of that tick. A torn tick makes it
    /// fail with `partialTick`.
    public static func open(worldId: String, runId: String, store: any Store) throws(ArchetypeError) -> World {
        try Names.validateId(worldId, what: "world id")
        try Names.validateId(runId, what: "run id")
        let summary: [TableSummary]
        do { summary = try store.summarize(worldId: worldId, runId: runId) } catch { throw .storeRead(table: "", cause: error) }
        let world = World(worldId: worldId, runId: runId, store: store)
        guard let last = summary.map(\.lastTick).max() else { return world }
        // Torn-tick check.
        let atLast = summary.filter { $0.lastTick == last }.map(\.table).sorted(by: Names.bytewiseLess)
        let torn = summary.filter { $0.lastTick == last - 1 && $0.activeRowsAtLastTick > 0 }
        if !torn.isEmpty {
            throw .partialTick(tick: last, committedTables: atLast, cause: "incomplete tick found on open (\(torn.map(\.table).joined(separator: ", ")) lack tick \(last))")
        }
        if let stale = summary.first(where: { $0.lastTick < last - 1 && $0.activeRowsAtLastTick > 0 }) {
            throw .inconsistentLedger("table \(stale.table) has active rows at tick \(stale.lastTick) but nothing after, while the run reached tick \(last)")
        }
        for s in summary {
            let schema: Schema
            do {
                guard let stored = try store.tableSchema(s.table) else { throw ArchetypeError.inconsistentLedger("table \(s.table) has no schema") }
                schema = stored
            } catch let e as StoreError {
                throw .storeRead(table: s.table, cause: e)
            } catch let e as ArchetypeError {
                throw e
            } catch {
                throw .internal("\(error)")
            }
            try checkBaseColumns(s.table, schema)
            let t = TableState(name: s.table, schema: Schema(schema.fields), live: nil)
            t.committed = true
            if s.lastTick < last || s.activeRowsAtLastTick == 0 { t.installLive(try RecordBatch.emptyOrThrow(t.schema)) }
            world.tables[s.table] = t
        }
        // Registry from the active rows at the last tick (entity_id only).
        for name in atLast {
            let batches: [RecordBatch]
            do {
                batches = try store.read(name, filter: ReadFilter(worldId: worldId, runId: runId, ticks: [last], activeOnly: true), columns: ["entity_id"])
            } catch { throw .storeRead(table: name, cause: error) }
            for b in batches {
                let ids = b.columns[0]
                for r in 0..<b.length {
                    let e = ids.buffers[1]!.load(ids.offset + r, as: Int32.self)
                    if let other = world.registry[e], other != name {
                        throw .inconsistentLedger("entity \(e) is active in both \(other) and \(name) at tick \(last)")
                    }
                    world.registry[e] = name
                }
            }
        }
        world.ids.resume(after: summary.map(\.maxEntityId).max() ?? 0)
        world.tick = last + 1
        return world
    }
}

extension RecordBatch {
    static func emptyOrThrow(_ schema: Schema) throws(ArchetypeError) -> RecordBatch {
        do { return try RecordBatch.empty(schema) } catch { throw .arrow(error) }
    }
}
