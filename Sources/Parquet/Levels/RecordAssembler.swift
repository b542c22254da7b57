import Arrow

/// One decoded leaf column chunk: its levels and its non-null values.
struct DecodedLeaf {
    /// Definition levels; empty when the max definition level is 0 or every entry is at it.
    var def: [Int16]
    /// Repetition levels; empty when the max repetition level is 0.
    var rep: [Int16]
    /// The number of level entries.
    var levelCount: Int
    /// The non-null values, densely packed, already of the leaf's Arrow type.
    var values: ArrayData
}

/// Rebuilds Arrow columns from Dremel levels (the "assembly" half of record shredding and
/// assembly).
///
/// A node at list depth `k` has one slot per level entry `e` with `rep[e] <= k` and
/// `def[e] >= dElem` (the element level of its innermost list ancestor; 0 at the top). Every leaf
/// under the node sees the same slots, so each node reads the levels of its first leaf, and
/// struct children are assembled from their own leaves independently.
enum RecordAssembler {
    /// Assembles the column of `node` from its leaves (`leaves[i]` is leaf `i` of the whole schema).
    ///
    /// - Complexity: O(*entries* × *depth*); a flat column is one pass that turns definition
    ///   levels into a validity bitmap and spreads the values.
    static func assemble(_ node: LevelNode, leaves: [DecodedLeaf], rows: Int) throws(ParquetError) -> ArrayData {
        let column = try build(node, leaves, depth: 0, dElem: 0)
        guard column.length == rows else {
            throw .corrupt("column '\(node.field.name)' has \(column.length) rows, the row group says \(rows)")
        }
        return column
    }

    /// The slots of a node in `leaf`'s level stream.
    static func slots(_ leaf: DecodedLeaf, depth k: Int16, dElem: Int16) -> [Int] {
        let n = leaf.levelCount
        if leaf.rep.isEmpty && (dElem == 0 || leaf.def.isEmpty) { return Array(0..<n) }
        var out: [Int] = []
        out.reserveCapacity(n)
        leaf.rep.withUnsafeBufferPointer { rep in
            leaf.def.withUnsafeBufferPointer { def in
                for e in 0..<n {
                    if !rep.isEmpty && rep[e] > k { continue }
                    if !def.isEmpty && def[e] < dElem { continue }
                    out.append(e)
                }
            }
        }
        return out
    }

    static func build(_ node: LevelNode, _ leaves: [DecodedLeaf], depth k: Int16, dElem: Int16) throws(ParquetError) -> ArrayData {
        switch node {
        case .leaf(let field, let maxDef, _, let index):
            let leaf = leaves[index]
            if k == 0 && leaf.rep.isEmpty {
                // Flat column: one slot per entry.
                return try spread(leaf.values, def: leaf.def, maxDef: maxDef, slots: nil, count: leaf.levelCount, field: field)
            }
            let s = slots(leaf, depth: k, dElem: dElem)
            return try spread(leaf.values, def: leaf.def, maxDef: maxDef, slots: s, count: s.count, field: field)

        case .structNode(let field, let defPresent, let children):
            guard case .leaf(_, _, _, let first) = node.leaves.first! else { throw .corrupt("struct without leaves") }
            let leaf = leaves[first]
            let s = slots(leaf, depth: k, dElem: dElem)
            var kids: [ArrayData] = []
            for child in children {
                let column = try build(child, leaves, depth: k, dElem: dElem)
                guard column.length == s.count else {
                    throw .corrupt("struct '\(field.name)': child '\(child.field.name)' has \(column.length) values, expected \(s.count)")
                }
                kids.append(column)
            }
            // A non-nullable node has no validity: where an ancestor is null its slots hold
            // default values (the ancestor's null covers them).
            let validity = leaf.def.isEmpty || !field.nullable ? nil : bitmap(s.count) { leaf.def[s[$0]] >= defPresent }
            return try checked(ArrayData(unchecked: field.type, length: s.count, nullCount: -1, buffers: [validity], children: kids), field)

        case .list(let field, let defPresent, let defElement, let repLevel, let child):
            guard case .leaf(_, _, _, let first) = node.leaves.first! else { throw .corrupt("list without leaves") }
            let leaf = leaves[first]
            let s = slots(leaf, depth: k, dElem: dElem)
            let values = try build(child, leaves, depth: repLevel, dElem: defElement)
            // Element counts per slot: the slot's first entry starts an element when it reaches
            // defElement; each later entry with rep == repLevel starts another.
            var counts = [Int](repeating: 0, count: s.count)
            leaf.def.withUnsafeBufferPointer { def in
                leaf.rep.withUnsafeBufferPointer { rep in
                    for (i, e) in s.enumerated() {
                        let end = i + 1 < s.count ? s[i + 1] : leaf.levelCount
                        var c = (def.isEmpty || def[e] >= defElement) ? 1 : 0
                        var j = e + 1
                        while j < end {
                            if rep[j] == repLevel && (def.isEmpty || def[j] >= defElement) { c += 1 }
                            j += 1
                        }
                        counts[i] = c
                    }
                }
            }
            let validity = leaf.def.isEmpty || !field.nullable ? nil : bitmap(s.count) { leaf.def[s[$0]] >= defPresent }
            let total = counts.reduce(0, +)
            guard total == values.length else {
                throw .corrupt("list '\(field.name)' has \(total) elements but its child has \(values.length) values")
            }
            switch field.type {
            case .fixedSizeList(_, let n):
                for (i, c) in counts.enumerated() where c != n && (validity.map { Bitmap.get($0.baseAddress, i) } ?? true) {
                    throw .corrupt("fixed_size_list '\(field.name)' element \(i) has \(c) values, expected \(n)")
                }
                // Null slots of a fixed-size list still occupy n child values: pad them.
                var padded = try padFixedSize(values, counts: counts, size: n)
                if case .fixedSizeList(let item, _) = field.type, !item.nullable, padded.nullCount > 0 {
                    padded = withoutValidity(padded)
                }
                return try checked(ArrayData(unchecked: field.type, length: s.count, nullCount: -1, buffers: [validity], children: [padded]), field)
            case .largeList:
                let offsets = MutableBuffer(capacity: (s.count + 1) * 8)
                var acc: Int64 = 0
                offsets.append(acc)
                for c in counts { acc += Int64(c); offsets.append(acc) }
                return try checked(ArrayData(unchecked: field.type, length: s.count, nullCount: -1, buffers: [validity, offsets.finish()], children: [values]), field)
            default:
                guard total <= Int(Int32.max) else { throw .corrupt("list '\(field.name)' has more than 2^31 - 1 values") }
                let offsets = MutableBuffer(capacity: (s.count + 1) * 4)
                var acc: Int32 = 0
                offsets.append(acc)
                for c in counts { acc &+= Int32(truncatingIfNeeded: c); offsets.append(acc) }
                return try checked(ArrayData(unchecked: field.type, length: s.count, nullCount: -1, buffers: [validity, offsets.finish()], children: [values]), field)
            }
        }
    }

    /// Validates an assembled array (cheap checks; the pieces were validated as they were built).
    static func checked(_ data: ArrayData, _ field: Field) throws(ParquetError) -> ArrayData {
        if !field.nullable, data.nullCount > 0 {
            throw .corrupt("non-nullable field '\(field.name)' has \(data.nullCount) null(s)")
        }
        return data
    }

    /// A validity bitmap of `count` bits from a predicate, or nil when every bit is set.
    static func bitmap(_ count: Int, _ valid: (Int) -> Bool) -> ArrowBuffer? {
        var builder = BitmapBuilder(capacity: count)
        var allValid = true
        for i in 0..<count {
            let v = valid(i)
            allValid = allValid && v
            builder.append(v)
        }
        return allValid ? nil : builder.finish()
    }

    /// Inserts `size` null child values for every null slot of a fixed-size list (whose child
    /// was assembled with nothing there).
    static func padFixedSize(_ values: ArrayData, counts: [Int], size: Int) throws(ParquetError) -> ArrayData {
        guard counts.contains(where: { $0 != size }) else { return values }
        // Positions in `values` for every child slot, -1 for padding.
        var positions: [Int] = []
        positions.reserveCapacity(counts.count * size)
        var next = 0
        for c in counts {
            if c == size {
                for _ in 0..<size { positions.append(next); next += 1 }
            } else {
                next += c
                for _ in 0..<size { positions.append(-1) }
            }
        }
        return try ValueSpreader.gather(values, positions: positions)
    }

    /// Places the dense `values` at the valid slots: slot `i` is valid when its entry's
    /// definition level is `maxDef`.
    static func spread(_ values: ArrayData, def: [Int16], maxDef: Int16, slots: [Int]?, count: Int, field: Field) throws(ParquetError) -> ArrayData {
        if def.isEmpty || maxDef == 0 {
            guard values.length == count else {
                throw .corrupt("column '\(field.name)' has \(values.length) values for \(count) entries")
            }
            return values
        }
        var builder = BitmapBuilder(capacity: count)
        var valid = 0
        def.withUnsafeBufferPointer { d in
            if let slots {
                for e in slots { let v = d[e] == maxDef; builder.append(v); if v { valid += 1 } }
            } else {
                for e in 0..<count { let v = d[e] == maxDef; builder.append(v); if v { valid += 1 } }
            }
        }
        guard valid == values.length else {
            throw .corrupt("column '\(field.name)' has \(values.length) values but its levels say \(valid)")
        }
        if valid == count { return values }
        let validity = builder.finish()
        let spread = try ValueSpreader.spread(values, validity: validity, count: count)
        // A non-nullable leaf is "null" only where an ancestor is: keep the default values the
        // spread left there, without a validity bitmap.
        return field.nullable ? spread : withoutValidity(spread)
    }

    /// The same array with every slot marked valid (null slots keep the zero or empty values
    /// the assembly wrote there).
    static func withoutValidity(_ data: ArrayData) -> ArrayData {
        var buffers = data.buffers
        if !buffers.isEmpty { buffers[0] = nil }
        return ArrayData(unchecked: data.type, length: data.length, offset: data.offset, nullCount: 0,
                         buffers: buffers, children: data.children, dictionary: data.dictionary)
    }
}
