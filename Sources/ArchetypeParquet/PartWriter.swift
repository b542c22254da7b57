import Arrow
import ArchetypeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A step of the append protocol where tests inject failures (store.md §13 S9, S10).
enum AppendStep: Sendable, Equatable {
    case makeTableDirectory, syncNamespaceDirectory, open, write, syncFile, close, rename, syncTableDirectory
}

/// Returns an errno to fail `step` with, or nil to let it run.
typealias FaultInjector = @Sendable (AppendStep) -> Int32?

/// Publishes one encoded part (store.md §5 steps 5–9): staging file created with
/// `O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC` (0644), written completely, fsynced when durable, closed,
/// renamed to its final name, then the table directory fsynced when durable.
struct PartWriter {
    let durable: Bool
    let fault: FaultInjector?

    /// The errno injected for `step`, if any.
    func injected(_ step: AppendStep) -> Int32? { fault?(step) }

    /// Writes `bytes` as `tableDirectory/part-<uuid>.parquet`.
    ///
    /// - Throws: `io(path, errno, operation)` when nothing was published (the staging file is
    ///   removed); `notDurable(path, cause)` when the part is published but the directory fsync
    ///   failed.
    /// - Returns: the path of the published part.
    func publish(_ bytes: ArrowBuffer, tableDirectory: String, uuid: String) throws(StoreError) -> String {
        let staging = FileSystem.join(tableDirectory, ParquetStoreLayout.stagingFileName(uuid: uuid))
        let final = FileSystem.join(tableDirectory, ParquetStoreLayout.partFileName(uuid: uuid))
        // 5. Create the staging file. O_EXCL: never touch a file that is not ours.
        if let e = injected(.open) { throw .io(path: staging, errno: e, operation: "open") }
        let fd = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: staging, errno: errno, operation: "open") }
        func fail(_ e: Int32, _ operation: String, path: String? = nil, closing: Bool) -> StoreError {
            if closing { _ = close(fd) }
            _ = unlink(staging)
            return .io(path: path ?? staging, errno: e, operation: operation)
        }
        var e = injected(.write) ?? bytes.withUnsafeBytes { FileSystem.writeAll(fd, $0) }
        if e != 0 { throw fail(e, "write", closing: true) }
        // 6. fsync, close (checked).
        if durable {
            e = injected(.syncFile) ?? Self.fsyncRetrying(fd)
            if e != 0 { throw fail(e, "fsync", closing: true) }
        }
        if close(fd) != 0 {
            let closeErrno = errno
            // EINTR from close: the descriptor is gone on Linux; the data may not be. Fail safe.
            throw fail(closeErrno, "close", closing: false)
        }
        if let injectedClose = injected(.close) { throw fail(injectedClose, "close", closing: false) }
        // 7. rename: the final name is new, so nothing is replaced.
        if let r = injected(.rename) { throw fail(r, "rename", path: final, closing: false) }
        if rename(staging, final) != 0 { throw fail(errno, "rename", path: final, closing: false) }
        // 8. The part is published; a failure now says so.
        if durable {
            let d = injected(.syncTableDirectory) ?? FileSystem.fsyncDirectory(tableDirectory)
            if d != 0 {
                throw .notDurable(path: final, cause: "fsync of directory \(tableDirectory) failed: \(FileSystem.describe(d))")
            }
        }
        return final
    }

    static func fsyncRetrying(_ fd: Int32) -> Int32 {
        while fsync(fd) != 0 {
            let e = errno
            if e == EINTR { continue }
            return e
        }
        return 0
    }
}
