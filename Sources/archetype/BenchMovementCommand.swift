import ArchetypeCore
import ArchetypeParquet
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `archetype bench movement` and `archetype bench mid-run-spawn` (bench.md §3).
struct BenchMovementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "movement", abstract: "The movement scenario (bench.md §3.1): JSON with \"correct\".")
    @Option(help: "Entities (N ≥ 1).") var entities: Int = 1000
    @Option(help: "Ticks (T ≥ 1).") var ticks: Int = 3
    @OptionGroup var common: BenchRunOptions

    func run() throws {
        guard entities >= 1, ticks >= 1 else { throw common.usage("--entities and --ticks must be at least 1") }
        let scenario = BenchScenario(entities: entities, ticks: ticks, namespace: "movement_bench", worldId: "movement-world",
                                     runId: "movement-run", storeOptions: try common.codec.storeOptions(), scenario: "movement")
        try common.execute(scenario)
    }
}

struct BenchMidRunSpawnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mid-run-spawn", abstract: "The mid-run spawn scenario (bench.md §3.2).")
    @Option(name: .customLong("initial-entities"), help: "Ne ≥ 1.") var initialEntities: Int = 1000
    @Option(name: .customLong("late-entities"), help: "Nl ≥ 0.") var lateEntities: Int = 200
    @Option(name: .customLong("spawn-at-tick"), help: "0 ≤ S < T.") var spawnAtTick: Int = 2
    @Option(help: "Ticks T.") var ticks: Int = 5
    @OptionGroup var common: BenchRunOptions

    func run() throws {
        guard initialEntities >= 1, lateEntities >= 0, spawnAtTick >= 0, spawnAtTick < ticks else {
            throw common.usage("need Ne ≥ 1, Nl ≥ 0 and 0 ≤ S < T")
        }
        var scenario = BenchScenario(entities: initialEntities, ticks: ticks, namespace: "mid_run_spawn_bench", worldId: "mid-run-world",
                                     runId: "mid-run-run", storeOptions: try common.codec.storeOptions(), scenario: "mid_run_spawn")
        scenario.lateEntities = lateEntities
        scenario.spawnAt = spawnAtTick
        try common.execute(scenario)
    }
}

/// Options shared by the scenarios: store root, codec, durability, keep, JSON output.
struct BenchRunOptions: ParsableArguments {
    @Option(help: "Store root (default: a new temporary directory).") var root: String?
    @OptionGroup var codec: StoreCodecOptions
    @Flag(help: "Keep the store directory.") var keep = false
    @Option(name: .customLong("json-out"), help: "Write the JSON here instead of stdout.") var jsonOut: String?
    @Option(name: .customLong("per-tick-json"), help: "Also write each tick's seconds here: {\"tick_sec\":[…],\"append_sec\":[…]}.")
    var perTickJSON: String?

    func usage(_ message: String) -> ExitCode {
        printError("error: \(message)")
        return ExitCode(2)
    }

    func execute(_ scenario: BenchScenario) throws {
        let dir: String
        var created = false
        if let root {
            if FileTree.containsParts(root) { throw usage("\(root) already contains parts; use an empty directory") }
            dir = root
        } else {
            dir = try FileTree.temporaryDirectory(prefix: "archetype-bench-")
            created = true
        }
        defer { if created && !keep { FileTree.remove(dir) } }
        let result: BenchScenario.Result
        do {
            result = try scenario.run(root: dir)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let (json, correct) = scenario.json(result, codec: codec.codec, durable: !codec.noDurable)
        if let perTickJSON {
            try FileOutput.write(text: BenchScenario.perTickJSON(result) + "\n", to: perTickJSON)
        }
        if let jsonOut {
            try FileOutput.write(text: json + "\n", to: jsonOut)
        } else {
            print(json)
        }
        if !correct { throw ExitCode(1) }
    }
}
