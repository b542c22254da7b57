import Arrow
import ArchetypeCore
@testable import ArchetypeParquet
import Foundation
import Parquet
import Testing

/// Failed appends (store.md §5 steps 3–9; §13 S9, S10, S20).
@Suite struct StoreFailureTests {
    /// The part files of a table directory.
    static func parts(_ dir: String) -> [String] { Disk.entries(dir).filter { $0.hasPrefix("part-") } }
    static func staging(_ dir: String) -> [String] { Disk.entries(dir).filter { $0.hasSuffix(".tmp") } }

    /// S9: a failure injected at open, write, fsync, close or rename publishes nothing, removes
    /// the staging file and gives `io` naming the operation.
    @Test(arguments: [
        (AppendStep.open, "open"), (.write, "write"), (.syncFile, "fsync"), (.close, "close"), (.rename, "rename"),
        (.makeTableDirectory, "mkdir"),
    ])
    func s09_aFailedAppendPublishesNothing(step: AppendStep, operation: String) throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        try store.append("t", try Rows.tick(0, entities: 1...3))
        let dir = root.join("ns", "t")
        store.injectFaults { $0 == step ? EIO : nil }
        expectStoreError({ () throws(StoreError) in try store.append("t", try! Rows.tick(1, entities: 1...3)) }) { e in
            guard case .io(_, EIO, let op) = e else { return false }
            return op == operation && !e.published
        }
        #expect(Self.parts(dir).count == 1)
        #expect(Self.staging(dir).isEmpty)
        #expect(try store.read("t", filter: .all, columns: nil).int32s("tick") == [0, 0, 0])
        // The next append works and sorts after the first part.
        store.injectFaults(nil)
        try store.append("t", try Rows.tick(1, entities: 1...3))
        #expect(try store.read("t", filter: .all, columns: nil).int32s("tick") == [0, 0, 0, 1, 1, 1])
    }

    /// S9 on a new table: a failed first append leaves no part and no reserved schema.
    @Test func s09_aFailedFirstAppendReservesNothing() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        store.injectFaults { $0 == .write ? ENOSPC : nil }
        expectStoreError({ () throws(StoreError) in try store.append("t", try! Rows.tick(0, entities: 1...3)) }) {
            if case .io(_, ENOSPC, "write") = $0 { return true } else { return false }
        }
        store.injectFaults(nil)
        #expect(try store.tableNames() == [])
        // Another schema is accepted: the failed append's schema was not kept.
        let other = Schema([Field("a", .int64, nullable: false)])
        try store.append("t", try RecordBatch(schema: other, columns: [ArrayData.from([7 as Int64])]))
        #expect(try store.tableSchema("t") == other)
    }

    /// S9 without injection: the table path is a regular file → `io`, nothing published.
    @Test func s09_aTablePathThatIsAFileGivesIO() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        try Disk.write([1, 2, 3], to: root.join("ns", "t"))
        expectStoreError({ () throws(StoreError) in try store.append("t", try! Rows.tick(0, entities: 1...3)) }) {
            if case .io(let path, _, "mkdir") = $0 { return path.hasSuffix("/ns/t") } else { return false }
        }
        #expect(try Disk.read(root.join("ns", "t")) == [1, 2, 3])
        #expect(try store.tableNames() == [])
        #expect(try store.read("t", filter: .all, columns: nil).isEmpty)
    }

    /// S10: a failed directory fsync reports a published part, which reads see.
    @Test func s10_aDirectoryFsyncFailureReportsAPublishedPart() throws {
        let root = TemporaryRoot()
        let store = try ParquetStore(root: root.path, namespace: "ns")
        store.injectFaults { $0 == .syncTableDirectory ? EIO : nil }
        do {
            try store.append("t", try Rows.tick(0, entities: 1...3))
            Issue.record("expected notDurable")
        } catch let error as StoreError {
            guard case .notDurable(let path, let cause) = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.published)
            #expect(Disk.exists(path))
            #expect(cause.contains("fsync"))
        }
        #expect(try store.read("t", filter: .all, columns: nil).rowCount == 3)
        // The schema is known: another schema is refused.
        store.injectFaults(nil)
        let other = Schema([Field("a", .int64, nullable: false)])
        expectStoreError({ () throws(StoreError) in try store.append("t", try! RecordBatch(schema: other, columns: [ArrayData.from([7 as Int64])])) }) {
            if case .schemaMismatch = $0 { return true } else { return false }
        }
        // Without durability the directory is never fsynced, so the injection has no effect.
        var options = ParquetStoreOptions()
        options.durable = false
        let fast = try ParquetStore(root: root.path, namespace: "fast", options: options)
        fast.injectFaults { $0 == .syncTableDirectory || $0 == .syncFile ? EIO : nil }
        try fast.append("t", try Rows.tick(0, entities: 1...3))
    }

    /// S20: with `durable = false`, a reader polling the directory never sees a partial part.
    @Test func s20_visibilityStaysAtomicWithoutFsync() throws {
        let root = TemporaryRoot()
        var options = ParquetStoreOptions()
        options.durable = false
        let store = try ParquetStore(root: root.path, namespace: "ns", options: options)
        let dir = root.join("ns", "t")
        let done = Flag()
        let seen = Counter()
        let failures = Failures()
        let finished = Flag()
        // A real thread: the cooperative pool may be busy with other tests.
        let poller = Thread {
            defer { finished.set() }
            while !done.isSet {
                for name in Self.parts(dir) where name.hasSuffix(".parquet") {
                    do {
                        let reader = try ParquetFileReader(path: dir + "/" + name)
                        _ = try reader.readAll()
                    } catch {
                        failures.append("\(name): \(error)")
                    }
                    seen.increment()
                }
            }
        }
        poller.start()
        // Append until the poller has checked parts many times (it may start late).
        var appended = 0
        while appended < 40 || (seen.value < 200 && appended < 2000) {
            try store.append("t", try Rows.tick(Int32(appended), entities: 1...500))
            appended += 1
        }
        done.set()
        while !finished.isSet { usleep(1000) }
        #expect(failures.all.isEmpty)
        #expect(seen.value > 0)
        #expect(Self.staging(dir).isEmpty)
    }
}

/// A flag shared with a polling task.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

/// Messages collected by a polling thread.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    func append(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
}

/// A counter shared with a polling task.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func increment() { lock.lock(); count += 1; lock.unlock() }
}
