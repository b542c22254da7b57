/// `concatenate`: one contiguous array from several arrays of the same type, for every type.
///
/// Visible ranges only are copied (sliced inputs, offsets in children included); offsets are
/// rebased; lists concatenate their child ranges, structs their children. Dictionary arrays
/// keep the shared dictionary when all inputs use the same one (same buffers or logically
/// equal); otherwise the dictionaries are appended one after the other and the indices shifted
/// (no de-duplication), which throws `capacityExceeded` if the index type overflows.

// MARK: Public API

extension ArrayData {
    /// The arrays one after the other, as one array (the first array's type).
    ///
    /// - Throws: `invalidArgument` for an empty list; `schemaMismatch` if the types differ
    ///   (field metadata aside); `capacityExceeded` if the values overflow Int32 offsets (utf8,
    ///   binary, list, map) or dictionary indices; `invalidData` on inconsistent buffers.
    public static func concatenate(_ arrays: [ArrayData]) throws(ArrowError) -> ArrayData {
        guard let first = arrays.first else { throw .invalidArgument("concatenate needs at least one array") }
        for a in arrays {
            guard a.type == first.type || a.type.equalsIgnoringMetadata(first.type) else {
                throw .schemaMismatch("cannot concatenate \(a.type) with \(first.type)")
            }
            try a.checkLayout()
        }
        if arrays.count == 1 { return first }
        return try withExtendedLifetime(arrays) { () throws(ArrowError) -> ArrayData in try concatenateArrays(arrays, type: first.type) }
    }
}

/// The arrays one after the other (see ``ArrayData/concatenate(_:)``).
public func concatenate(_ arrays: [ArrayData]) throws(ArrowError) -> ArrayData {
    try ArrayData.concatenate(arrays)
}

extension RecordBatch {
    /// The batches' rows one after the other. The result has the first batch's schema; the
    /// others must have the same fields (metadata aside).
    public static func concatenate(_ batches: [RecordBatch]) throws(ArrowError) -> RecordBatch {
        guard let first = batches.first else { throw .invalidArgument("concatenate needs at least one batch") }
        for b in batches where !b.schema.equalsIgnoringMetadata(first.schema) {
            throw .schemaMismatch("cannot concatenate batches with different schemas")
        }
        var total = 0
        for b in batches {
            let (t, o) = total.addingReportingOverflow(b.length)
            guard !o else { throw ArrowError(.capacityExceeded, "row count overflows") }
            total = t
        }
        var columns: [ArrayData] = []
        columns.reserveCapacity(first.columnCount)
        for i in 0..<first.columnCount {
            columns.append(try ArrayData.concatenate(batches.map { $0.columns[i] }))
        }
        return RecordBatch(uncheckedSchema: first.schema, columns: columns, length: total)
    }
}

// MARK: Kernel

/// Concatenates arrays of `type` that passed `checkLayout`.
func concatenateArrays(_ arrays: [ArrayData], type: DataType) throws(ArrowError) -> ArrayData {
    var total = 0
    var nulls = 0
    for a in arrays {
        let (t, o) = total.addingReportingOverflow(a.length)
        guard !o, t <= MutableBuffer.maximumCapacity else { throw ArrowError(.capacityExceeded, "concatenated length overflows") }
        total = t
        if case .null = type {} else { nulls += a.nullCount }
    }
    if case .null = type { return .nulls(total) }
    let validity = nulls == 0 ? nil : concatenateValidity(arrays, total)
    switch type.layout {
    case .null:
        return .nulls(total)
    case .fixedWidth(let w):
        let (bytes, o) = total.multipliedReportingOverflow(by: w)
        guard !o, bytes <= MutableBuffer.maximumCapacity else { throw ArrowError(.capacityExceeded, "concatenated data too large") }
        let out = MutableBuffer.uninitialized(bytes)
        var pos = 0
        for a in arrays where a.length > 0 {
            (out.baseAddress + pos).copyMemory(from: a.rawBuffer(1) + a.offset * w, byteCount: a.length * w)
            pos += a.length * w
        }
        return ArrayData(unchecked: type, length: total, nullCount: nulls, buffers: [validity, out.finish()])
    case .boolean:
        let out = MutableBuffer.uninitialized(Bitmap.byteCount(forBits: total))
        var app = BitAppender(out.baseAddress)
        for a in arrays where a.length > 0 { appendBits(&app, a.rawBuffer(1), offset: a.offset, length: a.length) }
        app.flush()
        return ArrayData(unchecked: type, length: total, nullCount: nulls, buffers: [validity, out.finish()])
    case .variableBinary(let ow):
        if ow == 4 { return try concatenateBinary(arrays, type, total, validity, nulls, Int32.self) }
        return try concatenateBinary(arrays, type, total, validity, nulls, Int64.self)
    case .list(let ow):
        if ow == 4 { return try concatenateList(arrays, type, total, validity, nulls, Int32.self) }
        return try concatenateList(arrays, type, total, validity, nulls, Int64.self)
    case .fixedSizeList(let size):
        let kids = arrays.map { $0.children[0].sliceUnchecked(offset: $0.offset * size, length: $0.length * size) }
        let child = try concatenateArrays(kids, type: type.children[0].type)
        return ArrayData(unchecked: type, length: total, nullCount: nulls, buffers: [validity], children: [child])
    case .struct:
        var kids: [ArrayData] = []
        for (k, f) in type.children.enumerated() {
            kids.append(try concatenateArrays(arrays.map { $0.children[k].sliceUnchecked(offset: $0.offset, length: $0.length) }, type: f.type))
        }
        return ArrayData(unchecked: type, length: total, nullCount: nulls, buffers: [validity], children: kids)
    case .dictionary(let iw):
        return try concatenateDictionary(arrays, type, total, validity, nulls, indexWidth: iw)
    }
}

/// One validity bitmap for the concatenation (arrays without nulls contribute set bits).
func concatenateValidity(_ arrays: [ArrayData], _ total: Int) -> ArrowBuffer {
    let out = MutableBuffer.uninitialized(Bitmap.byteCount(forBits: total))
    var app = BitAppender(out.baseAddress)
    for a in arrays where a.length > 0 {
        if let v = a.validityStart {
            appendBits(&app, v, offset: a.offset, length: a.length)
        } else {
            appendOnes(&app, length: a.length)
        }
    }
    app.flush()
    return out.finish()
}

/// The rebased offsets of every array, and the (first, last) source offsets of each.
func concatenateOffsets<O: ArrowOffset>(_ arrays: [ArrayData], _ total: Int, _: O.Type) throws(ArrowError) -> (MutableBuffer, [(Int, Int)]) {
    var ranges: [(Int, Int)] = []
    ranges.reserveCapacity(arrays.count)
    var values = 0
    for a in arrays {
        guard a.length > 0 else { ranges.append((0, 0)); continue }
        let p = a.rawBuffer(1)
        let s = Int(p.loadUnaligned(fromByteOffset: a.offset * MemoryLayout<O>.stride, as: O.self))
        let e = Int(p.loadUnaligned(fromByteOffset: (a.offset + a.length) * MemoryLayout<O>.stride, as: O.self))
        ranges.append((s, e))
        let (v, o) = values.addingReportingOverflow(e - s)
        guard !o else { throw ArrowError(.capacityExceeded, "concatenated values overflow") }
        values = v
    }
    guard values <= Int(O.max), values <= MutableBuffer.maximumCapacity else {
        throw ArrowError(.capacityExceeded, "concatenated values need offsets up to \(values), more than \(O.self) holds")
    }
    let out = MutableBuffer.uninitialized((total + 1) * MemoryLayout<O>.stride)
    let dst = out.baseAddress.assumingMemoryBound(to: O.self)
    dst[0] = 0
    var pos = 0
    var base = 0
    for (a, (s, e)) in zip(arrays, ranges) where a.length > 0 {
        let src = (a.rawBuffer(1) + a.offset * MemoryLayout<O>.stride)
        let shift = O(truncatingIfNeeded: base &- s)
        for i in 1...a.length {
            dst[pos &+ i] = src.loadUnaligned(fromByteOffset: i &* MemoryLayout<O>.stride, as: O.self) &+ shift
        }
        pos += a.length
        base += e - s
    }
    return (out, ranges)
}

func concatenateBinary<O: ArrowOffset>(
    _ arrays: [ArrayData], _ type: DataType, _ total: Int, _ validity: ArrowBuffer?, _ nulls: Int, _: O.Type
) throws(ArrowError) -> ArrayData {
    let (offsets, ranges) = try concatenateOffsets(arrays, total, O.self)
    var bytes = 0
    for (s, e) in ranges { bytes += e - s }
    let data = MutableBuffer.uninitialized(bytes)
    var pos = 0
    for (a, (s, e)) in zip(arrays, ranges) where e > s {
        (data.baseAddress + pos).copyMemory(from: a.rawBuffer(2) + s, byteCount: e - s)
        pos += e - s
    }
    return ArrayData(unchecked: type, length: total, nullCount: nulls, buffers: [validity, offsets.finish(), data.finish()])
}

func concatenateList<O: ArrowOffset>(
    _ arrays: [ArrayData], _ type: DataType, _ total: Int, _ validity: ArrowBuffer?, _ nulls: Int, _: O.Type
) throws(ArrowError) -> ArrayData {
    let (offsets, ranges) = try concatenateOffsets(arrays, total, O.self)
    var kids: [ArrayData] = []
    kids.reserveCapacity(arrays.count)
    for (a, (s, e)) in zip(arrays, ranges) { kids.append(a.children[0].sliceUnchecked(offset: s, length: e - s)) }
    let child = try concatenateArrays(kids, type: type.children[0].type)
    return ArrayData(unchecked: type, length: total, nullCount: nulls, buffers: [validity, offsets.finish()], children: [child])
}

func concatenateDictionary(
    _ arrays: [ArrayData], _ type: DataType, _ total: Int, _ validity: ArrowBuffer?, _ nulls: Int, indexWidth iw: Int
) throws(ArrowError) -> ArrayData {
    guard case .dictionary(let indexType, let valueType, _) = type, let dict0 = arrays[0].dictionary else {
        throw .invalidData("dictionary array without a dictionary")
    }
    let out = MutableBuffer.uninitialized(total * iw)
    // Same dictionary everywhere: copy the indices as they are.
    let shared = arrays.allSatisfy { a in
        guard let d = a.dictionary else { return false }
        return d.storage === dict0.storage || (d.offset == dict0.offset && d.length == dict0.length && d.buffers.elementsEqualIdentity(dict0.buffers) && d.children.count == 0 && dict0.children.count == 0) || d.logicallyEquals(dict0)
    }
    if shared {
        var pos = 0
        for a in arrays where a.length > 0 {
            (out.baseAddress + pos).copyMemory(from: a.rawBuffer(1) + a.offset * iw, byteCount: a.length * iw)
            pos += a.length * iw
        }
        return ArrayData(unchecked: type, length: total, nullCount: nulls, buffers: [validity, out.finish()], dictionary: dict0)
    }
    // Different dictionaries: append them and shift each array's indices by the values before.
    let dictionaries = arrays.map { $0.dictionary! }
    let dictTotal = dictionaries.reduce(0) { $0 + $1.length }
    let maxIndex: Int
    switch indexType {
    case .int8: maxIndex = Int(Int8.max)
    case .int16: maxIndex = Int(Int16.max)
    case .int32: maxIndex = Int(Int32.max)
    case .uint8: maxIndex = Int(UInt8.max)
    case .uint16: maxIndex = Int(UInt16.max)
    case .uint32: maxIndex = Int(UInt32.max)
    default: maxIndex = Int.max
    }
    guard dictTotal == 0 || dictTotal - 1 <= maxIndex else {
        throw ArrowError(.capacityExceeded, "the combined dictionaries hold \(dictTotal) values, more than \(indexType) indices address")
    }
    let dict = try concatenateArrays(dictionaries, type: valueType)
    var pos = 0
    var shift = 0
    for (a, d) in zip(arrays, dictionaries) {
        let src = a.rawBuffer(1) + a.offset * iw
        let bits = a.validityStart
        for i in 0..<a.length {
            // Null slots get index 0 + shift (a valid index), whatever they held.
            let valid = bits.map { Bitmap.get($0, a.offset &+ i) } ?? true
            let k = valid ? ArrayData.loadInteger(src, i, indexType) : 0
            storeInteger(out.baseAddress, pos &+ i, k &+ shift, width: iw)
        }
        pos += a.length
        shift += d.length
    }
    return ArrayData(unchecked: type, length: total, nullCount: nulls, buffers: [validity, out.finish()], dictionary: dict)
}

@inline(__always)
func storeInteger(_ p: UnsafeMutableRawPointer, _ i: Int, _ v: Int, width: Int) {
    switch width {
    case 1: p.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: i, as: UInt8.self)
    case 2: p.storeBytes(of: UInt16(truncatingIfNeeded: v), toByteOffset: i &* 2, as: UInt16.self)
    case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: v), toByteOffset: i &* 4, as: UInt32.self)
    default: p.storeBytes(of: UInt64(truncatingIfNeeded: v), toByteOffset: i &* 8, as: UInt64.self)
    }
}

extension Array where Element == ArrowBuffer? {
    /// Whether both lists hold the same memory ranges (not just equal bytes).
    func elementsEqualIdentity(_ other: [ArrowBuffer?]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { a, b in
            switch (a, b) {
            case (nil, nil): return true
            case (let x?, let y?): return x.baseAddress == y.baseAddress && x.count == y.count
            default: return false
            }
        }
    }
}
