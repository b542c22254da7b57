import ArchetypeCore
import Arrow
import CArrowABI

/// A record batch input that has been moved out of the caller's structs (c-abi.md §4.3) but not
/// yet validated. Whatever happens next, the producer's release callbacks run exactly once:
/// through ``importBatch()``, or when this value is dropped.
final class MovedBatch {
    private var array = ArrowArray()
    private var schema = ArrowSchema()
    /// The imported batch, kept until this value is dropped: callers drop it after leaving the
    /// world lock, so the producer's release callbacks run outside it (c-abi.md §4.8 item 4).
    private(set) var imported: RecordBatch?

    /// Moves both structs when both pointers are non-NULL; nil (nothing moved) when either is
    /// NULL. A released struct is left as it is and reported by ``importBatch()``.
    init?(_ array: UnsafeMutablePointer<ArrowArray>?, _ schema: UnsafeMutablePointer<ArrowSchema>?) {
        guard let array, let schema else { return nil }
        if array.pointee.release != nil {
            self.array = array.pointee
            array.pointee.release = nil
        }
        if schema.pointee.release != nil {
            self.schema = schema.pointee
            schema.pointee.release = nil
        }
    }

    deinit {
        array.release?(&array)
        schema.release?(&schema)
    }

    /// Validates and imports the batch (§4.5). Consumes the moved structs.
    ///
    /// - Parameter hint: a batch the library handed out that this one may return columns of
    ///   unchanged (``CDataInterface/importRecordBatch(_:schema:hint:)``).
    func importBatch(hint: RecordBatch? = nil) throws(FFIError) -> RecordBatch {
        guard array.release != nil else { throw FFIError(ARCT_ERR_ARROW, "input array is already released") }
        guard schema.release != nil else { throw FFIError(ARCT_ERR_ARROW, "input schema is already released") }
        let batch: RecordBatch
        do {
            batch = try CDataInterface.importRecordBatch(&array, schema: &schema, hint: hint)
        } catch {
            throw FFIError(error)
        }
        // c-abi.md §4.5 S3: top-level column names are non-empty.
        if let i = batch.schema.fields.firstIndex(where: { $0.name.isEmpty }) {
            throw FFIError(ARCT_ERR_ARROW, "column \(i) has an empty name")
        }
        imported = batch
        return batch
    }

    /// Imports the batch for an engine entry point: on top of ``importBatch()``, every column
    /// must be of the engine's type set (c-abi.md §4.5 S1, S4: no dictionaries).
    func importEngineBatch() throws(FFIError) -> RecordBatch {
        let batch = try importBatch()
        try EngineTypes.check(batch.schema.fields)
        return batch
    }
}

/// A lone schema input (c-abi.md §4.3 item 2), moved on entry like a batch.
final class MovedSchema {
    private var schema = ArrowSchema()

    /// Moves the struct when the pointer is non-NULL; nil when it is NULL.
    init?(_ schema: UnsafeMutablePointer<ArrowSchema>?) {
        guard let schema else { return nil }
        if schema.pointee.release != nil {
            self.schema = schema.pointee
            schema.pointee.release = nil
        }
    }

    deinit { schema.release?(&schema) }

    /// Validates and imports a `+s` schema whose fields are of the engine's type set.
    func importSchema() throws(FFIError) -> Schema {
        guard schema.release != nil else { throw FFIError(ARCT_ERR_ARROW, "input schema is already released") }
        let result: Schema
        do { result = try CDataInterface.importSchema(&schema) } catch { throw FFIError(error) }
        if let i = result.fields.firstIndex(where: { $0.name.isEmpty }) {
            throw FFIError(ARCT_ERR_ARROW, "field \(i) has an empty name")
        }
        try EngineTypes.check(result.fields)
        return result
    }
}

/// The Arrow types the engine's entry points accept (c-abi.md §4.5 S1).
enum EngineTypes {
    static func check(_ fields: [Field]) throws(FFIError) {
        for f in fields where !World.isCoreType(f.type) {
            throw FFIError(ARCT_ERR_ARROW, "column \(f.name): unsupported type \(f.type)")
        }
    }
}

/// Checks an output shell pair (§4.4): both non-NULL, both empty.
func checkOutputs(_ array: UnsafeMutablePointer<ArrowArray>?, _ schema: UnsafeMutablePointer<ArrowSchema>?) throws(FFIError) {
    guard let array, let schema else { throw FFIError(ARCT_ERR_NULL_POINTER, "output array and schema are required") }
    guard array.pointee.release == nil else { throw FFIError(ARCT_ERR_OUTPUT_NOT_EMPTY, "output array is not empty (release != NULL)") }
    guard schema.pointee.release == nil else { throw FFIError(ARCT_ERR_OUTPUT_NOT_EMPTY, "output schema is not empty (release != NULL)") }
}
