import Arrow

/// The rows staged for one table during a tick, in first-seen order (engine.md §4).
///
/// Rows live in full-schema chunks (one per mutation call); entries reference them. An entity
/// has at most one entry; staging it again replaces its row **at its first position** (the
/// dedupe rule of §4.2), and removing it leaves a hole skipped at materialization.
struct Staging {
    struct Entry {
        var entity: Int32
        var chunk: Int
        var row: Int
        var removed = false
    }
    private(set) var chunks: [RecordBatch] = []
    private(set) var entries: [Entry] = []
    /// entity → entry, built on first need (bulk spawns never need it).
    private var index: [Int32: Int]?
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    private mutating func ensureIndex() {
        guard index == nil else { return }
        var built: [Int32: Int] = [:]
        built.reserveCapacity(count)
        for (i, e) in entries.enumerated() where !e.removed { built[e.entity] = i }
        index = built
    }

    /// Adds a chunk of rows and returns its index.
    mutating func add(_ chunk: RecordBatch) -> Int {
        chunks.append(chunk)
        return chunks.count - 1
    }

    /// Stages every row of `chunk` for `entities` (in row order), none of them staged yet.
    mutating func addRun(_ chunk: RecordBatch, entities: [Int32]) {
        let c = add(chunk)
        entries.reserveCapacity(entries.count + entities.count)
        for (row, e) in entities.enumerated() {
            index?[e] = entries.count
            entries.append(Entry(entity: e, chunk: c, row: row))
        }
        count += entities.count
    }

    /// Stages row `row` of chunk `chunk` for `entity`: replaces its entry in place when it has
    /// one, else appends.
    mutating func stage(_ entity: Int32, chunk: Int, row: Int) {
        ensureIndex()
        if let p = index![entity] {
            entries[p].chunk = chunk
            entries[p].row = row
        } else {
            index![entity] = entries.count
            entries.append(Entry(entity: entity, chunk: chunk, row: row))
            count += 1
        }
    }

    /// The staged row of `entity`, if any.
    mutating func row(of entity: Int32) -> (batch: RecordBatch, row: Int)? {
        guard count > 0 else { return nil }
        ensureIndex()
        guard let p = index![entity] else { return nil }
        return (chunks[entries[p].chunk], entries[p].row)
    }

    /// Removes the staged row of `entity` (same-tick cancel, migration move).
    mutating func remove(_ entity: Int32) {
        guard count > 0 else { return }
        ensureIndex()
        guard let p = index!.removeValue(forKey: entity) else { return }
        entries[p].removed = true
        count -= 1
    }

    /// The staged rows, deduplicated, in first-seen order, under `schema`; nil when empty.
    ///
    /// - Complexity: O(rows); zero-copy when one chunk holds every row in order.
    func materialize(_ schema: Schema) throws(ArchetypeError) -> RecordBatch? {
        let live = entries.filter { !$0.removed }
        guard !live.isEmpty else { return nil }
        if chunks.count == 1, live.count == chunks[0].length, live.enumerated().allSatisfy({ $0.element.row == $0.offset }) {
            return chunks[0]
        }
        return try BatchBuilding.gather(chunks: chunks, rows: live.map { ($0.chunk, $0.row) }, schema: schema)
    }
}
