import Arrow
@testable import Parquet
import Testing

/// The `ARROW:schema` cache returns exactly what encoding and decoding return, keyed on the whole
/// schema (field and schema metadata included) and on the whole encoded value.
@Suite struct ArrowSchemaCacheTests {
    @Test func cachedValuesEqualFreshOnes() throws {
        let plain = Schema([Field("a", .int32, nullable: false), Field("b", .utf8)])
        let withMetadata = Schema([Field("a", .int32, nullable: false), Field("b", .utf8)], metadata: [("k", "v")])
        let withFieldMetadata = Schema([Field("a", .int32, nullable: false, metadata: [("f", "1")]), Field("b", .utf8)])
        for _ in 0..<2 {
            for schema in [plain, withMetadata, withFieldMetadata] {
                let encoded = try ArrowSchemaCache.encode(schema)
                #expect(encoded == (try ArrowIPCSchema.encodeBase64(schema)))
                #expect(try ArrowSchemaCache.decode(encoded) == schema)
            }
        }
        #expect(try ArrowSchemaCache.encode(plain) != (try ArrowSchemaCache.encode(withMetadata)))
        #expect(try ArrowSchemaCache.encode(plain) != (try ArrowSchemaCache.encode(withFieldMetadata)))
    }

    @Test func boundedAndMalformedValuesThrow() throws {
        for i in 0..<(ArrowSchemaCache.capacity * 2) {
            let schema = Schema([Field("c\(i)", .int64)])
            #expect(try ArrowSchemaCache.decode(try ArrowSchemaCache.encode(schema)) == schema)
        }
        #expect(ArrowSchemaCache.encoded.withLock { $0.count } <= ArrowSchemaCache.capacity)
        #expect(ArrowSchemaCache.decoded.withLock { $0.count } <= ArrowSchemaCache.capacity)
        #expect(throws: ArrowError.self) { try ArrowSchemaCache.decode("not base64 at all!") }
    }
}
