/// Fast UTF-8 validation over raw bytes.
///
/// ASCII is skipped 64 bytes at a time with a branch-free OR over eight words (which the
/// compiler vectorises); only blocks with a high bit set go through the scalar decoder.
enum UTF8Validation {
    /// Whether every byte is ASCII.
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return asciiPrefix(base, 0, bytes.count) == bytes.count
    }

    /// The offset of the first byte that starts an invalid sequence (nil if all valid), and
    /// whether the bytes were pure ASCII.
    static func validate(_ bytes: UnsafeRawBufferPointer) -> (firstInvalid: Int?, isASCII: Bool) {
        guard let base = bytes.baseAddress else { return (nil, true) }
        let n = bytes.count
        var i = asciiPrefix(base, 0, n)
        if i == n { return (nil, true) }
        while i < n {
            let b0 = base.load(fromByteOffset: i, as: UInt8.self)
            if b0 < 0x80 {
                i = asciiPrefix(base, i, n)
                continue
            }
            func cont(_ k: Int) -> UInt8? {
                guard i + k < n else { return nil }
                let b = base.load(fromByteOffset: i + k, as: UInt8.self)
                return b & 0xC0 == 0x80 ? b : nil
            }
            if b0 >= 0xC2 && b0 <= 0xDF {
                guard cont(1) != nil else { return (i, false) }
                i += 2
            } else if b0 >= 0xE0 && b0 <= 0xEF {
                guard let b1 = cont(1), cont(2) != nil else { return (i, false) }
                if b0 == 0xE0 && b1 < 0xA0 { return (i, false) }      // overlong
                if b0 == 0xED && b1 > 0x9F { return (i, false) }      // surrogates
                i += 3
            } else if b0 >= 0xF0 && b0 <= 0xF4 {
                guard let b1 = cont(1), cont(2) != nil, cont(3) != nil else { return (i, false) }
                if b0 == 0xF0 && b1 < 0x90 { return (i, false) }      // overlong
                if b0 == 0xF4 && b1 > 0x8F { return (i, false) }      // > U+10FFFF
                i += 4
            } else {
                return (i, false)
            }
        }
        return (nil, false)
    }

    /// The offset of the first non-ASCII byte at or after `from` (or `n`).
    @inline(__always)
    static func asciiPrefix(_ base: UnsafeRawPointer, _ from: Int, _ n: Int) -> Int {
        var i = from
        let high: UInt64 = 0x8080_8080_8080_8080
        while i + 64 <= n {
            var acc: UInt64 = 0
            for k in stride(from: 0, to: 64, by: 8) { acc |= base.loadUnaligned(fromByteOffset: i + k, as: UInt64.self) }
            if acc & high != 0 { break }
            i += 64
        }
        while i + 8 <= n, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & high == 0 { i += 8 }
        while i < n, base.load(fromByteOffset: i, as: UInt8.self) < 0x80 { i += 1 }
        return i
    }

    /// The offset of the first byte that starts an invalid sequence, or nil if all valid.
    static func firstInvalidByte(_ bytes: UnsafeRawBufferPointer) -> Int? { validate(bytes).firstInvalid }
}
