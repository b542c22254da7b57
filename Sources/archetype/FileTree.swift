#if canImport(Glibc)
import Glibc
#endif

/// Small filesystem helpers for the CLI (no Foundation).
enum FileTree {
    /// The entries of a directory (without `.` and `..`), or [] when it cannot be read.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func size(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// Whether any `part-*.parquet` file exists below `root` (two levels: namespace/table).
    static func containsParts(_ root: String) -> Bool {
        for ns in list(root) where isDirectory(root + "/" + ns) {
            for t in list(root + "/" + ns) where isDirectory(root + "/" + ns + "/" + t) {
                if list(root + "/" + ns + "/" + t).contains(where: { $0.hasPrefix("part-") && $0.hasSuffix(".parquet") }) { return true }
            }
        }
        return false
    }

    static func temporaryDirectory(prefix: String) throws -> String {
        let base = String(cString: getenv("TMPDIR") ?? strdup("/tmp"))
        var template = Array((base + "/" + prefix + "XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else {
            printError("error: cannot create a temporary directory in \(base)")
            throw ExitCodeError.failure
        }
        return String(cString: template)
    }

    /// Removes a directory tree (best effort).
    static func remove(_ path: String) {
        if isDirectory(path) {
            for e in list(path) { remove(path + "/" + e) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

enum ExitCodeError: Error { case failure }
