@testable import Arrow
import CArrowABI
import Testing

/// Swift-side tests of the C Data / C Stream Interface (issue 2; c-abi.md §4.3–§4.6).
@Suite struct CDataInterfaceTests {
    func column(_ batch: RecordBatch, _ i: Int) -> [String] {
        let c = batch.columns[i]
        return (0..<c.length).map { r -> String in
            guard c.isValid(r) else { return "null" }
            switch c.type {
            case .int32: return "\(c.buffers[1]!.load(c.offset + r, as: Int32.self))"
            case .float64: return "\(c.buffers[1]!.load(c.offset + r, as: Double.self))"
            case .utf8:
                let o = c.buffers[1]!
                let s = Int(o.load(c.offset + r, as: Int32.self)), e = Int(o.load(c.offset + r + 1, as: Int32.self))
                return String(decoding: UnsafeRawBufferPointer(start: c.buffers[2]!.baseAddress + s, count: e - s), as: UTF8.self)
            default: return "?"
            }
        }
    }

    func values(_ batch: RecordBatch) -> [[String]] { (0..<batch.columnCount).map { column(batch, $0) } }

    @Test func exportThenImportRestoresSchemaAndValues() throws {
        let batch = try Fixtures.batch()
        let (a, s) = Fixtures.exported(batch)
        defer { a.deallocate(); s.deallocate() }
        #expect(a.pointee.offset == 0)
        #expect(a.pointee.null_count == 0)
        #expect(a.pointee.n_buffers == 1)
        #expect(a.pointee.buffers![0] == nil, "no top-level validity buffer (c-abi.md §4.6)")
        #expect(a.pointee.children![1]!.pointee.null_count == 1, "exact null count")
        let back = try CDataInterface.importRecordBatch(a, schema: s)
        #expect(a.pointee.release == nil && s.pointee.release == nil, "import moves (c-abi.md §4.3)")
        #expect(back.schema == batch.schema)
        #expect(back.schema.metadata.first?.0 == "origin")
        #expect(back.schema.fields[0].metadata.first?.1 == "none")
        #expect(values(back) == [["1", "2", "3", "4"], ["0.5", "null", "2.5", "-1.0"], ["a", "null", "ccc", "dé"]])
    }

    @Test func slicedBatchesAndSlicedChildrenRoundTrip() throws {
        let batch = try Fixtures.batch().slice(offset: 1, length: 3)
        // A struct column whose own offset is non-zero and whose children are longer.
        let inner = try RecordBatch(schema: Schema([Field("v", .int32)]), columns: [Fixtures.int32([10, 20, 30, 40, 50])])
        let structColumn = try inner.asStructArray().slice(offset: 2, length: 3)
        let withStruct = try RecordBatch(
            schema: Schema(batch.schema.fields + [Field("s", structColumn.type)]),
            columns: batch.columns + [structColumn])
        let (a, s) = Fixtures.exported(withStruct)
        defer { a.deallocate(); s.deallocate() }
        #expect(a.pointee.children![0]!.pointee.offset == 1)
        #expect(a.pointee.children![3]!.pointee.offset == 2)
        let back = try CDataInterface.importRecordBatch(a, schema: s)
        #expect(values(back).prefix(3) == [["2", "3", "4"], ["null", "2.5", "-1.0"], ["null", "ccc", "dé"]])
        let kids = back.columns[3].logicalChildren
        #expect((0..<3).map { kids[0].buffers[1]!.load(kids[0].offset + $0, as: Int32.self) } == [30, 40, 50])
    }

    @Test func everyImportReleasesTheProducerExactlyOnce() throws {
        for _ in 0..<100 {
            let source = try Fixtures.batch()
            let (a, s) = Fixtures.exported(source)
            let ca = ReleaseCounter.wrap(a), cs = ReleaseCounter.wrap(s)
            let columns = (0..<Int(a.pointee.n_children)).map { ReleaseCounter.wrap(a.pointee.children![$0]!) }
            let batch = try CDataInterface.importRecordBatch(a, schema: s)
            #expect(cs.count == 1, "the schema is released as soon as it is parsed")
            // Our own export coming back: every buffer is recognised as ours (ExportedBuffers),
            // so each column's part of the producer's tree is released during the import, once.
            #expect(ca.count == 1)
            #expect(columns.allSatisfy { $0.count == 1 })
            #expect(batch.length == 4)
            #expect(batch == source)
            a.deallocate(); s.deallocate()
        }
    }

    /// A batch whose columns are partly ours and partly foreign: each of our columns is read
    /// without keeping the producer's part (released during the import), each foreign column
    /// keeps its part alive until the imported data goes (docs/decisions.md, "Imports share
    /// our storage").
    @Test func importKeepsOnlyTheForeignColumnsOfTheProducer() throws {
        let source = try Fixtures.batch()
        let (a, s) = Fixtures.exported(source)
        defer { a.deallocate(); s.deallocate() }
        // Column x now looks foreign: its buffers are no longer registered as ours.
        ExportedBuffers.unregister(source.columns[1])
        let root = ReleaseCounter.wrap(a)
        let columns = (0..<Int(a.pointee.n_children)).map { ReleaseCounter.wrap(a.pointee.children![$0]!) }
        do {
            let batch = try CDataInterface.importRecordBatch(a, schema: s)
            #expect(a.pointee.release == nil)
            #expect(root.count == 1, "the struct itself holds no buffer")
            #expect(columns.map(\.count) == [1, 0, 1], "only the foreign column is kept")
            #expect(values(batch) == values(source))
            #expect(batch.columns[1].buffers[1]!.storage !== source.columns[1].buffers[1]!.storage,
                    "the foreign column is read through an owner of the producer's memory, not our storage")
            #expect(batch.columns[0].buffers[1]!.storage === source.columns[0].buffers[1]!.storage)
        }
        #expect(columns.map(\.count) == [1, 1, 1], "released once the imported data is gone")
    }

    /// A batch handed back with columns of a hint (the split step's begun batch): each column
    /// whose struct describes the hint's column at its position exactly is the hint's own
    /// column, its part of the producer released during the import; a column that differs in
    /// anything (a buffer, the null count, the type, the offset) is read the full way.
    @Test func hintedImportTakesExactlyTheUnchangedColumns() throws {
        let source = try Fixtures.batch()
        /// Which columns of the import are the hint's own, and whether it equals `expected`;
        /// every column's part of the producer is released once, by the time the import goes.
        func hinted(_ expected: RecordBatch, hint: RecordBatch? = nil, _ change: (UnsafeMutablePointer<ArrowArray>) -> Void) throws -> [Bool] {
            let (a, s) = Fixtures.exported(source)
            defer { a.deallocate(); s.deallocate() }
            change(a)
            let hint = hint ?? source
            let columns = (0..<Int(a.pointee.n_children)).map { ReleaseCounter.wrap(a.pointee.children![$0]!) }
            let taken: [Bool]
            do {
                let batch = try CDataInterface.importRecordBatch(a, schema: s, hint: hint)
                #expect(a.pointee.release == nil && s.pointee.release == nil)
                taken = batch.columns.indices.map { batch.columns[$0].storage === hint.columns[$0].storage }
                for i in taken.indices where taken[i] { #expect(columns[i].count == 1, "a taken column's part goes during the import") }
                #expect(batch == expected)
                #expect(batch.columns[0].type == .int32, "the producer's schema decides the type")
            }
            #expect(columns.allSatisfy { $0.count == 1 }, "every column's part released once")
            return taken
        }
        #expect(try hinted(source) { _ in } == [true, true, true])

        // Another buffer (same length, same bytes) is not the hint's column.
        let copy = ArrowBuffer(copying: UnsafeRawBufferPointer(start: source.columns[0].buffers[1]!.baseAddress, count: 16))
        #expect(try hinted(source) { $0.pointee.children![0]!.pointee.buffers![1] = UnsafeRawPointer(copy.baseAddress) } == [false, true, true])

        // A null count other than the hint's (x has one null).
        #expect(try hinted(source) { $0.pointee.children![1]!.pointee.null_count = -1 } == [true, false, true])

        // Same buffers, another offset and length: a slice of the hint's columns, not them.
        let sliced = try hinted(try source.slice(offset: 1, length: 3)) { a in
            a.pointee.length = 3
            for i in 0..<3 {
                a.pointee.children![i]!.pointee.offset = 1
                a.pointee.children![i]!.pointee.length = 3
                a.pointee.children![i]!.pointee.null_count = -1
            }
        }
        #expect(sliced == [false, false, false])

        // The hint's column of another type over the same buffers.
        let asUInt32 = ArrayData(unchecked: .uint32, length: 4, nullCount: 0, buffers: source.columns[0].buffers)
        let other = RecordBatch(unchecked: Schema([Field("id", .uint32)] + source.schema.fields.dropFirst()),
                                columns: [asUInt32] + source.columns.dropFirst(), length: 4)
        #expect(try hinted(source, hint: other) { _ in } == [false, true, true])
    }

    /// A schema exported again is copied from its cached template: the copy equals a full
    /// export node for node, and its children can be moved out and released on their own.
    @Test func cachedSchemaExportsEqualFullExports() throws {
        let schema = Schema([
            Field("id", .int32, nullable: false, metadata: [("unit", "none")]),
            Field("tags", .list(Field("item", .utf8))),
            Field("pos", .struct([Field("x", .float64, nullable: false), Field("y", .float64)])),
            Field("kind", .dictionary(index: .int8, value: .utf8, ordered: true)),
        ])
        func describe(_ n: UnsafePointer<ArrowSchema>) -> String {
            let c = n.pointee
            var out = "\(String(cString: c.format!))|\(c.name.map { String(cString: $0) } ?? "-")|\(c.flags)|\(c.metadata == nil ? "" : "md")"
            for i in 0..<Int(c.n_children) { out += "(" + describe(c.children![i]!) + ")" }
            if let d = c.dictionary { out += "{" + describe(d) + "}" }
            return out
        }
        let full = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
        defer { full.deallocate() }
        CDataInterface.exportField(schema.topLevelField, to: full)
        let expected = describe(full)
        full.pointee.release!(full)
        for _ in 0..<3 {
            let copy = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
            defer { copy.deallocate() }
            CDataInterface.exportSchema(schema, to: copy)
            #expect(describe(copy) == expected)
            #expect(ExportedSchemaCache.cache.withLock { entries in entries.contains { $0.fields == schema.fields } })
            // Move the struct child out, release the rest, then the child: each exactly once.
            var child = copy.pointee.children![2]!.pointee
            copy.pointee.children![2]!.pointee.release = nil
            let counter = withUnsafeMutablePointer(to: &child) { ReleaseCounter.wrap($0) }
            copy.pointee.release!(copy)
            #expect(counter.count == 0)
            #expect(String(cString: child.children![1]!.pointee.name!) == "y")
            child.release!(&child)
            #expect(counter.count == 1)
            let back = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
            defer { back.deallocate() }
            CDataInterface.exportSchema(schema, to: back)
            #expect(try CDataInterface.importSchema(back) == schema)
        }
    }

    @Test func exportedChildrenCanBeMovedOutAndReleasedOnTheirOwn() throws {
        let (a, s) = Fixtures.exported(try Fixtures.batch())
        defer { a.deallocate(); s.deallocate() }
        // Move child 2 (the strings) out, as a consumer may.
        var child = a.pointee.children![2]!.pointee
        a.pointee.children![2]!.pointee.release = nil
        let counter = withUnsafeMutablePointer(to: &child) { ReleaseCounter.wrap($0) }
        a.pointee.release!(a)
        #expect(a.pointee.release == nil)
        #expect(counter.count == 0, "the parent does not release a moved-out child")
        // The child's buffers are still alive: read its last string.
        let offsets = child.buffers![1]!.assumingMemoryBound(to: Int32.self)
        let data = child.buffers![2]!.assumingMemoryBound(to: UInt8.self)
        let last = String(decoding: UnsafeBufferPointer(start: data + Int(offsets[3]), count: Int(offsets[4] - offsets[3])), as: UTF8.self)
        #expect(last == "dé")
        child.release!(&child)
        #expect(counter.count == 1)
        s.pointee.release!(s)
    }

    @Test func releaseRunsOnAnotherThread() async throws {
        let (a, s) = Fixtures.exported(try Fixtures.batch())
        let counter = ReleaseCounter.wrap(a)
        let addresses = (Int(bitPattern: a), Int(bitPattern: s))
        await Task.detached {
            let a = UnsafeMutablePointer<ArrowArray>(bitPattern: addresses.0)!
            let s = UnsafeMutablePointer<ArrowSchema>(bitPattern: addresses.1)!
            a.pointee.release?(a)
            s.pointee.release?(s)
        }.value
        #expect(counter.count == 1)
        a.deallocate(); s.deallocate()
    }

    @Test func streamOfThreeBatchesRoundTrips() throws {
        let batch = try Fixtures.batch()
        let batches = [batch, try batch.slice(offset: 1, length: 2), try batch.slice(offset: 0, length: 0), batch]
        let stream = UnsafeMutablePointer<ArrowArrayStream>.allocate(capacity: 1)
        defer { stream.deallocate() }
        CDataInterface.exportStream(schema: batch.schema, batches: batches, to: stream)
        let reader = try CDataInterface.importStream(stream)
        #expect(stream.pointee.release == nil)
        #expect(reader.schema == batch.schema)
        let read = try reader.readAll()
        #expect(read.map(\.length) == [4, 2, 4], "zero-row batches are not emitted")
        #expect(values(read[1]) == values(try batch.slice(offset: 1, length: 2)))
        #expect(try reader.next() == nil)
    }

    @Test func streamProducerErrorsReachTheConsumer() throws {
        let batch = try Fixtures.batch()
        var calls = 0
        let stream = UnsafeMutablePointer<ArrowArrayStream>.allocate(capacity: 1)
        defer { stream.deallocate() }
        CDataInterface.exportStream(schema: batch.schema, to: stream) { () throws(ArrowError) -> RecordBatch? in
            calls += 1
            if calls == 2 { throw ArrowError(.invalidData, "corrupt part file") }
            return batch
        }
        let reader = try CDataInterface.importStream(stream)
        #expect(try reader.next()?.length == 4)
        do {
            _ = try reader.next()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .streamError)
            #expect(error.message.contains("corrupt part file"))
        }
    }
}
