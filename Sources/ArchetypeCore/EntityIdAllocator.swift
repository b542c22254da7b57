/// Entity id allocation (engine.md §3): `next` starts at 1 and is kept wide (2³¹ means
/// exhausted); reservations are outstanding until spawned; ids are never reused.
struct EntityIdAllocator {
    /// The next automatic id; `Int64(Int32.max) + 1` when exhausted.
    private(set) var next: Int64 = 1
    /// Reserved ids not yet spawned, as disjoint half-open ranges sorted by start: a block of
    /// 2³¹ − 2 reserved ids costs one entry, not 2³¹ − 2.
    private(set) var outstanding: [Range<Int64>] = []

    /// Checks that `n` more ids fit.
    func checkCapacity(_ n: Int64) throws(ArchetypeError) {
        // `next + n - 1` could overflow Int64 for a caller's n: compare with the room left.
        guard n >= 0, n <= Int64(Int32.max) - next + 1 else { throw .entityIdOverflow(requested: n) }
    }

    /// Takes `n` automatic ids.
    mutating func allocate(_ n: Int) throws(ArchetypeError) -> [Int32] {
        try checkCapacity(Int64(n))
        let first = next
        next += Int64(n)
        return (0..<n).map { Int32(truncatingIfNeeded: first + Int64($0)) }
    }

    /// Reserves `n` ≥ 1 contiguous ids.
    mutating func reserve(_ n: Int64) throws(ArchetypeError) -> Int32 {
        guard n >= 1 else { throw .invalidArgument("reserve needs n >= 1, got \(n)") }
        try checkCapacity(n)
        let first = next
        // Blocks are handed out in ascending order, so appending keeps the ranges sorted.
        outstanding.append(first..<(first + n))
        next += n
        return Int32(truncatingIfNeeded: first)
    }

    /// Checks explicit ids (not yet registered, ≥ 1, fresh or reserved, no repeats).
    func checkExplicit(_ ids: [Int32], isRegistered: (Int32) -> Bool) throws(ArchetypeError) {
        var seen = Set<Int32>()
        for id in ids {
            guard id >= 1 else { throw .invalidEntityId(Int64(id)) }
            guard !isRegistered(id), seen.insert(id).inserted else { throw .idAlreadyRegistered(id) }
            guard Int64(id) >= next || isOutstanding(id) else { throw .idNotReserved(id) }
        }
    }

    /// Records explicit ids as used (checked first with ``checkExplicit(_:isRegistered:)``).
    mutating func use(_ ids: [Int32]) {
        for id in ids {
            removeOutstanding(id)
            if Int64(id) >= next { next = Int64(id) + 1 }
        }
    }

    /// The index of the outstanding range holding `id`.
    ///
    /// - Complexity: O(log *r*) for *r* outstanding ranges.
    private func outstandingIndex(_ id: Int32) -> Int? {
        let v = Int64(id)
        var lo = 0
        var hi = outstanding.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if outstanding[mid].upperBound <= v { lo = mid + 1 } else { hi = mid }
        }
        return lo < outstanding.count && outstanding[lo].contains(v) ? lo : nil
    }

    /// Whether `id` is reserved and not yet spawned.
    func isOutstanding(_ id: Int32) -> Bool { outstandingIndex(id) != nil }

    private mutating func removeOutstanding(_ id: Int32) {
        guard let i = outstandingIndex(id) else { return }
        let r = outstanding[i]
        let v = Int64(id)
        let pieces = [r.lowerBound..<v, (v + 1)..<r.upperBound].filter { !$0.isEmpty }
        outstanding.replaceSubrange(i...i, with: pieces)
    }

    /// After a resume: the next id follows the largest id of the run.
    mutating func resume(after maxId: Int32) {
        next = Int64(maxId) + 1
        outstanding = []
    }
}
