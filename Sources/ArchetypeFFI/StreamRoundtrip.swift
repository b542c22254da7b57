import Arrow
import CArrowABI

/// Consumes a stream of record batches completely and returns a stream of the same batches,
/// validated and re-exported by the library (an addition to c-abi.md §7; docs/decisions.md).
///
/// The input stream is moved (left released) whatever the status. The output stream is written
/// only on success and is independent of the input.
@c @implementation
public func arct_stream_roundtrip(
    _ inStream: UnsafeMutablePointer<ArrowArrayStream>?, _ outStream: UnsafeMutablePointer<ArrowArrayStream>?
) -> Int32 {
    ffiCall("arct_stream_roundtrip") { () throws(FFIError) in
        // Move first (§4.3): the reader owns the stream from here on.
        var moved = ArrowArrayStream()
        if let inStream, inStream.pointee.release != nil {
            moved = inStream.pointee
            inStream.pointee.release = nil
        }
        defer { moved.release?(&moved) }
        guard inStream != nil, let outStream else { throw FFIError(ARCT_ERR_NULL_POINTER, "input and output streams are required") }
        guard outStream.pointee.release == nil else {
            throw FFIError(ARCT_ERR_OUTPUT_NOT_EMPTY, "output stream is not empty (release != NULL)")
        }
        guard moved.release != nil else { throw FFIError(ARCT_ERR_ARROW, "input stream is already released") }
        let batches: [RecordBatch]
        let schema: Schema
        do throws(ArrowError) {
            let reader = try CDataInterface.importStream(&moved)
            schema = reader.schema
            batches = try reader.readAll()
        } catch {
            throw FFIError(error)
        }
        CDataInterface.exportStream(schema: schema, batches: batches, to: outStream)
    }
}
