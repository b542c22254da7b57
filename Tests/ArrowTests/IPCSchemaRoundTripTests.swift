@testable import Arrow
import Testing

@Suite("IPC schema messages: encode → decode")
struct IPCSchemaRoundTripTests {
    func roundTrip(_ schema: Schema, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = try ArrowIPCSchema.encodeMessage(schema)
        let back = try ArrowIPCSchema.decodeMessage(bytes)
        #expect(back == schema, sourceLocation: sourceLocation)
        #expect(back.metadata.map { "\($0.0)=\($0.1)" } == schema.metadata.map { "\($0.0)=\($0.1)" }, sourceLocation: sourceLocation)
        let text = try ArrowIPCSchema.encodeBase64(schema)
        #expect(try ArrowIPCSchema.decodeBase64(text) == schema, sourceLocation: sourceLocation)
    }

    @Test func everyDataType() throws {
        try roundTrip(IPCTestSupport.everyType)
    }

    @Test func everyFieldOnItsOwn() throws {
        for f in IPCTestSupport.everyType.fields {
            try roundTrip(Schema([f]))
            try roundTrip(Schema([f.with(name: "renamed")], metadata: [("k", "v")]))
        }
    }

    @Test func fieldAndSchemaMetadata() throws {
        try roundTrip(IPCTestSupport.withMetadata)
        let back = try ArrowIPCSchema.decodeMessage(try ArrowIPCSchema.encodeMessage(IPCTestSupport.withMetadata))
        #expect(back.fields[0].metadata.map(\.0) == ["unit", "empty", ""])
        #expect(back.fields[1].type.children[0].metadata.map(\.1) == ["yes", "✓"])
        #expect(back.metadata.map(\.1) == ["archetype", "{\"columns\": []}", "1", "2"], "order and duplicates kept")
    }

    @Test func emptySchema() throws {
        try roundTrip(Schema([]))
        try roundTrip(Schema([], metadata: [("only", "metadata")]))
    }

    @Test func nonNullableFieldsAndOddNames() throws {
        try roundTrip(Schema([
            Field("", .int32, nullable: false),
            Field("with space", .utf8),
            Field("ünïcödé ✓ 😀", .float64, nullable: false),
            Field("nul\u{0}inside", .boolean),
            Field(String(repeating: "x", count: 70_000), .int8),
            Field("dup", .int8), Field("dup", .int16),
        ]))
    }

    @Test func wideSchema() throws {
        let types: [DataType] = [.int32, .utf8, .float64, .timestamp(.microsecond, timezone: "UTC")]
        try roundTrip(Schema((0..<2000).map { Field("c\($0)", types[$0 % types.count]) }))
    }

    @Test func nestingUpToTheLimit() throws {
        let limit = ArrowIPCSchema.maximumNestingDepth
        #expect(limit == 59)
        try roundTrip(IPCTestSupport.nestedLists(limit))
        // A dictionary at the deepest level needs its two extra tables.
        var f = Field("d", .dictionary(index: .int8, value: .utf8, ordered: false))
        for i in 0..<limit { f = Field("s\(i)", .struct([f])) }
        try roundTrip(Schema([f]))
        #expect(throws: ArrowError.self) { try ArrowIPCSchema.encodeMessage(IPCTestSupport.nestedLists(limit + 1)) }
    }

    @Test func emptyTimezoneDecodesAsNone() throws {
        let bytes = try ArrowIPCSchema.encodeMessage(Schema([Field("t", .timestamp(.second, timezone: ""))]))
        #expect(try ArrowIPCSchema.decodeMessage(bytes).fields[0].type == .timestamp(.second, timezone: nil))
    }

    @Test func framing() throws {
        for schema in [Schema([]), IPCTestSupport.everyType, IPCTestSupport.withMetadata] {
            let bytes = try ArrowIPCSchema.encodeMessage(schema)
            #expect(Array(bytes[0..<4]) == [0xFF, 0xFF, 0xFF, 0xFF])
            let size = Int(UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24)
            #expect(size + 8 == bytes.count)
            #expect(bytes.count % 8 == 0, "8 + size is a multiple of 8")
            // Legacy framing: the size, then the flatbuffer.
            let legacy = Array(bytes[4...])
            #expect(try ArrowIPCSchema.decodeMessage(legacy) == schema)
            // Trailing bytes (a body, the end-of-stream marker) are ignored.
            #expect(try ArrowIPCSchema.decodeMessage(bytes + [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]) == schema)
            // The raw-buffer entry point.
            #expect(try bytes.withUnsafeBytes { (raw) throws(ArrowError) in try ArrowIPCSchema.decodeMessage(raw) } == schema)
        }
    }

    @Test func messageFields() throws {
        // Message { version: V5, header: Schema, bodyLength: 0 }, Schema { endianness: Little }.
        let bytes = try ArrowIPCSchema.encodeMessage(Schema([Field("a", .int32)], metadata: [("k", "v")]))
        let r = try FlatBufferReader(Array(bytes[8...]))
        let message = try r.root()
        #expect(try r.i16(message, IPCFormat.MessageSlot.version, default: 0) == IPCFormat.MetadataVersion.v5)
        #expect(try r.i64(message, IPCFormat.MessageSlot.bodyLength, default: -1) == 0)
        let header = try r.union(message, typeSlot: IPCFormat.MessageSlot.headerType)
        #expect(header.type == IPCFormat.MessageHeader.schema)
        let schema = try #require(header.value)
        #expect(try r.i16(schema, IPCFormat.SchemaSlot.endianness, default: 9) == IPCFormat.Endianness.little)
        #expect(try r.vector(schema, IPCFormat.SchemaSlot.customMetadata, elementSize: 4)?.count == 1)
        // No schema metadata: no custom_metadata field at all.
        let plain = try ArrowIPCSchema.encodeMessage(Schema([Field("a", .int32)]))
        let r2 = try FlatBufferReader(Array(plain[8...]))
        let s2 = try #require(try r2.union(try r2.root(), typeSlot: IPCFormat.MessageSlot.headerType).value)
        #expect(try r2.field(s2, IPCFormat.SchemaSlot.customMetadata, size: 4) == nil)
    }

    @Test func dictionaryEncodingIDsAreUnique() throws {
        let schema = IPCTestSupport.everyType
        let bytes = try ArrowIPCSchema.encodeMessage(schema)
        let r = try FlatBufferReader(Array(bytes[8...]))
        let s = try #require(try r.union(try r.root(), typeSlot: IPCFormat.MessageSlot.headerType).value)
        var ids: [Int64] = []
        func walk(_ field: FlatBufferReader.Table) throws {
            if let d = try r.table(field, IPCFormat.FieldSlot.dictionary) {
                ids.append(try r.i64(d, IPCFormat.DictionarySlot.id, default: -1))
            }
            if let kids = try r.vector(field, IPCFormat.FieldSlot.children, elementSize: 4) {
                for i in 0..<kids.count { try walk(try r.table(in: kids, i)) }
            }
        }
        let fields = try #require(try r.vector(s, IPCFormat.SchemaSlot.fields, elementSize: 4))
        for i in 0..<fields.count { try walk(try r.table(in: fields, i)) }
        #expect(ids == Array(0..<6))
    }

    @Test(arguments: [
        DataType.time32(.microsecond), .time32(.nanosecond), .time64(.second), .time64(.millisecond),
        .fixedSizeBinary(byteWidth: 0), .fixedSizeBinary(byteWidth: -1), .fixedSizeBinary(byteWidth: Int(Int32.max) + 1),
        .decimal128(precision: 0, scale: 0), .decimal128(precision: 39, scale: 0), .decimal128(precision: 10, scale: Int(Int32.min) - 1),
        .fixedSizeList(Field("item", .int8), listSize: -1), .fixedSizeList(Field("item", .int8), listSize: 1 << 40),
        .map(Field("entries", .int32), keysSorted: false),
        .map(Field("entries", .struct([Field("k", .int32)])), keysSorted: false),
        .dictionary(index: .utf8, value: .utf8, ordered: false),
        .dictionary(index: .float32, value: .utf8, ordered: false),
    ])
    func unrepresentableTypesAreRejected(_ type: DataType) {
        let error = #expect(throws: ArrowError.self) { try ArrowIPCSchema.encodeMessage(Schema([Field("ok", .int8), Field("bad", type)])) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("'bad'") == true, "names the field: \(error?.message ?? "")")
    }

    @Test func dictionaryOfDictionaryIsUnsupported() {
        let inner = DataType.dictionary(index: .int8, value: .utf8, ordered: false)
        let error = #expect(throws: ArrowError.self) {
            try ArrowIPCSchema.encodeMessage(Schema([Field("s", .struct([Field("dd", .dictionary(index: .int8, value: inner, ordered: false))]))]))
        }
        #expect(error?.kind == .unsupportedType)
        #expect(error?.message.contains("s.dd") == true)
    }
}

@Suite("IPC framing errors")
struct IPCFramingTests {
    func expectInvalid(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: ArrowError.self, sourceLocation: sourceLocation) { try ArrowIPCSchema.decodeMessage(bytes) }
        #expect(error?.kind == .invalidData, sourceLocation: sourceLocation)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "") lacks \(fragment)", sourceLocation: sourceLocation)
    }

    @Test func badFraming() throws {
        expectInvalid([], "too short")
        expectInvalid([0xFF, 0xFF, 0xFF], "too short")
        expectInvalid([0xFF, 0xFF, 0xFF, 0xFF, 0x08], "too short")
        expectInvalid([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], "end-of-stream")
        expectInvalid([0, 0, 0, 0], "end-of-stream")
        expectInvalid([0xFF, 0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0xFF], "negative")
        expectInvalid([0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0, 1, 2, 3], "exceeds")
        expectInvalid([0x10, 0, 0, 0, 1, 2, 3], "exceeds")
        expectInvalid([0xFF, 0xFF, 0xFF, 0xFF, 0x04, 0, 0, 0, 1, 2, 3, 4], "too short for a root table")
    }

    @Test func otherMessageTypesAreRejected() throws {
        var b = FlatBufferBuilder()
        b.startTable()
        let body = b.endTable()
        b.startTable()
        b.add(slot: IPCFormat.MessageSlot.version, always: IPCFormat.MetadataVersion.v5)
        b.addUnion(typeSlot: IPCFormat.MessageSlot.headerType, type: IPCFormat.MessageHeader.recordBatch, value: body)
        let fb = b.finish(root: b.endTable())
        expectInvalid([0xFF, 0xFF, 0xFF, 0xFF] + le32(fb.count) + fb, "RecordBatch, not a Schema")
    }

    @Test func oldMetadataVersionsAreUnsupported() throws {
        for version: Int16 in [0, 1, 2, 5] {
            var b = FlatBufferBuilder()
            b.startTable()
            let schema = b.endTable()
            b.startTable()
            b.add(slot: IPCFormat.MessageSlot.version, always: version)
            b.addUnion(typeSlot: IPCFormat.MessageSlot.headerType, type: IPCFormat.MessageHeader.schema, value: schema)
            let fb = b.finish(root: b.endTable())
            let error = #expect(throws: ArrowError.self) { try ArrowIPCSchema.decodeMessage(le32(fb.count) + fb) }
            #expect(error?.kind == .unsupportedType)
        }
    }

    @Test func bigEndianIsUnsupported() throws {
        var b = FlatBufferBuilder()
        b.startTable()
        b.add(slot: IPCFormat.SchemaSlot.endianness, always: IPCFormat.Endianness.big)
        let schema = b.endTable()
        b.startTable()
        b.add(slot: IPCFormat.MessageSlot.version, always: IPCFormat.MetadataVersion.v4)
        b.addUnion(typeSlot: IPCFormat.MessageSlot.headerType, type: IPCFormat.MessageHeader.schema, value: schema)
        let fb = b.finish(root: b.endTable())
        let error = #expect(throws: ArrowError.self) { try ArrowIPCSchema.decodeMessage(le32(fb.count) + fb) }
        #expect(error?.kind == .unsupportedType)
        #expect(error?.message.contains("big-endian") == true)
    }

    func le32(_ n: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } }
}

@Suite("IPC Base64")
struct IPCBase64Tests {
    @Test func rfc4648Vectors() throws {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(try Base64.decode(encoded) == Array(plain.utf8))
            // Missing padding is tolerated.
            #expect(try Base64.decode(String(encoded.prefix { $0 != "=" })) == Array(plain.utf8))
        }
    }

    @Test func allByteValuesAndLengths() throws {
        var rng = IPCTestSupport.RNG(seed: 7)
        for n in 0..<300 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let text = Base64.encode(bytes)
            #expect(text.utf8.count == (n + 2) / 3 * 4)
            #expect(try Base64.decode(text) == bytes)
        }
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/", "standard alphabet, not URL-safe")
    }

    @Test(arguments: ["Zg=", "Z===", "Zm9v=", "Zm9vY", "Zg==Zg==", "Zm-v", "Zm_v", "Zm9v\n", " Zm9v", "Zm9\u{e9}", "=", "Zg=a"])
    func invalidInputIsRejected(_ text: String) {
        let error = #expect(throws: ArrowError.self) { try Base64.decode(text) }
        #expect(error?.kind == .invalidData)
    }
}
