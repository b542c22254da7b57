import ArchetypeCore
import Parquet

/// Settings of a ``ParquetStore`` (store.md §3).
public struct ParquetStoreOptions: Sendable, Equatable {
    /// The page codec of the parts the store writes.
    public enum Codec: Sendable, Equatable {
        case none
        case snappy
        /// GZIP, level 1–9.
        case gzip(level: Int = 6)
        /// Zstandard, level 1–22.
        case zstd(level: Int = 1)
        /// LZ4 block format (LZ4_RAW).
        case lz4Raw
    }

    /// The codec of written parts (default SNAPPY).
    public var codec: Codec = .snappy
    /// fsync the staging file before the rename and the table directory after it. `false` skips
    /// both: visibility stays atomic, durability after power loss is not guaranteed.
    public var durable: Bool = true
    /// The most rows in one row group (≥ 1); an append makes ⌈rows / this⌉ row groups.
    public var maxRowGroupRows: Int = 1 << 20
    /// Target uncompressed data page size in bytes (≥ 4 KiB).
    public var dataPageBytes: Int = 1 << 20
    /// Columns written with a dictionary page and `RLE_DICTIONARY`; every other column is PLAIN.
    /// The string base columns `world_id` and `run_id` are dictionary-encoded whatever this says.
    public var dictionaryColumns: Set<String> = ["world_id", "run_id"]
    /// No lock, no directory creation, no cleanup; `append` gives `StoreError.readOnly`.
    public var readOnly: Bool = false
    /// Reader: a page whose declared uncompressed size exceeds this gives `limitExceeded`.
    public var maxPageBytes: Int = 1 << 30
    /// Reader: utf8 columns must hold valid UTF-8, else `corrupt`. May be turned off for
    /// trusted files.
    public var validateUTF8: Bool = true
    /// Reader: skip row groups whose statistics prove that no row matches the filter
    /// (store.md §6.5). Turning it off never changes results; tests compare both.
    public var pruneRowGroups: Bool = true

    public init() {}

    /// Checks the ranges of store.md §3.
    ///
    /// - Throws: `StoreError.unsupported` naming the offending option.
    func validate() throws(StoreError) {
        switch codec {
        case .gzip(let level) where !(1...9).contains(level):
            throw .unsupported("option codec: gzip level \(level) (allowed 1–9)")
        case .zstd(let level) where !(1...22).contains(level):
            throw .unsupported("option codec: zstd level \(level) (allowed 1–22)")
        default: break
        }
        guard maxRowGroupRows >= 1 else { throw .unsupported("option maxRowGroupRows: \(maxRowGroupRows) (must be ≥ 1)") }
        guard dataPageBytes >= 4096 else { throw .unsupported("option dataPageBytes: \(dataPageBytes) (must be ≥ 4096)") }
        guard maxPageBytes >= 1 else { throw .unsupported("option maxPageBytes: \(maxPageBytes) (must be ≥ 1)") }
    }

    /// The Parquet writer settings of a part (store.md §9).
    var writerOptions: ParquetWriterOptions {
        var w = ParquetWriterOptions()
        switch codec {
        case .none: w.codec = .uncompressed
        case .snappy: w.codec = .snappy
        case .gzip(let level): w.codec = .gzip; w.codecLevel = level
        case .zstd(let level): w.codec = .zstd; w.codecLevel = level
        case .lz4Raw: w.codec = .lz4Raw
        }
        w.maxRowGroupRows = maxRowGroupRows
        w.dataPageBytes = dataPageBytes
        w.pageVersion = 1
        w.dictionary = false
        var dictionary: [String: Bool] = ["world_id": true, "run_id": true]
        for c in dictionaryColumns { dictionary[c] = true }
        w.dictionaryColumns = dictionary
        w.statistics = true
        w.createdBy = ParquetStoreLayout.createdBy
        return w
    }

    /// The Parquet reader settings.
    var readerOptions: ParquetReaderOptions {
        var r = ParquetReaderOptions()
        r.maxPageBytes = maxPageBytes
        r.validateUTF8 = validateUTF8
        return r
    }
}
