import ArchetypeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The POSIX calls of the store, each failure an `errno` or a `StoreError.io` naming the path
/// and the operation.
enum FileSystem {
    /// What a directory entry is.
    enum Kind: Equatable { case directory, regular, other }

    /// A directory entry: its name (valid UTF-8 only; other names are skipped) and kind.
    struct Entry {
        let name: String
        let kind: Kind
    }

    /// Identity of a file version: parts are immutable, so this keys cached footers.
    struct Identity: Hashable {
        let size: Int
        let device: UInt64
        let inode: UInt64
        let mtimeSeconds: Int
        let mtimeNanoseconds: Int
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func describe(_ code: Int32) -> String {
        if let s = strerror(code) { return String(cString: s) + " (errno \(code))" }
        return "errno \(code)"
    }

    /// The kind of `path` following symlinks, or nil when it does not exist.
    static func kind(_ path: String) throws(StoreError) -> Kind? {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            throw .io(path: path, errno: e, operation: "stat")
        }
        return kind(of: st)
    }

    static func kind(of st: stat) -> Kind {
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        default: return .other
        }
    }

    static func identity(of st: stat) -> Identity {
        Identity(size: Int(st.st_size), device: UInt64(st.st_dev), inode: UInt64(st.st_ino),
                 mtimeSeconds: Int(st.st_mtim.tv_sec), mtimeNanoseconds: Int(st.st_mtim.tv_nsec))
    }

    /// Creates `path` (mode 0755) if missing. Returns whether it was created.
    ///
    /// - Throws: `io` when it cannot be created or exists as something other than a directory.
    static func makeDirectory(_ path: String) throws(StoreError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        let e = errno
        if e == EEXIST, try kind(path) == .directory { return false }
        throw .io(path: path, errno: e == EEXIST ? ENOTDIR : e, operation: "mkdir")
    }

    /// `mkdir -p path` (mode 0755). When `durable`, the parent of every directory created is
    /// fsynced afterwards.
    static func makeDirectories(_ path: String, durable: Bool) throws(StoreError) {
        if try kind(path) == .directory { return }
        // Build the chain of prefixes: "/a", "/a/b", … (or "a", "a/b" for relative paths).
        let absolute = path.hasPrefix("/")
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var prefixes: [String] = []
        var current = absolute ? "" : ""
        for (i, p) in parts.enumerated() {
            current = (i == 0 ? (absolute ? "/" : "") : current + "/") + p
            prefixes.append(current)
        }
        var created: [String] = []
        for prefix in prefixes {
            if try makeDirectory(prefix) { created.append(prefix) }
        }
        guard durable else { return }
        for dir in created {
            let parent = parentDirectory(of: dir)
            let e = fsyncDirectory(parent)
            if e != 0 { throw .io(path: parent, errno: e, operation: "fsync directory") }
        }
    }

    static func parentDirectory(of path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        if slash == p.startIndex { return "/" }
        return String(p[..<slash])
    }

    /// fsyncs a directory; returns 0 or the errno.
    static func fsyncDirectory(_ path: String) -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { _ = close(fd) }
        while fsync(fd) != 0 {
            let e = errno
            if e == EINTR { continue }
            return e
        }
        return 0
    }

    /// The entries of `path` (without `.` and `..`), or nil when it does not exist or is not a
    /// directory. Kinds follow symlinks.
    static func list(_ path: String) throws(StoreError) -> [Entry]? {
        guard let dir = opendir(path) else {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            throw .io(path: path, errno: e, operation: "opendir")
        }
        defer { closedir(dir) }
        var out: [Entry] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                let e = errno
                if e != 0 { throw .io(path: path, errno: e, operation: "readdir") }
                break
            }
            let name: String? = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(validatingCString: $0) }
            }
            guard let name, name != ".", name != ".." else { continue }
            var kind: Kind
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_REG): kind = .regular
            case Int32(DT_LNK), Int32(DT_UNKNOWN): kind = (try Self.kind(join(path, name))) ?? .other
            default: kind = .other
            }
            out.append(Entry(name: name, kind: kind))
        }
        return out
    }

    /// Whether `path` is a regular file without following symlinks.
    static func isRegularFileNoFollow(_ path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0 else { return false }
        return st.st_mode & S_IFMT == S_IFREG
    }

    /// The canonical absolute path (`realpath`), or nil.
    static func canonicalPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and `EINTR`. Returns 0 or the errno.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                return e
            }
            if n == 0 { return EIO }
            done += n
        }
        return 0
    }

    /// Reads exactly `count` bytes at `offset` into `into`, retrying `EINTR`. Returns 0, the
    /// errno, or -1 at an early end of file.
    static func readExactly(_ fd: Int32, _ into: UnsafeMutableRawPointer, count: Int, offset: Int) -> Int32 {
        var done = 0
        while done < count {
            let n = pread(fd, into + done, count - done, off_t(offset + done))
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                return e
            }
            if n == 0 { return -1 }
            done += n
        }
        return 0
    }
}
