/// Bit-level helpers for validity and boolean buffers (LSB-first bit order, as Arrow uses).
public enum Bitmap {
    /// Reads bit `index` of the bitmap at `bits`.
    @inlinable
    public static func get(_ bits: UnsafeRawPointer, _ index: Int) -> Bool {
        (bits.load(fromByteOffset: index >> 3, as: UInt8.self) >> UInt8(index & 7)) & 1 == 1
    }

    /// Sets bit `index` of the bitmap at `bits` to `value`.
    @inlinable
    public static func set(_ bits: UnsafeMutableRawPointer, _ index: Int, _ value: Bool) {
        let byte = bits.load(fromByteOffset: index >> 3, as: UInt8.self)
        let mask = UInt8(1) << UInt8(index & 7)
        bits.storeBytes(of: value ? byte | mask : byte & ~mask, toByteOffset: index >> 3, as: UInt8.self)
    }

    /// The number of bytes holding `bitCount` bits.
    @inlinable
    public static func byteCount(forBits bitCount: Int) -> Int { (bitCount &+ 7) >> 3 }

    /// Counts the set bits in `[offset, offset + length)`.
    ///
    /// - Complexity: O(*length* / 64), word at a time.
    public static func countSetBits(_ bits: UnsafeRawPointer, offset: Int, length: Int) -> Int {
        guard length > 0 else { return 0 }
        var count = 0
        var i = offset
        let end = offset + length
        // Leading bits up to a byte boundary.
        while i < end && i & 7 != 0 {
            if get(bits, i) { count += 1 }
            i += 1
        }
        // Whole 64-bit words.
        var byte = i >> 3
        while i + 64 <= end {
            count += bits.loadUnaligned(fromByteOffset: byte, as: UInt64.self).nonzeroBitCount
            byte += 8
            i += 64
        }
        while i + 8 <= end {
            count += bits.load(fromByteOffset: byte, as: UInt8.self).nonzeroBitCount
            byte += 1
            i += 8
        }
        while i < end {
            if get(bits, i) { count += 1 }
            i += 1
        }
        return count
    }

    /// Copies `length` bits from `src` starting at bit `srcOffset` to `dst` starting at bit
    /// `dstOffset`.
    ///
    /// - Complexity: O(*length* / 8) when both offsets are byte aligned, O(*length*) otherwise.
    public static func copy(
        from src: UnsafeRawPointer, srcOffset: Int, to dst: UnsafeMutableRawPointer, dstOffset: Int, length: Int
    ) {
        guard length > 0 else { return }
        if srcOffset & 7 == 0 && dstOffset & 7 == 0 {
            let whole = length >> 3
            (dst + (dstOffset >> 3)).copyMemory(from: src + (srcOffset >> 3), byteCount: whole)
            var i = whole << 3
            while i < length {
                set(dst, dstOffset + i, get(src, srcOffset + i))
                i += 1
            }
            return
        }
        // Unaligned: assemble 64 bits at a time from the source.
        var i = 0
        while i + 64 <= length {
            let word = loadBits64(src, srcOffset + i)
            storeBits64(dst, dstOffset + i, word)
            i += 64
        }
        while i < length {
            set(dst, dstOffset + i, get(src, srcOffset + i))
            i += 1
        }
    }

    /// Reads 64 bits starting at bit `offset` (any alignment).
    @inlinable
    static func loadBits64(_ bits: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        let byte = offset >> 3
        let shift = UInt64(offset & 7)
        let lo = bits.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
        if shift == 0 { return lo }
        let hi = UInt64(bits.load(fromByteOffset: byte + 8, as: UInt8.self))
        return (lo >> shift) | (hi << (64 - shift))
    }

    /// Writes 64 bits starting at bit `offset` (any alignment), keeping neighbouring bits.
    @inlinable
    static func storeBits64(_ bits: UnsafeMutableRawPointer, _ offset: Int, _ word: UInt64) {
        let byte = offset >> 3
        let shift = UInt64(offset & 7)
        if shift == 0 {
            bits.storeBytes(of: word, toByteOffset: byte, as: UInt64.self)
            return
        }
        let lo = bits.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
        let keepLo = lo & ((1 << shift) - 1)
        bits.storeBytes(of: keepLo | (word << shift), toByteOffset: byte, as: UInt64.self)
        let hiByte = bits.load(fromByteOffset: byte + 8, as: UInt8.self)
        let keepHi = hiByte & ~UInt8((1 << shift) - 1)
        bits.storeBytes(of: keepHi | UInt8(truncatingIfNeeded: word >> (64 - shift)), toByteOffset: byte + 8, as: UInt8.self)
    }
}

/// Builds a bitmap one bit (or many bits) at a time.
public struct BitmapBuilder {
    @usableFromInline let buffer: MutableBuffer
    @usableFromInline var _count: Int = 0
    /// The number of bits appended.
    @inlinable public var count: Int { _count }

    public init(capacity: Int = 0) {
        buffer = MutableBuffer(capacity: Bitmap.byteCount(forBits: capacity))
    }

    /// Appends one bit.
    @inlinable
    public mutating func append(_ bit: Bool) {
        if _count & 7 == 0 { buffer.append(UInt8(0)) }
        if bit { Bitmap.set(buffer.baseAddress, _count, true) }
        _count &+= 1
    }

    /// Appends `n` copies of `bit`.
    public mutating func append(repeating bit: Bool, count n: Int) {
        guard n > 0 else { return }
        let newCount = _count + n
        buffer.resize(to: Bitmap.byteCount(forBits: newCount))
        if bit {
            var i = _count
            while i < newCount && i & 7 != 0 { Bitmap.set(buffer.baseAddress, i, true); i += 1 }
            let fullStart = i >> 3, fullEnd = newCount >> 3
            if fullEnd > fullStart {
                (buffer.baseAddress + fullStart).initializeMemory(as: UInt8.self, repeating: 0xFF, count: fullEnd - fullStart)
                i = fullEnd << 3
            }
            while i < newCount { Bitmap.set(buffer.baseAddress, i, true); i += 1 }
        }
        _count = newCount
    }

    /// Appends `length` bits of `src` starting at bit `offset`.
    public mutating func append(bits src: UnsafeRawPointer, offset: Int, length: Int) {
        guard length > 0 else { return }
        let newCount = _count + length
        buffer.resize(to: Bitmap.byteCount(forBits: newCount) + 8) // slack for 64-bit stores
        Bitmap.copy(from: src, srcOffset: offset, to: buffer.baseAddress, dstOffset: _count, length: length)
        buffer.resize(to: Bitmap.byteCount(forBits: newCount))
        _count = newCount
    }

    /// Reserves room for `n` more bits.
    public func reserve(_ n: Int) { buffer.reserve(Bitmap.byteCount(forBits: n) + 1) }

    /// Reads bit `index` of what was appended.
    @inlinable public func get(_ index: Int) -> Bool { Bitmap.get(buffer.baseAddress, index) }

    /// Freezes the bits into a buffer; the builder is left empty.
    public mutating func finish() -> ArrowBuffer {
        _count = 0
        return buffer.finish()
    }
}

extension Bitmap {
    /// The validity of an element-wise operation on two arrays: the AND of both validity bitmaps
    /// over `length` elements (each at its own bit offset), or nil when neither has nulls.
    ///
    /// - Complexity: O(*length* / 64).
    public static func intersection(_ a: ArrayData, _ b: ArrayData, length: Int) -> ArrowBuffer? {
        let va = a.nullCount > 0 ? a.validity : nil
        let vb = b.nullCount > 0 ? b.validity : nil
        if va == nil && vb == nil { return nil }
        let bytes = byteCount(forBits: length)
        let out = MutableBuffer(capacity: bytes + 8)
        out.appendZeros(bytes + 8)
        let dst = out.baseAddress
        let words = length >> 6
        for w in 0..<words {
            var word = UInt64.max
            if let va { word &= loadBits64(va.baseAddress, a.offset + w << 6) }
            if let vb { word &= loadBits64(vb.baseAddress, b.offset + w << 6) }
            dst.storeBytes(of: word, toByteOffset: w << 3, as: UInt64.self)
        }
        var i = words << 6
        while i < length {
            let bit = (va.map { get($0.baseAddress, a.offset + i) } ?? true) && (vb.map { get($0.baseAddress, b.offset + i) } ?? true)
            if bit { set(dst, i, true) }
            i += 1
        }
        out.resize(to: bytes)
        return out.finish()
    }
}
