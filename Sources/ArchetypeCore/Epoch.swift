import Arrow

/// An open split step (engine.md §5.5): tick N, its frozen tables and their states.
struct Epoch {
    /// Every payload is one reference: the enum is a single word, written whole by every case
    /// (copies are one retain, and no byte of it is ever left uninitialised).
    enum TableStep {
        case pending
        case begun(Begun)
        /// Committed: the prepared (stamped) batch and its new live snapshot.
        case committed(Prepared)
    }

    /// A begun table: its state, the batch handed out, when, and the profile so far.
    final class Begun {
        let state: TableState
        let batch: RecordBatch
        let clock = Stopwatch()
        let profile: TableStepProfile

        init(state: TableState, batch: RecordBatch, profile: TableStepProfile) {
            self.state = state
            self.batch = batch
            self.profile = profile
        }
    }
    let tick: Int32
    let tables: [String]
    /// The state of each of ``tables``, in its order.
    var steps: [TableStep]
    /// Positions by name, for a set too large to search by comparing names.
    private let positions: [String: Int]?
    let clock = Stopwatch()

    /// Sets of up to this many tables are searched name by name (cheaper than hashing one).
    static let searchedTables = 8

    init(tick: Int32, tables: [String]) {
        self.tick = tick
        self.tables = tables
        steps = Array(repeating: .pending, count: tables.count)
        positions = tables.count > Self.searchedTables ? Dictionary(uniqueKeysWithValues: zip(tables, tables.indices)) : nil
    }

    /// The position of `table` in the frozen set, or nil.
    func position(of table: String) -> Int? {
        if let positions { return positions[table] }
        return tables.firstIndex { $0 == table }
    }
}

/// A table prepared for tick N (engine.md §5.1 step 3): the batch to append and the next
/// live snapshot.
///
/// A class: a step hands it from the epoch to publishing and finalizing, and a reference is
/// one retain where a copy of two batches and a profile is a dozen.
final class Prepared {
    let state: TableState
    let batch: RecordBatch
    let live: RecordBatch
    var profile: TableStepProfile

    init(state: TableState, batch: RecordBatch, live: RecordBatch, profile: TableStepProfile) {
        self.state = state
        self.batch = batch
        self.live = live
        self.profile = profile
    }

    var table: String { state.name }
}
