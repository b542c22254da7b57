/// Counters of what a ``ParquetStore`` read from disk, for tests and diagnostics (store.md §6.4,
/// §6.5, §13 S12, S23). Reset with ``ParquetStore/resetStatistics()``.
public struct ParquetStoreStatistics: Sendable, Equatable {
    /// Footers decoded from disk (cache misses).
    public var footersRead = 0
    /// Footers taken from the footer cache.
    public var footerCacheHits = 0
    /// Parts whose data (not only the footer) was loaded.
    public var partsLoaded = 0
    /// Bytes of part data loaded (footers aside).
    public var bytesLoaded = 0
    /// Row groups decoded by reads and summaries.
    public var rowGroupsRead = 0
    /// Row groups skipped because their statistics prove no row matches.
    public var rowGroupsPruned = 0
    /// Row groups that `summarize` answered from statistics alone.
    public var rowGroupsSummarizedFromStatistics = 0
    /// Per top-level column: how many column chunks (one per row group) were decoded.
    public var decodedColumns: [String: Int] = [:]
    /// Parts published by `append`.
    public var partsWritten = 0

    public init() {}
}
