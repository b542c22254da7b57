import Arrow
@testable import ArchetypeCore
import Testing

/// engine.md §13: failure atomicity and poisoning (C63–C73), split step (C74–C77), resume
/// (C78–C82), query (C83–C85), scheduling (C86–C88), movement (C89–C93), types and store
/// (C95–C98).
@Suite struct FailureSplitResumeContractTests {
    typealias R = Fx.Row

    @Test func c63_processorFailurePreventsEveryAppend() throws {
        let (w, s) = try Fx.world()
        let p = Probe("fails_on_pv", requires: ["velocity__dx"])
        p.fail = true
        try w.addProcessor(p)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        _ = try w.queueSpawn(Fx.PV, components: try Fx.xdx([(1, 1)]))
        #expect(throws: ArchetypeError.self) { try w.step() }
        do { try w.step() } catch { guard case .processorFailed(_, Fx.PV, _) = error else { Issue.record("\(error)"); return } }
        #expect(w.tick == 0 && s.recorded.appends == 0)
        p.fail = false
        try w.step()
        #expect(w.tick == 1 && s.recorded.appendedTables == [Fx.P, Fx.PV])
    }

    @Test func c64_firstFailingTableReported() throws {
        let (w, s) = try Fx.world()
        try w.registerTable("a", components: [Fx.x])
        try w.registerTable("b", components: [Fx.x])
        let p = Probe("fail", requires: ["position__x"])
        p.fail = true
        try w.addProcessor(p)
        _ = try w.queueSpawn("a", components: try Fx.xs([1]))
        _ = try w.queueSpawn("b", components: try Fx.xs([1]))
        do { try w.step(); Issue.record("no error") } catch { guard case .processorFailed(_, "a", _) = error else { Issue.record("\(error)"); return } }
        #expect(p.calls.count == 1 && s.recorded.appends == 0)
    }

    @Test func c65_c66_firstAppendFailureIsRetryable() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        s.failNextAppend()
        do { try w.step() } catch { guard case .storeAppend(Fx.P, _) = error else { Issue.record("\(error)"); return } }
        #expect(w.tick == 0 && s.recorded.appends == 0)
        try w.step()
        #expect(w.tick == 1 && s.recorded.appends == 1)
        try w.queueDespawn([1])
        s.failNextAppend()
        #expect(throws: ArchetypeError.self) { try w.step() }
        #expect(w.tick == 1 && s.recorded.appends == 1)
        try w.step()
        #expect(w.tick == 2 && s.recorded.appends == 2)
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [1])])
    }

    @Test func c67_appendFailureAfterACommitPoisons() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        _ = try w.queueSpawn(Fx.PV, components: try Fx.xdx([(1, 1)]))
        s.failNextAppend(to: Fx.PV)
        var first: ArchetypeError?
        do { try w.step() } catch { first = error }
        guard case .partialTick(0, [Fx.P], _)? = first else { Issue.record("\(String(describing: first))"); return }
        #expect(w.tick == 0 && s.recorded.appends == 1)
        #expect(throws: first!) { try w.step() }
        #expect(s.recorded.appends == 1)
        #expect(throws: first!) { _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1])) }
        #expect(throws: first!) { try w.queueDespawn([1]) }
        #expect(throws: first!) { try w.queueUpdate([1], patch: try Fx.xs([1])) }
        #expect(throws: first!) { try w.queueMigration([1], to: Fx.PV, values: try Fx.dxs([1])) }
        #expect(throws: first!) { _ = try w.reserveEntityIds(1) }
        #expect(throws: first!) { try w.registerTable("z", components: []) }
        #expect(throws: first!) { try w.addProcessor(AddOne()) }
        #expect(throws: first!) { _ = try w.stepTable(Fx.P) }
        #expect(try w.query(Fx.P).map(\.length) == [1])
    }

    @Test func c68_publishedButFailedAppendPoisons() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        s.failNextAppend(published: true)
        do { try w.step() } catch { guard case .partialTick(0, [Fx.P], _) = error else { Issue.record("\(error)"); return } }
        #expect(try w.query(Fx.P, filter: ReadFilter(ticks: [0])).map(\.length) == [1])
    }

    @Test func c69_c71_stepTableRejectsMultiTableTicks() throws {
        let (w, s) = try Fx.world()
        #expect(throws: ArchetypeError.invalidTableStep(table: Fx.P, activeTables: [])) { _ = try w.stepTable(Fx.P) }
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        _ = try w.queueSpawn(Fx.PV, components: try Fx.xdx([(1, 1)]))
        #expect(throws: ArchetypeError.invalidTableStep(table: Fx.P, activeTables: [Fx.P, Fx.PV])) { _ = try w.stepTable(Fx.P) }
        #expect(w.tick == 0 && s.recorded.reads == 0 && s.recorded.appends == 0)
        try w.step()
        #expect(w.tick == 1 && s.recorded.appends == 2)
    }

    @Test func c70_stepTableIsRetryable() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        s.failNextAppend()
        #expect(throws: ArchetypeError.self) { _ = try w.stepTable(Fx.P) }
        #expect(w.tick == 0 && s.recorded.appends == 0 && w.poison == nil)
        let b = try w.stepTable(Fx.P)
        #expect(b.length == 1 && w.tick == 1 && s.recorded.appends == 1)
    }

    @Test func c72_contractViolationsAbortTheTick() throws {
        let cases: [(RecordBatch) throws -> RecordBatch] = [
            { b in try b.select(b.schema.fields.map(\.name).filter { $0 != "entity_id" }) },
            { b in try b.slice(offset: 0, length: 0) },
            { b in try b.take([1, 0]) },
            { b in try b.replacing(column: "is_active", with: ArrayData.from([Bool](repeating: false, count: b.length))) },
            { b in try b.replacing(column: "position__x", with: ArrayData.from([Float](repeating: 1, count: b.length)), field: Field("position__x", .float32, nullable: false)) },
            // A null cannot be built into a non-nullable field through the Swift API: the
            // processor must loosen the field, which the contract reports as a schema change.
            { b in try b.replacing(column: "position__x", with: ArrayData.from([Double?](repeating: nil, count: b.length)), field: Field("position__x", .float64, nullable: true)) },
        ]
        for transform in cases {
            let (w, s) = try Fx.world()
            _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1, 2]))
            try w.step()
            let p = Probe("bad")
            p.transform = transform
            let id = try w.addProcessor(p)
            do { try w.step(); Issue.record("no violation") } catch {
                guard case .processorContractViolation("bad", Fx.P, _) = error else { Issue.record("\(error)"); continue }
            }
            #expect(w.tick == 1 && s.recorded.appends == 1)
            try w.removeProcessor(id)
            try w.step()
            #expect(w.tick == 2)
        }
    }

    @Test func c73_failedPriorReadIsRetryable() throws {
        let store = RecordingStore()
        let (w, _) = try Fx.world(store)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        let resumed = try World.open(worldId: "world-a", runId: "run-a", store: store)
        store.failNextRead()
        do { try resumed.step() } catch { guard case .storeRead(Fx.P, _) = error else { Issue.record("\(error)"); return } }
        #expect(resumed.tick == 1)
        try resumed.step()
        #expect(resumed.tick == 2)
    }

    @Test func c74_c75_splitStepMatchesNativeStep() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([5]))
        for _ in 0..<3 {
            let b = try w.beginTableStep(Fx.P)
            let processed = try AddOne().process(b, context: ProcessorContext(worldId: "", runId: "", tick: 0, table: Fx.P))
            #expect(try w.commitTableStep(Fx.P, processed: processed) != nil)
        }
        #expect(try (0..<3).map { try Fx.ledger(w, Fx.P, Int32($0)) } == [[R(1, true, [5])], [R(1, true, [6])], [R(1, true, [7])]])
        // Appends wait for the last commit.
        _ = try w.queueSpawn(Fx.PV, components: try Fx.xdx([(1, 1)]))
        let appends = s.recorded.appends
        let bp = try w.beginTableStep(Fx.P)
        let bpv = try w.beginTableStep(Fx.PV)
        #expect(try w.commitTableStep(Fx.P, processed: bp) == nil)
        #expect(s.recorded.appends == appends)
        #expect(try w.commitTableStep(Fx.PV, processed: bpv) != nil)
        #expect(s.recorded.appends == appends + 2 && w.tick == 4)
    }

    @Test func c76_protocolErrorsLeaveTheEpochUnchanged() throws {
        let (w, s) = try Fx.world()
        try w.registerTable("other", components: [Fx.x])
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        _ = try w.queueSpawn(Fx.PV, components: try Fx.xdx([(1, 1)]))
        #expect(throws: ArchetypeError.noStepInFlight(Fx.P)) { _ = try w.commitTableStep(Fx.P, processed: try Fx.xs([])) }
        #expect(throws: ArchetypeError.tableNotActive("other")) { _ = try w.beginTableStep("other") }
        #expect(!w.isEpochOpen)
        _ = try w.beginTableStep(Fx.P)
        #expect(throws: ArchetypeError.stepInFlight(Fx.P)) { _ = try w.beginTableStep(Fx.P) }
        #expect(throws: ArchetypeError.noStepInFlight(Fx.PV)) { _ = try w.commitTableStep(Fx.PV, processed: try Fx.xs([])) }
        #expect(throws: ArchetypeError.stepTableMismatch("other")) { _ = try w.beginTableStep("other") }
        #expect(throws: ArchetypeError.mutationDuringStep) { _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1])) }
        _ = try w.reserveEntityIds(1)
        #expect(throws: ArchetypeError.stepInFlight(nil)) { try w.step() }
        try w.abortStep()
        #expect(w.tick == 0 && s.recorded.appends == 0)
        try w.step()
        #expect(w.tick == 1 && s.recorded.appends == 2)
    }

    @Test func c77_dataPathFailureClosesTheEpoch() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        let b = try w.beginTableStep(Fx.P)
        do { _ = try w.commitTableStep(Fx.P, processed: try b.slice(offset: 0, length: 0)); Issue.record("no error") } catch {
            guard case .processorContractViolation("split-step", Fx.P, _)? = error as? ArchetypeError else { Issue.record("\(error)"); return }
        }
        #expect(!w.isEpochOpen && w.tick == 1 && s.recorded.appends == 1)
        #expect(throws: ArchetypeError.noStepInFlight(Fx.P)) { _ = try w.commitTableStep(Fx.P, processed: b) }
        let again = try w.beginTableStep(Fx.P)
        #expect(try w.commitTableStep(Fx.P, processed: again) != nil)
    }

    @Test func c78_c79_c80_resume() throws {
        let store = RecordingStore()
        do {
            let (w, _) = try Fx.world(store)
            try w.addProcessor(AddOne())
            _ = try w.queueSpawn(Fx.P, components: try Fx.xs([5]))
            try w.run(3)
        }
        let reads = store.recorded.reads
        let w = try World.open(worldId: "world-a", runId: "run-a", store: store)
        try w.addProcessor(AddOne())
        #expect(w.tick == 3 && w.nextEntityId == 2 && w.schema(of: Fx.P) != nil)
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 3) == [R(1, true, [8])])
        #expect(store.recorded.filters.dropFirst(reads).contains(ReadFilter(worldId: "world-a", runId: "run-a", ticks: [2], activeOnly: true)))
        #expect(throws: ArchetypeError.runExists(worldId: "world-a", runId: "run-a")) { _ = try World.create(worldId: "world-a", runId: "run-a", store: store) }
        try w.queueDespawn([1])
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 4) == [R(1, false, [9])])
        let other = try World.open(worldId: "world-a", runId: "run-b", store: store)
        #expect(other.tick == 0 && other.nextEntityId == 1 && other.tableNames.isEmpty)
    }

    @Test func c81_tornTickDetectedOnOpen() throws {
        let store = RecordingStore()
        let (w, _) = try Fx.world(store)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        _ = try w.queueSpawn(Fx.PV, components: try Fx.xdx([(1, 1)]))
        try w.step()
        store.failNextAppend(to: Fx.PV)
        #expect(throws: ArchetypeError.self) { try w.step() }
        do { _ = try World.open(worldId: "world-a", runId: "run-a", store: store); Issue.record("opened") } catch {
            guard case .partialTick(1, [Fx.P], _) = error else { Issue.record("\(error)"); return }
        }
        #expect(try store.read(Fx.PV, filter: .all, columns: nil).map(\.length) == [1])
    }

    @Test func c82_tablesEmptiedByDespawnAreNotTorn() throws {
        let store = RecordingStore()
        let (w, _) = try Fx.world(store)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        _ = try w.queueSpawn(Fx.PV, components: try Fx.xdx([(1, 1)]))
        try w.step()
        try w.queueDespawn([1])
        try w.run(3)
        let again = try World.open(worldId: "world-a", runId: "run-a", store: store)
        #expect(again.tick == 4)
    }

    @Test func c83_c84_c85_queries() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        #expect(throws: ArchetypeError.unknownTable("never_written")) { _ = try w.query("never_written") }
        #expect(try w.query(Fx.P).isEmpty)
        try w.step()
        _ = try w.query(Fx.P, filter: ReadFilter(ticks: [2], entityIds: [7], activeOnly: true))
        #expect(s.recorded.filters.last == ReadFilter(worldId: "world-a", runId: "run-a", ticks: [2], entityIds: [7], activeOnly: true))
        _ = try w.query(Fx.P, filter: ReadFilter(worldId: "w2"))
        #expect(s.recorded.filters.last?.worldId == "w2")
        #expect(try w.query(Fx.P, filter: ReadFilter(ticks: [999])).isEmpty)
        _ = try w.beginTableStep(Fx.P)
        #expect(try w.query(Fx.P).map(\.length) == [1])
    }

    @Test func c86_c87_c88_scheduling() throws {
        let (w, _) = try Fx.world()
        let skipped = Probe("skipped", requires: ["missing__x"])
        try w.addProcessor(skipped)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1, 2]))
        try w.run(2)
        #expect(skipped.calls.isEmpty)
        #expect(try Fx.ledger(w, Fx.P, 1).map(\.values) == [[1], [2]])
        try w.addProcessor(AddOne())
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 2).map(\.values) == [[2], [3]])
        var order: [String] = []
        final class Named: Processor, @unchecked Sendable {
            let name: String; let priority: Int32; var requiredColumns: [String] { [] }
            let log: (String) -> Void
            init(_ n: String, _ p: Int32, _ log: @escaping (String) -> Void) { name = n; priority = p; self.log = log }
            func process(_ batch: RecordBatch, context: ProcessorContext) throws -> RecordBatch { log(name); return batch }
        }
        let (w2, _) = try Fx.world()
        for (n, p) in [("A", Int32(5)), ("B", 0), ("C", 5)] { try w2.addProcessor(Named(n, p) { order.append($0) }) }
        try w2.addProcessor(try MovementProcessor())
        _ = try w2.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w2.step()
        #expect(order == ["B", "A", "C"])
    }

    @Test func c89_c90_c91_c92_movement() throws {
        let f = ["position__x", "position__y", "velocity__dx", "velocity__dy"].map { Field($0, .float64) }
        let b = try RecordBatch(schema: Schema(f), columns: [ArrayData.from([0.0, 10]), ArrayData.from([1.0, 2]), ArrayData.from([2.0, 3]), ArrayData.from([-0.5, 1.5])])
        let out = try MovementKernel.process(b, dt: 1)
        #expect(out.columns[0].logicallyEquals(ArrayData.from([2.0, 13])) && out.columns[1].logicallyEquals(ArrayData.from([0.5, 3.5])))
        let fma = try MovementKernel.process(try RecordBatch(schema: Schema(f), columns: [ArrayData.from([0.1]), ArrayData.from([0.0]), ArrayData.from([1.1]), ArrayData.from([0.0])]), dt: 0.3)
        #expect(fma.columns[0].buffers[1]!.load(0, as: Double.self) == 0.43000000000000005)
        let nulls = try MovementKernel.process(try RecordBatch(schema: Schema(f), columns: [ArrayData.from([1.0, nil, 3]), ArrayData.from([0.0, 0, 0]), ArrayData.from([1.0, 1, nil]), ArrayData.from([0.0, 0, 0])]), dt: 1)
        #expect(nulls.columns[0].logicallyEquals(ArrayData.from([2.0, nil, nil])))
        #expect(throws: MovementKernel.Failure.missingColumn("velocity__dy")) { _ = try MovementKernel.process(try b.select(["position__x", "position__y", "velocity__dx"]), dt: 1) }
        // In a world: float32 position fails the processor; no velocity columns → skipped.
        let (w, _) = try Fx.world()
        try w.registerTable("f32", components: [Field("position__x", .float32), Field("position__y", .float64), Field("velocity__dx", .float64), Field("velocity__dy", .float64)])
        try w.addProcessor(try MovementProcessor())
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.run(2)
        _ = try w.queueSpawn("f32", components: try RecordBatch(schema: w.schema(of: "f32").map { Schema(Array($0.fields.dropFirst(5))) }!, columns: [ArrayData.from([Float(1)]), ArrayData.from([1.0]), ArrayData.from([1.0]), ArrayData.from([1.0])]))
        // Processors run even on the empty prior batch of the spawn tick, so the type error
        // shows at once.
        do { try w.step(); Issue.record("no error") } catch { guard case .processorFailed("movement", "f32", _) = error else { Issue.record("\(error)"); return } }
        #expect(throws: ArchetypeError.self) { _ = try MovementProcessor(dt: .infinity) }
    }

    @Test func c95_coreTypesRoundTrip() throws {
        let (w, _) = try Fx.world()
        let fields = [Field("c1__a", .int64), Field("c1__b", .utf8), Field("c3__raw", .binary), Field("c3__ids", .list(Field("item", .int64))),
                      Field("c4__nested", .struct([Field("z", .int64)])), Field("c2__g", .boolean)]
        try w.registerTable("A5", components: fields)
        let ids = ArrayData(unchecked: .list(Field("item", .int64)), length: 5, buffers: [nil, ArrowBuffer(values: [Int32(0), 1, 1, 3, 3, 4])],
                            children: [ArrayData.from([Int64(1), 2, 3, 4])])
        let nested = ArrayData(unchecked: .struct([Field("z", .int64)]), length: 5, buffers: [nil], children: [ArrayData.from([Int64(1), 2, 3, 4, 5])])
        let batch = try RecordBatch(schema: Schema(fields), columns: [
            ArrayData.from([Int64(1), 2, 3, 4, 5]), try ArrayData.from(["a", "b", "", "d", "é"]),
            try ArrayData.from(binary: [[1], [], [2, 3], nil, [4]]), ids, nested, ArrayData.from([true, false, true, false, true]),
        ])
        _ = try w.queueSpawn("A5", components: batch)
        try w.step()
        let back = try w.query("A5")[0]
        #expect(back.length == 5)
        #expect(try back.select(fields.map(\.name)) == batch)
    }

    @Test func c96_noEmptyAppends() throws {
        let (w, s) = try Fx.world()
        try w.addProcessor(AddOne())
        try w.run(3)
        #expect(s.recorded.appends == 0)
        let store = MemoryStore()
        try store.append(Fx.P, try RecordBatch.empty(w.schema(of: Fx.P)!))
        #expect(try store.tableNames().isEmpty)
    }

    @Test func c98_determinism() throws {
        func run(_ seed: UInt64) throws -> [[RecordBatch]] {
            var rng = seed
            func next() -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int(rng >> 33) }
            let (w, _) = try Fx.world()
            try w.addProcessor(AddOne())
            for _ in 0..<40 {
                let live = w.entities
                switch next() % 5 {
                case 0: _ = try w.queueSpawn(Fx.P, components: try Fx.xs([Double(next() % 100)]))
                case 1: if let (e, _) = live.randomElement(using: &rng) { try w.queueDespawn([e]) }
                case 2: if let (e, t) = live.randomElement(using: &rng) { try w.queueUpdate([e], patch: try Fx.xs([Double(next() % 7)])); _ = t }
                case 3:
                    if let (e, t) = live.randomElement(using: &rng) {
                        if t == Fx.P { try w.queueMigration([e], to: Fx.PV, values: try Fx.dxs([1])) }
                        else { try w.queueMigration([e], to: Fx.P, values: try Fx.empty(1)) }
                    }
                default: try w.step()
                }
            }
            try w.step()
            return [try w.query(Fx.P), try w.query(Fx.PV)]
        }
        #expect(try run(7) == run(7))
    }
}

extension UInt64: @retroactive RandomNumberGenerator {
    public mutating func next() -> UInt64 {
        self = self &* 6364136223846793005 &+ 1442695040888963407
        return self
    }
}

/// engine.md C97: a failed append leaves no visible rows.
@Suite struct FailedAppendVisibilityTests {
    @Test func c97_failedAppendLeavesNoVisibleRows() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1, 2]))
        try w.step()
        let before = try w.query(Fx.P)
        try w.queueDespawn([1])
        s.failNextAppend()
        #expect(throws: ArchetypeError.self) { try w.step() }
        #expect(try w.query(Fx.P) == before)
        #expect(w.poison == nil)
    }
}
