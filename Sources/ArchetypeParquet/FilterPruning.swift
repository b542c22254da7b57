import ArchetypeCore
import Parquet

/// Row-group pruning of store.md §6.5: a row group is skipped only when its statistics prove
/// that no row can pass the filter.
///
/// | Filter | Skipped when |
/// |---|---|
/// | `worldId` / `runId` = v | v < min or v > max (bytewise unsigned), or every value is null |
/// | `ticks` / `entityIds` | no element lies in [min, max], or every value is null |
/// | `activeOnly` | max == false, or every value is null |
///
/// `ParquetFileReader.rowGroups(matching:)` is not used: it also trusts the deprecated
/// `min`/`max` fields and byte-array bounds without `TypeDefinedOrder`, which §6.5 forbids.
enum FilterPruning {
    /// Whether row group `g` of `reader` may hold a row passing `filter`.
    static func mayMatch(_ filter: ReadFilter, _ reader: ParquetFileReader, rowGroup g: Int) -> Bool {
        guard g >= 0, g < reader.metadata.rowGroups.count else { return true }
        if reader.metadata.rowGroups[g].numRows == 0 { return false }
        if let w = filter.worldId, !mayEqual(reader, "world_id", w, g) { return false }
        if let r = filter.runId, !mayEqual(reader, "run_id", r, g) { return false }
        if let t = filter.ticks, !mayContainAny(reader, "tick", t, g) { return false }
        if let e = filter.entityIds, !mayContainAny(reader, "entity_id", e, g) { return false }
        if filter.activeOnly, let s = ChunkStatistics(reader, column: "is_active", rowGroup: g, physical: .boolean) {
            if s.allNull { return false }
            if let b = s.boolBounds, !b.max { return false }
        }
        return true
    }

    static func mayEqual(_ reader: ParquetFileReader, _ column: String, _ value: String, _ g: Int) -> Bool {
        guard let s = ChunkStatistics(reader, column: column, rowGroup: g, physical: .byteArray) else { return true }
        if s.allNull { return false }
        return s.bytesMayContain(Array(value.utf8)) ?? true
    }

    static func mayContainAny(_ reader: ParquetFileReader, _ column: String, _ values: [Int32], _ g: Int) -> Bool {
        if values.isEmpty { return false }
        guard let s = ChunkStatistics(reader, column: column, rowGroup: g, physical: .int32) else { return true }
        if s.allNull { return false }
        guard let (lo, hi) = s.int32Bounds else { return true }
        return values.contains { $0 >= lo && $0 <= hi }
    }
}
