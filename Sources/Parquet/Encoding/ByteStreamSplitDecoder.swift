import Arrow

/// A streaming decoder of BYTE_STREAM_SPLIT (Encodings.md, `BYTE_STREAM_SPLIT = 9`): the page
/// holds `width` streams of N bytes, stream *k* holding byte *k* of every value, so N is the
/// page size divided by the width.
struct ByteStreamSplitDecoder {
    let base: UnsafeRawPointer
    let width: Int
    /// The values in the page.
    let total: Int
    var position = 0

    /// - Throws: `corrupt` when the page size is not a multiple of `width`.
    init(_ data: UnsafeRawBufferPointer, width: Int) throws(ParquetError) {
        guard width > 0 else { throw .corrupt("BYTE_STREAM_SPLIT: value width \(width)") }
        guard data.count % width == 0 else {
            throw .corrupt("BYTE_STREAM_SPLIT: page size \(data.count) is not a multiple of the value width \(width)")
        }
        base = data.baseAddress ?? emptyInputBytes
        self.width = width
        total = data.count / width
    }

    /// Decodes the next `count` values (`count × width` bytes) into `dst`.
    ///
    /// - Throws: `corrupt` when the page holds fewer values.
    /// - Complexity: O(*count* × *width*).
    mutating func decode(into dst: UnsafeMutableRawPointer, count: Int) throws(ParquetError) {
        guard count >= 0, count <= total &- position else {
            throw .corrupt("BYTE_STREAM_SPLIT: \(count) values requested, \(total &- position) left in the page")
        }
        let src = base + position
        let n = total
        switch width {
        case 4:
            for i in 0..<count {
                var v = UInt32(src.load(fromByteOffset: i, as: UInt8.self))
                v |= UInt32(src.load(fromByteOffset: n &+ i, as: UInt8.self)) << 8
                v |= UInt32(src.load(fromByteOffset: 2 &* n &+ i, as: UInt8.self)) << 16
                v |= UInt32(src.load(fromByteOffset: 3 &* n &+ i, as: UInt8.self)) << 24
                dst.storeBytes(of: v.littleEndian, toByteOffset: i &* 4, as: UInt32.self)
            }
        case 8:
            for i in 0..<count {
                var v: UInt64 = 0
                for k in 0..<8 {
                    v |= UInt64(src.load(fromByteOffset: k &* n &+ i, as: UInt8.self)) << UInt64(8 &* k)
                }
                dst.storeBytes(of: v.littleEndian, toByteOffset: i &* 8, as: UInt64.self)
            }
        default:
            let w = width
            for k in 0..<w {
                let stream = src + k &* n
                for i in 0..<count {
                    dst.storeBytes(of: stream.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i &* w &+ k, as: UInt8.self)
                }
            }
        }
        position &+= count
    }
}
