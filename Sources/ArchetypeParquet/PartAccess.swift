import Arrow
import ArchetypeCore
import Parquet
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A part whose footer has been read: its Arrow schema, Parquet metadata and statistics, but
/// none of its pages.
struct PartFooter: Sendable {
    /// The file name inside the table directory.
    let name: String
    let path: String
    let identity: FileSystem.Identity
    /// The length of the encoded footer (it ends 8 bytes before the end of the file).
    let footerLength: Int
    /// A reader over the footer alone (schema, metadata, pruning). Its row groups cannot be
    /// decoded: ``PartAccess/load(_:rowGroups:columns:)`` gives a reader with the data.
    let reader: ParquetFileReader

    /// Whether this store wrote the part: its column-chunk sizes are then exact (store.md §9.1),
    /// so loading only the needed chunks is safe.
    var writtenByArchetype: Bool { reader.metadata.createdBy?.hasPrefix("archetype version ") == true }
}

/// Reading parts from disk: footers (cached by path, size, inode and mtime; parts are
/// immutable), then the bytes of only the column chunks a read needs. Counts what it reads.
/// Thread-safe.
final class PartAccess: Sendable {
    let readerOptions: ParquetReaderOptions
    private let footers = LockedValue<[String: PartFooter]>([:])
    private let counters = LockedValue(ParquetStoreStatistics())
    /// The most footers kept; about half are dropped when the cache is full.
    static let footerCacheLimit = 16_384

    init(readerOptions: ParquetReaderOptions) {
        self.readerOptions = readerOptions
    }

    var statistics: ParquetStoreStatistics { counters.withLock { $0 } }
    func resetStatistics() { counters.withLock { $0 = ParquetStoreStatistics() } }
    func count(_ body: (inout ParquetStoreStatistics) -> Void) { counters.withLock { body(&$0) } }

    /// Opens `path` and fstat's it.
    private func openPart(_ path: String) throws(StoreError) -> (fd: Int32, stat: stat) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, errno: errno, operation: "open") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            _ = close(fd)
            throw .io(path: path, errno: e, operation: "fstat")
        }
        guard FileSystem.kind(of: st) == .regular else {
            _ = close(fd)
            throw .io(path: path, errno: EISDIR, operation: "open (not a regular file)")
        }
        return (fd, st)
    }

    /// The footer of the part `name` at `path`: checks the magic at both ends and the footer
    /// length, decodes the metadata and derives the Arrow schema, reading only the trailer,
    /// the first 4 bytes and the footer.
    func footer(name: String, path: String) throws(StoreError) -> PartFooter {
        // A cached footer needs one stat, not an open.
        if let cached = footers.withLock({ $0[path] }) {
            var st = stat()
            if stat(path, &st) == 0, FileSystem.identity(of: st) == cached.identity {
                count { $0.footerCacheHits += 1 }
                return cached
            }
        }
        let (fd, st) = try openPart(path)
        defer { _ = close(fd) }
        let identity = FileSystem.identity(of: st)
        let size = identity.size
        func readBytes(_ count: Int, at offset: Int) throws(StoreError) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            let e = bytes.withUnsafeMutableBytes { FileSystem.readExactly(fd, $0.baseAddress!, count: count, offset: offset) }
            if e == -1 { throw .corrupt("corrupt Parquet (\(path)): the file ended while its footer was read") }
            if e != 0 { throw .io(path: path, errno: e, operation: "read") }
            return bytes
        }
        guard size >= ParquetFooter.minimumFileSize else {
            throw .from(.corrupt("file of \(size) bytes is too small to be Parquet (at least 12)", at: "byte offset 0"), path: path)
        }
        let trailer = try readBytes(ParquetFooter.trailerLength, at: size - ParquetFooter.trailerLength)
        let checked: Result<Int, ParquetError> = trailer.withUnsafeBytes { raw in
            Result { () throws(ParquetError) -> Int in
                try ParquetFooter.metadataLength(trailer: raw, fileSize: size, maxLength: readerOptions.maxFooterBytes)
            }
        }
        let length: Int
        switch checked {
        case .success(let n): length = n
        case .failure(let error): throw .from(error, path: path)
        }
        let head = try readBytes(4, at: 0)
        let magic: Result<Void, ParquetError> = head.withUnsafeBytes { raw in
            Result { () throws(ParquetError) in try ParquetFooter.checkLeadingMagic(raw) }
        }
        if case .failure(let error) = magic { throw .from(error, path: path) }
        let footer = try readBytes(length, at: size - ParquetFooter.trailerLength - length)
        // A file of magic, footer and trailer: the reader derives schema and metadata from it.
        var synthetic = ParquetFooter.magic
        synthetic.reserveCapacity(4 + footer.count + ParquetFooter.trailerLength)
        synthetic.append(contentsOf: footer)
        synthetic.append(contentsOf: trailer)
        let reader: ParquetFileReader
        do {
            reader = try ParquetFileReader(bytes: synthetic, name: path, options: readerOptions)
        } catch {
            throw .from(error, path: path)
        }
        let part = PartFooter(name: name, path: path, identity: identity, footerLength: length, reader: reader)
        footers.withLock { cache in
            if cache.count >= Self.footerCacheLimit {
                // Drop about half, in the dictionary's (arbitrary) order.
                for key in Array(cache.keys.prefix(cache.count / 2)) { cache[key] = nil }
            }
            cache[path] = part
        }
        count { $0.footersRead += 1 }
        return part
    }

    /// A reader over the data of `part`, able to decode `rowGroups` with `columns` (top-level
    /// names; nil: all). Parts this store wrote load only those column chunks (and the footer);
    /// other files load completely.
    ///
    /// - Throws: `corrupt` when the file changed since its footer was read; `io`.
    func load(_ part: PartFooter, rowGroups: [Int], columns: [String]?) throws(StoreError) -> ParquetFileReader {
        let (fd, st) = try openPart(part.path)
        defer { _ = close(fd) }
        guard FileSystem.identity(of: st) == part.identity else {
            throw .corrupt("corrupt Parquet (\(part.path)): the part changed after its footer was read")
        }
        let size = part.identity.size
        guard size <= MutableBuffer.maximumCapacity else {
            throw .limitExceeded("\(part.path): file size \(size) above \(MutableBuffer.maximumCapacity)")
        }
        let ranges = part.writtenByArchetype ? Self.chunkRanges(part, rowGroups: rowGroups, columns: columns) : nil
        let buffer = MutableBuffer(capacity: size)
        buffer.resize(to: size)
        var loaded = 0
        func fill(_ range: Range<Int>) throws(StoreError) {
            guard !range.isEmpty else { return }
            let e = FileSystem.readExactly(fd, buffer.baseAddress + range.lowerBound, count: range.count, offset: range.lowerBound)
            if e == -1 { throw .corrupt("corrupt Parquet (\(part.path)): the file ended early") }
            if e != 0 { throw .io(path: part.path, errno: e, operation: "read") }
            loaded += range.count
        }
        if let ranges {
            // Zero the gaps, so nothing uninitialised is ever decoded, then read the ranges.
            var position = 0
            for r in ranges {
                if r.lowerBound > position { (buffer.baseAddress + position).initializeMemory(as: UInt8.self, repeating: 0, count: r.lowerBound - position) }
                try fill(r)
                position = max(position, r.upperBound)
            }
        } else {
            try fill(0..<size)
        }
        count {
            $0.partsLoaded += 1
            $0.bytesLoaded += loaded
        }
        do {
            return try ParquetFileReader(bytes: buffer.finish(), name: part.path, options: readerOptions)
        } catch {
            throw StoreError.from(error, path: part.path)
        }
    }

    /// The sorted, merged byte ranges holding the leading magic, the needed column chunks and
    /// the footer; nil when a chunk's range is unknown (load everything then).
    static func chunkRanges(_ part: PartFooter, rowGroups: [Int], columns: [String]?) -> [Range<Int>]? {
        let metadata = part.reader.metadata
        let size = part.identity.size
        let leaves = part.reader.parquetSchema.columns
        let wanted: Set<String>? = columns.map(Set.init)
        var ranges: [Range<Int>] = [0..<4]
        for g in rowGroups {
            guard g >= 0, g < metadata.rowGroups.count else { return nil }
            let chunks = metadata.rowGroups[g].columns
            guard chunks.count == leaves.count else { return nil }
            for (leaf, chunk) in zip(leaves, chunks) {
                guard let top = leaf.path.first else { return nil }
                if let wanted, !wanted.contains(top) { continue }
                guard let meta = chunk.metaData else { return nil }
                if meta.numValues == 0 { continue }
                var start = meta.dataPageOffset
                if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
                let (end, overflow) = start.addingReportingOverflow(meta.totalCompressedSize)
                guard !overflow, start >= 4, meta.totalCompressedSize >= 0, end <= Int64(size) else { return nil }
                ranges.append(Int(start)..<Int(end))
            }
        }
        let footerStart = size - ParquetFooter.trailerLength - part.footerLength
        guard footerStart >= 4 else { return nil }
        ranges.append(footerStart..<size)
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for r in ranges {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return merged
    }
}
