/// Settings of the Parquet writer.
public struct ParquetWriterOptions: Sendable {
    /// The page codec (SNAPPY by default, as store.md §9.6 says).
    public var codec: CompressionCodec = .snappy
    /// The codec level (GZIP 1–9, ZSTD 1–22; nil: the codec's default).
    public var codecLevel: Int? = nil
    /// The most rows in one row group; a batch larger than this is split.
    public var maxRowGroupRows: Int = 1 << 20
    /// The target uncompressed size of a data page.
    public var dataPageBytes: Int = 1 << 20
    /// Data page version: 1 (default) or 2.
    public var pageVersion: Int = 1
    /// Dictionary encoding for columns not named in ``dictionaryColumns``.
    public var dictionary: Bool = true
    /// Per-column dictionary overrides, by dotted leaf path or top-level column name.
    public var dictionaryColumns: [String: Bool] = [:]
    /// Per-column value encodings (PLAIN, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
    /// DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, RLE for booleans), by dotted leaf path or top-level
    /// column name. A column with an encoding here is not dictionary-encoded.
    public var columnEncodings: [String: Encoding] = [:]
    /// Write column statistics (min, max, null count).
    public var statistics: Bool = true
    /// The largest dictionary (PLAIN page bytes) before a column chunk falls back to PLAIN.
    public var maxDictionaryBytes: Int = 1 << 20
    /// The `created_by` string (store.md §9.1: never imitate another writer).
    public var createdBy: String = "archetype version 0.1.0"
    /// Extra key-value metadata for the footer (after the schema's own metadata).
    public var keyValueMetadata: [(String, String)] = []

    public init() {}

    /// The dictionary setting of a leaf.
    func usesDictionary(path: String, topLevel: String) -> Bool {
        if columnEncodings[path] != nil || columnEncodings[topLevel] != nil { return false }
        return dictionaryColumns[path] ?? dictionaryColumns[topLevel] ?? dictionary
    }

    /// The requested value encoding of a leaf, if any.
    func encoding(path: String, topLevel: String) -> Encoding? {
        columnEncodings[path] ?? columnEncodings[topLevel]
    }
}
