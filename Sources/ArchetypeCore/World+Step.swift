import Arrow

extension World {
    /// Produces tick N (engine.md §5.1).
    public func step() throws(ArchetypeError) {
        _ = try stepProfiled()
    }

    /// Calls ``step()`` `steps` times, stopping at the first error.
    public func run(_ steps: Int) throws(ArchetypeError) {
        guard steps > 0 else { return }
        for _ in 0..<steps { try step() }
    }

    /// Produces tick N and returns its profile.
    public func stepProfiled() throws(ArchetypeError) -> StepProfile {
        if let poison { throw poison }
        if epoch != nil { throw .stepInFlight(nil) }
        let clock = Stopwatch()
        let n = tick
        let active = activeTables()
        var prepared: [Prepared] = []
        for name in active {
            do {
                prepared.append(try prepare(try table(name), tick: n))
            } catch {
                lastFailedTable = name
                throw error
            }
        }
        try publish(&prepared, tick: n, singleTable: false)
        finalize(prepared, tables: active)
        return StepProfile(tick: n, tables: prepared.map(\.profile), tickSeconds: clock.seconds)
    }

    /// A complete single-table tick, allowed only when `name` is the only active table
    /// (engine.md §5.4). Returns the stamped batch.
    public func stepTable(_ name: String) throws(ArchetypeError) -> RecordBatch {
        try stepTableProfiled(name).batch
    }

    public func stepTableProfiled(_ name: String) throws(ArchetypeError) -> (batch: RecordBatch, profile: StepProfile) {
        if let poison { throw poison }
        if epoch != nil { throw .stepInFlight(name) }
        let active = activeTables()
        guard active == [name] else { throw .invalidTableStep(table: name, activeTables: active) }
        let clock = Stopwatch()
        let n = tick
        var prepared: [Prepared]
        do { prepared = [try prepare(try table(name), tick: n)] } catch { lastFailedTable = name; throw error }
        try publish(&prepared, tick: n, singleTable: true)
        finalize(prepared, tables: active)
        return (prepared[0].batch, StepProfile(tick: n, tables: prepared.map(\.profile), tickSeconds: clock.seconds))
    }

    // MARK: Phases

    /// The prior rows of `t` with its tombstones applied (§5.1 steps 3.1–3.3).
    func priorWithTombstones(_ t: TableState, _ profile: inout TableStepProfile) throws(ArchetypeError) -> RecordBatch {
        let read = Stopwatch()
        let prior = try loadLive(t)
        profile.readPriorSeconds += read.seconds
        profile.rowsPrior = prior.length
        guard !t.tombstones.isEmpty else { return prior }
        let mat = Stopwatch()
        defer { profile.materializeSeconds += mat.seconds }
        var bits = BitmapBuilder(capacity: prior.length)
        let ids = prior.columns[2]
        let active = prior.columns[4]
        for r in 0..<prior.length {
            let e = ids.buffers[1]!.load(ids.offset + r, as: Int32.self)
            bits.append(!t.tombstones.contains(e) && Bitmap.get(active.buffers[1]!.baseAddress, active.offset + r))
        }
        let column = ArrayData(unchecked: .boolean, length: prior.length, nullCount: 0, buffers: [nil, bits.finish()])
        var columns = prior.columns
        columns[4] = column
        do { return try RecordBatch(schema: prior.schema, columns: columns, length: prior.length) } catch { throw .arrow(error) }
    }

    /// Runs the eligible processors with contract checks after each (§8).
    func runProcessors(_ t: TableState, _ input: RecordBatch, tick n: Int32, _ profile: inout TableStepProfile) throws(ArchetypeError) -> RecordBatch {
        let clock = Stopwatch()
        defer { profile.processSeconds += clock.seconds }
        var batch = input
        let context = ProcessorContext(worldId: worldId, runId: runId, tick: n, table: t.name)
        for p in eligible(t.schema) {
            let output: RecordBatch
            do {
                output = try p.process(batch, context: context)
            } catch let e as ArchetypeError {
                throw .processorFailed(processor: p.name, table: t.name, cause: e)
            } catch let e as ArrowError {
                throw .processorFailed(processor: p.name, table: t.name, cause: .arrow(e))
            } catch {
                throw .processorFailed(processor: p.name, table: t.name, cause: .processor("\(error)"))
            }
            if let v = ProcessorContract.violation(input: batch, output: output) {
                throw .processorContractViolation(processor: p.name, table: t.name, detail: v)
            }
            batch = output
        }
        return batch
    }

    /// Appends the staged rows, stamps and builds the next snapshot (§5.1 steps 3.5–3.7).
    func complete(_ t: TableState, processed: RecordBatch, tick n: Int32, _ profile: inout TableStepProfile) throws(ArchetypeError) -> Prepared {
        let mat = Stopwatch()
        var batch = processed
        if let staged = try t.staged.materialize(t.schema) {
            if batch.length == 0 {
                batch = staged
            } else {
                do { batch = try RecordBatch.concatenate([try BatchBuilding.retyped(batch, t.schema), staged]) } catch let e as ArchetypeError { throw e } catch { throw .internal("\(error)") }
            }
        }
        let rows = batch.length
        var columns = batch.columns
        columns[0] = constants.world(rows)
        columns[1] = constants.run(rows)
        columns[3] = BatchBuilding.constantInt32(n, rows)
        let stamped: RecordBatch
        do { stamped = try RecordBatch(schema: t.schema, columns: columns, length: rows) } catch { throw .arrow(error) }
        profile.materializeSeconds += mat.seconds
        let snap = Stopwatch()
        var live = stamped
        if !t.tombstones.isEmpty {
            let active = stamped.columns[4]
            let keep = (0..<rows).filter { Bitmap.get(active.buffers[1]!.baseAddress, active.offset + $0) }
            do { live = try stamped.take(keep) } catch { throw .arrow(error) }
        }
        profile.liveSnapshotSeconds += snap.seconds
        return Prepared(state: t, batch: stamped, live: live, profile: profile)
    }

    /// Prepares one table for tick N: nothing is appended or consumed.
    func prepare(_ t: TableState, tick n: Int32) throws(ArchetypeError) -> Prepared {
        let clock = Stopwatch()
        var profile = TableStepProfile(table: t.name)
        let prior = try priorWithTombstones(t, &profile)
        let processed = try runProcessors(t, prior, tick: n, &profile)
        let p = try complete(t, processed: processed, tick: n, &profile)
        p.profile.tableSeconds = clock.seconds
        return p
    }

    /// Appends the prepared batches in order (§5.1 step 4) under the rules of §6.
    func publish(_ prepared: inout [Prepared], tick n: Int32, singleTable: Bool) throws(ArchetypeError) {
        var committed: [String] = []
        for i in prepared.indices where prepared[i].batch.length > 0 {
            let p = prepared[i]
            let clock = Stopwatch()
            do {
                try store.append(p.table, p.batch)
            } catch {
                lastFailedTable = p.table
                prepared[i].profile.appendSeconds += clock.seconds
                if committed.isEmpty && !error.published {
                    throw .storeAppend(table: p.table, cause: error)
                }
                if error.published { committed.append(p.table) }
                let poisoned = ArchetypeError.partialTick(tick: n, committedTables: committed, cause: "\(error)")
                poison = poisoned
                throw poisoned
            }
            let s = clock.seconds
            prepared[i].profile.appendSeconds += s
            prepared[i].profile.tableSeconds += s
            prepared[i].profile.rowsAppended = p.batch.length
            committed.append(p.table)
            p.state.committed = true
        }
    }

    /// Consumes staged rows and tombstones, installs snapshots, advances the tick (infallible).
    func finalize(_ prepared: [Prepared], tables names: [String]) {
        for (i, name) in names.enumerated() {
            // Every step prepares its tables in the order of `names`; the search is a fallback.
            let p = i < prepared.count && prepared[i].table == name ? prepared[i] : prepared.first { $0.table == name }
            guard let t = p?.state ?? tables[name] else { continue }
            t.staged = Staging()
            t.tombstones = []
            t.tombstoneOrder = []
            if let p { t.installLive(p.live) }
        }
        tick += 1
        lastFailedTable = ""
    }
}
