/// `take`: gathers elements by index, for every type.
///
/// The result has `indices.count` elements: element `j` is element `indices[j]` of the input,
/// or null where the index is null. Operates on the physical layout (fixed width of any byte
/// width with fast paths for 1, 2, 4, 8 and 16, bit-packed booleans, variable binary with Int32
/// and Int64 offsets, lists recursing on the selected child ranges, fixed-size lists, structs,
/// dictionaries (indices gathered, dictionary kept), null). Sliced inputs (offsets at the top
/// level and in children) are handled. Null slots of variable-length output are empty.

// MARK: Public API

extension ArrayData {
    /// The elements at `indices` (an int8…int64 or uint8…uint64 array; a null index gives a
    /// null element).
    ///
    /// - Throws: `invalidArgument` if `indices` is not an integer array or a non-null index is
    ///   outside `0..<length`; `capacityExceeded` if the gathered strings or list values
    ///   overflow Int32 offsets; `invalidData` if this array's buffers are inconsistent.
    public func take(indices: ArrayData) throws(ArrowError) -> ArrayData {
        try checkLayout()
        let prepared = try PreparedIndices(indices, sourceLength: length)
        return try withExtendedLifetime(prepared) { () throws(ArrowError) -> ArrayData in
            switch prepared.kind {
            case .i32(let ix): return try takeArray(self, ix)
            case .i64(let ix): return try takeArray(self, ix)
            case .allNull(let n): return try ArrayData.allNull(type, length: n)
            }
        }
    }

    /// The elements at `indices` (no null indices).
    ///
    /// - Throws: `invalidArgument` if an index is outside `0..<length`.
    public func take(_ indices: UnsafeBufferPointer<Int32>) throws(ArrowError) -> ArrayData {
        try checkLayout()
        let ix = try GatherIndices<Int32>(checking: indices, sourceLength: length)
        return try takeArray(self, ix)
    }

    /// The elements at `indices` (no null indices).
    ///
    /// - Throws: `invalidArgument` if an index is outside `0..<length`.
    public func take(_ indices: UnsafeBufferPointer<Int>) throws(ArrowError) -> ArrayData {
        try checkLayout()
        let ix = try GatherIndices<Int>(checking: indices, sourceLength: length)
        return try takeArray(self, ix)
    }

    /// The elements at `indices` (no null indices).
    public func take(_ indices: [Int]) throws(ArrowError) -> ArrayData {
        try indices.withUnsafeBufferPointer { (p) throws(ArrowError) -> ArrayData in try take(p) }
    }
}

/// The elements of `array` at `indices` (see ``ArrayData/take(indices:)``).
public func take(_ array: ArrayData, indices: ArrayData) throws(ArrowError) -> ArrayData {
    try array.take(indices: indices)
}

/// The elements of `array` at `indices` (see ``ArrayData/take(_:)-(UnsafeBufferPointer<Int32>)``).
public func take(_ array: ArrayData, indices: UnsafeBufferPointer<Int32>) throws(ArrowError) -> ArrayData {
    try array.take(indices)
}

/// The elements of `array` at `indices` (see ``ArrayData/take(_:)-(UnsafeBufferPointer<Int>)``).
public func take(_ array: ArrayData, indices: UnsafeBufferPointer<Int>) throws(ArrowError) -> ArrayData {
    try array.take(indices)
}

extension RecordBatch {
    /// The rows at `indices` (an integer array; a null index gives a row of nulls, which
    /// throws `schemaMismatch` if a non-nullable column would receive it).
    public func take(indices: ArrayData) throws(ArrowError) -> RecordBatch {
        for c in columns { try c.checkLayout() }
        let prepared = try PreparedIndices(indices, sourceLength: length)
        var out: [ArrayData] = []
        out.reserveCapacity(columns.count)
        try withExtendedLifetime(prepared) { () throws(ArrowError) in
            for c in columns {
                switch prepared.kind {
                case .i32(let ix): out.append(try takeArray(c, ix))
                case .i64(let ix): out.append(try takeArray(c, ix))
                case .allNull(let n): out.append(try ArrayData.allNull(c.type, length: n))
                }
            }
        }
        return try RecordBatch(schema: schema, columns: out, length: indices.length)
    }

    /// The rows at `indices` (no null indices).
    public func take(_ indices: UnsafeBufferPointer<Int32>) throws(ArrowError) -> RecordBatch {
        for c in columns { try c.checkLayout() }
        let ix = try GatherIndices<Int32>(checking: indices, sourceLength: length)
        var out: [ArrayData] = []
        out.reserveCapacity(columns.count)
        for c in columns { out.append(try takeArray(c, ix)) }
        return RecordBatch(uncheckedSchema: schema, columns: out, length: indices.count)
    }

    /// The rows at `indices` (no null indices).
    public func take(_ indices: UnsafeBufferPointer<Int>) throws(ArrowError) -> RecordBatch {
        for c in columns { try c.checkLayout() }
        let ix = try GatherIndices<Int>(checking: indices, sourceLength: length)
        var out: [ArrayData] = []
        out.reserveCapacity(columns.count)
        for c in columns { out.append(try takeArray(c, ix)) }
        return RecordBatch(uncheckedSchema: schema, columns: out, length: indices.count)
    }

    /// The rows at `indices` (no null indices).
    public func take(_ indices: [Int]) throws(ArrowError) -> RecordBatch {
        try indices.withUnsafeBufferPointer { (p) throws(ArrowError) -> RecordBatch in try take(p) }
    }
}

// MARK: Indices

/// Indices ready for gathering: every value is in `0..<sourceLength`; null slots hold 0.
/// The memory is owned elsewhere (see ``PreparedIndices``) or by the caller.
@usableFromInline
struct GatherIndices<I: FixedWidthInteger & SignedInteger & BitwiseCopyable> {
    @usableFromInline let values: UnsafePointer<I>
    @usableFromInline let count: Int
    /// The validity of the indices, nil when none is null.
    @usableFromInline let validity: UnsafeRawPointer?
    @usableFromInline let validityOffset: Int
    @usableFromInline let nullCount: Int

    @usableFromInline
    init(values: UnsafePointer<I>, count: Int, validity: UnsafeRawPointer? = nil, validityOffset: Int = 0, nullCount: Int = 0) {
        self.values = values
        self.count = count
        self.validity = nullCount > 0 ? validity : nil
        self.validityOffset = validityOffset
        self.nullCount = nullCount > 0 ? nullCount : 0
    }

    /// Caller indices without nulls, bounds-checked.
    init(checking buffer: UnsafeBufferPointer<I>, sourceLength n: Int) throws(ArrowError) {
        let base = buffer.baseAddress ?? UnsafeRawPointer(BufferStorage.empty.base).assumingMemoryBound(to: I.self)
        try checkIndexBounds(base, buffer.count, n)
        self.init(values: base, count: buffer.count)
    }

    /// The same indices with their nulls forgotten (for the children of a struct, whose
    /// nulls are the parent's).
    @inlinable var withoutNulls: GatherIndices { GatherIndices(values: values, count: count) }
}

/// Throws unless every index is in `0..<n`. Branch-free min/max reduction (vectorises).
func checkIndexBounds<I: FixedWidthInteger & SignedInteger>(_ p: UnsafePointer<I>, _ count: Int, _ n: Int) throws(ArrowError) {
    guard count > 0 else { return }
    var lo = I.max, hi = I.min
    for j in 0..<count {
        let v = p[j]
        lo = v < lo ? v : lo
        hi = v > hi ? v : hi
    }
    if lo < 0 || Int(truncatingIfNeeded: hi) >= n || (I.bitWidth > Int.bitWidth && hi > I(Int.max)) {
        for j in 0..<count where p[j] < 0 || Int(truncatingIfNeeded: p[j]) >= n {
            throw .invalidArgument("index \(p[j]) at position \(j) is out of bounds for length \(n)")
        }
    }
}

/// Indices from an ArrayData: int32 and int64 used in place when possible; other integer
/// types, misaligned buffers and indices with nulls are copied (nulls → 0).
final class PreparedIndices {
    enum Kind {
        case i32(GatherIndices<Int32>)
        case i64(GatherIndices<Int64>)
        /// The source is empty and every index is null.
        case allNull(Int)
    }
    let kind: Kind
    private let keep: [ArrowBuffer]

    init(_ indices: ArrayData, sourceLength n: Int) throws(ArrowError) {
        guard indices.type.isInteger else { throw .invalidArgument("take indices must be integers, got \(indices.type)") }
        try indices.checkLayout()
        let count = indices.length
        let nulls = indices.nullCount
        let bits = indices.validityStart
        let raw = indices.rawBuffer(1)
        if n == 0 && count > 0 && nulls == count {
            kind = .allNull(count)
            keep = []
            return
        }
        switch indices.type {
        case .int32:
            let p = raw + indices.offset * 4
            if nulls == 0 && Int(bitPattern: p) % 4 == 0 {
                let ix = GatherIndices(values: p.assumingMemoryBound(to: Int32.self), count: count)
                try checkIndexBounds(ix.values, count, n)
                kind = .i32(ix)
                keep = indices.buffers.compactMap { $0 }
                return
            }
            let out = PreparedIndices.copy(Int32.self, count: count, bits: bits, bitOffset: indices.offset) { p.loadUnaligned(fromByteOffset: $0 &* 4, as: Int32.self) }
            let v = UnsafeRawPointer(out.baseAddress).assumingMemoryBound(to: Int32.self)
            try checkIndexBounds(v, count, n)
            kind = .i32(GatherIndices(values: v, count: count, validity: bits, validityOffset: indices.offset, nullCount: nulls))
            keep = indices.buffers.compactMap { $0 } + [out]
        default:
            let p = raw + indices.offset * (indices.type == .int64 || indices.type == .uint64 ? 8 : 0)
            if indices.type == .int64 && nulls == 0 && Int(bitPattern: p) % 8 == 0 {
                let ix = GatherIndices(values: p.assumingMemoryBound(to: Int64.self), count: count)
                try checkIndexBounds(ix.values, count, n)
                kind = .i64(ix)
                keep = indices.buffers.compactMap { $0 }
                return
            }
            let type = indices.type
            let base = raw, off = indices.offset
            let out = PreparedIndices.copy(Int64.self, count: count, bits: bits, bitOffset: off) { j in
                if type == .uint64 {
                    // Values above Int64.max become negative: reported as out of bounds.
                    return Int64(bitPattern: base.loadUnaligned(fromByteOffset: (off &+ j) &* 8, as: UInt64.self))
                }
                return Int64(ArrayData.loadInteger(base, off &+ j, type))
            }
            let v = UnsafeRawPointer(out.baseAddress).assumingMemoryBound(to: Int64.self)
            try checkIndexBounds(v, count, n)
            kind = .i64(GatherIndices(values: v, count: count, validity: bits, validityOffset: off, nullCount: nulls))
            keep = indices.buffers.compactMap { $0 } + [out]
        }
    }

    /// A new aligned buffer of `count` indices read by `load`, null slots set to 0.
    private static func copy<I: FixedWidthInteger & BitwiseCopyable>(
        _: I.Type, count: Int, bits: UnsafeRawPointer?, bitOffset: Int, _ load: (Int) -> I
    ) -> ArrowBuffer {
        let out = MutableBuffer.uninitialized(count * MemoryLayout<I>.stride)
        let dst = out.baseAddress.assumingMemoryBound(to: I.self)
        if let bits {
            let words = BitWords(bits, offset: bitOffset, length: count)
            var j = 0
            for k in 0..<words.wordCount {
                let w = words.word(k)
                let end = Swift.min(count, j + 64)
                var b: UInt64 = 0
                while j < end {
                    let keep = I(truncatingIfNeeded: 0 &- Int64((w >> b) & 1))
                    dst[j] = load(j) & keep
                    j += 1
                    b += 1
                }
            }
        } else {
            for j in 0..<count { dst[j] = load(j) }
        }
        return out.finish()
    }
}

// MARK: Kernel

/// Gathers `ix` from `a` (which passed `checkLayout`; the indices are in bounds).
func takeArray<I>(_ a: ArrayData, _ ix: GatherIndices<I>) throws(ArrowError) -> ArrayData {
    let n = ix.count
    if case .null = a.type { return .nulls(n) }
    if a.length == 0 && n > 0 { return try ArrayData.allNull(a.type, length: n) }   // every index is null
    return try withExtendedLifetime(a) { () throws(ArrowError) -> ArrayData in
        let (validity, nulls) = takeValidity(a, ix)
        switch a.type.layout {
        case .null:
            return .nulls(n)
        case .fixedWidth(let w):
            _ = try checkedBytes(n, w)
            let values = gatherFixed(a.rawBuffer(1) + a.offset * w, width: w, ix)
            return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity, values])
        case .boolean:
            let (values, _) = gatherBits(a.rawBuffer(1), offset: a.offset, ix, and: nil, andOffset: 0)
            return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity, values])
        case .variableBinary(let ow):
            if ow == 4 { return try gatherBinary(a, ix, Int32.self, validity, nulls) }
            return try gatherBinary(a, ix, Int64.self, validity, nulls)
        case .list(let ow):
            if ow == 4 { return try gatherList(a, ix, Int32.self, validity, nulls) }
            return try gatherList(a, ix, Int64.self, validity, nulls)
        case .fixedSizeList(let size):
            let total = try checkedBytes(n, size)
            let ci = MutableBuffer.uninitialized(try checkedBytes(total, 8))
            let dst = ci.baseAddress.assumingMemoryBound(to: Int.self)
            var pos = 0
            for j in 0..<n {
                let start = (a.offset &+ Int(truncatingIfNeeded: ix.values[j])) &* size
                for c in 0..<size { dst[pos &+ c] = start &+ c }
                pos &+= size
            }
            let child = try withExtendedLifetime(ci) { () throws(ArrowError) -> ArrayData in
                try takeArray(a.children[0], GatherIndices<Int>(values: UnsafePointer(dst), count: total))
            }
            return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity], children: [child])
        case .struct:
            var kids: [ArrayData] = []
            kids.reserveCapacity(a.children.count)
            let plain = ix.withoutNulls
            for c in a.children {
                kids.append(try takeArray(c.sliceUnchecked(offset: a.offset, length: a.length), plain))
            }
            return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity], children: kids)
        case .dictionary(let iw):
            let values = gatherFixed(a.rawBuffer(1) + a.offset * iw, width: iw, ix)
            return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity, values], dictionary: a.dictionary)
        }
    }
}

/// The validity of the gathered elements and their null count.
func takeValidity<I>(_ a: ArrayData, _ ix: GatherIndices<I>) -> (ArrowBuffer?, Int) {
    let n = ix.count
    guard let src = a.validityStart else {
        guard let ib = ix.validity else { return (nil, 0) }
        let (bits, set) = Bitmap.copyBits(ib, offset: ix.validityOffset, length: n)
        return (bits, n - set)
    }
    let (bits, set) = gatherBits(src, offset: a.offset, ix, and: ix.validity, andOffset: ix.validityOffset)
    return set == n ? (nil, 0) : (bits, n - set)
}

/// Gathers bits `offset + ix[j]` of `src` (AND-ed with the bitmap `and`, when given) into a new
/// bitmap; returns it with its number of set bits.
func gatherBits<I>(_ src: UnsafeRawPointer, offset: Int, _ ix: GatherIndices<I>, and: UnsafeRawPointer?, andOffset: Int) -> (ArrowBuffer, Int) {
    let n = ix.count
    let out = MutableBuffer.uninitialized(Bitmap.byteCount(forBits: n), slack: 8)
    let dst = out.baseAddress
    let idx = ix.values
    let mask = and.map { BitWords($0, offset: andOffset, length: n) }
    var set = 0
    let words = (n + 63) >> 6
    for k in 0..<words {
        let base = k << 6
        let m = Swift.min(64, n - base)
        var w: UInt64 = 0
        for b in 0..<m {
            let i = offset &+ Int(truncatingIfNeeded: idx[base &+ b])
            let bit = (src.load(fromByteOffset: i >> 3, as: UInt8.self) >> UInt8(truncatingIfNeeded: i & 7)) & 1
            w |= UInt64(bit) << UInt64(b)
        }
        if let mask { w &= mask.word(k) }
        set &+= w.nonzeroBitCount
        // The buffer has 8 bytes of slack: whole-word stores are safe; finish() zeroes the padding.
        dst.storeBytes(of: w, toByteOffset: k << 3, as: UInt64.self)
    }
    return (out.finish(), set)
}

/// Gathers fixed-width values (`width` bytes each) from `src` (offset already applied).
func gatherFixed<I>(_ src: UnsafeRawPointer, width: Int, _ ix: GatherIndices<I>) -> ArrowBuffer {
    switch width {
    case 1: return gatherValues(src, ix, UInt8.self)
    case 2: return gatherValues(src, ix, UInt16.self)
    case 4: return gatherValues(src, ix, UInt32.self)
    case 8: return gatherValues(src, ix, UInt64.self)
    case 16: return gatherValues(src, ix, Decimal128.self)
    default:
        let n = ix.count
        let out = MutableBuffer.uninitialized(n * width)
        let dst = out.baseAddress
        for j in 0..<n {
            (dst + j &* width).copyMemory(from: src + Int(truncatingIfNeeded: ix.values[j]) &* width, byteCount: width)
        }
        return out.finish()
    }
}

func gatherValues<I, T: BitwiseCopyable>(_ src: UnsafeRawPointer, _ ix: GatherIndices<I>, _: T.Type) -> ArrowBuffer {
    let n = ix.count
    let out = MutableBuffer.uninitialized(n * MemoryLayout<T>.stride)
    let dst = out.baseAddress.assumingMemoryBound(to: T.self)
    let idx = ix.values
    let ahead = Swift.max(n &- prefetchDistance, 0)
    for j in 0..<ahead {
        prefetch(src + Int(truncatingIfNeeded: idx[j &+ prefetchDistance]) &* MemoryLayout<T>.stride)
        dst[j] = src.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: idx[j]) &* MemoryLayout<T>.stride, as: T.self)
    }
    for j in ahead..<n {
        dst[j] = src.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: idx[j]) &* MemoryLayout<T>.stride, as: T.self)
    }
    return out.finish()
}

/// New offsets for gathered variable-length elements: element `j` gets the length of source
/// element `ix[j]`, or 0 where the output is null. Returns the offsets, the source start of
/// each element (so that the copy pass reads them sequentially instead of chasing the indices
/// into the source offsets again), and the total, checking each source range against
/// `[first, last]` (out-of-order offsets throw).
func gatherOffsets<I, O: ArrowOffset>(
    _ offsets: UnsafeRawPointer, arrayOffset: Int, _ ix: GatherIndices<I>, _: O.Type, validity: ArrowBuffer?, first: Int, last: Int
) throws(ArrowError) -> (MutableBuffer, MutableBuffer, Int) {
    let n = ix.count
    let out = MutableBuffer.uninitialized((n + 1) * MemoryLayout<O>.stride)
    let dst = out.baseAddress.assumingMemoryBound(to: O.self)
    let startsBuffer = MutableBuffer.uninitialized(n * MemoryLayout<O>.stride)
    let starts = startsBuffer.baseAddress.assumingMemoryBound(to: O.self)
    let src = (offsets + arrayOffset &* MemoryLayout<O>.stride).assumingMemoryBound(to: O.self)
    let idx = ix.values
    dst[0] = 0
    var total = 0
    var bad = false
    if let validity {
        let words = BitWords(validity.baseAddress, offset: 0, length: n)
        for k in 0..<words.wordCount {
            let w = words.word(k)
            let base = k << 6
            let m = Swift.min(64, n - base)
            for b in 0..<m {
                if base &+ b &+ prefetchDistance < n { prefetch(src + Int(truncatingIfNeeded: idx[base &+ b &+ prefetchDistance])) }
                let i = Int(truncatingIfNeeded: idx[base &+ b])
                let so = src[i]
                let s = Int(truncatingIfNeeded: so), e = Int(truncatingIfNeeded: src[i &+ 1])
                bad = bad || (s > e) || (s < first) || (e > last)
                total &+= (e &- s) & (0 &- Int(truncatingIfNeeded: (w >> UInt64(b)) & 1))
                dst[base &+ b &+ 1] = O(truncatingIfNeeded: total)
                starts[base &+ b] = so
            }
        }
    } else {
        for j in 0..<n {
            if j &+ prefetchDistance < n { prefetch(src + Int(truncatingIfNeeded: idx[j &+ prefetchDistance])) }
            let i = Int(truncatingIfNeeded: idx[j])
            let so = src[i]
            let s = Int(truncatingIfNeeded: so), e = Int(truncatingIfNeeded: src[i &+ 1])
            bad = bad || (s > e) || (s < first) || (e > last)
            total &+= e &- s
            dst[j &+ 1] = O(truncatingIfNeeded: total)
            starts[j] = so
        }
    }
    if bad { throw .invalidData("offsets are out of order (the array was not validated)") }
    guard total <= Int(O.max), total <= MutableBuffer.maximumCapacity else {
        throw ArrowError(.capacityExceeded, "gathered values need \(total) offsets, more than \(O.self) holds")
    }
    return (out, startsBuffer, total)
}

func gatherBinary<I, O: ArrowOffset>(_ a: ArrayData, _ ix: GatherIndices<I>, _: O.Type, _ validity: ArrowBuffer?, _ nulls: Int) throws(ArrowError) -> ArrayData {
    let n = ix.count
    let offRaw = a.rawBuffer(1)
    let stride = MemoryLayout<O>.stride
    let first = a.length == 0 ? 0 : Int(offRaw.loadUnaligned(fromByteOffset: a.offset * stride, as: O.self))
    let last = a.length == 0 ? 0 : Int(offRaw.loadUnaligned(fromByteOffset: (a.offset + a.length) * stride, as: O.self))
    let (offsets, startsBuffer, total) = try gatherOffsets(offRaw, arrayOffset: a.offset, ix, O.self, validity: validity, first: first, last: last)
    let dataOut = MutableBuffer.uninitialized(total, slack: 16)
    let dst = dataOut.baseAddress
    let srcData = a.rawBuffer(2)
    let srcCount = a.rawBufferCount(2)
    let dOff = UnsafeRawPointer(offsets.baseAddress).assumingMemoryBound(to: O.self)
    let starts = UnsafeRawPointer(startsBuffer.baseAddress).assumingMemoryBound(to: O.self)
    var prev = 0
    for j in 0..<n {
        if j &+ prefetchDistance < n { prefetch(srcData + Int(truncatingIfNeeded: starts[j &+ prefetchDistance])) }
        let next = Int(truncatingIfNeeded: dOff[j &+ 1])
        let len = next &- prev
        if len > 0 {
            let s = Int(truncatingIfNeeded: starts[j])
            if len <= 16 && s &+ 16 <= srcCount {
                // Short values: two unaligned 8-byte moves (the destination has 16 bytes of
                // slack; bytes past the value are overwritten by the next one or zeroed).
                let lo = srcData.loadUnaligned(fromByteOffset: s, as: UInt64.self)
                let hi = srcData.loadUnaligned(fromByteOffset: s &+ 8, as: UInt64.self)
                dst.storeBytes(of: lo, toByteOffset: prev, as: UInt64.self)
                dst.storeBytes(of: hi, toByteOffset: prev &+ 8, as: UInt64.self)
            } else {
                (dst + prev).copyMemory(from: srcData + s, byteCount: len)
            }
        }
        prev = next
    }
    withExtendedLifetime(startsBuffer) {}
    return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity, offsets.finish(), dataOut.finish()])
}

func gatherList<I, O: ArrowOffset>(_ a: ArrayData, _ ix: GatherIndices<I>, _: O.Type, _ validity: ArrowBuffer?, _ nulls: Int) throws(ArrowError) -> ArrayData {
    let n = ix.count
    let offRaw = a.rawBuffer(1)
    let stride = MemoryLayout<O>.stride
    let first = a.length == 0 ? 0 : Int(offRaw.loadUnaligned(fromByteOffset: a.offset * stride, as: O.self))
    let last = a.length == 0 ? 0 : Int(offRaw.loadUnaligned(fromByteOffset: (a.offset + a.length) * stride, as: O.self))
    let (offsets, startsBuffer, total) = try gatherOffsets(offRaw, arrayOffset: a.offset, ix, O.self, validity: validity, first: first, last: last)
    // The child positions of the selected lists, in order.
    let ci = MutableBuffer.uninitialized(try checkedBytes(total, 8))
    let cdst = ci.baseAddress.assumingMemoryBound(to: Int.self)
    let dOff = UnsafeRawPointer(offsets.baseAddress).assumingMemoryBound(to: O.self)
    let starts = UnsafeRawPointer(startsBuffer.baseAddress).assumingMemoryBound(to: O.self)
    var prev = 0
    for j in 0..<n {
        let next = Int(truncatingIfNeeded: dOff[j &+ 1])
        if next > prev {
            let s = Int(truncatingIfNeeded: starts[j])
            for c in 0..<(next &- prev) { cdst[prev &+ c] = s &+ c }
        }
        prev = next
    }
    withExtendedLifetime(startsBuffer) {}
    let child = try withExtendedLifetime(ci) { () throws(ArrowError) -> ArrayData in
        try takeArray(a.children[0], GatherIndices<Int>(values: UnsafePointer(cdst), count: total))
    }
    return ArrayData(unchecked: a.type, length: n, nullCount: nulls, buffers: [validity, offsets.finish()], children: [child])
}
