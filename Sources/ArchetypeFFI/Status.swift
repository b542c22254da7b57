import Arrow
import CArrowABI

/// A failed C ABI call: the status to return and the detail for the last-error message.
struct FFIError: Error {
    var status: Int32
    var detail: String
    /// `world … run … tick …` of a call on a world (c-abi.md §5.3); nil for calls without one.
    var context: String?

    init(_ status: Int32, _ detail: String) {
        self.status = status
        self.detail = detail
    }

    /// The whole message: `<function>: <context>: <detail>`.
    func message(_ function: String) -> String {
        if let context, !context.isEmpty { return "\(function): \(context): \(detail)" }
        return "\(function): \(detail)"
    }

    /// Arrow import, validation and export failures are `ARCT_ERR_ARROW` (c-abi.md §3).
    init(_ error: ArrowError) {
        self.init(ARCT_ERR_ARROW, error.message)
    }
}

/// The constant names of the status codes (c-abi.md §3), as static C strings.
enum StatusNames {
    static func name(_ status: Int32) -> StaticString {
        switch status {
        case ARCT_OK: return "ARCT_OK"
        case ARCT_ERR_ARROW: return "ARCT_ERR_ARROW"
        case ARCT_ERR_INTERNAL: return "ARCT_ERR_INTERNAL"
        case ARCT_ERR_NULL_POINTER: return "ARCT_ERR_NULL_POINTER"
        case ARCT_ERR_OUTPUT_NOT_EMPTY: return "ARCT_ERR_OUTPUT_NOT_EMPTY"
        case ARCT_ERR_INVALID_UTF8: return "ARCT_ERR_INVALID_UTF8"
        case ARCT_ERR_BAD_HANDLE: return "ARCT_ERR_BAD_HANDLE"
        case ARCT_ERR_ABI_VERSION: return "ARCT_ERR_ABI_VERSION"
        case ARCT_ERR_INVALID_ARGUMENT: return "ARCT_ERR_INVALID_ARGUMENT"
        case ARCT_ERR_STEP_ALREADY_IN_FLIGHT: return "ARCT_ERR_STEP_ALREADY_IN_FLIGHT"
        case ARCT_ERR_NO_STEP_IN_FLIGHT: return "ARCT_ERR_NO_STEP_IN_FLIGHT"
        case ARCT_ERR_STEP_TABLE_MISMATCH: return "ARCT_ERR_STEP_TABLE_MISMATCH"
        case ARCT_ERR_PARTIAL_TICK: return "ARCT_ERR_PARTIAL_TICK"
        case ARCT_ERR_MUTATION_DURING_STEP: return "ARCT_ERR_MUTATION_DURING_STEP"
        case ARCT_ERR_UNKNOWN_TABLE: return "ARCT_ERR_UNKNOWN_TABLE"
        case ARCT_ERR_TABLE_NOT_ACTIVE: return "ARCT_ERR_TABLE_NOT_ACTIVE"
        case ARCT_ERR_UNKNOWN_ENTITY: return "ARCT_ERR_UNKNOWN_ENTITY"
        case ARCT_ERR_ID_ALREADY_REGISTERED: return "ARCT_ERR_ID_ALREADY_REGISTERED"
        case ARCT_ERR_INVALID_NAME: return "ARCT_ERR_INVALID_NAME"
        case ARCT_ERR_ID_OVERFLOW: return "ARCT_ERR_ID_OVERFLOW"
        case ARCT_ERR_RUN_EXISTS: return "ARCT_ERR_RUN_EXISTS"
        case ARCT_ERR_STORE_READ: return "ARCT_ERR_STORE_READ"
        case ARCT_ERR_STORE_APPEND: return "ARCT_ERR_STORE_APPEND"
        case ARCT_ERR_BUFFER_STATE: return "ARCT_ERR_BUFFER_STATE"
        case ARCT_ERR_SCHEMA_MISMATCH: return "ARCT_ERR_SCHEMA_MISMATCH"
        case ARCT_ERR_METADATA_COLUMN: return "ARCT_ERR_METADATA_COLUMN"
        case ARCT_ERR_PROCESSOR_CONTRACT: return "ARCT_ERR_PROCESSOR_CONTRACT"
        case ARCT_ERR_WORLD_BUSY: return "ARCT_ERR_WORLD_BUSY"
        default: return "ARCT_ERR_UNKNOWN_STATUS"
        }
    }
}
