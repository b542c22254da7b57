#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Arrow

/// Frees a `calloc` allocation when the last buffer over it goes.
final class CallocOwner {
    let pointer: UnsafeMutableRawPointer
    init?(bytes: Int) {
        guard let p = calloc(bytes, 1) else { return nil }
        pointer = p
    }
    deinit { free(pointer) }
}

@Suite("Kernel argument errors")
struct KernelErrorTests {
    func expectError(_ kind: ArrowError.Kind, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an ArrowError of kind \(kind)", sourceLocation: sourceLocation)
        } catch let error as ArrowError {
            #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected an ArrowError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    let values = ArrayData.from([1, 2, 3, 4] as [Int32])

    @Test func takeIndexOutOfRange() throws {
        expectError(.invalidArgument) { _ = try values.take([0, 4]) }
        expectError(.invalidArgument) { _ = try values.take([-1]) }
        expectError(.invalidArgument) { _ = try values.take(indices: ArrayData.from([0, 9] as [Int32])) }
        expectError(.invalidArgument) { _ = try values.take(indices: ArrayData.from([Int64.min])) }
        expectError(.invalidArgument) { _ = try values.take(indices: ArrayData.from([UInt64.max])) }
        expectError(.invalidArgument) { _ = try values.take(indices: ArrayData.from([200] as [UInt8])) }
        expectError(.invalidArgument) {
            _ = try [Int32(1), 7].withUnsafeBufferPointer { try values.take($0) }
        }
        // Not integers.
        expectError(.invalidArgument) { _ = try values.take(indices: ArrayData.from([1.0])) }
        expectError(.invalidArgument) { _ = try values.take(indices: try ArrayData.from(["0"])) }
        // Taking from an empty array: only null indices are allowed.
        let empty = try ArrayData.empty(.utf8)
        expectError(.invalidArgument) { _ = try empty.take([0]) }
        let nulls = try empty.take(indices: ArrayData.from([nil, nil] as [Int32?]))
        try nulls.validate()
        #expect(nulls.length == 2 && nulls.nullCount == 2)
        // A garbage value under a null index is ignored.
        let masked = ArrayData(unchecked: .int32, length: 2, buffers: [ArrowBuffer(values: [UInt8(0b01)]), ArrowBuffer(values: [Int32(3), 1_000_000])])
        #expect(try Int32Array(values.take(indices: masked)).toArray() == [4, nil])
        // Batches.
        let batch = try RecordBatch(schema: Schema([Field("v", .int32, nullable: false)]), columns: [values])
        expectError(.invalidArgument) { _ = try batch.take([5]) }
        // A null index would put a null in a non-nullable column.
        expectError(.schemaMismatch) { _ = try batch.take(indices: ArrayData.from([nil, 1] as [Int32?])) }
    }

    @Test func filterMaskErrors() throws {
        expectError(.invalidArgument) { _ = try values.filter(mask: ArrayData.from([true, false])) }
        expectError(.invalidArgument) { _ = try values.filter(mask: ArrayData.from([1, 0, 1, 0] as [Int8])) }
        let batch = try RecordBatch(schema: Schema([Field("v", .int32)]), columns: [values])
        expectError(.invalidArgument) { _ = try batch.filter(mask: ArrayData.from([true])) }
        // Null mask slots drop; an all-null mask keeps nothing.
        let kept = try values.filter(mask: ArrayData.from([true, nil, false, true]))
        #expect(try Int32Array(kept).toArray() == [1, 4])
        #expect(try values.filter(mask: ArrayData.from([nil, nil, nil, nil] as [Bool?])).length == 0)
    }

    @Test func concatenateErrors() throws {
        expectError(.invalidArgument) { _ = try ArrayData.concatenate([]) }
        expectError(.schemaMismatch) { _ = try ArrayData.concatenate([values, ArrayData.from([1.0])]) }
        expectError(.invalidArgument) { _ = try RecordBatch.concatenate([]) }
        let a = try RecordBatch(schema: Schema([Field("v", .int32)]), columns: [values])
        let b = try RecordBatch(schema: Schema([Field("w", .int32)]), columns: [values])
        expectError(.schemaMismatch) { _ = try RecordBatch.concatenate([a, b]) }
        // Field metadata does not matter.
        let c = try RecordBatch(schema: Schema([Field("v", .int32, metadata: [("x", "y")])]), columns: [values])
        #expect(try RecordBatch.concatenate([a, c]).length == 8)
    }

    /// A utf8 array of one value of `bytes` bytes, over untouched (lazily zeroed) memory.
    func hugeString(_ bytes: Int) throws -> (ArrayData, CallocOwner)? {
        guard let owner = CallocOwner(bytes: bytes) else { return nil }
        let data = try #require(ArrowBuffer.foreign(owner.pointer, count: bytes, owner: owner))
        let offsets = ArrowBuffer(values: [Int32(0), Int32(bytes)])
        return (ArrayData(unchecked: .utf8, length: 1, buffers: [nil, offsets, data]), owner)
    }

    @Test func int32OffsetOverflow() throws {
        // 2 × 1.1 GB of string data cannot have Int32 offsets: an error before any copy.
        guard let (big, owner) = try hugeString(1_100_000_000) else { return }
        defer { withExtendedLifetime(owner) {} }
        expectError(.capacityExceeded) { _ = try ArrayData.concatenate([big, big]) }
        expectError(.capacityExceeded) { _ = try big.take([0, 0]) }
        let list = ArrayData(unchecked: .list(Field("item", .utf8)), length: 2,
                             buffers: [nil, ArrowBuffer(values: [Int32(0), 1, 1])], children: [big])
        expectError(.capacityExceeded) { _ = try ArrayData.concatenate([list, list]) }
        // Large offsets do not overflow.
        let large = ArrayData(unchecked: .largeBinary, length: 1, buffers: [nil, ArrowBuffer(values: [Int64(0), 8]), ArrowBuffer(values: [UInt64(7)])])
        #expect(try ArrayData.concatenate([large, large]).length == 2)
    }

    @Test func hugeFixedSizeListsThrowInsteadOfTrapping() throws {
        let type = DataType.fixedSizeList(Field("item", .int8), listSize: 1 << 62)
        let b = try FixedSizeListBuilder(type: type)
        b.reserve(Int.max)
        b.appendNulls(3)
        expectError(.capacityExceeded) { _ = try b.finish() }
        // Taking only null indices from an empty array of that type builds such nulls.
        let empty = try ArrayData.empty(type)
        expectError(.capacityExceeded) { _ = try empty.take(indices: ArrayData.from([nil, nil] as [Int32?])) }
        // Reservations are hints: absurd ones neither trap nor allocate.
        let s = StringBuilder()
        s.reserve(Int.max)
        s.reserve(-1)
        let f = try FixedSizeBinaryBuilder(byteWidth: 1 << 20)
        f.reserve(1 << 40)
        #expect(try s.finish().length == 0 && f.finish().length == 0)
    }

    @Test func unvalidatedGarbageThrowsInsteadOfCrashing() throws {
        let data = ArrowBuffer(values: Array("abcdef".utf8))
        // Offsets out of order in the middle (first and last are fine).
        let bad = ArrayData(unchecked: .utf8, length: 3, buffers: [nil, ArrowBuffer(values: [Int32(0), 5, 2, 6]), data])
        expectError(.invalidData) { _ = try bad.take([1]) }
        expectError(.invalidData) { _ = try bad.filter(mask: ArrayData.from([false, true, false])) }
        let other = try ArrayData.from(["abcde", "", "cdef"])
        #expect(!bad.logicallyEquals(other))
        // Last offset past the data.
        let past = ArrayData(unchecked: .utf8, length: 1, buffers: [nil, ArrowBuffer(values: [Int32(0), 60]), data])
        expectError(.invalidData) { _ = try past.take([0]) }
        expectError(.invalidData) { _ = try ArrayData.concatenate([past, past]) }
        #expect(!past.logicallyEquals(past))
        // List offsets past the child.
        let list = ArrayData(unchecked: .list(Field("item", .int32)), length: 1,
                             buffers: [nil, ArrowBuffer(values: [Int32(0), 9])], children: [values])
        expectError(.invalidData) { _ = try list.take([0]) }
        expectError(.invalidData) { _ = try ArrayData.concatenate([list, list]) }
        // A struct child shorter than the struct.
        let s = ArrayData(unchecked: .struct([Field("a", .int32)]), length: 9, buffers: [nil], children: [values])
        expectError(.invalidData) { _ = try s.filter(mask: ArrayData.from([Bool](repeating: true, count: 9))) }
        // Missing buffers.
        let noValues = ArrayData(unchecked: .int64, length: 4, buffers: [nil, nil])
        expectError(.invalidData) { _ = try noValues.take([0]) }
        // A dictionary index outside the dictionary compares unequal instead of reading past it.
        let dict = try ArrayData.from(["a"])
        let d = ArrayData(unchecked: .dictionary(index: .int8, value: .utf8, ordered: false), length: 1,
                          buffers: [nil, ArrowBuffer(values: [Int8(40)])], dictionary: dict)
        #expect(!d.logicallyEquals(try d.take([0])))
    }
}
