/// Base64 with the standard alphabet of RFC 4648 §4 (`A–Z a–z 0–9 + /`), padded with `=`.
///
/// The decoder accepts input with or without padding, and rejects anything else: characters
/// outside the alphabet (whitespace included), padding anywhere but at the end, more than two
/// padding characters, and lengths that cannot come from an encoder (one character past a
/// multiple of four). Unused low bits of the last character are ignored.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The value of each byte as a base64 digit, or 0xFF.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// The padded base64 text of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let n = UInt32(input[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of base64 `text`, padded or not.
    public static func decode(_ text: String) throws(ArrowError) -> [UInt8] {
        var input = Array(text.utf8)
        // Strip up to two trailing pad characters; padded input must then be a whole number
        // of quads.
        var padding = 0
        while padding < 2, let last = input.last, last == UInt8(ascii: "=") {
            input.removeLast()
            padding += 1
        }
        if padding > 0, (input.count + padding) % 4 != 0 {
            throw ArrowError(.invalidData, "base64: padding does not complete a 4-character group")
        }
        if input.count % 4 == 1 {
            throw ArrowError(.invalidData, "base64: \(text.utf8.count) characters cannot be valid base64")
        }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3 + 2)
        var accumulator: UInt32 = 0
        var bits = 0
        for (position, c) in input.enumerated() {
            let v = values[Int(c)]
            guard v != 0xFF else {
                let what = c == UInt8(ascii: "=") ? "padding before the end" : "invalid character 0x\(String(c, radix: 16))"
                throw ArrowError(.invalidData, "base64: \(what) at position \(position)")
            }
            accumulator = (accumulator << 6 | UInt32(v)) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}
