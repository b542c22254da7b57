/// Fast UTF-8 validation over raw bytes (ASCII fast path eight bytes at a time).
enum UTF8Validation {
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var i = 0
        let n = bytes.count
        var acc: UInt64 = 0
        while i + 8 <= n { acc |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self); i += 8 }
        while i < n { acc |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)); i += 1 }
        return acc & 0x8080_8080_8080_8080 == 0
    }

    /// The offset of the first byte that starts an invalid sequence, or nil if all valid.
    static func firstInvalidByte(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let n = bytes.count
        var i = 0
        while i < n {
            // Skip ASCII quickly.
            while i + 8 <= n, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
            let b0 = base.load(fromByteOffset: i, as: UInt8.self)
            if b0 < 0x80 { i += 1; continue }
            func cont(_ k: Int) -> UInt8? {
                guard i + k < n else { return nil }
                let b = base.load(fromByteOffset: i + k, as: UInt8.self)
                return b & 0xC0 == 0x80 ? b : nil
            }
            if b0 >= 0xC2 && b0 <= 0xDF {
                guard cont(1) != nil else { return i }
                i += 2
            } else if b0 >= 0xE0 && b0 <= 0xEF {
                guard let b1 = cont(1), cont(2) != nil else { return i }
                if b0 == 0xE0 && b1 < 0xA0 { return i }      // overlong
                if b0 == 0xED && b1 > 0x9F { return i }      // surrogates
                i += 3
            } else if b0 >= 0xF0 && b0 <= 0xF4 {
                guard let b1 = cont(1), cont(2) != nil, cont(3) != nil else { return i }
                if b0 == 0xF0 && b1 < 0x90 { return i }      // overlong
                if b0 == 0xF4 && b1 > 0x8F { return i }      // > U+10FFFF
                i += 4
            } else {
                return i
            }
        }
        return nil
    }
}
