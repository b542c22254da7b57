import Arrow

/// The values of one leaf column chunk in their physical form, as the encoders take them:
/// `count` slots, each valid (written) or not (a null the levels record).
struct PhysicalColumn {
    enum Storage {
        /// Fixed-width values: slot `i` at byte `(offset + i) * width`.
        case fixed(ArrowBuffer, width: Int, offset: Int)
        /// Booleans: slot `i` at bit `offset + i`.
        case booleans(ArrowBuffer, offset: Int)
        /// Byte arrays with `Int32` offsets: slot `i` spans `offsets[offset + i] ..< offsets[offset + i + 1]`.
        case byteArrays32(offsets: ArrowBuffer, data: ArrowBuffer, offset: Int)
        /// Byte arrays with `Int64` offsets.
        case byteArrays64(offsets: ArrowBuffer, data: ArrowBuffer, offset: Int)
        /// The null type: no values.
        case none
    }

    let storage: Storage
    /// The number of slots.
    let count: Int
    /// Which slots are valid, when some are not: bit `validityOffset + i` for slot `i`.
    let validity: ArrowBuffer?
    let validityOffset: Int

    /// Whether the values are byte arrays (BYTE_ARRAY).
    var isByteArray: Bool {
        switch storage {
        case .byteArrays32, .byteArrays64: return true
        default: return false
        }
    }

    /// The validity filter of slots `start...` (nil when every slot is valid).
    func filter(from start: Int) -> ValidityFilter? {
        validity.map { ValidityFilter(bits: $0.baseAddress, offset: validityOffset + start) }
    }

    /// Whether slot `i` is valid.
    @inline(__always)
    func isValid(_ i: Int) -> Bool {
        guard let v = validity else { return true }
        return Bitmap.get(v.baseAddress, validityOffset + i)
    }

    /// The physical column of a shredded leaf under `plan`.
    ///
    /// A flat leaf keeps its rows as slots (nulls marked by its validity); a nested leaf's
    /// selected values are gathered densely first.
    static func make(_ leaf: ShreddedLeaf, plan: LeafWritePlan) throws(ParquetError) -> PhysicalColumn {
        var values: ArrayData
        var slots: Int
        switch leaf.selection {
        case .nonNull(let range):
            values = leaf.values.sliceUnchecked(offset: range.lowerBound, length: range.count)
            slots = range.count
        case .positions(let positions):
            do { values = try leaf.values.take(positions) } catch { throw .schema(file: "", detail: error.message) }
            slots = positions.count
        }
        if case .dictionary(let indexType, _, _) = values.type, let dict = values.dictionary {
            // Written as its values: decode through the indices.
            let indices = ArrayData(unchecked: indexType, length: values.length, offset: values.offset, nullCount: values.isNullCountKnown ? values.nullCount : -1,
                                    buffers: values.buffers)
            do { values = try dict.take(indices: indices) } catch { throw .schema(file: "", detail: error.message) }
        }
        values = try convert(values, plan.conversion, typeLength: plan.typeLength)
        let validity = values.nullCount > 0 ? values.validity : nil
        let storage: Storage
        switch values.type.layout {
        case .null:
            storage = .none
        case .boolean:
            storage = .booleans(values.buffers[1] ?? .empty, offset: values.offset)
        case .fixedWidth(let w):
            storage = .fixed(values.buffers[1] ?? .empty, width: w, offset: values.offset)
        case .variableBinary(4):
            storage = .byteArrays32(offsets: values.buffers[1] ?? .empty, data: values.buffers[2] ?? .empty, offset: values.offset)
        case .variableBinary:
            storage = .byteArrays64(offsets: values.buffers[1] ?? .empty, data: values.buffers[2] ?? .empty, offset: values.offset)
        default:
            throw .schema(file: "", detail: "\(values.type) is not a leaf type")
        }
        return PhysicalColumn(storage: storage, count: slots, validity: validity, validityOffset: values.offset)
    }

    /// Applies a write conversion to every slot of `data` (null slots included; their values are
    /// never written).
    static func convert(_ data: ArrayData, _ conversion: LeafWritePlan.WriteConversion, typeLength: Int) throws(ParquetError) -> ArrayData {
        let n = data.length, off = data.offset
        func values() throws(ParquetError) -> UnsafeRawPointer {
            guard data.buffers.count > 1, let b = data.buffers[1] else { throw .schema(file: "", detail: "array without values") }
            return b.baseAddress
        }
        func made(_ type: DataType, _ buffer: ArrowBuffer) -> ArrayData {
            // Same validity (bit offset kept), new values at offset 0 … so rebase: copy validity bits.
            var validity: ArrowBuffer? = nil
            if data.nullCount > 0, let v = data.validity {
                var b = BitmapBuilder(capacity: n)
                b.append(bits: v.baseAddress, offset: off, length: n)
                validity = b.finish()
            }
            return ArrayData(unchecked: type, length: n, nullCount: data.nullCount, buffers: [validity, buffer])
        }
        switch conversion {
        case .identity, .null:
            return data
        case .widenToInt32(let w, let signed):
            let p = try values()
            let out = MutableBuffer(capacity: n * 4)
            switch (w, signed) {
            case (1, true): for i in 0..<n { out.append(Int32(p.load(fromByteOffset: off + i, as: Int8.self))) }
            case (1, false): for i in 0..<n { out.append(Int32(p.load(fromByteOffset: off + i, as: UInt8.self))) }
            case (2, true): for i in 0..<n { out.append(Int32(p.loadUnaligned(fromByteOffset: (off + i) * 2, as: Int16.self))) }
            default: for i in 0..<n { out.append(Int32(p.loadUnaligned(fromByteOffset: (off + i) * 2, as: UInt16.self))) }
            }
            return made(.int32, out.finish())
        case .multiply(let k):
            let p = try values()
            if case .fixedWidth(4) = data.type.layout {
                let out = MutableBuffer(capacity: n * 4)
                for i in 0..<n { out.append(p.loadUnaligned(fromByteOffset: (off + i) * 4, as: Int32.self) &* Int32(truncatingIfNeeded: k)) }
                return made(.int32, out.finish())
            }
            let out = MutableBuffer(capacity: n * 8)
            for i in 0..<n {
                let (v, overflow) = p.loadUnaligned(fromByteOffset: (off + i) * 8, as: Int64.self).multipliedReportingOverflow(by: k)
                if overflow && data.isValid(i) {
                    throw .schema(file: "", detail: "value \(i) overflows when converted to milliseconds")
                }
                out.append(v)
            }
            return made(.int64, out.finish())
        case .date64ToDays:
            let p = try values()
            let out = MutableBuffer(capacity: n * 4)
            for i in 0..<n {
                let ms = p.loadUnaligned(fromByteOffset: (off + i) * 8, as: Int64.self)
                var days = ms / 86_400_000
                if ms % 86_400_000 < 0 { days -= 1 }
                out.append(Int32(truncatingIfNeeded: days))
            }
            return made(.int32, out.finish())
        case .decimalToBigEndian:
            let p = try values()
            let out = MutableBuffer(capacity: n * typeLength)
            out.resize(to: n * typeLength)
            let dst = out.baseAddress
            for i in 0..<n {
                let src = p + (off + i) * 16
                for k in 0..<typeLength {
                    dst.storeBytes(of: src.load(fromByteOffset: typeLength - 1 - k, as: UInt8.self), toByteOffset: i * typeLength + k, as: UInt8.self)
                }
            }
            return made(.fixedSizeBinary(byteWidth: typeLength), out.finish())
        }
    }
}
