import Testing
@testable import Arrow

@Suite("Typed views")
struct AccessorTests {
    @Test func primitive() throws {
        let full = ArrayData.from([10, nil, 30, 40, nil, 60] as [Int32?])
        let a = try full.slice(offset: 2, length: 3)   // [30, 40, nil]
        let v = try Int32Array(a)
        #expect(v.length == 3)
        #expect(v[0] == 30 && v[1] == 40 && v[2] == nil)
        #expect(v[-1] == nil && v[3] == nil && v[Int.min] == nil)
        #expect(v.value(at: 1) == 40)
        #expect(v.value(at: 3) == 0 && v.value(at: -5) == 0)
        #expect(!v.isValid(2) && !v.isValid(3))
        #expect(v.withUnsafeValues { Array($0.prefix(2)) } == [30, 40])
        #expect(Array(v) == [30, 40, nil])
        #expect(v.underestimatedCount == 3)
        #expect(throws: ArrowError.self) { try Int64Array(a) }
        #expect(throws: ArrowError.self) { try Int32Array(try ArrayData.from(["x"])) }
        // Any fixed-width type of the same width can be viewed.
        let ts = try ArrayData.from([5] as [Int64?], type: .timestamp(.second, timezone: nil))
        #expect(try Int64Array(ts)[0] == 5)
        #expect(try Float64Array(ArrayData.from([1.25]))[0] == 1.25)
        #expect(try Float32Array(ArrayData.from([Float(2)]))[0] == 2)
        // A values buffer too short for the length is refused.
        let short = ArrayData(unchecked: .int32, length: 10, buffers: [nil, ArrowBuffer(values: [Int32(1)])])
        #expect(throws: ArrowError.self) { try Int32Array(short) }
    }

    @Test func boolean() throws {
        let a = try ArrayData.from([true, nil, false, true]).slice(offset: 1, length: 3)
        let v = try BooleanArray(a)
        #expect(Array(v) == [nil, false, true])
        #expect(v[5] == nil)
        #expect(v.value(at: 2) && !v.value(at: 9))
        #expect(v.trueCount == 1)
    }

    @Test func strings() throws {
        let a = try ArrayData.from(["zero", "héllo", nil, "", "😀"]).slice(offset: 1, length: 4)
        let v = try StringArray(a)
        #expect(Array(v) == ["héllo", nil, "", "😀"])
        #expect(v[4] == nil && v[-1] == nil)
        #expect(v.value(at: 0) == "héllo" && v.value(at: 99) == "")
        #expect(v.valueLength(at: 0) == 6)
        #expect(v.withUnsafeBytes(at: 3) { Array($0) } == Array("😀".utf8))
        #expect(v.unsafeBytes(at: 1) == nil)
        #expect(v.unsafeBytes(at: 2)?.count == 0)
        #expect(throws: ArrowError.self) { try LargeStringArray(a) }
        #expect(throws: ArrowError.self) { try StringArray(ArrayData.from(binary: [[1]])) }
        // Binary views read strings too.
        #expect(try BinaryArray(a)[0] == Array("héllo".utf8))
        let large = try LargeStringArray(ArrayData.from(["a", nil], large: true))
        #expect(Array(large) == ["a", nil])
    }

    @Test func fixedSizeBinary() throws {
        let b = try FixedSizeBinaryBuilder(byteWidth: 2)
        try b.append([1, 2]); b.appendNull(); try b.append([3, 4])
        let a = try b.finish().slice(offset: 1, length: 2)
        let v = try FixedSizeBinaryArray(a)
        #expect(Array(v) == [nil, [3, 4]])
        #expect(v.withUnsafeBytes(at: 1) { Array($0) } == [3, 4])
        #expect(v[2] == nil)
    }

    @Test func nestedSlicedChildren() throws {
        // A list whose child is itself sliced, and whose first offset is not 0.
        let child = try ArrayData.from([99, 1, 2, 3, 4, 5] as [Int64?]).slice(offset: 1, length: 5)   // [1..5]
        let offsets = ArrowBuffer(values: [Int32(1), 3, 3, 5])
        let validity = ArrowBuffer(values: [UInt8(0b101)])
        let list = try ArrayData(type: .list(Field("item", .int64)), length: 3, buffers: [validity, offsets], children: [child])
        let v = try ListArray(list)
        #expect(try v[0].map { try Int64Array($0).toArray() } == [2, 3])
        #expect(v[1] == nil)
        #expect(try v[2].map { try Int64Array($0).toArray() } == [4, 5])
        #expect(v.withUnsafeOffsets { Array($0) } == [1, 3, 3, 5])
        let tail = try ListArray(list.slice(offset: 2, length: 1))
        #expect(try tail[0].map { try Int64Array($0).toArray() } == [4, 5])

        // A struct sliced at the top: children come back aligned to its rows.
        let s = try StructBuilder(fields: [Field("a", .int8), Field("b", .utf8)])
        for i in 0..<5 {
            s.child(0, as: PrimitiveBuilder<Int8>.self)!.append(Int8(i))
            s.child(1, as: StringBuilder.self)!.append("s\(i)")
            s.append(i != 3)
        }
        let sv = try StructArray(s.finish().slice(offset: 2, length: 3))
        #expect(try Int8Array(sv.child(at: 0)!).toArray() == [2, 3, 4])
        #expect(try StringArray(sv.child(named: "b")!).toArray() == ["s2", "s3", "s4"])
        #expect(sv.isValid(0) && !sv.isValid(1) && !sv.isValid(7))
        #expect(sv.child(at: 5) == nil && sv.child(named: "zz") == nil)

        // Fixed-size list sliced at the top.
        let fb = try FixedSizeListBuilder(values: PrimitiveBuilder<Int32>(), listSize: 2)
        for i in 0..<4 {
            fb.values(as: PrimitiveBuilder<Int32>.self)!.append(contentsOf: [Int32(i), Int32(i * 10)])
            fb.append()
        }
        let fv = try FixedSizeListArray(fb.finish().slice(offset: 1, length: 3))
        #expect(try fv[1].map { try Int32Array($0).toArray() } == [2, 20])
        #expect(fv.valueRange(at: 0) == 2..<4)
    }

    @Test func dictionaryAndNull() throws {
        let b = try DictionaryBuilder(type: .dictionary(index: .int16, value: .utf8, ordered: false))
        for s in ["x", "y", "x"] { try b.append(s) }
        let d = try b.finish().slice(offset: 1, length: 2)
        let v = try DictionaryArray<Int16>(d)
        #expect(v.length == 2 && v.key(at: 0) == 1 && v.key(at: 1) == 0)
        #expect(try StringArray(v.dictionary)[v.key(at: 0)!] == "y")
        #expect(throws: ArrowError.self) { try DictionaryArray<Int8>(d) }
        #expect(throws: ArrowError.self) { try DictionaryArray<UInt16>(d) }

        let n = try NullArray(.nulls(3))
        #expect(n.length == 3 && n[0] == nil && Array(n).count == 3)
        #expect(throws: ArrowError.self) { try NullArray(ArrayData.from([1.0])) }
    }

    /// Field lookup by name compares bytes exactly: small (inline) and long strings, non-ASCII,
    /// and canonically equivalent but differently encoded names (é precomposed vs e + U+0301).
    @Test func fieldLookupComparesBytesExactly() {
        let long = String(repeating: "velocity__", count: 4)
        let schema = Schema([
            Field("is_active", .boolean), Field(long, .float64), Field("caf\u{E9}", .int32), Field("", .int8),
        ])
        #expect(schema.index(of: "is_active") == 0)
        #expect(schema.index(of: String(repeating: "velocity__", count: 4)) == 1)
        #expect(schema.index(of: "caf\u{E9}") == 2)
        #expect(schema.index(of: "cafe\u{301}") == nil, "canonically equal, different bytes")
        #expect(schema.index(of: "") == 3)
        #expect(schema.index(of: "is_activ") == nil)
        #expect(schema.index(of: long + "x") == nil)
    }
}
