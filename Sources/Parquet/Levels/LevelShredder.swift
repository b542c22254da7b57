import Arrow

/// What the writer encodes for one leaf column: its levels and which values of the leaf array
/// to write.
struct ShreddedLeaf {
    /// Definition levels, one per level entry. Empty when the leaf's max definition level is 0,
    /// or when every entry is at the max definition level (a flat column without nulls), which
    /// the writer encodes as a single run without materialising the levels.
    var def: [Int16]
    /// Repetition levels; empty when the leaf's max repetition level is 0.
    var rep: [Int16]
    /// The number of level entries (Parquet's `num_values`).
    var levelCount: Int
    /// The leaf array the selected positions refer to.
    var values: ArrayData
    /// The positions of `values` to write, in order.
    var selection: ValueSelection
    /// The number of values written (non-null entries).
    var valueCount: Int
}

/// The values of a leaf array that a page holds.
enum ValueSelection {
    /// Every non-null position of `values` in `range` (nulls skipped through the validity bitmap):
    /// the flat-column case, which needs no index list.
    case nonNull(Range<Int>)
    /// Exactly these positions (all non-null), in order.
    case positions([Int])
}

/// Turns Arrow columns into Dremel definition and repetition levels (the "shredding" half of the
/// record shredding and assembly algorithm).
enum LevelShredder {
    /// Shreds `column` (the Arrow array of the field `node` was built from) into one entry per
    /// leaf, in leaf order.
    ///
    /// - Complexity: O(*level entries*) per leaf; flat columns take a fast path that builds
    ///   definition levels straight from the validity bitmap.
    static func shred(_ node: LevelNode, column: ArrayData) throws(ParquetError) -> [ShreddedLeaf] {
        if case .leaf(_, let maxDef, _, _) = node {
            return [flatLeaf(column, maxDef: maxDef)]
        }
        var out: [ShreddedLeaf] = []
        out.reserveCapacity(node.leafCount)
        let n = column.length
        let slots = Slots(pos: Array(0..<n), def: [Int16](repeating: 0, count: n), rep: [Int16](repeating: 0, count: n))
        try walk(node, column, slots, &out)
        return out
    }

    /// A top-level leaf: one level entry per row.
    static func flatLeaf(_ column: ArrayData, maxDef: Int16) -> ShreddedLeaf {
        let n = column.length
        var def: [Int16] = []
        var valueCount = n
        if maxDef > 0 {
            if column.nullCount > 0 {
                def = [Int16](unsafeUninitializedCapacity: n) { out, initialized in
                    if let v = column.validity {
                        let bits = v.baseAddress, off = column.offset
                        for i in 0..<n { out[i] = Bitmap.get(bits, off &+ i) ? 1 : 0 }
                    } else {
                        for i in 0..<n { out[i] = 0 } // the null type: nothing is valid
                    }
                    initialized = n
                }
                valueCount = n - column.nullCount
            }
        }
        return ShreddedLeaf(def: def, rep: [], levelCount: n, values: column, selection: .nonNull(0..<n), valueCount: valueCount)
    }

    /// Level entries flowing into a node: the position of each entry in the node's array
    /// (-1 when an ancestor is null or empty, so the node has no element there), and the levels
    /// decided so far.
    struct Slots {
        var pos: [Int]
        var def: [Int16]
        var rep: [Int16]
    }

    static func walk(_ node: LevelNode, _ array: ArrayData, _ slots: Slots, _ out: inout [ShreddedLeaf]) throws(ParquetError) {
        switch node {
        case .leaf(let field, let maxDef, let maxRep, _):
            var def = slots.def
            var positions: [Int] = []
            positions.reserveCapacity(slots.pos.count)
            for i in 0..<slots.pos.count {
                let p = slots.pos[i]
                guard p >= 0 else { continue }
                if array.isValid(p) {
                    def[i] = maxDef
                    positions.append(p)
                } else if !field.nullable {
                    throw .schema(file: "", detail: "non-nullable field '\(field.name)' holds a null")
                }
            }
            out.append(ShreddedLeaf(def: maxDef > 0 ? def : [], rep: maxRep > 0 ? slots.rep : [], levelCount: slots.pos.count,
                                    values: array, selection: .positions(positions), valueCount: positions.count))

        case .structNode(let field, let defPresent, let children):
            var next = slots
            for i in 0..<next.pos.count where next.pos[i] >= 0 {
                if array.isValid(next.pos[i]) {
                    next.def[i] = defPresent
                } else {
                    guard field.nullable else { throw .schema(file: "", detail: "non-nullable struct '\(field.name)' holds a null") }
                    next.pos[i] = -1
                }
            }
            let columns = array.logicalChildren
            for (child, column) in zip(children, columns) {
                try walk(child, column, next, &out)
            }

        case .list(let field, let defPresent, let defElement, let repLevel, let child):
            var next = Slots(pos: [], def: [], rep: [])
            next.pos.reserveCapacity(slots.pos.count)
            next.def.reserveCapacity(slots.pos.count)
            next.rep.reserveCapacity(slots.pos.count)
            let bounds = ListBounds(array)
            for i in 0..<slots.pos.count {
                let p = slots.pos[i]
                if p < 0 {
                    next.pos.append(-1); next.def.append(slots.def[i]); next.rep.append(slots.rep[i])
                    continue
                }
                guard array.isValid(p) else {
                    guard field.nullable else { throw .schema(file: "", detail: "non-nullable list '\(field.name)' holds a null") }
                    next.pos.append(-1); next.def.append(defPresent - 1); next.rep.append(slots.rep[i])
                    continue
                }
                let (start, end) = bounds.range(p)
                if start == end {
                    next.pos.append(-1); next.def.append(defPresent); next.rep.append(slots.rep[i])
                    continue
                }
                for j in start..<end {
                    next.pos.append(j)
                    next.def.append(defElement)
                    next.rep.append(j == start ? slots.rep[i] : repLevel)
                }
            }
            try walk(child, array.children[0], next, &out)
        }
    }
}

/// Element ranges of a list-like array (list, large_list, map, fixed_size_list) in its child's
/// positions.
struct ListBounds {
    let offsets32: UnsafePointer<Int32>?
    let offsets64: UnsafePointer<Int64>?
    let fixedSize: Int
    let offset: Int
    let data: ArrayData

    init(_ array: ArrayData) {
        data = array
        offset = array.offset
        switch array.type.layout {
        case .list(4):
            offsets32 = array.buffers[1]?.baseAddress.assumingMemoryBound(to: Int32.self)
            offsets64 = nil
            fixedSize = 0
        case .list:
            offsets32 = nil
            offsets64 = array.buffers[1]?.baseAddress.assumingMemoryBound(to: Int64.self)
            fixedSize = 0
        case .fixedSizeList(let n):
            offsets32 = nil
            offsets64 = nil
            fixedSize = n
        default:
            offsets32 = nil
            offsets64 = nil
            fixedSize = 0
        }
    }

    /// The child positions of element `i` (relative to the array's offset).
    @inline(__always)
    func range(_ i: Int) -> (Int, Int) {
        let k = offset + i
        if let o = offsets32 { return (Int(o[k]), Int(o[k + 1])) }
        if let o = offsets64 { return (Int(o[k]), Int(o[k + 1])) }
        return (k * fixedSize, (k + 1) * fixedSize)
    }
}
