#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

extension String {
    /// Whether both strings have exactly the same UTF-8 bytes (no Unicode normalisation: Arrow
    /// names are compared byte for byte).
    ///
    /// - Complexity: O(1) when the byte counts differ, one `memcmp` otherwise (small strings
    ///   are compared from their inline storage, native ones in place).
    public func hasSameBytes(as other: String) -> Bool {
        var a = self, b = other
        guard a.utf8.count == b.utf8.count else { return false }
        return a.withUTF8 { pa in
            b.withUTF8 { pb in pa.isEmpty || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 }
        }
    }
}
