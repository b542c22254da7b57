import Arrow
import ArchetypeCore
import Parquet

/// What a read decodes (store.md §6): the parts in bytewise name order with their footers read
/// and their schemas checked, the row groups that survive pruning, and the columns to decode.
struct ReadPlan: Sendable {
    struct Part: Sendable {
        let footer: PartFooter
        /// The row groups to decode, in file order.
        let rowGroups: [Int]
    }

    let table: String
    let filter: ReadFilter
    /// The projected schema of every batch; nil when the table has no parts.
    let resultSchema: Schema?
    /// The requested columns in order; nil: every column.
    let projection: [String]?
    /// The columns decoded: the projection plus the filter columns it lacks; nil: every column.
    let decodeColumns: [String]?
    let parts: [Part]

    /// The footers of every part of the table directory `directory`, checked to share the first
    /// part's schema by names, types and nullability (store.md §6.2). Empty when the directory
    /// is missing or holds no part.
    ///
    /// - Throws: `schemaMismatch(table, part, detail)` naming the first disagreeing part.
    static func footers(_ access: PartAccess, table: String, directory: String) throws(StoreError) -> [PartFooter] {
        guard let names = try TableDirectory.partNames(directory) else { return [] }
        var footers: [PartFooter] = []
        footers.reserveCapacity(names.count)
        for name in names {
            let footer = try access.footer(name: name, path: FileSystem.join(directory, name))
            if let first = footers.first, !first.reader.schema.equalsIgnoringMetadata(footer.reader.schema) {
                throw .schemaMismatch(table: table, part: footer.path,
                                      detail: SchemaDifference.describe(expected: first.reader.schema, actual: footer.reader.schema)
                                          + " (first part \(first.path))")
            }
            footers.append(footer)
        }
        return footers
    }

    /// The filter columns and the Arrow type each must have (store.md §6.3).
    static func filterColumns(_ filter: ReadFilter) -> [(name: String, type: DataType)] {
        var out: [(String, DataType)] = []
        if filter.worldId != nil { out.append(("world_id", .utf8)) }
        if filter.runId != nil { out.append(("run_id", .utf8)) }
        if filter.ticks != nil { out.append(("tick", .int32)) }
        if filter.entityIds != nil { out.append(("entity_id", .int32)) }
        if filter.activeOnly { out.append(("is_active", .boolean)) }
        return out
    }

    /// Checks the projection and the filter columns against `schema` (the first part's).
    ///
    /// - Throws: `unknownColumn` for a projected or filtered column that does not exist (or a
    ///   projected column named twice); `schemaMismatch` for a filter column of the wrong type.
    static func validate(_ schema: Schema, table: String, part: String, filter: ReadFilter, columns: [String]?) throws(StoreError) {
        if let columns {
            var seen = Set<String>()
            for c in columns {
                guard schema.index(of: c) != nil, seen.insert(c).inserted else { throw .unknownColumn(table: table, column: c) }
            }
        }
        for (name, type) in filterColumns(filter) {
            guard let field = schema.field(named: name) else { throw .unknownColumn(table: table, column: name) }
            guard field.type.equalsIgnoringMetadata(type) else {
                throw .schemaMismatch(table: table, part: part, detail: "filter column \(name) is \(field.type), expected \(type)")
            }
        }
    }

    /// Plans a read of `table` (its directory `directory`).
    static func make(_ access: PartAccess, table: String, directory: String, filter: ReadFilter, columns: [String]?, prune: Bool) throws(StoreError) -> ReadPlan {
        let footers = try footers(access, table: table, directory: directory)
        guard let first = footers.first else {
            return ReadPlan(table: table, filter: filter, resultSchema: nil, projection: columns, decodeColumns: columns, parts: [])
        }
        let schema = first.reader.schema
        try validate(schema, table: table, part: first.path, filter: filter, columns: columns)
        var resultSchema = schema
        var decode: [String]? = nil
        if let columns {
            resultSchema = Schema(columns.map { schema.fields[schema.index(of: $0)!] }, metadata: schema.metadata)
            decode = columns
            for (name, _) in filterColumns(filter) where !columns.contains(name) { decode!.append(name) }
        }
        // An empty tick or id list matches nothing: no data is decoded.
        if filter.matchesNothing {
            return ReadPlan(table: table, filter: filter, resultSchema: resultSchema, projection: columns, decodeColumns: decode, parts: [])
        }
        var parts: [Part] = []
        var pruned = 0
        for footer in footers {
            var groups: [Int] = []
            for g in 0..<footer.reader.rowGroupCount {
                if footer.reader.metadata.rowGroups[g].numRows == 0 { continue }
                if prune, !filter.isEmpty, !FilterPruning.mayMatch(filter, footer.reader, rowGroup: g) {
                    pruned += 1
                    continue
                }
                groups.append(g)
            }
            if !groups.isEmpty { parts.append(Part(footer: footer, rowGroups: groups)) }
        }
        access.count { $0.rowGroupsPruned += pruned }
        return ReadPlan(table: table, filter: filter, resultSchema: resultSchema, projection: columns, decodeColumns: decode, parts: parts)
    }
}
