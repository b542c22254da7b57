import Testing
@testable import Arrow

@Suite("validate() rejects malformed data")
struct ValidationTests {
    func rejects(_ a: ArrayData, _ kind: ArrowError.Kind = .invalidData, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try a.validate()
            Issue.record("validate() accepted malformed \(a.type) data", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
        }
    }

    func utf8(_ values: [[UInt8]]) -> ArrayData {
        var offsets: [Int32] = [0]
        var data: [UInt8] = []
        for v in values { data += v; offsets.append(Int32(data.count)) }
        return ArrayData(unchecked: .utf8, length: values.count, buffers: [nil, ArrowBuffer(values: offsets), ArrowBuffer(values: data)])
    }

    @Test func wrongBufferCount() {
        rejects(ArrayData(unchecked: .int32, length: 1, buffers: [nil]))
        rejects(ArrayData(unchecked: .utf8, length: 0, buffers: [nil, .empty]))
        rejects(ArrayData(unchecked: .struct([]), length: 0, buffers: [nil, nil]))
    }

    @Test func shortBuffers() {
        rejects(ArrayData(unchecked: .int64, length: 3, buffers: [nil, ArrowBuffer(values: [Int64(1), 2])]))
        rejects(ArrayData(unchecked: .int64, length: 2, offset: 1, buffers: [nil, ArrowBuffer(values: [Int64(1), 2])]))
        rejects(ArrayData(unchecked: .boolean, length: 9, buffers: [nil, ArrowBuffer(values: [UInt8(1)])]))
        rejects(ArrayData(unchecked: .int8, length: 9, buffers: [ArrowBuffer(values: [UInt8(0xFF)]), ArrowBuffer(values: [Int8](repeating: 0, count: 9))]))
    }

    @Test func offsets() {
        let data = ArrowBuffer(values: Array("abcdef".utf8))
        // Decreasing.
        rejects(ArrayData(unchecked: .utf8, length: 3, buffers: [nil, ArrowBuffer(values: [Int32(0), 4, 2, 6]), data]))
        // Negative first offset.
        rejects(ArrayData(unchecked: .utf8, length: 1, buffers: [nil, ArrowBuffer(values: [Int32(-1), 2]), data]))
        // Past the data buffer.
        rejects(ArrayData(unchecked: .binary, length: 1, buffers: [nil, ArrowBuffer(values: [Int32(0), 7]), data]))
        rejects(ArrayData(unchecked: .largeBinary, length: 1, buffers: [nil, ArrowBuffer(values: [Int64(0), 7]), data]))
        // Offsets buffer too short for offset + length + 1 entries.
        rejects(ArrayData(unchecked: .utf8, length: 2, buffers: [nil, ArrowBuffer(values: [Int32(0), 1]), data]))
    }

    @Test func listOffsetPastChild() {
        let child = ArrayData.from([1, 2, 3] as [Int32])
        rejects(ArrayData(unchecked: .list(Field("item", .int32)), length: 1, buffers: [nil, ArrowBuffer(values: [Int32(0), 4])], children: [child]))
        rejects(ArrayData(unchecked: .list(Field("item", .int32)), length: 2, buffers: [nil, ArrowBuffer(values: [Int32(0), 2, 1])], children: [child]))
        // Fixed-size list child too short.
        rejects(ArrayData(unchecked: .fixedSizeList(Field("item", .int32), listSize: 2), length: 2, buffers: [nil], children: [child]))
        // Child of the wrong type.
        rejects(ArrayData(unchecked: .list(Field("item", .int64)), length: 1, buffers: [nil, ArrowBuffer(values: [Int32(0), 1])], children: [child]))
    }

    @Test func shortStructChild() {
        let a = ArrayData.from([1, 2, 3] as [Int32]), b = ArrayData.from([1, 2] as [Int32])
        let type = DataType.struct([Field("a", .int32), Field("b", .int32)])
        rejects(ArrayData(unchecked: type, length: 3, buffers: [nil], children: [a, b]))
        // The struct's offset counts: offset 1 + length 2 needs 3 child rows.
        rejects(ArrayData(unchecked: type, length: 2, offset: 1, buffers: [nil], children: [a, b]))
        // Wrong number of children.
        rejects(ArrayData(unchecked: type, length: 2, buffers: [nil], children: [a]))
    }

    @Test func invalidUTF8() throws {
        try utf8([Array("fine é €".utf8)]).validate()
        rejects(utf8([[0xC0, 0x80]]), .invalidUTF8)                 // overlong 2-byte NUL
        rejects(utf8([[0xC1, 0xBF]]), .invalidUTF8)                 // overlong 2-byte
        rejects(utf8([[0xE0, 0x80, 0x80]]), .invalidUTF8)           // overlong 3-byte
        rejects(utf8([[0xF0, 0x80, 0x80, 0x80]]), .invalidUTF8)     // overlong 4-byte
        rejects(utf8([[0xED, 0xA0, 0x80]]), .invalidUTF8)           // high surrogate U+D800
        rejects(utf8([[0xED, 0xBF, 0xBF]]), .invalidUTF8)           // low surrogate U+DFFF
        rejects(utf8([[0xF4, 0x90, 0x80, 0x80]]), .invalidUTF8)     // past U+10FFFF
        rejects(utf8([[0xFF]]), .invalidUTF8)
        rejects(utf8([Array("ok".utf8), [0xE2, 0x82]]), .invalidUTF8)  // truncated
        // Each value valid as a whole range, but a value boundary splits a character.
        rejects(utf8([[0xE2, 0x82], [0xAC]]), .invalidUTF8)
        // Valid data under a slice that starts mid-character.
        let euro = utf8([Array("€".utf8)])
        #expect(throws: Never.self) { try euro.validate() }
    }

    @Test func nonNullableChildWithNulls() {
        let child = ArrayData.from([1, nil] as [Int32?])
        rejects(ArrayData(unchecked: .struct([Field("a", .int32, nullable: false)]), length: 2, buffers: [nil], children: [child]))
        rejects(ArrayData(unchecked: .list(Field("item", .int32, nullable: false)), length: 1,
                          buffers: [nil, ArrowBuffer(values: [Int32(0), 2])], children: [child]))
        rejects(ArrayData(unchecked: .fixedSizeList(Field("item", .int32, nullable: false), listSize: 1), length: 2,
                          buffers: [nil], children: [child]))
    }

    @Test func dictionaryIndices() {
        let dict = try! ArrayData.from(["a", "b"])
        let type = DataType.dictionary(index: .int8, value: .utf8, ordered: false)
        rejects(ArrayData(unchecked: type, length: 1, buffers: [nil, ArrowBuffer(values: [Int8(2)])], dictionary: dict))
        rejects(ArrayData(unchecked: type, length: 1, buffers: [nil, ArrowBuffer(values: [Int8(-1)])], dictionary: dict))
        rejects(ArrayData(unchecked: type, length: 1, buffers: [nil, ArrowBuffer(values: [Int8(0)])]))
        rejects(ArrayData(unchecked: .int32, length: 0, buffers: [nil, .empty], dictionary: dict))
        // A null slot may hold any index.
        let ok = ArrayData(unchecked: type, length: 1, buffers: [ArrowBuffer(values: [UInt8(0)]), ArrowBuffer(values: [Int8(100)])], dictionary: dict)
        #expect(throws: Never.self) { try ok.validate() }
    }

    /// `list<list<…<int8>>>` with `depth` list levels (depth + 1 arrays).
    func nested(_ depth: Int) -> ArrayData {
        var a = ArrayData.from([Int8(1)])
        for _ in 0..<depth {
            a = ArrayData(unchecked: .list(Field("item", a.type)), length: 1, buffers: [nil, ArrowBuffer(values: [Int32(0), 1])], children: [a])
        }
        return a
    }

    @Test func nestingDepth() throws {
        try nested(63).validate()           // 64 arrays deep
        rejects(nested(64))                 // 65 arrays deep
        #expect(throws: ArrowError.self) { try nested(64).take([0]) }
        #expect(throws: ArrowError.self) { try ArrayData.concatenate([nested(64), nested(64)]) }
        #expect(!nested(64).logicallyEquals(nested(64)))
    }

    @Test func negativeLengthAndOffset() {
        rejects(ArrayData(unchecked: .int32, length: -1, buffers: [nil, .empty]))
        rejects(ArrayData(unchecked: .int32, length: 0, offset: -1, buffers: [nil, .empty]))
    }
}
