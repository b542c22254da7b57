import CArrowABI
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Test hook for c-abi.md §11 N31 (docs/decisions.md): a call that stays inside the world until
/// the test lets it go, so that `arct_world_free` meets a running call deterministically.
@c @implementation
public func arct_debug_world_hold(
    _ world: OpaquePointer?, _ inside: UnsafeMutablePointer<Int32>?, _ release: UnsafePointer<Int32>?, _ timeoutMs: Int32
) -> Int32 {
    let function = "arct_debug_world_hold"
    return ffiCall(function) { () throws(FFIError) in
        guard let inside, let release else { throw FFIError(ARCT_ERR_NULL_POINTER, "inside and release are required") }
        try WorldRegistry.with(function, world) { (_, _) throws(FFIError) in
            guard timeoutMs >= 0 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "timeout_ms is negative (\(timeoutMs))") }
            // The flags are plain int32 in the caller's memory, shared with another thread:
            // accessed through relaxed atomic views of the same address.
            UnsafeAtomic(inside).store(1)
            var waited: Int32 = 0
            while UnsafeAtomic(UnsafeMutablePointer(mutating: release)).load() == 0 && waited < timeoutMs {
                usleep(1000)
                waited += 1
            }
        }
    }
}

/// A sequentially consistent atomic view of a C `int32_t`.
struct UnsafeAtomic {
    let pointer: UnsafeMutablePointer<Int32>
    init(_ pointer: UnsafeMutablePointer<Int32>) { self.pointer = pointer }

    func store(_ v: Int32) {
        UnsafeMutableRawPointer(pointer).withMemoryRebound(to: Atomic<Int32>.self, capacity: 1) { $0.pointee.store(v, ordering: .sequentiallyConsistent) }
    }

    func load() -> Int32 {
        UnsafeMutableRawPointer(pointer).withMemoryRebound(to: Atomic<Int32>.self, capacity: 1) { $0.pointee.load(ordering: .sequentiallyConsistent) }
    }
}
