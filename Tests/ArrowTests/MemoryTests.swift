import Testing
@testable import Arrow

/// `ArrowMemory.liveBuffers` is process-wide and other tests allocate concurrently, so the
/// check is run until one attempt sees no interference: the counter rose while the arrays were
/// alive and came back to exactly its starting value once they were dropped. A leak fails every
/// attempt.
@Suite("Memory counters", .serialized)
struct MemoryTests {
    /// Builds arrays of every type, runs every kernel on them and drops everything.
    func workload(seed: UInt64) throws -> Int {
        var g = ArrayGenerator(seed: seed)
        var peak = 0
        for t in allTestTypes {
            let a = try g.array(t, length: 40)
            let b = try makeBuilder(for: t)
            b.appendEmptyValues(3)
            b.appendNulls(2)
            let built = try b.finish()
            let taken = try a.take(indices: ArrayData.from([3, nil, 0, 39] as [Int32?]))
            let maskValues: [Bool?] = (0..<40).map { (i: Int) -> Bool? in i % 3 == 0 ? nil : i % 2 == 0 }
            let filtered = try a.filter(mask: ArrayData.from(maskValues))
            let joined = try ArrayData.concatenate([a, taken, filtered])
            _ = joined.logicallyEquals(a)
            peak = Swift.max(peak, ArrowMemory.liveBuffers)
            withExtendedLifetime((built, joined)) {}
        }
        let batch = try RecordBatch(schema: Schema([Field("s", .utf8)]), columns: [try ArrayData.from(["a", nil, "c"])])
        _ = try RecordBatch.concatenate([batch, batch.take([2, 0]), batch.filter(mask: ArrayData.from([true, false, true]))])
        return peak
    }

    @Test func buffersReturnToTheirStartValue() throws {
        var clean = false
        for attempt in 0..<100 where !clean {
            let before = ArrowMemory.liveBuffers
            let peak = try workload(seed: UInt64(attempt))
            let after = ArrowMemory.liveBuffers
            clean = peak > before && after == before
        }
        #expect(clean, "live buffers did not return to their start value")
    }

    @Test func builderBuffersAreFreedWithTheArray() throws {
        var clean = false
        for _ in 0..<100 where !clean {
            let before = ArrowMemory.liveBuffers
            var during = 0
            do {
                let b = StringBuilder()
                for i in 0..<1000 { b.append(i % 7 == 0 ? nil : "value \(i)") }
                let a = try b.finish()
                during = ArrowMemory.liveBuffers
                #expect(a.length == 1000)
            }
            // Three buffers (validity, offsets, data) while alive, none after.
            clean = during - before == 3 && ArrowMemory.liveBuffers == before
        }
        #expect(clean)
    }
}

@Suite("Buffer pool", .serialized)
struct BufferPoolTests {
    @Test func largeBlocksAreReusedAndReleasable() throws {
        let size = 3 << 20   // a 4 MiB class
        var reused = false
        for _ in 0..<50 where !reused {
            var address: UnsafeMutableRawPointer? = nil
            do {
                let first = MutableBuffer.uninitialized(size)
                address = first.baseAddress
                let frozen = first.finish()
                #expect(frozen.count == size)
            }
            // Dropped: the block goes to the pool, and the next allocation of its class gets it
            // back (unless a concurrent test took it first: retry).
            let second = MutableBuffer(capacity: size)
            reused = second.baseAddress == address
        }
        #expect(reused)
        ArrowMemory.releasePooledMemory()
        #expect(ArrowMemory.pooledBytes >= 0)
        let limit = ArrowMemory.poolLimit
        ArrowMemory.poolLimit = -5
        #expect(ArrowMemory.poolLimit == 0)
        ArrowMemory.poolLimit = limit
    }
}
