/// Shared pieces of the kernels: structural checks, raw buffer access, all-null arrays.

extension ArrayData {
    /// An O(nesting) check that every buffer a kernel reads exists and is long enough for the
    /// visible range, that children have the declared types and enough rows, and that the first
    /// and last visible offsets lie inside their data or child. Together with the per-element
    /// offset checks the kernels fold into loops they run anyway, this keeps the kernels from
    /// reading outside memory on data that was never validated.
    ///
    /// It does not check monotonic offsets, UTF-8, or dictionary indices (see ``validate()``).
    func checkLayout(depth: Int = 1) throws(ArrowError) {
        guard depth <= ArrayData.maximumNestingDepth else { throw .invalidData("nesting depth exceeds \(ArrayData.maximumNestingDepth)") }
        try requireBufferCount("kernel input")
        let end = offset + length
        guard children.count == type.children.count else {
            throw .invalidData("\(type) expects \(type.children.count) children, got \(children.count)")
        }
        for (c, f) in zip(children, type.children) where c.type != f.type {
            throw .invalidData("child '\(f.name)' has type \(c.type), expected \(f.type)")
        }
        switch type.layout {
        case .null:
            break
        case .boolean:
            _ = try bufferStart(1, bytes: length == 0 ? 0 : Bitmap.byteCount(forBits: end), "kernel input")
        case .fixedWidth(let w):
            guard w > 0 else { throw .invalidData("fixed width must be positive") }
            let (bytes, o) = end.multipliedReportingOverflow(by: w)
            guard !o else { throw .invalidData("data size overflows") }
            _ = try bufferStart(1, bytes: length == 0 ? 0 : bytes, "kernel input")
        case .variableBinary(let ow):
            let (first, last) = try offsetBounds(ow)
            let dataCount = buffers[2]?.count ?? 0
            guard first >= 0, first <= last, last <= dataCount else {
                throw .invalidData("offsets \(first)...\(last) outside a data buffer of \(dataCount) bytes")
            }
        case .list(let ow):
            let (first, last) = try offsetBounds(ow)
            guard first >= 0, first <= last, last <= children[0].length else {
                throw .invalidData("list offsets \(first)...\(last) outside a child of \(children[0].length) values")
            }
            try children[0].checkLayout(depth: depth + 1)
        case .fixedSizeList(let n):
            guard n >= 0 else { throw .invalidData("negative list size") }
            let (need, o) = end.multipliedReportingOverflow(by: n)
            guard !o, children[0].length >= need else { throw .invalidData("fixed-size list child too short") }
            try children[0].checkLayout(depth: depth + 1)
        case .struct:
            for c in children {
                guard c.length >= end else { throw .invalidData("struct child has \(c.length) rows, needs \(end)") }
                try c.checkLayout(depth: depth + 1)
            }
        case .dictionary(let iw):
            guard case .dictionary(let it, let vt, _) = type, it.isInteger, iw > 0 else { throw .invalidData("dictionary indices must be integers") }
            guard let d = dictionary, d.type == vt else { throw .invalidData("dictionary array without a dictionary of \(vt)") }
            _ = try bufferStart(1, bytes: length == 0 ? 0 : end * iw, "kernel input")
            try d.checkLayout(depth: depth + 1)
        }
    }

    /// The first and last visible offsets (0, 0 for an empty array).
    private func offsetBounds(_ ow: Int) throws(ArrowError) -> (Int, Int) {
        guard length > 0 else { return (0, 0) }
        let p = try bufferStart(1, bytes: (offset + length + 1) * ow, "kernel input")
        guard Int(bitPattern: p) % ow == 0 else { throw .invalidData("offsets buffer is not aligned to \(ow) bytes") }
        if ow == 4 {
            return (Int(p.loadUnaligned(fromByteOffset: offset * 4, as: Int32.self)),
                    Int(p.loadUnaligned(fromByteOffset: (offset + length) * 4, as: Int32.self)))
        }
        return (Int(p.loadUnaligned(fromByteOffset: offset * 8, as: Int64.self)),
                Int(p.loadUnaligned(fromByteOffset: (offset + length) * 8, as: Int64.self)))
    }

    /// The start of buffer `i` (the shared empty buffer when absent). Only for arrays that
    /// passed ``checkLayout(depth:)``.
    @inlinable
    func rawBuffer(_ i: Int) -> UnsafeRawPointer {
        buffers[i]?.baseAddress ?? BufferStorage.empty.base
    }

    /// The byte count of buffer `i` (0 when absent).
    @inlinable
    func rawBufferCount(_ i: Int) -> Int { buffers[i]?.count ?? 0 }

    /// An array of `length` nulls of `type` (every layout; children hold empty values).
    public static func allNull(_ type: DataType, length: Int) throws(ArrowError) -> ArrayData {
        guard length >= 0 else { throw .invalidArgument("negative length \(length)") }
        if case .null = type { return .nulls(length) }
        let b = try makeBuilder(for: type)
        b.reserve(length)
        b.appendNulls(length)
        return try b.finish()
    }

    /// Loads element `i` of an integer buffer of `type` as Int (unchecked index).
    @inlinable
    static func loadInteger(_ p: UnsafeRawPointer, _ i: Int, _ type: DataType) -> Int {
        switch type {
        case .int8: return Int(p.loadUnaligned(fromByteOffset: i, as: Int8.self))
        case .uint8: return Int(p.loadUnaligned(fromByteOffset: i, as: UInt8.self))
        case .int16: return Int(p.loadUnaligned(fromByteOffset: i &* 2, as: Int16.self))
        case .uint16: return Int(p.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self))
        case .int32: return Int(p.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self))
        case .uint32: return Int(p.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
        case .uint64: return Int(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self))
        default: return Int(p.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self))
        }
    }
}

/// Appends `length` bits of `src` (from bit `offset`) to `out`, word at a time.
@inlinable
func appendBits(_ out: inout BitAppender, _ src: UnsafeRawPointer, offset: Int, length: Int) {
    if out.count & 7 == 0 && offset & 7 == 0 && length >= 256 {
        // Both byte aligned: whole bytes are copied as they are.
        let bytes = length >> 3
        out.appendAlignedBytes(src + (offset >> 3), byteCount: bytes)
        let rest = length & 7
        if rest > 0 {
            let last = UInt64(src.load(fromByteOffset: (offset >> 3) + bytes, as: UInt8.self))
            out.append(bits: last, count: rest)
        }
        return
    }
    let words = BitWords(src, offset: offset, length: length)
    let full = length >> 6
    for k in 0..<full { out.append(bits: words.word(k), count: 64) }
    let rem = length & 63
    if rem > 0 { out.append(bits: words.word(full), count: rem) }
}

/// Appends `length` set bits to `out`.
@inlinable
func appendOnes(_ out: inout BitAppender, length: Int) {
    var n = length
    while n >= 64 { out.append(bits: ~0, count: 64); n -= 64 }
    if n > 0 { out.append(bits: ~0, count: n) }
}

/// LLVM's prefetch intrinsic (`prefetcht0` on x86): a hint that `address` will be read soon.
/// Never faults, whatever the address. Used by the gather loops, whose random reads are
/// otherwise bound by memory latency.
@_silgen_name("llvm.prefetch.p0")
func _llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ dataCache: Int32)

/// How many elements ahead the gather loops prefetch.
let prefetchDistance = 32

/// `-DARROW_NO_PREFETCH` turns the hint off: ThreadSanitizer builds instrument the call as an
/// `invoke`, which LLVM rejects for intrinsics (docs/c-abi.md, "Checking the library").
@inline(__always)
func prefetch(_ address: UnsafeRawPointer) {
    #if !ARROW_NO_PREFETCH
    _llvmPrefetch(address, 0, 3, 1)
    #endif
}

/// `count * width` as a byte size, or `capacityExceeded` past ``MutableBuffer/maximumCapacity``.
@inline(__always)
func checkedBytes(_ count: Int, _ width: Int) throws(ArrowError) -> Int {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: width)
    guard !overflow, bytes >= 0, bytes <= MutableBuffer.maximumCapacity else {
        throw ArrowError(.capacityExceeded, "a result of \(count) × \(width) bytes is too large")
    }
    return bytes
}
