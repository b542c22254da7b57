import ArchetypeCore
import ArchetypeParquet
import ArgumentParser
import Arrow

/// `archetype crash-worker`: opens (creates or resumes) one movement world on a Parquet store and
/// steps it until it has produced `--ticks` ticks, printing each completed tick. The crash test
/// kills it with SIGKILL at random points and runs it again until it finishes.
struct CrashWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-worker",
        abstract: "Step a resumable movement world to --ticks (used by the SIGKILL crash test).",
        shouldDisplay: false
    )
    @Option(help: "Store root.") var root: String
    @Option(help: "Entities spawned at tick 0.") var entities: Int = 1000
    @Option(help: "Ticks to reach.") var ticks: Int = 1000
    @Flag(name: .customLong("no-durable"), help: "Skip fsync.") var noDurable = false

    func run() throws {
        do {
            var options = ParquetStoreOptions()
            options.durable = !noDurable
            let store = try ParquetStore(root: root, namespace: "crash", options: options)
            defer { store.close() }
            let world = try World.open(worldId: "crash-world", runId: "crash-run", store: store)
            try world.addProcessor(try MovementProcessor(dt: 1.0))
            if world.schema(of: BenchScenario.table) == nil {
                try world.registerTable(BenchScenario.table, components: BenchScenario.fields)
            }
            if world.tick == 0 {
                _ = try world.queueSpawn(BenchScenario.table, components: try BenchScenario.batch(first: 0, count: entities))
            }
            print("resumed at tick \(world.tick)")
            while Int(world.tick) < ticks {
                try world.step()
                print("tick \(world.tick - 1)")
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
