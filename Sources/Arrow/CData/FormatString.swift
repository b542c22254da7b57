/// The C Data Interface format strings (`"i"`, `"tsu:UTC"`, `"+w:4"`, …) and their mapping to
/// ``DataType``.
enum FormatString {
    /// The format of `type`, as a producer writes it. Dictionary types render their index type
    /// (the value type goes into the dictionary schema).
    static func render(_ type: DataType) -> String {
        func unit(_ u: TimeUnit) -> String {
            switch u { case .second: "s"; case .millisecond: "m"; case .microsecond: "u"; case .nanosecond: "n" }
        }
        switch type {
        case .null: return "n"
        case .boolean: return "b"
        case .int8: return "c"
        case .uint8: return "C"
        case .int16: return "s"
        case .uint16: return "S"
        case .int32: return "i"
        case .uint32: return "I"
        case .int64: return "l"
        case .uint64: return "L"
        case .float16: return "e"
        case .float32: return "f"
        case .float64: return "g"
        case .binary: return "z"
        case .largeBinary: return "Z"
        case .utf8: return "u"
        case .largeUtf8: return "U"
        case .fixedSizeBinary(let w): return "w:\(w)"
        case .decimal128(let p, let s): return "d:\(p),\(s)"
        case .date32: return "tdD"
        case .date64: return "tdm"
        case .time32(let u), .time64(let u): return "tt" + unit(u)
        case .timestamp(let u, let tz): return "ts" + unit(u) + ":" + (tz ?? "")
        case .duration(let u): return "tD" + unit(u)
        case .list: return "+l"
        case .largeList: return "+L"
        case .fixedSizeList(_, let n): return "+w:\(n)"
        case .struct: return "+s"
        case .map: return "+m"
        case .dictionary(let index, _, _): return render(index)
        }
    }

    /// What a format string declares, before its children are known.
    enum Parsed: Equatable {
        case leaf(DataType)
        case list, largeList, fixedSizeList(Int), `struct`, map
    }

    /// Parses a complete format string. Unknown but well-formed formats (views, unions,
    /// intervals, run-end encoding, decimal256) are `unsupportedType`; anything else that does not
    /// parse is `invalidFormat`.
    static func parse(_ f: String) throws(ArrowError) -> Parsed {
        func invalid() -> ArrowError { ArrowError(.invalidFormat, "invalid format string '\(f.escapedForMessage)'") }
        func unsupported() -> ArrowError { ArrowError(.unsupportedType, "unsupported format string '\(f.escapedForMessage)'") }
        switch f {
        case "n": return .leaf(.null)
        case "b": return .leaf(.boolean)
        case "c": return .leaf(.int8)
        case "C": return .leaf(.uint8)
        case "s": return .leaf(.int16)
        case "S": return .leaf(.uint16)
        case "i": return .leaf(.int32)
        case "I": return .leaf(.uint32)
        case "l": return .leaf(.int64)
        case "L": return .leaf(.uint64)
        case "e": return .leaf(.float16)
        case "f": return .leaf(.float32)
        case "g": return .leaf(.float64)
        case "z": return .leaf(.binary)
        case "Z": return .leaf(.largeBinary)
        case "u": return .leaf(.utf8)
        case "U": return .leaf(.largeUtf8)
        case "tdD": return .leaf(.date32)
        case "tdm": return .leaf(.date64)
        case "tts": return .leaf(.time32(.second))
        case "ttm": return .leaf(.time32(.millisecond))
        case "ttu": return .leaf(.time64(.microsecond))
        case "ttn": return .leaf(.time64(.nanosecond))
        case "tDs": return .leaf(.duration(.second))
        case "tDm": return .leaf(.duration(.millisecond))
        case "tDu": return .leaf(.duration(.microsecond))
        case "tDn": return .leaf(.duration(.nanosecond))
        case "+l": return .list
        case "+L": return .largeList
        case "+s": return .struct
        case "+m": return .map
        case "vu", "vz", "+vl", "+vL", "+r", "tiM", "tiD", "tin": throw unsupported()
        default: break
        }
        if let rest = f.dropPrefix("w:") {
            guard let n = parseCount(rest), n > 0 else { throw invalid() }
            return .leaf(.fixedSizeBinary(byteWidth: n))
        }
        if let rest = f.dropPrefix("+w:") {
            guard let n = parseCount(rest) else { throw invalid() }
            return .fixedSizeList(n)
        }
        if let rest = f.dropPrefix("d:") {
            let parts = rest.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 || parts.count == 3,
                  let p = parseSigned(parts[0]), let s = parseSigned(parts[1]) else { throw invalid() }
            if parts.count == 3 {
                guard let bits = parseCount(parts[2]) else { throw invalid() }
                if bits != 128 { throw unsupported() }
            }
            guard p >= 1, p <= 38 else { throw ArrowError(.unsupportedType, "decimal128 precision \(p) outside 1...38") }
            return .leaf(.decimal128(precision: p, scale: s))
        }
        if f.hasPrefix("ts"), f.utf8.count >= 4 {
            let u = f.utf8[f.utf8.index(f.utf8.startIndex, offsetBy: 2)]
            let colon = f.utf8[f.utf8.index(f.utf8.startIndex, offsetBy: 3)]
            guard colon == UInt8(ascii: ":") else { throw invalid() }
            let unit: TimeUnit
            switch u {
            case UInt8(ascii: "s"): unit = .second
            case UInt8(ascii: "m"): unit = .millisecond
            case UInt8(ascii: "u"): unit = .microsecond
            case UInt8(ascii: "n"): unit = .nanosecond
            default: throw invalid()
            }
            let tz = String(f.dropFirst(4))
            return .leaf(.timestamp(unit, timezone: tz.isEmpty ? nil : tz))
        }
        if f.hasPrefix("+u") { throw unsupported() }
        throw invalid()
    }

    /// A non-negative decimal integer without sign or leading garbage, at most 2^31 - 1.
    static func parseCount(_ s: String) -> Int? {
        guard !s.isEmpty, s.utf8.count <= 10, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(s), v <= Int(Int32.max) else { return nil }
        return v
    }

    static func parseSigned(_ s: String) -> Int? {
        if s.hasPrefix("-") { return parseCount(String(s.dropFirst())).map { -$0 } }
        return parseCount(s)
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }

    /// The string with control characters escaped and clipped to 64 characters, for messages.
    var escapedForMessage: String {
        var out = ""
        for scalar in unicodeScalars.prefix(64) {
            if scalar.value < 0x20 || scalar.value == 0x7F { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
        return unicodeScalars.count > 64 ? out + "…" : out
    }
}
