import Arrow

/// One registered table of a world.
final class TableState {
    let name: String
    /// The registered full schema (base fields first; field metadata kept).
    let schema: Schema
    /// `live[t]` (engine.md §7.1): nil until loaded after a resume.
    var live: RecordBatch?
    /// entity → row in `live`, built on first need.
    var liveIndex: [Int32: Int]?
    var staged = Staging()
    /// Ordered set of entity ids whose live row becomes a tombstone at the next tick.
    var tombstoneOrder: [Int32] = []
    var tombstones: Set<Int32> = []
    /// At least one part of this run was published for the table (this process or found at open).
    var committed = false
    /// The last schema other than ``schema`` that a batch was found to match ignoring metadata
    /// (``BatchBuilding/retyped(_:for:)``): held so that its field array stays unique.
    var schemaKnownEqual: Schema?

    init(name: String, schema: Schema, live: RecordBatch?) {
        self.name = name
        self.schema = schema
        self.live = live
    }

    var componentFields: ArraySlice<Field> { schema.fields[BaseColumns.fields.count...] }

    func addTombstone(_ e: Int32) {
        if tombstones.insert(e).inserted { tombstoneOrder.append(e) }
    }

    /// Whether the table has something to do this tick (besides registered entities).
    var hasWork: Bool { !staged.isEmpty || !tombstones.isEmpty }

    /// The row of `e` in the live snapshot (`live` must be loaded).
    func liveRow(_ e: Int32) -> Int? {
        guard let live else { return nil }
        if liveIndex == nil {
            var index: [Int32: Int] = [:]
            let ids = live.columns[2]
            index.reserveCapacity(live.length)
            for r in 0..<live.length { index[ids.buffers[1]!.load(ids.offset + r, as: Int32.self)] = r }
            liveIndex = index
        }
        return liveIndex![e]
    }

    func installLive(_ batch: RecordBatch) {
        live = batch
        liveIndex = nil
    }
}
