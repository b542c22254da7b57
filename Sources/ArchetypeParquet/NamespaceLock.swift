import ArchetypeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The writer lock of a namespace (store.md §4): an exclusive, non-blocking `flock` on
/// `<root>/<namespace>/.archetype.lock`, held as long as the descriptor stays open.
struct NamespaceLock: ~Copyable {
    let path: String
    private let fd: Int32

    /// Takes the lock.
    ///
    /// - Throws: `busy(path)` when another open file description (another process) holds it;
    ///   `io` when the file cannot be opened or locked.
    init(path: String) throws(StoreError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, errno: errno, operation: "open lock file") }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            _ = close(fd)
            if e == EWOULDBLOCK || e == EAGAIN { throw .busy(path: path) }
            throw .io(path: path, errno: e, operation: "flock")
        }
        self.path = path
        self.fd = fd
    }

    /// Closing the descriptor releases the `flock`.
    deinit { _ = close(fd) }
}
