import Arrow
import CArrowABI
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `arct_record_batch_roundtrip`, `arct_movement_process`, `arct_stream_roundtrip` and the
/// diagnostics, called through their C entry points with hand-built structs (c-abi.md §8.1,
/// §8.10, §11 N1, N2, N21–N29, N33).
@Suite struct RoundtripFunctionTests {
    /// Calls the round trip on an exported batch after `mutate` breaks it; returns the status,
    /// the message, and whether the input was released exactly once.
    func roundtrip(
        _ batch: RecordBatch, outputReleased: Bool = true,
        mutate: (UnsafeMutablePointer<ArrowArray>, UnsafeMutablePointer<ArrowSchema>) -> Void = { _, _ in }
    ) -> (status: Int32, message: String, inputReleasedOnce: Bool, outputSchema: Schema?, outputLength: Int?) {
        let (a, s) = Fixtures.exported(batch)
        mutate(a, s)
        let ca = a.pointee.release != nil ? ReleaseCounter.wrap(a) : nil
        let cs = s.pointee.release != nil ? ReleaseCounter.wrap(s) : nil
        var oa = ArrowArray(), os = ArrowSchema()
        let status = arct_record_batch_roundtrip(a, s, &oa, &os)
        let message = arct_last_error_message().map { String(cString: $0) } ?? ""
        var output: RecordBatch? = nil
        if status == ARCT_OK { output = try? CDataInterface.importRecordBatch(&oa, schema: &os) }
        #expect(status == ARCT_OK || (oa.release == nil && os.release == nil), "no output on failure")
        // The output shares the input's buffers (zero copy): the input is released only when
        // the output goes too. Check with a copy of the schema and length only.
        let (schema, length) = (output?.schema, output?.length)
        output = nil
        let released = a.pointee.release == nil && s.pointee.release == nil && (ca?.count ?? 1) == 1 && (cs?.count ?? 1) == 1
        a.deallocate(); s.deallocate()
        return (status, message, released, schema, length)
    }

    static func format(_ s: StaticString) -> UnsafePointer<CChar> { UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self) }

    @Test func versionAndStatusNames() {
        #expect(arct_ffi_version() == 2)
        #expect(String(cString: arct_status_name(ARCT_ERR_UNKNOWN_ENTITY)) == "ARCT_ERR_UNKNOWN_ENTITY")
        #expect(String(cString: arct_status_name(ARCT_OK)) == "ARCT_OK")
        #expect(String(cString: arct_status_name(77)) == "ARCT_ERR_UNKNOWN_STATUS")
        var o = arct_world_options()
        o.codec = 3
        arct_world_options_init(&o)
        #expect(o.struct_size == 56 && o.abi_version == 2 && o.codec == 0)
        arct_world_options_init(nil)
    }

    @Test func successClearsTheLastErrorAndReturnsTheSameBatch() throws {
        let batch = try Fixtures.batch()
        _ = roundtrip(batch) { a, _ in a.pointee.length = -1 }
        #expect(arct_last_error_message() != nil)
        let r = roundtrip(batch)
        #expect(r.status == ARCT_OK)
        #expect(arct_last_error_message() == nil)
        #expect(r.inputReleasedOnce)
        #expect(r.outputSchema == batch.schema)
        #expect(r.outputLength == 4)
    }

    @Test func lastErrorIsPerThread() throws {
        let batch = try Fixtures.batch()
        let r = roundtrip(batch) { a, _ in a.pointee.offset = -3 }
        #expect(r.status == ARCT_ERR_ARROW)
        #expect(arct_last_error_message() != nil)
        // A brand-new thread (not a pool thread other tests may have used) sees no message.
        var thread = pthread_t()
        let box = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        defer { box.deallocate() }
        box.pointee = true
        pthread_create(&thread, nil, { arg in
            arg!.assumingMemoryBound(to: Bool.self).pointee = arct_last_error_message() != nil
            return nil
        }, box)
        pthread_join(thread, nil)
        #expect(!box.pointee)
        arct_clear_last_error()
        #expect(arct_last_error_message() == nil)
    }

    @Test func n1NullPointers() throws {
        let batch = try Fixtures.batch()
        var oa = ArrowArray(), os = ArrowSchema()
        // Half-NULL input pair: nothing is moved.
        let (a, s) = Fixtures.exported(batch)
        #expect(arct_record_batch_roundtrip(a, nil, &oa, &os) == ARCT_ERR_NULL_POINTER)
        #expect(arct_record_batch_roundtrip(nil, s, &oa, &os) == ARCT_ERR_NULL_POINTER)
        #expect(a.pointee.release != nil && s.pointee.release != nil, "nothing moved when a pair is half NULL")
        // NULL outputs: the input is still moved.
        #expect(arct_record_batch_roundtrip(a, s, nil, &os) == ARCT_ERR_NULL_POINTER)
        #expect(a.pointee.release == nil && s.pointee.release == nil)
        #expect(String(cString: arct_last_error_message()!).hasPrefix("arct_record_batch_roundtrip: "))
        a.deallocate(); s.deallocate()
        #expect(arct_movement_process(nil, nil, &oa, &os, 1, 0) == ARCT_ERR_NULL_POINTER)
        var stream = ArrowArrayStream()
        #expect(arct_stream_roundtrip(nil, &stream) == ARCT_ERR_NULL_POINTER)
    }

    @Test func n2OutputNotEmpty() throws {
        let batch = try Fixtures.batch()
        let (a, s) = Fixtures.exported(batch)
        let (oa, os) = Fixtures.exported(batch)   // "non-empty" output shells
        let before = oa.pointee
        #expect(arct_record_batch_roundtrip(a, s, oa, os) == ARCT_ERR_OUTPUT_NOT_EMPTY)
        #expect(a.pointee.release == nil && s.pointee.release == nil, "input still moved")
        #expect(oa.pointee.private_data == before.private_data, "output untouched")
        Fixtures.free(oa, os)
        a.deallocate(); s.deallocate()
    }

    @Test func n21WrongBufferCounts() throws {
        let batch = try Fixtures.batch()
        let r1 = roundtrip(batch) { a, _ in a.pointee.children![0]!.pointee.n_buffers = 1 }
        #expect(r1.status == ARCT_ERR_ARROW && r1.inputReleasedOnce)
        #expect(r1.message.contains("buffers"))
        let r2 = roundtrip(batch) { a, _ in a.pointee.children![2]!.pointee.n_buffers = 2 }
        #expect(r2.status == ARCT_ERR_ARROW && r2.inputReleasedOnce)
    }

    @Test func n22LengthsOffsetsNullCounts() throws {
        let batch = try Fixtures.batch()
        let cases: [(UnsafeMutablePointer<ArrowArray>) -> Void] = [
            { $0.pointee.length = -1 },
            { $0.pointee.offset = -1 },
            { $0.pointee.children![0]!.pointee.offset = Int64.max - 1 },
            { $0.pointee.children![1]!.pointee.null_count = 5 },
            { $0.pointee.children![1]!.pointee.null_count = -2 },
        ]
        for mutate in cases {
            let r = roundtrip(batch) { a, _ in mutate(a) }
            #expect(r.status == ARCT_ERR_ARROW && r.inputReleasedOnce, "\(r.message)")
            #expect(!r.message.isEmpty)
        }
    }

    @Test func n23BadFormatStrings() throws {
        let batch = try Fixtures.batch()
        for f: StaticString in ["", "zz", "w:", "w:abc", "tsx:", "+w:3", "+l", "vu", "+ud:0"] {
            let r = roundtrip(batch) { _, s in s.pointee.children![0]!.pointee.format = Self.format(f) }
            #expect(r.status == ARCT_ERR_ARROW && r.inputReleasedOnce, "format '\(f)': \(r.message)")
        }
        let r = roundtrip(batch) { _, s in s.pointee.children![0]!.pointee.format = nil }
        #expect(r.status == ARCT_ERR_ARROW)
    }

    @Test func n24OffsetsOutOfRange() throws {
        let decreasing = try RecordBatch(schema: Schema([Field("s", .utf8)]), columns: [
            ArrayData(unchecked: .utf8, length: 2, buffers: [nil, ArrowBuffer(values: [Int32(0), 3, 1]), ArrowBuffer(values: Array("abc".utf8))])])
        #expect(roundtrip(decreasing).status == ARCT_ERR_ARROW)
        let negative = try RecordBatch(schema: Schema([Field("s", .utf8)]), columns: [
            ArrayData(unchecked: .utf8, length: 1, buffers: [nil, ArrowBuffer(values: [Int32(-1), 2]), ArrowBuffer(values: Array("abc".utf8))])])
        #expect(roundtrip(negative).status == ARCT_ERR_ARROW)
        let child = Fixtures.int32([1, 2])
        let pastChild = Fixtures.list(child, offsets: [0, 1, 3])
        let listBatch = try RecordBatch(schema: Schema([Field("l", pastChild.type)]), columns: [pastChild])
        let r = roundtrip(listBatch)
        #expect(r.status == ARCT_ERR_ARROW && r.message.contains("child"), "\(r.message)")
    }

    @Test func n25TruncatedBuffersAndChildren() throws {
        let batch = try Fixtures.batch()
        let cases: [(UnsafeMutablePointer<ArrowArray>) -> Void] = [
            { $0.pointee.children![1]!.pointee.buffers![1] = nil },            // NULL float64 data
            { $0.pointee.children![1]!.pointee.buffers = nil },                // NULL buffers array
            { $0.pointee.children![0]!.pointee.length = 2 },                   // child shorter than parent
            { $0.pointee.children![0] = nil },                                 // NULL child pointer
            { $0.pointee.n_children = 2 },                                     // wrong n_children
            { $0.pointee.children![1]!.pointee.buffers![0] = nil },            // nulls but no bitmap
        ]
        for mutate in cases {
            var savedChild: UnsafeMutablePointer<ArrowArray>? = nil
            let r = roundtrip(batch) { a, _ in
                savedChild = a.pointee.children![0]
                mutate(a)
            }
            #expect(r.status == ARCT_ERR_ARROW, "\(r.message)")
            _ = savedChild
        }
    }

    @Test func n26TopLevelNonStruct() throws {
        let (a, s) = (UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1), UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1))
        CDataInterface.exportArray(Fixtures.float64([1, 2]), to: a)
        CDataInterface.exportField(Field("x", .float64), to: s)
        var oa = ArrowArray(), os = ArrowSchema()
        #expect(arct_record_batch_roundtrip(a, s, &oa, &os) == ARCT_ERR_ARROW)
        #expect(String(cString: arct_last_error_message()!).contains("record batches must be top-level struct arrays"))
        #expect(a.pointee.release == nil && s.pointee.release == nil)
        a.deallocate(); s.deallocate()
    }

    @Test func n27StructWithTopLevelNulls() throws {
        let batch = try Fixtures.batch()
        let bitmap = Fixtures.bitmap([true, false, true, true])
        let r1 = roundtrip(batch) { a, _ in
            a.pointee.buffers![0] = bitmap.baseAddress
            a.pointee.null_count = -1
        }
        #expect(r1.status == ARCT_ERR_ARROW && r1.message.contains("top-level nulls"), "\(r1.message)")
        let r2 = roundtrip(batch) { a, _ in
            a.pointee.buffers![0] = bitmap.baseAddress
            a.pointee.null_count = 1
        }
        #expect(r2.status == ARCT_ERR_ARROW)
        withExtendedLifetime(bitmap) {}
    }

    @Test func n28AlreadyReleasedInput() throws {
        let (a, s) = Fixtures.exported(try Fixtures.batch())
        a.pointee.release!(a)
        var oa = ArrowArray(), os = ArrowSchema()
        #expect(arct_record_batch_roundtrip(a, s, &oa, &os) == ARCT_ERR_ARROW)
        #expect(s.pointee.release == nil, "the schema half is still moved and released")
        a.deallocate(); s.deallocate()
    }

    @Test func n29InvalidUTF8AndDeepNesting() throws {
        for bytes: [UInt8] in [[0xFF], [0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80]] {
            let bad = try RecordBatch(schema: Schema([Field("s", .utf8)]), columns: [
                ArrayData(unchecked: .utf8, length: 1, buffers: [nil, ArrowBuffer(values: [Int32(0), Int32(bytes.count)]), ArrowBuffer(values: bytes)])])
            let r = roundtrip(bad)
            #expect(r.status == ARCT_ERR_ARROW && r.message.contains("UTF-8"), "\(bytes): \(r.message)")
        }
        // 65 levels: struct(struct(...(int32))) with the batch itself as level 1.
        var data = Fixtures.int32([1])
        var field = Field("leaf", .int32)
        for _ in 0..<64 {
            field = Field("n", .struct([field]))
            data = ArrayData(unchecked: field.type, length: 1, buffers: [nil], children: [data])
        }
        let deep = try RecordBatch(schema: Schema([field]), columns: [data])
        let r = roundtrip(deep)
        #expect(r.status == ARCT_ERR_ARROW && r.message.contains("depth"), "\(r.message)")
    }

    @Test func nonNullableFieldWithNulls() throws {
        let batch = try Fixtures.batch()
        let r = roundtrip(batch) { _, s in s.pointee.children![1]!.pointee.flags = 0 }
        #expect(r.status == ARCT_ERR_ARROW && r.message.contains("null"), "\(r.message)")
    }

    @Test func n33MovementMessages() throws {
        func movement(_ fields: [(String, DataType)]) throws -> (Int32, String, RecordBatch?) {
            let cols = fields.map { f -> ArrayData in
                f.1 == .float64 ? Fixtures.float64([1, 2]) : ArrayData(unchecked: .float32, length: 2, buffers: [nil, ArrowBuffer(values: [Float(1), 2])])
            }
            let batch = try RecordBatch(schema: Schema(fields.map { Field($0.0, $0.1) }), columns: cols)
            let (a, s) = Fixtures.exported(batch)
            var oa = ArrowArray(), os = ArrowSchema()
            let status = arct_movement_process(a, s, &oa, &os, 0.5, 7)
            let msg = arct_last_error_message().map { String(cString: $0) } ?? ""
            #expect(a.pointee.release == nil && s.pointee.release == nil)
            a.deallocate(); s.deallocate()
            let out = status == ARCT_OK ? try CDataInterface.importRecordBatch(&oa, schema: &os) : nil
            return (status, msg, out)
        }
        let noDy = try movement([("position__x", .float64), ("position__y", .float64), ("velocity__dx", .float64)])
        #expect(noDy.0 == ARCT_ERR_ARROW && noDy.1 == "Schema error: missing required movement column: velocity__dy")
        let f32 = try movement([("position__x", .float32), ("position__y", .float64), ("velocity__dx", .float64), ("velocity__dy", .float64)])
        #expect(f32.0 == ARCT_ERR_ARROW && f32.1 == "position__x must be Float64")
        let ok = try movement([("id", .float64), ("position__x", .float64), ("position__y", .float64), ("velocity__dx", .float64), ("velocity__dy", .float64)])
        #expect(ok.0 == ARCT_OK)
        let x = ok.2!.column(named: "position__x")!
        #expect(x.buffers[1]!.load(0, as: Double.self) == 1.5 && x.buffers[1]!.load(1, as: Double.self) == 3.0)
    }

    @Test func streamRoundtripConsumesTheInputAndReturnsTheSameBatches() throws {
        let batch = try Fixtures.batch()
        var input = ArrowArrayStream(), output = ArrowArrayStream()
        CDataInterface.exportStream(schema: batch.schema, batches: [batch, batch, batch], to: &input)
        #expect(arct_stream_roundtrip(&input, &output) == ARCT_OK)
        #expect(input.release == nil)
        let reader = try CDataInterface.importStream(&output)
        #expect(try reader.readAll().map(\.length) == [4, 4, 4])
        // A released input stream.
        var again = ArrowArrayStream()
        #expect(arct_stream_roundtrip(&input, &again) == ARCT_ERR_ARROW)
    }

    @Test func concurrentRoundTripsFromManyThreads() async throws {
        let batch = try Fixtures.batch()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var ok = 0
                    for _ in 0..<200 where self.roundtrip(batch).status == ARCT_OK { ok += 1 }
                    return ok
                }
            }
            var total = 0
            for try await n in group { total += n }
            #expect(total == 1600)
        }
    }
}
