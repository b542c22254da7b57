/// Unpacking of bit-packed values, LSB first, 8 values per group (the packing of the
/// RLE/bit-packed hybrid and of DELTA_BINARY_PACKED miniblocks, Encodings.md).
///
/// The kernels are specialised per bit width: a `switch` calls an always-inlined kernel with a
/// literal width, so shifts and masks are constants and the 8 values of a group are unrolled.
/// The fast kernels load 8 bytes at a time and may read up to 8 bytes past a group; callers go
/// through ``BitUnpack/unpack(_:available:first:count:width:into:)``, which uses them only where
/// that slack exists and copies the last groups into a zero-padded scratch otherwise.
enum BitUnpack {
    /// Unpacks `groups` whole groups (8 values each, `w` bytes each) from `src` into `dst`.
    @inline(__always)
    static func kernel<T: FixedWidthInteger>(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<T>, _ groups: Int, _ w: Int) {
        let mask: UInt64 = w == 64 ? UInt64.max : (UInt64(1) << UInt64(w)) &- 1
        var s = src
        var d = dst
        for _ in 0..<groups {
            for i in 0..<8 {
                let bit = i &* w
                let byte = bit >> 3
                let shift = bit & 7
                var v = UInt64(littleEndian: s.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) >> UInt64(shift)
                if shift &+ w > 64 {
                    v |= UInt64(s.load(fromByteOffset: byte &+ 8, as: UInt8.self)) << UInt64(64 &- shift)
                }
                d[i] = T(truncatingIfNeeded: v & mask)
            }
            s += w
            d += 8
        }
    }

    /// Whole groups of width 0…32, width-specialised.
    @inline(never)
    static func groups32<T: FixedWidthInteger>(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<T>, _ groups: Int, _ width: Int) {
        switch width {
        case 0: dst.initialize(repeating: 0, count: groups &* 8)
        case 1: kernel(src, dst, groups, 1)
        case 2: kernel(src, dst, groups, 2)
        case 3: kernel(src, dst, groups, 3)
        case 4: kernel(src, dst, groups, 4)
        case 5: kernel(src, dst, groups, 5)
        case 6: kernel(src, dst, groups, 6)
        case 7: kernel(src, dst, groups, 7)
        case 8: kernel(src, dst, groups, 8)
        case 9: kernel(src, dst, groups, 9)
        case 10: kernel(src, dst, groups, 10)
        case 11: kernel(src, dst, groups, 11)
        case 12: kernel(src, dst, groups, 12)
        case 13: kernel(src, dst, groups, 13)
        case 14: kernel(src, dst, groups, 14)
        case 15: kernel(src, dst, groups, 15)
        case 16: kernel(src, dst, groups, 16)
        case 17: kernel(src, dst, groups, 17)
        case 18: kernel(src, dst, groups, 18)
        case 19: kernel(src, dst, groups, 19)
        case 20: kernel(src, dst, groups, 20)
        case 21: kernel(src, dst, groups, 21)
        case 22: kernel(src, dst, groups, 22)
        case 23: kernel(src, dst, groups, 23)
        case 24: kernel(src, dst, groups, 24)
        case 25: kernel(src, dst, groups, 25)
        case 26: kernel(src, dst, groups, 26)
        case 27: kernel(src, dst, groups, 27)
        case 28: kernel(src, dst, groups, 28)
        case 29: kernel(src, dst, groups, 29)
        case 30: kernel(src, dst, groups, 30)
        case 31: kernel(src, dst, groups, 31)
        case 32: kernel(src, dst, groups, 32)
        default: preconditionFailure("bit width \(width) checked by the caller")
        }
    }

    /// Whole groups of width 0…64 into 64-bit values, width-specialised.
    @inline(never)
    static func groups64(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<UInt64>, _ groups: Int, _ width: Int) {
        switch width {
        case 0: dst.initialize(repeating: 0, count: groups &* 8)
        case 1: kernel(src, dst, groups, 1)
        case 2: kernel(src, dst, groups, 2)
        case 3: kernel(src, dst, groups, 3)
        case 4: kernel(src, dst, groups, 4)
        case 5: kernel(src, dst, groups, 5)
        case 6: kernel(src, dst, groups, 6)
        case 7: kernel(src, dst, groups, 7)
        case 8: kernel(src, dst, groups, 8)
        case 9: kernel(src, dst, groups, 9)
        case 10: kernel(src, dst, groups, 10)
        case 11: kernel(src, dst, groups, 11)
        case 12: kernel(src, dst, groups, 12)
        case 13: kernel(src, dst, groups, 13)
        case 14: kernel(src, dst, groups, 14)
        case 15: kernel(src, dst, groups, 15)
        case 16: kernel(src, dst, groups, 16)
        case 17: kernel(src, dst, groups, 17)
        case 18: kernel(src, dst, groups, 18)
        case 19: kernel(src, dst, groups, 19)
        case 20: kernel(src, dst, groups, 20)
        case 21: kernel(src, dst, groups, 21)
        case 22: kernel(src, dst, groups, 22)
        case 23: kernel(src, dst, groups, 23)
        case 24: kernel(src, dst, groups, 24)
        case 25: kernel(src, dst, groups, 25)
        case 26: kernel(src, dst, groups, 26)
        case 27: kernel(src, dst, groups, 27)
        case 28: kernel(src, dst, groups, 28)
        case 29: kernel(src, dst, groups, 29)
        case 30: kernel(src, dst, groups, 30)
        case 31: kernel(src, dst, groups, 31)
        case 32: kernel(src, dst, groups, 32)
        case 33: kernel(src, dst, groups, 33)
        case 34: kernel(src, dst, groups, 34)
        case 35: kernel(src, dst, groups, 35)
        case 36: kernel(src, dst, groups, 36)
        case 37: kernel(src, dst, groups, 37)
        case 38: kernel(src, dst, groups, 38)
        case 39: kernel(src, dst, groups, 39)
        case 40: kernel(src, dst, groups, 40)
        case 41: kernel(src, dst, groups, 41)
        case 42: kernel(src, dst, groups, 42)
        case 43: kernel(src, dst, groups, 43)
        case 44: kernel(src, dst, groups, 44)
        case 45: kernel(src, dst, groups, 45)
        case 46: kernel(src, dst, groups, 46)
        case 47: kernel(src, dst, groups, 47)
        case 48: kernel(src, dst, groups, 48)
        case 49: kernel(src, dst, groups, 49)
        case 50: kernel(src, dst, groups, 50)
        case 51: kernel(src, dst, groups, 51)
        case 52: kernel(src, dst, groups, 52)
        case 53: kernel(src, dst, groups, 53)
        case 54: kernel(src, dst, groups, 54)
        case 55: kernel(src, dst, groups, 55)
        case 56: kernel(src, dst, groups, 56)
        case 57: kernel(src, dst, groups, 57)
        case 58: kernel(src, dst, groups, 58)
        case 59: kernel(src, dst, groups, 59)
        case 60: kernel(src, dst, groups, 60)
        case 61: kernel(src, dst, groups, 61)
        case 62: kernel(src, dst, groups, 62)
        case 63: kernel(src, dst, groups, 63)
        case 64: kernel(src, dst, groups, 64)
        default: preconditionFailure("bit width \(width) checked by the caller")
        }
    }

    @inline(__always)
    static func groups<T: FixedWidthInteger>(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<T>, _ groups: Int, _ width: Int) {
        if T.bitWidth == 64 && width > 32 {
            groups64(src, UnsafeMutableRawPointer(dst).assumingMemoryBound(to: UInt64.self), groups, width)
        } else {
            groups32(src, dst, groups, width)
        }
    }

    /// Unpacks values `first ..< first + count` of a packed run that starts at `src`, of which
    /// `available` bytes may be read, into `dst`.
    ///
    /// Preconditions (checked by callers against the input): `0 ≤ width ≤ 64` (≤ 32 unless `T`
    /// is 64 bits wide) and `(first + count) * width ≤ available * 8`.
    ///
    /// - Complexity: O(*count*); whole groups go through the fast kernel.
    static func unpack<T: FixedWidthInteger>(
        _ src: UnsafeRawPointer, available: Int, first: Int, count: Int, width: Int, into dst: UnsafeMutablePointer<T>
    ) {
        guard count > 0 else { return }
        if width == 0 {
            dst.initialize(repeating: 0, count: count)
            return
        }
        var out = dst
        var index = first
        let end = first &+ count
        // The groups that have 8 bytes of readable slack after them.
        let fastLimit = available >= 8 ? (available &- 8) / width : 0
        // A leading partial group.
        if index & 7 != 0 {
            let g = index >> 3
            let take = Swift.min(8 &- (index & 7), end &- index)
            oneGroup(src, available: available, group: g, fast: g < fastLimit, width: width) { (tmp: UnsafeMutablePointer<T>) in
                out.update(from: tmp + (index & 7), count: take)
            }
            out += take
            index &+= take
        }
        // Whole groups.
        let wholeEnd = end >> 3
        var g = index >> 3
        if g < wholeEnd {
            let fastEnd = Swift.min(wholeEnd, Swift.max(fastLimit, g))
            if fastEnd > g {
                groups(src + g &* width, out, fastEnd &- g, width)
                out += (fastEnd &- g) &* 8
                g = fastEnd
            }
            while g < wholeEnd {
                oneGroup(src, available: available, group: g, fast: false, width: width) { (tmp: UnsafeMutablePointer<T>) in
                    out.update(from: tmp, count: 8)
                }
                out += 8
                g &+= 1
            }
            index = wholeEnd << 3
        }
        // A trailing partial group.
        if index < end {
            let take = end &- index
            oneGroup(src, available: available, group: index >> 3, fast: (index >> 3) < fastLimit, width: width) { (tmp: UnsafeMutablePointer<T>) in
                out.update(from: tmp, count: take)
            }
        }
    }

    /// Unpacks group `group` into an 8-value scratch and passes it to `body`. Without slack, the
    /// group's readable bytes are first copied into zero-padded scratch.
    @inline(__always)
    static func oneGroup<T: FixedWidthInteger>(
        _ src: UnsafeRawPointer, available: Int, group: Int, fast: Bool, width: Int, _ body: (UnsafeMutablePointer<T>) -> Void
    ) {
        withUnsafeTemporaryAllocation(of: T.self, capacity: 8) { tmp in
            let t = tmp.baseAddress!
            let start = group &* width
            if fast {
                groups(src + start, t, 1, width)
            } else {
                withUnsafeTemporaryAllocation(byteCount: 80, alignment: 8) { bytes in
                    let b = bytes.baseAddress!
                    b.initializeMemory(as: UInt8.self, repeating: 0, count: 80)
                    let n = Swift.max(0, Swift.min(width, available &- start))
                    if n > 0 { b.copyMemory(from: src + start, byteCount: n) }
                    groups(UnsafeRawPointer(b), t, 1, width)
                }
            }
            body(t)
        }
    }
}

/// Packing of values into groups of 8, LSB first (the inverse of ``BitUnpack``).
enum BitPack {
    /// Packs `groups` groups of 8 values of `w` bits (values are masked to `w` bits) into `dst`,
    /// `w` bytes per group.
    @inline(__always)
    static func kernel<T: FixedWidthInteger>(_ src: UnsafePointer<T>, _ dst: UnsafeMutableRawPointer, _ groups: Int, _ w: Int) {
        let mask: UInt64 = w == 64 ? UInt64.max : (UInt64(1) << UInt64(w)) &- 1
        var s = src
        var out = dst
        for _ in 0..<groups {
            var acc: UInt64 = 0
            var bits = 0
            for i in 0..<8 {
                let v = UInt64(truncatingIfNeeded: s[i]) & mask
                acc |= v << UInt64(bits)
                if bits &+ w >= 64 {
                    out.storeBytes(of: acc.littleEndian, as: UInt64.self)
                    out += 8
                    acc = bits == 0 ? 0 : v >> UInt64(64 &- bits)
                    bits = bits &+ w &- 64
                } else {
                    bits &+= w
                }
            }
            var k = 0
            while k < bits {
                out.storeBytes(of: UInt8(truncatingIfNeeded: acc), as: UInt8.self)
                acc >>= 8
                out += 1
                k &+= 8
            }
            s += 8
        }
    }

    /// Packs `groups` groups of 8 values into `dst` (`groups * width` bytes), width-specialised.
    ///
    /// - Complexity: O(*groups*).
    @inline(never)
    static func pack<T: FixedWidthInteger>(_ src: UnsafePointer<T>, _ dst: UnsafeMutableRawPointer, _ groups: Int, _ width: Int) {
        switch width {
        case 0: return
        case 1: kernel(src, dst, groups, 1)
        case 2: kernel(src, dst, groups, 2)
        case 3: kernel(src, dst, groups, 3)
        case 4: kernel(src, dst, groups, 4)
        case 5: kernel(src, dst, groups, 5)
        case 6: kernel(src, dst, groups, 6)
        case 7: kernel(src, dst, groups, 7)
        case 8: kernel(src, dst, groups, 8)
        case 9: kernel(src, dst, groups, 9)
        case 10: kernel(src, dst, groups, 10)
        case 11: kernel(src, dst, groups, 11)
        case 12: kernel(src, dst, groups, 12)
        case 13: kernel(src, dst, groups, 13)
        case 14: kernel(src, dst, groups, 14)
        case 15: kernel(src, dst, groups, 15)
        case 16: kernel(src, dst, groups, 16)
        case 17: kernel(src, dst, groups, 17)
        case 18: kernel(src, dst, groups, 18)
        case 19: kernel(src, dst, groups, 19)
        case 20: kernel(src, dst, groups, 20)
        case 21: kernel(src, dst, groups, 21)
        case 22: kernel(src, dst, groups, 22)
        case 23: kernel(src, dst, groups, 23)
        case 24: kernel(src, dst, groups, 24)
        case 25: kernel(src, dst, groups, 25)
        case 26: kernel(src, dst, groups, 26)
        case 27: kernel(src, dst, groups, 27)
        case 28: kernel(src, dst, groups, 28)
        case 29: kernel(src, dst, groups, 29)
        case 30: kernel(src, dst, groups, 30)
        case 31: kernel(src, dst, groups, 31)
        case 32: kernel(src, dst, groups, 32)
        case 33: kernel(src, dst, groups, 33)
        case 34: kernel(src, dst, groups, 34)
        case 35: kernel(src, dst, groups, 35)
        case 36: kernel(src, dst, groups, 36)
        case 37: kernel(src, dst, groups, 37)
        case 38: kernel(src, dst, groups, 38)
        case 39: kernel(src, dst, groups, 39)
        case 40: kernel(src, dst, groups, 40)
        case 41: kernel(src, dst, groups, 41)
        case 42: kernel(src, dst, groups, 42)
        case 43: kernel(src, dst, groups, 43)
        case 44: kernel(src, dst, groups, 44)
        case 45: kernel(src, dst, groups, 45)
        case 46: kernel(src, dst, groups, 46)
        case 47: kernel(src, dst, groups, 47)
        case 48: kernel(src, dst, groups, 48)
        case 49: kernel(src, dst, groups, 49)
        case 50: kernel(src, dst, groups, 50)
        case 51: kernel(src, dst, groups, 51)
        case 52: kernel(src, dst, groups, 52)
        case 53: kernel(src, dst, groups, 53)
        case 54: kernel(src, dst, groups, 54)
        case 55: kernel(src, dst, groups, 55)
        case 56: kernel(src, dst, groups, 56)
        case 57: kernel(src, dst, groups, 57)
        case 58: kernel(src, dst, groups, 58)
        case 59: kernel(src, dst, groups, 59)
        case 60: kernel(src, dst, groups, 60)
        case 61: kernel(src, dst, groups, 61)
        case 62: kernel(src, dst, groups, 62)
        case 63: kernel(src, dst, groups, 63)
        case 64: kernel(src, dst, groups, 64)
        default: preconditionFailure("bit width \(width) checked by the caller")
        }
    }
}
