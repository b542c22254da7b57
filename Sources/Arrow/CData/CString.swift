#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Reading and writing the NUL-terminated strings and the metadata encoding of the C Data
/// Interface.
enum CDataStrings {
    /// The longest C string the importer reads (names, formats); longer ones are rejected.
    static let maximumLength = 1 << 20

    /// Decodes a NUL-terminated UTF-8 string, or throws naming `what`.
    static func read(_ p: UnsafePointer<CChar>, _ what: @autoclosure () -> String) throws(ArrowError) -> String {
        let n = strnlen(p, maximumLength + 1)
        guard n <= maximumLength else { throw ArrowError(.invalidData, "\(what()) is longer than \(maximumLength) bytes") }
        let bytes = UnsafeRawBufferPointer(start: p, count: n)
        if let bad = UTF8Validation.firstInvalidByte(bytes) {
            throw ArrowError(.invalidUTF8, "invalid UTF-8 in \(what()) at byte \(bad)")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A malloc'd NUL-terminated copy of `s`, freed with `free`.
    static func duplicate(_ s: String) -> UnsafeMutablePointer<CChar> {
        var s = s
        return s.withUTF8 { utf8 in
            let p = malloc(utf8.count + 1)!.assumingMemoryBound(to: CChar.self)
            if let base = utf8.baseAddress { memcpy(p, base, utf8.count) }
            p[utf8.count] = 0
            return p
        }
    }

    /// Parses the metadata encoding: int32 pair count, then for each pair int32 key length, key
    /// bytes, int32 value length, value bytes (native endianness).
    static func readMetadata(_ p: UnsafePointer<CChar>?) throws(ArrowError) -> [(String, String)] {
        guard let p else { return [] }
        let raw = UnsafeRawPointer(p)
        let count = Int(raw.loadUnaligned(as: Int32.self))
        guard count >= 0 else { throw ArrowError(.invalidData, "metadata has a negative pair count \(count)") }
        guard count <= 1 << 16 else { throw ArrowError(.invalidData, "metadata has too many pairs (\(count))") }
        var pos = 4
        var out: [(String, String)] = []
        out.reserveCapacity(count)
        func chunk(_ what: String) throws(ArrowError) -> String {
            let len = Int(raw.loadUnaligned(fromByteOffset: pos, as: Int32.self))
            guard len >= 0 else { throw ArrowError(.invalidData, "metadata \(what) has a negative length \(len)") }
            guard len <= maximumLength * 64 else { throw ArrowError(.invalidData, "metadata \(what) is too long (\(len) bytes)") }
            pos += 4
            let bytes = UnsafeRawBufferPointer(start: raw + pos, count: len)
            if let bad = UTF8Validation.firstInvalidByte(bytes) {
                throw ArrowError(.invalidUTF8, "invalid UTF-8 in metadata \(what) at byte \(bad)")
            }
            pos += len
            return String(decoding: bytes, as: UTF8.self)
        }
        for _ in 0..<count {
            let k = try chunk("key")
            let v = try chunk("value")
            out.append((k, v))
        }
        return out
    }

    /// The encoded size of `pairs` in bytes.
    static func metadataSize(_ pairs: [KeyValue]) -> Int {
        var size = 4
        for kv in pairs { size += 8 + kv.key.utf8.count + kv.value.utf8.count }
        return size
    }

    /// Writes the encoding of `pairs` at `raw` and returns the number of bytes written
    /// (``metadataSize(_:)``).
    static func writeMetadata(_ pairs: [KeyValue], to raw: UnsafeMutableRawPointer) -> Int {
        var pos = 0
        func put(_ v: Int32) { raw.storeBytes(of: v, toByteOffset: pos, as: Int32.self); pos += 4 }
        func put(_ s: String) {
            var s = s
            s.withUTF8 { u in
                put(Int32(u.count))
                if let b = u.baseAddress { (raw + pos).copyMemory(from: b, byteCount: u.count) }
                pos += u.count
            }
        }
        put(Int32(pairs.count))
        for kv in pairs { put(kv.key); put(kv.value) }
        return pos
    }
}
