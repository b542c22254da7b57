// The Thrift compact protocol writer: exact bytes, and round trips through the reader.

import Parquet
import Testing

@Suite struct ThriftCompactWriterTests {
    @Test func varintsAndZigzag() {
        #expect(written { $0.writeVarint(0) } == [0x00])
        #expect(written { $0.writeVarint(50399) } == [0xDF, 0x89, 0x03])
        #expect(written { $0.writeVarint(.max) } == Array(repeating: 0xFF, count: 9) + [0x01])
        #expect(written { $0.writeI32(-1) } == [0x01])
        #expect(written { $0.writeI32(1) } == [0x02])
        #expect(written { $0.writeI32(.min) } == [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(written { $0.writeI64(.min) } == Array(repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func fieldHeadersUseDeltasWhenIdsIncreaseBy1To15() {
        let bytes = written { w in
            let saved = w.beginStruct()
            w.writeField(1, Int32(0))     // delta 1
            w.writeField(16, Int32(0))    // delta 15
            w.writeField(40, Int32(0))    // delta 24: long form
            w.writeField(2, Int32(0))     // decreasing: long form
            w.writeField(2, Int32(0))     // repeated id (delta 0): long form
            w.writeField(3, true)         // delta 1, bool true
            w.writeField(4, false)        // delta 1, bool false
            w.endStruct(saved)
        }
        #expect(bytes == [
            0x15, 0x00,
            0xF5, 0x00,
            0x05, 0x50, 0x00,
            0x05, 0x04, 0x00,
            0x05, 0x04, 0x00,
            0x11,
            0x12,
            0x00,
        ])
    }

    @Test func nestedStructsRestoreTheFieldIdSequence() throws {
        let bytes = written { w in
            let outer = w.beginStruct()
            w.writeField(5, Int32(1))
            w.writeFieldHeader(6, .struct)
            let inner = w.beginStruct()
            w.writeField(1, Int32(2))     // delta 1 from 0 inside the inner struct
            w.endStruct(inner)
            w.writeField(7, Int32(3))     // delta 1 from 6 again
            w.endStruct(outer)
        }
        #expect(bytes == [0x55, 0x02, 0x1C, 0x15, 0x04, 0x00, 0x15, 0x06, 0x00])
        let values = try withReader(bytes) { r throws(ParquetError) -> [Int32] in
            var out: [Int32] = []
            let outer = try r.beginStruct()
            while let f = try r.readFieldHeader() {
                if f.type == .struct {
                    let inner = try r.beginStruct()
                    while let g = try r.readFieldHeader() { out.append(try r.readI32() * (g.id == 1 ? 10 : 0)) }
                    r.endStruct(inner)
                } else {
                    out.append(try r.readI32())
                }
            }
            r.endStruct(outer)
            return out
        }
        #expect(values == [1, 20, 3])
    }

    @Test func listAndMapHeaders() {
        #expect(written { $0.writeListHeader(.i32, count: 0) } == [0x05])
        #expect(written { $0.writeListHeader(.struct, count: 14) } == [0xEC])
        #expect(written { $0.writeListHeader(.struct, count: 15) } == [0xFC, 0x0F])
        #expect(written { $0.writeListHeader(.bool, count: 300) } == [0xF2, 0xAC, 0x02])
        #expect(written { $0.writeMapHeader(key: .binary, value: .i32, count: 0) } == [0x00])
        #expect(written { $0.writeMapHeader(key: .binary, value: .i32, count: 3) } == [0x03, 0x85])
        #expect(written { $0.writeBoolElement(true); $0.writeBoolElement(false) } == [0x01, 0x00])
    }

    @Test func everyTypeRoundTrips() throws {
        let bytes = written { w in
            let saved = w.beginStruct()
            w.writeField(1, true)
            w.writeField(2, Int8(-128))
            w.writeField(3, Int16.min)
            w.writeField(4, Int32.max)
            w.writeField(5, Int64.min)
            w.writeField(6, -0.0)
            w.writeField(7, "héllo")
            w.writeField(8, [UInt8]([0, 255]))
            w.writeListField(9, [Int64.max, -1])
            w.writeListField(10, [true, false, true])
            w.writeListField(11, [[UInt8]([1]), []])
            w.writeFieldHeader(12, .uuid)
            w.writeUUID(Array(100..<116))
            w.writeListField(13, ["a", "b"])
            w.writeListField(14, [Int32](0..<30))
            w.endStruct(saved)
        }
        try withReader(bytes) { r throws(ParquetError) in
            let saved = try r.beginStruct()
            var seen = 0
            while let f = try r.readFieldHeader() {
                seen += 1
                switch f.id {
                case 1: #expect(f.type == .bool && f.boolValue)
                case 2: #expect(try r.readI8() == -128)
                case 3: #expect(try r.readI16() == .min)
                case 4: #expect(try r.readI32() == .max)
                case 5: #expect(try r.readI64() == .min)
                case 6: #expect(try r.readDouble().bitPattern == (-0.0).bitPattern)
                case 7: #expect(try r.readString() == "héllo")
                case 8: #expect(try r.readBinary() == [0, 255])
                case 9: #expect(try r.readI64List() == [.max, -1])
                case 10: #expect(try r.readBoolList() == [true, false, true])
                case 11: #expect(try r.readBinaryList() == [[1], []])
                case 12: #expect(try r.readUUID() == Array(100..<116))
                case 13: #expect(try r.readStringList() == ["a", "b"])
                case 14: #expect(try r.readI32List() == [Int32](0..<30))
                default: Issue.record("unexpected field \(f.id)")
                }
            }
            r.endStruct(saved)
            #expect(seen == 14)
            #expect(r.isAtEnd)
        }
    }
}
