import Arrow

/// The DELTA_BINARY_PACKED encoder (Encodings.md, `DELTA_BINARY_PACKED = 5`) for INT32 and INT64
/// values: blocks of 128 values in 4 miniblocks of 32 (as parquet-java and Arrow C++ write).
///
/// Deltas and the frame of reference are computed with wrapping arithmetic in the value's own
/// width, so every sequence (including `min`/`max` jumps) round-trips and INT32 never needs more
/// than 32 bits.
public enum DeltaBinaryPackedEncoder {
    /// Values per block.
    public static let blockSize = 128
    /// Miniblocks per block.
    public static let miniblocksPerBlock = 4

    /// Appends `values` (the valid ones when filtered) as DELTA_BINARY_PACKED INT32.
    ///
    /// - Complexity: O(*values.count*).
    public static func encode(_ values: UnsafeBufferPointer<Int32>, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        encodeFiltered(values, validity, sink, UInt32.self)
    }

    /// Appends `values` (the valid ones when filtered) as DELTA_BINARY_PACKED INT64.
    ///
    /// - Complexity: O(*values.count*).
    public static func encode(_ values: UnsafeBufferPointer<Int64>, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        encodeFiltered(values, validity, sink, UInt64.self)
    }

    static func encodeFiltered<S: FixedWidthInteger & SignedInteger, U: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<S>, _ validity: ValidityFilter?, _ sink: MutableBuffer, _: U.Type
    ) {
        let scratch = MutableBuffer()
        Compaction.withDense(UnsafeRawPointer(values.baseAddress ?? UnsafePointer(OpaquePointer(emptyInputBytes))), count: values.count,
                             width: MemoryLayout<S>.stride, validity: validity, scratch: scratch) { p, n in
            encodeDense(p.assumingMemoryBound(to: S.self), count: n, sink: sink, U.self)
        }
    }

    /// Encodes `count` dense values.
    static func encodeDense<S: FixedWidthInteger & SignedInteger, U: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafePointer<S>, count: Int, sink: MutableBuffer, _: U.Type
    ) {
        VarInt.appendULEB128(UInt64(blockSize), to: sink)
        VarInt.appendULEB128(UInt64(miniblocksPerBlock), to: sink)
        VarInt.appendULEB128(UInt64(count), to: sink)
        VarInt.appendZigZag(count > 0 ? Int64(values[0]) : 0, to: sink)
        guard count > 1 else { return }
        let perMini = blockSize / miniblocksPerBlock
        withUnsafeTemporaryAllocation(of: S.self, capacity: blockSize) { dbuf in
            withUnsafeTemporaryAllocation(of: U.self, capacity: blockSize) { pbuf in
                let deltas = dbuf.baseAddress!
                let packed = pbuf.baseAddress!
                var prev = values[0]
                var i = 1
                while i < count {
                    let n = Swift.min(blockSize, count &- i)
                    var minDelta = S.max
                    for k in 0..<n {
                        let v = values[i &+ k]
                        let d = v &- prev
                        deltas[k] = d
                        minDelta = Swift.min(minDelta, d)
                        prev = v
                    }
                    VarInt.appendZigZag(Int64(minDelta), to: sink)
                    for k in 0..<blockSize {
                        packed[k] = k < n ? U(truncatingIfNeeded: deltas[k] &- minDelta) : 0
                    }
                    let widthsAt = sink.count
                    sink.appendZeros(miniblocksPerBlock)
                    for m in 0..<miniblocksPerBlock where m &* perMini < n {
                        var orBits: U = 0
                        for k in (m &* perMini)..<((m &+ 1) &* perMini) { orBits |= packed[k] }
                        let w = U.bitWidth &- orBits.leadingZeroBitCount
                        sink.baseAddress.storeBytes(of: UInt8(w), toByteOffset: widthsAt &+ m, as: UInt8.self)
                        let dst = sink.extend(by: perMini / 8 &* w)
                        BitPack.pack(UnsafePointer(packed + m &* perMini), dst, perMini / 8, w)
                    }
                    i &+= n
                }
            }
        }
    }
}
