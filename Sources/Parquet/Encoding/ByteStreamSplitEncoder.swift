import Arrow

/// The BYTE_STREAM_SPLIT encoder (Encodings.md, `BYTE_STREAM_SPLIT = 9`) for FLOAT, DOUBLE,
/// INT32, INT64 and FIXED_LEN_BYTE_ARRAY: byte *k* of every value goes to stream *k*, and the
/// streams are written one after the other.
public enum ByteStreamSplitEncoder {
    /// Appends `count` values of `byteWidth` bytes (the valid ones when filtered).
    ///
    /// - Complexity: O(*count* × *byteWidth*).
    public static func encode(_ values: UnsafeRawPointer, count: Int, byteWidth: Int, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        guard count > 0, byteWidth > 0 else { return }
        let scratch = MutableBuffer()
        Compaction.withDense(values, count: count, width: byteWidth, validity: validity, scratch: scratch) { src, n in
            guard n > 0 else { return }
            let dst = sink.extend(by: n &* byteWidth)
            switch byteWidth {
            case 4:
                for i in 0..<n {
                    let v = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                    for k in 0..<4 { dst.storeBytes(of: UInt8(truncatingIfNeeded: v >> UInt32(8 &* k)), toByteOffset: k &* n &+ i, as: UInt8.self) }
                }
            case 8:
                for i in 0..<n {
                    let v = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
                    for k in 0..<8 { dst.storeBytes(of: UInt8(truncatingIfNeeded: v >> UInt64(8 &* k)), toByteOffset: k &* n &+ i, as: UInt8.self) }
                }
            default:
                for k in 0..<byteWidth {
                    for i in 0..<n {
                        dst.storeBytes(of: src.load(fromByteOffset: i &* byteWidth &+ k, as: UInt8.self), toByteOffset: k &* n &+ i, as: UInt8.self)
                    }
                }
            }
        }
    }
}
