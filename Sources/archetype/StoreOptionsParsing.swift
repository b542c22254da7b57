import ArchetypeParquet
import ArgumentParser

/// `--codec none|snappy|zstd[:L]|gzip[:L]|lz4_raw` and `--no-durable` for store-writing commands.
struct StoreCodecOptions: ParsableArguments {
    @Option(help: "Part codec: none, snappy, zstd[:level], gzip[:level] or lz4_raw.") var codec: String = "snappy"
    @Flag(name: .customLong("no-durable"), help: "Skip fsync (the rename stays atomic).") var noDurable = false

    func storeOptions() throws -> ParquetStoreOptions {
        var o = ParquetStoreOptions()
        o.durable = !noDurable
        let parts = codec.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let level = parts.count == 2 ? Int(parts[1]) : nil
        if parts.count == 2 && level == nil { throw ValidationError("bad codec level in '\(codec)'") }
        switch parts.first ?? "" {
        case "none", "uncompressed": o.codec = .none
        case "snappy": o.codec = .snappy
        case "zstd": o.codec = .zstd(level: level ?? 1)
        case "gzip": o.codec = .gzip(level: level ?? 6)
        case "lz4_raw": o.codec = .lz4Raw
        default: throw ValidationError("unknown codec '\(codec)' (none, snappy, zstd[:L], gzip[:L], lz4_raw)")
        }
        return o
    }
}
