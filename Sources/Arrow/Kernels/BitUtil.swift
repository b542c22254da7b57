/// Word-at-a-time bitmap reading and writing shared by the accessors, builders and kernels.

/// Reads a bitmap of `length` bits starting at bit `offset` as 64-bit words, LSB first.
///
/// Never reads past byte `byteCount(offset + length)` of the bitmap, so it is safe on imported
/// buffers without padding; bits past `length` in the last word are zero.
@usableFromInline
struct BitWords {
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let offset: Int
    @usableFromInline let length: Int
    @usableFromInline let byteLimit: Int

    @inlinable
    init(_ base: UnsafeRawPointer, offset: Int, length: Int) {
        self.base = base
        self.offset = offset
        self.length = length
        self.byteLimit = Bitmap.byteCount(forBits: offset + length)
    }

    /// The number of words covering `length` bits.
    @inlinable var wordCount: Int { (length &+ 63) >> 6 }

    /// Bits `[64k, 64k + 64)` of the bitmap (zero beyond `length`).
    @inlinable @inline(__always)
    func word(_ k: Int) -> UInt64 {
        let s = offset &+ (k << 6)
        let byte = s >> 3
        let shift = UInt64(truncatingIfNeeded: s & 7)
        var w: UInt64
        if byte &+ 9 <= byteLimit {
            let lo = base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
            if shift == 0 {
                w = lo
            } else {
                let hi = UInt64(base.load(fromByteOffset: byte &+ 8, as: UInt8.self))
                w = (lo &>> shift) | (hi &<< (64 &- shift))
            }
        } else {
            w = slowWord(byte: byte, shift: shift)
        }
        let rem = length &- (k << 6)
        if rem < 64 { w &= (UInt64(1) &<< UInt64(truncatingIfNeeded: rem)) &- 1 }
        return w
    }

    @usableFromInline @inline(never)
    func slowWord(byte: Int, shift: UInt64) -> UInt64 {
        var lo: UInt64 = 0
        var i = 0
        while i < 8 && byte &+ i < byteLimit {
            lo |= UInt64(base.load(fromByteOffset: byte &+ i, as: UInt8.self)) &<< UInt64(i &* 8)
            i &+= 1
        }
        if shift == 0 { return lo }
        let hi: UInt64 = byte &+ 8 < byteLimit ? UInt64(base.load(fromByteOffset: byte &+ 8, as: UInt8.self)) : 0
        return (lo &>> shift) | (hi &<< (64 &- shift))
    }
}

/// Calls `body` with each 64-bit word of `a AND b` (both starting at bit `offset`).
@inlinable
func forEachWordAnd(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, offset: Int, length: Int, _ body: (UInt64) -> Void) {
    let wa = BitWords(a, offset: offset, length: length)
    let wb = BitWords(b, offset: offset, length: length)
    for k in 0..<wa.wordCount { body(wa.word(k) & wb.word(k)) }
}

/// Writes bits at increasing positions into a destination bitmap, one word at a time. Only
/// bytes that hold appended bits are written (call ``flush()`` at the end); the destination
/// need not be initialised.
@usableFromInline
struct BitAppender {
    @usableFromInline let dst: UnsafeMutableRawPointer
    @usableFromInline var word: UInt64 = 0
    @usableFromInline var count: Int = 0

    @inlinable init(_ dst: UnsafeMutableRawPointer) { self.dst = dst }

    /// Appends the low bit of `bit` (0 or 1).
    @inlinable @inline(__always)
    mutating func append(_ bit: UInt64) {
        word |= bit &<< UInt64(truncatingIfNeeded: count & 63)
        count &+= 1
        if count & 63 == 0 {
            dst.storeBytes(of: word, toByteOffset: ((count &- 64) >> 3), as: UInt64.self)
            word = 0
        }
    }

    /// Appends the low `n` bits of `bits` (n ≤ 64).
    @inlinable @inline(__always)
    mutating func append(bits: UInt64, count n: Int) {
        guard n > 0 else { return }
        let used = count & 63
        word |= bits &<< UInt64(truncatingIfNeeded: used)
        if used &+ n >= 64 {
            dst.storeBytes(of: word, toByteOffset: (count &- used) >> 3, as: UInt64.self)
            word = used == 0 ? 0 : bits &>> UInt64(truncatingIfNeeded: 64 &- used)
        }
        count &+= n
        let r = count & 63
        word = r == 0 ? 0 : word & ((UInt64(1) &<< UInt64(truncatingIfNeeded: r)) &- 1)
    }

    /// Appends `byteCount` whole bytes of `src`; the current position must be a whole byte.
    @inlinable
    mutating func appendAlignedBytes(_ src: UnsafeRawPointer, byteCount: Int) {
        guard byteCount > 0 else { return }
        let used = count & 63
        var start = (count &- used) >> 3
        // Store the bytes of the pending word, then copy straight after them.
        var w = word
        for _ in 0..<(used >> 3) {
            dst.storeBytes(of: UInt8(truncatingIfNeeded: w), toByteOffset: start, as: UInt8.self)
            w &>>= 8
            start &+= 1
        }
        (dst + start).copyMemory(from: src, byteCount: byteCount)
        count &+= byteCount &* 8
        // Reload the now partial word from what was written.
        let r = count & 63
        word = 0
        let wordStart = (count &- r) >> 3
        for i in 0..<(r >> 3) {
            word |= UInt64(dst.load(fromByteOffset: wordStart &+ i, as: UInt8.self)) &<< UInt64(i &* 8)
        }
    }

    /// Stores the pending partial word.
    @inlinable
    mutating func flush() {
        let used = count & 63
        if used != 0 {
            // Store only the bytes that hold bits so as not to write past the bitmap's size.
            let start = (count &- used) >> 3
            let nbytes = (used &+ 7) >> 3
            var w = word
            for i in 0..<nbytes {
                dst.storeBytes(of: UInt8(truncatingIfNeeded: w), toByteOffset: start &+ i, as: UInt8.self)
                w &>>= 8
            }
        }
    }
}

extension MutableBuffer {
    /// Grows the written size by `n` bytes without initialising them and returns their start.
    @inlinable
    func appendUninitialized(_ n: Int) -> UnsafeMutableRawPointer {
        reserve(n)
        let p = pointer + _count
        _count &+= n
        return p
    }

    /// A buffer of `byteCount` uninitialised bytes (plus `slack` allocated, unwritten bytes).
    @inlinable
    static func uninitialized(_ byteCount: Int, slack: Int = 0) -> MutableBuffer {
        let b = MutableBuffer(capacity: byteCount &+ slack)
        _ = b.appendUninitialized(byteCount)
        return b
    }

    /// A zero-filled buffer of `byteCount` bytes (plus `slack` zeroed bytes past the end).
    @inlinable
    static func zeroed(_ byteCount: Int, slack: Int = 0) -> MutableBuffer {
        let b = MutableBuffer(capacity: byteCount &+ slack)
        b.baseAddress.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount &+ slack)
        b._count = byteCount
        return b
    }
}

extension Bitmap {
    /// A new bitmap (offset 0) holding `length` bits copied from `src` at bit `offset`, and the
    /// number of set bits.
    static func copyBits(_ src: UnsafeRawPointer, offset: Int, length: Int) -> (ArrowBuffer, Int) {
        let out = MutableBuffer.zeroed(Bitmap.byteCount(forBits: length), slack: 8)
        let words = BitWords(src, offset: offset, length: length)
        let dst = out.baseAddress
        var set = 0
        let full = length >> 6
        for k in 0..<full {
            let w = words.word(k)
            set &+= w.nonzeroBitCount
            dst.storeBytes(of: w, toByteOffset: k << 3, as: UInt64.self)
        }
        if length & 63 != 0 {
            var w = words.word(full)
            set &+= w.nonzeroBitCount
            var byte = full << 3
            let end = Bitmap.byteCount(forBits: length)
            while byte < end {
                dst.storeBytes(of: UInt8(truncatingIfNeeded: w), toByteOffset: byte, as: UInt8.self)
                w &>>= 8
                byte &+= 1
            }
        }
        return (out.finish(), set)
    }
}
