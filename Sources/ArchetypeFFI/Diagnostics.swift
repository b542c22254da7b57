import Arrow
import CArrowABI
import Parquet

@c @implementation
public func arct_ffi_version() -> UInt32 { ARCT_ABI_VERSION }

@c @implementation
public func arct_status_name(_ status: Int32) -> UnsafePointer<CChar>? {
    UnsafeRawPointer(StatusNames.name(status).utf8Start).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func arct_last_error_message() -> UnsafePointer<CChar>? { LastError.message }

@c @implementation
public func arct_clear_last_error() { LastError.clear() }

@c @implementation
public func arct_world_options_init(_ options: UnsafeMutablePointer<arct_world_options>?) {
    guard let options else { return }
    var o = arct_world_options()
    o.struct_size = UInt32(MemoryLayout<arct_world_options>.size)
    o.abi_version = ARCT_ABI_VERSION
    options.pointee = o
}

@c @implementation
public func arct_debug_counters(
    _ outLiveBuffers: UnsafeMutablePointer<Int64>?,
    _ outLiveExports: UnsafeMutablePointer<Int64>?,
    _ outLiveImports: UnsafeMutablePointer<Int64>?
) {
    outLiveBuffers?.pointee = Int64(ArrowMemory.liveBuffers)
    outLiveExports?.pointee = Int64(ArrowMemory.liveExports)
    outLiveImports?.pointee = Int64(ArrowMemory.liveImports)
}

@c @implementation
public func arct_debug_release_caches() {
    ArrowMemory.releaseCaches()
    ParquetCaches.release()
}
