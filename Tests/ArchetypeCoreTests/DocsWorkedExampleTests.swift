import Arrow
@testable import ArchetypeCore
import Testing

/// The worked example of docs/engine.md ("The tick and the ledger"), step by step: if this test
/// changes, the tables in the document must change with it.
@Suite struct DocsWorkedExampleTests {
    typealias R = Fx.Row

    /// x += dx: a one-dimensional movement processor (the real one needs x, y, dx and dy).
    struct Drift: Processor {
        var name: String { "drift" }
        var priority: Int32 { 10 }
        var requiredColumns: [String] { ["position__x", "velocity__dx"] }

        func process(_ batch: RecordBatch, context: ProcessorContext) throws -> RecordBatch {
            let x = batch.column(named: "position__x")!, dx = batch.column(named: "velocity__dx")!
            let moved = (0..<batch.length).map {
                x.buffers[1]!.load(x.offset + $0, as: Double.self) + dx.buffers[1]!.load(dx.offset + $0, as: Double.self)
            }
            return try batch.replacing(column: "position__x", with: ArrayData.from(moved))
        }
    }

    @Test func workedExample() throws {
        let (w, s) = try Fx.world()  // tables "position" [x] and "position_velocity" [x, dx]
        try w.addProcessor(Drift())

        // Tick 0: two spawns land raw.
        #expect(try w.queueSpawn(Fx.PV, components: try Fx.xdx([(0, 1), (10, 2)])) == [1, 2])
        try w.step()
        #expect(try Fx.ledger(w, Fx.PV, 0) == [R(1, true, [0, 1]), R(2, true, [10, 2])])

        // Tick 1: an update of entity 1 (dx = 5): its old row is tombstoned (processed), the
        // overlay is appended raw at the end; entity 2 moves.
        try w.queueUpdate([1], patch: try Fx.dxs([5]))
        try w.step()
        #expect(try Fx.ledger(w, Fx.PV, 1) == [R(1, false, [1, 1]), R(2, true, [12, 2]), R(1, true, [0, 5])])

        // Tick 2: entity 2 despawned, entity 1 migrated to "position" (velocity removed).
        try w.queueDespawn([2])
        try w.queueMigration([1], to: Fx.P, values: try Fx.empty(1))
        try w.step()
        #expect(try Fx.ledger(w, Fx.P, 2) == [R(1, true, [0])])
        #expect(try Fx.ledger(w, Fx.PV, 2) == [R(2, false, [14, 2]), R(1, false, [5, 5])])
        #expect(s.recorded.appendedTables.suffix(2) == [Fx.P, Fx.PV])  // bytewise name order

        // Tick 3: only "position" is active; drift is skipped there (no velocity column).
        try w.step()
        #expect(w.activeTables() == [Fx.P])
        #expect(try Fx.ledger(w, Fx.P, 3) == [R(1, true, [0])])
        #expect(try Fx.ledger(w, Fx.PV, 3).isEmpty)
        #expect(s.recorded.appendedTables.count == 5)
        #expect(w.tick == 4)
    }
}
