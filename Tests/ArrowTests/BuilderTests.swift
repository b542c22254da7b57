import Testing
@testable import Arrow

@Suite("Builders")
struct BuilderTests {
    /// Every buffer of `a` (recursively) is 64-byte aligned and padded.
    func checkAligned(_ a: ArrayData) {
        for b in a.buffers.compactMap({ $0 }) where b.isOwned && b.count > 0 {
            #expect(Int(bitPattern: b.baseAddress) % 64 == 0)
        }
        a.children.forEach(checkAligned)
        if let d = a.dictionary { checkAligned(d) }
    }

    @Test("makeBuilder builds valid arrays of every type", arguments: allTypeCases)
    func everyType(_ c: TypeCase) throws {
        let b = try makeBuilder(for: c.type)
        #expect(b.type == c.type)
        b.appendEmptyValue()
        b.appendNull()
        b.appendNulls(3)
        b.appendEmptyValues(2)
        b.reserve(10)
        #expect(b.length == 7)
        let a = try b.finish()
        try a.validate()
        #expect(a.type == c.type)
        #expect(a.length == 7)
        if case .null = c.type {
            #expect(a.nullCount == 7)
        } else {
            #expect(a.nullCount == 4)
            #expect(a.isNull(1) && a.isNull(4) && a.isValid(0) && a.isValid(5) && a.isValid(6))
        }
        checkAligned(a)
        // The builder is reusable, and an array without nulls has no validity buffer.
        #expect(b.length == 0)
        b.appendEmptyValues(3)
        let again = try b.finish()
        try again.validate()
        #expect(again.length == 3)
        if c.type != .null {
            #expect(again.validity == nil)
            #expect(again.nullCount == 0)
        }
    }

    @Test func primitive() throws {
        let b = PrimitiveBuilder<Int64>()
        b.append(1)
        b.append(nil)
        b.append(contentsOf: [2, 3, 4] as [Int64])
        b.append(contentsOf: [5, nil] as [Int64?])
        let a = try b.finish()
        try a.validate()
        #expect(a.type == .int64)
        #expect(a.nullCount == 2)
        #expect(try Int64Array(a).toArray() == [1, nil, 2, 3, 4, 5, nil])

        let ts = try PrimitiveBuilder<Int64>(type: .timestamp(.millisecond, timezone: "UTC"))
        ts.append(1_700_000_000_000)
        let t = try ts.finish()
        #expect(t.type == .timestamp(.millisecond, timezone: "UTC"))
        #expect(t.validity == nil)
        #expect(throws: ArrowError.self) { try PrimitiveBuilder<Int32>(type: .int64) }
        #expect(throws: ArrowError.self) { try PrimitiveBuilder<Int32>(type: .utf8) }

        let half = try PrimitiveBuilder<UInt16>(type: .float16)
        half.append(0x3C00)   // 1.0
        #expect(try Float16BitsArray(try half.finish())[0] == 0x3C00)

        let dec = try PrimitiveBuilder<Decimal128>(type: .decimal128(precision: 10, scale: 2))
        dec.append(Decimal128(-12345))
        let d = try dec.finish()
        try d.validate()
        #expect(try Decimal128Array(d)[0] == Decimal128(-12345))
    }

    @Test func boolean() throws {
        let b = BooleanBuilder()
        for i in 0..<200 { b.append(i % 3 == 0 ? nil : i % 2 == 0) }
        let a = try b.finish()
        try a.validate()
        #expect(a.length == 200)
        #expect(a.nullCount == 67)
        let v = try BooleanArray(a)
        for i in 0..<200 { #expect(v[i] == (i % 3 == 0 ? nil : i % 2 == 0)) }
        #expect(v.trueCount == (0..<200).filter { $0 % 3 != 0 && $0 % 2 == 0 }.count)
    }

    @Test func strings() throws {
        let b = StringBuilder()
        b.append("héllo")
        b.append(nil)
        b.append("")
        b.append("😀 €")
        let a = try b.finish()
        try a.validate()
        #expect(a.type == .utf8)
        #expect(try StringArray(a).toArray() == ["héllo", nil, "", "😀 €"])

        let large = LargeStringBuilder()
        large.append(contentsOf: ["a", "bc"] as [String])
        let l = try large.finish()
        #expect(l.type == .largeUtf8)
        #expect(try LargeStringArray(l).toArray() == ["a", "bc"])

        // Raw bytes are checked for UTF-8 at finish.
        let bad = StringBuilder()
        [0xC0, 0x80].withUnsafeBytes { bad.append(utf8: $0) }   // overlong NUL
        #expect(throws: ArrowError.self) { try bad.finish() }
        let good = StringBuilder()
        Array("ok".utf8).withUnsafeBytes { good.append(utf8: $0) }
        #expect(try StringArray(try good.finish())[0] == "ok")
    }

    @Test func binary() throws {
        let b = BinaryBuilder()
        b.append([0, 255, 7] as [UInt8])
        b.append(nil)
        b.append("text")
        let a = try b.finish()
        try a.validate()
        #expect(a.type == .binary)
        #expect(try BinaryArray(a).toArray() == [[0, 255, 7], nil, Array("text".utf8)])
        let asUTF8 = try GenericBinaryBuilder<Int32>(type: .utf8)
        [0xED, 0xA0, 0x80].withUnsafeBytes { asUTF8.append(bytes: $0) }   // a surrogate
        #expect(throws: ArrowError.self) { try asUTF8.finish() }
        #expect(throws: ArrowError.self) { try GenericBinaryBuilder<Int32>(type: .largeBinary) }
        #expect(try LargeBinaryBuilder().finish().type == .largeBinary)
    }

    @Test func fixedSizeBinary() throws {
        let b = try FixedSizeBinaryBuilder(byteWidth: 3)
        try b.append([1, 2, 3])
        b.appendNull()
        #expect(throws: ArrowError.self) { try b.append([1, 2]) }
        let a = try b.finish()
        try a.validate()
        #expect(try FixedSizeBinaryArray(a).toArray() == [[1, 2, 3], nil])
        #expect(throws: ArrowError.self) { try FixedSizeBinaryBuilder(byteWidth: 0) }
    }

    @Test func list() throws {
        let b = ListBuilder(values: PrimitiveBuilder<Int64>())
        let v = b.values(as: PrimitiveBuilder<Int64>.self)!
        v.append(1); v.append(2); b.append()
        b.appendNull()
        b.append()
        v.append(3); b.append()
        let a = try b.finish()
        try a.validate()
        let view = try ListArray(a)
        #expect(view.length == 4)
        #expect(try view[0].map { try Int64Array($0).toArray() } == [1, 2])
        #expect(view[1] == nil)
        #expect(view.valueRange(at: 2) == 2..<2)
        #expect(try view[3].map { try Int64Array($0).toArray() } == [3])

        let large = LargeListBuilder(values: StringBuilder())
        large.values(as: StringBuilder.self)!.append("x")
        large.append()
        let l = try large.finish()
        try l.validate()
        #expect(l.type == .largeList(Field("item", .utf8)))

        let strict = ListBuilder(values: PrimitiveBuilder<Int8>(), nullable: false)
        strict.values(as: PrimitiveBuilder<Int8>.self)!.appendNull()
        strict.append()
        #expect(throws: ArrowError.self) { try strict.finish() }
    }

    @Test func map() throws {
        let b = try MapBuilder.map(key: .utf8, value: .int32)
        let keys = b.keys as! StringBuilder
        let items = b.items as! PrimitiveBuilder<Int32>
        keys.append("a"); items.append(1)
        keys.append("b"); items.append(nil)
        b.append()
        b.appendNull()
        b.append()
        let a = try b.finish()
        try a.validate()
        let m = try MapArray(a)
        #expect(m.length == 3)
        let first = try #require(m[0])
        #expect(try StringArray(first.keys).toArray() == ["a", "b"])
        #expect(try Int32Array(first.values).toArray() == [1, nil])
        #expect(m[1] == nil)
        #expect(m.valueRange(at: 2) == 2..<2)
    }

    @Test func fixedSizeList() throws {
        let b = try FixedSizeListBuilder(values: PrimitiveBuilder<Int16>(), listSize: 2)
        let v = b.values(as: PrimitiveBuilder<Int16>.self)!
        v.append(1); v.append(2); b.append()
        b.appendNull()
        let a = try b.finish()
        try a.validate()
        let view = try FixedSizeListArray(a)
        #expect(try view[0].map { try Int16Array($0).toArray() } == [1, 2])
        #expect(view[1] == nil)
        v.append(1); b.append()   // one value short
        #expect(throws: ArrowError.self) { try b.finish() }
    }

    @Test func structs() throws {
        let b = try StructBuilder(fields: [Field("id", .int32, nullable: false), Field("name", .utf8)])
        let id = b.child(0, as: PrimitiveBuilder<Int32>.self)!
        let name = b.child(named: "name", as: StringBuilder.self)!
        id.append(7); name.append("seven"); b.append()
        b.appendNull()
        id.append(9); name.append(nil); b.append()
        let a = try b.finish()
        try a.validate()
        let s = try StructArray(a)
        #expect(s.isValid(0) && !s.isValid(1) && s.isValid(2))
        #expect(try Int32Array(s.child(named: "id")!).toArray() == [7, 0, 9])
        #expect(try StringArray(s.children[1]).toArray() == ["seven", "", nil])

        id.append(1); b.append()   // "name" was not appended to
        #expect(throws: ArrowError.self) { try b.finish() }

        id.appendNull(); name.append("x"); b.append()   // null in a non-nullable field
        #expect(throws: ArrowError.self) { try b.finish() }
        #expect(throws: ArrowError.self) { try StructBuilder(fields: [Field("a", .int8)], children: [PrimitiveBuilder<Int16>()]) }
    }

    @Test func dictionary() throws {
        let type = DataType.dictionary(index: .int8, value: .utf8, ordered: false)
        let b = try DictionaryBuilder(type: type)
        for s in ["a", "b", "a", "c", "b"] { try b.append(s) }
        b.appendNull()
        #expect(b.dictionaryLength == 3)
        let a = try b.finish()
        try a.validate()
        #expect(try decode(a) == ["a", "b", "a", "c", "b"].map { V.bytes(Array($0.utf8)) } + [.null])
        #expect(a.dictionary?.length == 3)
        let keys = try DictionaryArray<Int8>(a)
        #expect(keys.key(at: 2) == 0 && keys.key(at: 3) == 2 && keys.key(at: 5) == nil && keys.key(at: 99) == nil)

        // A given dictionary is reused as is; missing values are appended after it.
        let given = try ArrayData.from(["x", "y"] as [String])
        let g = try DictionaryBuilder(type: type, dictionary: given)
        try g.append("y")
        try g.appendIndex(0)
        #expect(throws: ArrowError.self) { try g.appendIndex(2) }
        let same = try g.finish()
        #expect(same.dictionary?.storage === given.storage)
        try g.append("z")
        let grown = try g.finish()
        try grown.validate()
        #expect(try StringArray(grown.dictionary!).toArray() == ["x", "y", "z"])

        // Fixed-width values, and the index type's capacity.
        let f = try DictionaryBuilder(type: .dictionary(index: .int8, value: .float64, ordered: false))
        for i in 0..<129 { try f.append(Double(i)) }
        #expect(throws: ArrowError.self) { try f.finish() }
        for i in 0..<128 { try f.append(Double(i % 5)) }
        let ok = try f.finish()
        try ok.validate()
        #expect(ok.dictionary?.length == 5)
        #expect(throws: ArrowError.self) { try f.append("not a double") }
        #expect(throws: ArrowError.self) { try f.append(Int32(1)) }

        // Nested values: by index only.
        let nested = try DictionaryBuilder(type: .dictionary(index: .int16, value: .list(Field("item", .int8)), ordered: false))
        #expect(throws: ArrowError.self) { try nested.append("x") }
        #expect(throws: ArrowError.self) { try nested.appendIndex(0) }
    }

    @Test func convenienceConstructors() throws {
        let ints = ArrayData.from([1, nil, 3] as [Int64?])
        try ints.validate()
        #expect(ints.type == .int64 && ints.nullCount == 1)
        let doubles = ArrayData.from([1.5, 2.5])
        #expect(doubles.type == .float64 && doubles.validity == nil)
        let strings = try ArrayData.from(["a", nil, "c"])
        #expect(strings.type == .utf8 && strings.nullCount == 1)
        #expect(try ArrayData.from(["a"], large: true).type == .largeUtf8)
        #expect(ArrayData.from([true, false]).type == .boolean)
        #expect(ArrayData.from([true, nil]).nullCount == 1)
        #expect(try ArrayData.from([1, 2] as [Int32?], type: .date32).type == .date32)
        #expect(throws: ArrowError.self) { try ArrayData.from([1] as [Int32?], type: .int64) }
        #expect(try ArrayData.from(binary: [[1], nil]).type == .binary)
        let all = try ArrayData.allNull(.list(Field("item", .utf8)), length: 5)
        try all.validate()
        #expect(all.nullCount == 5)
    }
}
