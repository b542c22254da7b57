/// `filter`: keeps the elements where a boolean mask is true, for every type.
///
/// A null in the mask drops the element (like `null_selection_behavior="drop"` in Arrow C++).
/// Fixed-width values, booleans and validity bitmaps are compacted straight from the mask, a
/// 64-bit mask word at a time (all-zero words skipped, all-one words copied as a block);
/// variable-length and nested layouts gather through the sorted selection indices.

// MARK: Public API

extension ArrayData {
    /// The elements where `mask` (a boolean array of the same length) is true; null mask
    /// slots drop the element.
    ///
    /// - Throws: `invalidArgument` if `mask` is not boolean or its length differs;
    ///   `invalidData` if either array's buffers are inconsistent.
    public func filter(mask: ArrayData) throws(ArrowError) -> ArrayData {
        try checkLayout()
        let plan = try FilterPlan(mask: mask, length: length)
        return try withExtendedLifetime(plan) { () throws(ArrowError) -> ArrayData in try filterArray(self, plan) }
    }
}

/// The elements of `array` where `mask` is true (see ``ArrayData/filter(mask:)``).
public func filter(_ array: ArrayData, mask: ArrayData) throws(ArrowError) -> ArrayData {
    try array.filter(mask: mask)
}

extension RecordBatch {
    /// The rows where `mask` (a boolean array of ``length`` elements) is true; null mask slots
    /// drop the row. The mask is analysed once for all columns.
    public func filter(mask: ArrayData) throws(ArrowError) -> RecordBatch {
        for c in columns { try c.checkLayout() }
        let plan = try FilterPlan(mask: mask, length: length)
        var out: [ArrayData] = []
        out.reserveCapacity(columns.count)
        try withExtendedLifetime(plan) { () throws(ArrowError) in
            for c in columns { out.append(try filterArray(c, plan)) }
        }
        return RecordBatch(uncheckedSchema: schema, columns: out, length: plan.selected)
    }
}

// MARK: Plan

/// The effective mask (values AND validity of the mask array), its selected count, and the
/// selection indices (built on first use).
final class FilterPlan {
    let length: Int
    let bits: UnsafeRawPointer
    let bitOffset: Int
    let selected: Int
    private var keep: [ArrowBuffer]
    private var selection32: GatherIndices<Int32>?
    private var selection64: GatherIndices<Int>?

    init(mask: ArrayData, length: Int) throws(ArrowError) {
        guard case .boolean = mask.type else { throw .invalidArgument("filter mask must be boolean, got \(mask.type)") }
        guard mask.length == length else {
            throw .invalidArgument("filter mask has \(mask.length) elements, the array \(length)")
        }
        try mask.checkLayout()
        self.length = length
        let values = mask.rawBuffer(1)
        keep = mask.buffers.compactMap { $0 }
        if let v = mask.validityStart {
            // Null mask slots drop the element: AND the values with the validity.
            let out = MutableBuffer.uninitialized(Bitmap.byteCount(forBits: length), slack: 8)
            let a = BitWords(values, offset: mask.offset, length: length)
            let b = BitWords(v, offset: mask.offset, length: length)
            var set = 0
            for k in 0..<a.wordCount {
                let w = a.word(k) & b.word(k)
                set &+= w.nonzeroBitCount
                out.baseAddress.storeBytes(of: w, toByteOffset: k << 3, as: UInt64.self)
            }
            let buffer = out.finish()
            keep.append(buffer)
            bits = buffer.baseAddress
            bitOffset = 0
            selected = set
        } else {
            bits = length == 0 ? BufferStorage.empty.base : values
            bitOffset = mask.offset
            selected = length == 0 ? 0 : Bitmap.countSetBits(values, offset: mask.offset, length: length)
        }
    }

    var words: BitWords { BitWords(bits, offset: bitOffset, length: length) }

    /// The positions of the selected elements as Int32 (when every position fits).
    var selectionInt32: GatherIndices<Int32> {
        if let s = selection32 { return s }
        let (buffer, ix) = makeSelection(Int32.self)
        keep.append(buffer)
        selection32 = ix
        return ix
    }

    /// The positions of the selected elements as Int.
    var selectionInt: GatherIndices<Int> {
        if let s = selection64 { return s }
        let (buffer, ix) = makeSelection(Int.self)
        keep.append(buffer)
        selection64 = ix
        return ix
    }

    private func makeSelection<I: FixedWidthInteger & SignedInteger & BitwiseCopyable>(_: I.Type) -> (ArrowBuffer, GatherIndices<I>) {
        let out = MutableBuffer.uninitialized(selected * MemoryLayout<I>.stride, slack: MemoryLayout<I>.stride)
        let dst = out.baseAddress.assumingMemoryBound(to: I.self)
        let words = self.words
        var o = 0
        for k in 0..<words.wordCount {
            let m = words.word(k)
            if m == 0 { continue }
            let base = k << 6
            if m == ~0 {
                for b in 0..<64 { dst[o &+ b] = I(truncatingIfNeeded: base &+ b) }
                o &+= 64
                continue
            }
            let cnt = Swift.min(64, length &- base)
            for b in 0..<cnt {
                // Branch-free: always write, advance when selected (one element of slack).
                dst[o] = I(truncatingIfNeeded: base &+ b)
                o &+= Int(truncatingIfNeeded: (m >> UInt64(b)) & 1)
            }
        }
        let buffer = out.finish()
        return (buffer, GatherIndices(values: UnsafeRawPointer(buffer.baseAddress).assumingMemoryBound(to: I.self), count: selected))
    }
}

// MARK: Kernel

func filterArray(_ a: ArrayData, _ plan: FilterPlan) throws(ArrowError) -> ArrayData {
    let n = plan.selected
    if case .null = a.type { return .nulls(n) }
    if n == a.length { return a }
    if n == 0 {
        if case .dictionary = a.type {
            return ArrayData(unchecked: a.type, length: 0, nullCount: 0, buffers: [nil, .empty], dictionary: a.dictionary)
        }
        return try ArrayData.empty(a.type)
    }
    return try withExtendedLifetime(a) { () throws(ArrowError) -> ArrayData in
        switch a.type.layout {
        case .variableBinary, .list, .fixedSizeList:
            // Gather through the (sorted, in-range) selection indices.
            if a.length <= Int(Int32.max) { return try takeArray(a, plan.selectionInt32) }
            return try takeArray(a, plan.selectionInt)
        default:
            break
        }
        var validity: ArrowBuffer? = nil
        var nulls = 0
        if let v = a.validityStart {
            let (bits, set) = filterBits(v, offset: a.offset, plan)
            if set < n { validity = bits; nulls = n - set }
        }
        switch a.type.layout {
        case .fixedWidth(let w):
            let values = filterFixed(a.rawBuffer(1) + a.offset * w, width: w, plan)
            return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity, values])
        case .boolean:
            let (values, _) = filterBits(a.rawBuffer(1), offset: a.offset, plan)
            return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity, values])
        case .struct:
            var kids: [ArrayData] = []
            kids.reserveCapacity(a.children.count)
            for c in a.children { kids.append(try filterArray(c.sliceUnchecked(offset: a.offset, length: a.length), plan)) }
            return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity], children: kids)
        case .dictionary(let iw):
            let values = filterFixed(a.rawBuffer(1) + a.offset * iw, width: iw, plan)
            return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity, values], dictionary: a.dictionary)
        case .null, .variableBinary, .list, .fixedSizeList:
            return try takeArray(a, plan.selectionInt)   // handled above
        }
    }
}

/// Compacts bits `offset + i` of `src` where the mask is set; returns the new bitmap and its
/// number of set bits.
func filterBits(_ src: UnsafeRawPointer, offset: Int, _ plan: FilterPlan) -> (ArrowBuffer, Int) {
    let n = plan.selected
    let out = MutableBuffer.uninitialized(Bitmap.byteCount(forBits: n))
    var app = BitAppender(out.baseAddress)
    let mask = plan.words
    let values = BitWords(src, offset: offset, length: plan.length)
    var set = 0
    for k in 0..<mask.wordCount {
        let m = mask.word(k)
        if m == 0 { continue }
        let v = values.word(k)
        if m == ~0 {
            set &+= v.nonzeroBitCount
            app.append(bits: v, count: 64)
            continue
        }
        let (r, c) = compressBits(v, m)
        set &+= r.nonzeroBitCount
        app.append(bits: r, count: c)
    }
    app.flush()
    return (out.finish(), set)
}

/// The bits of `v` at the set positions of `m`, packed to the low end (a software PEXT), and
/// their count. Byte at a time through a 256-entry table of in-byte compactions.
@inline(__always)
func compressBits(_ v: UInt64, _ m: UInt64) -> (UInt64, Int) {
    var r: UInt64 = 0
    var pos: UInt64 = 0
    var vv = v, mm = m
    for _ in 0..<8 {
        let mb = Int(truncatingIfNeeded: mm & 0xFF)
        if mb != 0 {
            let packed = UInt64(compactTable[(mb << 8) | Int(truncatingIfNeeded: vv & 0xFF)])
            r |= packed &<< pos
            pos &+= UInt64(truncatingIfNeeded: mb.nonzeroBitCount)
        }
        vv &>>= 8
        mm &>>= 8
    }
    return (r, Int(truncatingIfNeeded: pos))
}

/// `compactTable[mask << 8 | value]`: the bits of `value` at the set bits of `mask`, packed.
@usableFromInline
let compactTable: [UInt8] = {
    var t = [UInt8](repeating: 0, count: 65536)
    for m in 0..<256 {
        for v in 0..<256 {
            var r = 0, pos = 0
            for b in 0..<8 where m & (1 << b) != 0 {
                r |= ((v >> b) & 1) << pos
                pos += 1
            }
            t[(m << 8) | v] = UInt8(r)
        }
    }
    return t
}()

/// Compacts fixed-width values (`width` bytes each, offset applied) where the mask is set.
func filterFixed(_ src: UnsafeRawPointer, width: Int, _ plan: FilterPlan) -> ArrowBuffer {
    switch width {
    case 1: return filterValues(src, plan, UInt8.self)
    case 2: return filterValues(src, plan, UInt16.self)
    case 4: return filterValues(src, plan, UInt32.self)
    case 8: return filterValues(src, plan, UInt64.self)
    case 16: return filterValues(src, plan, Decimal128.self)
    default:
        let out = MutableBuffer.uninitialized(plan.selected * width)
        let dst = out.baseAddress
        let words = plan.words
        var o = 0
        for k in 0..<words.wordCount {
            var m = words.word(k)
            let base = k << 6
            while m != 0 {
                let t = m.trailingZeroBitCount
                (dst + o &* width).copyMemory(from: src + (base &+ t) &* width, byteCount: width)
                o &+= 1
                m &= m &- 1
            }
        }
        return out.finish()
    }
}


func filterValues<T: BitwiseCopyable>(_ src: UnsafeRawPointer, _ plan: FilterPlan, _: T.Type) -> ArrowBuffer {
    let stride = MemoryLayout<T>.stride
    let out = MutableBuffer.uninitialized(plan.selected * stride, slack: stride)
    let dst = out.baseAddress.assumingMemoryBound(to: T.self)
    let words = plan.words
    let length = plan.length
    var o = 0
    for k in 0..<words.wordCount {
        var m = words.word(k)
        if m == 0 { continue }
        let base = k << 6
        if m == ~0 {
            UnsafeMutableRawPointer(dst + o).copyMemory(from: src + base &* stride, byteCount: 64 &* stride)
            o &+= 64
            continue
        }
        if m.nonzeroBitCount < 16 {
            while m != 0 {
                let t = m.trailingZeroBitCount
                dst[o] = src.loadUnaligned(fromByteOffset: (base &+ t) &* stride, as: T.self)
                o &+= 1
                m &= m &- 1
            }
        } else {
            let cnt = Swift.min(64, length &- base)
            for b in 0..<cnt {
                // Branch-free: always write, advance when selected (one element of slack).
                dst[o] = src.loadUnaligned(fromByteOffset: (base &+ b) &* stride, as: T.self)
                o &+= Int(truncatingIfNeeded: (m >> UInt64(b)) & 1)
            }
        }
    }
    return out.finish()
}
