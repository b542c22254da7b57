import Arrow
import CArrowABI

/// A record batch input that has been moved out of the caller's structs (c-abi.md §4.3) but not
/// yet validated. Whatever happens next, the producer's release callbacks run exactly once:
/// through ``importBatch()``, or when this value is dropped.
final class MovedBatch {
    private var array = ArrowArray()
    private var schema = ArrowSchema()

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
    func importBatch() throws(FFIError) -> RecordBatch {
        guard array.release != nil else { throw FFIError(ARCT_ERR_ARROW, "input array is already released") }
        guard schema.release != nil else { throw FFIError(ARCT_ERR_ARROW, "input schema is already released") }
        let batch: RecordBatch
        do {
            batch = try CDataInterface.importRecordBatch(&array, schema: &schema)
        } catch {
            throw FFIError(error)
        }
        // c-abi.md §4.5 S3: top-level column names are non-empty.
        if let i = batch.schema.fields.firstIndex(where: { $0.name.isEmpty }) {
            throw FFIError(ARCT_ERR_ARROW, "column \(i) has an empty name")
        }
        return batch
    }
}

/// Checks an output shell pair (§4.4): both non-NULL, both empty.
func checkOutputs(_ array: UnsafeMutablePointer<ArrowArray>?, _ schema: UnsafeMutablePointer<ArrowSchema>?) throws(FFIError) {
    guard let array, let schema else { throw FFIError(ARCT_ERR_NULL_POINTER, "output array and schema are required") }
    guard array.pointee.release == nil else { throw FFIError(ARCT_ERR_OUTPUT_NOT_EMPTY, "output array is not empty (release != NULL)") }
    guard schema.pointee.release == nil else { throw FFIError(ARCT_ERR_OUTPUT_NOT_EMPTY, "output schema is not empty (release != NULL)") }
}
