import Arrow
@testable import ArchetypeCore

/// The fixtures of engine.md §13: tables P and PV, the AddOne processor, ledger access.
enum Fx {
    static let P = "position"
    static let PV = "position_velocity"
    static let x = Field("position__x", .float64, nullable: false)
    static let dx = Field("velocity__dx", .float64, nullable: false)

    static func world(_ store: (any Store)? = nil, worldId: String = "world-a", runId: String = "run-a") throws -> (World, RecordingStore) {
        let s = (store as? RecordingStore) ?? RecordingStore(store ?? MemoryStore())
        let w = try World.create(worldId: worldId, runId: runId, store: s)
        try w.registerTable(P, components: [x])
        try w.registerTable(PV, components: [x, dx])
        return (w, s)
    }

    static func xs(_ values: [Double]) throws -> RecordBatch {
        try RecordBatch(schema: Schema([x]), columns: [ArrayData.from(values)])
    }

    static func xdx(_ values: [(Double, Double)]) throws -> RecordBatch {
        try RecordBatch(schema: Schema([x, dx]), columns: [ArrayData.from(values.map(\.0)), ArrayData.from(values.map(\.1))])
    }

    static func dxs(_ values: [Double]) throws -> RecordBatch {
        try RecordBatch(schema: Schema([dx]), columns: [ArrayData.from(values)])
    }

    static func empty(_ rows: Int) throws -> RecordBatch {
        try RecordBatch(schema: Schema([]), columns: [], length: rows)
    }

    /// `ledger(t, n)`: (entity, active, component values) of table t at tick n, in order.
    static func ledger(_ w: World, _ table: String, _ tick: Int32) throws -> [Row] {
        let batches = try w.query(table, filter: ReadFilter(ticks: [tick]))
        var rows: [Row] = []
        for b in batches {
            for r in 0..<b.length {
                let e = b.columns[2].buffers[1]!.load(b.columns[2].offset + r, as: Int32.self)
                let active = Bitmap.get(b.columns[4].buffers[1]!.baseAddress, b.columns[4].offset + r)
                var values: [Double] = []
                for c in b.columns.dropFirst(5) where c.type == .float64 {
                    values.append(c.buffers[1]!.load(c.offset + r, as: Double.self))
                }
                rows.append(Row(e, active, values))
            }
        }
        return rows
    }

    struct Row: Equatable, CustomStringConvertible {
        var entity: Int32
        var active: Bool
        var values: [Double]
        init(_ e: Int32, _ a: Bool, _ v: [Double]) { entity = e; active = a; values = v }
        var description: String { "(\(entity), \(active ? "active" : "inactive"), \(values))" }
    }
}

/// x += 1 on `position__x` (engine.md §13's AddOne).
struct AddOne: Processor {
    var name: String { "add_one" }
    var priority: Int32 = 0
    var requiredColumns: [String] { ["position__x"] }

    func process(_ batch: RecordBatch, context: ProcessorContext) throws -> RecordBatch {
        guard let i = batch.schema.index(of: "position__x") else { return batch }
        let c = batch.columns[i]
        let values = (0..<batch.length).map { c.buffers[1]!.load(c.offset + $0, as: Double.self) + 1 }
        return try batch.replacing(column: "position__x", with: ArrayData.from(values))
    }
}

/// Counts calls and row counts; may throw or transform.
final class Probe: Processor, @unchecked Sendable {
    let name: String
    let priority: Int32
    let requiredColumns: [String]
    var calls: [Int] = []
    var fail = false
    var transform: ((RecordBatch) throws -> RecordBatch)?

    init(_ name: String = "probe", priority: Int32 = 0, requires: [String] = []) {
        self.name = name
        self.priority = priority
        requiredColumns = requires
    }

    func process(_ batch: RecordBatch, context: ProcessorContext) throws -> RecordBatch {
        calls.append(batch.length)
        if fail { throw ArchetypeError.processor("probe failure") }
        return try transform?(batch) ?? batch
    }
}
