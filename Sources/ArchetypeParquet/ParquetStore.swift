import ArchetypeCore
import Parquet

/// The append-only Parquet ledger (store.md). Implemented by issue 4.
public enum ParquetStoreLayout {
    /// File-name prefix of published parts.
    public static let partPrefix = "part-"
}
