import Arrow
@testable import Parquet
import Testing

/// Dremel shredding then assembly restores every nested shape (issue 3: nested data, nulls and
/// empty lists at every level).
@Suite struct LevelRoundTripTests {
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

    /// Shreds then assembles; decoded leaves hold only the selected (non-null) values, densely.
    static func roundTrip(_ field: Field, _ column: ArrayData) throws -> ArrayData {
        var first = 0
        let node = try LevelNode.build(field, firstLeaf: &first)
        let shredded = try LevelShredder.shred(node, column: column)
        let decoded = try shredded.map { leaf -> DecodedLeaf in
            let dense: ArrayData
            switch leaf.selection {
            case .positions(let p): dense = try leaf.values.take(p)
            case .nonNull(let r):
                let sliced = try leaf.values.slice(offset: r.lowerBound, length: r.count)
                let keep = (0..<sliced.length).filter { sliced.isValid($0) }
                dense = keep.count == sliced.length ? sliced : try sliced.take(keep)
            }
            #expect(dense.length == leaf.valueCount)
            return DecodedLeaf(def: leaf.def, rep: leaf.rep, levelCount: leaf.levelCount, values: dense)
        }
        return try RecordAssembler.assemble(node, leaves: decoded, rows: column.length)
    }

    static let item = Field("item", .int32)
    static let shapes: [Field] = [
        Field("a", .int32, nullable: false),
        Field("a", .int32),
        Field("s", .utf8),
        Field("b", .boolean),
        Field("st", .struct([Field("x", .int32), Field("y", .utf8, nullable: false)])),
        Field("st", .struct([Field("x", .int32)]), nullable: false),
        Field("l", .list(item)),
        Field("l", .list(Field("item", .int32, nullable: false)), nullable: false),
        Field("ll", .largeList(Field("item", .utf8))),
        Field("lol", .list(Field("inner", .list(item)))),
        Field("los", .list(Field("e", .struct([Field("p", .float64), Field("q", .list(item))])))),
        Field("sol", .struct([Field("tags", .list(Field("item", .utf8))), Field("z", .int32)])),
        Field("fsl", .fixedSizeList(Field("item", .float64), listSize: 3)),
        Field("fsl2", .fixedSizeList(Field("item", .int32, nullable: false), listSize: 2), nullable: false),
        Field("m", .map(Field("entries", .struct([Field("key", .utf8, nullable: false), Field("value", .int32)]), nullable: false), keysSorted: false)),
        Field("deep", .struct([Field("s2", .struct([Field("l", .list(Field("s3", .struct([Field("v", .int32)]))))]))])),
    ]

    @Test(arguments: 0..<shapes.count)
    func shreddingThenAssemblyRestoresTheColumn(shape: Int) throws {
        let field = Self.shapes[shape]
        var rng = Rng(state: UInt64(shape) &* 7919)
        for n in [0, 1, 7, 200] {
            let column = try Self.random(field.type, n, nullable: field.nullable, &rng)
            try column.validate()
            let back = try Self.roundTrip(field, column)
            #expect(back.logicallyEquals(column), "\(field) n=\(n)")
            // Sliced input (offset != 0 at the top; children keep their own layout).
            if n > 3 {
                let sliced = try column.slice(offset: 2, length: n - 3)
                let again = try Self.roundTrip(field, sliced)
                #expect(again.logicallyEquals(sliced), "\(field) sliced")
            }
        }
    }

    @Test func levelsOfAListColumnFollowTheDremelExample() throws {
        // [[1, 2], null, [], [3]] with nullable list and nullable items.
        let child = ArrayData(unchecked: .int32, length: 3, buffers: [nil, ArrowBuffer(values: [Int32(1), 2, 3])])
        let list = ArrayData(unchecked: .list(Self.item), length: 4,
                             buffers: [Self.bitmap([true, false, true, true]), ArrowBuffer(values: [Int32(0), 2, 2, 2, 3])], children: [child])
        var first = 0
        let node = try LevelNode.build(Field("l", list.type), firstLeaf: &first)
        let leaf = try LevelShredder.shred(node, column: list)[0]
        #expect(leaf.def == [3, 3, 0, 1, 3])
        #expect(leaf.rep == [0, 1, 0, 0, 0])
        #expect(leaf.valueCount == 3)
    }

    @Test func assemblyRejectsInconsistentLevels() throws {
        var first = 0
        let node = try LevelNode.build(Field("a", .int32), firstLeaf: &first)
        let values = ArrayData(unchecked: .int32, length: 1, buffers: [nil, ArrowBuffer(values: [Int32(5)])])
        // Levels say two values, one is given.
        let leaf = DecodedLeaf(def: [1, 1, 0], rep: [], levelCount: 3, values: values)
        #expect(throws: ParquetError.self) { try RecordAssembler.assemble(node, leaves: [leaf], rows: 3) }
        // Row count mismatch.
        let ok = DecodedLeaf(def: [1, 0], rep: [], levelCount: 2, values: values)
        #expect(throws: ParquetError.self) { try RecordAssembler.assemble(node, leaves: [ok], rows: 5) }
    }
}
