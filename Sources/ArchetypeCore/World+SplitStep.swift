import Arrow

extension World {
    /// Opens (or joins) the split step of tick N for `table` and returns its prior rows with
    /// tombstones applied (engine.md §5.5). Staged rows are not included.
    public func beginTableStep(_ table: String) throws(ArchetypeError) -> RecordBatch {
        if let poison { throw poison }
        if var e = epoch {
            guard let i = e.position(of: table) else { throw .stepTableMismatch(table) }
            guard case .pending = e.steps[i] else { throw .stepInFlight(table) }
            epoch = nil // put back below; meanwhile `e` holds its states alone (no copy)
            var profile = TableStepProfile(table: table)
            do throws(ArchetypeError) {
                let t = try self.table(table)
                let batch = try priorWithTombstones(t, &profile)
                e.steps[i] = .begun(Epoch.Begun(state: t, batch: batch, profile: profile))
                epoch = e
                return batch
            } catch {
                lastFailedTable = table
                throw error // a data-path failure closes the epoch
            }
        }
        guard let t = tables[table] else { throw .unknownTable(table) }
        let active = activeTables()
        guard active.contains(table) else { throw .tableNotActive(table) }
        var profile = TableStepProfile(table: table)
        let batch: RecordBatch
        do { batch = try priorWithTombstones(t, &profile) } catch { lastFailedTable = table; throw error }
        var e = Epoch(tick: tick, tables: active)
        guard let i = e.position(of: table) else { throw .internal("table \(table) is active but not in the epoch") }
        e.steps[i] = .begun(Epoch.Begun(state: t, batch: batch, profile: profile))
        epoch = e
        return batch
    }

    /// Commits the processed batch of `table`. When it is the last table of the epoch, the tick
    /// is appended and completed; the profile is returned then (nil otherwise).
    ///
    /// - Parameter validated: every column of `processed` was validated completely (the C Data
    ///   importer does), so the contract need not check their nulls and nested contents again.
    public func commitTableStep(_ table: String, processed: RecordBatch, validated: Bool = false) throws(ArchetypeError) -> StepProfile? {
        if let poison { throw poison }
        guard var e = epoch else { throw .noStepInFlight(table) }
        guard let i = e.position(of: table) else { throw .stepTableMismatch(table) }
        guard case .begun(let begun) = e.steps[i] else { throw .noStepInFlight(table) }
        let t = begun.state, input = begun.batch
        var profile = begun.profile
        profile.processSeconds += begun.clock.seconds
        // The epoch is put back below unless this commit closes it: until then `e` holds its
        // states alone, so updating them copies nothing. A failure leaves it closed (§5.5).
        epoch = nil
        do throws(ArchetypeError) {
            // Under the table's own schema when it matches, so that the contract's schema check
            // and the later ones see the fields they compare against and cost nothing.
            let output = BatchBuilding.retypedIfEqual(processed, for: t) ?? processed
            if let v = ProcessorContract.violation(input: input, output: output, validated: validated) {
                throw .processorContractViolation(processor: "split-step", table: table, detail: v)
            }
            let p = try complete(t, processed: try BatchBuilding.retyped(output, t.schema), tick: e.tick, &profile)
            p.profile.tableSeconds = p.profile.readPriorSeconds + p.profile.materializeSeconds + p.profile.processSeconds + p.profile.liveSnapshotSeconds
            e.steps[i] = .committed(p)
        } catch {
            lastFailedTable = table
            throw error
        }
        var prepared: [Prepared] = []
        prepared.reserveCapacity(e.steps.count)
        for step in e.steps {
            guard case .committed(let p) = step else {
                epoch = e
                return nil
            }
            prepared.append(p)
        }
        try publish(&prepared, tick: e.tick, singleTable: false)
        finalize(prepared, tables: e.tables)
        return StepProfile(tick: e.tick, tables: prepared.map(\.profile), tickSeconds: e.clock.seconds)
    }

    /// Abandons the open epoch: nothing appended or consumed, tick unchanged.
    public func abortStep(_ table: String? = nil) throws(ArchetypeError) {
        guard let e = epoch else { throw .noStepInFlight(table) }
        if let table, e.position(of: table) == nil { throw .stepTableMismatch(table) }
        epoch = nil
    }
}

extension World {
    /// The protocol checks of ``commitTableStep(_:processed:validated:)`` alone (c-abi.md §9.2): poisoned,
    /// no open epoch, a table outside the frozen set, a table not begun. A host that must decode
    /// the processed batch first runs these so that protocol errors win over data errors.
    ///
    /// - Returns: the batch handed out when the table's step began.
    @discardableResult
    public func checkCommittable(_ table: String) throws(ArchetypeError) -> RecordBatch {
        if let poison { throw poison }
        guard let e = epoch else { throw .noStepInFlight(table) }
        guard let i = e.position(of: table) else { throw .stepTableMismatch(table) }
        guard case .begun(let begun) = e.steps[i] else { throw .noStepInFlight(table) }
        return begun.batch
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
