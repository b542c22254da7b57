import Foundation
import Arrow
import Testing

/// The fixtures of `Fixtures/make_ipc_schemas.py`: schema messages pyarrow wrote, with a
/// manifest of the expected fields.
enum IPCManifest {
    final class TypeJSON: Decodable, Sendable {
        let id: String
        let unit: String?
        let tz: String?
        let byte_width: Int?
        let precision: Int?
        let scale: Int?
        let list_size: Int?
        let keys_sorted: Bool?
        let ordered: Bool?
        let child: FieldJSON?
        let entries: FieldJSON?
        let fields: [FieldJSON]?
        let index: TypeJSON?
        let value: TypeJSON?
    }

    final class FieldJSON: Decodable, Sendable {
        let name: String
        let nullable: Bool
        let type: TypeJSON
        let metadata: [[String]]
    }

    struct ErrorJSON: Decodable {
        let kind: String
        let contains: String
    }

    struct Entry: Decodable {
        let str: String
        let files: [String]
        let fields: [FieldJSON]?
        let metadata: [[String]]?
        let error: ErrorJSON?
    }

    struct Manifest: Decodable {
        let pyarrow_version: String
        let schemas: [String: Entry]
    }

    struct Unexpected: Error, CustomStringConvertible { let description: String }

    static var directory: URL { IPCTestSupport.fixtures.appendingPathComponent("ipc") }

    static func load() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
    }

    static func unit(_ s: String?) throws -> TimeUnit {
        switch s {
        case "s": return .second
        case "ms": return .millisecond
        case "us": return .microsecond
        case "ns": return .nanosecond
        default: throw Unexpected(description: "unit \(s ?? "nil")")
        }
    }

    static func metadata(_ pairs: [[String]]) throws -> [(String, String)] {
        try pairs.map { p in
            guard p.count == 2 else { throw Unexpected(description: "metadata pair \(p)") }
            return (p[0], p[1])
        }
    }

    static func field(_ f: FieldJSON) throws -> Field {
        Field(f.name, try type(f.type), nullable: f.nullable, metadata: try metadata(f.metadata))
    }

    static func type(_ t: TypeJSON) throws -> DataType {
        func need<T>(_ v: T?) throws -> T {
            guard let v else { throw Unexpected(description: "missing attribute of \(t.id)") }
            return v
        }
        switch t.id {
        case "null": return .null
        case "bool": return .boolean
        case "int8": return .int8
        case "int16": return .int16
        case "int32": return .int32
        case "int64": return .int64
        case "uint8": return .uint8
        case "uint16": return .uint16
        case "uint32": return .uint32
        case "uint64": return .uint64
        case "float16": return .float16
        case "float32": return .float32
        case "float64": return .float64
        case "utf8": return .utf8
        case "large_utf8": return .largeUtf8
        case "binary": return .binary
        case "large_binary": return .largeBinary
        case "date32": return .date32
        case "date64": return .date64
        case "fixed_size_binary": return .fixedSizeBinary(byteWidth: try need(t.byte_width))
        case "time32": return .time32(try unit(t.unit))
        case "time64": return .time64(try unit(t.unit))
        case "timestamp": return .timestamp(try unit(t.unit), timezone: t.tz)
        case "duration": return .duration(try unit(t.unit))
        case "decimal128": return .decimal128(precision: try need(t.precision), scale: try need(t.scale))
        case "list": return .list(try field(try need(t.child)))
        case "large_list": return .largeList(try field(try need(t.child)))
        case "fixed_size_list": return .fixedSizeList(try field(try need(t.child)), listSize: try need(t.list_size))
        case "struct": return .struct(try need(t.fields).map(field))
        case "map": return .map(try field(try need(t.entries)), keysSorted: try need(t.keys_sorted))
        case "dictionary":
            return .dictionary(index: try type(try need(t.index)), value: try type(try need(t.value)), ordered: try need(t.ordered))
        default: throw Unexpected(description: "type id \(t.id)")
        }
    }

    /// The expected schema of a supported fixture.
    static func schema(_ e: Entry) throws -> Schema {
        guard let fields = e.fields else { throw Unexpected(description: "no fields") }
        return Schema(try fields.map(field), metadata: try metadata(e.metadata ?? []))
    }

    /// The message bytes of one fixture file (`.b64` files hold base64 text).
    static func message(_ file: String) throws -> [UInt8] {
        let raw = try IPCTestSupport.bytes(directory.appendingPathComponent(file))
        if file.hasSuffix(".b64") {
            return try Base64.decode(String(decoding: raw, as: UTF8.self))
        }
        return raw
    }
}

@Suite("IPC schema messages: pyarrow interop")
struct IPCPyarrowInteropTests {
    @Test func manifestCoversTheFixtures() throws {
        let m = try IPCManifest.load()
        #expect(m.pyarrow_version.hasPrefix("26."))
        #expect(m.schemas.count >= 20)
        #expect(m.schemas.values.filter { $0.error == nil }.flatMap(\.files).filter { $0.hasSuffix(".parquet.b64") }.count >= 8)
        #expect(m.schemas.values.flatMap(\.files).filter { $0.hasSuffix(".legacy.bin") }.count >= 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: IPCManifest.directory.path).filter { $0 != "manifest.json" }
        #expect(Set(names) == Set(m.schemas.values.flatMap(\.files)), "every fixture file is in the manifest")
    }

    /// Every pyarrow-written message (serialize(), Parquet `ARROW:schema`, legacy framing)
    /// decodes to the manifest's schema, metadata and order included.
    @Test func pyarrowMessagesDecode() throws {
        let m = try IPCManifest.load()
        var checked = 0
        for (name, entry) in m.schemas.sorted(by: { $0.key < $1.key }) where entry.error == nil {
            let expected = try IPCManifest.schema(entry)
            for file in entry.files {
                let bytes = try IPCManifest.message(file)
                let got: Schema
                if file.hasSuffix(".b64") {
                    let text = String(decoding: try IPCTestSupport.bytes(IPCManifest.directory.appendingPathComponent(file)), as: UTF8.self)
                    got = try ArrowIPCSchema.decodeBase64(text)
                } else {
                    got = try ArrowIPCSchema.decodeMessage(bytes)
                }
                #expect(got == expected, "\(file)")
                #expect(got.metadata.map { [$0.0, $0.1] } == expected.metadata.map { [$0.0, $0.1] }, "\(file)")
                checked += 1
                _ = name
            }
        }
        #expect(checked >= 22)
    }

    @Test func unsupportedTypesNameTheType() throws {
        let m = try IPCManifest.load()
        var checked = 0
        for (_, entry) in m.schemas.sorted(by: { $0.key < $1.key }) {
            guard let expected = entry.error else { continue }
            for file in entry.files {
                let error = #expect(throws: ArrowError.self, "\(file)") { try ArrowIPCSchema.decodeMessage(try IPCManifest.message(file)) }
                #expect(error?.kind == .unsupportedType, "\(file): \(error?.message ?? "")")
                #expect(error?.message.contains(expected.contains) == true, "\(file): \(error?.message ?? "")")
                checked += 1
            }
        }
        #expect(checked >= 10)
        // The path of the offending field is named.
        let nested = #expect(throws: ArrowError.self) { try ArrowIPCSchema.decodeMessage(try IPCManifest.message("unsupported_nested_union.bin")) }
        #expect(nested?.message.contains("s.bad.item") == true, "\(nested?.message ?? "")")
    }

    /// Our encodings of the manifest's schemas round-trip through our decoder exactly.
    @Test func manifestSchemasRoundTrip() throws {
        for (_, entry) in try IPCManifest.load().schemas where entry.error == nil {
            let schema = try IPCManifest.schema(entry)
            #expect(try ArrowIPCSchema.decodeMessage(try ArrowIPCSchema.encodeMessage(schema)) == schema)
        }
    }

    static let python = IPCTestSupport.repository.appendingPathComponent(".venv/bin/python")
    static let hasPython = FileManager.default.isExecutableFile(atPath: python.path)

    /// pyarrow reads what we write: our message and base64 for every fixture schema equal
    /// pyarrow's own round trip of the same schema (`make_ipc_schemas.py verify`).
    @Test(.enabled(if: hasPython, "skipped: no pyarrow venv at .venv/bin/python (run the Swift-side fixture tests only)"))
    func pyarrowReadsOurMessages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ipc-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var written = 0
        for (name, entry) in try IPCManifest.load().schemas where entry.error == nil {
            let schema = try IPCManifest.schema(entry)
            try Data(try ArrowIPCSchema.encodeMessage(schema)).write(to: dir.appendingPathComponent("\(name).bin"))
            try Data(try ArrowIPCSchema.encodeBase64(schema).utf8).write(to: dir.appendingPathComponent("\(name).b64"))
            written += 2
        }
        let process = Process()
        process.executableURL = Self.python
        process.arguments = [IPCTestSupport.fixtures.appendingPathComponent("make_ipc_schemas.py").path, "verify", dir.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "pyarrow verification failed:\n\(report)")
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let checked = json?["checked"] as? [String] ?? []
        #expect(checked.count == written, "pyarrow checked \(checked.count) of \(written) messages:\n\(report)")
    }
}
