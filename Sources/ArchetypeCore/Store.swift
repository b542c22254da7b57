import Arrow

/// A failure reported by a store (store.md §12).
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidName(name: String, reason: String)
    /// An operating-system failure; nothing was published.
    case io(path: String, errno: Int32, operation: String)
    /// The part is published (visible) but a later durability step failed.
    case notDurable(path: String, cause: String)
    case corrupt(String)
    case unsupported(String)
    case limitExceeded(String)
    case schemaMismatch(table: String, part: String, detail: String)
    case unknownColumn(table: String, column: String)
    case busy(path: String)
    case readOnly
    /// A failure injected by a test store; `published` says whether the part became visible.
    case injected(String, published: Bool)

    /// Whether the appended part became visible despite the error (engine.md §6).
    public var published: Bool {
        switch self {
        case .notDurable: return true
        case .injected(_, let p): return p
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidName(let n, let r): return "invalid name '\(n)': \(r)"
        case .io(let p, let e, let op): return "\(op) \(p) failed: \(Errno.describe(e))"
        case .notDurable(let p, let c): return "\(p) is published but not known to be durable: \(c)"
        case .corrupt(let d): return "corrupt: \(d)"
        case .unsupported(let d): return "unsupported: \(d)"
        case .limitExceeded(let d): return "limit exceeded: \(d)"
        case .schemaMismatch(let t, let p, let d): return "table \(t): part \(p): schema mismatch: \(d)"
        case .unknownColumn(let t, let c): return "table \(t): unknown column \(c)"
        case .busy(let p): return "\(p) is locked by another writer process"
        case .readOnly: return "the store is read-only"
        case .injected(let d, let p): return "injected failure: \(d)" + (p ? " (part published)" : "")
        }
    }
}

/// errno text without Foundation.
enum Errno {
    static func describe(_ code: Int32) -> String {
        #if canImport(Glibc)
        if let s = strerror(code) { return String(cString: s) + " (errno \(code))" }
        #endif
        return "errno \(code)"
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Row filter of a store read (engine.md §10.2). `nil` filters nothing; an empty array matches
/// nothing; a null in a filtered column excludes the row.
public struct ReadFilter: Sendable, Equatable {
    public var worldId: String?
    public var runId: String?
    public var ticks: [Int32]?
    public var entityIds: [Int32]?
    public var activeOnly: Bool

    public init(worldId: String? = nil, runId: String? = nil, ticks: [Int32]? = nil, entityIds: [Int32]? = nil, activeOnly: Bool = false) {
        self.worldId = worldId
        self.runId = runId
        self.ticks = ticks
        self.entityIds = entityIds
        self.activeOnly = activeOnly
    }

    /// No filtering at all.
    public static let all = ReadFilter()
}

/// What a store knows about one table's rows of a run (engine.md §7.3).
public struct TableSummary: Sendable, Equatable {
    public var table: String
    public var lastTick: Int32
    public var activeRowsAtLastTick: Int
    public var maxEntityId: Int32

    public init(table: String, lastTick: Int32, activeRowsAtLastTick: Int, maxEntityId: Int32) {
        self.table = table
        self.lastTick = lastTick
        self.activeRowsAtLastTick = activeRowsAtLastTick
        self.maxEntityId = maxEntityId
    }
}

/// The append-only ledger behind a world (engine.md §10.1).
public protocol Store: AnyObject, Sendable {
    /// Applies the name rules (store.md §2.2).
    func validateTableName(_ name: String) throws(StoreError)
    /// Appends one batch atomically: afterwards all rows are visible or none. 0 rows: no-op.
    func append(_ table: String, _ batch: RecordBatch) throws(StoreError)
    /// Rows of every append in append order, filtered, projected. Unknown table → `[]`.
    func read(_ table: String, filter: ReadFilter, columns: [String]?) throws(StoreError) -> [RecordBatch]
    /// Tables holding data, sorted bytewise.
    func tableNames() throws(StoreError) -> [String]
    /// The schema of a table's stored parts, or nil when it has none.
    func tableSchema(_ table: String) throws(StoreError) -> Schema?
    /// Per table with rows of the run: its last tick, active rows there, max entity id.
    func summarize(worldId: String, runId: String) throws(StoreError) -> [TableSummary]
}

extension Store {
    public func validateTableName(_ name: String) throws(StoreError) {
        do { try Names.validateTableName(name) } catch {
            if case .invalidName(let n, let r) = error { throw .invalidName(name: n, reason: r) }
            throw .invalidName(name: name, reason: "\(error)")
        }
    }

    /// A summary computed by reading the base columns (stores may answer faster).
    public func summarizeByReading(worldId: String, runId: String) throws(StoreError) -> [TableSummary] {
        var out: [TableSummary] = []
        for table in try tableNames() {
            let batches = try read(table, filter: ReadFilter(worldId: worldId, runId: runId), columns: ["entity_id", "tick", "is_active"])
            var last: Int32 = -1, maxId: Int32 = 0
            for b in batches {
                for i in 0..<b.length {
                    let t = b.columns[1].buffers[1]!.load(b.columns[1].offset + i, as: Int32.self)
                    let e = b.columns[0].buffers[1]!.load(b.columns[0].offset + i, as: Int32.self)
                    if t > last { last = t }
                    if e > maxId { maxId = e }
                }
            }
            guard last >= 0 else { continue }
            var atLast = 0
            for b in batches {
                let active = b.columns[2]
                for i in 0..<b.length where Bitmap.get(active.buffers[1]!.baseAddress, active.offset + i) {
                    if b.columns[1].buffers[1]!.load(b.columns[1].offset + i, as: Int32.self) == last { atLast += 1 }
                }
            }
            out.append(TableSummary(table: table, lastTick: last, activeRowsAtLastTick: atLast, maxEntityId: maxId))
        }
        return out
    }
}
