import Arrow
import CArrowABI

/// Small hand-built arrays (no builders), so these tests depend only on the C Data layer.
enum Fixtures {
    static func int32(_ values: [Int32], validity: [Bool]? = nil) -> ArrayData {
        ArrayData(unchecked: .int32, length: values.count, buffers: [validity.map(bitmap), ArrowBuffer(values: values)])
    }

    static func float64(_ values: [Double], validity: [Bool]? = nil) -> ArrayData {
        ArrayData(unchecked: .float64, length: values.count, buffers: [validity.map(bitmap), ArrowBuffer(values: values)])
    }

    static func utf8(_ values: [String?]) -> ArrayData {
        var offsets: [Int32] = [0]
        var data: [UInt8] = []
        for v in values {
            data += Array((v ?? "").utf8)
            offsets.append(Int32(data.count))
        }
        let hasNull = values.contains { $0 == nil }
        return ArrayData(unchecked: .utf8, length: values.count,
                         buffers: [hasNull ? bitmap(values.map { $0 != nil }) : nil, ArrowBuffer(values: offsets), ArrowBuffer(values: data)])
    }

    static func bitmap(_ bits: [Bool]) -> ArrowBuffer {
        var bytes = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, b) in bits.enumerated() where b { bytes[i / 8] |= 1 << UInt8(i % 8) }
        return ArrowBuffer(values: bytes)
    }

    static func list(_ child: ArrayData, offsets: [Int32], validity: [Bool]? = nil) -> ArrayData {
        ArrayData(unchecked: .list(Field("item", child.type)), length: offsets.count - 1,
                  buffers: [validity.map(bitmap), ArrowBuffer(values: offsets)], children: [child])
    }

    /// A three-column batch: id int32 (non-null), x float64 (one null), name utf8 (one null).
    static func batch() throws -> RecordBatch {
        try RecordBatch(
            schema: Schema([
                Field("id", .int32, nullable: false, metadata: [("unit", "none")]),
                Field("x", .float64),
                Field("name", .utf8),
            ], metadata: [("origin", "test")]),
            columns: [int32([1, 2, 3, 4]), float64([0.5, 0, 2.5, -1], validity: [true, false, true, true]), utf8(["a", nil, "ccc", "dé"])]
        )
    }

    /// Exports `batch` into fresh heap structs (the caller releases or passes them on).
    static func exported(_ batch: RecordBatch) -> (UnsafeMutablePointer<ArrowArray>, UnsafeMutablePointer<ArrowSchema>) {
        let a = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        let s = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
        CDataInterface.exportRecordBatch(batch, array: a, schema: s)
        return (a, s)
    }

    static func free(_ a: UnsafeMutablePointer<ArrowArray>, _ s: UnsafeMutablePointer<ArrowSchema>) {
        a.pointee.release?(a)
        s.pointee.release?(s)
        a.deallocate()
        s.deallocate()
    }
}
