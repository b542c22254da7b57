import Arrow

/// Builds a column chunk's dictionary and the dictionary indices of its values, for
/// RLE_DICTIONARY data pages and a PLAIN dictionary page.
///
/// Works on value bytes, so one encoder serves BYTE_ARRAY (variable lengths) and every fixed
/// width (INT32, INT64, FLOAT, DOUBLE, FIXED_LEN_BYTE_ARRAY; floats are compared by bit pattern,
/// so −0.0, 0.0 and NaN payloads stay distinct). Entries are stored in one flat byte buffer with
/// their offsets and hashes; an open-addressing table (linear probing, load ≤ ½) maps hashes to
/// entries. Nothing is allocated per value, and a value equal to the previous one skips the table.
///
/// Writer flow: ``insert(offsets:data:validity:indices:)`` (or the fixed-width variant) per
/// page's values, ``RLEHybridEncoder/encodeDictionaryIndices(_:bitWidth:into:)`` with
/// ``indexBitWidth`` for the page body, ``plainByteSize`` to decide on the fallback to PLAIN,
/// and ``encodeDictionaryPage(into:)`` at the end of the chunk.
public final class DictionaryEncoder {
    /// The width of fixed-width values, or nil for BYTE_ARRAY.
    public let fixedWidth: Int?
    let bytes = MutableBuffer()
    /// `count + 1` `Int` offsets into `bytes`.
    let offsets = MutableBuffer()
    /// One `UInt64` hash per entry.
    let hashes = MutableBuffer()
    /// Slots: 0 when empty, else the hash's high 32 bits (a tag that avoids most entry
    /// comparisons) above the entry index + 1.
    @exclusivity(unchecked) var table: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) var tableSize: Int
    /// The entries.
    @exclusivity(unchecked) public private(set) var count = 0
    /// The size of the PLAIN dictionary page: entries' bytes, plus 4 per entry for BYTE_ARRAY.
    @exclusivity(unchecked) public private(set) var plainByteSize = 0
    @exclusivity(unchecked) var lastIndex = -1

    /// An empty dictionary for BYTE_ARRAY values (`fixedWidth` nil) or fixed-width values.
    ///
    /// - Complexity: O(1).
    public init(fixedWidth: Int? = nil) {
        self.fixedWidth = fixedWidth.map { Swift.max($0, 0) }
        tableSize = 1024
        table = UnsafeMutablePointer<UInt64>.allocate(capacity: tableSize)
        table.initialize(repeating: 0, count: tableSize)
        offsets.append(0 as Int)
    }

    deinit { table.deallocate() }

    /// Forgets every entry (a new column chunk).
    ///
    /// - Complexity: O(table size).
    public func reset() {
        bytes.resize(to: 0)
        offsets.resize(to: 0)
        offsets.append(0 as Int)
        hashes.resize(to: 0)
        table.update(repeating: 0, count: tableSize)
        count = 0
        plainByteSize = 0
        lastIndex = -1
    }

    /// The bit width of the indices so far: that of `count − 1` (0 for 0 or 1 entries).
    public var indexBitWidth: Int { bitWidth(of: UInt64(Swift.max(count &- 1, 0))) }

    @inline(__always)
    func entry(_ i: Int) -> (UnsafeRawPointer, Int) {
        let o = offsets.baseAddress.assumingMemoryBound(to: Int.self)
        return (UnsafeRawPointer(bytes.baseAddress + o[i]), o[i &+ 1] &- o[i])
    }

    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let m = a.multipliedFullWidth(by: b)
        return m.high ^ m.low
    }

    /// A 64-bit hash of `n` bytes (multiply-mix over 16-byte chunks; reads stay in the range).
    @inline(__always)
    static func hash(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        let k0: UInt64 = 0xA076_1D64_78BD_642F, k1: UInt64 = 0xE703_7ED1_A0B4_28DB, k2: UInt64 = 0x8EBC_6AF0_9C88_C6E3
        var a: UInt64, b: UInt64
        var seed = k2 ^ UInt64(n)
        if n <= 16 {
            if n >= 8 {
                a = p.loadUnaligned(as: UInt64.self)
                b = p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            } else if n >= 4 {
                a = UInt64(p.loadUnaligned(as: UInt32.self))
                b = UInt64(p.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))
            } else if n > 0 {
                a = UInt64(p.load(as: UInt8.self)) << 16 | UInt64(p.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8
                    | UInt64(p.load(fromByteOffset: n &- 1, as: UInt8.self))
                b = 0
            } else {
                a = 0
                b = 0
            }
        } else {
            var i = 0
            while i &+ 16 < n {
                seed = mix(p.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ k0, p.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self) ^ seed)
                i &+= 16
            }
            a = p.loadUnaligned(fromByteOffset: n &- 16, as: UInt64.self)
            b = p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        }
        return mix(k1 ^ UInt64(n), mix(a ^ k0, b ^ seed))
    }

    /// Whether `n` bytes at `a` and `b` are equal (word-wise, inline: values are mostly short).
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i &+ 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i &+= 8
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i &+= 1
        }
        return true
    }

    /// The index of the value `p[0..<n]`, added to the dictionary if new.
    @inline(__always)
    func index(of p: UnsafeRawPointer, _ n: Int) -> UInt32 {
        if lastIndex >= 0 {
            let (q, m) = entry(lastIndex)
            if m == n && DictionaryEncoder.equal(q, p, n) { return UInt32(truncatingIfNeeded: lastIndex) }
        }
        return lookup(p, n)
    }

    func lookup(_ p: UnsafeRawPointer, _ n: Int) -> UInt32 {
        let h = DictionaryEncoder.hash(p, n)
        let tag = h & 0xFFFF_FFFF_0000_0000
        let mask = tableSize &- 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = table[slot]
            if e == 0 { break }
            if e & 0xFFFF_FFFF_0000_0000 == tag {
                let i = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) &- 1
                let (q, m) = entry(i)
                if m == n && DictionaryEncoder.equal(q, p, n) {
                    lastIndex = i
                    return UInt32(truncatingIfNeeded: i)
                }
            }
            slot = (slot &+ 1) & mask
        }
        // A new entry.
        let i = count
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        offsets.append(bytes.count)
        hashes.append(h)
        count &+= 1
        plainByteSize &+= fixedWidth == nil ? n &+ 4 : n
        table[slot] = tag | UInt64(i &+ 1)
        if count &* 2 > tableSize { grow() }
        lastIndex = i
        return UInt32(truncatingIfNeeded: i)
    }

    func grow() {
        let newSize = tableSize &* 2
        let t = UnsafeMutablePointer<UInt64>.allocate(capacity: newSize)
        t.initialize(repeating: 0, count: newSize)
        let mask = newSize &- 1
        let hs = hashes.baseAddress.assumingMemoryBound(to: UInt64.self)
        for i in 0..<count {
            let h = hs[i]
            var slot = Int(truncatingIfNeeded: h) & mask
            while t[slot] != 0 { slot = (slot &+ 1) & mask }
            t[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(i &+ 1)
        }
        table.deallocate()
        table = t
        tableSize = newSize
    }

    /// Adds one value and returns its index.
    ///
    /// - Complexity: O(*value.count*) expected.
    @discardableResult
    public func insert(_ value: UnsafeRawBufferPointer) -> UInt32 {
        index(of: value.baseAddress ?? emptyInputBytes, value.count)
    }

    /// Adds byte arrays given by Arrow `Int32` offsets (`count + 1`) into `data` and appends the
    /// `UInt32` index of each (valid) value to `indices`.
    ///
    /// - Complexity: O(*count* + bytes) expected.
    public func insert(offsets: UnsafeBufferPointer<Int32>, data: UnsafeRawPointer, validity: ValidityFilter? = nil, indices: MutableBuffer) {
        insertGeneric(offsets, data, validity, indices)
    }

    /// Adds byte arrays given by Arrow `Int64` offsets and appends their indices to `indices`.
    ///
    /// - Complexity: O(*count* + bytes) expected.
    public func insert(offsets: UnsafeBufferPointer<Int64>, data: UnsafeRawPointer, validity: ValidityFilter? = nil, indices: MutableBuffer) {
        insertGeneric(offsets, data, validity, indices)
    }

    func insertGeneric<O: FixedWidthInteger>(_ offs: UnsafeBufferPointer<O>, _ data: UnsafeRawPointer, _ validity: ValidityFilter?, _ indices: MutableBuffer) {
        let n = Swift.max(offs.count &- 1, 0)
        let valid = validity?.validCount(n) ?? n
        indices.appendValues(valid, as: UInt32.self) { out in
            var k = 0
            ByteArrayRuns.forEachValid(n, validity) { i in
                let s = Int(offs[i])
                out[k] = index(of: data + s, Int(offs[i &+ 1]) &- s)
                k &+= 1
            }
        }
    }

    /// Adds `count` fixed-width values (``fixedWidth`` bytes each) and appends their indices.
    ///
    /// - Complexity: O(*count* × *fixedWidth*) expected.
    public func insert(fixedWidthValues data: UnsafeRawPointer, count n: Int, validity: ValidityFilter? = nil, indices: MutableBuffer) {
        let w = fixedWidth ?? 0
        let valid = validity?.validCount(n) ?? n
        indices.appendValues(valid, as: UInt32.self) { out in
            var k = 0
            ByteArrayRuns.forEachValid(n, validity) { i in
                out[k] = index(of: data + i &* w, w)
                k &+= 1
            }
        }
    }

    /// Appends the dictionary page body: the entries PLAIN-encoded, in index order.
    ///
    /// - Complexity: O(``plainByteSize``).
    public func encodeDictionaryPage(into sink: MutableBuffer) {
        guard count > 0 else { return }
        if fixedWidth != nil {
            sink.append(contentsOf: UnsafeRawBufferPointer(start: bytes.baseAddress, count: bytes.count))
            return
        }
        sink.reserve(plainByteSize)
        for i in 0..<count {
            let (p, n) = entry(i)
            sink.append(UInt32(truncatingIfNeeded: n).littleEndian)
            sink.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        }
    }
}
