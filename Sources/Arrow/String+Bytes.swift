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
    /// - Complexity: O(1) when the byte counts differ, O(*n*) with one `memcmp` for native
    ///   strings otherwise.
    func hasSameBytes(as other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        let compared: Bool?? = a.withContiguousStorageIfAvailable { pa in
            b.withContiguousStorageIfAvailable { pb in memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 }
        }
        if let compared, let compared { return compared }
        return a.elementsEqual(b)
    }
}
