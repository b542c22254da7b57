/// entity → table (engine.md §4: `registry`), with per-table counts.
///
/// Ids are dense in practice (the allocator hands them out in order), so ids below a bound
/// live in a flat array of table numbers; larger explicit ids fall back to a dictionary. Per-table
/// counts are kept incrementally so `activeTables()` never scans every entity.
struct EntityRegistry {
    /// Ids below this live in `dense`.
    static let denseLimit: Int32 = 1 << 26
    private var names: [String] = []
    private var numbers: [String: UInt32] = [:]
    private var dense: [UInt32] = []          // table number + 1; 0 = unregistered
    private var sparse: [Int32: UInt32] = [:]
    private(set) var counts: [String: Int] = [:]
    private(set) var count = 0

    private mutating func number(_ name: String) -> UInt32 {
        if let n = numbers[name] { return n }
        names.append(name)
        let n = UInt32(names.count)
        numbers[name] = n
        return n
    }

    subscript(entity: Int32) -> String? {
        get {
            let n: UInt32
            if entity >= 0 && entity < Self.denseLimit {
                n = Int(entity) < dense.count ? dense[Int(entity)] : 0
            } else {
                n = sparse[entity] ?? 0
            }
            return n == 0 ? nil : names[Int(n) - 1]
        }
        set {
            let old = self[entity]
            if let old { counts[old, default: 0] -= 1; count -= 1 }
            let n: UInt32
            if let newValue {
                n = number(newValue)
                counts[newValue, default: 0] += 1
                count += 1
            } else {
                n = 0
            }
            if entity >= 0 && entity < Self.denseLimit {
                let i = Int(entity)
                if i >= dense.count {
                    guard n != 0 else { return }
                    dense.append(contentsOf: repeatElement(0, count: Swift.max(i + 1 - dense.count, dense.count / 2)))
                }
                dense[i] = n
            } else if n == 0 {
                sparse[entity] = nil
            } else {
                sparse[entity] = n
            }
        }
    }

    /// Registers `ids` (all unregistered) to `table` in one pass.
    mutating func register(_ ids: [Int32], to table: String) {
        let n = number(table)
        for e in ids {
            if e >= 0 && e < Self.denseLimit {
                let i = Int(e)
                if i >= dense.count { dense.append(contentsOf: repeatElement(0, count: Swift.max(i + 1 - dense.count, dense.count / 2))) }
                dense[i] = n
            } else {
                sparse[e] = n
            }
        }
        counts[table, default: 0] += ids.count
        count += ids.count
    }

    /// Tables with at least one registered entity.
    var tables: [String] { counts.filter { $0.value > 0 }.map(\.key) }

    /// Every registered entity with its table, sorted by id.
    var sorted: [(Int32, String)] {
        var out: [(Int32, String)] = []
        for (i, n) in dense.enumerated() where n != 0 { out.append((Int32(i), names[Int(n) - 1])) }
        for (e, n) in sparse.sorted(by: { $0.key < $1.key }) { out.append((e, names[Int(n) - 1])) }
        return out.sorted { $0.0 < $1.0 }
    }
}
