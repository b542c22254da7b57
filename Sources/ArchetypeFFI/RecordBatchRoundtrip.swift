import Arrow
import CArrowABI

/// Version-1 compatibility (c-abi.md §8.10): validate and import a batch, export it again.
@c @implementation
public func arct_record_batch_roundtrip(
    _ inArray: UnsafeMutablePointer<ArrowArray>?, _ inSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ outArray: UnsafeMutablePointer<ArrowArray>?, _ outSchema: UnsafeMutablePointer<ArrowSchema>?
) -> Int32 {
    ffiCall("arct_record_batch_roundtrip") { () throws(FFIError) in
        // 1. Move the inputs.  2. NULL pointers.  4. Output shells.  9. Arrow validation.
        let input = MovedBatch(inArray, inSchema)
        guard let input else { throw FFIError(ARCT_ERR_NULL_POINTER, "input array and schema are required") }
        try checkOutputs(outArray, outSchema)
        let batch = try input.importBatch()
        CDataInterface.exportRecordBatch(batch, array: outArray!, schema: outSchema!)
    }
}
