import Arrow
@testable import ArchetypeCore
import Testing

/// engine.md §13: migration (C44–C55), tick lifecycle (C56–C62), profiling (C94).
@Suite struct MigrationAndLifecycleContractTests {
    typealias R = Fx.Row

    @Test func c44_addingAComponent() throws {
        let (w, s) = try Fx.world()
        try w.addProcessor(AddOne())
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        try w.queueMigration([1], to: Fx.PV, values: try Fx.dxs([2]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [2])])
        #expect(try Fx.ledger(w, Fx.PV, 1) == [R(1, true, [1, 2])])
        #expect(s.recorded.appendedTables.suffix(2) == [Fx.P, Fx.PV])
        try w.step()
        #expect(try Fx.ledger(w, Fx.PV, 2) == [R(1, true, [2, 2])])
        #expect(try Fx.ledger(w, Fx.P, 2).isEmpty)
    }

    @Test func c45_removingAComponentDropsItsColumns() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.PV, components: try Fx.xdx([(1, 2)]))
        try w.step()
        try w.queueMigration([1], to: Fx.P, values: try Fx.empty(1))
        try w.step()
        #expect(try Fx.ledger(w, Fx.PV, 1) == [R(1, false, [1, 2])])
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, true, [1])])
        #expect(try w.query(Fx.P)[0].schema.index(of: "velocity__dx") == nil)
    }

    @Test func c46_migratingASameTickSpawnMovesIt() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([3]))
        try w.queueMigration([1], to: Fx.PV, values: try Fx.dxs([4]))
        try w.step()
        #expect(s.recorded.appendedTables == [Fx.PV])
        #expect(try Fx.ledger(w, Fx.PV, 0) == [R(1, true, [3, 4])])
    }

    @Test func c47_migratingFromAnEmptySchemaTable() throws {
        let (w, s) = try Fx.world()
        try w.registerTable("empty", components: [])
        try w.registerTable("velocity", components: [Fx.dx])
        _ = try w.queueSpawn("empty", components: try Fx.empty(1))
        try w.step()
        try w.queueMigration([1], to: "velocity", values: try Fx.dxs([4]))
        try w.step()
        #expect(s.recorded.appendedTables.last == "velocity")
        #expect(!w.activeTables().contains("empty"))
        #expect(try Fx.ledger(w, "velocity", 1) == [R(1, true, [4])])
    }

    @Test func c48_updateThenMigrationCompose() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        try w.queueUpdate([1], patch: try Fx.xs([5]))
        try w.queueMigration([1], to: Fx.PV, values: try Fx.dxs([2]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [1])])
        #expect(try Fx.ledger(w, Fx.PV, 1) == [R(1, true, [5, 2])])
    }

    @Test func c49_migrationThenDespawn() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        try w.queueMigration([1], to: Fx.PV, values: try Fx.dxs([2]))
        try w.queueDespawn([1])
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [1])])
        #expect(s.recorded.appendedTables == [Fx.P, Fx.P])
    }

    @Test func c50_c51_migrationValidation() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.unknownEntity(42)) { try w.queueMigration([42], to: Fx.PV, values: try Fx.dxs([1])) }
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        #expect(throws: ArchetypeError.missingColumn(table: Fx.PV, column: "velocity__dx")) { try w.queueMigration([1], to: Fx.PV, values: try Fx.empty(1)) }
        #expect(w.tableOf(1) == Fx.P)
    }

    @Test func c52_rejectedMigrationLeavesStagedSpawn() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        #expect(throws: ArchetypeError.self) { try w.queueMigrationRows([1], to: Fx.PV, rows: try Fx.xdx([])) }
        try w.step()
        #expect(s.recorded.appendedTables == [Fx.P])
        #expect(try w.query(Fx.P)[0].schema.index(of: "velocity__dx") == nil)
    }

    @Test func c53_fullRowMigrationIgnoresOldValues() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        try w.queueMigrationRows([1], to: Fx.PV, rows: try Fx.xdx([(10, 2)]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.PV, 1) == [R(1, true, [10, 2])])
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [1])])
    }

    @Test func c54_migratingIntoTheSameTableRejected() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        #expect(throws: ArchetypeError.self) { try w.queueMigration([1], to: Fx.P, values: try Fx.xs([7])) }
        try w.queueUpdate([1], patch: try Fx.xs([7]))
    }

    @Test func c55_oldTableActiveForOneMoreTick() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        try w.queueMigration([1], to: Fx.PV, values: try Fx.dxs([2]))
        try w.step()
        try w.step()
        #expect(s.recorded.appendedTables == [Fx.P, Fx.P, Fx.PV, Fx.PV])
    }

    @Test func c56_processorsRunOnEmptyBatches() throws {
        let (w, _) = try Fx.world()
        let p = Probe(requires: ["position__x"])
        try w.addProcessor(p)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.run(3)
        #expect(p.calls == [0, 1, 1])
    }

    @Test func c57_emptyWorldAdvances() throws {
        let (w, s) = try Fx.world()
        let profile = try w.stepProfiled()
        #expect(w.tick == 1 && s.recorded.appends == 0 && s.recorded.reads == 0 && profile.tables.isEmpty)
    }

    @Test func c58_orderIsBytewise() throws {
        let (w, s) = try Fx.world()
        try w.registerTable("B", components: [Fx.x])
        try w.registerTable("a", components: [Fx.x])
        _ = try w.queueSpawn("a", components: try Fx.xs([1]))
        _ = try w.queueSpawn("B", components: try Fx.xs([1]))
        try w.step()
        #expect(s.recorded.appendedTables == ["B", "a"])
    }

    @Test func c59_eachProcessorOncePerAttempt() throws {
        let (w, s) = try Fx.world()
        let p = Probe()
        try w.addProcessor(p)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.run(2)
        #expect(p.calls.count == 2)
        s.failNextAppend()
        #expect(throws: ArchetypeError.self) { try w.step() }
        try w.step()
        #expect(p.calls.count == 4)
    }

    @Test func c60_c61_priorsComeFromLiveSnapshots() throws {
        let (w, s) = try Fx.world()
        try w.addProcessor(AddOne())
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([0]))
        try w.run(3)
        #expect(s.recorded.reads == 0)
        let q = try w.query(Fx.P, filter: ReadFilter(ticks: [2], activeOnly: true))
        #expect(q[0].columns[5].buffers[1]!.load(q[0].columns[5].offset, as: Double.self) == 2)
        let live = try w.liveSnapshot(Fx.P)
        #expect(live == q[0])
    }

    @Test func c62_tickNumbering() throws {
        let (w, _) = try Fx.world()
        final class TickProbe: Processor, @unchecked Sendable {
            var name: String { "tick" }
            var priority: Int32 { 0 }
            var requiredColumns: [String] { [] }
            var ticks: [Int32] = []
            func process(_ batch: RecordBatch, context: ProcessorContext) throws -> RecordBatch { ticks.append(context.tick); return batch }
        }
        let p = TickProbe()
        try w.addProcessor(p)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        let profile = try w.stepProfiled()
        #expect(p.ticks == [0] && profile.tick == 0 && w.tick == 1)
    }

    @Test func c94_profileIsConsistent() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        let profile = try w.stepProfiled()
        #expect(profile.tick == 0 && w.tick == 1 && profile.tables.map(\.table) == [Fx.P])
        for t in profile.tables {
            let phases = [t.readPriorSeconds, t.materializeSeconds, t.processSeconds, t.appendSeconds, t.liveSnapshotSeconds]
            #expect(phases.allSatisfy { $0 >= 0 })
            #expect(phases.reduce(0, +) <= t.tableSeconds + 1e-9)
            #expect(t.tableSeconds >= t.processSeconds)
        }
        #expect(profile.tickSeconds >= profile.tables.map(\.tableSeconds).reduce(0, +))
    }
}
