// The Thrift compact protocol reader on hand-made byte sequences.

import Parquet
import Testing

@Suite struct ThriftCompactReaderTests {
    // MARK: Integers

    @Test func varints() throws {
        #expect(try withReader([0x00]) { r throws(ParquetError) in try r.readVarint() } == 0)
        #expect(try withReader([0x7F]) { r throws(ParquetError) in try r.readVarint() } == 127)
        #expect(try withReader([0x80, 0x01]) { r throws(ParquetError) in try r.readVarint() } == 128)
        // The example of the compact protocol spec.
        #expect(try withReader([0xDF, 0x89, 0x03]) { r throws(ParquetError) in try r.readVarint() } == 50399)
        // Non-canonical (padded) encodings are accepted.
        #expect(try withReader([0x81, 0x80, 0x00]) { r throws(ParquetError) in try r.readVarint() } == 1)
        let max: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x01]
        #expect(try withReader(max) { r throws(ParquetError) in try r.readVarint() } == UInt64.max)
    }

    @Test func varintsLongerThanTenBytesOrAbove64BitsAreCorrupt() {
        let eleven: [UInt8] = Array(repeating: 0x80, count: 10) + [0x00]
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(eleven) { r throws(ParquetError) in try r.readVarint() } }))
        let above: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x02]
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(above) { r throws(ParquetError) in try r.readVarint() } }))
        let truncated: [UInt8] = [0xFF, 0xFF]
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(truncated) { r throws(ParquetError) in try r.readVarint() } }))
        #expect(isCorruptWithOffset(thrownError { _ = try withReader([]) { r throws(ParquetError) in try r.readByte() } }))
    }

    @Test func zigzagIntegers() throws {
        // 0, -1, 1, -2, 2 as in the spec.
        for (byte, value) in [(0, 0), (1, -1), (2, 1), (3, -2), (4, 2)] as [(UInt8, Int32)] {
            #expect(try withReader([byte]) { r throws(ParquetError) in try r.readI32() } == value)
            #expect(try withReader([byte]) { r throws(ParquetError) in try r.readI64() } == Int64(value))
        }
        let values32: [Int32] = [0, 1, -1, 63, -64, 64, 1000, -1000, .max, .min]
        for v in values32 {
            let bytes = written { $0.writeI32(v) }
            #expect(bytes.count <= 5)
            #expect(try withReader(bytes) { r throws(ParquetError) in try r.readI32() } == v)
        }
        let values64: [Int64] = [0, 1, -1, .max, .min, 1 << 40, -(1 << 40)]
        for v in values64 {
            let bytes = written { $0.writeI64(v) }
            #expect(bytes.count <= 10)
            #expect(try withReader(bytes) { r throws(ParquetError) in try r.readI64() } == v)
        }
    }

    @Test func outOfRangeNarrowIntegersAreCorrupt() throws {
        let big = written { $0.writeI64(Int64(Int32.max) + 1) }
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(big) { r throws(ParquetError) in try r.readI32() } }))
        let i16 = written { $0.writeI32(40000) }
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(i16) { r throws(ParquetError) in try r.readI16() } }))
        #expect(try withReader(written { $0.writeI16(-32768) }) { r throws(ParquetError) in try r.readI16() } == -32768)
    }

    @Test func doublesAreLittleEndian() throws {
        let bytes: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F]
        #expect(try withReader(bytes) { r throws(ParquetError) in try r.readDouble() } == 1.0)
        for v in [0.0, -0.0, .pi, -1e300, .infinity, .leastNonzeroMagnitude] {
            let b = written { $0.writeDouble(v) }
            #expect(try withReader(b) { r throws(ParquetError) in try r.readDouble() }.bitPattern == v.bitPattern)
        }
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(Array(bytes.prefix(7))) { r throws(ParquetError) in try r.readDouble() } }))
    }

    @Test func binaryAndStrings() throws {
        #expect(try withReader([0x03, 0x61, 0x62, 0x63]) { r throws(ParquetError) in try r.readString() } == "abc")
        #expect(try withReader([0x00]) { r throws(ParquetError) in try r.readBinary() } == [])
        #expect(try withReader([0x02, 0xFF, 0x00]) { r throws(ParquetError) in try r.readBinary() } == [0xFF, 0x00])
        // Invalid UTF-8 is repaired, not an error.
        #expect(try withReader([0x01, 0xFF]) { r throws(ParquetError) in try r.readString() } == "\u{FFFD}")
        // A length past the end is corrupt.
        #expect(isCorruptWithOffset(thrownError { _ = try withReader([0x05, 0x61]) { r throws(ParquetError) in try r.readBinary() } }))
        let huge = written { $0.writeVarint(UInt64(Int64.max)) } + [0x61]
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(huge) { r throws(ParquetError) in try r.readString() } }))
        let uuid: [UInt8] = Array(0..<16)
        #expect(try withReader(uuid) { r throws(ParquetError) in try r.readUUID() } == uuid)
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(Array(uuid.prefix(15))) { r throws(ParquetError) in try r.readUUID() } }))
    }

    // MARK: Field headers

    @Test func fieldHeadersShortLongAndNegativeDeltas() throws {
        // struct { 1: i32 = 7, 20: i64 = -1 (long form), 3: binary "x" (long form, id goes down),
        //          4: bool true (delta 1), 5: bool false (delta 1) }
        let bytes: [UInt8] = [
            0x15, 0x0E,              // field 1 (delta 1), i32, zigzag 14 = 7
            0x06, 0x28, 0x01,        // long form: i64, id zigzag 40 = 20, value zigzag 1 = -1
            0x08, 0x06, 0x01, 0x78,  // long form: binary, id 3, "x"
            0x11,                    // field 4 (delta 1), bool true
            0x12,                    // field 5 (delta 1), bool false
            0x00,
        ]
        let fields = try withReader(bytes) { r throws(ParquetError) -> [String] in
            var out: [String] = []
            let saved = try r.beginStruct()
            while let f = try r.readFieldHeader() {
                switch f.type {
                case .i32: out.append("\(f.id):i32=\(try r.readI32())")
                case .i64: out.append("\(f.id):i64=\(try r.readI64())")
                case .binary: out.append("\(f.id):s=\(try r.readString())")
                case .bool: out.append("\(f.id):b=\(f.boolValue)")
                default: try r.skip(f)
                }
            }
            r.endStruct(saved)
            #expect(r.isAtEnd)
            return out
        }
        #expect(fields == ["1:i32=7", "20:i64=-1", "3:s=x", "4:b=true", "5:b=false"])
    }

    @Test func negativeLongFormFieldIds() throws {
        // long form id -5 then delta 2 → -3.
        let bytes: [UInt8] = [0x05, 0x09, 0x02, 0x25, 0x04, 0x00]
        let ids = try withReader(bytes) { r throws(ParquetError) -> [Int16] in
            var out: [Int16] = []
            let saved = try r.beginStruct()
            while let f = try r.readFieldHeader() {
                out.append(f.id)
                try r.skip(f)
            }
            r.endStruct(saved)
            return out
        }
        #expect(ids == [-5, -3])
    }

    @Test func invalidFieldHeadersAreCorrupt() {
        // type nibble 14
        let badType: [UInt8] = [0x1E, 0x00]
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(badType) { r throws(ParquetError) in try r.readFieldHeader() } }))
        // delta 1 after id 32767 overflows i16
        let overflow: [UInt8] = [0x05, 0xFE, 0xFF, 0x03, 0x00, 0x15, 0x00]
        let error = thrownError {
            try withReader(overflow) { r throws(ParquetError) in
                let saved = try r.beginStruct()
                while let f = try r.readFieldHeader() { try r.skip(f) }
                r.endStruct(saved)
            }
        }
        #expect(isCorruptWithOffset(error))
        #expect(corruptDetail(error)?.contains("overflows") == true)
        // long-form id above i16
        let wide = [0x05] + written { $0.writeI32(40000) } + [0x00]
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(wide) { r throws(ParquetError) in try r.readFieldHeader() } }))
    }

    // MARK: Containers

    @Test func boolsInLists() throws {
        // element type 2 (spec) and 1 (written by some implementations); false as 0 or 2.
        #expect(try withReader([0x32, 0x01, 0x00, 0x02]) { r throws(ParquetError) in try r.readBoolList() } == [true, false, false])
        #expect(try withReader([0x21, 0x01, 0x02]) { r throws(ParquetError) in try r.readBoolList() } == [true, false])
        #expect(isCorruptWithOffset(thrownError { _ = try withReader([0x12, 0x05]) { r throws(ParquetError) in try r.readBoolList() } }))
        // Skipping a list<bool> consumes one byte per element.
        let skipped = try withReader([0x32, 0x01, 0x00, 0x01, 0x7F]) { r throws(ParquetError) -> UInt8 in
            try r.skip(.list)
            return try r.readByte()
        }
        #expect(skipped == 0x7F)
    }

    @Test func listSizeForms() throws {
        let short = try withReader([0x35, 0x02, 0x04, 0x06]) { r throws(ParquetError) in try r.readI32List() }
        #expect(short == [1, 2, 3])
        var long: [UInt8] = [0xF5, 0x14]
        for i in 0..<20 { long += written { $0.writeI32(Int32(i)) } }
        #expect(try withReader(long) { r throws(ParquetError) in try r.readI32List() } == (0..<20).map { Int32($0) })
        // Long form may also carry a small size.
        #expect(try withReader([0xF5, 0x01, 0x02]) { r throws(ParquetError) in try r.readI32List() } == [1])
        // An empty list may carry any element type.
        #expect(try withReader([0x00]) { r throws(ParquetError) in try r.readI32List() } == [])
        // A non-empty list of the wrong element type is corrupt.
        #expect(isCorruptWithOffset(thrownError { _ = try withReader([0x16, 0x02]) { r throws(ParquetError) in try r.readI32List() } }))
        // An invalid element type is corrupt.
        #expect(isCorruptWithOffset(thrownError { _ = try withReader([0x1F, 0x02]) { r throws(ParquetError) in try r.skip(.list) } }))
    }

    @Test func nestedLists() throws {
        // list<list<i32>> = [[1, 2], [], [-1]]
        let bytes: [UInt8] = [0x39, 0x25, 0x02, 0x04, 0x05, 0x15, 0x01]
        let value = try withReader(bytes) { r throws(ParquetError) -> [[Int32]] in
            let n = try r.readListHeader(expecting: .list)
            var out: [[Int32]] = []
            for _ in 0..<n { out.append(try r.readI32List()) }
            return out
        }
        #expect(value == [[1, 2], [], [-1]])
        #expect(try withReader(bytes) { r throws(ParquetError) -> Int in
            try r.skip(.list)
            return r.position
        } == bytes.count)
    }

    @Test func maps() throws {
        // map<binary, i32> = {"a": 1, "bc": -1}
        let bytes: [UInt8] = [0x02, 0x85, 0x01, 0x61, 0x02, 0x02, 0x62, 0x63, 0x01]
        let pairs = try withReader(bytes) { r throws(ParquetError) -> [String: Int32] in
            let (k, v, n) = try r.readMapHeader()
            #expect(k == .binary && v == .i32 && n == 2)
            var out: [String: Int32] = [:]
            for _ in 0..<n { out[try r.readString()] = try r.readI32() }
            return out
        }
        #expect(pairs == ["a": 1, "bc": -1])
        #expect(try withReader(bytes + [0x2A]) { r throws(ParquetError) -> UInt8 in
            try r.skip(.map)
            return try r.readByte()
        } == 0x2A)
        // The empty map is a single zero byte.
        #expect(try withReader([0x00, 0x2A]) { r throws(ParquetError) -> UInt8 in
            try r.skip(.map)
            return try r.readByte()
        } == 0x2A)
        // map<i32, map<i32, bool>> with one entry each, bools as bytes.
        let nested: [UInt8] = [0x01, 0x5B, 0x02, 0x01, 0x52, 0x04, 0x01]
        #expect(try withReader(nested) { r throws(ParquetError) -> Int in
            try r.skip(.map)
            return r.position
        } == nested.count)
        // Invalid key/value types.
        #expect(isCorruptWithOffset(thrownError { try withReader([0x01, 0xE5, 0x00]) { r throws(ParquetError) in try r.skip(.map) } }))
    }

    @Test func hugeDeclaredSizesAreRejectedBeforeAllocation() {
        // list<i32> of 2^31 - 1 elements in 3 bytes.
        let list: [UInt8] = [0xF5] + written { $0.writeVarint(UInt64(Int32.max)) } + [0x00, 0x00]
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(list) { r throws(ParquetError) in try r.readI32List() } }))
        #expect(isCorruptWithOffset(thrownError { try withReader(list) { r throws(ParquetError) in try r.skip(.list) } }))
        // Above Int32.max.
        let wider: [UInt8] = [0xF5] + written { $0.writeVarint(UInt64.max) }
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(wider) { r throws(ParquetError) in try r.readI32List() } }))
        // list<double> whose elements would need 8 bytes each.
        let doubles: [UInt8] = [0xF7, 0x0A] + Array(repeating: 0, count: 50)
        #expect(isCorruptWithOffset(thrownError { try withReader(doubles) { r throws(ParquetError) in try r.skip(.list) } }))
        // list<struct> of a million elements in a few bytes.
        let structs: [UInt8] = [0xFC] + written { $0.writeVarint(1_000_000) } + [0x00, 0x00]
        #expect(isCorruptWithOffset(thrownError { _ = try withReader(structs) { r throws(ParquetError) in try r.readList(of: ParquetKeyValue.self) } }))
        // map of 2^31 - 1 entries.
        let map: [UInt8] = written { $0.writeVarint(UInt64(Int32.max)) } + [0x55, 0x00]
        #expect(isCorruptWithOffset(thrownError { try withReader(map) { r throws(ParquetError) in try r.skip(.map) } }))
        // FileMetaData whose schema list claims 2^31 - 1 elements.
        let footer: [UInt8] = [0x15, 0x02, 0x19, 0xFC] + written { $0.writeVarint(UInt64(Int32.max)) } + [0x00]
        #expect(isCorruptWithOffset(thrownError { _ = try FileMetaData.decode(footer) }))
    }

    // MARK: Skipping and depth

    @Test func unknownFieldsOfEveryTypeAreSkipped() throws {
        // A KeyValue with unknown fields of every type around its two known fields.
        let bytes = written { w in
            let saved = w.beginStruct()
            w.writeField(3, true)
            w.writeField(4, false)
            w.writeField(5, Int8(-3))
            w.writeField(6, Int16(-300))
            w.writeField(7, Int32(123_456))
            w.writeField(8, Int64.min)
            w.writeField(9, 2.5)
            w.writeField(10, [UInt8](repeating: 7, count: 40))
            w.writeFieldHeader(11, .list)
            w.writeListHeader(.bool, count: 3)
            w.writeBoolElement(true); w.writeBoolElement(false); w.writeBoolElement(true)
            w.writeFieldHeader(12, .set)
            w.writeSetHeader(.binary, count: 2)
            w.writeString("s1"); w.writeString("s2")
            w.writeFieldHeader(13, .map)
            w.writeMapHeader(key: .i32, value: .struct, count: 2)
            w.writeI32(1); ParquetKeyValue(key: "k").encode(to: &w)
            w.writeI32(2); ParquetKeyValue(key: "k2", value: "v").encode(to: &w)
            w.writeFieldHeader(14, .struct)
            Statistics(max: [1], nullCount: 3, isMaxValueExact: true).encode(to: &w)
            w.writeFieldHeader(15, .uuid)
            w.writeUUID(Array(0..<16))
            w.writeFieldHeader(16, .list)
            w.writeListHeader(.list, count: 2)
            w.writeListHeader(.double, count: 1); w.writeDouble(1)
            w.writeListHeader(.map, count: 1); w.writeMapHeader(key: .i8, value: .i64, count: 1); w.writeI8(1); w.writeI64(2)
            w.writeFieldHeader(17, .map)
            w.writeMapHeader(key: .bool, value: .uuid, count: 0)
            w.writeField(1, "key")
            w.writeField(2, "value")
            w.writeFieldHeader(300, .list)
            w.writeListHeader(.struct, count: 20)
            for _ in 0..<20 { w.writeEmptyStruct() }
            w.writeField(301, true)
            w.endStruct(saved)
        }
        let kv = try ParquetKeyValue.decode(bytes)
        #expect(kv == ParquetKeyValue(key: "key", value: "value"))
        // The same bytes skipped as a whole.
        #expect(try withReader(bytes) { r throws(ParquetError) -> Bool in
            try r.skip(.struct)
            return r.isAtEnd
        })
    }

    @Test func knownFieldsOfTheWrongTypeAreSkipped() throws {
        // KeyValue field 2 written as i32: skipped, so the value is absent.
        let bytes = written { w in
            let saved = w.beginStruct()
            w.writeField(1, "k")
            w.writeField(2, Int32(5))
            w.endStruct(saved)
        }
        #expect(try ParquetKeyValue.decode(bytes) == ParquetKeyValue(key: "k", value: nil))
        // Field 1 of the wrong type: the required key is missing.
        let wrong = written { w in
            let saved = w.beginStruct()
            w.writeField(1, Int64(1))
            w.endStruct(saved)
        }
        let error = thrownError { _ = try ParquetKeyValue.decode(wrong) }
        #expect(isCorruptWithOffset(error))
        #expect(corruptDetail(error)?.contains("key") == true)
    }

    /// `count` structs nested through field 1, innermost empty.
    static func nestedStructs(_ count: Int) -> [UInt8] {
        Array(repeating: 0x1C, count: count - 1) + Array(repeating: 0x00, count: count)
    }

    @Test func structNestingUpTo64IsAccepted() throws {
        #expect(ThriftCompactReader.maxDepth == 64)
        let ok = Self.nestedStructs(64)
        #expect(try withReader(ok) { r throws(ParquetError) -> Bool in
            try r.skip(.struct)
            return r.isAtEnd && r.depth == 0
        })
    }

    @Test func structNesting65IsRejected() {
        let error = thrownError { try withReader(Self.nestedStructs(65)) { r throws(ParquetError) in try r.skip(.struct) } }
        #expect(isCorruptWithOffset(error))
        #expect(corruptDetail(error)?.contains("nesting") == true)
        // Deep nesting inside an unknown field of a real struct: FileMetaData is depth 1.
        let footer: [UInt8] = [0x0C, 0xC8, 0x01] + Self.nestedStructs(64) + [0x00]
        #expect(isCorruptWithOffset(thrownError { _ = try FileMetaData.decode(footer) }))
        // 10,000 levels: rejected at 65, without exhausting the stack.
        #expect(isCorruptWithOffset(thrownError { try withReader(Self.nestedStructs(10_000)) { r throws(ParquetError) in try r.skip(.struct) } }))
    }

    @Test func listNestingCountsTowardsTheDepth() {
        // 65 nested lists of one element each.
        let deep: [UInt8] = Array(repeating: 0x19, count: 65) + [0x05]
        #expect(isCorruptWithOffset(thrownError { try withReader(deep) { r throws(ParquetError) in try r.skip(.list) } }))
        let ok: [UInt8] = Array(repeating: 0x19, count: 63) + [0x05]
        #expect(thrownError { try withReader(ok) { r throws(ParquetError) in try r.skip(.list) } } == nil)
        // Maps nest the same way.
        let maps: [UInt8] = Array(repeating: [0x01, 0x5B, 0x00], count: 70).flatMap { $0 } + [0x00]
        #expect(isCorruptWithOffset(thrownError { try withReader(maps) { r throws(ParquetError) in try r.skip(.map) } }))
    }

    @Test func errorsReportFileOffsets() {
        let bytes: [UInt8] = [0x15, 0x02, 0x1E]
        let error = thrownError {
            let _: FileMetaData = try bytes.withUnsafeBytes { buffer throws in
                try FileMetaData.decode(buffer, baseOffset: 1000)
            }
        }
        guard case .corrupt(_, let location, _)? = error else {
            Issue.record("expected corrupt, got \(String(describing: error))")
            return
        }
        #expect(location == "byte offset 1002")
    }
}
