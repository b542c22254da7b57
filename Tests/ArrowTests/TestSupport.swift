@testable import Arrow

/// A deterministic generator (SplitMix64) so that property tests are reproducible.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

/// A decoded value: the reference model the kernels are checked against.
indirect enum V: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case bytes([UInt8])
    case list([V])
    case record([V])

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .bytes(let b): "0x" + b.map { String($0, radix: 16) }.joined()
        case .list(let l): "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .record(let r): "{" + r.map(\.description).joined(separator: ", ") + "}"
        }
    }
}

/// Decodes every element through the typed views (the slow, obviously-correct way).
func decode(_ a: ArrayData) throws -> [V] {
    switch a.type.layout {
    case .null:
        return Array(repeating: .null, count: a.length)
    case .boolean:
        return try BooleanArray(a).map { $0.map(V.bool) ?? .null }
    case .fixedWidth:
        return try FixedSizeBinaryArray(a).map { $0.map(V.bytes) ?? .null }
    case .variableBinary(let w):
        if w == 4 { return try BinaryArray(a).map { $0.map(V.bytes) ?? .null } }
        return try LargeBinaryArray(a).map { $0.map(V.bytes) ?? .null }
    case .list(let w):
        if w == 4 {
            return try ListArray(a).map { e in try e.map { V.list(try decode($0)) } ?? .null }
        }
        return try LargeListArray(a).map { e in try e.map { V.list(try decode($0)) } ?? .null }
    case .fixedSizeList:
        return try FixedSizeListArray(a).map { e in try e.map { V.list(try decode($0)) } ?? .null }
    case .struct:
        let s = try StructArray(a)
        let kids = try s.children.map(decode)
        return (0..<a.length).map { i in s.isValid(i) ? .record(kids.map { $0[i] }) : .null }
    case .dictionary:
        let dict = try decode(a.dictionary!)
        guard case .dictionary(let it, _, _) = a.type else { return [] }
        return try (0..<a.length).map { i in
            guard a.isValid(i) else { return .null }
            let k = try key(a, i, it)
            return dict[k]
        }
    }
}

private func key(_ a: ArrayData, _ i: Int, _ t: DataType) throws -> Int {
    let ind = a.indicesArray
    switch t {
    case .int8: return Int(try PrimitiveArray<Int8>(ind).value(at: i))
    case .int16: return Int(try PrimitiveArray<Int16>(ind).value(at: i))
    case .int32: return Int(try PrimitiveArray<Int32>(ind).value(at: i))
    case .int64: return Int(try PrimitiveArray<Int64>(ind).value(at: i))
    case .uint8: return Int(try PrimitiveArray<UInt8>(ind).value(at: i))
    case .uint16: return Int(try PrimitiveArray<UInt16>(ind).value(at: i))
    case .uint32: return Int(try PrimitiveArray<UInt32>(ind).value(at: i))
    default: return Int(try PrimitiveArray<UInt64>(ind).value(at: i))
    }
}

// MARK: Random arrays

/// Random arrays of any type, sliced at the top level and with offsets in their children,
/// random bytes under null slots, and random (sometimes non-empty) ranges under null lists.
struct ArrayGenerator {
    var rng: SeededRNG
    /// Probability of a null in a nullable array (per array, sometimes 0).
    var nullRate: Double = 0.2

    init(seed: UInt64) { rng = SeededRNG(seed: seed) }

    mutating func validity(_ total: Int, nullable: Bool) -> ArrowBuffer? {
        guard nullable, total > 0 else { return nil }
        let rate = rng.chance(0.25) ? 0 : (rng.chance(0.1) ? 0.9 : nullRate)
        if rate == 0 { return rng.chance(0.5) ? nil : allOnes(total) }
        var b = BitmapBuilder(capacity: total)
        for _ in 0..<total { b.append(!rng.chance(rate)) }
        return b.finish()
    }

    func allOnes(_ n: Int) -> ArrowBuffer {
        var b = BitmapBuilder(capacity: n)
        b.append(repeating: true, count: n)
        return b.finish()
    }

    mutating func bytes(_ n: Int) -> ArrowBuffer {
        let m = MutableBuffer(capacity: n)
        for _ in 0..<n { m.append(UInt8.random(in: 0...255, using: &rng)) }
        return m.finish()
    }

    mutating func utf8Value() -> [UInt8] {
        let pieces = ["a", "b", "z", "Q", "0", " ", "é", "€", "😀", "ß", "\u{0}"]
        let n = rng.int(0...6)
        return Array((0..<n).map { _ in pieces[rng.int(0..<pieces.count)] }.joined().utf8)
    }

    /// A random array of `type` with `length` visible elements.
    mutating func array(_ type: DataType, length: Int, nullable: Bool = true, depth: Int = 0) throws -> ArrayData {
        let pre = rng.chance(0.5) ? rng.int(0...9) : 0
        let post = rng.int(0...3)
        let total = pre + length + post
        let full = try unsliced(type, total: total, nullable: nullable, depth: depth)
        try full.validate()
        let sliced = try full.slice(offset: pre, length: length)
        try sliced.validate()
        return sliced
    }

    mutating func unsliced(_ type: DataType, total: Int, nullable: Bool, depth: Int) throws -> ArrayData {
        let valid = validity(total, nullable: nullable)
        switch type.layout {
        case .null:
            return .nulls(total)
        case .boolean:
            return ArrayData(unchecked: type, length: total, buffers: [valid, bytes(Bitmap.byteCount(forBits: total))])
        case .fixedWidth(let w):
            return ArrayData(unchecked: type, length: total, buffers: [valid, bytes(total * w)])
        case .variableBinary(let ow):
            let offsets = MutableBuffer(), data = MutableBuffer()
            let start = rng.int(0...3)
            data.append(contentsOf: UnsafeRawBufferPointer(start: nil, count: 0))
            for _ in 0..<start { data.append(UInt8(ascii: "x")) }
            func off(_ v: Int) { if ow == 4 { offsets.append(Int32(v)) } else { offsets.append(Int64(v)) } }
            off(data.count)
            for i in 0..<total {
                let isNull = valid.map { !Bitmap.get($0.baseAddress, i) } ?? false
                if !isNull || rng.chance(0.3) {
                    let v = type.isString ? utf8Value() : (0..<rng.int(0...7)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    v.withUnsafeBytes { data.append(contentsOf: $0) }
                }
                off(data.count)
            }
            return ArrayData(unchecked: type, length: total, buffers: [valid, offsets.finish(), data.finish()])
        case .list(let ow):
            let f = type.children[0]
            let offsets = MutableBuffer()
            var cur = rng.int(0...3)
            func off(_ v: Int) { if ow == 4 { offsets.append(Int32(v)) } else { offsets.append(Int64(v)) } }
            off(cur)
            for i in 0..<total {
                let isNull = valid.map { !Bitmap.get($0.baseAddress, i) } ?? false
                if !isNull || rng.chance(0.3) { cur += rng.int(0...(depth > 1 ? 2 : 4)) }
                off(cur)
            }
            let child = try array(f.type, length: cur + rng.int(0...2), nullable: f.nullable, depth: depth + 1)
            return ArrayData(unchecked: type, length: total, buffers: [valid, offsets.finish()], children: [child])
        case .fixedSizeList(let n):
            let f = type.children[0]
            let child = try array(f.type, length: total * n + rng.int(0...2), nullable: f.nullable, depth: depth + 1)
            return ArrayData(unchecked: type, length: total, buffers: [valid], children: [child])
        case .struct:
            var kids: [ArrayData] = []
            for f in type.children {
                kids.append(try array(f.type, length: total + rng.int(0...2), nullable: f.nullable, depth: depth + 1))
            }
            return ArrayData(unchecked: type, length: total, buffers: [valid], children: kids)
        case .dictionary(let iw):
            guard case .dictionary(let it, let vt, _) = type else { fatalError() }
            let dlen = rng.int(1...(iw == 1 ? 20 : 40))
            let dict = try array(vt, length: dlen, depth: depth + 1)
            let m = MutableBuffer()
            for _ in 0..<total {
                let k = rng.int(0..<dlen)
                switch it {
                case .int8, .uint8: m.append(UInt8(k))
                case .int16, .uint16: m.append(UInt16(k))
                case .int32, .uint32: m.append(UInt32(k))
                default: m.append(UInt64(k))
                }
            }
            return ArrayData(unchecked: type, length: total, buffers: [valid, m.finish()], dictionary: dict)
        }
    }
}

/// Every type the property tests run on: every layout, widths 1/2/4/8/16 and odd, both offset
/// widths, nesting of each nested kind in the others.
let allTestTypes: [DataType] = {
    let point = DataType.struct([Field("x", .int32), Field("y", .list(Field("item", .utf8)))])
    let entries = Field("entries", .struct([Field("key", .utf8, nullable: false), Field("value", .int32)]), nullable: false)
    return [
        .null, .boolean,
        .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64,
        .float16, .float32, .float64, .decimal128(precision: 38, scale: 2),
        .fixedSizeBinary(byteWidth: 3), .fixedSizeBinary(byteWidth: 16),
        .date32, .date64, .time32(.millisecond), .time64(.nanosecond), .timestamp(.microsecond, timezone: "UTC"), .duration(.second),
        .utf8, .largeUtf8, .binary, .largeBinary,
        .list(Field("item", .int32)), .largeList(Field("item", .utf8)), .list(Field("item", .null)),
        .list(Field("item", .boolean, nullable: false)),
        .fixedSizeList(Field("item", .int16), listSize: 3), .fixedSizeList(Field("item", .utf8), listSize: 2),
        .fixedSizeList(Field("item", .int8), listSize: 0),
        .struct([Field("a", .int64), Field("b", .utf8, nullable: false), Field("c", .boolean)]),
        .struct([]),
        .map(entries, keysSorted: false),
        .dictionary(index: .int8, value: .utf8, ordered: false),
        .dictionary(index: .int32, value: .float64, ordered: false),
        .dictionary(index: .uint16, value: .list(Field("item", .int8)), ordered: false),
        .list(Field("item", point)),
        .struct([Field("l", .list(Field("item", .int64))), Field("f", .fixedSizeList(Field("item", .boolean), listSize: 2)),
                 Field("d", .dictionary(index: .int16, value: .utf8, ordered: false))]),
        .fixedSizeList(Field("item", point), listSize: 2),
        .largeList(Field("item", .largeList(Field("item", .largeBinary)))),
    ]
}()

/// A name safe for test case display.
struct TypeCase: CustomTestStringConvertible, Sendable {
    let type: DataType
    var testDescription: String { type.description }
}
let allTypeCases = allTestTypes.map(TypeCase.init)

import Testing
