#if canImport(Glibc)
import Glibc
#endif
import CArrowABI
import Testing
@testable import Arrow

/// The pthread-backed locks the library uses instead of `Synchronization.Mutex`
/// (docs/decisions.md, "Locks").
@Suite("Locked values")
struct LockedValueTests {
    final class Shared: @unchecked Sendable {
        let total = LockedValue(0)
        let log = LockedValue<[Int]>([])
    }

    /// Four threads incrementing one value through `withLock`: no increment is lost, and each
    /// read-modify-write of a larger value is atomic too.
    static let perThread = 20_000

    @Test func concurrentUpdatesAreExclusive() {
        let shared = Shared()
        let perThread = Self.perThread
        var threads: [pthread_t] = []
        for _ in 0..<4 {
            let box = Unmanaged.passRetained(shared).toOpaque()
            var t = pthread_t()
            let rc = pthread_create(&t, nil, { arg in
                let s = Unmanaged<Shared>.fromOpaque(arg!).takeRetainedValue()
                for i in 0..<LockedValueTests.perThread {
                    s.total.withLock { $0 += 1 }
                    if i % 1000 == 0 { s.log.withLock { $0.append($0.count) } }
                }
                return nil
            }, box)
            #expect(rc == 0)
            threads.append(t)
        }
        for t in threads { pthread_join(t, nil) }
        #expect(shared.total.withLock { $0 } == 4 * perThread)
        let log = shared.log.withLock { $0 }
        #expect(log == Array(0..<(4 * perThread / 1000)))
    }

    /// A throwing body releases the lock and rethrows its typed error.
    @Test func throwingBodyUnlocks() {
        let value = LockedValue(1)
        #expect(throws: ArrowError.self) {
            try value.withLock { (v: inout Int) throws(ArrowError) in
                v = 2
                throw ArrowError(.invalidArgument, "stop")
            }
        }
        #expect(value.withLock { $0 } == 2)
    }

    /// Emptying the module's caches leaves later work correct: the schema cache and the buffer
    /// pool refill, and pooled bytes drop to zero at once.
    @Test func releaseCachesEmptiesAndRefills() throws {
        let schema = Schema([Field("v", .int64, nullable: false)])
        let batch = try RecordBatch(schema: schema, columns: [ArrayData.from((0..<20_000).map { Int64($0) })])
        for _ in 0..<2 {
            let a = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
            let c = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
            defer { a.deallocate(); c.deallocate() }
            CDataInterface.exportRecordBatch(batch, array: a, schema: c)
            ArrowMemory.releaseCaches()
            #expect(ArrowMemory.pooledBytes == 0)
            #expect(ImportedSchemaCache.cache.withLock { $0.entries.isEmpty && $0.last == nil })
            #expect(ExportedSchemaCache.cache.withLock { $0.isEmpty })
            let back = try CDataInterface.importRecordBatch(a, schema: c)
            #expect(back.schema.fields == schema.fields && back.length == 20_000)
            #expect(!ImportedSchemaCache.cache.withLock { $0.entries.isEmpty })
            CDataInterface.exportRecordBatch(batch, array: a, schema: c)
            #expect(!ExportedSchemaCache.cache.withLock { $0.isEmpty })
            a.pointee.release?(a)
            c.pointee.release?(c)
        }
    }
}
