import ArgumentParser

@main
struct ArchetypeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archetype",
        abstract: "Archetype: an Arrow-native ECS whose history is an append-only Parquet ledger.",
        subcommands: [DemoCommand.self, InspectCommand.self, QueryCommand.self, ParquetCommand.self, BenchCommand.self, CrashWorkerCommand.self]
    )
}
