import ArgumentParser
import Arrow
import Parquet

/// `archetype parquet`: look into Parquet files, print their rows, rewrite them.
struct ParquetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Inspect, print and convert Parquet files with Archetype's own reader and writer.",
        subcommands: [Meta.self, Cat.self, Convert.self]
    )

    /// Runs `body`, turning any error into one line on stderr and exit code 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ParquetError {
            printError("error: \(error)")
            throw ExitCode(1)
        } catch let error as ArrowError {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
    }

    struct Meta: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Schema, row groups and column chunks of a file.")
        @Argument(help: "The Parquet file.") var file: String

        func run() throws {
            try ParquetCommand.run {
                let reader = try ParquetFileReader(path: file)
                let m = reader.metadata
                print("file: \(file)")
                print("created_by: \(m.createdBy ?? "")")
                print("version: \(m.version)")
                print("rows: \(m.numRows)")
                print("row_groups: \(m.rowGroups.count)")
                print("arrow_schema_source: \(reader.usedArrowSchemaHint ? "ARROW:schema" : "inferred")")
                print("schema:")
                for f in reader.schema.fields { print("  \(f)") }
                for (k, v) in reader.schema.metadata { print("  metadata \(k): \(v.count > 80 ? String(v.prefix(80)) + "…" : v)") }
                print("columns:")
                for c in reader.parquetSchema.columns {
                    var line = "  \(c.dottedPath): \(c.physicalType)"
                    if c.physicalType == .fixedLenByteArray { line += "(\(c.typeLength))" }
                    if let l = c.element.logicalType { line += " logical=\(l)" }
                    if let t = c.element.convertedType { line += " converted=\(t)" }
                    line += " max_def=\(c.maxDef) max_rep=\(c.maxRep)"
                    print(line)
                }
                for (g, group) in m.rowGroups.enumerated() {
                    print("row_group \(g): rows=\(group.numRows) total_byte_size=\(group.totalByteSize) compressed=\(group.totalCompressedSize.map(String.init) ?? "-")")
                    for (i, chunk) in group.columns.enumerated() {
                        guard let cm = chunk.metaData else { print("  column \(i): no metadata"); continue }
                        var line = "  \(cm.pathInSchema.joined(separator: ".")): codec=\(cm.codec.name) encodings=\(cm.encodings.map(\.name).joined(separator: ","))"
                        line += " values=\(cm.numValues) compressed=\(cm.totalCompressedSize) uncompressed=\(cm.totalUncompressedSize)"
                        line += " data_page_offset=\(cm.dataPageOffset)"
                        if let d = cm.dictionaryPageOffset { line += " dictionary_page_offset=\(d)" }
                        if let s = cm.statistics {
                            if let n = s.nullCount { line += " nulls=\(n)" }
                            if let mn = s.minValue ?? s.min { line += " min=\(Self.render(mn, cm.type))" }
                            if let mx = s.maxValue ?? s.max { line += " max=\(Self.render(mx, cm.type))" }
                        }
                        print(line)
                    }
                }
            }
        }

        /// A statistics bound in the physical type's PLAIN form, rendered readably.
        static func render(_ bytes: [UInt8], _ type: PhysicalType) -> String {
            bytes.withUnsafeBytes { raw -> String in
                switch (type, raw.count) {
                case (.boolean, 1): return raw[0] == 0 ? "false" : "true"
                case (.int32, 4): return String(raw.loadUnaligned(as: Int32.self))
                case (.int64, 8): return String(raw.loadUnaligned(as: Int64.self))
                case (.float, 4): return String(raw.loadUnaligned(as: Float.self))
                case (.double, 8): return String(raw.loadUnaligned(as: Double.self))
                case (.byteArray, _):
                    if let s = String(validating: raw, as: UTF8.self), s.unicodeScalars.allSatisfy({ $0.value >= 0x20 }) { return ValueFormatter.quote(s) }
                    return "base64:" + Base64.encode(bytes)
                default: return "base64:" + Base64.encode(bytes)
                }
            }
        }
    }

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    struct Cat: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print rows: JSON lines or CSV.")
        @Argument(help: "The Parquet file.") var file: String
        @Option(help: "Comma-separated top-level columns (default: all).") var columns: String?
        @Option(help: "Print at most this many rows.") var limit: Int?
        @Option(help: "jsonl or csv.") var format: OutputFormat = .jsonl

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit must be non-negative") }
        }

        func run() throws {
            try ParquetCommand.run {
                let reader = try ParquetFileReader(path: file)
                let names = columns.map { $0.split(separator: ",").map(String.init) }
                let fields = try reader.fieldIndices(names).map { reader.schema.fields[$0] }
                var remaining = limit ?? Int.max
                var out = ""
                out.reserveCapacity(1 << 16)
                if format == .csv { print(fields.map { ValueFormatter.csvQuote($0.name) }.joined(separator: ",")) }
                for g in 0..<reader.rowGroupCount where remaining > 0 {
                    let batch = try reader.readRowGroup(g, columns: names)
                    for row in 0..<Swift.min(batch.length, remaining) {
                        switch format {
                        case .jsonl:
                            out += "{" + zip(fields, batch.columns).map { ValueFormatter.quote($0.name) + ":" + ValueFormatter.json($1, row) }.joined(separator: ",") + "}\n"
                        case .csv:
                            out += batch.columns.map { ValueFormatter.csv($0, row) }.joined(separator: ",") + "\n"
                        }
                        if out.utf8.count > 1 << 16 { print(out, terminator: ""); out = "" }
                    }
                    remaining -= Swift.min(batch.length, remaining)
                }
                print(out, terminator: "")
            }
        }
    }

    enum OnOff: String, ExpressibleByArgument, CaseIterable { case on, off }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read a file with Archetype's reader and write it with its writer.")
        @Argument(help: "The input Parquet file.") var input: String
        @Argument(help: "The output Parquet file.") var output: String
        @Option(help: "none, snappy, gzip[:level], zstd[:level] or lz4_raw (default snappy).") var codec: String = "snappy"
        @Option(help: "Dictionary encoding: on or off.") var dictionary: OnOff = .on
        @Option(name: .customLong("page-version"), help: "Data page version: 1 or 2.") var pageVersion: Int = 1
        @Option(name: .customLong("row-group-size"), help: "Rows per row group.") var rowGroupSize: Int = 1 << 20
        @Option(name: .customLong("page-size"), help: "Target data page size in bytes.") var pageSize: Int = 1 << 20
        @Flag(name: .customLong("no-verify-checksums"), help: "Do not verify page CRCs when reading.") var noVerifyChecksums = false

        func validate() throws {
            guard pageVersion == 1 || pageVersion == 2 else { throw ValidationError("--page-version must be 1 or 2") }
            guard rowGroupSize > 0 else { throw ValidationError("--row-group-size must be positive") }
            guard pageSize > 0 else { throw ValidationError("--page-size must be positive") }
            _ = try Self.parseCodec(codec)
        }

        static func parseCodec(_ text: String) throws -> (CompressionCodec, Int?) {
            let parts = text.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
            let level = parts.count == 2 ? Int(parts[1]) : nil
            if parts.count == 2 && level == nil { throw ValidationError("bad codec level in '\(text)'") }
            switch parts.first ?? "" {
            case "none", "uncompressed": return (.uncompressed, level)
            case "snappy": return (.snappy, level)
            case "gzip": return (.gzip, level)
            case "zstd": return (.zstd, level)
            case "lz4_raw", "lz4": return (.lz4Raw, level)
            default: throw ValidationError("unknown codec '\(text)' (none, snappy, gzip[:L], zstd[:L], lz4_raw)")
            }
        }

        func run() throws {
            try ParquetCommand.run {
                var readOptions = ParquetReaderOptions()
                readOptions.verifyChecksums = !noVerifyChecksums
                let reader = try ParquetFileReader(path: input, options: readOptions)
                var options = ParquetWriterOptions()
                (options.codec, options.codecLevel) = try Self.parseCodec(codec)
                options.dictionary = dictionary == .on
                options.pageVersion = pageVersion
                options.maxRowGroupRows = rowGroupSize
                options.dataPageBytes = pageSize
                let writer = try ParquetFileWriter(schema: reader.schema, options: options)
                for g in 0..<reader.rowGroupCount { try writer.write(try reader.readRowGroup(g)) }
                let bytes = try writer.finish()
                try FileOutput.write(bytes, to: output)
            }
        }
    }
}
