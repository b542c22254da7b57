#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A pthread mutex at a stable address (a Swift struct holding `pthread_mutex_t` may move).
///
/// The library locks with pthreads rather than the standard library's `Synchronization.Mutex`
/// because on Linux that `Mutex` hands a contended lock over inside the kernel (a priority-
/// inheriting futex), which ThreadSanitizer cannot see: every contended handoff would be
/// reported as a race, and real races would drown in them (docs/decisions.md, "Locks").
public final class ThreadLock: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Blocks until the calling thread holds the lock. Not recursive.
    @inlinable public func lock() { pthread_mutex_lock(mutex) }

    /// Releases the lock; the calling thread must hold it.
    @inlinable public func unlock() { pthread_mutex_unlock(mutex) }
}

/// A value only reachable while holding its lock: the pthread counterpart of
/// `Synchronization.Mutex` (same `withLock` shape), visible to ThreadSanitizer.
public final class LockedValue<Value: ~Copyable>: @unchecked Sendable {
    @usableFromInline let lock = ThreadLock()
    /// Exclusive access is what the lock provides (`withLock` is the only way in, and the lock
    /// is not recursive), so the runtime's dynamic exclusivity check would only repeat it.
    @usableFromInline @exclusivity(unchecked) var value: Value

    public init(_ value: consuming Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    ///
    /// - Complexity: O(1) plus `body`; one uncontended lock and unlock.
    @inlinable
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
