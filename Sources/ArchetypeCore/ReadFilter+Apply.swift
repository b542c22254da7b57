import Arrow

extension ReadFilter {
    /// Whether the filter can match nothing without looking at data (an empty id or tick list).
    public var matchesNothing: Bool { ticks?.isEmpty == true || entityIds?.isEmpty == true }

    /// Whether the filter filters anything.
    public var isEmpty: Bool { worldId == nil && runId == nil && ticks == nil && entityIds == nil && !activeOnly }

    /// The base columns the filter reads.
    public var columns: [String] {
        var c: [String] = []
        if worldId != nil { c.append("world_id") }
        if runId != nil { c.append("run_id") }
        if ticks != nil { c.append("tick") }
        if entityIds != nil { c.append("entity_id") }
        if activeOnly { c.append("is_active") }
        return c
    }

    /// The rows of `batch` that pass the filter (nulls in filtered columns never pass).
    ///
    /// - Throws: `unknownColumn` / `schemaMismatch` when a filtered column is missing or has
    ///   the wrong type.
    /// - Complexity: O(rows × filtered columns); sets of ticks and ids are hashed.
    public func apply(to batch: RecordBatch, table: String) throws(StoreError) -> RecordBatch {
        if isEmpty { return batch }
        if matchesNothing { return (try? batch.slice(offset: 0, length: 0)) ?? batch }
        let n = batch.length
        var keep = [Bool](repeating: true, count: n)
        func column(_ name: String, _ type: DataType) throws(StoreError) -> ArrayData {
            guard let c = batch.column(named: name) else { throw .unknownColumn(table: table, column: name) }
            guard c.type == type else { throw .schemaMismatch(table: table, part: "", detail: "filter column \(name) is \(c.type), expected \(type)") }
            return c
        }
        func equalString(_ name: String, _ value: String) throws(StoreError) {
            let c = try column(name, .utf8)
            let want = Array(value.utf8)
            let offsets = c.buffers[1]!, data = c.buffers[2]!
            for i in 0..<n where keep[i] {
                guard c.isValid(i) else { keep[i] = false; continue }
                let s = Int(offsets.load(c.offset + i, as: Int32.self)), e = Int(offsets.load(c.offset + i + 1, as: Int32.self))
                if e - s != want.count { keep[i] = false; continue }
                let same = want.withUnsafeBytes { w in memcmp(data.baseAddress + s, w.baseAddress!, want.count) == 0 }
                if !same { keep[i] = false }
            }
        }
        func member(_ name: String, _ set: Set<Int32>) throws(StoreError) {
            let c = try column(name, .int32)
            let values = c.buffers[1]!
            for i in 0..<n where keep[i] {
                guard c.isValid(i), set.contains(values.load(c.offset + i, as: Int32.self)) else { keep[i] = false; continue }
            }
        }
        if let w = worldId { try equalString("world_id", w) }
        if let r = runId { try equalString("run_id", r) }
        if let t = ticks { try member("tick", Set(t)) }
        if let e = entityIds { try member("entity_id", Set(e)) }
        if activeOnly {
            let c = try column("is_active", .boolean)
            for i in 0..<n where keep[i] {
                if !c.isValid(i) || !Bitmap.get(c.buffers[1]!.baseAddress, c.offset + i) { keep[i] = false }
            }
        }
        if !keep.contains(false) { return batch }
        let positions = keep.indices.filter { keep[$0] }
        do { return try batch.take(positions) } catch { throw .corrupt(error.message) }
    }
}

/// Projection of a batch to named columns, in order.
extension RecordBatch {
    func projected(_ columns: [String]?, table: String) throws(StoreError) -> RecordBatch {
        guard let columns else { return self }
        var seen = Set<String>()
        for c in columns {
            guard schema.index(of: c) != nil else { throw .unknownColumn(table: table, column: c) }
            guard seen.insert(c).inserted else { throw .unknownColumn(table: table, column: c) }
        }
        do { return try select(columns) } catch { throw .unknownColumn(table: table, column: error.message) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
