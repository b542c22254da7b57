import Arrow
@testable import Parquet
import Testing

/// Dremel shredding then assembly restores every nested shape (issue 3: nested data, nulls and
/// empty lists at every level).
@Suite struct LevelRoundTripTests {
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
        var rng = ArrowRandom.Rng(state: UInt64(shape) &* 7919)
        for n in [0, 1, 7, 200] {
            let column = try ArrowRandom.random(field.type, n, nullable: field.nullable, &rng)
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
                             buffers: [ArrowRandom.bitmap([true, false, true, true]), ArrowBuffer(values: [Int32(0), 2, 2, 2, 3])], children: [child])
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
