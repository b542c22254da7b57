import ArchetypeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Scans of namespace and table directories (store.md §4, §6.1, §6.7).
enum TableDirectory {
    /// The part candidates of a table directory, sorted bytewise by name: regular files named
    /// `*.parquet` that start with neither `.` nor `_`. Nil when the directory is missing.
    static func partNames(_ directory: String) throws(StoreError) -> [String]? {
        guard let entries = try FileSystem.list(directory) else { return nil }
        return entries.filter { $0.kind == .regular && ParquetStoreLayout.isPartCandidate($0.name) }
            .map(\.name)
            .sorted(by: Names.bytewiseLess)
    }

    /// The table names of a namespace directory, sorted bytewise: subdirectories whose names
    /// pass the name rules and that hold at least one part. Entries that are not directories
    /// are ignored.
    static func tableNames(_ namespaceDirectory: String) throws(StoreError) -> [String] {
        guard let entries = try FileSystem.list(namespaceDirectory) else { return [] }
        var names: [String] = []
        for e in entries where e.kind == .directory && ParquetStoreLayout.isValidName(e.name) {
            if let parts = try partNames(FileSystem.join(namespaceDirectory, e.name)), !parts.isEmpty {
                names.append(e.name)
            }
        }
        return names.sorted(by: Names.bytewiseLess)
    }

    /// Deletes stray staging files (store.md §4 step 2.3): in each direct subdirectory whose
    /// name passes the name rules, the regular files named `.part-*.parquet.tmp` or
    /// `part-*.parquet.tmp`. Nothing else is deleted. Best effort: a file that cannot be
    /// deleted stays (readers skip the dotted form).
    ///
    /// - Returns: the paths deleted.
    @discardableResult
    static func removeStagingFiles(_ namespaceDirectory: String) throws(StoreError) -> [String] {
        guard let entries = try FileSystem.list(namespaceDirectory) else { return [] }
        var removed: [String] = []
        for e in entries where e.kind == .directory && ParquetStoreLayout.isValidName(e.name) {
            let table = FileSystem.join(namespaceDirectory, e.name)
            guard let files = try FileSystem.list(table) else { continue }
            for f in files where ParquetStoreLayout.isStagingFileName(f.name) {
                let path = FileSystem.join(table, f.name)
                // lstat: a symlink with a staging name is not a regular file, and stays.
                guard FileSystem.isRegularFileNoFollow(path) else { continue }
                if unlink(path) == 0 { removed.append(path) }
            }
        }
        return removed
    }
}
