import ArchetypeCore
import ArchetypeParquet
import Arrow

/// The native scenarios of bench.md §3 (`movement`, `mid-run-spawn`).
struct BenchScenario {
    var entities: Int
    var ticks: Int
    var lateEntities = 0
    var spawnAt = 0
    var namespace: String
    var worldId: String
    var runId: String
    var storeOptions: ParquetStoreOptions
    var scenario: String

    static let fields = ["position__x", "position__y", "velocity__dx", "velocity__dy"].map { Field($0, .float64, nullable: false) }
    static let table = "position_velocity"

    /// The fixture batch of bench.md §2: x = first + i, y = 0, dx = 1, dy = −0.5.
    static func batch(first: Int, count: Int) throws -> RecordBatch {
        func column(_ f: (Int) -> Double) -> ArrayData {
            let b = MutableBuffer(capacity: count * 8)
            for i in 0..<count { b.append(f(i)) }
            return ArrayData(unchecked: .float64, length: count, nullCount: 0, buffers: [nil, b.finish()])
        }
        return try RecordBatch(schema: Schema(fields), columns: [column { Double(first + $0) }, column { _ in 0 }, column { _ in 1 }, column { _ in -0.5 }], length: count)
    }

    struct Result {
        var setup = 0.0, run = 0.0, query = 0.0
        var phases: [String: Double] = [:]
        var rows = 0
        var sumX = 0.0, sumY = 0.0
        var partsWritten = 0
        /// Per tick: `tickSeconds` and the summed `append` phase (for `--per-tick-json`).
        var tickSeconds: [Double] = []
        var appendSeconds: [Double] = []
    }

    func run(root: String) throws -> Result {
        let store = try ParquetStore(root: root, namespace: namespace, options: storeOptions)
        defer { store.close() }
        var r = Result()
        var clock = ContinuousClock.now
        func lap() -> Double {
            let d = ContinuousClock.now - clock
            clock = ContinuousClock.now
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        _ = lap()
        let world = try World.create(worldId: worldId, runId: runId, store: store)
        try world.addProcessor(try MovementProcessor(dt: 1.0))
        try world.registerTable(Self.table, components: Self.fields)
        _ = try world.queueSpawn(Self.table, components: try Self.batch(first: 0, count: entities))
        r.setup = lap()
        var phases = ["read_prior": 0.0, "materialize": 0, "process": 0, "append": 0, "live_snapshot": 0, "profiled_tick": 0]
        for t in 0..<ticks {
            if lateEntities > 0 && t == spawnAt {
                _ = try world.queueSpawn(Self.table, components: try Self.batch(first: entities, count: lateEntities))
            }
            let p = try world.stepProfiled()
            var append = 0.0
            for tp in p.tables {
                append += tp.appendSeconds
                phases["read_prior"]! += tp.readPriorSeconds
                phases["materialize"]! += tp.materializeSeconds
                phases["process"]! += tp.processSeconds
                phases["append"]! += tp.appendSeconds
                phases["live_snapshot"]! += tp.liveSnapshotSeconds
                if tp.rowsAppended > 0 { r.partsWritten += 1 }
            }
            phases["profiled_tick"]! += p.tickSeconds
            r.tickSeconds.append(p.tickSeconds)
            r.appendSeconds.append(append)
        }
        r.run = lap()
        let batches = try world.query(Self.table, filter: ReadFilter(ticks: [Int32(ticks - 1)], activeOnly: true))
        for b in batches {
            r.rows += b.length
            for (name, isX) in [("position__x", true), ("position__y", false)] {
                guard let c = b.column(named: name) else { continue }
                var s = 0.0
                for i in 0..<b.length where c.isValid(i) { s += c.buffers[1]!.load(c.offset + i, as: Double.self) }
                if isX { r.sumX += s } else { r.sumY += s }
            }
        }
        r.query = lap()
        r.phases = phases
        return r
    }

    /// The per-tick times of `--per-tick-json`: `{"tick_sec":[…],"append_sec":[…]}`, one entry
    /// per tick in order (the profile's `tickSeconds`, and its tables' `append` summed).
    static func perTickJSON(_ r: Result) -> String {
        func list(_ v: [Double]) -> String { "[" + v.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]" }
        return "{\"tick_sec\":\(list(r.tickSeconds)),\"append_sec\":\(list(r.appendSeconds))}"
    }

    /// bench.md §3.1 / §3.2 closed forms.
    var expected: (rows: Int, x: Double, y: Double) {
        let ne = Double(entities), nl = Double(lateEntities), t = Double(ticks - 1), s = Double(spawnAt)
        let x = ne * (ne - 1) / 2 + ne * t + nl * (2 * ne + nl - 1) / 2 + nl * (t - s)
        let y = -0.5 * (ne * t + nl * (t - s))
        return (entities + lateEntities, x, y)
    }

    /// The JSON object of bench.md §3.5.
    func json(_ r: Result, codec: String, durable: Bool) -> (text: String, correct: Bool) {
        let e = expected
        let ex = abs(r.sumX - e.x), ey = abs(r.sumY - e.y)
        let sumsMatch = ex <= 1e-9 * max(1, abs(e.x)) && ey <= 1e-9 * max(1, abs(e.y))
        let correct = r.rows == e.rows && sumsMatch
        let total = r.setup + r.run + r.query
        var phases = r.phases
        phases["setup"] = r.setup
        phases["run"] = r.run
        phases["query"] = r.query
        phases["total"] = total
        func num(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
        var fields: [(String, String)] = [
            ("backend", "\"swift-arrow-parquet\""), ("scenario", "\"\(scenario)\""), ("entities", "\(e.rows)"), ("ticks", "\(ticks)"),
            ("rows", "\(r.rows)"), ("setup_sec", num(r.setup)), ("run_sec", num(r.run)), ("query_sec", num(r.query)), ("total_sec", num(total)),
            ("phases_sec", "{" + phases.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\(num($0.value))" }.joined(separator: ",") + "}"),
            ("correctness", "{\"expected_rows\":\(e.rows),\"rows_match\":\(r.rows == e.rows),\"sum_position_x\":\(num(r.sumX)),\"sum_position_y\":\(num(r.sumY)),\"expected_sum_position_x\":\(num(e.x)),\"expected_sum_position_y\":\(num(e.y)),\"sum_position_x_abs_error\":\(num(ex)),\"sum_position_y_abs_error\":\(num(ey)),\"position_sums_match\":\(sumsMatch),\"correct\":\(correct)}"),
            ("correct", "\(correct)"), ("codec", "\"\(codec)\""), ("durable", "\(durable)"), ("dt", "1.0"), ("parts_written", "\(r.partsWritten)"),
        ]
        if scenario == "mid_run_spawn" {
            fields += [("initial_entities", "\(entities)"), ("late_entities", "\(lateEntities)"), ("total_entities", "\(entities + lateEntities)"), ("spawn_at_tick", "\(spawnAt)")]
        }
        return ("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}", correct)
    }
}
