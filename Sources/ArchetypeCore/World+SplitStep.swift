import Arrow

extension World {
    /// Opens (or joins) the split step of tick N for `table` and returns its prior rows with
    /// tombstones applied (engine.md §5.5). Staged rows are not included.
    public func beginTableStep(_ table: String) throws(ArchetypeError) -> RecordBatch {
        if let poison { throw poison }
        if var e = epoch {
            guard let state = e.states[table] else { throw .stepTableMismatch(table) }
            guard case .pending = state else { throw .stepInFlight(table) }
            var profile = TableStepProfile(table: table)
            do throws(ArchetypeError) {
                let batch = try priorWithTombstones(try self.table(table), &profile)
                e.states[table] = .begun(batch, Stopwatch(), profile)
                epoch = e
                return batch
            } catch {
                lastFailedTable = table
                epoch = nil // data-path failure closes the epoch
                throw error
            }
        }
        guard tables[table] != nil else { throw .unknownTable(table) }
        let active = activeTables()
        guard active.contains(table) else { throw .tableNotActive(table) }
        var profile = TableStepProfile(table: table)
        let batch: RecordBatch
        do { batch = try priorWithTombstones(try self.table(table), &profile) } catch { lastFailedTable = table; throw error }
        var e = Epoch(tick: tick, tables: active)
        e.states[table] = .begun(batch, Stopwatch(), profile)
        epoch = e
        return batch
    }

    /// Commits the processed batch of `table`. When it is the last table of the epoch, the tick
    /// is appended and completed; the profile is returned then (nil otherwise).
    public func commitTableStep(_ table: String, processed: RecordBatch) throws(ArchetypeError) -> StepProfile? {
        if let poison { throw poison }
        guard var e = epoch else { throw .noStepInFlight(table) }
        guard let state = e.states[table] else { throw .stepTableMismatch(table) }
        guard case .begun(let input, let clock, var profile) = state else { throw .noStepInFlight(table) }
        profile.processSeconds += clock.seconds
        do throws(ArchetypeError) {
            if let v = ProcessorContract.violation(input: input, output: processed) {
                throw .processorContractViolation(processor: "split-step", table: table, detail: v)
            }
            let t = try self.table(table)
            var p = try complete(t, processed: try BatchBuilding.retyped(processed, t.schema), tick: e.tick, &profile)
            p.profile.tableSeconds = p.profile.readPriorSeconds + p.profile.materializeSeconds + p.profile.processSeconds + p.profile.liveSnapshotSeconds
            e.states[table] = .committed(p)
        } catch {
            lastFailedTable = table
            epoch = nil
            throw error
        }
        epoch = e
        var prepared: [Prepared] = []
        for name in e.tables {
            guard case .committed(let p)? = e.states[name] else { return nil }
            prepared.append(p)
        }
        do {
            try publish(&prepared, tick: e.tick, singleTable: false)
        } catch {
            epoch = nil
            throw error
        }
        epoch = nil
        finalize(prepared, tables: e.tables)
        return StepProfile(tick: e.tick, tables: prepared.map(\.profile), tickSeconds: e.clock.seconds)
    }

    /// Abandons the open epoch: nothing appended or consumed, tick unchanged.
    public func abortStep(_ table: String? = nil) throws(ArchetypeError) {
        guard let e = epoch else { throw .noStepInFlight(table) }
        if let table, e.states[table] == nil { throw .stepTableMismatch(table) }
        epoch = nil
    }
}

extension World {
    /// The protocol checks of ``commitTableStep(_:processed:)`` alone (c-abi.md §9.2): poisoned,
    /// no open epoch, a table outside the frozen set, a table not begun. A host that must decode
    /// the processed batch first runs these so that protocol errors win over data errors.
    public func checkCommittable(_ table: String) throws(ArchetypeError) {
        if let poison { throw poison }
        guard let e = epoch else { throw .noStepInFlight(table) }
        guard let state = e.states[table] else { throw .stepTableMismatch(table) }
        guard case .begun = state else { throw .noStepInFlight(table) }
    }

    /// Closes the open epoch after a data-path failure outside the engine (c-abi.md §9.5): the
    /// table is recorded as the last failed one; nothing is published or consumed.
    public func closeEpoch(failedTable table: String) {
        guard epoch != nil else { return }
        lastFailedTable = table
        epoch = nil
    }

    /// The open epoch's tick, or nil.
    public var epochTick: Int32? { epoch?.tick }
}
