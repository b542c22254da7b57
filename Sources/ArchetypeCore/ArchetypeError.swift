import Arrow

/// Every failure of the engine (engine.md §11). Errors are values: nothing in the engine traps
/// on caller input, and a failed call changes nothing unless its case says otherwise.
public indirect enum ArchetypeError: Error, Sendable, Equatable, CustomStringConvertible {
    case duplicateColumn(table: String, column: String)
    case baseColumnInComponentSchema(table: String, column: String)
    case invalidBaseColumn(table: String, column: String, detail: String)
    case invalidColumnName(table: String, column: String)
    case unsupportedType(table: String, column: String, type: String)
    case schemaMismatch(table: String, detail: String)
    case invalidName(name: String, reason: String)
    case unknownTable(String)
    case runExists(worldId: String, runId: String)
    case missingColumn(table: String, column: String)
    case unexpectedColumn(table: String, column: String)
    case metadataColumn(table: String, column: String)
    case columnTypeMismatch(table: String, column: String, expected: String, actual: String)
    case nullInNonNullable(table: String, column: String)
    case rowCountMismatch(expected: Int, actual: Int)
    case invalidArgument(String)
    case invalidEntityId(Int64)
    case entityIdOverflow(requested: Int64)
    case idAlreadyRegistered(Int32)
    case idNotReserved(Int32)
    case unknownEntity(Int32)
    case processorFailed(processor: String, table: String, cause: ArchetypeError)
    case processorContractViolation(processor: String, table: String, detail: String)
    case storeRead(table: String, cause: StoreError)
    case storeAppend(table: String, cause: StoreError)
    case partialTick(tick: Int32, committedTables: [String], cause: String)
    case invalidTableStep(table: String, activeTables: [String])
    case tableNotActive(String)
    case stepTableMismatch(String)
    case stepInFlight(String?)
    case noStepInFlight(String?)
    case mutationDuringStep
    case inconsistentLedger(String)
    case arrow(ArrowError)
    case `internal`(String)
    /// A processor's own failure (any error it throws), wrapped by `processorFailed`.
    case processor(String)

    public var description: String {
        switch self {
        case .duplicateColumn(let t, let c): return "table \(t): duplicate column \(c)"
        case .baseColumnInComponentSchema(let t, let c): return "table \(t): base column \(c) in a component schema"
        case .invalidBaseColumn(let t, let c, let d): return "table \(t): invalid base column \(c): \(d)"
        case .invalidColumnName(let t, let c): return "table \(t): column \(c) is not named <component>__<field>"
        case .unsupportedType(let t, let c, let ty): return "table \(t): column \(c) has unsupported type \(ty)"
        case .schemaMismatch(let t, let d): return "table \(t): schema mismatch: \(d)"
        case .invalidName(let n, let r): return "invalid name '\(n)': \(r)"
        case .unknownTable(let t): return "unknown table \(t)"
        case .runExists(let w, let r): return "world \(w) run \(r) already has rows in the store"
        case .missingColumn(let t, let c): return "table \(t): missing column \(c)"
        case .unexpectedColumn(let t, let c): return "table \(t): unexpected column \(c)"
        case .metadataColumn(let t, let c): return "table \(t): base column \(c) in an input batch"
        case .columnTypeMismatch(let t, let c, let e, let a): return "table \(t): column \(c) has type \(a), expected \(e)"
        case .nullInNonNullable(let t, let c): return "table \(t): null in non-nullable column \(c)"
        case .rowCountMismatch(let e, let a): return "row count \(a) does not match \(e) entity id(s)"
        case .invalidArgument(let d): return "invalid argument: \(d)"
        case .invalidEntityId(let id): return "invalid entity id \(id) (ids start at 1)"
        case .entityIdOverflow(let n): return "entity id overflow: \(n) more id(s) would pass \(Int32.max)"
        case .idAlreadyRegistered(let id): return "entity \(id) is already registered"
        case .idNotReserved(let id): return "entity id \(id) was issued before and is not an outstanding reservation"
        case .unknownEntity(let id): return "unknown entity \(id)"
        case .processorFailed(let p, let t, let c): return "processor \(p) failed on table \(t): \(c)"
        case .processorContractViolation(let p, let t, let d): return "processor \(p) broke the contract on table \(t): \(d)"
        case .storeRead(let t, let c): return "reading table \(t) failed: \(c)"
        case .storeAppend(let t, let c): return "appending to table \(t) failed: \(c)"
        case .partialTick(let n, let tables, let cause):
            return "tick \(n) partially committed after \(tables.count) table(s): \(cause); this world is not safe to retry"
        case .invalidTableStep(let t, let active): return "stepTable(\(t)) needs it to be the only active table; active: [\(active.joined(separator: ", "))]"
        case .tableNotActive(let t): return "table \(t) is not active this tick"
        case .stepTableMismatch(let t): return "table \(t) is not part of the open step"
        case .stepInFlight(let t): return "a step is already in flight" + (t.map { " for table \($0)" } ?? "")
        case .noStepInFlight(let t): return "no step in flight" + (t.map { " for table \($0)" } ?? "")
        case .mutationDuringStep: return "mutations are refused while a split step is open"
        case .inconsistentLedger(let d): return "inconsistent ledger: \(d)"
        case .arrow(let e): return "Arrow error: \(e.message)"
        case .internal(let d): return "internal error: \(d)"
        case .processor(let d): return d
        }
    }
}
