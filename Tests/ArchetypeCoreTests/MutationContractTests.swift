import Arrow
@testable import ArchetypeCore
import Testing

/// engine.md §13: spawn and initial conditions (C19–C28), stamping (C29–C30), despawn
/// (C31–C37), update (C38–C43).
@Suite struct MutationContractTests {
    typealias R = Fx.Row

    @Test func c19_spawnLandsRawThenProcessorsApply() throws {
        let (w, _) = try Fx.world()
        try w.addProcessor(AddOne())
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([5]))
        try w.run(3)
        #expect(try (0..<3).map { try Fx.ledger(w, Fx.P, Int32($0)) } == [[R(1, true, [5])], [R(1, true, [6])], [R(1, true, [7])]])
    }

    @Test func c20_midRunSpawnLandsRaw() throws {
        let (w, _) = try Fx.world()
        try w.addProcessor(AddOne())
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([0]))
        try w.run(2)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([100]))
        try w.run(2)
        #expect(try Fx.ledger(w, Fx.P, 2) == [R(1, true, [2]), R(2, true, [100])])
        #expect(try Fx.ledger(w, Fx.P, 3) == [R(1, true, [3]), R(2, true, [101])])
    }

    @Test func c21_batchSpawnIsRawAtTheSpawnTick() throws {
        let (w, _) = try Fx.world()
        try w.addProcessor(AddOne())
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([10, 20, 30]))
        try w.run(2)
        #expect(try Fx.ledger(w, Fx.P, 0).map(\.values) == [[10], [20], [30]])
        #expect(try Fx.ledger(w, Fx.P, 1).map(\.values) == [[11], [21], [31]])
    }

    @Test func c22_spawnOrderIsDeterministic() throws {
        let (w, _) = try Fx.world()
        for v in [1.0, 2, 3] { _ = try w.queueSpawn(Fx.P, components: try Fx.xs([v])) }
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 0) == [R(1, true, [1]), R(2, true, [2]), R(3, true, [3])])
    }

    @Test func c23_repeatedIdRejectedAndStagingCollapsesDuplicates() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.idAlreadyRegistered(7)) {
            try w.queueSpawn(Fx.P, components: try Fx.xs([1, 2, 99]), entityIds: [7, 8, 7])
        }
        #expect(w.activeTables().isEmpty)
        try w.stageRaw(Fx.P, components: try Fx.xs([1, 2, 99]), entityIds: [7, 8, 7])
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 0) == [R(7, true, [99]), R(8, true, [2])])
    }

    @Test func c24_tablesAppendInBytewiseOrder() throws {
        let (w, s) = try Fx.world()
        let v = Field("val__v", .float64, nullable: false), g = Field("tag__v", .float64, nullable: false)
        try w.registerTable("Val", components: [v])
        try w.registerTable("Tag", components: [g])
        for (t, f) in [("Val", v), ("Tag", g), ("Val", v), ("Tag", g)] {
            _ = try w.queueSpawn(t, components: try RecordBatch(schema: Schema([f]), columns: [ArrayData.from([1.0])]))
        }
        try w.step()
        #expect(s.recorded.appendedTables == ["Tag", "Val"])
    }

    @Test func c25_missingComponentColumnHasNoSideEffects() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.missingColumn(table: Fx.PV, column: "velocity__dx")) { _ = try w.queueSpawn(Fx.PV, components: try Fx.xs([1])) }
        #expect(w.nextEntityId == 1)
        #expect(w.activeTables().isEmpty)
    }

    @Test func c26_inputErrorsLeaveStateUnchanged() throws {
        let (w, _) = try Fx.world()
        let f32 = try RecordBatch(schema: Schema([Field("position__x", .float32)]), columns: [ArrayData.from([Float(1)])])
        #expect(throws: ArchetypeError.self) { _ = try w.queueSpawn(Fx.P, components: f32) }
        let withNull = try RecordBatch(schema: Schema([Field("position__x", .float64)]), columns: [ArrayData.from([Double?.none])])
        #expect(throws: ArchetypeError.nullInNonNullable(table: Fx.P, column: "position__x")) { _ = try w.queueSpawn(Fx.P, components: withNull) }
        let extra = try RecordBatch(schema: Schema([Fx.x, Field("foo__y", .float64)]), columns: [ArrayData.from([1.0]), ArrayData.from([1.0])])
        #expect(throws: ArchetypeError.unexpectedColumn(table: Fx.P, column: "foo__y")) { _ = try w.queueSpawn(Fx.P, components: extra) }
        let base = try RecordBatch(schema: Schema([Fx.x, Field("tick", .int32)]), columns: [ArrayData.from([1.0]), ArrayData.from([Int32(0)])])
        #expect(throws: ArchetypeError.metadataColumn(table: Fx.P, column: "tick")) { _ = try w.queueSpawn(Fx.P, components: base) }
        #expect(throws: ArchetypeError.rowCountMismatch(expected: 1, actual: 2)) { try w.queueSpawn(Fx.P, components: try Fx.xs([1, 2]), entityIds: [5]) }
        #expect(w.nextEntityId == 1 && w.activeTables().isEmpty && w.entityCount == 0)
    }

    @Test func c27_zeroRowSpawnIsANoOp() throws {
        let (w, s) = try Fx.world()
        #expect(try w.queueSpawn(Fx.P, components: try Fx.xs([])) == [])
        #expect(w.activeTables().isEmpty)
        try w.step()
        #expect(w.tick == 1 && s.recorded.appends == 0)
    }

    @Test func c28_manySmallSpawnsKeepOrder() throws {
        let (w, _) = try Fx.world()
        for i in 0..<256 { _ = try w.queueSpawn(Fx.P, components: try Fx.xs([Double(i)])) }
        try w.step()
        let rows = try Fx.ledger(w, Fx.P, 0)
        #expect(rows.count == 256 && rows.map(\.entity) == Array(1...256) && rows.map { $0.values[0] } == (0..<256).map(Double.init))
    }

    @Test func c29_baseColumnsAreStamped() throws {
        let (w, s) = try Fx.world(worldId: "world-f", runId: "run-f")
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([0]))
        try w.run(3)
        #expect(s.recorded.appends == 3)
        for t in 0..<3 {
            let b = try w.query(Fx.P, filter: ReadFilter(ticks: [Int32(t)]))[0]
            #expect(b.length == 1)
            #expect(b.columns[3].buffers[1]!.load(b.columns[3].offset, as: Int32.self) == Int32(t))
        }
    }

    @Test func c30_stampingOverridesProcessors() throws {
        let (w, _) = try Fx.world()
        let p = Probe("stamper")
        p.transform = { b in
            try b.replacing(column: "tick", with: ArrayData.from([Int32](repeating: 99, count: b.length)))
                 .replacing(column: "world_id", with: try ArrayData.from([String](repeating: "x", count: b.length)))
        }
        try w.addProcessor(p)
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([0]))
        try w.run(2)
        let b = try w.query(Fx.P, filter: ReadFilter(ticks: [1]))
        #expect(b.count == 1 && b[0].length == 1)
    }

    @Test func c31_despawnWritesATombstone() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1.5]))
        try w.step()
        try w.queueDespawn([1])
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 0) == [R(1, true, [1.5])])
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [1.5])])
        #expect(try w.query(Fx.P, filter: ReadFilter(ticks: [1], activeOnly: true)).isEmpty)
        #expect(try w.query(Fx.P, filter: ReadFilter(ticks: [1])).map(\.length) == [1])
    }

    @Test func c32_tombstonesPassThroughProcessors() throws {
        let (w, _) = try Fx.world()
        try w.addProcessor(AddOne())
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1.5]))
        try w.step()
        try w.queueDespawn([1])
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [2.5])])
    }

    @Test func c33_entityGoneAfterItsTombstone() throws {
        let (w, s) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        try w.queueDespawn([1])
        try w.run(2)
        #expect(s.recorded.appends == 2 && w.tick == 3 && w.activeTables().isEmpty)
    }

    @Test func c34_despawnInTheSpawnTickCancels() throws {
        let (w, s) = try Fx.world()
        #expect(try w.queueSpawn(Fx.P, components: try Fx.xs([1.5, 2.5])) == [1, 2])
        try w.queueDespawn([1])
        try w.step()
        #expect(s.recorded.appends == 1)
        #expect(try Fx.ledger(w, Fx.P, 0) == [R(2, true, [2.5])])
    }

    @Test func c35_cancelAppliesToReservedIds() throws {
        let (w, _) = try Fx.world()
        let r = try w.reserveEntityIds(1)
        try w.queueSpawn(Fx.P, components: try Fx.xs([99]), entityIds: [r])
        try w.queueDespawn([r])
        let s = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 0).map(\.entity) == s)
    }

    @Test func c36_despawningUnknownIdsIsAnError() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.unknownEntity(42)) { try w.queueDespawn([42]) }
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        #expect(throws: ArchetypeError.unknownEntity(1)) { try w.queueDespawn([1, 1]) }
        #expect(w.tableOf(1) == Fx.P)
        try w.queueDespawn([1])
        #expect(throws: ArchetypeError.unknownEntity(1)) { try w.queueDespawn([1]) }
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [1])])
    }

    @Test func c37_despawningAReservedUnspawnedIdFails() throws {
        let (w, _) = try Fx.world()
        _ = try w.reserveEntityIds(1)
        #expect(throws: ArchetypeError.unknownEntity(1)) { try w.queueDespawn([1]) }
        try w.step()
        #expect(w.nextEntityId == 2)
    }

    @Test func c38_updateTombstonesAndOverlays() throws {
        let (w, _) = try Fx.world()
        try w.addProcessor(AddOne())
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        try w.queueUpdate([1], patch: try Fx.xs([5]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [2]), R(1, true, [5])])
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 2) == [R(1, true, [6])])
    }

    @Test func c39_partialUpdatesCompose() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.PV, components: try Fx.xdx([(1, 0)]))
        try w.step()
        try w.queueUpdate([1], patch: try Fx.xs([5]))
        try w.queueUpdate([1], patch: try Fx.dxs([9]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.PV, 1) == [R(1, false, [1, 0]), R(1, true, [5, 9])])
    }

    @Test func c40_updatingAStagedSpawnRewritesIt() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([3]))
        try w.queueUpdate([1], patch: try Fx.xs([4]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 0) == [R(1, true, [4])])
    }

    @Test func c41_updateValidation() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.unknownEntity(42)) { try w.queueUpdate([42], patch: try Fx.xs([1])) }
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        #expect(throws: ArchetypeError.unexpectedColumn(table: Fx.P, column: "velocity__dx")) { try w.queueUpdate([1], patch: try Fx.dxs([1])) }
        let tick = try RecordBatch(schema: Schema([Field("tick", .int32)]), columns: [ArrayData.from([Int32(0)])])
        #expect(throws: ArchetypeError.metadataColumn(table: Fx.P, column: "tick")) { try w.queueUpdate([1], patch: tick) }
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 0) == [R(1, true, [1])])
    }

    @Test func c42_updateThenDespawnLeavesOnlyTheTombstone() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w.step()
        try w.queueUpdate([1], patch: try Fx.xs([5]))
        try w.queueDespawn([1])
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 1) == [R(1, false, [1])])
    }

    @Test func c43_whereTheOverlayLands() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([1, 2, 3]))
        try w.step()
        try w.queueUpdate([1], patch: try Fx.xs([10]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 1).map { "\($0.entity)\($0.active ? "a" : "i")" } == ["1i", "2a", "3a", "1a"])
        let ids = try w.queueSpawn(Fx.P, components: try Fx.xs([0]))
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([0]))
        try w.queueUpdate(ids, patch: try Fx.xs([9]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 2).suffix(2) == [R(4, true, [9]), R(5, true, [0])])
    }
}
