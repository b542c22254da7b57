import Arrow

/// Runs the body of an exported function: clears the thread's last error on entry, turns an
/// `FFIError` into its status and message. Every `arct_*` entry (except the diagnostics) goes
/// through here so that no error path is forgotten.
@inline(__always)
func ffiCall(_ function: String, _ body: () throws(FFIError) -> Void) -> Int32 {
    LastError.clear()
    do {
        try body()
        return 0
    } catch {
        LastError.setRaw(error.message(function))
        return error.status
    }
}
