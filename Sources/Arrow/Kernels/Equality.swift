#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Logical equality of arrays and record batches.

extension ArrayData {
    /// Whether both arrays hold the same logical values: same type (field metadata aside),
    /// same length, nulls at the same positions, and equal values at every valid position.
    ///
    /// What does not matter: offsets and slicing (at any depth), buffer padding, the bytes
    /// under null slots (including the child ranges of null list elements), whether a validity
    /// buffer is present when nothing is null, and a dictionary's layout: dictionary arrays
    /// compare by their decoded values.
    ///
    /// Floating-point values compare **bitwise** (as their bit patterns, like every other
    /// fixed-width type): a NaN equals the same NaN, and `0.0` differs from `-0.0`. That keeps
    /// equality reflexive, so ``RecordBatch`` can be `Equatable`.
    ///
    /// Arrays whose buffers are inconsistent (see ``validate()``) compare unequal.
    ///
    /// - Complexity: O(*n*) in the visible data.
    public func logicallyEquals(_ other: ArrayData) -> Bool {
        guard length == other.length, type == other.type || type.equalsIgnoringMetadata(other.type) else { return false }
        guard (try? checkLayout()) != nil, (try? other.checkLayout()) != nil else { return false }
        if storage === other.storage { return true }
        return withExtendedLifetime((self, other)) { rangeEquals(self, 0, other, 0, length) }
    }
}

extension RecordBatch: Equatable {
    /// Equal schemas (metadata included, at every level) and logically equal columns (see
    /// ``ArrayData/logicallyEquals(_:)``: floats compare bitwise).
    public static func == (lhs: RecordBatch, rhs: RecordBatch) -> Bool {
        lhs.length == rhs.length && lhs.schema == rhs.schema
            && zip(lhs.columns, rhs.columns).allSatisfy { $0.logicallyEquals($1) }
    }
}

/// Whether elements `ai..<ai+n` of `a` equal elements `bi..<bi+n` of `b` (indices relative to
/// each array's offset; both arrays of the same type and past `checkLayout`).
func rangeEquals(_ a: ArrayData, _ ai: Int, _ b: ArrayData, _ bi: Int, _ n: Int) -> Bool {
    if n == 0 { return true }
    if case .null = a.type { return true }
    let aoff = a.offset + ai, boff = b.offset + bi
    if case .dictionary = a.type { return dictionaryEquals(a, aoff, b, boff, n) }
    // Null positions.
    var validBits: UnsafeRawPointer? = nil
    switch (a.validityStart, b.validityStart) {
    case (nil, nil):
        break
    case (let x?, nil):
        if Bitmap.countSetBits(x, offset: aoff, length: n) != n { return false }
    case (nil, let y?):
        if Bitmap.countSetBits(y, offset: boff, length: n) != n { return false }
    case (let x?, let y?):
        let wa = BitWords(x, offset: aoff, length: n), wb = BitWords(y, offset: boff, length: n)
        var allValid = true
        for k in 0..<wa.wordCount {
            let u = wa.word(k)
            if u != wb.word(k) { return false }
            let cnt = Swift.min(64, n - (k << 6))
            if u.nonzeroBitCount != cnt { allValid = false }
        }
        if !allValid { validBits = x }
    }
    // Values at valid positions. `validBits` (at bit `aoff`) is nil when all are valid.
    switch a.type.layout {
    case .null:
        return true
    case .fixedWidth(let w):
        let pa = a.rawBuffer(1), pb = b.rawBuffer(1)
        return forEachValidRun(validBits, offset: aoff, length: n) { s, len in
            memcmp(pa + (aoff + s) * w, pb + (boff + s) * w, len * w) == 0
        }
    case .boolean:
        let wa = BitWords(a.rawBuffer(1), offset: aoff, length: n), wb = BitWords(b.rawBuffer(1), offset: boff, length: n)
        let wv = validBits.map { BitWords($0, offset: aoff, length: n) }
        for k in 0..<wa.wordCount {
            var diff = wa.word(k) ^ wb.word(k)
            if let wv { diff &= wv.word(k) }
            if diff != 0 { return false }
        }
        return true
    case .variableBinary(let ow):
        if ow == 4 { return binaryEquals(a, aoff, b, boff, n, validBits, Int32.self) }
        return binaryEquals(a, aoff, b, boff, n, validBits, Int64.self)
    case .list(let ow):
        if ow == 4 { return listEquals(a, aoff, b, boff, n, validBits, Int32.self) }
        return listEquals(a, aoff, b, boff, n, validBits, Int64.self)
    case .fixedSizeList(let size):
        let ca = a.children[0], cb = b.children[0]
        return forEachValidRun(validBits, offset: aoff, length: n) { s, len in
            rangeEquals(ca, (aoff + s) * size, cb, (boff + s) * size, len * size)
        }
    case .struct:
        return forEachValidRun(validBits, offset: aoff, length: n) { s, len in
            for (ca, cb) in zip(a.children, b.children) where !rangeEquals(ca, aoff + s, cb, boff + s, len) { return false }
            return true
        }
    case .dictionary:
        return dictionaryEquals(a, aoff, b, boff, n)
    }
}

/// Dictionary arrays compare by decoded values: an element is null when its index is null or
/// when it indexes a null dictionary value.
func dictionaryEquals(_ a: ArrayData, _ aoff: Int, _ b: ArrayData, _ boff: Int, _ n: Int) -> Bool {
    guard case .dictionary(let indexType, _, _) = a.type, let da = a.dictionary, let db = b.dictionary else { return false }
    let pa = a.rawBuffer(1), pb = b.rawBuffer(1)
    let va = a.validityStart, vb = b.validityStart
    let sameDictionary = da.storage === db.storage
    for i in 0..<n {
        let ia = va.map { Bitmap.get($0, aoff + i) } ?? true
        let ib = vb.map { Bitmap.get($0, boff + i) } ?? true
        let ka = ia ? ArrayData.loadInteger(pa, aoff + i, indexType) : 0
        let kb = ib ? ArrayData.loadInteger(pb, boff + i, indexType) : 0
        guard ka >= 0, ka < da.length || !ia, kb >= 0, kb < db.length || !ib else { return false }
        let nullA = !ia || !da.isValid(ka), nullB = !ib || !db.isValid(kb)
        if nullA != nullB { return false }
        if nullA || (sameDictionary && ka == kb) { continue }
        if !rangeEquals(da, ka, db, kb, 1) { return false }
    }
    return true
}

/// Calls `body(start, count)` for each maximal run of set bits in `length` bits of `bits` from
/// bit `offset` (once for the whole range when `bits` is nil); stops at the first false.
func forEachValidRun(_ bits: UnsafeRawPointer?, offset: Int, length: Int, _ body: (Int, Int) -> Bool) -> Bool {
    guard let bits else { return body(0, length) }
    let words = BitWords(bits, offset: offset, length: length)
    var runStart = -1
    for k in 0..<words.wordCount {
        let w = words.word(k)
        let base = k << 6
        let cnt = Swift.min(64, length - base)
        let full: UInt64 = cnt == 64 ? ~0 : (UInt64(1) << UInt64(cnt)) - 1
        if w == full {
            if runStart < 0 { runStart = base }
            continue
        }
        if w == 0 {
            if runStart >= 0 {
                if !body(runStart, base - runStart) { return false }
                runStart = -1
            }
            continue
        }
        for b in 0..<cnt {
            if (w >> UInt64(b)) & 1 == 1 {
                if runStart < 0 { runStart = base + b }
            } else if runStart >= 0 {
                if !body(runStart, base + b - runStart) { return false }
                runStart = -1
            }
        }
    }
    if runStart >= 0 { return body(runStart, length - runStart) }
    return true
}

/// Whether the relative offsets of runs match and returns the (start, end) value ranges.
@inline(__always)
func offsetsMatch<O: ArrowOffset>(_ oa: UnsafeRawPointer, _ aoff: Int, _ ob: UnsafeRawPointer, _ boff: Int, _ s: Int, _ len: Int, _: O.Type) -> (Int, Int, Int, Int)? {
    let st = MemoryLayout<O>.stride
    let a0 = Int(oa.loadUnaligned(fromByteOffset: (aoff + s) * st, as: O.self))
    let b0 = Int(ob.loadUnaligned(fromByteOffset: (boff + s) * st, as: O.self))
    var prevA = a0
    for i in 1...len {
        let x = Int(oa.loadUnaligned(fromByteOffset: (aoff + s + i) * st, as: O.self))
        let y = Int(ob.loadUnaligned(fromByteOffset: (boff + s + i) * st, as: O.self))
        if x - a0 != y - b0 || x < prevA { return nil }
        prevA = x
    }
    let a1 = Int(oa.loadUnaligned(fromByteOffset: (aoff + s + len) * st, as: O.self))
    let b1 = Int(ob.loadUnaligned(fromByteOffset: (boff + s + len) * st, as: O.self))
    return (a0, a1, b0, b1)
}

func binaryEquals<O: ArrowOffset>(_ a: ArrayData, _ aoff: Int, _ b: ArrayData, _ boff: Int, _ n: Int, _ validBits: UnsafeRawPointer?, _: O.Type) -> Bool {
    let oa = a.rawBuffer(1), ob = b.rawBuffer(1)
    let da = a.rawBuffer(2), db = b.rawBuffer(2)
    let ca = a.rawBufferCount(2), cb = b.rawBufferCount(2)
    return forEachValidRun(validBits, offset: aoff, length: n) { s, len in
        guard let (a0, a1, b0, b1) = offsetsMatch(oa, aoff, ob, boff, s, len, O.self) else { return false }
        guard a0 >= 0, a1 <= ca, b0 >= 0, b1 <= cb, b1 >= b0 else { return false }
        return a1 == a0 || memcmp(da + a0, db + b0, a1 - a0) == 0
    }
}

func listEquals<O: ArrowOffset>(_ a: ArrayData, _ aoff: Int, _ b: ArrayData, _ boff: Int, _ n: Int, _ validBits: UnsafeRawPointer?, _: O.Type) -> Bool {
    let oa = a.rawBuffer(1), ob = b.rawBuffer(1)
    let ca = a.children[0], cb = b.children[0]
    return forEachValidRun(validBits, offset: aoff, length: n) { s, len in
        guard let (a0, a1, b0, b1) = offsetsMatch(oa, aoff, ob, boff, s, len, O.self) else { return false }
        guard a0 >= 0, a1 <= ca.length, b0 >= 0, b1 <= cb.length, b1 >= b0 else { return false }
        return rangeEquals(ca, a0, cb, b0, a1 - a0)
    }
}
