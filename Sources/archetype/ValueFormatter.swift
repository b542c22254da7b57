import Arrow

/// Renders Arrow values as text for `archetype parquet cat` (and later `archetype query`):
/// exact values, floats in shortest round-trip form, nulls as `null`, binary as base64,
/// temporal values in ISO 8601, decimals exactly.
enum ValueFormatter {
    /// The JSON text of element `i` of `array`.
    static func json(_ array: ArrayData, _ i: Int) -> String {
        guard array.isValid(i) else { return "null" }
        let k = array.offset + i
        switch array.type {
        case .null: return "null"
        case .boolean: return Bitmap.get(array.buffers[1]!.baseAddress, k) ? "true" : "false"
        case .int8: return String(array.buffers[1]!.load(k, as: Int8.self))
        case .int16: return String(array.buffers[1]!.load(k, as: Int16.self))
        case .int32: return String(array.buffers[1]!.load(k, as: Int32.self))
        case .int64: return String(array.buffers[1]!.load(k, as: Int64.self))
        case .uint8: return String(array.buffers[1]!.load(k, as: UInt8.self))
        case .uint16: return String(array.buffers[1]!.load(k, as: UInt16.self))
        case .uint32: return String(array.buffers[1]!.load(k, as: UInt32.self))
        case .uint64: return String(array.buffers[1]!.load(k, as: UInt64.self))
        case .float16: return float(Float16(bitPattern: array.buffers[1]!.load(k, as: UInt16.self)))
        case .float32: return float(array.buffers[1]!.load(k, as: Float.self))
        case .float64: return float(array.buffers[1]!.load(k, as: Double.self))
        case .utf8, .largeUtf8: return quote(String(decoding: bytes(array, i), as: UTF8.self))
        case .binary, .largeBinary, .fixedSizeBinary: return quote(Base64.encode(bytes(array, i)))
        case .date32: return quote(date(days: Int64(array.buffers[1]!.load(k, as: Int32.self))))
        case .date64:
            let ms = array.buffers[1]!.load(k, as: Int64.self)
            return quote(ms % 86_400_000 == 0 ? date(days: ms / 86_400_000) : timestamp(ms, .millisecond, utc: false))
        case .time32(let u): return quote(time(Int64(array.buffers[1]!.load(k, as: Int32.self)), u))
        case .time64(let u): return quote(time(array.buffers[1]!.load(k, as: Int64.self), u))
        case .timestamp(let u, let tz): return quote(timestamp(array.buffers[1]!.load(k, as: Int64.self), u, utc: tz != nil))
        case .duration: return String(array.buffers[1]!.load(k, as: Int64.self))
        case .decimal128(_, let scale): return quote(array.buffers[1]!.load(k, as: Decimal128.self).text(scale: scale))
        case .struct(let fields):
            let kids = array.logicalChildren
            return "{" + zip(fields, kids).map { quote($0.name) + ":" + json($1, i) }.joined(separator: ",") + "}"
        case .list, .largeList, .fixedSizeList:
            let (s, e) = listRange(array, i)
            return "[" + (s..<e).map { json(array.children[0], $0) }.joined(separator: ",") + "]"
        case .map:
            let (s, e) = listRange(array, i)
            let entries = array.children[0].logicalChildren
            return "[" + (s..<e).map { "{\"key\":" + json(entries[0], $0) + ",\"value\":" + json(entries[1], $0) + "}" }.joined(separator: ",") + "]"
        case .dictionary(let index, _, _):
            let idx: Int
            switch index {
            case .int8: idx = Int(array.buffers[1]!.load(k, as: Int8.self))
            case .int16: idx = Int(array.buffers[1]!.load(k, as: Int16.self))
            case .int32: idx = Int(array.buffers[1]!.load(k, as: Int32.self))
            case .int64: idx = Int(array.buffers[1]!.load(k, as: Int64.self))
            case .uint8: idx = Int(array.buffers[1]!.load(k, as: UInt8.self))
            case .uint16: idx = Int(array.buffers[1]!.load(k, as: UInt16.self))
            case .uint32: idx = Int(array.buffers[1]!.load(k, as: UInt32.self))
            default: idx = Int(truncatingIfNeeded: array.buffers[1]!.load(k, as: UInt64.self))
            }
            return array.dictionary.map { json($0, idx) } ?? "null"
        }
    }

    /// The CSV field of element `i`: strings and nested values quoted, nulls as bare `null`.
    static func csv(_ array: ArrayData, _ i: Int) -> String {
        let text = json(array, i)
        if text.hasPrefix("\"") { return text.replacingFirstAndLastQuote() }
        if text.hasPrefix("{") || text.hasPrefix("[") { return csvQuote(text) }
        return text
    }

    static func csvQuote(_ s: String) -> String { "\"" + s.replacingAll("\"", with: "\"\"") + "\"" }

    /// Shortest round-trip form (Swift's description); NaN and infinities as JSON strings.
    static func float<T: BinaryFloatingPoint & CustomStringConvertible>(_ v: T) -> String {
        if v.isNaN { return "\"NaN\"" }
        if v.isInfinite { return v > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
        return v.description
    }

    static func bytes(_ array: ArrayData, _ i: Int) -> [UInt8] {
        let k = array.offset + i
        switch array.type.layout {
        case .variableBinary(4):
            let o = array.buffers[1]!
            let s = Int(o.load(k, as: Int32.self)), e = Int(o.load(k + 1, as: Int32.self))
            return Array(UnsafeRawBufferPointer(start: array.buffers[2]!.baseAddress + s, count: e - s))
        case .variableBinary:
            let o = array.buffers[1]!
            let s = Int(o.load(k, as: Int64.self)), e = Int(o.load(k + 1, as: Int64.self))
            return Array(UnsafeRawBufferPointer(start: array.buffers[2]!.baseAddress + s, count: e - s))
        case .fixedWidth(let w):
            return Array(UnsafeRawBufferPointer(start: array.buffers[1]!.baseAddress + k * w, count: w))
        default:
            return []
        }
    }

    static func listRange(_ array: ArrayData, _ i: Int) -> (Int, Int) {
        let k = array.offset + i
        switch array.type.layout {
        case .list(4): return (Int(array.buffers[1]!.load(k, as: Int32.self)), Int(array.buffers[1]!.load(k + 1, as: Int32.self)))
        case .list: return (Int(array.buffers[1]!.load(k, as: Int64.self)), Int(array.buffers[1]!.load(k + 1, as: Int64.self)))
        case .fixedSizeList(let n): return (k * n, (k + 1) * n)
        default: return (0, 0)
        }
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// Proleptic Gregorian civil date of a day count since 1970-01-01.
    static func civil(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(abs(v))
        return (v < 0 ? "-" : "") + String(repeating: "0", count: Swift.max(0, width - s.count)) + s
    }

    static func date(days: Int64) -> String {
        let (y, m, d) = civil(days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    static func perSecond(_ u: TimeUnit) -> (Int64, Int) {
        switch u { case .second: (1, 0); case .millisecond: (1_000, 3); case .microsecond: (1_000_000, 6); case .nanosecond: (1_000_000_000, 9) }
    }

    static func time(_ v: Int64, _ u: TimeUnit) -> String {
        let (per, digits) = perSecond(u)
        let secs = v / per, frac = v % per
        let base = "\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2))"
        return digits == 0 ? base : base + "." + pad(frac, digits)
    }

    static func timestamp(_ v: Int64, _ u: TimeUnit, utc: Bool) -> String {
        let (per, digits) = perSecond(u)
        var secs = v / per, frac = v % per
        if frac < 0 { frac += per; secs -= 1 }
        var days = secs / 86_400, rem = secs % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        var s = date(days: days) + "T" + "\(pad(rem / 3600, 2)):\(pad(rem / 60 % 60, 2)):\(pad(rem % 60, 2))"
        if digits > 0 { s += "." + pad(frac, digits) }
        return utc ? s + "Z" : s
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }

    /// A JSON string literal turned into a CSV field: unescaped, then CSV-quoted.
    func replacingFirstAndLastQuote() -> String {
        // Simple values (no escapes) are the common case.
        let inner = String(dropFirst().dropLast())
        if !inner.contains("\\") { return ValueFormatter.csvQuote(inner) }
        var out = ""
        var it = inner.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "\\", let e = it.next() else { out.unicodeScalars.append(c); continue }
            switch e {
            case "n": out += "\n"
            case "r": out += "\r"
            case "t": out += "\t"
            case "u":
                var hex = ""
                for _ in 0..<4 { if let h = it.next() { hex.unicodeScalars.append(h) } }
                if let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) { out.unicodeScalars.append(s) }
            default: out.unicodeScalars.append(e)
            }
        }
        return ValueFormatter.csvQuote(out)
    }
}
