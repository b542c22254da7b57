import ArchetypeCore
import CArrowABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Scalar and string arguments of the C ABI (c-abi.md §4.2, §4.7 steps 5, 6 and 8).
enum CArgument {
    /// Reads a NUL-terminated UTF-8 argument; invalid UTF-8 gives `ARCT_ERR_INVALID_UTF8`
    /// naming the argument and the byte offset, never the bytes themselves (§5.4).
    static func string(_ p: UnsafePointer<CChar>, _ argument: String) throws(FFIError) -> String {
        let n = strlen(p)
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: n)
        if let bad = firstInvalidUTF8(bytes) {
            throw FFIError(ARCT_ERR_INVALID_UTF8, "invalid UTF-8 in argument \(argument) at byte \(bad)")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An optional string argument (NULL stays nil).
    static func optionalString(_ p: UnsafePointer<CChar>?, _ argument: String) throws(FFIError) -> String? {
        guard let p else { return nil }
        return try string(p, argument)
    }

    /// The offset of the first byte that does not start or continue a well-formed UTF-8
    /// sequence (no overlong forms, no surrogates, nothing above U+10FFFF), or nil.
    static func firstInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80
            var hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            for k in 1...need {
                guard i + k < n else { return i }
                let d = b[i + k]
                let (l, h) = k == 1 ? (lo, hi) : (UInt8(0x80), UInt8(0xBF))
                guard d >= l && d <= h else { return i }
            }
            i += need + 1
        }
        return nil
    }

    /// A table name or namespace (§4.2.2) → `ARCT_ERR_INVALID_NAME`.
    static func checkTableName(_ name: String) throws(FFIError) {
        do { try Names.validateTableName(name) } catch { throw FFIError(error) }
    }

    /// A world id or run id (§4.2.3) → `ARCT_ERR_INVALID_NAME`.
    static func checkId(_ id: String, what: String) throws(FFIError) {
        do { try Names.validateId(id, what: what) } catch { throw FFIError(error) }
    }

    /// `struct_size` of a versioned struct (§2.4) → `ARCT_ERR_INVALID_ARGUMENT`.
    static func checkStructSize(_ size: UInt32, minimum: Int, _ name: String) throws(FFIError) {
        guard Int(size) >= minimum else {
            throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "\(name).struct_size is \(size), at least \(minimum) needed")
        }
    }

    /// A count argument that must be ≥ 0 and fit the id space.
    static func checkCount(_ n: Int64, _ name: String) throws(FFIError) {
        guard n >= 0 else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "\(name) is negative (\(n))") }
        guard n <= Int64(Int32.max) else { throw FFIError(ARCT_ERR_INVALID_ARGUMENT, "\(name) is larger than \(Int32.max) (\(n))") }
    }

    /// Copies `n` int32 values from a caller array (checked with ``checkCount(_:_:)``).
    static func int32s(_ p: UnsafePointer<Int32>?, _ n: Int64) -> [Int32] {
        guard let p, n > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: p, count: Int(n)))
    }
}
