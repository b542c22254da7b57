import Arrow
import ArchetypeCore
import Parquet

/// `summarize(worldId, runId)` of store.md §6.7: per table, the last tick of the run, the active
/// rows there and the greatest entity id, from row-group statistics where they suffice.
///
/// - A row group whose `world_id` and `run_id` statistics are both min = max = the run's, whose
///   `tick` statistics are min = max, and whose base columns hold no nulls is answered from its
///   statistics: the tick, the entity-id maximum, and the active count when `is_active` is
///   constant (otherwise only `is_active` is decoded, and only if the tick is the last one).
///   Every part the store writes qualifies.
/// - A row group whose statistics exclude the run is skipped.
/// - Any other row group decodes the five base columns with the run filter applied.
struct RunSummarizer {
    let access: PartAccess
    let worldId: String
    let runId: String

    /// The base columns and their types.
    static let baseColumns: [(String, DataType)] = [
        ("world_id", .utf8), ("run_id", .utf8), ("entity_id", .int32), ("tick", .int32), ("is_active", .boolean),
    ]

    /// Running totals of one table.
    struct Totals {
        var lastTick: Int32 = -1
        var hasRows = false
        var activeAtLast = 0
        /// Row groups at `lastTick` whose `is_active` must be decoded to count.
        var pendingAtLast: [(PartFooter, Int)] = []
        var maxEntityId: Int32 = .min

        mutating func add(tick: Int32, active: Int, pending: (PartFooter, Int)? = nil) {
            if !hasRows || tick > lastTick {
                hasRows = true
                lastTick = tick
                activeAtLast = 0
                pendingAtLast = []
            }
            guard tick == lastTick else { return }
            activeAtLast += active
            if let pending { pendingAtLast.append(pending) }
        }
    }

    /// The summary of `table`, or nil when it holds no row of the run.
    func summarize(table: String, directory: String) throws(StoreError) -> TableSummary? {
        let footers = try ReadPlan.footers(access, table: table, directory: directory)
        guard let first = footers.first else { return nil }
        for (name, type) in Self.baseColumns {
            guard let field = first.reader.schema.field(named: name) else { throw .unknownColumn(table: table, column: name) }
            guard field.type.equalsIgnoringMetadata(type) else {
                throw .schemaMismatch(table: table, part: first.path, detail: "base column \(name) is \(field.type), expected \(type)")
            }
        }
        let filter = ReadFilter(worldId: worldId, runId: runId)
        let world = Array(worldId.utf8), run = Array(runId.utf8)
        var totals = Totals()
        var fromStatistics = 0, pruned = 0
        for footer in footers {
            let reader = footer.reader
            var slow: [Int] = []
            for g in 0..<reader.rowGroupCount {
                let rows = reader.metadata.rowGroups[g].numRows
                if rows == 0 { continue }
                if !FilterPruning.mayMatch(filter, reader, rowGroup: g) { pruned += 1; continue }
                guard let w = ChunkStatistics(reader, column: "world_id", rowGroup: g, physical: .byteArray),
                      let r = ChunkStatistics(reader, column: "run_id", rowGroup: g, physical: .byteArray),
                      let t = ChunkStatistics(reader, column: "tick", rowGroup: g, physical: .int32),
                      let e = ChunkStatistics(reader, column: "entity_id", rowGroup: g, physical: .int32),
                      let a = ChunkStatistics(reader, column: "is_active", rowGroup: g, physical: .boolean),
                      w.hasNoNulls, r.hasNoNulls, t.hasNoNulls, e.hasNoNulls,
                      let wb = w.bytesBounds, wb.min == world, wb.max == world,
                      let rb = r.bytesBounds, rb.min == run, rb.max == run,
                      let tb = t.int32Bounds, tb.min == tb.max,
                      let eb = e.int32Bounds
                else {
                    slow.append(g)
                    continue
                }
                fromStatistics += 1
                totals.maxEntityId = max(totals.maxEntityId, eb.max)
                if a.hasNoNulls, let ab = a.boolBounds, ab.min == ab.max {
                    totals.add(tick: tb.min, active: ab.max ? Int(rows) : 0)
                } else {
                    totals.add(tick: tb.min, active: 0, pending: (footer, g))
                }
            }
            if !slow.isEmpty { try decodeBaseColumns(footer, rowGroups: slow, table: table, filter: filter, into: &totals) }
        }
        // Row groups at the last tick whose is_active varies: decode that column alone.
        var byPart: [(PartFooter, [Int])] = []
        for (footer, g) in totals.pendingAtLast {
            if let i = byPart.firstIndex(where: { $0.0.path == footer.path }) { byPart[i].1.append(g) } else { byPart.append((footer, [g])) }
        }
        for (footer, groups) in byPart {
            let reader = try access.load(footer, rowGroups: groups, columns: ["is_active"])
            for g in groups {
                let batch = try readRowGroup(reader, g, columns: ["is_active"], path: footer.path)
                totals.activeAtLast += Self.trueCount(batch.columns[0], length: batch.length)
            }
        }
        access.count {
            $0.rowGroupsSummarizedFromStatistics += fromStatistics
            $0.rowGroupsPruned += pruned
        }
        guard totals.hasRows else { return nil }
        return TableSummary(table: table, lastTick: totals.lastTick, activeRowsAtLastTick: totals.activeAtLast,
                            maxEntityId: totals.maxEntityId == .min ? 0 : totals.maxEntityId)
    }

    /// Decodes the base columns of `rowGroups`, keeps the run's rows and adds them to `totals`.
    func decodeBaseColumns(_ footer: PartFooter, rowGroups: [Int], table: String, filter: ReadFilter, into totals: inout Totals) throws(StoreError) {
        let columns = Self.baseColumns.map(\.0)
        let reader = try access.load(footer, rowGroups: rowGroups, columns: columns)
        for g in rowGroups {
            let batch = try filter.apply(to: try readRowGroup(reader, g, columns: columns, path: footer.path), table: table)
            let entity = batch.columns[2], tick = batch.columns[3], active = batch.columns[4]
            for i in 0..<batch.length {
                if entity.isValid(i) {
                    totals.maxEntityId = max(totals.maxEntityId, entity.buffers[1]!.load(entity.offset + i, as: Int32.self))
                }
                // A row without a tick belongs to no tick.
                guard tick.isValid(i) else { continue }
                let isActive = active.isValid(i) && Bitmap.get(active.buffers[1]!.baseAddress, active.offset + i)
                totals.add(tick: tick.buffers[1]!.load(tick.offset + i, as: Int32.self), active: isActive ? 1 : 0)
            }
        }
    }

    func readRowGroup(_ reader: ParquetFileReader, _ g: Int, columns: [String], path: String) throws(StoreError) -> RecordBatch {
        let batch: RecordBatch
        do {
            batch = try reader.readRowGroup(g, columns: columns)
        } catch {
            throw .from(error, path: path)
        }
        access.count { s in
            s.rowGroupsRead += 1
            for c in columns { s.decodedColumns[c, default: 0] += 1 }
        }
        return batch
    }

    /// The valid `true` values of a boolean column.
    static func trueCount(_ column: ArrayData, length: Int) -> Int {
        guard let values = column.buffers[1] else { return 0 }
        var n = 0
        for i in 0..<length where column.isValid(i) && Bitmap.get(values.baseAddress, column.offset + i) { n += 1 }
        return n
    }
}
