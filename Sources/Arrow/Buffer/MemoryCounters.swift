import Synchronization

/// Process-wide counters of what the Arrow module holds, for leak tests and diagnostics.
///
/// Each counter is updated with one relaxed atomic add per buffer or per exported/imported
/// C struct, never per element.
public enum ArrowMemory {
    /// Buffers allocated by this module and not yet freed.
    public static var liveBuffers: Int { _liveBuffers.load(ordering: .relaxed) }
    /// Bytes of those buffers.
    public static var liveBufferBytes: Int { _liveBufferBytes.load(ordering: .relaxed) }
    /// Exported C structs (arrays, schemas, streams) whose release callback has not run yet.
    public static var liveExports: Int { _liveExports.load(ordering: .relaxed) }
    /// Imported C structs still referenced from Swift (their producer's release is pending).
    public static var liveImports: Int { _liveImports.load(ordering: .relaxed) }

    @usableFromInline static let _liveBuffers = Atomic<Int>(0)
    @usableFromInline static let _liveBufferBytes = Atomic<Int>(0)
    @usableFromInline static let _liveExports = Atomic<Int>(0)
    @usableFromInline static let _liveImports = Atomic<Int>(0)

    @inlinable static func bufferAllocated(_ bytes: Int) {
        _liveBuffers.add(1, ordering: .relaxed)
        _liveBufferBytes.add(bytes, ordering: .relaxed)
    }
    @inlinable static func bufferFreed(_ bytes: Int) {
        _liveBuffers.subtract(1, ordering: .relaxed)
        _liveBufferBytes.subtract(bytes, ordering: .relaxed)
    }
    static func exportCreated() { _liveExports.add(1, ordering: .relaxed) }
    static func exportReleased() { _liveExports.subtract(1, ordering: .relaxed) }
    static func importCreated() { _liveImports.add(1, ordering: .relaxed) }
    static func importReleased() { _liveImports.subtract(1, ordering: .relaxed) }
}
