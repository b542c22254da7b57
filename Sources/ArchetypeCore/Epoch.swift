import Arrow

/// An open split step (engine.md §5.5): tick N, its frozen tables and their states.
struct Epoch {
    enum TableStep {
        case pending
        /// Begun: the batch handed out and when.
        case begun(RecordBatch, Stopwatch, TableStepProfile)
        /// Committed: the prepared (stamped) batch and its new live snapshot.
        case committed(Prepared)
    }
    let tick: Int32
    let tables: [String]
    var states: [String: TableStep]
    let clock = Stopwatch()

    init(tick: Int32, tables: [String]) {
        self.tick = tick
        self.tables = tables
        states = Dictionary(uniqueKeysWithValues: tables.map { ($0, TableStep.pending) })
    }
}

/// A table prepared for tick N (engine.md §5.1 step 3): the batch to append and the next
/// live snapshot.
struct Prepared {
    let table: String
    let batch: RecordBatch
    let live: RecordBatch
    var profile: TableStepProfile
}
