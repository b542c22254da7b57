#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Arrow
import Parquet

/// `archetype bench parquet`: Parquet write and read throughput on the history table of
/// bench.md §5.1, with the writer settings of §5.2; per-trial JSON on stdout (compared with
/// pyarrow by `bench/parquet_throughput.py`, which generates the identical table itself).
///
/// Timed per trial, inside the process, around the library calls only:
/// - write: from the in-memory batch to a closed file in `--out` (writer, batch, footer, one
///   `write(2)`, `close`; no fsync);
/// - read: from the file path to the complete in-memory batch (single thread).
///
/// Each trial writes `--iterations` new files, then reads them, and reports seconds per file
/// (small files are far below the timer's useful resolution one at a time). Each trial's files
/// are removed after it (untimed), except the last trial's first file (its path is in the
/// JSON); `--keep` keeps them all.
/// The result of each read is dropped inside the clock, as pyarrow's is.
///
/// `--digest FILE` instead reads FILE (e.g. the pyarrow-written one) and prints its digest
/// (the gate of §5.3), untimed.
struct BenchParquetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Parquet write/read throughput on the bench history table; JSON on stdout."
    )

    @Option(help: "Rows in the table.") var rows = 1_000_000
    @Option(help: "Page codec: none, snappy, zstd[:LEVEL], gzip[:LEVEL], lz4_raw.") var codec = "snappy"
    @Option(help: "Directory for the written file (created if missing).") var out: String?
    @Option(help: "Measured trials.") var trials = 5
    @Option(help: "Warm-up trials (discarded).") var warmup = 1
    @Option(help: "Files written and read per trial (times are per file).") var iterations = 1
    @Option(help: "Only read this Parquet file and print its digest (no timing).") var digest: String?
    @Option(help: "Time only this phase (write or read; for profiling), or both.") var phase = "both"
    @Flag(name: .customLong("no-io"), help: "Profiling: time the library alone (write to bytes in memory, read from them); no files.") var noIO = false
    @Flag(help: "Serve trials: generate the table once, then run one trial per \"trial\" line on stdin and print one JSON line each (files are kept).") var serve = false
    @Option(name: .customLong("pool-limit-mb"), help: "The Arrow buffer pool limit (MiB) in this process (default: the library's).") var poolLimitMB: Int?
    @Flag(help: "Profiling: declare every field nullable (the values stay non-null), as component columns usually are.") var nullable = false
    @Flag(help: "Keep every written file (default: remove each trial's files after it, except the last trial's first file, named in the JSON).") var keep = false

    func run() throws {
        if let path = digest {
            try ParquetCommand.run {
                let batch = try ParquetFileReader(path: path).readAll()
                print(BenchParquetDigest(batch).json(path: path))
            }
            return
        }
        guard rows >= 1, rows <= Int(Int32.max) - 1 else { throw ValidationError("--rows must be in 1...\(Int32.max - 1)") }
        guard trials >= 1, warmup >= 0, iterations >= 1 else { throw ValidationError("--trials and --iterations must be >= 1, --warmup >= 0") }
        guard ["both", "write", "read"].contains(phase) else { throw ValidationError("--phase: both, write or read") }
        guard let dir = out else { throw ValidationError("--out DIR is required (or --digest FILE)") }
        let (parsedCodec, level) = try Self.parseCodec(codec)
        if mkdir(dir, 0o755) != 0 && errno != EEXIST { throw ValidationError("cannot create \(dir)") }

        let batch = try BenchHistoryTable.make(rows: rows, nullable: nullable)
        var options = ParquetWriterOptions()
        options.codec = parsedCodec
        options.codecLevel = level
        options.pageVersion = 1
        options.dictionary = false
        options.dictionaryColumns = ["world_id": true, "run_id": true]
        options.statistics = true
        options.maxRowGroupRows = rows
        options.dataPageBytes = 1 << 20
        if let mb = poolLimitMB { ArrowMemory.poolLimit = mb << 20 }
        let stem = dir + "/swift-\(rows)-\(codec.replacingOccurrences(":", "-"))-\(getpid())"
        let runner = BenchParquetTrials(batch: batch, options: options, stem: stem, iterations: iterations, phase: phase, noIO: noIO)
        let codecName = level.map { "\(parsedCodec.name):\($0)" } ?? parsedCodec.name

        if serve {
            // One trial per line read from stdin ("trial"), one JSON line back; the files stay
            // (the caller removes them). EOF or "quit" ends.
            try ParquetCommand.run {
                var t = 0
                while let line = readLine(), line != "quit" {
                    guard line == "trial" else { printError("unknown request '\(line)'"); continue }
                    let r = try runner.trial(t)
                    var o = "{\"rows\": \(rows), \"codec\": \"\(codecName)\", \"iterations\": \(iterations), \"trial\": \(t), "
                    o += "\"path\": \"\(r.paths[0])\", \"paths\": [\(r.paths.map { "\"\($0)\"" }.joined(separator: ", "))], "
                    o += "\"file_bytes\": \(r.fileBytes), \"roundtrip_equal\": \(try runner.roundTrips(r.paths[0])), "
                    o += "\"write_sec\": \(Self.format(r.write)), \"read_sec\": \(Self.format(r.read))}"
                    print(o)
                    fflush(nil)
                    t += 1
                }
            }
            return
        }

        var writes: [Double] = [], reads: [Double] = []
        var fileBytes = 0
        var roundTrip = true
        var path = ""
        try ParquetCommand.run {
            var previous: [String] = []
            for t in 0..<(warmup + trials) {
                let r = try runner.trial(t, reusing: previous)
                if t >= warmup { writes.append(r.write); reads.append(r.read) }
                // Without --keep, a trial's files go once the next trial no longer needs them.
                if !keep && phase != "read" && t < warmup + trials - 1 { for p in r.paths { unlink(p) } }
                previous = r.paths
                fileBytes = r.fileBytes
            }
            path = noIO ? "" : previous[0]
            // Untimed: the file read back equals the batch written (schema included).
            roundTrip = try runner.roundTrips(path)
            if !keep { for p in previous.dropFirst() { unlink(p) } }
        }
        var o = "{\"rows\": \(rows), \"codec\": \"\(codecName)\", \"iterations\": \(iterations), \"warmup\": \(warmup), "
        o += "\"path\": \"\(path)\", \"file_bytes\": \(fileBytes), \"roundtrip_equal\": \(roundTrip), "
        o += "\"write_sec\": [\(writes.map(Self.format).joined(separator: ", "))], "
        o += "\"read_sec\": [\(reads.map(Self.format).joined(separator: ", "))], "
        o += "\"trials\": [\(zip(writes, reads).map { "{\"write_sec\": \(Self.format($0.0)), \"read_sec\": \(Self.format($0.1))}" }.joined(separator: ", "))]}"
        print(o)
        if !roundTrip { throw ExitCode(1) }
    }

    static func parseCodec(_ text: String) throws -> (CompressionCodec, Int?) {
        let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        let level: Int?
        if parts.count == 2 {
            guard let l = Int(parts[1]) else { throw ValidationError("bad codec level in '\(text)'") }
            level = l
        } else {
            level = nil
        }
        switch parts.first ?? "" {
        case "none", "uncompressed": guard level == nil else { break }; return (.uncompressed, nil)
        case "snappy": guard level == nil else { break }; return (.snappy, nil)
        case "lz4_raw", "lz4": guard level == nil else { break }; return (.lz4Raw, nil)
        case "zstd": return (.zstd, level)
        case "gzip": return (.gzip, level)
        default: break
        }
        throw ValidationError("unknown codec '\(text)' (none, snappy, zstd[:L], gzip[:L], lz4_raw)")
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Shortest round-trip decimal (Swift's description of a Double).
    static func format(_ d: Double) -> String { d.description }
}

extension String {
    fileprivate func replacingOccurrences(_ a: Character, _ b: Character) -> String {
        String(map { $0 == a ? b : $0 })
    }
}

/// One timed trial: `iterations` writes of the batch to new files (from the in-memory batch to
/// a closed file), then `iterations` reads of them (from the path to the complete batch).
///
/// Every write creates a new file, as the store writes new parts: rewriting a file in place
/// makes ext4 start writeback at close (auto_da_alloc), milliseconds that would swamp small
/// files.
final class BenchParquetTrials {
    let batch: RecordBatch
    let options: ParquetWriterOptions
    let stem: String
    let iterations: Int
    let phase: String
    let noIO: Bool
    var inMemory = ArrowBuffer.empty

    init(batch: RecordBatch, options: ParquetWriterOptions, stem: String, iterations: Int, phase: String, noIO: Bool) {
        self.batch = batch
        self.options = options
        self.stem = stem
        self.iterations = iterations
        self.phase = phase
        self.noIO = noIO
    }

    struct Result {
        var write: Double
        var read: Double
        var paths: [String]
        var fileBytes: Int
    }

    /// Trial `t`; with `--phase read`, trials after the first read the files of `reusing`.
    func trial(_ t: Int, reusing previous: [String] = []) throws -> Result {
        let writing = phase != "read" || t == 0 || (previous.isEmpty && !noIO)
        let paths = noIO ? [] : writing ? (0..<iterations).map { "\(stem)-t\(t)-\($0).parquet" } : previous
        var fileBytes = inMemory.count
        var start = BenchParquetCommand.now()
        if writing {
            for k in 0..<iterations {
                let bytes = try ParquetFileWriter.write([batch], schema: batch.schema, options: options)
                if noIO { inMemory = bytes } else { try FileOutput.write(bytes, to: paths[k]) }
                fileBytes = bytes.count
            }
        }
        let w = (BenchParquetCommand.now() - start) / Double(iterations)
        start = BenchParquetCommand.now()
        if phase != "write" {
            for k in 0..<iterations {
                let back = try (noIO ? ParquetFileReader(bytes: inMemory) : ParquetFileReader(path: paths[k])).readAll()
                withExtendedLifetime(back) {}
            }
        }
        let r = (BenchParquetCommand.now() - start) / Double(iterations)
        return Result(write: w, read: r, paths: paths, fileBytes: fileBytes)
    }

    /// Whether the file (or the last bytes written, with --no-io) reads back equal to the
    /// batch, schema included.
    func roundTrips(_ path: String) throws -> Bool {
        let back = try (noIO ? ParquetFileReader(bytes: inMemory) : ParquetFileReader(path: path)).readAll()
        return back == batch && back.schema == batch.schema
    }
}

/// The table of bench.md §5.1.
enum BenchHistoryTable {
    /// SplitMix64's output function on `z` (bench.md §5.1).
    @inline(__always)
    static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0 &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// u(s, i) = (mix(s·2³² + i) >> 11) · 2⁻⁵³.
    @inline(__always)
    static func u(_ s: UInt64, _ i: Int) -> Double {
        Double(mix((s << 32) &+ UInt64(i)) >> 11) * 0x1p-53
    }

    static let schema = Schema([
        Field("world_id", .utf8, nullable: false),
        Field("run_id", .utf8, nullable: false),
        Field("entity_id", .int32, nullable: false),
        Field("tick", .int32, nullable: false),
        Field("is_active", .boolean, nullable: false),
        Field("position__x", .float64, nullable: false),
        Field("position__y", .float64, nullable: false),
        Field("velocity__dx", .float64, nullable: false),
        Field("velocity__dy", .float64, nullable: false),
    ])

    static func make(rows n: Int, nullable: Bool = false) throws -> RecordBatch {
        let world = StringBuilder(capacity: n, byteCapacity: n * 11)
        let run = StringBuilder(capacity: n, byteCapacity: n * 9)
        let ids = PrimitiveBuilder<Int32>(capacity: n)
        let tick = PrimitiveBuilder<Int32>(capacity: n)
        let active = BooleanBuilder(capacity: n)
        let x = PrimitiveBuilder<Double>(capacity: n)
        let y = PrimitiveBuilder<Double>(capacity: n)
        let dx = PrimitiveBuilder<Double>(capacity: n)
        let dy = PrimitiveBuilder<Double>(capacity: n)
        let worldBytes = Array("bench-world".utf8), runBytes = Array("bench-run".utf8)
        for i in 0..<n {
            worldBytes.withUnsafeBytes { world.append(utf8: $0) }
            runBytes.withUnsafeBytes { run.append(utf8: $0) }
            ids.append(Int32(i + 1))
            tick.append(7)
            active.append(true)
            x.append(1000 * u(1, i))
            y.append(1000 * u(2, i))
            dx.append(1.0)
            dy.append(-0.5)
        }
        let fields = nullable ? schema.fields.map { Field($0.name, $0.type, nullable: true) } : schema.fields
        return try RecordBatch(schema: Schema(fields), columns: [
            try world.finish(), try run.finish(), try ids.finish(), try tick.finish(), try active.finish(),
            try x.finish(), try y.finish(), try dx.finish(), try dy.finish(),
        ])
    }
}

/// The gate digest of bench.md §5.3: row count, Σentity_id, Σposition__x, Σposition__y
/// (left-to-right double sums), the number of true `is_active`, distinct world_id / run_id.
struct BenchParquetDigest {
    var rows = 0
    var entityIdSum = 0
    var positionXSum = 0.0
    var positionYSum = 0.0
    var activeTrue = 0
    var worldIds: [String] = []
    var runIds: [String] = []
    var error: String?

    init(_ b: RecordBatch) {
        rows = b.length
        func column(_ name: String) -> ArrayData? { b.schema.index(of: name).map { b.columns[$0] } }
        do {
            if let c = column("entity_id") { try Int32Array(c).withUnsafeValues { for v in $0 { entityIdSum &+= Int(v) } } }
            if let c = column("position__x") { try Float64Array(c).withUnsafeValues { for v in $0 { positionXSum += v } } }
            if let c = column("position__y") { try Float64Array(c).withUnsafeValues { for v in $0 { positionYSum += v } } }
            if let c = column("is_active") { activeTrue = try BooleanArray(c).trueCount }
            for (name, keyPath) in [("world_id", \BenchParquetDigest.worldIds), ("run_id", \BenchParquetDigest.runIds)] {
                guard let c = column(name) else { continue }
                let s = try StringArray(c)
                var seen = Set<String>()
                for i in 0..<s.length where s.isValid(i) { seen.insert(s.value(at: i)) }
                self[keyPath: keyPath] = seen.sorted()
            }
        } catch {
            self.error = "\(error)"
        }
    }

    func json(path: String) -> String {
        func strings(_ a: [String]) -> String { "[" + a.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        var o = "{\"path\": \"\(path)\", \"rows\": \(rows), \"sum_entity_id\": \(entityIdSum), "
        o += "\"sum_position_x\": \(positionXSum), \"sum_position_y\": \(positionYSum), \"is_active_true\": \(activeTrue), "
        o += "\"world_ids\": \(strings(worldIds)), \"run_ids\": \(strings(runIds))"
        if let error { o += ", \"error\": \"\(error)\"" }
        return o + "}"
    }
}
