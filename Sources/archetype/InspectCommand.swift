import ArchetypeCore
import ArchetypeParquet
import ArgumentParser
import Arrow
import Parquet

/// `archetype inspect ROOT`: namespaces, tables, parts, rows, tick range and schema.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Describe a store: namespaces, tables, parts, rows, ticks, schema.")
    @Argument(help: "The store root.") var root: String

    func run() throws {
        guard FileTree.isDirectory(root) else {
            printError("error: \(root) is not a directory")
            throw ExitCode(1)
        }
        do {
            for ns in FileTree.list(root) where FileTree.isDirectory(root + "/" + ns) && !ns.hasPrefix(".") {
                var options = ParquetStoreOptions()
                options.readOnly = true
                guard let store = try? ParquetStore(root: root, namespace: ns, options: options) else { continue }
                print("namespace \(ns)")
                for table in try store.tableNames() {
                    let parts = try store.partNames(table)
                    var rows = 0, bytes = 0
                    var minTick = Int32.max, maxTick = Int32.min
                    for part in parts {
                        let path = store.tableDirectory(table) + "/" + part
                        bytes += FileTree.size(path)
                        let reader = try ParquetFileReader(path: path)
                        rows += reader.rowCount
                        if let ticks = try? reader.readAll(columns: ["tick"]), ticks.length > 0 {
                            let c = ticks.columns[0]
                            for i in 0..<ticks.length where c.isValid(i) {
                                let v = c.buffers[1]!.load(c.offset + i, as: Int32.self)
                                minTick = min(minTick, v); maxTick = max(maxTick, v)
                            }
                        }
                    }
                    let range = minTick <= maxTick ? "\(minTick)…\(maxTick)" : "-"
                    print("  table \(table): \(parts.count) parts, \(rows) rows, \(bytes) bytes, ticks \(range)")
                    if let schema = try store.tableSchema(table) {
                        for f in schema.fields { print("    \(f)") }
                    }
                }
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}

/// `archetype query ROOT --namespace NS --table T [--tick N] [--entity ID] [--all] [--format table|csv|json]`.
///
/// Without `--tick`, the table's last tick; without `--all`, active rows only. `--all` returns
/// every row of the selected ticks (every tick when `--tick` is not given), tombstones included.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Print rows of a table from a store.")
    @Argument(help: "The store root.") var root: String
    @Option(help: "Namespace.") var namespace: String
    @Option(help: "Table.") var table: String
    @Option(help: "Tick (default: the last one; with --all, every tick).") var tick: Int32?
    @Option(help: "Entity id.") var entity: Int32?
    @Flag(help: "Every row: tombstones included, every tick unless --tick is given.") var all = false
    @Option(help: "table, csv or json.") var format: QueryFormat = .table

    enum QueryFormat: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    func run() throws {
        do {
            var options = ParquetStoreOptions()
            options.readOnly = true
            let store = try ParquetStore(root: root, namespace: namespace, options: options)
            guard try store.tableSchema(table) != nil else {
                printError("error: no table \(table) in \(root)/\(namespace)")
                throw ExitCode(1)
            }
            var filter = ReadFilter(activeOnly: !all)
            if let entity { filter.entityIds = [entity] }
            if let tick {
                filter.ticks = [tick]
            } else if !all {
                var last: Int32 = -1
                for b in try store.read(table, filter: .all, columns: ["tick"]) {
                    let c = b.columns[0]
                    for i in 0..<b.length where c.isValid(i) { last = max(last, c.buffers[1]!.load(c.offset + i, as: Int32.self)) }
                }
                filter.ticks = [last]
            }
            let batches = try store.read(table, filter: filter, columns: nil)
            let schema = try store.tableSchema(table)!
            let names = schema.fields.map(\.name)
            switch format {
            case .json:
                for b in batches {
                    for r in 0..<b.length {
                        print("{" + zip(names, b.columns).map { ValueFormatter.quote($0) + ":" + ValueFormatter.json($1, r) }.joined(separator: ",") + "}")
                    }
                }
            case .csv:
                print(names.map(ValueFormatter.csvQuote).joined(separator: ","))
                for b in batches {
                    for r in 0..<b.length { print(b.columns.map { ValueFormatter.csv($0, r) }.joined(separator: ",")) }
                }
            case .table:
                var rows: [[String]] = [names]
                for b in batches {
                    for r in 0..<b.length { rows.append(b.columns.map { ValueFormatter.json($0, r) }) }
                }
                let widths = names.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
                for (i, row) in rows.enumerated() {
                    print(row.enumerated().map { $0.element.padding(widths[$0.offset]) }.joined(separator: "  "))
                    if i == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
                }
                print("(\(rows.count - 1) rows)")
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
