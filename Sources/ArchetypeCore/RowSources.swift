import Arrow

/// Rows drawn from several batches (live snapshots, staged chunks), gathered column by column.
struct RowSources {
    private(set) var batches: [RecordBatch] = []
    private var keys: [String: Int] = [:]

    /// The index of a source batch, registered once under `key`.
    mutating func source(_ key: String, _ batch: RecordBatch) -> Int {
        if let i = keys[key] { return i }
        batches.append(batch)
        keys[key] = batches.count - 1
        return batches.count - 1
    }

    /// Column `name` of the referenced rows, in order, of type `type`.
    func gather(_ name: String, _ refs: [(source: Int, row: Int)], type: DataType) throws(ArchetypeError) -> ArrayData {
        do {
            let used = Array(Set(refs.map(\.source))).sorted()
            if used.count == 1 {
                guard let c = batches[used[0]].column(named: name) else { throw ArchetypeError.internal("source lacks column \(name)") }
                return try c.take(refs.map(\.row))
            }
            var starts: [Int: Int] = [:]
            var arrays: [ArrayData] = []
            var at = 0
            for s in used {
                guard let c = batches[s].column(named: name) else { throw ArchetypeError.internal("source lacks column \(name)") }
                starts[s] = at
                arrays.append(c)
                at += c.length
            }
            let all = try concatenate(arrays)
            return try all.take(refs.map { starts[$0.source]! + $0.row })
        } catch let e as ArchetypeError {
            throw e
        } catch let e as ArrowError {
            throw .arrow(e)
        } catch {
            throw .internal("\(error)")
        }
    }
}
