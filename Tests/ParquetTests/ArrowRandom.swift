import Arrow

/// Seeded random Arrow data for property tests.
enum ArrowRandom {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 10_000) / 10_000 < p }
    }

    static func bitmap(_ bits: [Bool]) -> ArrowBuffer? {
        guard bits.contains(false) else { return nil }
        var b = BitmapBuilder()
        for x in bits { b.append(x) }
        return b.finish()
    }

    static func random(_ type: DataType, _ n: Int, nullable: Bool, _ rng: inout Rng) throws -> ArrayData {
        let valid = (0..<n).map { _ in !nullable || !rng.chance(0.2) }
        let v = bitmap(valid)
        switch type {
        case .null:
            return .nulls(n)
        case .int8, .int16, .int64, .uint8, .uint16, .uint32, .uint64, .float16, .date32, .time32(.millisecond), .time64, .timestamp(.millisecond, _), .timestamp(.microsecond, _), .timestamp(.nanosecond, _), .duration, .fixedSizeBinary:
            guard case .fixedWidth(let w) = type.layout else { throw ArrowError(.invalidData, "layout") }
            var bytes: [UInt8] = []
            for _ in 0..<(n * w) { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
            if type == .float16 {
                // Finite halves only (exponent < 31), so equality is value equality.
                for i in 0..<n { bytes[i * 2 + 1] &= 0b1011_1011 }
            }
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: bytes)])
        case .timestamp(.second, _):
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: (0..<n).map { _ in Int64(bitPattern: rng.next()) / 1_000_000 })])
        case .time32(.second):
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: (0..<n).map { _ in Int32(rng.int(86_400)) })])
        case .date64:
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: (0..<n).map { _ in Int64(rng.int(40_000) - 20_000) * 86_400_000 })])
        case .float32:
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: (0..<n).map { _ in Float(rng.int(1000)) / 4 - 100 })])
        case .decimal128(let p, _):
            var limit: Int64 = 1
            for _ in 0..<Swift.min(p, 18) { limit *= 10 }
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: (0..<n).map { _ in
                Decimal128(Int64(bitPattern: rng.next() % UInt64(limit)) * (rng.chance(0.5) ? -1 : 1)) })])
        case .binary, .largeUtf8, .largeBinary:
            var bytes: [UInt8] = []
            var o32: [Int32] = [0], o64: [Int64] = [0]
            for _ in 0..<n {
                bytes += Array("v\(rng.int(1000))é".utf8).prefix(rng.int(6))
                while let last = bytes.last, last >= 0x80, last < 0xC0 || last >= 0xC0 { bytes.removeLast(); if bytes.last.map({ $0 < 0x80 }) ?? true { break } }
                o32.append(Int32(bytes.count)); o64.append(Int64(bytes.count))
            }
            let offsets = type == .binary ? ArrowBuffer(values: o32) : ArrowBuffer(values: o64)
            return ArrayData(unchecked: type, length: n, buffers: [v, offsets, ArrowBuffer(values: bytes)])
        case .int32:
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: (0..<n).map { _ in Int32(truncatingIfNeeded: rng.next()) })])
        case .float64:
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: (0..<n).map { _ in Double(rng.int(1000)) / 8 })])
        case .boolean:
            var b = BitmapBuilder()
            for _ in 0..<n { b.append(rng.chance(0.5)) }
            return ArrayData(unchecked: type, length: n, buffers: [v, b.finish()])
        case .utf8:
            var offsets: [Int32] = [0]
            var bytes: [UInt8] = []
            for _ in 0..<n {
                bytes += Array("s\(rng.int(100))".utf8).prefix(rng.int(4))
                offsets.append(Int32(bytes.count))
            }
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: offsets), ArrowBuffer(values: bytes)])
        case .struct(let fields):
            let kids = try fields.map { try random($0.type, n, nullable: $0.nullable, &rng) }
            return ArrayData(unchecked: type, length: n, buffers: [v], children: kids)
        case .list(let item), .map(let item, _):
            var offsets: [Int32] = [0]
            for i in 0..<n { offsets.append(offsets.last! + Int32(valid[i] ? rng.int(4) : 0)) }
            let child = try random(item.type, Int(offsets.last!), nullable: item.nullable, &rng)
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: offsets)], children: [child])
        case .largeList(let item):
            var offsets: [Int64] = [0]
            for i in 0..<n { offsets.append(offsets.last! + Int64(valid[i] ? rng.int(4) : 0)) }
            let child = try random(item.type, Int(offsets.last!), nullable: item.nullable, &rng)
            return ArrayData(unchecked: type, length: n, buffers: [v, ArrowBuffer(values: offsets)], children: [child])
        case .fixedSizeList(let item, let size):
            let child = try random(item.type, n * size, nullable: item.nullable, &rng)
            return ArrayData(unchecked: type, length: n, buffers: [v], children: [child])
        default:
            throw ArrowError(.unsupportedType, "test generator: \(type)")
        }
    }

}
