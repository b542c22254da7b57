import Synchronization

/// A bounded cache of large, freed buffer allocations, reused by later allocations of the same
/// size class.
///
/// Kernels and builders allocate fresh multi-megabyte buffers for every result; returning them
/// to the system (glibc's mmap/munmap path) and faulting new pages in on the next call can cost
/// more than the kernel itself. Like Arrow C++'s memory pools (jemalloc/mimalloc), this keeps
/// freed blocks of 64 KiB and more, in power-of-two size classes, up to
/// ``ArrowMemory/poolLimit`` bytes in total; smaller allocations go straight to the system
/// allocator. ``ArrowMemory/releasePooledMemory()`` empties it.
///
/// Thread-safe: a buffer may be freed on any thread.
enum BufferPool {
    /// Allocations at least this large are pooled (in power-of-two classes).
    static let minimumPooledSize = 1 << 16
    static let classCount = 41

    struct State: ~Copyable {
        /// Free blocks per size class (log2 of the size), as bit patterns.
        var free: [[UInt]] = Array(repeating: [], count: BufferPool.classCount)
        var cachedBytes = 0
    }

    static let state = LockedValue(State())
    static let limit = Atomic<Int>(256 << 20)

    /// The size class (log2 of the block size) holding `bytes`, or nil below the pooled size.
    @inline(__always)
    static func sizeClass(_ bytes: Int) -> Int? {
        guard bytes >= minimumPooledSize, bytes <= MutableBuffer.maximumCapacity else { return nil }
        return Int.bitWidth - (bytes - 1).leadingZeroBitCount
    }

    /// A 64-byte aligned block of at least `bytes` bytes, and its actual size.
    static func allocate(_ bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        guard let c = sizeClass(bytes) else {
            let size = paddedSize(Swift.max(bytes, arrowBufferAlignment))
            return (UnsafeMutableRawPointer.allocate(byteCount: size, alignment: arrowBufferAlignment), size)
        }
        let size = 1 << c
        let reused: UInt? = state.withLock { s in
            guard let p = s.free[c].popLast() else { return nil }
            s.cachedBytes -= size
            return p
        }
        if let reused, let p = UnsafeMutableRawPointer(bitPattern: reused) { return (p, size) }
        return (UnsafeMutableRawPointer.allocate(byteCount: size, alignment: arrowBufferAlignment), size)
    }

    /// Returns a block obtained from ``allocate(_:)`` (with the size it reported).
    static func free(_ pointer: UnsafeMutableRawPointer, size: Int) {
        if let c = sizeClass(size), 1 << c == size {
            let max = limit.load(ordering: .relaxed)
            let kept = state.withLock { s -> Bool in
                guard s.cachedBytes + size <= max else { return false }
                s.free[c].append(UInt(bitPattern: pointer))
                s.cachedBytes += size
                return true
            }
            if kept { return }
        }
        pointer.deallocate()
    }

    /// Frees every cached block.
    static func drain() {
        let blocks: [UInt] = state.withLock { s in
            let all = s.free.flatMap { $0 }
            s.free = Array(repeating: [], count: classCount)
            s.cachedBytes = 0
            return all
        }
        for b in blocks { UnsafeMutableRawPointer(bitPattern: b)?.deallocate() }
    }

    static var cachedBytes: Int { state.withLock { $0.cachedBytes } }
}

extension ArrowMemory {
    /// Bytes of freed buffers kept for reuse (see ``poolLimit``).
    public static var pooledBytes: Int { BufferPool.cachedBytes }

    /// The most bytes of freed buffers (blocks of 64 KiB and more) kept for reuse by later
    /// allocations; 256 MiB by default, 0 disables the pool. Lowering it does not free what is
    /// cached: call ``releasePooledMemory()``.
    public static var poolLimit: Int {
        get { BufferPool.limit.load(ordering: .relaxed) }
        set { BufferPool.limit.store(Swift.max(newValue, 0), ordering: .relaxed) }
    }

    /// Returns every cached block to the system allocator.
    public static func releasePooledMemory() { BufferPool.drain() }

    /// Empties every process-wide cache of the module: pooled buffers, parsed imported C
    /// schemas and exported schema templates. Later calls refill them; for leak checkers and
    /// memory-pressure handlers.
    public static func releaseCaches() {
        BufferPool.drain()
        ImportedSchemaCache.removeAll()
        ExportedSchemaCache.removeAll()
    }
}
