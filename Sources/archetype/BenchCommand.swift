import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (JSON on stdout).",
        subcommands: [BenchArrowCommand.self, BenchParquetCommand.self]
    )
}
