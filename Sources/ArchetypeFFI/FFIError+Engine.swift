import ArchetypeCore
import Arrow
import CArrowABI

extension FFIError {
    /// The status of an engine error (c-abi.md §10).
    init(_ error: ArchetypeError) {
        self.init(Self.status(of: error), "\(error)")
    }

    /// The status of a store error met outside a step (open, registration, query).
    init(_ error: StoreError, reading: Bool) {
        let status: Int32
        switch error {
        case .invalidName: status = ARCT_ERR_INVALID_NAME
        case .unknownColumn: status = ARCT_ERR_SCHEMA_MISMATCH
        case .unsupported where !reading: status = ARCT_ERR_INVALID_ARGUMENT
        default: status = reading ? ARCT_ERR_STORE_READ : ARCT_ERR_STORE_APPEND
        }
        self.init(status, "\(error)")
    }

    static func status(of error: ArchetypeError) -> Int32 {
        switch error {
        case .duplicateColumn, .invalidColumnName, .schemaMismatch, .missingColumn, .unexpectedColumn,
             .columnTypeMismatch, .nullInNonNullable:
            return ARCT_ERR_SCHEMA_MISMATCH
        case .baseColumnInComponentSchema, .invalidBaseColumn, .metadataColumn:
            return ARCT_ERR_METADATA_COLUMN
        case .unsupportedType, .arrow:
            return ARCT_ERR_ARROW
        case .invalidName:
            return ARCT_ERR_INVALID_NAME
        case .unknownTable:
            return ARCT_ERR_UNKNOWN_TABLE
        case .runExists:
            return ARCT_ERR_RUN_EXISTS
        case .rowCountMismatch, .invalidArgument, .invalidEntityId:
            return ARCT_ERR_INVALID_ARGUMENT
        case .entityIdOverflow:
            return ARCT_ERR_ID_OVERFLOW
        case .idAlreadyRegistered, .idNotReserved:
            return ARCT_ERR_ID_ALREADY_REGISTERED
        case .unknownEntity:
            return ARCT_ERR_UNKNOWN_ENTITY
        case .processorFailed(_, _, let cause):
            // A processor's own failure (not an engine error) is reported as an Arrow error.
            if case .processor = cause { return ARCT_ERR_ARROW }
            return status(of: cause)
        case .processorContractViolation:
            return ARCT_ERR_PROCESSOR_CONTRACT
        case .storeRead, .inconsistentLedger:
            return ARCT_ERR_STORE_READ
        case .storeAppend:
            return ARCT_ERR_STORE_APPEND
        case .partialTick:
            return ARCT_ERR_PARTIAL_TICK
        case .invalidTableStep, .tableNotActive:
            return ARCT_ERR_TABLE_NOT_ACTIVE
        case .stepTableMismatch:
            return ARCT_ERR_STEP_TABLE_MISMATCH
        case .stepInFlight:
            return ARCT_ERR_STEP_ALREADY_IN_FLIGHT
        case .noStepInFlight:
            return ARCT_ERR_NO_STEP_IN_FLIGHT
        case .mutationDuringStep:
            return ARCT_ERR_MUTATION_DURING_STEP
        case .internal:
            return ARCT_ERR_INTERNAL
        case .processor:
            return ARCT_ERR_ARROW
        }
    }
}

extension FFIError {
    /// An error caught by an untyped `catch` (Swift infers `any Error` there), mapped by its
    /// dynamic type.
    init(_ error: any Error) {
        switch error {
        case let e as FFIError: self = e
        case let e as ArchetypeError: self.init(e)
        case let e as ArrowError: self.init(e)
        case let e as StoreError: self.init(e, reading: true)
        default: self.init(ARCT_ERR_INTERNAL, "internal error: \(error)")
        }
    }

    /// A store error caught by an untyped `catch`.
    init(_ error: any Error, reading: Bool) {
        if let e = error as? StoreError { self.init(e, reading: reading) } else { self.init(error) }
    }
}
