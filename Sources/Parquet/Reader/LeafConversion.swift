import Arrow

/// The values of one column chunk as the Parquet pages hold them (non-null values only).
enum PhysicalValues {
    /// BOOLEAN: a bitmap of `count` bits.
    case booleans(ArrowBuffer, count: Int)
    /// INT32, INT64, FLOAT, DOUBLE, FIXED_LEN_BYTE_ARRAY (`width` bytes each) and INT96 (already
    /// converted to 8-byte nanoseconds).
    case fixed(ArrowBuffer, count: Int, width: Int)
    /// BYTE_ARRAY: `count + 1` offsets (`Int32`, or `Int64` when `large`) and the bytes.
    case byteArrays(offsets: ArrowBuffer, data: ArrowBuffer, count: Int, large: Bool)

    var count: Int {
        switch self {
        case .booleans(_, let n), .fixed(_, let n, _), .byteArrays(_, _, let n, _): return n
        }
    }
}

/// How a leaf's physical values become its Arrow array (store.md §11.3).
enum LeafConversion: Equatable {
    /// The physical layout is the Arrow layout (no copy).
    case identity
    /// INT32 → int8 / uint8 (1) or int16 / uint16 (2): truncate.
    case narrowInt32(toWidth: Int)
    /// INT32 → 64-bit values times a factor (DATE days → date64 milliseconds).
    case widenInt32(multiplier: Int64)
    /// INT32 divided by a factor (TIME millis → time32 seconds).
    case divideInt32(Int32)
    /// INT64 (or INT96 nanoseconds) rescaled: `value * multiply / divide`.
    case scaleInt64(multiply: Int64, divide: Int64)
    /// INT32 / INT64 unscaled decimal → decimal128.
    case decimalFromInteger(width: Int)
    /// Big-endian two's complement bytes (BYTE_ARRAY, or FIXED_LEN_BYTE_ARRAY of `width`) → decimal128.
    case decimalFromBigEndian
    /// Every value must be null: the null type.
    case null

    /// Whether byte arrays must be decoded with 64-bit offsets.
    static func wantsLargeOffsets(_ target: DataType) -> Bool {
        target == .largeUtf8 || target == .largeBinary
    }

    /// The conversion from `column` to `target`, or nil when the Parquet column cannot hold it.
    static func plan(_ column: ColumnDescriptor, target: DataType) -> LeafConversion? {
        let physical = column.physicalType
        let e = column.element
        /// The stored unit of an INT64 time value (nil: none declared).
        func storedUnit() -> TimeUnit? {
            switch e.logicalType {
            case .timestamp(_, let u)?, .time(_, let u)?:
                switch u { case .millis: return .millisecond; case .micros: return .microsecond; case .nanos: return .nanosecond }
            default: break
            }
            switch e.convertedType {
            case .timestampMillis?, .timeMillis?: return .millisecond
            case .timestampMicros?, .timeMicros?: return .microsecond
            default: return nil
            }
        }
        func perSecond(_ u: TimeUnit) -> Int64 {
            switch u { case .second: 1; case .millisecond: 1_000; case .microsecond: 1_000_000; case .nanosecond: 1_000_000_000 }
        }
        func rescale(from: TimeUnit, to: TimeUnit) -> LeafConversion {
            let a = perSecond(from), b = perSecond(to)
            if a == b { return .identity }
            return a < b ? .scaleInt64(multiply: b / a, divide: 1) : .scaleInt64(multiply: 1, divide: a / b)
        }
        switch (target, physical) {
        case (.null, _): return .null
        case (.boolean, .boolean): return .identity
        case (.int32, .int32), (.uint32, .int32), (.date32, .int32), (.time32(.millisecond), .int32): return .identity
        case (.time32(.second), .int32):
            return storedUnit() == .millisecond ? .divideInt32(1000) : .identity
        case (.int8, .int32), (.uint8, .int32): return .narrowInt32(toWidth: 1)
        case (.int16, .int32), (.uint16, .int32): return .narrowInt32(toWidth: 2)
        case (.date64, .int32): return .widenInt32(multiplier: 86_400_000)
        case (.int64, .int64), (.uint64, .int64), (.date64, .int64), (.duration, .int64): return .identity
        case (.timestamp(let u, _), .int64), (.time64(let u), .int64):
            return rescale(from: storedUnit() ?? u, to: u)
        case (.timestamp(let u, _), .int96):
            return rescale(from: .nanosecond, to: u)
        case (.float32, .float), (.float64, .double): return .identity
        case (.float16, .fixedLenByteArray) where column.typeLength == 2: return .identity
        case (.fixedSizeBinary(let w), .fixedLenByteArray) where column.typeLength == w: return .identity
        case (.utf8, .byteArray), (.binary, .byteArray), (.largeUtf8, .byteArray), (.largeBinary, .byteArray): return .identity
        case (.decimal128, .int32): return .decimalFromInteger(width: 4)
        case (.decimal128, .int64): return .decimalFromInteger(width: 8)
        case (.decimal128, .byteArray): return .decimalFromBigEndian
        case (.decimal128, .fixedLenByteArray) where column.typeLength <= 16: return .decimalFromBigEndian
        default: return nil
        }
    }

    /// The dense Arrow array (no nulls) of `values` converted to `target`.
    ///
    /// - Complexity: O(*count*); `identity` wraps the decoded buffers without copying.
    func apply(_ values: PhysicalValues, target: DataType, column: String, validateUTF8: Bool) throws(ParquetError) -> ArrayData {
        let n = values.count
        func made(_ buffers: [ArrowBuffer?]) -> ArrayData {
            ArrayData(unchecked: target, length: n, nullCount: 0, buffers: buffers)
        }
        switch (self, values) {
        case (.null, _):
            guard n == 0 else { throw .corrupt("column \(column) of the null type holds \(n) value(s)") }
            return .nulls(0)
        case (.identity, .booleans(let bits, _)):
            return made([nil, bits])
        case (.identity, .fixed(let b, _, let w)):
            guard case .fixedWidth(let tw) = target.layout, tw == w else {
                throw .schema(file: "", detail: "column \(column): \(w)-byte values cannot be \(target)")
            }
            return made([nil, b])
        case (.identity, .byteArrays(let offsets, let data, _, _)):
            let array = made([nil, offsets, data])
            if validateUTF8 && target.isString {
                do { try array.validate() } catch {
                    throw .corrupt("column \(column): \(error.message)")
                }
            }
            return array
        case (.narrowInt32(let w), .fixed(let b, _, 4)):
            let out = MutableBuffer(capacity: n * w)
            b.withUnsafeValues(as: Int32.self) { src in
                if w == 1 { for i in 0..<n { out.append(UInt8(truncatingIfNeeded: src[i])) } }
                else { for i in 0..<n { out.append(UInt16(truncatingIfNeeded: src[i])) } }
            }
            return made([nil, out.finish()])
        case (.widenInt32(let m), .fixed(let b, _, 4)):
            let out = MutableBuffer(capacity: n * 8)
            b.withUnsafeValues(as: Int32.self) { src in for i in 0..<n { out.append(Int64(src[i]) &* m) } }
            return made([nil, out.finish()])
        case (.divideInt32(let d), .fixed(let b, _, 4)):
            let out = MutableBuffer(capacity: n * 4)
            b.withUnsafeValues(as: Int32.self) { src in for i in 0..<n { out.append(src[i] / d) } }
            return made([nil, out.finish()])
        case (.scaleInt64(let m, let d), .fixed(let b, _, 8)):
            let out = MutableBuffer(capacity: n * 8)
            b.withUnsafeValues(as: Int64.self) { src in
                if d == 1 { for i in 0..<n { out.append(src[i] &* m) } }
                else { for i in 0..<n { out.append(src[i] / d) } }
            }
            return made([nil, out.finish()])
        case (.decimalFromInteger(let w), .fixed(let b, _, let bw)) where w == bw:
            let out = MutableBuffer(capacity: n * 16)
            if w == 4 {
                b.withUnsafeValues(as: Int32.self) { src in for i in 0..<n { out.append(Decimal128(Int64(src[i]))) } }
            } else {
                b.withUnsafeValues(as: Int64.self) { src in for i in 0..<n { out.append(Decimal128(src[i])) } }
            }
            return made([nil, out.finish()])
        case (.decimalFromBigEndian, .fixed(let b, _, let w)):
            let out = MutableBuffer(capacity: n * 16)
            for i in 0..<n {
                out.append(try Self.bigEndianDecimal(b.baseAddress + i * w, count: w, column: column))
            }
            return made([nil, out.finish()])
        case (.decimalFromBigEndian, .byteArrays(let offsets, let data, _, let large)):
            let out = MutableBuffer(capacity: n * 16)
            for i in 0..<n {
                let s = large ? Int(offsets.load(i, as: Int64.self)) : Int(offsets.load(i, as: Int32.self))
                let e = large ? Int(offsets.load(i + 1, as: Int64.self)) : Int(offsets.load(i + 1, as: Int32.self))
                out.append(try Self.bigEndianDecimal(data.baseAddress + s, count: e - s, column: column))
            }
            return made([nil, out.finish()])
        default:
            throw .schema(file: "", detail: "column \(column): cannot convert its values to \(target)")
        }
    }

    /// A big-endian two's complement integer of 1…16 bytes as a decimal128.
    static func bigEndianDecimal(_ p: UnsafeRawPointer, count: Int, column: String) throws(ParquetError) -> Decimal128 {
        guard count >= 1, count <= 16 else { throw .corrupt("column \(column): decimal of \(count) bytes") }
        // Sign-extend from the first byte, then shift the rest in (no per-value allocation).
        var v: Int128 = p.load(as: UInt8.self) & 0x80 != 0 ? -1 : 0
        for k in 0..<count { v = v << 8 | Int128(p.load(fromByteOffset: k, as: UInt8.self)) }
        return Decimal128(low: UInt64(truncatingIfNeeded: v), high: Int64(truncatingIfNeeded: v >> 64))
    }
}
