@testable import Arrow
import Testing

@Suite("IPC FlatBuffers builder and verifying reader")
struct IPCFlatBufferTests {
    typealias Reader = FlatBufferReader

    /// A table { 0: int64, 1: string, 2: [int32], 3: union(type, table { 0: bool }), 5: [table] }.
    func sample(dedup: Bool = true) -> [UInt8] {
        var b = FlatBufferBuilder(initialCapacity: 16, deduplicatesVTables: dedup)
        let s = b.createString("héllo")
        let v = b.createVector([Int32(1), -2, 3])
        var kids: [FlatBufferBuilder.Ref] = []
        for i in 0..<3 {
            b.startTable()
            b.add(slot: 0, i % 2 == 0, default: false)
            kids.append(b.endTable())
        }
        let kidVector = b.createVector(offsetsTo: kids)
        b.startTable()
        b.add(slot: 0, always: UInt8(1))
        let u = b.endTable()
        b.startTable()
        b.add(slot: 1, offsetTo: s)
        b.add(slot: 0, always: Int64(-42))
        b.add(slot: 2, offsetTo: v)
        b.addUnion(typeSlot: 3, type: 7, value: u)
        b.add(slot: 5, offsetTo: kidVector)
        b.add(slot: 6, Int16(5), default: 5)  // elided: equal to its default
        return b.finish(root: b.endTable())
    }

    @Test func builtBuffersReadBack() throws {
        for dedup in [true, false] {
            let bytes = sample(dedup: dedup)
            #expect(bytes.count % 8 == 0, "aligned to the int64 it holds")
            let r = try Reader(bytes)
            let root = try r.root()
            #expect(try r.i64(root, 0, default: 0) == -42)
            #expect(try r.string(root, 1) == "héllo")
            let v = try #require(try r.vector(root, 2, elementSize: 4))
            #expect(try (0..<v.count).map { try r.i32(at: v.start + 4 * $0) } == [1, -2, 3])
            let u = try r.union(root, typeSlot: 3)
            #expect(u.type == 7)
            #expect(try r.bool(try #require(u.value), 0, default: false) == true)
            let kids = try #require(try r.vector(root, 5, elementSize: 4))
            #expect(try (0..<kids.count).map { try r.bool(try r.table(in: kids, $0), 0, default: false) } == [true, false, true])
            #expect(try r.i16(root, 6, default: 99) == 99, "an elided field reads as the reader's default")
            #expect(try r.field(root, 40, size: 1) == nil, "slots past the vtable are absent")
        }
        #expect(sample(dedup: true).count < sample(dedup: false).count, "shared vtables save space")
    }

    @Test func stringsCarryTheirNUL() throws {
        var b = FlatBufferBuilder()
        let s = b.createString("abc")
        b.startTable()
        b.add(slot: 0, offsetTo: s)
        let bytes = b.finish(root: b.endTable())
        let r = try Reader(bytes)
        let root = try r.root()
        let p = try #require(try r.field(root, 0, size: 4))
        let at = try r.uoffsetTarget(at: p, "string")
        #expect(try r.u32(at: at) == 3)
        #expect(Array(bytes[(at + 4)...(at + 7)]) == Array("abc".utf8) + [0])
    }

    // MARK: Hand-made hostile buffers

    /// Layout: [0] root uoffset, [4] vtable (size, tableSize, entries…), then the table: its
    /// soffset (pointing back at byte 4), then `table` (the bytes after the soffset).
    func handmade(vtable: [UInt16], table: [UInt8], extra: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        func u32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        let vtBytes = vtable.count * 2
        let tableAt = (4 + vtBytes + 3) & ~3
        u32(UInt32(tableAt))
        for e in vtable { out.append(UInt8(e & 0xFF)); out.append(UInt8(e >> 8)) }
        while out.count < tableAt { out.append(0) }
        u32(UInt32(tableAt - 4))  // soffset: the vtable starts at byte 4
        out += table
        out += extra
        return out
    }

    func expectInvalid(_ bytes: [UInt8], _ fragment: String, _ read: (Reader) throws(ArrowError) -> Void = { r throws(ArrowError) in _ = try r.root() },
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: ArrowError.self, sourceLocation: sourceLocation) {
            let r = try Reader(bytes)
            try read(r)
        }
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "nil") lacks '\(fragment)'", sourceLocation: sourceLocation)
    }

    @Test func rootAndTableChecks() {
        expectInvalid([], "too short")
        expectInvalid([0, 0, 0, 0, 0, 0, 0, 0], "outside 1...2^31-1")
        expectInvalid([0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0], "leads outside")
        expectInvalid([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], "outside 1...2^31-1")
        expectInvalid([2, 0, 0, 0, 0, 0, 0, 0], "table not aligned")
        expectInvalid([4, 0, 0, 0, 0x00, 0, 0, 0x80], "vtable offset")
        expectInvalid([4, 0, 0, 0, 0xFC, 0xFF, 0xFF, 0xFF], "leads outside")  // vtable at 8 = end
        expectInvalid([4, 0, 0, 0, 0x01, 0, 0, 0], "vtable not aligned")
        expectInvalid(handmade(vtable: [3, 4], table: [0, 0, 0, 0]), "not an even number")
        expectInvalid(handmade(vtable: [2, 4], table: [0, 0, 0, 0]), "not an even number")
        expectInvalid(handmade(vtable: [64, 4], table: [0, 0, 0, 0]), "vtable of 64 bytes outside")
        expectInvalid(handmade(vtable: [4, 2], table: [0, 0, 0, 0]), "smaller than its vtable offset")
        expectInvalid(handmade(vtable: [4, 12], table: [0, 0, 0, 0]), "table of 12 bytes outside")
    }

    @Test func fieldChecks() {
        // Field 0 at offset 6 of an 8-byte table: 4-byte field would end past the table.
        expectInvalid(handmade(vtable: [6, 8, 6], table: [0, 0, 0, 0, 0, 0, 0, 0]), "outside its table") { r throws(ArrowError) in
            _ = try r.i32(try r.root(), 0, default: 0)
        }
        // Field 0 at offset 5: misaligned for an int16.
        expectInvalid(handmade(vtable: [6, 8, 5], table: [0, 0, 0, 0, 0, 0, 0, 0]), "not aligned") { r throws(ArrowError) in
            _ = try r.i16(try r.root(), 0, default: 0)
        }
        // Field 0 at offset 2: inside the soffset.
        expectInvalid(handmade(vtable: [6, 8, 2], table: [0, 0, 0, 0, 0, 0, 0, 0]), "outside its table") { r throws(ArrowError) in
            _ = try r.u8(try r.root(), 0, default: 0)
        }
    }

    @Test func offsetStringAndVectorChecks() {
        // Table: soffset, field 0 = uoffset. Offsets relative to the field at byte 12.
        func withOffset(_ o: UInt32, extra: [UInt8]) -> [UInt8] {
            handmade(vtable: [6, 8, 4], table: [UInt8(truncatingIfNeeded: o), UInt8(truncatingIfNeeded: o >> 8), UInt8(truncatingIfNeeded: o >> 16), UInt8(truncatingIfNeeded: o >> 24)], extra: extra)
        }
        let str: (Reader) throws(ArrowError) -> Void = { r throws(ArrowError) in _ = try r.string(try r.root(), 0) }
        let vec: (Reader) throws(ArrowError) -> Void = { r throws(ArrowError) in _ = try r.vector(try r.root(), 0, elementSize: 8) }
        let tab: (Reader) throws(ArrowError) -> Void = { r throws(ArrowError) in _ = try r.table(try r.root(), 0) }
        expectInvalid(withOffset(0, extra: []), "outside 1...2^31-1", str)
        expectInvalid(withOffset(0x8000_0000, extra: []), "outside 1...2^31-1", str)
        expectInvalid(withOffset(4, extra: []), "leads outside", str)
        expectInvalid(withOffset(4, extra: [3, 0, 0, 0, 0x61, 0x62]), "string with its NUL", str)
        expectInvalid(withOffset(4, extra: [2, 0, 0, 0, 0x61, 0x62, 0x63, 0]), "not NUL-terminated", str)
        expectInvalid(withOffset(4, extra: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]), "string with its NUL", str)
        expectInvalid(withOffset(6, extra: [0, 0, 0, 0, 0, 0, 0, 0]), "string not aligned", str)
        let bad = #expect(throws: ArrowError.self) { let r = try Reader(withOffset(4, extra: [2, 0, 0, 0, 0xC3, 0x28, 0, 0])); try str(r) }
        #expect(bad?.kind == .invalidUTF8)
        expectInvalid(withOffset(4, extra: [0xFF, 0xFF, 0xFF, 0x7F]), "outside the buffer", vec)
        expectInvalid(withOffset(4, extra: [2, 0, 0, 0, 1, 2, 3, 4]), "vector of 2 elements", vec)
        expectInvalid(withOffset(8, extra: [0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]), "vector elements not aligned", vec)
        // A table offset pointing back at the root table's own field is not reachable: offsets
        // are unsigned and at least 1. One pointing at the root itself from inside is a cycle
        // only through depth, which is bounded.
        expectInvalid(withOffset(4, extra: [0xF0, 0xFF, 0xFF, 0xFF]), "leads outside", tab)
    }

    @Test func unionNeedsItsValue() {
        // type byte 3 in slot 0, no value in slot 1.
        expectInvalid(handmade(vtable: [8, 8, 4, 0], table: [3, 0, 0, 0]), "has no value") { r throws(ArrowError) in
            _ = try r.union(try r.root(), typeSlot: 0)
        }
    }

    /// A chain of tables, each with a table field 0 pointing at the next.
    func chain(_ n: Int) -> [UInt8] {
        var b = FlatBufferBuilder()
        b.startTable()
        var last = b.endTable()
        for _ in 1..<n {
            b.startTable()
            b.add(slot: 0, offsetTo: last)
            last = b.endTable()
        }
        return b.finish(root: last)
    }

    func walk(_ r: Reader) throws(ArrowError) -> Int {
        var t = try r.root()
        var depth = 1
        while let next = try r.table(t, 0) { t = next; depth += 1 }
        return depth
    }

    @Test func depthIsBounded() throws {
        #expect(try walk(try Reader(chain(64))) == 64)
        expectInvalid(chain(65), "nested deeper than 64") { r throws(ArrowError) in _ = try walk(r) }
        #expect(try walk(try Reader(chain(10), maxDepth: 10)) == 10)
    }

    @Test func sharedObjectsCannotExplode() throws {
        // Each level's vector holds 16 offsets to the same child: 16^k apparent tables.
        var b = FlatBufferBuilder()
        b.startTable()
        var last = b.endTable()
        for _ in 0..<12 {
            let v = b.createVector(offsetsTo: Array(repeating: last, count: 16))
            b.startTable()
            b.add(slot: 0, offsetTo: v)
            last = b.endTable()
        }
        let bytes = b.finish(root: last)
        #expect(bytes.count < 2048)
        func visit(_ r: Reader, _ t: Reader.Table) throws(ArrowError) -> Int {
            guard let v = try r.vector(t, 0, elementSize: 4) else { return 1 }
            var n = 1
            for i in 0..<v.count { n += try visit(r, try r.table(in: v, i)) }
            return n
        }
        expectInvalid(bytes, "budget") { r throws(ArrowError) in _ = try visit(r, try r.root()) }
    }
}
