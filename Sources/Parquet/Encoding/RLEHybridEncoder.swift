import Arrow

/// The encoder of the RLE/bit-packed hybrid (Encodings.md, `RLE = 3`): levels, dictionary
/// indices and RLE booleans.
///
/// Runs of at least 8 equal values become repeated runs; everything else is bit-packed in
/// groups of 8 (a literal run is padded to a multiple of 8 with values taken from the following
/// repeated run, and the last group of the data with zeros).
public enum RLEHybridEncoder {
    /// The largest run length the format allows (2^31 − 1); longer runs are split.
    static let maxRunValues = Int(Int32.max)
    /// Literal runs are emitted in chunks of at most this many values (a multiple of 8).
    static let maxLiteralValues = 1 << 20

    /// Appends the runs encoding `values` with `bitWidth` bits each (no prefix). Values are
    /// masked to `bitWidth` bits.
    ///
    /// Runs are looked for at group boundaries (multiples of 8 values after the pending literal
    /// values), so the literal runs between them are always whole groups: a group of 8 equal
    /// values starts a repeated run, which then extends as far as the value repeats.
    ///
    /// - Complexity: O(*values.count*), one vectorisable 8-value comparison per group.
    static func encodeRuns<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, bitWidth: Int, into sink: MutableBuffer) {
        guard let base = values.baseAddress, values.count > 0 else { return }
        let n = values.count
        let valueBytes = (bitWidth &+ 7) >> 3
        @inline(__always) func groupEquals(_ g: Int, _ v: T) -> Bool {
            var diff: T = 0
            for k in 0..<8 { diff |= base[g &+ k] ^ v }
            return diff == 0
        }
        var litStart = 0
        var g = 0
        while g &+ 8 <= n {
            let v = base[g]
            if !groupEquals(g, v) {
                g &+= 8
                continue
            }
            var j = g &+ 8
            while j &+ 8 <= n && groupEquals(j, v) { j &+= 8 }
            while j < n && base[j] == v { j &+= 1 }
            if g > litStart { appendLiteral(base + litStart, count: g &- litStart, bitWidth: bitWidth, into: sink) }
            appendRepeated(UInt64(truncatingIfNeeded: v), count: j &- g, valueBytes: valueBytes, bitWidth: bitWidth, into: sink)
            litStart = j
            g = j
        }
        if n > litStart { appendLiteral(base + litStart, count: n &- litStart, bitWidth: bitWidth, into: sink) }
    }

    static func appendRepeated(_ value: UInt64, count: Int, valueBytes: Int, bitWidth: Int, into sink: MutableBuffer) {
        let v = bitWidth >= 64 ? value : value & ((UInt64(1) << UInt64(bitWidth)) &- 1)
        var left = count
        while left > 0 {
            let n = Swift.min(left, maxRunValues)
            VarInt.appendULEB128(UInt64(n) << 1, to: sink)
            var x = v
            for _ in 0..<valueBytes {
                sink.append(UInt8(truncatingIfNeeded: x))
                x >>= 8
            }
            left &-= n
        }
    }

    /// Bit-packed runs of `count` values (the last group zero-padded).
    static func appendLiteral<T: FixedWidthInteger>(_ values: UnsafePointer<T>, count: Int, bitWidth: Int, into sink: MutableBuffer) {
        var done = 0
        while done < count {
            let n = Swift.min(count &- done, maxLiteralValues)
            let groups = (n &+ 7) >> 3
            VarInt.appendULEB128(UInt64(groups) << 1 | 1, to: sink)
            let full = n >> 3
            let dst = sink.extend(by: groups &* bitWidth)
            BitPack.pack(values + done, dst, full, bitWidth)
            if full < groups {
                withUnsafeTemporaryAllocation(of: T.self, capacity: 8) { tmp in
                    let t = tmp.baseAddress!
                    t.initialize(repeating: 0, count: 8)
                    t.update(from: values + (done &+ (full << 3)), count: n & 7)
                    BitPack.pack(UnsafePointer(t), dst + full &* bitWidth, 1, bitWidth)
                }
            }
            done &+= n
        }
    }

    /// Appends `values` as runs of `bitWidth` bits (0…32), without prefix or bit-width byte.
    ///
    /// - Complexity: O(*values.count*).
    public static func encode(_ values: UnsafeBufferPointer<UInt32>, bitWidth: Int, into sink: MutableBuffer) {
        encodeRuns(values, bitWidth: Swift.max(0, Swift.min(bitWidth, 32)), into: sink)
    }

    /// Appends a data page body of dictionary indices: the 1-byte bit width, then the runs.
    /// With `bitWidth` nil the width of the largest index is used.
    ///
    /// - Complexity: O(*indices.count*).
    public static func encodeDictionaryIndices(_ indices: UnsafeBufferPointer<UInt32>, bitWidth: Int? = nil, into sink: MutableBuffer) {
        let width: Int
        if let bitWidth {
            width = Swift.max(0, Swift.min(bitWidth, 32))
        } else {
            var m: UInt32 = 0
            for v in indices { m = Swift.max(m, v) }
            width = Parquet.bitWidth(of: UInt64(m))
        }
        sink.append(UInt8(width))
        encodeRuns(indices, bitWidth: width, into: sink)
    }

    /// Appends levels (all in `0 … maxLevel`) with the bit width of `maxLevel`; with
    /// `lengthPrefix` (data page v1) the runs are preceded by their 4-byte little-endian length.
    /// A `maxLevel` of 0 still writes the (empty) prefix; callers skip levels entirely then.
    ///
    /// - Complexity: O(*levels.count*).
    public static func encodeLevels(_ levels: UnsafeBufferPointer<Int16>, maxLevel: Int, lengthPrefix: Bool = true, into sink: MutableBuffer) {
        let width = LevelDecoder.bitWidth(maxLevel: Swift.min(Swift.max(maxLevel, 0), Int(Int16.max)))
        if lengthPrefix {
            let at = sink.count
            sink.append(UInt32(0))
            encodeRuns(levels, bitWidth: width, into: sink)
            let length = UInt32(truncatingIfNeeded: sink.count &- at &- 4)
            sink.baseAddress.storeBytes(of: length.littleEndian, toByteOffset: at, as: UInt32.self)
        } else {
            encodeRuns(levels, bitWidth: width, into: sink)
        }
    }

    /// Appends booleans as RLE (bit width 1) with the 4-byte length prefix that data pages use
    /// for RLE booleans. `bits` holds `count` values from bit `offset`; with a validity filter only
    /// the valid values are encoded.
    ///
    /// - Complexity: O(*count*).
    public static func encodeBooleans(bits: UnsafeRawPointer, offset: Int, count: Int, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        for i in 0..<count where validity?.isValid(i) ?? true {
            let bit = offset &+ i
            bytes.append((bits.load(fromByteOffset: bit >> 3, as: UInt8.self) >> UInt8(bit & 7)) & 1)
        }
        let at = sink.count
        sink.append(UInt32(0))
        bytes.withUnsafeBufferPointer { encodeRuns($0, bitWidth: 1, into: sink) }
        let length = UInt32(truncatingIfNeeded: sink.count &- at &- 4)
        sink.baseAddress.storeBytes(of: length.littleEndian, toByteOffset: at, as: UInt32.self)
    }
}
