import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (JSON on stdout).",
        subcommands: [BenchMovementCommand.self, BenchMidRunSpawnCommand.self, BenchArrowCommand.self, BenchParquetCommand.self]
    )
}
