import Arrow
import ArchetypeCore

/// The state shared by every writable store of one (canonical root, namespace) in this process
/// (store.md §4): the writer lock, the part-name generator and the per-table write state.
/// Thread-safe: worlds on different threads append through it.
final class NamespaceState: Sendable {
    /// The registry key.
    let key: NamespaceRegistry.Key
    private let lock: LockedValue<NamespaceLock?>
    private let state = LockedValue(Mutable())

    /// What appends in this process know about a table.
    struct TableState {
        /// The table's schema: from its first part, or reserved by an append in progress.
        var schema: Schema?
        /// Where the schema came from (a part path), for errors.
        var schemaSource: String = ""
        /// Whether a part with `schema` is known to exist.
        var schemaPublished = false
        /// The greatest part name in the directory when the process first appended, then the
        /// last name this process gave the table: new names must sort after it.
        var floorName: String?
        var floorChecked = false
    }

    struct Mutable {
        let generator = UUIDv7Generator()
        var tables: [String: TableState] = [:]
    }

    init(key: NamespaceRegistry.Key, lock: consuming NamespaceLock) {
        self.key = key
        self.lock = LockedValue(Optional(lock))
    }

    /// The path of the lock file.
    var lockPath: String { FileSystem.join(FileSystem.join(key.root, key.namespace), ParquetStoreLayout.lockFileName) }

    /// Releases the writer lock (the last store of the namespace closed).
    func releaseLock() {
        lock.withLock { l in
            _ = l.take()
        }
    }

    /// Checks `schema` against the table's (store.md §5 step 2), learning the table's schema
    /// from `firstPart` on the first append in this process. A table without parts reserves
    /// `schema`, so concurrent first appends with another schema fail.
    ///
    /// - Returns: whether this call reserved the schema (undo it with ``abandonReservation``
    ///   when the append publishes nothing).
    func checkSchema(table: String, _ schema: Schema, firstPart: () throws(StoreError) -> (Schema, String)?) throws(StoreError) -> Bool {
        try state.withLock { (s) throws(StoreError) -> Bool in
            var t = s.tables[table] ?? TableState()
            if t.schema == nil, let (existing, source) = try firstPart() {
                t.schema = existing
                t.schemaSource = source
                t.schemaPublished = true
            }
            defer { s.tables[table] = t }
            if let existing = t.schema {
                guard existing.equalsIgnoringMetadata(schema) else {
                    throw .schemaMismatch(table: table, part: t.schemaSource, detail: SchemaDifference.describe(expected: existing, actual: schema))
                }
                return false
            }
            t.schema = schema
            t.schemaSource = "an append in progress"
            t.schemaPublished = false
            return true
        }
    }

    /// A part of the table was published with its schema.
    func published(table: String, path: String) {
        state.withLock { s in
            guard var t = s.tables[table] else { return }
            if !t.schemaPublished { t.schemaPublished = true; t.schemaSource = path }
            s.tables[table] = t
        }
    }

    /// An append that reserved the table's schema published nothing.
    func abandonReservation(table: String) {
        state.withLock { s in
            guard var t = s.tables[table], !t.schemaPublished else { return }
            t.schema = nil
            t.schemaSource = ""
            s.tables[table] = t
        }
    }

    /// The next part UUID of `table` (store.md §2.3): monotonic per namespace, and on the first
    /// append of the process sorting after the greatest part name already in the directory
    /// (`greatestExisting`, called once per table).
    func nextPartUUID(table: String, greatestExisting: () throws(StoreError) -> String?) throws(StoreError) -> String {
        try state.withLock { (s) throws(StoreError) -> String in
            var t = s.tables[table] ?? TableState()
            if !t.floorChecked {
                t.floorName = try greatestExisting()
                t.floorChecked = true
            }
            var uuid = s.generator.next().text
            if let floor = t.floorName, !Names.bytewiseLess(floor, ParquetStoreLayout.partFileName(uuid: uuid)),
               let bound = ParquetStoreLayout.floor(ofPartName: floor) {
                // The clock went backwards, or the directory holds names from the future. The
                // generator's state is ≤ `bound` here (its last name sorted before `floor`), so
                // moving it to `bound` keeps it monotonic for every table of the namespace.
                uuid = s.generator.next(after: bound).text
            }
            t.floorName = ParquetStoreLayout.partFileName(uuid: uuid)
            s.tables[table] = t
            return uuid
        }
    }
}

/// The process-wide registry of writable namespaces, keyed by (canonical root, namespace), with
/// reference counts: the first writable open takes the lock and cleans staging files, the last
/// close releases the lock.
enum NamespaceRegistry {
    struct Key: Hashable, Sendable {
        let root: String
        let namespace: String
    }

    private static let entries = LockedValue<[Key: (state: NamespaceState, references: Int)]>([:])

    /// The shared state of `key`, taking the lock (and running `firstOpen`) when no store of
    /// this process holds the namespace yet.
    static func acquire(_ key: Key, firstOpen: () throws(StoreError) -> Void) throws(StoreError) -> NamespaceState {
        try entries.withLock { (e) throws(StoreError) -> NamespaceState in
            if let entry = e[key] {
                e[key] = (entry.state, entry.references + 1)
                return entry.state
            }
            let lockPath = FileSystem.join(FileSystem.join(key.root, key.namespace), ParquetStoreLayout.lockFileName)
            let lock = try NamespaceLock(path: lockPath)
            let state = NamespaceState(key: key, lock: lock)
            do throws(StoreError) {
                try firstOpen()
            } catch {
                state.releaseLock()
                throw error
            }
            e[key] = (state, 1)
            return state
        }
    }

    /// Drops one reference; the last one releases the lock.
    static func release(_ state: NamespaceState) {
        // Released under the registry lock: a concurrent open must not find the entry gone
        // while this process still holds the flock (it would see `busy`).
        entries.withLock { e in
            guard let entry = e[state.key], entry.state === state else { return }
            if entry.references <= 1 {
                e[state.key] = nil
                state.releaseLock()
            } else {
                e[state.key] = (entry.state, entry.references - 1)
            }
        }
    }

    /// The number of stores holding `key` (tests).
    static func references(root: String, namespace: String) -> Int {
        let canonical = FileSystem.canonicalPath(root) ?? root
        return entries.withLock { $0[Key(root: canonical, namespace: namespace)]?.references ?? 0 }
    }
}
