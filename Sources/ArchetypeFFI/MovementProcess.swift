import ArchetypeCore
import Arrow
import CArrowABI

/// Version-1 compatibility (c-abi.md §8.10): one movement step on a batch. `tick` is ignored.
@c @implementation
public func arct_movement_process(
    _ inArray: UnsafeMutablePointer<ArrowArray>?, _ inSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ outArray: UnsafeMutablePointer<ArrowArray>?, _ outSchema: UnsafeMutablePointer<ArrowSchema>?,
    _ dt: Double, _ tick: Int32
) -> Int32 {
    let function = "arct_movement_process"
    LastError.clear()
    let input = MovedBatch(inArray, inSchema)
    do throws(FFIError) {
        guard let input else { throw FFIError(ARCT_ERR_NULL_POINTER, "input array and schema are required") }
        try checkOutputs(outArray, outSchema)
        let batch = try input.importBatch()
        let result: RecordBatch
        do {
            result = try MovementKernel.process(batch, dt: dt)
        } catch {
            // The version-1 texts are the whole message, without the function prefix.
            switch error {
            case .missingColumn(let name):
                LastError.setRaw("Schema error: missing required movement column: \(name)")
            case .columnTypeMismatch(let name):
                LastError.setRaw("\(name) must be Float64")
            case .invalidBatch(let detail):
                LastError.set(function: function, detail: detail)
            }
            return ARCT_ERR_ARROW
        }
        CDataInterface.exportRecordBatch(result, array: outArray!, schema: outSchema!)
        return ARCT_OK
    } catch {
        LastError.set(function: function, detail: error.detail)
        return error.status
    }
}
