import Arrow

/// Exact column-chunk statistics in the type-defined order (store.md §9.4).
enum ColumnStatisticsBuilder {
    /// Byte-array bounds longer than this are omitted.
    static let maxBoundBytes = 4096

    /// Statistics of the valid slots of `column`, with `nullCount` nulls.
    static func statistics(_ column: PhysicalColumn, plan: LeafWritePlan, nullCount: Int) -> Statistics {
        var stats = Statistics()
        stats.nullCount = Int64(nullCount)
        guard let (min, max) = bounds(column, plan: plan) else { return stats }
        stats.minValue = min
        stats.maxValue = max
        stats.isMinValueExact = true
        stats.isMaxValueExact = true
        return stats
    }

    static func bytes<T>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }

    /// PLAIN-encoded min and max, or nil when there is no value to bound.
    static func bounds(_ c: PhysicalColumn, plan: LeafWritePlan) -> ([UInt8], [UInt8])? {
        let n = c.count
        switch c.storage {
        case .none:
            return nil
        case .booleans(let b, let off):
            var sawFalse = false, sawTrue = false
            for i in 0..<n where c.isValid(i) {
                if Bitmap.get(b.baseAddress, off + i) { sawTrue = true } else { sawFalse = true }
                if sawTrue && sawFalse { break }
            }
            guard sawTrue || sawFalse else { return nil }
            return ([sawFalse ? 0 : 1], [sawTrue ? 1 : 0])
        case .fixed(let b, let w, let off):
            let p = b.baseAddress + off * w
            switch (plan.physicalType, w) {
            case (.int32, 4):
                if plan.unsignedOrder { return integerBounds(p.assumingMemoryBound(to: UInt32.self), n, c).map { (bytes($0.0), bytes($0.1)) } }
                return integerBounds(p.assumingMemoryBound(to: Int32.self), n, c).map { (bytes($0.0), bytes($0.1)) }
            case (.int64, 8):
                if plan.unsignedOrder { return integerBounds(p.assumingMemoryBound(to: UInt64.self), n, c).map { (bytes($0.0), bytes($0.1)) } }
                return integerBounds(p.assumingMemoryBound(to: Int64.self), n, c).map { (bytes($0.0), bytes($0.1)) }
            case (.float, 4):
                return floatBounds(p.assumingMemoryBound(to: Float.self), n, c).map { (bytes($0.0), bytes($0.1)) }
            case (.double, 8):
                return floatBounds(p.assumingMemoryBound(to: Double.self), n, c).map { (bytes($0.0), bytes($0.1)) }
            default:
                return fixedBytesBounds(p, width: w, n, c, plan: plan)
            }
        case .byteArrays32(let o, let d, let off):
            return byteArrayBounds(n, c) { i in
                let s = Int(o.load(off + i, as: Int32.self)), e = Int(o.load(off + i + 1, as: Int32.self))
                return UnsafeRawBufferPointer(start: d.baseAddress + s, count: e - s)
            }
        case .byteArrays64(let o, let d, let off):
            return byteArrayBounds(n, c) { i in
                let s = Int(o.load(off + i, as: Int64.self)), e = Int(o.load(off + i + 1, as: Int64.self))
                return UnsafeRawBufferPointer(start: d.baseAddress + s, count: e - s)
            }
        }
    }

    static func integerBounds<T: FixedWidthInteger>(_ p: UnsafePointer<T>, _ n: Int, _ c: PhysicalColumn) -> (T, T)? {
        var mn = T.max, mx = T.min, any = false
        if c.validity == nil {
            guard n > 0 else { return nil }
            for i in 0..<n { let v = p[i]; mn = Swift.min(mn, v); mx = Swift.max(mx, v) }
            return (mn, mx)
        }
        for i in 0..<n where c.isValid(i) { let v = p[i]; mn = Swift.min(mn, v); mx = Swift.max(mx, v); any = true }
        return any ? (mn, mx) : nil
    }

    /// NaN ignored; -0.0 as a zero minimum and +0.0 as a zero maximum.
    static func floatBounds<T: BinaryFloatingPoint>(_ p: UnsafePointer<T>, _ n: Int, _ c: PhysicalColumn) -> (T, T)? {
        var mn = T.infinity, mx = -T.infinity, any = false
        for i in 0..<n where c.validity == nil || c.isValid(i) {
            let v = p[i]
            if v.isNaN { continue }
            any = true
            if v < mn { mn = v }
            if v > mx { mx = v }
        }
        guard any else { return nil }
        if mn == 0 { mn = -T(0.0) }
        if mx == 0 { mx = T(0.0) }
        return (mn, mx)
    }

    static func fixedBytesBounds(_ p: UnsafeRawPointer, width w: Int, _ n: Int, _ c: PhysicalColumn, plan: LeafWritePlan) -> ([UInt8], [UInt8])? {
        if case .float16 = plan.logicalType {
            var mn = Float.infinity, mx = -Float.infinity
            var mnBits: UInt16 = 0, mxBits: UInt16 = 0, any = false
            for i in 0..<n where c.isValid(i) {
                let bits = p.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                let v = halfToFloat(bits)
                if v.isNaN { continue }
                if !any || v < mn { mn = v; mnBits = bits }
                if !any || v > mx { mx = v; mxBits = bits }
                any = true
            }
            guard any else { return nil }
            if mn == 0 { mnBits = 0x8000 }
            if mx == 0 { mxBits = 0x0000 }
            return (bytes(mnBits), bytes(mxBits))
        }
        let signed: Bool
        if case .decimal = plan.logicalType { signed = true } else { signed = false }
        var mn: Int? = nil, mx: Int? = nil
        func less(_ a: Int, _ b: Int) -> Bool {
            let pa = p + a * w, pb = p + b * w
            if signed {
                let sa = Int8(bitPattern: pa.load(as: UInt8.self)), sb = Int8(bitPattern: pb.load(as: UInt8.self))
                if sa != sb { return sa < sb }
            }
            return memcmp(pa, pb, w) < 0
        }
        for i in 0..<n where c.isValid(i) {
            if mn == nil || less(i, mn!) { mn = i }
            if mx == nil || less(mx!, i) { mx = i }
        }
        guard let mn, let mx, w <= maxBoundBytes else { return nil }
        return (Array(UnsafeRawBufferPointer(start: p + mn * w, count: w)), Array(UnsafeRawBufferPointer(start: p + mx * w, count: w)))
    }

    static func byteArrayBounds(_ n: Int, _ c: PhysicalColumn, _ value: (Int) -> UnsafeRawBufferPointer) -> ([UInt8], [UInt8])? {
        var mn: UnsafeRawBufferPointer? = nil, mx: UnsafeRawBufferPointer? = nil
        for i in 0..<n where c.validity == nil || c.isValid(i) {
            let v = value(i)
            if mn == nil || compare(v, mn!) < 0 { mn = v }
            if mx == nil || compare(v, mx!) > 0 { mx = v }
        }
        guard let mn, let mx, mn.count <= maxBoundBytes, mx.count <= maxBoundBytes else { return nil }
        return (Array(mn), Array(mx))
    }

    /// Unsigned lexicographic comparison.
    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let k = Swift.min(a.count, b.count)
        if k > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let r = memcmp(pa, pb, k)
            if r != 0 { return Int(r) }
        }
        return a.count - b.count
    }

    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F)
        let mant = UInt32(h & 0x3FF)
        if exp == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        if exp == 0 {
            if mant == 0 { return Float(bitPattern: sign) }
            return (sign != 0 ? -1 : 1) * Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
        }
        return Float(bitPattern: sign | (UInt32(exp - 15 + 127) << 23) | (mant << 13))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
