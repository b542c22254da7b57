#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A growable, 64-byte aligned byte buffer that builders fill and then freeze into an
/// ``ArrowBuffer`` without copying.
///
/// A `final class` so builders can hold it by reference; not thread-safe (one writer).
public final class MutableBuffer {
    /// The largest buffer this module allocates (2^40 bytes); requests beyond it are errors,
    /// not traps, when they come from caller data.
    public static let maximumCapacity = 1 << 40

    @exclusivity(unchecked) @usableFromInline var pointer: UnsafeMutableRawPointer
    @exclusivity(unchecked) @usableFromInline var _capacity: Int
    @exclusivity(unchecked) @usableFromInline var _count: Int
    /// The number of bytes written.
    @inlinable public var count: Int { _count }

    /// A buffer with room for at least `capacity` bytes.
    public init(capacity: Int = 0) {
        let cap = paddedSize(Swift.max(capacity, 0) == 0 ? arrowBufferAlignment : Swift.min(capacity, MutableBuffer.maximumCapacity))
        (pointer, _capacity) = BufferPool.allocate(cap)
        _count = 0
    }

    deinit { BufferPool.free(pointer, size: _capacity) }

    /// The bytes allocated.
    public var capacity: Int { _capacity }

    /// The start of the written bytes.
    @inlinable public var baseAddress: UnsafeMutableRawPointer { pointer }

    /// Makes room for `additional` more bytes.
    @inlinable
    public func reserve(_ additional: Int) {
        let needed = _count &+ additional
        if needed > _capacity { grow(to: needed) }
    }

    @usableFromInline
    func grow(to needed: Int) {
        var cap = Swift.max(_capacity, arrowBufferAlignment)
        while cap < needed { cap = cap &* 2 }
        cap = paddedSize(cap)
        let (p, size) = BufferPool.allocate(cap)
        p.copyMemory(from: pointer, byteCount: _count)
        BufferPool.free(pointer, size: _capacity)
        pointer = p
        _capacity = size
    }

    /// Appends one value's bytes.
    @inlinable
    public func append<T: BitwiseCopyable>(_ value: T) {
        let size = MemoryLayout<T>.stride
        if _count &+ size > _capacity { grow(to: _count &+ size) }
        pointer.storeBytes(of: value, toByteOffset: _count, as: T.self)
        _count &+= size
    }

    /// Appends raw bytes.
    @inlinable
    public func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0, let src = bytes.baseAddress else { return }
        reserve(bytes.count)
        (pointer + _count).copyMemory(from: src, byteCount: bytes.count)
        _count &+= bytes.count
    }

    /// Appends the values of a typed buffer.
    @inlinable
    public func append<T: BitwiseCopyable>(contentsOf values: UnsafeBufferPointer<T>) {
        append(contentsOf: UnsafeRawBufferPointer(values))
    }

    /// Appends `n` zero bytes.
    @inlinable
    public func appendZeros(_ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (pointer + _count).initializeMemory(as: UInt8.self, repeating: 0, count: n)
        _count &+= n
    }

    /// Grows the written size by `n` bytes without initialising them and returns their start.
    ///
    /// The caller writes every one of these bytes, or gives the unwritten tail back with
    /// ``resize(to:)`` (shrinking never touches memory), before the buffer is read or frozen.
    @inlinable
    public func extendUninitialized(by n: Int) -> UnsafeMutableRawPointer {
        reserve(n)
        let p = pointer + _count
        _count &+= Swift.max(n, 0)
        return p
    }

    /// Sets the written size to `newCount` bytes, zero-filling any growth.
    @inlinable
    public func resize(to newCount: Int) {
        if newCount > _count { appendZeros(newCount - _count) } else { _count = Swift.max(newCount, 0) }
    }

    /// Typed, mutable access to the written bytes.
    @inlinable
    public func withUnsafeMutableValues<T: BitwiseCopyable, R>(as: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: pointer.assumingMemoryBound(to: T.self), count: _count / MemoryLayout<T>.stride))
    }

    /// Freezes the written bytes into an immutable buffer (zero-padded to 64 bytes) and leaves
    /// this buffer empty. No copy is made.
    public func finish() -> ArrowBuffer {
        let padded = paddedSize(_count)
        if padded > _capacity { grow(to: padded) }
        if padded > _count { (pointer + _count).initializeMemory(as: UInt8.self, repeating: 0, count: padded - _count) }
        let storage = BufferStorage(owning: pointer, capacity: _capacity)
        let result = ArrowBuffer(storage: storage, start: UnsafeRawPointer(pointer), count: _count)
        (pointer, _capacity) = BufferPool.allocate(arrowBufferAlignment)
        _count = 0
        return result
    }
}
