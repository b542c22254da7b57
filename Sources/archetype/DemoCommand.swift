import ArchetypeCore
import ArchetypeParquet
import ArgumentParser
import Arrow

/// `archetype demo`: the main job — a movement world of 10,000 entities for 100 ticks,
/// every tick appended to `./archetype-data`, then a short summary.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a movement world through the native core and write its history to Parquet."
    )
    @Option(help: "Store root.") var root: String = "archetype-data"
    @Option(help: "Namespace inside the root.") var namespace: String = "demo"
    @Option(help: "Entities.") var entities: Int = 10_000
    @Option(help: "Ticks.") var ticks: Int = 100
    @OptionGroup var codec: StoreCodecOptions

    func run() throws {
        guard entities >= 1, ticks >= 1 else {
            printError("error: --entities and --ticks must be at least 1")
            throw ExitCode(2)
        }
        do {
            try execute()
        } catch let e as ExitCode {
            throw e
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    func execute() throws {
        let started = ContinuousClock.now
        let store = try ParquetStore(root: root, namespace: namespace, options: try codec.storeOptions())
        defer { store.close() }
        let world = try World.create(worldId: "demo-world", runId: UUIDv7Generator.make(), store: store)
        try world.addProcessor(try MovementProcessor(dt: 1.0))
        try world.registerTable(BenchScenario.table, components: BenchScenario.fields)
        _ = try world.queueSpawn(BenchScenario.table, components: try BenchScenario.batch(first: 0, count: entities))
        print("archetype demo: world \(world.worldId), run \(world.runId)")
        print("  \(entities) entities, \(ticks) ticks, store \(root)/\(namespace)")
        var rows = 0
        var parts = 0
        var appendSeconds = 0.0
        for t in 0..<ticks {
            let p = try world.stepProfiled()
            for tp in p.tables {
                rows += tp.rowsAppended
                if tp.rowsAppended > 0 { parts += 1 }
                appendSeconds += tp.appendSeconds
            }
            if t == ticks - 1 || (t + 1) % max(1, ticks / 10) == 0 {
                print("  tick \(t + 1)/\(ticks): \(rows) rows in \(parts) parts")
            }
        }
        // Verify against the closed form (bench.md §3.1), reading the ledger back.
        let last = try world.query(BenchScenario.table, filter: ReadFilter(ticks: [Int32(ticks - 1)], activeOnly: true))
        var count = 0
        var sumX = 0.0, sumY = 0.0
        for b in last {
            count += b.length
            let x = b.column(named: "position__x")!, y = b.column(named: "position__y")!
            for i in 0..<b.length { sumX += x.buffers[1]!.load(x.offset + i, as: Double.self); sumY += y.buffers[1]!.load(y.offset + i, as: Double.self) }
        }
        let n = Double(entities), t = Double(ticks - 1)
        let ok = count == entities && sumX == n * (n - 1) / 2 + n * t && sumY == -0.5 * n * t
        var bytes = 0
        let dir = store.tableDirectory(BenchScenario.table)
        for name in try store.partNames(BenchScenario.table) { bytes += FileTree.size(dir + "/" + name) }
        let d = ContinuousClock.now - started
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        print("summary:")
        print("  ticks:   \(world.tick)")
        print("  rows:    \(rows)")
        print("  files:   \(parts) new (\(try store.partNames(BenchScenario.table).count) in \(dir))")
        print("  bytes:   \(bytes) in that table")
        print("  time:    \(String(seconds.rounded(toPlaces: 3))) s (appends \(String(appendSeconds.rounded(toPlaces: 3))) s)")
        print("  check:   last tick has \(count) active rows, Σx = \(sumX), Σy = \(sumY): \(ok ? "matches the closed form" : "MISMATCH")")
        if !ok { throw ExitCode(1) }
    }
}

extension Double {
    func rounded(toPlaces p: Int) -> Double {
        var m = 1.0
        for _ in 0..<p { m *= 10 }
        return (self * m).rounded() / m
    }
}
