import Arrow

/// Places densely packed values at the valid slots of a column (the nulls a Parquet page does
/// not store get a slot in the Arrow array).
enum ValueSpreader {
    /// `count` slots; slot `i` is valid when bit `i` of `validity` is set, and the valid slots
    /// take `values` in order.
    ///
    /// - Complexity: O(*count*). Variable-length values keep their data buffer (only offsets are
    ///   rebuilt); fixed-width values are copied once.
    static func spread(_ values: ArrayData, validity: ArrowBuffer, count: Int) throws(ParquetError) -> ArrayData {
        let bits = validity.baseAddress
        switch values.type.layout {
        case .fixedWidth(let w):
            guard let src = values.buffers[1] else { throw .corrupt("values without a data buffer") }
            let out = MutableBuffer(capacity: count * w)
            out.appendZeros(count * w)
            let dst = out.baseAddress
            var s = src.baseAddress + values.offset * w
            switch w {
            case 4:
                for i in 0..<count where Bitmap.get(bits, i) {
                    dst.storeBytes(of: s.loadUnaligned(as: UInt32.self), toByteOffset: i &* 4, as: UInt32.self); s += 4
                }
            case 8:
                for i in 0..<count where Bitmap.get(bits, i) {
                    dst.storeBytes(of: s.loadUnaligned(as: UInt64.self), toByteOffset: i &* 8, as: UInt64.self); s += 8
                }
            default:
                for i in 0..<count where Bitmap.get(bits, i) {
                    (dst + i * w).copyMemory(from: s, byteCount: w); s += w
                }
            }
            return ArrayData(unchecked: values.type, length: count, nullCount: -1, buffers: [validity, out.finish()])
        case .boolean:
            guard let src = values.buffers[1] else { throw .corrupt("values without a data buffer") }
            var builder = BitmapBuilder(capacity: count)
            var j = values.offset
            for i in 0..<count {
                if Bitmap.get(bits, i) {
                    builder.append(Bitmap.get(src.baseAddress, j)); j += 1
                } else {
                    builder.append(false)
                }
            }
            return ArrayData(unchecked: values.type, length: count, nullCount: -1, buffers: [validity, builder.finish()])
        case .variableBinary(let ow):
            guard let srcOffsets = values.buffers[1], let data = values.buffers[2] else { throw .corrupt("values without offsets") }
            if ow == 4 {
                let src = srcOffsets.baseAddress.assumingMemoryBound(to: Int32.self) + values.offset
                let out = MutableBuffer(capacity: (count + 1) * 4)
                var j = 0
                var current = src[0]
                out.append(current)
                for i in 0..<count {
                    if Bitmap.get(bits, i) { j += 1; current = src[j] }
                    out.append(current)
                }
                return ArrayData(unchecked: values.type, length: count, nullCount: -1, buffers: [validity, out.finish(), data])
            } else {
                let src = srcOffsets.baseAddress.assumingMemoryBound(to: Int64.self) + values.offset
                let out = MutableBuffer(capacity: (count + 1) * 8)
                var j = 0
                var current = src[0]
                out.append(current)
                for i in 0..<count {
                    if Bitmap.get(bits, i) { j += 1; current = src[j] }
                    out.append(current)
                }
                return ArrayData(unchecked: values.type, length: count, nullCount: -1, buffers: [validity, out.finish(), data])
            }
        default:
            var positions: [Int] = []
            positions.reserveCapacity(count)
            var j = 0
            for i in 0..<count {
                if Bitmap.get(bits, i) { positions.append(j); j += 1 } else { positions.append(-1) }
            }
            return try gather(values, positions: positions)
        }
    }

    /// `values[positions[i]]` for each `i`, null where the position is -1.
    static func gather(_ values: ArrayData, positions: [Int]) throws(ParquetError) -> ArrayData {
        var builder = BitmapBuilder(capacity: positions.count)
        let indices = MutableBuffer(capacity: positions.count * 8)
        var nulls = 0
        for p in positions {
            builder.append(p >= 0)
            if p < 0 { nulls += 1 }
            indices.append(Int64(Swift.max(p, 0)))
        }
        let indexArray = ArrayData(unchecked: .int64, length: positions.count, nullCount: nulls,
                                   buffers: [nulls > 0 ? builder.finish() : nil, indices.finish()])
        do {
            return try values.take(indices: indexArray)
        } catch {
            throw .corrupt("cannot place values: \(error.message)")
        }
    }
}
