#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Alignment and padding of every buffer this module allocates, as the Arrow format recommends.
public let arrowBufferAlignment = 64

@inlinable
func paddedSize(_ byteCount: Int) -> Int {
    // Callers bound byteCount well below Int.max (see MutableBuffer.maximumCapacity).
    (byteCount + (arrowBufferAlignment - 1)) & ~(arrowBufferAlignment - 1)
}

/// The memory behind one or more ``ArrowBuffer`` values.
///
/// Either owned (allocated here, 64-byte aligned, zero-padded, freed in `deinit`) or foreign
/// (memory of an imported C struct, kept alive by `owner`, which releases the struct exactly once
/// when the last Swift reference goes).
@usableFromInline
final class BufferStorage: @unchecked Sendable {
    // Immutable after init: safe to share across threads.
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let capacity: Int
    @usableFromInline let owner: AnyObject?

    /// Takes ownership of `base`, an allocation of `capacity` bytes from ``BufferPool``.
    @usableFromInline
    init(owning base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = UnsafeRawPointer(base)
        self.capacity = capacity
        self.owner = nil
        ArrowMemory.bufferAllocated(capacity)
    }

    /// Wraps foreign memory, kept alive by `owner`.
    @usableFromInline
    init(foreign base: UnsafeRawPointer, capacity: Int, owner: AnyObject) {
        self.base = base
        self.capacity = capacity
        self.owner = owner
    }

    deinit {
        if owner == nil {
            BufferPool.free(UnsafeMutableRawPointer(mutating: base), size: capacity)
            ArrowMemory.bufferFreed(capacity)
        }
    }

    /// Shared storage for empty buffers and for NULL foreign buffers of size 0.
    @usableFromInline static let empty: BufferStorage = {
        let p = UnsafeMutableRawPointer.allocate(byteCount: arrowBufferAlignment, alignment: arrowBufferAlignment)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: arrowBufferAlignment)
        // Not counted: it lives for the whole process.
        return BufferStorage(foreign: UnsafeRawPointer(p), capacity: arrowBufferAlignment, owner: EmptyOwner())
    }()
}

@usableFromInline final class EmptyOwner: Sendable { @usableFromInline init() {} }

/// An immutable, contiguous byte range of Arrow memory.
///
/// A struct over a reference-counted storage: copies and slices share the memory, nothing is
/// copied. Once a buffer exists it never changes, so it can be read from any thread.
public struct ArrowBuffer: @unchecked Sendable {
    @usableFromInline let storage: BufferStorage
    @usableFromInline let start: UnsafeRawPointer
    /// The number of bytes visible through this buffer.
    public let count: Int

    @inlinable
    init(storage: BufferStorage, start: UnsafeRawPointer, count: Int) {
        self.storage = storage
        self.start = start
        self.count = count
    }

    /// An empty buffer.
    public static var empty: ArrowBuffer {
        ArrowBuffer(storage: .empty, start: BufferStorage.empty.base, count: 0)
    }

    /// A buffer over foreign memory of `count` bytes kept alive by `owner`. A NULL pointer is
    /// accepted only with `count == 0`.
    static func foreign(_ pointer: UnsafeRawPointer?, count: Int, owner: AnyObject) -> ArrowBuffer? {
        guard let pointer else { return count == 0 ? .empty : nil }
        return ArrowBuffer(storage: BufferStorage(foreign: pointer, capacity: count, owner: owner), start: pointer, count: count)
    }

    /// A new owned buffer holding a copy of `bytes`.
    public init(copying bytes: UnsafeRawBufferPointer) {
        let buffer = MutableBuffer(capacity: bytes.count)
        buffer.append(contentsOf: bytes)
        self = buffer.finish()
    }

    /// A new owned buffer holding the values of `array`.
    public init<T: BitwiseCopyable>(values array: [T]) {
        self = array.withUnsafeBytes { ArrowBuffer(copying: $0) }
    }

    /// The address of the first visible byte.
    @inlinable public var baseAddress: UnsafeRawPointer { start }

    /// A zero-copy sub-range, or nil if the range is outside this buffer.
    @inlinable
    public func slice(byteOffset: Int, count: Int) -> ArrowBuffer? {
        guard byteOffset >= 0, count >= 0, byteOffset <= self.count, count <= self.count - byteOffset else { return nil }
        return ArrowBuffer(storage: storage, start: start + byteOffset, count: count)
    }

    /// Calls `body` with the visible bytes.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(storage) {} }
        return try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// Calls `body` with the buffer viewed as `count / stride` values of `T`.
    ///
    /// The buffer start must be aligned for `T`; buffers allocated here always are, and the C
    /// Data importer rejects misaligned fixed-width buffers.
    @inlinable
    public func withUnsafeValues<T: BitwiseCopyable, R, E: Error>(
        as: T.Type, _ body: (UnsafeBufferPointer<T>) throws(E) -> R
    ) throws(E) -> R {
        defer { withExtendedLifetime(storage) {} }
        let n = count / MemoryLayout<T>.stride
        return try body(UnsafeBufferPointer(start: start.assumingMemoryBound(to: T.self), count: n))
    }

    /// The offset at `index` of an offsets buffer of `width` 4 (int32) or 8 (int64) bytes.
    func loadOffset(_ index: Int, width: Int) -> Int {
        width == 4 ? Int(load(index, as: Int32.self)) : Int(truncatingIfNeeded: load(index, as: Int64.self))
    }

    /// Loads the `index`-th value of type `T` (unchecked index: callers validate).
    @inlinable
    public func load<T: BitwiseCopyable>(_ index: Int, as: T.Type) -> T {
        start.loadUnaligned(fromByteOffset: index &* MemoryLayout<T>.stride, as: T.self)
    }

    /// Whether this buffer's memory was allocated by this module (rather than imported).
    public var isOwned: Bool { storage.owner == nil }
}

extension ArrowBuffer: Equatable {
    /// Byte-wise equality of the visible ranges.
    public static func == (lhs: ArrowBuffer, rhs: ArrowBuffer) -> Bool {
        lhs.count == rhs.count && (lhs.start == rhs.start || memcmp(lhs.start, rhs.start, lhs.count) == 0)
    }
}

