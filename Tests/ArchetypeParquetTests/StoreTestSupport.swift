import Arrow
import ArchetypeCore
@testable import ArchetypeParquet
import Foundation
import Parquet
import Testing

/// A fresh temporary directory, removed when the value goes.
final class TemporaryRoot {
    let path: String

    init() {
        var base = NSTemporaryDirectory()
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        var template = Array("\(base)/archetype-store-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/components…`.
    func join(_ components: String...) -> String {
        components.reduce(path) { $0 + "/" + $1 }
    }
}

/// Rows of the standard test table: the base columns and `position__x` (f64, non-null).
struct Row {
    var world = "w"
    var run = "r"
    var entity: Int32
    var tick: Int32
    var active = true
    var x: Double = 0
}

enum Rows {
    static let schema = Schema(BaseColumns.fields + [Field("position__x", .float64, nullable: false, metadata: [("unit", "m")])])

    static func batch(_ rows: [Row], schema: Schema = Rows.schema) throws -> RecordBatch {
        var columns: [ArrayData] = [
            try ArrayData.from(rows.map(\.world)),
            try ArrayData.from(rows.map(\.run)),
            ArrayData.from(rows.map(\.entity)),
            ArrayData.from(rows.map(\.tick)),
            ArrayData.from(rows.map(\.active)),
        ]
        let x = schema.fields[5]
        switch x.type {
        case .float32: columns.append(ArrayData.from(rows.map { Float($0.x) }))
        default: columns.append(ArrayData.from(rows.map(\.x)))
        }
        return try RecordBatch(schema: schema, columns: columns)
    }

    /// One tick of `entities`, all active, x = entity id + tick / 100.
    static func tick(_ tick: Int32, entities: ClosedRange<Int32>, world: String = "w", run: String = "r", active: Bool = true) throws -> RecordBatch {
        try batch(entities.map { Row(world: world, run: run, entity: $0, tick: tick, active: active, x: Double($0) + Double(tick) / 100) })
    }

    static let empty: RecordBatch = try! RecordBatch.empty(Rows.schema)
}

extension RecordBatch {
    func doubles(_ name: String) -> [Double?] {
        guard let c = column(named: name), let a = try? PrimitiveArray<Double>(c) else { return [] }
        return (0..<length).map { a[$0] }
    }

    func int32s(_ name: String) -> [Int32?] {
        guard let c = column(named: name), let a = try? PrimitiveArray<Int32>(c) else { return [] }
        return (0..<length).map { a[$0] }
    }

    func strings(_ name: String) -> [String?] {
        guard let c = column(named: name), let a = try? GenericStringArray<Int32>(c) else { return [] }
        return (0..<length).map { a[$0] }
    }

    func bools(_ name: String) -> [Bool?] {
        guard let c = column(named: name), let a = try? BooleanArray(c) else { return [] }
        return (0..<length).map { a[$0] }
    }
}

extension Array where Element == RecordBatch {
    func doubles(_ name: String) -> [Double?] { flatMap { $0.doubles(name) } }
    func int32s(_ name: String) -> [Int32?] { flatMap { $0.int32s(name) } }
    func strings(_ name: String) -> [String?] { flatMap { $0.strings(name) } }
    var rowCount: Int { reduce(0) { $0 + $1.length } }
}

/// Directory helpers.
enum Disk {
    /// The names in `path`, sorted bytewise; [] when missing.
    static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted(by: Names.bytewiseLess)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A Parquet file of `batches` written by the Parquet module directly (a "foreign" part).
    static func writeParquet(_ batches: [RecordBatch], schema: Schema, to path: String, options: ParquetWriterOptions = ParquetWriterOptions()) throws {
        let buffer = try ParquetFileWriter.write(batches, schema: schema, options: options)
        try write(buffer.withUnsafeBytes { Array($0) }, to: path)
    }
}

/// Runs helper processes.
enum Helper {
    /// The repository root (from this file's path).
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A Python interpreter: `ARCHETYPE_TEST_PYTHON`, the repository's `.venv`, or `python3`.
    static let python: String = {
        if let p = ProcessInfo.processInfo.environment["ARCHETYPE_TEST_PYTHON"], !p.isEmpty { return p }
        let venv = repository + "/.venv/bin/python"
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return "/usr/bin/python3"
    }()

    /// Whether `python` imports pyarrow.
    static let hasPyarrow: Bool = (try? run(python, ["-c", "import pyarrow"]).status) == 0

    /// Whether any python3 runs (for the lock tests).
    static let hasPython: Bool = (try? run(python, ["-c", "pass"]).status) == 0

    /// Runs `executable` with `arguments` to completion.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A child process holding `flock(LOCK_EX)` on `path` until ``release()``.
    final class LockHolder {
        let process = Process()
        let input = Pipe()
        let output = Pipe()

        init(path: String) throws {
            process.executableURL = URL(fileURLWithPath: Helper.python)
            process.arguments = ["-c", """
                import fcntl, sys
                f = open(sys.argv[1], "a")
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                print("locked", flush=True)
                sys.stdin.read()
                """, path]
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            // Wait for the lock to be taken.
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("locked") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen.append(chunk)
            }
        }

        func release() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    /// Whether another process can take `flock(LOCK_EX | LOCK_NB)` on `path` right now.
    static func otherProcessCanLock(_ path: String) throws -> Bool {
        let script = """
            import fcntl, sys
            f = open(sys.argv[1], "a")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                sys.exit(3)
            """
        return try run(python, ["-c", script, path]).status == 0
    }
}

/// Expects `body` to throw a `StoreError` matching `matches`.
func expectStoreError(_ body: () throws(StoreError) -> Void, sourceLocation: SourceLocation = #_sourceLocation, _ matches: (StoreError) -> Bool) {
    do {
        try body()
        Issue.record("expected a StoreError, got none", sourceLocation: sourceLocation)
    } catch {
        #expect(matches(error), "unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
