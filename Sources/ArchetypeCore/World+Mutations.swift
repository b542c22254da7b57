import Arrow

extension World {
    /// Which component columns an input batch must carry.
    enum Required { case all, subset }

    /// Validates a component batch against a table (engine.md §2.3, B1–B6) and returns its
    /// columns by name.
    func validateComponents(_ batch: RecordBatch, _ t: TableState, required: Required) throws(ArchetypeError) -> [String: ArrayData] {
        var columns: [String: ArrayData] = [:]
        let fields = Dictionary(t.componentFields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (f, c) in zip(batch.schema.fields, batch.columns) {
            guard columns[f.name] == nil else { throw .duplicateColumn(table: t.name, column: f.name) }
            guard !BaseColumns.names.contains(f.name) else { throw .metadataColumn(table: t.name, column: f.name) }
            guard let target = fields[f.name] else { throw .unexpectedColumn(table: t.name, column: f.name) }
            guard c.type.equalsIgnoringMetadata(target.type) else {
                throw .columnTypeMismatch(table: t.name, column: f.name, expected: "\(target.type)", actual: "\(c.type)")
            }
            if !target.nullable && c.nullCount > 0 { throw .nullInNonNullable(table: t.name, column: f.name) }
            switch target.type {
            case .struct, .list:
                // Non-nullable children anywhere inside.
                do { try c.validate() } catch { throw .nullInNonNullable(table: t.name, column: f.name) }
            default: break
            }
            columns[f.name] = c
        }
        if required == .all {
            for f in t.componentFields where columns[f.name] == nil { throw .missingColumn(table: t.name, column: f.name) }
        }
        return columns
    }

    /// A full-schema chunk for `table`: base columns stamped for `ids`, component columns from
    /// `component(name)`.
    func chunk(_ t: TableState, ids: [Int32], _ component: (Field) throws(ArchetypeError) -> ArrayData) throws(ArchetypeError) -> RecordBatch {
        let n = ids.count
        var columns: [ArrayData] = [constants.world(n), constants.run(n), BatchBuilding.int32Column(ids),
                                    BatchBuilding.constantInt32(tick, n), BatchBuilding.constantBool(true, n)]
        for f in t.componentFields { columns.append(try component(f)) }
        do { return try RecordBatch(schema: t.schema, columns: columns, length: n) } catch { throw .arrow(error) }
    }

    // MARK: Spawn

    /// Stages `components` (one row per new entity) in `table` with automatic ids.
    @discardableResult
    public func queueSpawn(_ table: String, components: RecordBatch) throws(ArchetypeError) -> [Int32] {
        try checkMutable()
        let t = try self.table(table)
        let columns = try validateComponents(components, t, required: .all)
        let n = components.length
        guard n > 0 else { return [] }
        let newIds = try ids.allocate(n)
        try stageSpawn(t, newIds, columns)
        return newIds
    }

    /// Stages `components` in `table` with explicit ids.
    public func queueSpawn(_ table: String, components: RecordBatch, entityIds: [Int32]) throws(ArchetypeError) {
        try checkMutable()
        let t = try self.table(table)
        let columns = try validateComponents(components, t, required: .all)
        guard components.length == entityIds.count else { throw .rowCountMismatch(expected: entityIds.count, actual: components.length) }
        try ids.checkExplicit(entityIds) { registry[$0] != nil }
        guard !entityIds.isEmpty else { return }
        ids.use(entityIds)
        try stageSpawn(t, entityIds, columns)
    }

    private func stageSpawn(_ t: TableState, _ newIds: [Int32], _ columns: [String: ArrayData]) throws(ArchetypeError) {
        let c = try chunk(t, ids: newIds) { (f) throws(ArchetypeError) in columns[f.name]! }
        t.staged.addRun(c, entities: newIds)
        registry.register(newIds, to: t.name)
    }

    /// Reserves `n` ≥ 1 contiguous ids; returns the first.
    public func reserveEntityIds(_ n: Int64) throws(ArchetypeError) -> Int32 {
        if let poison { throw poison }
        return try ids.reserve(n)
    }

    // MARK: Despawn

    /// Stages despawns (engine.md §4.3).
    public func queueDespawn(_ entityIds: [Int32]) throws(ArchetypeError) {
        try checkMutable()
        var seen = Set<Int32>()
        for e in entityIds {
            guard registry[e] != nil, seen.insert(e).inserted else { throw .unknownEntity(e) }
        }
        // Loading snapshots is not a state change; do it before the first change.
        for e in entityIds { _ = try loadLive(try table(registry[e]!)) }
        for e in entityIds {
            let t = tables[registry[e]!]!
            t.staged.remove(e)
            if t.liveRow(e) != nil { t.addTombstone(e) }
            registry[e] = nil
        }
    }

    // MARK: Update

    /// Stages overlays (engine.md §4.4): each entity's latest visible row with the patch
    /// columns replaced.
    public func queueUpdate(_ entityIds: [Int32], patch: RecordBatch) throws(ArchetypeError) {
        try checkMutable()
        guard patch.length == entityIds.count else { throw .rowCountMismatch(expected: entityIds.count, actual: patch.length) }
        var byTable: [String: [Int]] = [:]
        var order: [String] = []
        var patchColumns: [String: [String: ArrayData]] = [:]
        for (i, e) in entityIds.enumerated() {
            guard let name = registry[e] else { throw .unknownEntity(e) }
            if byTable[name] == nil {
                order.append(name)
                patchColumns[name] = try validateComponents(patch, try table(name), required: .subset)
            }
            byTable[name, default: []].append(i)
        }
        for name in order { _ = try loadLive(tables[name]!) }
        // Every entity needs a visible state (staged or live), or an earlier row of this call.
        var pending = Set<Int32>()
        for e in entityIds {
            let t = tables[registry[e]!]!
            guard pending.contains(e) || t.staged.row(of: e) != nil || t.liveRow(e) != nil else { throw .unknownEntity(e) }
            pending.insert(e)
        }
        for name in order {
            let t = tables[name]!
            let rows = byTable[name]!
            let cols = patchColumns[name]!
            // Sources of each row's non-patched values, resolved through earlier rows of this call.
            var sources = RowSources()
            var refs: [(source: Int, row: Int)] = []
            var latest: [Int32: (source: Int, row: Int)] = [:]
            for i in rows {
                let e = entityIds[i]
                if let r = latest[e] {
                    refs.append(r)
                } else if let s = t.staged.row(of: e) {
                    refs.append((sources.source("staged-\(e)", s.batch), s.row))
                } else {
                    refs.append((sources.source("live", t.live!), t.liveRow(e)!))
                }
                latest[e] = refs.last!
            }
            let patchRows = rows
            let c = try chunk(t, ids: rows.map { entityIds[$0] }) { (f) throws(ArchetypeError) -> ArrayData in
                if let p = cols[f.name] {
                    do throws(ArrowError) { return try p.take(patchRows) } catch { throw .arrow(error) }
                }
                return try sources.gather(f.name, refs, type: f.type)
            }
            // Compose repeated ids: a later row's non-patched values equal the earlier row's
            // base, and its patched values are its own, so only the last row of an id is kept.
            let index = t.staged.add(c)
            for (k, i) in rows.enumerated() {
                let e = entityIds[i]
                if t.liveRow(e) != nil { t.addTombstone(e) }
                t.staged.stage(e, chunk: index, row: k)
            }
        }
    }

    // MARK: Migration

    /// Stages migrations (engine.md §4.5): each entity's latest visible row moved to `newTable`
    /// with `values` added and the columns `newTable` lacks dropped.
    public func queueMigration(_ entityIds: [Int32], to newTable: String, values: RecordBatch) throws(ArchetypeError) {
        try migrate(entityIds, to: newTable, values: values, fullRows: false)
    }

    /// Stages full-row migrations (engine.md §4.6): the latest state is not consulted.
    public func queueMigrationRows(_ entityIds: [Int32], to newTable: String, rows: RecordBatch) throws(ArchetypeError) {
        try migrate(entityIds, to: newTable, values: rows, fullRows: true)
    }

    /// Stages a migration into `newTable`, registering it first with `components` when given
    /// (c-abi.md §8.4). The call is atomic: when the migration fails, a table this call
    /// registered is registered no longer.
    public func queueMigration(_ entityIds: [Int32], to newTable: String, registering components: [Field]?,
                               values: RecordBatch, fullRows: Bool) throws(ArchetypeError) {
        try checkMutable()
        let existed = tables[newTable] != nil
        if let components { try registerTable(newTable, components: components) }
        do {
            try migrate(entityIds, to: newTable, values: values, fullRows: fullRows)
        } catch {
            if !existed { tables[newTable] = nil }
            throw error
        }
    }

    func migrate(_ entityIds: [Int32], to newTable: String, values: RecordBatch, fullRows: Bool) throws(ArchetypeError) {
        try checkMutable()
        let target = try table(newTable)
        var seen = Set<Int32>()
        for e in entityIds {
            guard registry[e] != nil else { throw .unknownEntity(e) }
            guard seen.insert(e).inserted else { throw .invalidArgument("entity \(e) appears twice in one migration") }
            guard registry[e] != newTable else { throw .invalidArgument("entity \(e) is already in \(newTable); use an update") }
        }
        let columns = try validateComponents(values, target, required: fullRows ? .all : .subset)
        guard values.length == entityIds.count else { throw .rowCountMismatch(expected: entityIds.count, actual: values.length) }
        var sources = RowSources()
        var refs: [(source: Int, row: Int)] = []
        if !fullRows {
            for e in entityIds {
                let t1 = tables[registry[e]!]!
                _ = try loadLive(t1)
                for f in target.componentFields where columns[f.name] == nil {
                    guard let old = t1.schema.field(named: f.name) else { throw .missingColumn(table: newTable, column: f.name) }
                    guard old.type.equalsIgnoringMetadata(f.type) else {
                        throw .columnTypeMismatch(table: newTable, column: f.name, expected: "\(f.type)", actual: "\(old.type)")
                    }
                }
                if let s = t1.staged.row(of: e) {
                    refs.append((sources.source("staged-\(e)", s.batch), s.row))
                } else if let r = t1.liveRow(e) {
                    refs.append((sources.source("live-\(t1.name)", t1.live!), r))
                } else {
                    throw .unknownEntity(e)
                }
            }
        } else {
            for e in entityIds { _ = try loadLive(tables[registry[e]!]!) }
        }
        let rowIndex = Array(0..<entityIds.count)
        let c = try chunk(target, ids: entityIds) { (f) throws(ArchetypeError) -> ArrayData in
            if let v = columns[f.name] {
                do throws(ArrowError) { return try v.take(rowIndex) } catch { throw .arrow(error) }
            }
            return try sources.gather(f.name, refs, type: f.type)
        }
        guard !entityIds.isEmpty else { return }
        let index = target.staged.add(c)
        for (row, e) in entityIds.enumerated() {
            let t1 = tables[registry[e]!]!
            t1.staged.remove(e)
            if t1.liveRow(e) != nil { t1.addTombstone(e) }
            target.staged.stage(e, chunk: index, row: row)
            registry[e] = newTable
        }
    }

    // MARK: Internal staging API (engine.md C23)

    /// Stages rows without the public checks (tests of the dedupe invariant).
    func stageRaw(_ table: String, components: RecordBatch, entityIds: [Int32]) throws(ArchetypeError) {
        let t = try self.table(table)
        let columns = try validateComponents(components, t, required: .all)
        let c = try chunk(t, ids: entityIds) { (f) throws(ArchetypeError) in columns[f.name]! }
        let index = t.staged.add(c)
        for (row, e) in entityIds.enumerated() {
            t.staged.stage(e, chunk: index, row: row)
            registry[e] = table
        }
    }
}

