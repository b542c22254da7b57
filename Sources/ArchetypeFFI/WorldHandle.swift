import ArchetypeCore
import ArchetypeParquet
import Arrow
import CArrowABI
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The identity of a run opened on a Parquet store, unique among live handles of the process
/// (c-abi.md §8.2: a second handle on it gives `ARCT_ERR_WORLD_BUSY`).
struct RunKey: Hashable, Sendable {
    var root: String
    var namespace: String
    var worldId: String
    var runId: String
}

/// One live world behind a token (c-abi.md §4.1).
///
/// Everything but the atomics is guarded by `lock`, which every call on the world holds while
/// it runs (§4.8): calls on one world are serialised, calls on different worlds run in
/// parallel.
final class WorldHandle: @unchecked Sendable {
    let token: UInt
    let world: World
    /// The Parquet store of the world (nil for an in-memory world); closed by free.
    let parquet: ParquetStore?
    let runKey: RunKey?
    let lock = ThreadLock()
    /// The thread inside a call on this world (0: none).
    let owner = Atomic<UInt>(0)
    /// Calls that looked the token up and have not left yet (counted under the registry's
    /// mutex, so free can refuse while any is running).
    let calls = Atomic<Int>(0)
    /// The world's most recent failure (§5.2).
    var lastStatus: Int32 = 0
    var lastMessage = ""
    /// The table name of the latest split-step call, and whether it passed the name rules: a
    /// host steps the same table tick after tick, so its name is converted and checked once.
    private var lastTableName = ""
    private var lastTableNameChecked = false
    /// The latest schema whose types passed ``EngineTypes/check(_:)`` (kept alive here, so its
    /// field storage identifies it).
    private var engineTypesChecked: Schema?

    init(token: UInt, world: World, parquet: ParquetStore?, runKey: RunKey?) {
        self.token = token
        self.world = world
        self.parquet = parquet
        self.runKey = runKey
    }

    /// `world <id> run <id> tick <n>`, and the table when one is named (§5.3).
    func context(table: String?) -> String {
        var s = "world \(world.worldId) run \(world.runId) tick \(world.epochTick ?? world.tick)"
        if let table { s += " table \(table)" }
        return s
    }

    /// Refuses mutations when poisoned (103) or during an epoch (104) (§8.9).
    func checkMutable() throws(FFIError) {
        if let poison = world.poison { throw FFIError(poison) }
        if world.isEpochOpen { throw FFIError(ARCT_ERR_MUTATION_DURING_STEP, "mutations are refused while a split step is open") }
    }

    /// The table-name argument `p` as a string (``CArgument/string(_:_:)``), reusing the
    /// latest one when the bytes are the same.
    func tableName(_ p: UnsafePointer<CChar>) throws(FFIError) -> String {
        let n = strlen(p)
        var cached = lastTableName
        let same = n > 0 && cached.withUTF8 { u in u.count == n && memcmp(u.baseAddress!, p, n) == 0 }
        if same { return cached }
        let name = try CArgument.string(p, "table")
        lastTableName = name
        lastTableNameChecked = false
        return name
    }

    /// ``CArgument/checkTableName(_:)``, once for the latest name of ``tableName(_:)``.
    func checkTableName(_ name: String) throws(FFIError) {
        let latest = name.hasSameBytes(as: lastTableName)
        if latest && lastTableNameChecked { return }
        try CArgument.checkTableName(name)
        if latest { lastTableNameChecked = true }
    }

    /// ``EngineTypes/check(_:)`` of `schema`, skipped for the schema checked last (hosts hand
    /// the same imported schema back tick after tick).
    func checkEngineTypes(_ schema: Schema) throws(FFIError) {
        if let known = engineTypesChecked, schema.sharesFields(with: known) { return }
        try EngineTypes.check(schema.fields)
        engineTypesChecked = schema
    }

    /// Refuses when poisoned (103).
    func checkNotPoisoned() throws(FFIError) {
        if let poison = world.poison { throw FFIError(poison) }
    }
}

/// What a call on a world can say about itself for its error message.
final class CallScope {
    /// The table the call is about, once known.
    var table: String?
}

/// The process-wide registry of live world tokens (c-abi.md §4.1). Tokens are never
/// dereferenced: every call looks its token up here. Token values are never reused.
enum WorldRegistry {
    struct State {
        var live: [UInt: WorldHandle] = [:]
        var openRuns: Set<RunKey> = []
        /// The next token; steps of 16 from an arbitrary base, so small integers and typical
        /// addresses are never live tokens.
        var nextToken: UInt = 0x5A17_0000_0010
    }

    static let state = LockedValue(State())

    /// Reserves `key` for a handle about to be created; false if a live handle has it.
    static func reserve(_ key: RunKey) -> Bool {
        state.withLock { $0.openRuns.insert(key).inserted }
    }

    static func unreserve(_ key: RunKey) {
        _ = state.withLock { $0.openRuns.remove(key) }
    }

    /// Registers a new world and returns its token.
    static func insert(world: World, parquet: ParquetStore?, runKey: RunKey?) -> UInt {
        state.withLock { s in
            let token = s.nextToken
            s.nextToken &+= 16
            s.live[token] = WorldHandle(token: token, world: world, parquet: parquet, runKey: runKey)
            return token
        }
    }

    /// Looks a token up and counts the call in (balanced by `leave`).
    static func enter(_ token: UInt) -> WorldHandle? {
        state.withLock { s in
            guard let h = s.live[token] else { return nil }
            h.calls.add(1, ordering: .acquiringAndReleasing)
            return h
        }
    }

    static func leave(_ h: WorldHandle) {
        h.calls.subtract(1, ordering: .acquiringAndReleasing)
    }

    enum RemoveResult { case removed(WorldHandle), unknown, busy }

    /// Removes a token unless a call on it is running (or the caller is inside one).
    static func remove(_ token: UInt) -> RemoveResult {
        state.withLock { s in
            guard let h = s.live[token] else { return .unknown }
            if h.calls.load(ordering: .acquiring) > 0 || h.owner.load(ordering: .acquiring) == ThreadIdentity.current {
                return .busy
            }
            s.live[token] = nil
            if let key = h.runKey { s.openRuns.remove(key) }
            return .removed(h)
        }
    }
}

extension WorldRegistry {
    /// Runs `body` on the world behind `token` with its lock held (§4.7 step 3, §4.8).
    ///
    /// An unknown token gives `ARCT_ERR_BAD_HANDLE`; a thread already inside a call on the same
    /// world gets `ARCT_ERR_WORLD_BUSY`. A failure is recorded as the world's last error with
    /// the full message, and the error carries the world's context.
    static func with<R>(
        _ function: String, _ token: OpaquePointer?, record: Bool = true,
        _ body: (WorldHandle, CallScope) throws(FFIError) -> R
    ) throws(FFIError) -> R {
        guard let token else { throw FFIError(ARCT_ERR_NULL_POINTER, "world is NULL") }
        let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(token)))
        guard let h = enter(key) else { throw FFIError(ARCT_ERR_BAD_HANDLE, "world handle is not live (never issued, or freed)") }
        defer { leave(h) }
        let me = ThreadIdentity.current
        guard h.owner.load(ordering: .acquiring) != me else {
            throw FFIError(ARCT_ERR_WORLD_BUSY, "re-entrant call: this thread is already inside a call on the world")
        }
        h.lock.lock()
        h.owner.store(me, ordering: .releasing)
        defer {
            h.owner.store(0, ordering: .releasing)
            h.lock.unlock()
        }
        let scope = CallScope()
        do {
            return try body(h, scope)
        } catch {
            var e = error
            e.context = h.context(table: scope.table)
            if record {
                h.lastStatus = e.status
                h.lastMessage = LastError.sanitize(e.message(function))
            }
            throw e
        }
    }
}
