import Arrow
import ArchetypeCore
import Parquet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The append-only Parquet ledger of store.md: one directory per namespace, one per table, one
/// immutable `part-<uuidv7>.parquet` per append.
///
/// - Writable stores take the namespace's writer lock; every writable store of the same
///   (canonical root, namespace) in this process shares that lock, the part-name generator and
///   the schema cache, and the lock is released when the last of them closes (``close()`` or
///   deinit). Another process holding the lock gives `busy`.
/// - Read-only stores create, lock and delete nothing; a missing root is an empty store.
///
/// Thread-safe: appends and reads may run from several threads (the shared per-namespace state
/// is locked; everything else is per call).
public final class ParquetStore: Store {
    /// The root directory as given.
    public let root: String
    public let namespace: String
    public let options: ParquetStoreOptions
    /// `<root>/<namespace>`.
    public let namespacePath: String
    let access: PartAccess
    private let shared: LockedValue<NamespaceState?>
    private let faults = LockedValue<FaultInjector?>(nil)

    /// Opens (writable: creates) the namespace `namespace` under `root` (store.md §4).
    ///
    /// - Throws: `invalidName` for a namespace breaking the name rules; `busy(path)` when another
    ///   process holds the writer lock; `io` when directories cannot be created or synced;
    ///   `unsupported` for an option out of range.
    public init(root: String, namespace: String, options: ParquetStoreOptions = ParquetStoreOptions()) throws(StoreError) {
        try options.validate()
        try Self.validateName(namespace)
        self.root = root
        self.namespace = namespace
        self.options = options
        let namespacePath = FileSystem.join(root, namespace)
        self.namespacePath = namespacePath
        access = PartAccess(readerOptions: options.readerOptions)
        if options.readOnly {
            shared = LockedValue(nil)
            return
        }
        try FileSystem.makeDirectories(namespacePath, durable: options.durable)
        guard let canonicalRoot = FileSystem.canonicalPath(root) else {
            throw .io(path: root, errno: errno, operation: "realpath")
        }
        let key = NamespaceRegistry.Key(root: canonicalRoot, namespace: namespace)
        let state = try NamespaceRegistry.acquire(key) { () throws(StoreError) in
            try TableDirectory.removeStagingFiles(namespacePath)
        }
        shared = LockedValue(state)
    }

    deinit { close() }

    /// Releases this store's hold on the namespace: the writer lock goes when the last writable
    /// store of the namespace in this process closes. Appends fail afterwards; reads still work.
    /// Idempotent.
    public func close() {
        if let state = shared.withLock({ $0.take() }) { NamespaceRegistry.release(state) }
    }

    /// Whether ``close()`` ran (always false for read-only stores, which hold nothing).
    public var isClosed: Bool { !options.readOnly && shared.withLock { $0 == nil } }

    /// What this store read from disk so far.
    public var statistics: ParquetStoreStatistics { access.statistics }

    /// Zeroes ``statistics``.
    public func resetStatistics() { access.resetStatistics() }

    /// `<root>/<namespace>/<table>` (the name is not validated).
    public func tableDirectory(_ table: String) -> String { FileSystem.join(namespacePath, table) }

    static func validateName(_ name: String) throws(StoreError) {
        do { try Names.validateTableName(name) } catch {
            if case .invalidName(let n, let r) = error { throw .invalidName(name: n, reason: r) }
            throw .invalidName(name: name, reason: "\(error)")
        }
    }

    /// Sets the failure injected at append steps (tests).
    func injectFaults(_ injector: FaultInjector?) { faults.withLock { $0 = injector } }

    // MARK: Append (store.md §5)

    /// Publishes `batch` as one new part of `table`, atomically: afterwards either every row is
    /// visible or none is. A 0-row batch is a no-op.
    ///
    /// - Throws: `invalidName`; `readOnly`; `schemaMismatch` when the table's parts have another
    ///   schema (names, types, nullability); `unsupported` for a batch Parquet cannot store;
    ///   `io` when nothing was published; `notDurable` when the part is published but the
    ///   directory fsync failed.
    public func append(_ table: String, _ batch: RecordBatch) throws(StoreError) {
        try validateTableName(table)
        guard !options.readOnly else { throw .readOnly }
        guard batch.length > 0 else { return }
        guard let ns = shared.withLock({ $0 }) else {
            throw .io(path: namespacePath, errno: EBADF, operation: "append (the store is closed)")
        }
        let directory = tableDirectory(table)
        let access = self.access
        // 2. Schema check against the table's parts (cached per namespace).
        let reserved = try ns.checkSchema(table: table, batch.schema) { () throws(StoreError) -> (Schema, String)? in
            guard let first = try TableDirectory.partNames(directory)?.first else { return nil }
            let footer = try access.footer(name: first, path: FileSystem.join(directory, first))
            return (footer.reader.schema, footer.path)
        }
        var published = false
        defer { if reserved, !published { ns.abandonReservation(table: table) } }
        // Encode before touching the directory: a batch Parquet cannot store leaves no trace.
        let bytes: ArrowBuffer
        do {
            bytes = try ParquetFileWriter.write([batch], schema: batch.schema, options: options.writerOptions)
        } catch {
            throw .unsupported("table \(table): the batch cannot be written as Parquet: \(error)")
        }
        let fault = faults.withLock { $0 }
        // 3. The table directory (and, when durable, the namespace directory entry).
        if let e = fault?(.makeTableDirectory) { throw .io(path: directory, errno: e, operation: "mkdir") }
        if try FileSystem.makeDirectory(directory), options.durable {
            let e = fault?(.syncNamespaceDirectory) ?? FileSystem.fsyncDirectory(namespacePath)
            if e != 0 { throw .io(path: namespacePath, errno: e, operation: "fsync directory") }
        }
        // 4. The part name: after every name this namespace gave, and after the directory's.
        let uuid = try ns.nextPartUUID(table: table) { () throws(StoreError) -> String? in
            try TableDirectory.partNames(directory)?.last
        }
        // 5–8.
        let writer = PartWriter(durable: options.durable, fault: fault)
        do {
            let path = try writer.publish(bytes, tableDirectory: directory, uuid: uuid)
            published = true
            ns.published(table: table, path: path)
            access.count { $0.partsWritten += 1 }
        } catch {
            if case .notDurable(let path, _) = error {
                published = true
                ns.published(table: table, path: path)
                access.count { $0.partsWritten += 1 }
            }
            throw error
        }
    }

    // MARK: Read (store.md §6)

    /// The rows of every part of `table`, in append order, filtered and projected (see
    /// ``batches(_:filter:columns:)``). A missing table gives `[]`.
    public func read(_ table: String, filter: ReadFilter, columns: [String]?) throws(StoreError) -> [RecordBatch] {
        try batches(table, filter: filter, columns: columns).collect()
    }

    /// The same rows as ``read(_:filter:columns:)``, produced lazily: footers are read and
    /// schemas, projection and filter columns checked now; part data is loaded as the stream
    /// reaches it.
    ///
    /// - Throws: `invalidName`; `schemaMismatch` when a part's schema differs from the first
    ///   part's, or a filter column has the wrong type; `unknownColumn`; `corrupt`,
    ///   `unsupported`, `limitExceeded` or `io` naming the part.
    public func batches(_ table: String, filter: ReadFilter = .all, columns: [String]? = nil) throws(StoreError) -> ParquetBatchStream {
        try validateTableName(table)
        let plan = try ReadPlan.make(access, table: table, directory: tableDirectory(table), filter: filter,
                                     columns: columns, prune: options.pruneRowGroups)
        return ParquetBatchStream(plan: plan, access: access)
    }

    /// Tables holding at least one part, sorted bytewise.
    public func tableNames() throws(StoreError) -> [String] {
        try TableDirectory.tableNames(namespacePath)
    }

    /// The part file names of `table`, in read order (bytewise); `[]` when it has none.
    public func partNames(_ table: String) throws(StoreError) -> [String] {
        try validateTableName(table)
        return try TableDirectory.partNames(tableDirectory(table)) ?? []
    }

    /// The schema of the table's first part (in name order), or nil when it has no part.
    public func tableSchema(_ table: String) throws(StoreError) -> Schema? {
        try validateTableName(table)
        let directory = tableDirectory(table)
        guard let first = try TableDirectory.partNames(directory)?.first else { return nil }
        return try access.footer(name: first, path: FileSystem.join(directory, first)).reader.schema
    }

    /// Per table with rows of the run, in bytewise table order: the last tick, the active rows
    /// there and the greatest entity id (store.md §6.7), from statistics where possible.
    public func summarize(worldId: String, runId: String) throws(StoreError) -> [TableSummary] {
        let summarizer = RunSummarizer(access: access, worldId: worldId, runId: runId)
        var out: [TableSummary] = []
        for table in try tableNames() {
            if let s = try summarizer.summarize(table: table, directory: tableDirectory(table)) { out.append(s) }
        }
        return out
    }
}
