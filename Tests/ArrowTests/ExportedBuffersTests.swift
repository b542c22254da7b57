import CArrowABI
import Testing
@testable import Arrow

/// The registry of exported buffers (docs/decisions.md, "Imports share our storage") and the
/// cache of imported schemas.
@Suite("Exported buffers and imported schemas")
struct ExportedBuffersTests {
    /// Many arrays registered and unregistered in a scrambled order: every lookup answers
    /// exactly for the registrations still live (the table's backward-shift deletion keeps
    /// every probe run intact).
    @Test func registryAnswersExactlyForLiveRegistrations() {
        var arrays: [ArrayData] = (0..<600).map { ArrayData.from((0..<(($0 % 7) + 1)).map { Int64($0) }) }
        var live = Set(arrays.indices)
        for a in arrays { ExportedBuffers.register(a) }
        var order = Array(arrays.indices)
        var g = SystemRandomNumberGenerator()
        order.shuffle(using: &g)
        for (k, i) in order.enumerated() {
            ExportedBuffers.unregister(arrays[i])
            live.remove(i)
            if k % 50 == 0 {
                for j in arrays.indices {
                    let b = arrays[j].buffers[1]!
                    let found = ExportedBuffers.storage(at: b.baseAddress, bytes: b.count)
                    #expect((found != nil) == live.contains(j), "array \(j) after \(k + 1) removals")
                    if found != nil { #expect(found === b.storage) }
                }
            }
        }
        // A registration asks for no more bytes than it saw.
        let a = ArrayData.from([Int64(1), 2, 3])
        ExportedBuffers.register(a)
        let b = a.buffers[1]!
        #expect(ExportedBuffers.storage(at: b.baseAddress, bytes: b.count) != nil)
        #expect(ExportedBuffers.storage(at: b.baseAddress, bytes: b.count + 1) == nil)
        ExportedBuffers.unregister(a)
        arrays.removeAll()
    }

    /// A schema imported again hits the cache with the same field; one byte changed in a name
    /// (same length, same first bytes, so the same hash) is noticed by the full comparison.
    @Test func importedSchemasAreCachedExactly() throws {
        let schema = Schema([Field("position__x", .float64, nullable: false), Field("tag__name_aaaaaaa1", .utf8)])
        func roundTrip(_ s: Schema) throws -> Schema {
            let c = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
            defer { c.deallocate() }
            CDataInterface.exportSchema(s, to: c)
            return try CDataInterface.importSchema(c)
        }
        #expect(try roundTrip(schema).fields == schema.fields)
        #expect(try roundTrip(schema).fields == schema.fields)
        let other = Schema([Field("position__x", .float64, nullable: false), Field("tag__name_aaaaaaa2", .utf8)])
        #expect(try roundTrip(other).fields == other.fields)
        let nullable = Schema([Field("position__x", .float64, nullable: true), Field("tag__name_aaaaaaa1", .utf8)])
        #expect(try roundTrip(nullable).fields == nullable.fields)
        #expect(try roundTrip(schema).fields == schema.fields)
    }

    /// Trees that differ anywhere describe differently, so each one imported right after
    /// another (the latest-entry comparison) and again after all of them (the hashed lookup)
    /// comes back as itself: names that are prefixes of each other, formats, nesting, child
    /// counts and order, dictionaries.
    @Test func importedSchemasThatDifferAnywhereAreNotConfused() throws {
        let point = DataType.struct([Field("x", .float64), Field("y", .float64)])
        let schemas: [Schema] = [
            Schema([Field("ab", .int32)]),
            Schema([Field("abc", .int32)]),
            Schema([Field("a", .int32), Field("bc", .int32)]),
            Schema([Field("ab", .int64)]),
            Schema([Field("ab", .int32, nullable: false)]),
            Schema([Field("ab", point)]),
            Schema([Field("ab", .struct([Field("x", .float64)]))]),
            Schema([Field("ab", .struct([Field("y", .float64), Field("x", .float64)]))]),
            Schema([Field("ab", .list(Field("item", point)))]),
            Schema([Field("ab", .list(Field("item", .float64)))]),
            Schema([Field("ab", .dictionary(index: .int32, value: .utf8, ordered: false))]),
            Schema([Field("ab", .dictionary(index: .int8, value: .utf8, ordered: false))]),
            Schema([Field("ab", .utf8)]),
            Schema([Field("", .int32)]),
            Schema([Field("ab", .int32), Field("ab", .int32)]),
            // Metadata is not described: a tree with any takes the full path, also right after
            // the same tree without it was a hit.
            Schema([Field("ab", .int32, metadata: [("k", "v")])]),
            Schema([Field("ab", .int32)], metadata: [("k", "v")]),
            Schema([Field("ab", .int32)]),
        ]
        func roundTrip(_ s: Schema) throws -> Schema {
            let c = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
            defer { c.deallocate() }
            CDataInterface.exportSchema(s, to: c)
            return try CDataInterface.importSchema(c)
        }
        for pass in 0..<2 {
            for s in schemas {
                #expect(try roundTrip(s) == s, "pass \(pass): \(s)")
                #expect(try roundTrip(s) == s, "pass \(pass) again: \(s)")
            }
        }
    }
}
