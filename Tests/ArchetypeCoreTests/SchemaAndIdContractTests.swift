import Arrow
@testable import ArchetypeCore
import Testing

/// engine.md §13: schemas and registration (C1–C9), entity ids (C10–C18).
@Suite struct SchemaAndIdContractTests {
    @Test func c01_compositionPutsBaseFieldsFirst() throws {
        let (w, _) = try Fx.world()
        #expect(w.schema(of: Fx.P)!.fields.map(\.name) == ["world_id", "run_id", "entity_id", "tick", "is_active", "position__x"])
        #expect(w.tableNames.contains("position"))
    }

    @Test func c02_emptyComponentSchemaIsValid() throws {
        let (w, _) = try Fx.world()
        try w.registerTable("empty", components: [])
        #expect(w.schema(of: "empty")!.fields == BaseColumns.fields)
    }

    @Test func c03_duplicateComponentColumnRejected() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.duplicateColumn(table: "t", column: "a__x")) {
            try w.registerTable("t", components: [Field("a__x", .float64), Field("a__x", .float64)])
        }
        #expect(w.schema(of: "t") == nil)
    }

    @Test func c04_baseColumnInComponentSchemaRejected() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.baseColumnInComponentSchema(table: "t", column: "tick")) {
            try w.registerTable("t", components: [Field("tick", .float64)])
        }
    }

    @Test func c05_componentNamesNeedTwoParts() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.invalidColumnName(table: "t", column: "x")) { try w.registerTable("t", components: [Field("x", .float64)]) }
        #expect(throws: ArchetypeError.invalidColumnName(table: "t", column: "a__")) { try w.registerTable("t", components: [Field("a__", .float64)]) }
    }

    @Test func c06_fullSchemaWithBadBaseColumnsRejected() throws {
        let (w, _) = try Fx.world()
        var fields = BaseColumns.fields + [Fx.x]
        fields[2] = Field("entity_id", .int64, nullable: false)
        #expect(throws: ArchetypeError.self) { try w.registerTable("t", fullSchema: Schema(fields)) }
        do { try w.registerTable("t", fullSchema: Schema(fields)) } catch { guard case .invalidBaseColumn(_, "entity_id", _) = error else { Issue.record("\(error)"); return } }
        fields = BaseColumns.fields + [Fx.x]
        fields[0].nullable = true
        #expect(throws: ArchetypeError.self) { try w.registerTable("t", fullSchema: Schema(fields)) }
        fields = BaseColumns.fields + [Fx.x]
        fields.swapAt(0, 1)
        #expect(throws: ArchetypeError.self) { try w.registerTable("t", fullSchema: Schema(fields)) }
        try w.registerTable("t", fullSchema: Schema(BaseColumns.fields + [Fx.x]))
    }

    @Test func c07_registrationIsIdempotentAndConflictsRejected() throws {
        let (w, _) = try Fx.world()
        try w.registerTable(Fx.P, components: [Fx.x])
        #expect(throws: ArchetypeError.self) { try w.registerTable(Fx.P, components: [Field("position__x", .float32, nullable: false)]) }
        #expect(w.schema(of: Fx.P)!.fields[5].type == .float64)
        // A store holding parts with another schema.
        let store = MemoryStore()
        let (w1, _) = try Fx.world(store)
        _ = try w1.queueSpawn(Fx.P, components: try Fx.xs([1]))
        try w1.step()
        let w2 = try World.create(worldId: "world-a", runId: "run-b", store: store)
        #expect(throws: ArchetypeError.self) { try w2.registerTable(Fx.P, components: [Field("position__x", .float32, nullable: false)]) }
    }

    @Test func c08_nameRulesApplyEverywhere() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.self) { try w.registerTable("../evil", components: [Fx.x]) }
        for bad in ["", ".", "..", ".hidden", "a/b", "a\\b", "é", String(repeating: "a", count: 256), "a b"] {
            #expect(throws: ArchetypeError.self) { try w.registerTable(bad, components: [Fx.x]) }
        }
        #expect(throws: ArchetypeError.self) { _ = try World.create(worldId: "", runId: "r", store: MemoryStore()) }
        #expect(throws: ArchetypeError.self) { _ = try World.create(worldId: "w", runId: "r\u{7}", store: MemoryStore()) }
        try w.registerTable("position.v2", components: [Fx.x])
        try w.registerTable("x-y", components: [Fx.x])
    }

    @Test func c09_typesOutsideTheCoreSetRejected() throws {
        let (w, _) = try Fx.world()
        let map = DataType.map(Field("entries", .struct([Field("key", .utf8, nullable: false), Field("value", .int64)]), nullable: false), keysSorted: false)
        #expect(throws: ArchetypeError.unsupportedType(table: "t", column: "m__kv", type: "\(map)")) {
            try w.registerTable("t", components: [Field("m__kv", map)])
        }
        #expect(throws: ArchetypeError.self) { try w.registerTable("t", components: [Field("m__t", .timestamp(.nanosecond, timezone: nil))]) }
    }

    @Test func c10_autoIdsAreContiguous() throws {
        let (w, _) = try Fx.world()
        #expect(try w.queueSpawn(Fx.P, components: try Fx.xs([1, 2, 3])) == [1, 2, 3])
        #expect(try w.queueSpawn(Fx.P, components: try Fx.xs([4])) == [4])
    }

    @Test func c11_reservationsAreDisjoint() throws {
        let (w, _) = try Fx.world()
        #expect(try w.reserveEntityIds(3) == 1)
        #expect(try w.queueSpawn(Fx.P, components: try Fx.xs([0])) == [4])
        #expect(try w.reserveEntityIds(2) == 5)
    }

    @Test func c12_interleavedAllocationNeverCollides() throws {
        let (w, _) = try Fx.world()
        var all: [Int32] = []
        for _ in 0..<100 {
            let r = try w.reserveEntityIds(2)
            all += [r, r + 1]
            all += try w.queueSpawn(Fx.P, components: try Fx.xs([0]))
            all += try w.queueSpawn(Fx.P, components: try Fx.xs([0, 0]))
        }
        #expect(all.count == 500 && Set(all) == Set(1...500))
    }

    @Test func c13_reserveNeedsAPositiveCount() throws {
        let (w, _) = try Fx.world()
        #expect(throws: ArchetypeError.self) { _ = try w.reserveEntityIds(0) }
        #expect(throws: ArchetypeError.self) { _ = try w.reserveEntityIds(-5) }
        #expect(w.nextEntityId == 1)
    }

    @Test func c14_explicitIdAboveTheCounterBumpsIt() throws {
        let (w, _) = try Fx.world()
        try w.queueSpawn(Fx.P, components: try Fx.xs([0]), entityIds: [7])
        #expect(try w.queueSpawn(Fx.P, components: try Fx.xs([0])) == [8])
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 0).map(\.entity) == [7, 8])
    }

    @Test func c15_registeredIdCannotBeSpawnedAgain() throws {
        let (w, _) = try Fx.world()
        let r = try w.reserveEntityIds(1)
        try w.queueSpawn(Fx.P, components: try Fx.xs([0]), entityIds: [r])
        #expect(throws: ArchetypeError.idAlreadyRegistered(1)) { try w.queueSpawn(Fx.P, components: try Fx.xs([0]), entityIds: [1]) }
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 0).count == 1)
        #expect(throws: ArchetypeError.idAlreadyRegistered(1)) { try w.queueSpawn(Fx.P, components: try Fx.xs([0]), entityIds: [1]) }
    }

    @Test func c16_issuedIdsAreNeverReused() throws {
        let (w, _) = try Fx.world()
        _ = try w.queueSpawn(Fx.P, components: try Fx.xs([0]))
        try w.step()
        try w.queueDespawn([1])
        try w.step()
        #expect(throws: ArchetypeError.idNotReserved(1)) { try w.queueSpawn(Fx.P, components: try Fx.xs([0]), entityIds: [1]) }
        #expect(throws: ArchetypeError.invalidEntityId(0)) { try w.queueSpawn(Fx.P, components: try Fx.xs([0]), entityIds: [0]) }
    }

    @Test func c17_overflowIsAnErrorNeverATrap() throws {
        let (w, _) = try Fx.world()
        try w.queueSpawn(Fx.P, components: try Fx.xs([0]), entityIds: [Int32.max])
        #expect(throws: ArchetypeError.self) { _ = try w.queueSpawn(Fx.P, components: try Fx.xs([0])) }
        #expect(throws: ArchetypeError.self) { _ = try w.reserveEntityIds(1) }
        #expect(w.tableOf(Int32.max) == Fx.P)
    }

    @Test func c18_reservedIdMaterializesLikeAnySpawn() throws {
        let (w, _) = try Fx.world()
        try w.addProcessor(AddOne())
        let r = try w.reserveEntityIds(1)
        try w.queueSpawn(Fx.P, components: try Fx.xs([42]), entityIds: [r])
        try w.run(2)
        #expect(try Fx.ledger(w, Fx.P, 0) == [.init(1, true, [42])])
        #expect(try Fx.ledger(w, Fx.P, 1) == [.init(1, true, [43])])
    }
}
