/// Limits and checks of the Parquet reader (store.md §11.4).
public struct ParquetReaderOptions: Sendable {
    /// The largest uncompressed page accepted (`limitExceeded` above it); also bounds what one
    /// page's levels and values may allocate.
    public var maxPageBytes: Int = 1 << 30
    /// The largest footer accepted.
    public var maxFooterBytes: Int = 256 << 20
    /// Check that string values are valid UTF-8.
    public var validateUTF8: Bool = true
    /// Verify page CRCs when pages carry them (a mismatch is `corrupt`).
    public var verifyChecksums: Bool = true

    public init() {}
}
