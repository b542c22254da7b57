extension ArrayData {
    /// The deepest nesting `validate()` accepts (protects the stack on hostile input).
    public static let maximumNestingDepth = 64

    /// Checks that the data is consistent with its type, so that every typed accessor and kernel
    /// can read it without bounds checks:
    /// buffer count and sizes, lengths and offsets (no overflow), offsets non-decreasing and inside
    /// their data buffer or child, child count, child types and lengths, dictionary presence and
    /// index range, nulls only in nullable children, and UTF-8 validity of string values.
    ///
    /// - Complexity: O(*n*) in the visible data (offsets, string bytes, dictionary indices).
    public func validate() throws(ArrowError) {
        try validate(depth: 1)
    }

    /// ``validate()`` for data that ``ArrayReader`` built from a C struct: the reader has already
    /// checked everything about the layout (lengths, offsets, null counts, buffer and child
    /// counts and sizes, child types, dictionary presence), so of a null, boolean or fixed-width
    /// array nothing is left, and of a struct only its children's lengths and nulls. Other
    /// layouts have content to check (offsets, UTF-8, dictionary indices) and are validated
    /// completely.
    ///
    /// - Parameter trusted: columns of our own that a top-level struct's children may be (the
    ///   importer's hint): a child that is one of them, at the same position, was validated when
    ///   it was built, so only its nulls are checked against its field.
    /// - Complexity: O(*n*) in the visible data of the non-fixed-width parts.
    func validateRead(depth: Int = 1, trusted: [ArrayData] = []) throws(ArrowError) {
        if case .struct(let fields) = type, children.count == fields.count {
            let end = offset + length
            let columns = children
            // By index: no copies of the fields on the way.
            for i in columns.indices {
                guard columns[i].length >= end else {
                    throw .invalidData("struct child '\(fields[i].name)' has length \(columns[i].length), needs at least \(end)")
                }
                if i >= trusted.count || !columns[i].isSameArray(as: trusted[i]) {
                    try columns[i].validateRead(depth: depth + 1)
                }
                // A child known to hold no nulls needs no check (and no copy of its field).
                if columns[i].isNullCountKnown, columns[i].nullCount == 0 { continue }
                if !fields[i].nullable { try checkChildNulls(field: fields[i], child: columns[i], range: offset..<end) }
            }
        } else {
            switch type.layout {
            case .null, .boolean:
                break
            case .fixedWidth(let w):
                guard w > 0 else { throw .invalidData("fixed-size binary width must be positive") }
            case .variableBinary where type.isString && stringsKnownValid:
                // A range we exported as valid came back unchanged; the reader sized the data
                // buffer from the last offset.
                break
            default:
                try validate(depth: depth)
                return
            }
        }
        // Every test run checks that the shortcut accepts nothing the full validation rejects.
        assert((try? validate(depth: depth)) != nil, "validateRead accepted data that validate() rejects")
    }

    func validate(depth: Int) throws(ArrowError) {
        guard depth <= ArrayData.maximumNestingDepth else {
            throw .invalidData("nesting depth exceeds \(ArrayData.maximumNestingDepth)")
        }
        let type = self.type
        guard length >= 0 else { throw .invalidData("negative length \(length)") }
        guard offset >= 0 else { throw .invalidData("negative offset \(offset)") }
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, end <= MutableBuffer.maximumCapacity else { throw .invalidData("offset + length overflows") }
        guard buffers.count == type.bufferCount else {
            throw .invalidData("\(type) expects \(type.bufferCount) buffers, got \(buffers.count)")
        }
        let nc = storage.nullCountCache.load(ordering: .relaxed)
        guard nc >= -1, nc <= length else { throw .invalidData("null count \(nc) outside [-1, \(length)]") }
        // Validity bitmap.
        if type.bufferCount > 0, let v = buffers[0], length > 0 {
            guard v.count >= Bitmap.byteCount(forBits: end) else { throw .invalidData("validity bitmap too short") }
        }
        let expectedChildren = type.children.count
        guard children.count == expectedChildren else {
            throw .invalidData("\(type) expects \(expectedChildren) children, got \(children.count)")
        }
        for (child, field) in zip(children, type.children) {
            guard child.type == field.type else {
                throw .invalidData("child '\(field.name)' has type \(child.type), expected \(field.type)")
            }
        }
        if case .dictionary = type {} else {
            guard dictionary == nil else { throw .invalidData("\(type) must not have a dictionary") }
        }

        switch type.layout {
        case .null:
            break
        case .boolean:
            if length > 0 { try requireBuffer(1, bytes: Bitmap.byteCount(forBits: end), "values") }
        case .fixedWidth(let w):
            guard w > 0 else { throw .invalidData("fixed-size binary width must be positive") }
            let (bytes, o) = end.multipliedReportingOverflow(by: w)
            guard !o else { throw .invalidData("data size overflows") }
            if length > 0 { try requireBuffer(1, bytes: bytes, "values") }
        case .variableBinary(let ow):
            // Offsets of strings known valid were checked when that became known (validate,
            // a builder, or a range we exported coming back): only their bounds are read.
            let last = type.isString && stringsKnownValid ? try lastOffset(offsetWidth: ow, end: end) : try validateOffsets(offsetWidth: ow, end: end)
            if last > 0 { try requireBuffer(2, bytes: last, "data") }
            if type.isString, length > 0, !stringsKnownValid {
                try validateUTF8(offsetWidth: ow)
                storage.stringsValid.store(true, ordering: .relaxed)
            }
        case .list(let ow):
            let last = try validateOffsets(offsetWidth: ow, end: end)
            guard children[0].length >= last else {
                throw .invalidData("list offsets reach \(last), past the child's length \(children[0].length)")
            }
            try children[0].validate(depth: depth + 1)
            try checkChildNulls(field: type.children[0], child: children[0], range: nil)
            if case .map(let entries, _) = type {
                guard case .struct(let kv) = entries.type, kv.count == 2 else {
                    throw .invalidData("map entries must be a struct of key and value")
                }
                guard !entries.nullable || children[0].nullCount == 0 else { throw .invalidData("map entries must not be null") }
            }
        case .fixedSizeList(let n):
            guard n >= 0 else { throw .invalidData("fixed-size list size must be non-negative") }
            let (need, o) = end.multipliedReportingOverflow(by: n)
            guard !o, children[0].length >= need else {
                throw .invalidData("fixed-size list child has \(children[0].length) values, needs \(need)")
            }
            try children[0].validate(depth: depth + 1)
            try checkChildNulls(field: type.children[0], child: children[0], range: nil)
        case .struct:
            for (child, field) in zip(children, type.children) {
                guard child.length >= end else {
                    throw .invalidData("struct child '\(field.name)' has length \(child.length), needs at least \(end)")
                }
                try child.validate(depth: depth + 1)
                try checkChildNulls(field: field, child: child, range: offset..<end)
            }
        case .dictionary(let iw):
            guard case .dictionary(let indexType, let valueType, _) = type, indexType.isInteger, iw > 0 else {
                throw .invalidData("dictionary indices must be integers")
            }
            guard let dict = dictionary else { throw .invalidData("dictionary array without a dictionary") }
            guard dict.type == valueType else { throw .invalidData("dictionary has type \(dict.type), expected \(valueType)") }
            try dict.validate(depth: depth + 1)
            if length > 0 {
                try requireBuffer(1, bytes: end * iw, "indices")
                try validateDictionaryIndices(indexType: indexType, dictionaryLength: dict.length)
            }
        }
    }

    private func requireBuffer(_ i: Int, bytes: Int, _ what: String) throws(ArrowError) {
        guard let b = buffers[i] else { throw .invalidData("\(type) array of length \(length) has a NULL \(what) buffer") }
        guard b.count >= bytes else { throw .invalidData("\(what) buffer has \(b.count) bytes, needs \(bytes)") }
    }

    /// The last visible offset, the offsets buffer being long enough (their order is not checked).
    private func lastOffset(offsetWidth: Int, end: Int) throws(ArrowError) -> Int {
        if length == 0 { return 0 }
        try requireBuffer(1, bytes: (end + 1) * offsetWidth, "offsets")
        let last = buffers[1]!.loadOffset(end, width: offsetWidth)
        guard last >= 0, last <= MutableBuffer.maximumCapacity else { throw .invalidData("offset \(last) out of range") }
        return last
    }

    /// Checks the visible offsets `[offset, end]` and returns the last one.
    private func validateOffsets(offsetWidth: Int, end: Int) throws(ArrowError) -> Int {
        if length == 0 {
            // An empty array may have a NULL or empty offsets buffer.
            return 0
        }
        try requireBuffer(1, bytes: (end + 1) * offsetWidth, "offsets")
        let b = buffers[1]!
        let last: Int
        if offsetWidth == 4 {
            last = try b.withUnsafeValues(as: Int32.self) { (p) throws(ArrowError) -> Int in
                try Self.checkOffsets(p, from: offset, to: end)
            }
        } else {
            last = try b.withUnsafeValues(as: Int64.self) { (p) throws(ArrowError) -> Int in
                try Self.checkOffsets(p, from: offset, to: end)
            }
        }
        guard last <= MutableBuffer.maximumCapacity else { throw .invalidData("offset \(last) too large") }
        return last
    }

    /// Offsets `p[from...to]` must be non-negative and non-decreasing.
    ///
    /// Branch-free over the whole range so it vectorises: when every value is non-negative, a
    /// wrapping difference cannot overflow, so OR-ing values and differences and testing the
    /// sign once is exact. The slow scan that names the culprit runs only on failure.
    @inline(__always)
    static func checkOffsets<T: FixedWidthInteger & SignedInteger>(_ p: UnsafeBufferPointer<T>, from: Int, to: Int) throws(ArrowError) -> Int {
        var acc: T = p[from]
        let base = p.baseAddress!
        var i = from
        while i < to {
            acc |= base[i + 1] | (base[i + 1] &- base[i])
            i += 1
        }
        if acc < 0 {
            if p[from] < 0 { throw .invalidData("negative first offset \(p[from])") }
            for j in from..<to where p[j + 1] < p[j] || p[j + 1] < 0 {
                throw .invalidData("offsets decrease at index \(j + 1 - from)")
            }
        }
        return Int(p[to])
    }

    private func validateUTF8(offsetWidth: Int) throws(ArrowError) {
        let off = buffers[1]!
        let start: Int, stop: Int
        if offsetWidth == 4 {
            start = Int(off.load(offset, as: Int32.self)); stop = Int(off.load(offset + length, as: Int32.self))
        } else {
            start = Int(off.load(offset, as: Int64.self)); stop = Int(off.load(offset + length, as: Int64.self))
        }
        guard stop > start, let data = buffers[2] else { return }
        // Validating the whole visible range at once is valid as long as every value boundary is
        // also a character boundary; check that separately only when the range is not plain ASCII.
        let bytes = UnsafeRawBufferPointer(start: data.baseAddress + start, count: stop - start)
        let check = UTF8Validation.validate(bytes)
        if let bad = check.firstInvalid {
            throw ArrowError(.invalidUTF8, "invalid UTF-8 in a string value at byte \(bad + start)")
        }
        if !check.isASCII {
            // Each value must start on a scalar boundary (not a continuation byte).
            for i in 0..<length {
                let s: Int = offsetWidth == 4 ? Int(off.load(offset + i, as: Int32.self)) : Int(off.load(offset + i, as: Int64.self))
                let e: Int = offsetWidth == 4 ? Int(off.load(offset + i + 1, as: Int32.self)) : Int(off.load(offset + i + 1, as: Int64.self))
                if e > s {
                    if data.baseAddress.load(fromByteOffset: s, as: UInt8.self) & 0xC0 == 0x80 {
                        throw ArrowError(.invalidUTF8, "invalid UTF-8 in string value \(i): starts inside a character")
                    }
                    if e < stop, data.baseAddress.load(fromByteOffset: e, as: UInt8.self) & 0xC0 == 0x80 {
                        throw ArrowError(.invalidUTF8, "invalid UTF-8 in string value \(i): ends inside a character")
                    }
                }
            }
        }
    }

    private func validateDictionaryIndices(indexType: DataType, dictionaryLength: Int) throws(ArrowError) {
        let idx = buffers[1]!
        func check<T: BinaryInteger & BitwiseCopyable>(_: T.Type) throws(ArrowError) {
            for i in 0..<length where isValid(i) {
                let k = idx.load(offset + i, as: T.self)
                guard k >= 0, k < dictionaryLength else {
                    throw .invalidData("dictionary index \(k) at \(i) is outside a dictionary of \(dictionaryLength) values")
                }
            }
        }
        switch indexType {
        case .int8: try check(Int8.self)
        case .int16: try check(Int16.self)
        case .int32: try check(Int32.self)
        case .int64: try check(Int64.self)
        case .uint8: try check(UInt8.self)
        case .uint16: try check(UInt16.self)
        case .uint32: try check(UInt32.self)
        case .uint64: try check(UInt64.self)
        default: throw .invalidData("dictionary indices must be integers")
        }
    }

    /// A non-nullable field must hold no nulls in the rows its parent can reach (`range`, or the
    /// whole child).
    ///
    /// For a struct child, slots where the struct itself is null do not count: the struct's null
    /// covers them, and writers such as Parquet readers leave them null.
    private func checkChildNulls(field: Field, child: ArrayData, range: Range<Int>?) throws(ArrowError) {
        guard !field.nullable else { return }
        let reachable = range.map { child.sliceUnchecked(offset: $0.lowerBound, length: $0.count) } ?? child
        let nulls = reachable.nullCount
        guard nulls > 0 else { return }
        if range != nil, case .struct = type, nullCount > 0 {
            for i in 0..<length where isValid(i) && !reachable.isValid(i) {
                throw .invalidData("non-nullable field '\(field.name)' holds a null at \(i)")
            }
            return
        }
        throw .invalidData("non-nullable field '\(field.name)' holds \(nulls) null(s)")
    }
}
