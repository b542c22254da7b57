import ArchetypeCore
import ArchetypeParquet
import Arrow
import CArrowABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// `arct_world_options` after its checks (c-abi.md §8.2).
struct WorldOptions {
    var worldId: String
    var runId: String
    var storeRoot: String?
    var namespace: String
    var storeOptions = ParquetStoreOptions()

    /// Checks in the order of §4.7: NULL strings (3), UTF-8 (5), scalars (7 / 8), names (154).
    init(_ p: UnsafePointer<arct_world_options>) throws(FFIError) {
        // The struct is read only as far as the caller says it extends (§2.4).
        let size = p.pointee.struct_size
        try CArgument.checkStructSize(size, minimum: MemoryLayout<arct_world_options>.size, "options")
        let o = p.pointee
        guard let w = o.world_id else { throw FFIError(ARCT_ERR_NULL_POINTER, "options.world_id is NULL") }
        guard let r = o.run_id else { throw FFIError(ARCT_ERR_NULL_POINTER, "options.run_id is NULL") }
        worldId = try CArgument.string(w, "options.world_id")
        runId = try CArgument.string(r, "options.run_id")
        storeRoot = try CArgument.optionalString(o.store_root, "options.store_root")
        namespace = try CArgument.optionalString(o.store_namespace, "options.store_namespace") ?? "default"
        guard o.abi_version == ARCT_ABI_VERSION else {
            throw FFIError(ARCT_ERR_ABI_VERSION, "options.abi_version is \(o.abi_version), this library implements \(ARCT_ABI_VERSION)")
        }
        guard o.flags == 0 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "options.flags has unknown bits \(o.flags)") }
        let level = Int(o.codec_level)
        switch o.codec {
        case ARCT_CODEC_SNAPPY, ARCT_CODEC_NONE:
            guard level == 0 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "options.codec_level must be 0 for codec \(o.codec), got \(level)") }
            storeOptions.codec = o.codec == ARCT_CODEC_SNAPPY ? .snappy : .none
        case ARCT_CODEC_ZSTD:
            guard level == 0 || (1...22).contains(level) else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "options.codec_level \(level) is outside zstd's 1...22") }
            storeOptions.codec = .zstd(level: level == 0 ? 1 : level)
        case ARCT_CODEC_GZIP:
            guard level == 0 || (1...9).contains(level) else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "options.codec_level \(level) is outside gzip's 1...9") }
            storeOptions.codec = .gzip(level: level == 0 ? 6 : level)
        default:
            throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "options.codec \(o.codec) is unknown")
        }
        switch o.durability {
        case ARCT_DURABILITY_FSYNC: storeOptions.durable = true
        case ARCT_DURABILITY_NO_FSYNC: storeOptions.durable = false
        default: throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "options.durability \(o.durability) is unknown")
        }
        try CArgument.checkId(worldId, what: "world id")
        try CArgument.checkId(runId, what: "run id")
        try CArgument.checkTableName(namespace)
    }
}

/// Creates the world of `arct_world_new` / `arct_world_open` and registers its token.
enum WorldFactory {
    static func make(_ o: WorldOptions, resume: Bool) throws(FFIError) -> UInt {
        guard let root = o.storeRoot else {
            let world: World
            do { world = try World.create(worldId: o.worldId, runId: o.runId, store: MemoryStore()) } catch { throw FFIError(error) }
            return WorldRegistry.insert(world: world, parquet: nil, runKey: nil)
        }
        // Store preparation (§8.2 item 1): directories, the namespace lock, staging cleanup.
        let store: ParquetStore
        do { store = try ParquetStore(root: root, namespace: o.namespace, options: o.storeOptions) } catch {
            throw FFIError(error, reading: false)
        }
        var canonical = root
        if let c = realpath(root, nil) {
            canonical = String(cString: c)
            free(c)
        }
        let key = RunKey(root: canonical, namespace: o.namespace, worldId: o.worldId, runId: o.runId)
        guard WorldRegistry.reserve(key) else {
            store.close()
            throw FFIError(ARCT_ERR_WORLD_BUSY, "world \(o.worldId) run \(o.runId) is already open in this process (namespace \(o.namespace))")
        }
        do throws(ArchetypeError) {
            let world = resume
                ? try World.open(worldId: o.worldId, runId: o.runId, store: store)
                : try World.create(worldId: o.worldId, runId: o.runId, store: store)
            return WorldRegistry.insert(world: world, parquet: store, runKey: key)
        } catch {
            WorldRegistry.unreserve(key)
            store.close()
            throw FFIError(error)
        }
    }

    /// The shared body of `new` and `open`.
    static func create(_ function: String, _ options: UnsafePointer<arct_world_options>?,
                       _ out: UnsafeMutablePointer<OpaquePointer?>?, resume: Bool) -> Int32 {
        ffiCall(function) { () throws(FFIError) in
            guard let options else { throw FFIError(ARCT_ERR_NULL_POINTER, "options is NULL") }
            guard let out else { throw FFIError(ARCT_ERR_NULL_POINTER, "out_world is NULL") }
            guard out.pointee == nil else { throw FFIError(ARCT_ERR_OUTPUT_NOT_EMPTY, "*out_world is not NULL") }
            let o = try WorldOptions(options)
            if resume && o.storeRoot == nil {
                throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "arct_world_open needs options.store_root (an in-memory run cannot be resumed)")
            }
            let token = try make(o, resume: resume)
            out.pointee = OpaquePointer(bitPattern: token)
        }
    }
}

@c @implementation
public func arct_world_new(_ options: UnsafePointer<arct_world_options>?, _ outWorld: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    WorldFactory.create("arct_world_new", options, outWorld, resume: false)
}

@c @implementation
public func arct_world_open(_ options: UnsafePointer<arct_world_options>?, _ outWorld: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    WorldFactory.create("arct_world_open", options, outWorld, resume: true)
}

@c @implementation
public func arct_world_free(_ world: OpaquePointer?) -> Int32 {
    ffiCall("arct_world_free") { () throws(FFIError) in
        guard let world else { throw FFIError(ARCT_ERR_NULL_POINTER, "world is NULL") }
        let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(world)))
        switch WorldRegistry.remove(key) {
        case .unknown:
            throw FFIError(ARCT_ERR_BAD_HANDLE, "world handle is not live (never issued, or freed)")
        case .busy:
            throw FFIError(ARCT_ERR_WORLD_BUSY, "another call on this world is running")
        case .removed(let h):
            // Staged mutations and an open epoch are dropped with the world; published parts
            // stay. The namespace lock goes with the last store of the namespace.
            h.parquet?.close()
        }
    }
}

@c @implementation
public func arct_world_last_error(
    _ world: OpaquePointer?, _ outStatus: UnsafeMutablePointer<Int32>?,
    _ buf: UnsafeMutablePointer<CChar>?, _ bufLen: Int, _ outLen: UnsafeMutablePointer<Int>?
) -> Int32 {
    // A diagnostic (§5.1): the thread's last error is neither set nor cleared.
    guard let outStatus, let outLen, buf != nil || bufLen == 0 else { return ARCT_ERR_NULL_POINTER }
    do throws(FFIError) {
        let (status, message) = try WorldRegistry.with("arct_world_last_error", world, record: false) { (h, _) throws(FFIError) in
            (h.lastStatus, h.lastMessage)
        }
        let bytes = Array(message.utf8)
        outStatus.pointee = status
        outLen.pointee = bytes.count
        if let buf, bufLen > 0 {
            var n = min(bytes.count, bufLen - 1)
            // Cut on a character boundary: never inside a multi-byte sequence.
            while n > 0 && n < bytes.count && bytes[n] & 0xC0 == 0x80 { n -= 1 }
            for i in 0..<n { buf[i] = CChar(bitPattern: bytes[i]) }
            buf[n] = 0
        }
        return ARCT_OK
    } catch {
        return error.status
    }
}

@c @implementation
public func arct_world_get_info(_ world: OpaquePointer?, _ outInfo: UnsafeMutablePointer<arct_world_info>?) -> Int32 {
    ffiCall("arct_world_get_info") { () throws(FFIError) in
        guard let outInfo else { throw FFIError(ARCT_ERR_NULL_POINTER, "out_info is NULL") }
        try WorldRegistry.with("arct_world_get_info", world) { (h, _) throws(FFIError) in
            try CArgument.checkStructSize(outInfo.pointee.struct_size, minimum: MemoryLayout<arct_world_info>.size, "out_info")
            let w = h.world
            var info = arct_world_info()
            info.struct_size = outInfo.pointee.struct_size
            info.state = w.poison != nil ? ARCT_WORLD_POISONED : (w.isEpochOpen ? ARCT_WORLD_EPOCH_OPEN : ARCT_WORLD_READY)
            info.tick = w.epochTick ?? w.tick
            if case .partialTick(let n, let committed, _)? = w.poison {
                info.poisoned_tick = n
                info.poisoned_committed_tables = Int64(committed.count)
            }
            info.next_entity_id = w.nextEntityId
            info.n_entities = Int64(w.entityCount)
            info.n_tables = Int64(w.tableNames.count)
            CNames.copy(w.lastFailedTable, into: &info.last_failed_table)
            // Only the version-2 fields are written; bytes past them are the caller's.
            outInfo.pointee = info
        }
    }
}

@c @implementation
public func arct_world_tick(_ world: OpaquePointer?, _ outTick: UnsafeMutablePointer<Int32>?) -> Int32 {
    ffiCall("arct_world_tick") { () throws(FFIError) in
        guard let outTick else { throw FFIError(ARCT_ERR_NULL_POINTER, "out_tick is NULL") }
        try WorldRegistry.with("arct_world_tick", world) { (h, _) throws(FFIError) in
            outTick.pointee = h.world.epochTick ?? h.world.tick
        }
    }
}

/// Fixed-size C name buffers (`char[ARCT_NAME_MAX + 1]`).
enum CNames {
    /// Copies at most 255 bytes of `name` and a NUL into a 256-byte C array (a tuple in Swift).
    static func copy<T>(_ name: String, into tuple: inout T) {
        withUnsafeMutableBytes(of: &tuple) { raw in
            let bytes = Array(name.utf8.prefix(raw.count - 1))
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
    }
}
