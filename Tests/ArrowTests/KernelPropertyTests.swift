import Testing
@testable import Arrow

/// A stable seed per type, so each parameterized case is reproducible on its own.
func seed(for type: DataType, _ salt: UInt64) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ salt
    for b in type.description.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return h
}

/// An integer array of `type` holding `values` (nil as null), sliced by a random prefix.
func integerArray(_ values: [Int?], type: DataType, _ g: inout ArrayGenerator) throws -> ArrayData {
    let pre = g.rng.int(0...5)
    let b = try makeBuilder(for: type)
    func add(_ v: Int?) {
        switch b {
        case let p as PrimitiveBuilder<Int8>: p.append(v.map { Int8($0) })
        case let p as PrimitiveBuilder<Int16>: p.append(v.map { Int16($0) })
        case let p as PrimitiveBuilder<Int32>: p.append(v.map { Int32($0) })
        case let p as PrimitiveBuilder<Int64>: p.append(v.map { Int64($0) })
        case let p as PrimitiveBuilder<UInt8>: p.append(v.map { UInt8($0) })
        case let p as PrimitiveBuilder<UInt16>: p.append(v.map { UInt16($0) })
        case let p as PrimitiveBuilder<UInt32>: p.append(v.map { UInt32($0) })
        case let p as PrimitiveBuilder<UInt64>: p.append(v.map { UInt64($0) })
        default: fatalError("not an integer builder")
        }
    }
    for _ in 0..<pre { add(g.rng.chance(0.5) ? nil : 99) }
    for v in values { add(v) }
    let full = try b.finish()
    return try full.slice(offset: pre, length: values.count)
}

/// A boolean array holding `values` (nil as null), sliced by a random prefix.
func boolArray(_ values: [Bool?], _ g: inout ArrayGenerator) throws -> ArrayData {
    let pre = g.rng.int(0...9)
    let b = BooleanBuilder()
    for _ in 0..<pre { b.append(g.rng.chance(0.3) ? nil : true) }
    for v in values { b.append(v) }
    if values.allSatisfy({ $0 != nil }) && g.rng.chance(0.5) {
        // Sometimes without a validity buffer at all.
        let plain = BooleanBuilder()
        for _ in 0..<pre { plain.append(true) }
        for v in values { plain.append(v!) }
        return try plain.finish().slice(offset: pre, length: values.count)
    }
    return try b.finish().slice(offset: pre, length: values.count)
}

@Suite("Kernels vs reference implementations")
struct KernelPropertyTests {
    static let trials = 25

    @Test("take matches the reference", arguments: allTypeCases)
    func take(_ c: TypeCase) throws {
        var g = ArrayGenerator(seed: seed(for: c.type, 1))
        for _ in 0..<Self.trials {
            let len = g.rng.int(0...70)
            let a = try g.array(c.type, length: len)
            let ref = try decode(a)
            let count = g.rng.int(0...90)
            let nullRate = g.rng.chance(0.5) ? 0 : 0.2
            let picks: [Int?] = (0..<count).map { _ in
                (len == 0 || g.rng.chance(nullRate)) ? nil : g.rng.int(0..<len)
            }
            let indexTypes: [DataType] = len < 127 ? [.int32, .int64, .int8, .uint16, .uint64] : [.int32, .int64, .uint32]
            let it = indexTypes[g.rng.int(0..<indexTypes.count)]
            let indices = try integerArray(picks, type: it, &g)
            let out = try a.take(indices: indices)
            try out.validate()
            #expect(out.type == a.type)
            #expect(out.length == count)
            let expected = picks.map { $0.map { ref[$0] } ?? .null }
            #expect(try decode(out) == expected)
            if case .dictionary = c.type {
                // Index nulls only (a valid index may point at a null dictionary value).
                #expect(out.nullCount == picks.filter { $0 == nil || !a.isValid($0!) }.count)
            } else {
                #expect(out.nullCount == expected.filter { $0 == .null }.count)
            }

            // The fast paths (no null indices).
            let plain = picks.compactMap { $0 }
            let out32 = try plain.map { Int32($0) }.withUnsafeBufferPointer { try a.take($0) }
            let outInt = try plain.withUnsafeBufferPointer { try a.take($0) }
            try out32.validate()
            try outInt.validate()
            let expectedPlain = plain.map { ref[$0] }
            #expect(try decode(out32) == expectedPlain)
            #expect(try decode(outInt) == expectedPlain)
            #expect(out32.logicallyEquals(outInt))
        }
    }

    @Test("filter matches the reference", arguments: allTypeCases)
    func filter(_ c: TypeCase) throws {
        var g = ArrayGenerator(seed: seed(for: c.type, 2))
        for trial in 0..<Self.trials {
            let len = g.rng.int(0...150)
            let a = try g.array(c.type, length: len)
            let ref = try decode(a)
            // Densities from empty to full, so every word case (0, all ones, mixed) occurs.
            let density = [0.0, 1.0, 0.5, 0.1, 0.9, 0.97][trial % 6]
            let maskNulls = g.rng.chance(0.4) ? 0.15 : 0
            let mask: [Bool?] = (0..<len).map { _ in g.rng.chance(maskNulls) ? nil : g.rng.chance(density) }
            let maskArray = try boolArray(mask, &g)
            let out = try a.filter(mask: maskArray)
            try out.validate()
            #expect(out.type == a.type)
            let expected = zip(ref, mask).filter { $0.1 == true }.map(\.0)
            #expect(out.length == expected.count)
            #expect(try decode(out) == expected)
        }
    }

    @Test("concatenate matches the reference", arguments: allTypeCases)
    func concatenate(_ c: TypeCase) throws {
        var g = ArrayGenerator(seed: seed(for: c.type, 3))
        for _ in 0..<Self.trials {
            let parts = try (0..<g.rng.int(1...5)).map { _ in try g.array(c.type, length: g.rng.int(0...40)) }
            let out = try ArrayData.concatenate(parts)
            try out.validate()
            #expect(out.type == c.type)
            let expected = try parts.flatMap { try decode($0) }
            #expect(out.length == expected.count)
            #expect(try decode(out) == expected)
            #expect(out.nullCount == parts.reduce(0) { $0 + $1.nullCount })
        }
    }

    @Test("logicallyEquals agrees with the decoded values", arguments: allTypeCases)
    func equality(_ c: TypeCase) throws {
        var g = ArrayGenerator(seed: seed(for: c.type, 4))
        for _ in 0..<Self.trials {
            let len = g.rng.int(0...60)
            let a = try g.array(c.type, length: len)
            let ref = try decode(a)
            #expect(a.logicallyEquals(a))
            // The same values in another layout: gathered (offset 0, compacted), concatenated
            // from two slices (offsets rebased), filtered with an all-true mask.
            let copy = try a.take(Array(0..<len))
            #expect(a.logicallyEquals(copy))
            #expect(copy.logicallyEquals(a))
            let cut = len / 2
            let rejoined = try ArrayData.concatenate([try a.slice(offset: 0, length: cut), try a.slice(offset: cut, length: len - cut)])
            #expect(a.logicallyEquals(rejoined))
            // A permutation or another random array: equal exactly when the decoded values are.
            let shuffled = try a.take((0..<len).map { _ in g.rng.int(0..<Swift.max(len, 1)) }.prefix(len).map { $0 })
            #expect(a.logicallyEquals(shuffled) == (ref == (try decode(shuffled))))
            let other = try g.array(c.type, length: len)
            #expect(a.logicallyEquals(other) == (ref == (try decode(other))))
            // Different lengths never compare equal; sub-ranges compare as their values.
            if len > 0 {
                #expect(!a.logicallyEquals(try a.slice(offset: 0, length: len - 1)))
                let s = g.rng.int(0..<len)
                let x = try a.slice(offset: s, length: len - s)
                let y = try copy.slice(offset: s, length: len - s)
                #expect(x.logicallyEquals(y))
            }
        }
    }

    @Test("kernels on a record batch match the per-column kernels")
    func recordBatch() throws {
        var g = ArrayGenerator(seed: 99)
        let fields = [Field("i", .int32, nullable: false), Field("s", .utf8), Field("b", .boolean),
                      Field("l", .list(Field("item", .float64))), Field("d", .dictionary(index: .int8, value: .utf8, ordered: false))]
        for _ in 0..<20 {
            let n = g.rng.int(0...100)
            let cols = try fields.map { try g.array($0.type, length: n, nullable: $0.nullable) }
            let batch = try RecordBatch(schema: Schema(fields, metadata: [("k", "v")]), columns: cols)
            let picks = (0..<g.rng.int(0...120)).map { _ in n == 0 ? 0 : g.rng.int(0..<n) }
            if n > 0 || picks.isEmpty {
                let taken = try batch.take(picks)
                for (c, col) in zip(taken.columns, cols) { #expect(c.logicallyEquals(try col.take(picks))) }
                #expect(taken.schema == batch.schema)
                let idx = try integerArray(picks.map { Optional($0) }, type: .int64, &g)
                #expect(try batch.take(indices: idx) == taken)
            }
            let mask = try boolArray((0..<n).map { _ in g.rng.chance(0.1) ? nil : g.rng.chance(0.5) }, &g)
            let filtered = try batch.filter(mask: mask)
            for (c, col) in zip(filtered.columns, cols) { #expect(c.logicallyEquals(try col.filter(mask: mask))) }
            let cut = n / 3
            let parts = [try batch.slice(offset: 0, length: cut), try batch.slice(offset: cut, length: n - cut)]
            let joined = try RecordBatch.concatenate(parts)
            #expect(joined == batch)
            #expect(joined.length == n)
        }
    }
}

@Suite("Kernels on longer arrays (word-level paths)")
struct LongArrayKernelTests {
    static let types: [TypeCase] = [
        .boolean, .int32, .float64, .utf8, .largeBinary, .fixedSizeBinary(byteWidth: 5),
        .list(Field("item", .int16)), .struct([Field("a", .boolean), Field("b", .utf8)]),
        .dictionary(index: .int16, value: .utf8, ordered: false), .fixedSizeList(Field("item", .boolean), listSize: 3),
    ].map(TypeCase.init)

    @Test("take, filter, concatenate and equality on 256…3000 elements", arguments: types)
    func long(_ c: TypeCase) throws {
        var g = ArrayGenerator(seed: seed(for: c.type, 5))
        for trial in 0..<6 {
            let parts = try (0..<3).map { _ in try g.array(c.type, length: g.rng.int(256...1000)) }
            let joined = try ArrayData.concatenate(parts)
            try joined.validate()
            let ref = try parts.flatMap { try decode($0) }
            #expect(try decode(joined) == ref)
            #expect(joined.logicallyEquals(try ArrayData.concatenate(parts.reversed()).take(
                Array(parts[2].length + parts[1].length..<ref.count) + Array(parts[2].length..<parts[2].length + parts[1].length) + Array(0..<parts[2].length))))
            let density = [0.5, 0.99, 0.02, 1.0, 0.0, 0.8][trial]
            let mask = (0..<ref.count).map { _ in g.rng.chance(density) }
            let filtered = try joined.filter(mask: boolArray(mask.map { $0 }, &g))
            try filtered.validate()
            #expect(try decode(filtered) == zip(ref, mask).filter(\.1).map(\.0))
            let picks = (0..<g.rng.int(0...2000)).map { _ in g.rng.int(0..<ref.count) }
            let taken = try joined.take(picks)
            try taken.validate()
            #expect(try decode(taken) == picks.map { ref[$0] })
        }
    }
}
