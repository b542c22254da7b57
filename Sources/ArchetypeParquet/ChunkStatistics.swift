import Parquet

/// The statistics of one flat top-level column chunk, restricted to what store.md §6.5 allows:
/// `min_value` / `max_value` (never the deprecated `min` / `max`), for byte arrays only when the
/// file declares `TypeDefinedOrder`; `null_count`; `num_values`.
///
/// Bounds are used as bounds: an inexact (truncated) minimum is still ≤ every value and an
/// inexact maximum still ≥ every value, so they prune safely.
struct ChunkStatistics {
    let numValues: Int64
    let nullCount: Int64?
    /// The column is REQUIRED: it holds no nulls whatever the statistics say.
    let required: Bool
    let min: [UInt8]?
    let max: [UInt8]?

    /// The statistics of the top-level column `column` in row group `rowGroup`, or nil when the
    /// column is not a flat leaf of the physical type `physical`, or the chunk has no metadata.
    init?(_ reader: ParquetFileReader, column: String, rowGroup: Int, physical: PhysicalType) {
        let metadata = reader.metadata
        guard rowGroup >= 0, rowGroup < metadata.rowGroups.count,
              let leaf = reader.parquetSchema.columns.firstIndex(where: { $0.path.count == 1 && $0.path[0] == column })
        else { return nil }
        let descriptor = reader.parquetSchema.columns[leaf]
        let chunks = metadata.rowGroups[rowGroup].columns
        guard descriptor.maxRep == 0, descriptor.physicalType == physical, leaf < chunks.count,
              let meta = chunks[leaf].metaData, meta.type == physical else { return nil }
        numValues = meta.numValues
        required = descriptor.maxDef == 0
        let stats = meta.statistics
        nullCount = stats?.nullCount
        var lo = stats?.minValue, hi = stats?.maxValue
        if physical == .byteArray || physical == .fixedLenByteArray {
            let orders = metadata.columnOrders ?? []
            if leaf >= orders.count || orders[leaf] != .typeDefinedOrder { lo = nil; hi = nil }
        }
        if lo == nil || hi == nil { lo = nil; hi = nil }
        min = lo
        max = hi
    }

    /// Every value of the chunk is null (and there is at least one).
    var allNull: Bool {
        guard !required, numValues > 0, let nullCount else { return false }
        return nullCount >= numValues
    }

    /// The chunk provably holds no null.
    var hasNoNulls: Bool { required || nullCount == 0 }

    /// `(min, max)` of an INT32 chunk.
    var int32Bounds: (min: Int32, max: Int32)? {
        guard let min, let max, min.count == 4, max.count == 4 else { return nil }
        let lo = min.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(as: Int32.self)) }
        let hi = max.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(as: Int32.self)) }
        return lo <= hi ? (lo, hi) : nil
    }

    /// `(min, max)` of a BOOLEAN chunk.
    var boolBounds: (min: Bool, max: Bool)? {
        guard let min, let max, min.count == 1, max.count == 1, min[0] <= 1, max[0] <= 1 else { return nil }
        return (min[0] == 1, max[0] == 1)
    }

    /// `(min, max)` of a BYTE_ARRAY chunk, compared bytewise unsigned.
    var bytesBounds: (min: [UInt8], max: [UInt8])? {
        guard let min, let max else { return nil }
        return (min, max)
    }

    /// Whether `value` lies in `[min, max]`, or nil when the bounds are unknown.
    func bytesMayContain(_ value: [UInt8]) -> Bool? {
        guard let (lo, hi) = bytesBounds else { return nil }
        return !value.lexicographicallyPrecedes(lo) && !hi.lexicographicallyPrecedes(value)
    }
}
