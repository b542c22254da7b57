/// The resolution of a time, timestamp or duration value.
public enum TimeUnit: Hashable, Sendable, CaseIterable {
    case second, millisecond, microsecond, nanosecond
}

/// A 128-bit decimal value stored as a two's-complement integer, little-endian halves.
public struct Decimal128: Hashable, Sendable, BitwiseCopyable {
    public var low: UInt64
    public var high: Int64
    @inlinable public init(low: UInt64, high: Int64) { self.low = low; self.high = high }
    /// A decimal holding a value that fits in 64 bits.
    @inlinable public init(_ value: Int64) { self.low = UInt64(bitPattern: value); self.high = value < 0 ? -1 : 0 }

    /// The unscaled value as a 128-bit integer.
    public var unscaled: Int128 { Int128(high) << 64 | Int128(low) }

    /// The exact decimal text of an unscaled value with `scale` digits after the point
    /// (`12345`, scale 2 → `"123.45"`; a negative scale appends zeros).
    public static func text(unscaled v: Int128, scale: Int) -> String {
        let negative = v < 0
        var digits = String(negative ? UInt128(bitPattern: 0 &- v) : UInt128(bitPattern: v))
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        } else if scale < 0 {
            digits += String(repeating: "0", count: -scale)
        }
        return (negative ? "-" : "") + digits
    }

    /// The exact decimal text of this value with `scale` digits after the point.
    public func text(scale: Int) -> String { Self.text(unscaled: unscaled, scale: scale) }
}

/// The logical type of an Arrow array.
///
/// A value type: nested types carry their child `Field`s. Two types are equal when they are
/// structurally equal, child names, nullability and metadata included; use
/// ``DataType/equalsIgnoringMetadata(_:)`` to compare without field metadata.
public indirect enum DataType: Hashable, Sendable {
    case null
    case boolean
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    /// Half-precision float; carried through import and export as raw 16-bit values.
    case float16
    case float32, float64
    case utf8, largeUtf8
    case binary, largeBinary
    case fixedSizeBinary(byteWidth: Int)
    case date32, date64
    /// `second` or `millisecond`.
    case time32(TimeUnit)
    /// `microsecond` or `nanosecond`.
    case time64(TimeUnit)
    case timestamp(TimeUnit, timezone: String?)
    case duration(TimeUnit)
    case decimal128(precision: Int, scale: Int)
    case list(Field)
    case largeList(Field)
    case fixedSizeList(Field, listSize: Int)
    case `struct`([Field])
    /// A map: the field is the non-nullable `entries` struct of two children, key and value.
    case map(Field, keysSorted: Bool)
    /// Dictionary-encoded values: integer indices into a dictionary array of `value` type.
    case dictionary(index: DataType, value: DataType, ordered: Bool)
}

/// The physical memory layout of a type: which buffers and children its arrays have.
public enum PhysicalLayout: Hashable, Sendable {
    /// No buffers at all (the null type).
    case null
    /// Validity + a bit-packed values buffer.
    case boolean
    /// Validity + a values buffer of `byteWidth` bytes per element.
    case fixedWidth(byteWidth: Int)
    /// Validity + offsets (`offsetWidth` 4 or 8 bytes) + data.
    case variableBinary(offsetWidth: Int)
    /// Validity + offsets, one child.
    case list(offsetWidth: Int)
    /// Validity, one child holding `listSize` values per element.
    case fixedSizeList(listSize: Int)
    /// Validity, one child per field.
    case `struct`
    /// Indices as the index type's layout; values in the dictionary.
    case dictionary(indexByteWidth: Int)
}

extension DataType {
    /// The physical layout of arrays of this type.
    public var layout: PhysicalLayout {
        switch self {
        case .null: return .null
        case .boolean: return .boolean
        case .int8, .uint8: return .fixedWidth(byteWidth: 1)
        case .int16, .uint16, .float16: return .fixedWidth(byteWidth: 2)
        case .int32, .uint32, .float32, .date32, .time32: return .fixedWidth(byteWidth: 4)
        case .int64, .uint64, .float64, .date64, .time64, .timestamp, .duration: return .fixedWidth(byteWidth: 8)
        case .decimal128: return .fixedWidth(byteWidth: 16)
        case .fixedSizeBinary(let w): return .fixedWidth(byteWidth: w)
        case .utf8, .binary: return .variableBinary(offsetWidth: 4)
        case .largeUtf8, .largeBinary: return .variableBinary(offsetWidth: 8)
        case .list, .map: return .list(offsetWidth: 4)
        case .largeList: return .list(offsetWidth: 8)
        case .fixedSizeList(_, let n): return .fixedSizeList(listSize: n)
        case .struct: return .struct
        case .dictionary(let index, _, _):
            if case .fixedWidth(let w) = index.layout { return .dictionary(indexByteWidth: w) }
            return .dictionary(indexByteWidth: 0)
        }
    }

    /// The number of buffers an array of this type has in the C Data Interface
    /// (the validity buffer included, the dictionary's excluded).
    public var bufferCount: Int {
        switch layout {
        case .null: return 0
        case .boolean, .fixedWidth, .list, .dictionary: return 2
        case .variableBinary: return 3
        case .fixedSizeList, .struct: return 1
        }
    }

    /// The child fields of a nested type, in order; empty for other types.
    public var children: [Field] {
        switch self {
        case .list(let f), .largeList(let f), .fixedSizeList(let f, _), .map(let f, _): return [f]
        case .struct(let fields): return fields
        default: return []
        }
    }

    /// Whether this is a signed or unsigned integer type (valid as a dictionary index).
    public var isInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: return true
        default: return false
        }
    }

    /// Whether values are strings (utf8 or large_utf8).
    public var isString: Bool {
        switch self {
        case .utf8, .largeUtf8: return true
        default: return false
        }
    }

    /// Structural equality that ignores field metadata at every depth.
    public func equalsIgnoringMetadata(_ other: DataType) -> Bool {
        // Switching on `self` alone (not on a tuple of both) copies neither value.
        switch self {
        case .list(let a):
            guard case .list(let b) = other else { return false }
            return a.equalsIgnoringMetadata(b)
        case .largeList(let a):
            guard case .largeList(let b) = other else { return false }
            return a.equalsIgnoringMetadata(b)
        case .fixedSizeList(let a, let n):
            guard case .fixedSizeList(let b, let m) = other else { return false }
            return n == m && a.equalsIgnoringMetadata(b)
        case .map(let a, let s):
            guard case .map(let b, let t) = other else { return false }
            return s == t && a.equalsIgnoringMetadata(b)
        case .struct(let a):
            guard case .struct(let b) = other else { return false }
            return a.count == b.count && zip(a, b).allSatisfy { $0.equalsIgnoringMetadata($1) }
        case .dictionary(let i, let v, let o):
            guard case .dictionary(let j, let w, let p) = other else { return false }
            return i == j && o == p && v.equalsIgnoringMetadata(w)
        default:
            return self == other
        }
    }
}

extension DataType: CustomStringConvertible {
    /// pyarrow's rendering (`int64`, `list<item: double not null>`, `timestamp[us, tz=UTC]`,
    /// `map<string, int32>`).
    public var description: String {
        func unit(_ u: TimeUnit) -> String {
            switch u { case .second: "s"; case .millisecond: "ms"; case .microsecond: "us"; case .nanosecond: "ns" }
        }
        switch self {
        case .null: return "null"
        case .boolean: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .float16: return "halffloat"
        case .float32: return "float"
        case .float64: return "double"
        case .utf8: return "string"
        case .largeUtf8: return "large_string"
        case .binary: return "binary"
        case .largeBinary: return "large_binary"
        case .fixedSizeBinary(let w): return "fixed_size_binary[\(w)]"
        case .date32: return "date32[day]"
        case .date64: return "date64[ms]"
        case .time32(let u): return "time32[\(unit(u))]"
        case .time64(let u): return "time64[\(unit(u))]"
        case .timestamp(let u, let tz):
            if let tz { return "timestamp[\(unit(u)), tz=\(tz)]" }
            return "timestamp[\(unit(u))]"
        case .duration(let u): return "duration[\(unit(u))]"
        case .decimal128(let p, let s): return "decimal128(\(p), \(s))"
        case .list(let f): return "list<\(f)>"
        case .largeList(let f): return "large_list<\(f)>"
        case .fixedSizeList(let f, let n): return "fixed_size_list<\(f)>[\(n)]"
        case .struct(let fs): return "struct<" + fs.map(\.description).joined(separator: ", ") + ">"
        case .map(let entries, let sorted):
            // pyarrow's form: names are shown only where they differ from key / value / entries.
            let kv = entries.type.children
            guard kv.count == 2 else { return "map<\(entries.type)>" }
            var s = "map<\(kv[0].type)"
            if kv[0].name != "key" { s += " ('\(kv[0].name)')" }
            s += ", \(kv[1].type)"
            if kv[1].name != "value" { s += " ('\(kv[1].name)')" }
            if sorted { s += ", keys_sorted" }
            if entries.name != "entries" { s += " ('\(entries.name)')" }
            return s + ">"
        case .dictionary(let i, let v, let o): return "dictionary<values=\(v), indices=\(i), ordered=\(o ? 1 : 0)>"
        }
    }
}
