import Arrow

/// Dictionary decoding: the indices of an RLE_DICTIONARY / PLAIN_DICTIONARY data page looked up
/// in the decoded dictionary page, every index checked against the dictionary size.
///
/// Repeated runs look the value up once and fill; bit-packed runs are unpacked in chunks of up to
/// 512 indices, checked with one maximum, then gathered.
extension RLEHybridDecoder {
    static let gatherChunk = 512

    func indexError(_ index: UInt32, _ size: Int) -> ParquetError {
        .corrupt("dictionary index \(index) is out of range for a dictionary of \(size) entries")
    }

    /// Gathers `count` values of `T` from `dict` (`dictCount` entries) into `dst`.
    mutating func gatherTyped<T: BitwiseCopyable>(_ count: Int, dict: UnsafePointer<T>, dictCount: Int, into dst: UnsafeMutablePointer<T>) throws(ParquetError) {
        try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: RLEHybridDecoder.gatherChunk) { (scratch) throws(ParquetError) in
            let idx = scratch.baseAddress!
            var done = 0
            while done < count {
                if repeatRemaining > 0 {
                    let n = Swift.min(repeatRemaining, count &- done)
                    guard Int(repeatValue) < dictCount else { throw indexError(repeatValue, dictCount) }
                    (dst + done).update(repeating: dict[Int(repeatValue)], count: n)
                    repeatRemaining &-= n
                    done &+= n
                } else if literalIndex < literalEnd {
                    let n = Swift.min(literalEnd &- literalIndex, count &- done, RLEHybridDecoder.gatherChunk)
                    BitUnpack.unpack(literalStart, available: literalAvailable, first: literalIndex, count: n, width: bitWidth, into: idx)
                    var m: UInt32 = 0
                    for k in 0..<n { m = Swift.max(m, idx[k]) }
                    guard Int(m) < dictCount else { throw indexError(m, dictCount) }
                    let out = dst + done
                    for k in 0..<n { out[k] = dict[Int(idx[k])] }
                    literalIndex &+= n
                    done &+= n
                } else {
                    try readRun()
                }
            }
        }
    }

    /// Gathers `count` values of `width` bytes (any width) from `dict` into `dst`.
    mutating func gatherBytes(_ count: Int, dict: UnsafeRawPointer, width: Int, dictCount: Int, into dst: UnsafeMutableRawPointer) throws(ParquetError) {
        try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: RLEHybridDecoder.gatherChunk) { (scratch) throws(ParquetError) in
            let idx = scratch.baseAddress!
            var done = 0
            while done < count {
                if repeatRemaining > 0 {
                    let n = Swift.min(repeatRemaining, count &- done)
                    guard Int(repeatValue) < dictCount else { throw indexError(repeatValue, dictCount) }
                    let src = dict + Int(repeatValue) &* width
                    for k in 0..<n { (dst + (done &+ k) &* width).copyMemory(from: src, byteCount: width) }
                    repeatRemaining &-= n
                    done &+= n
                } else if literalIndex < literalEnd {
                    let n = Swift.min(literalEnd &- literalIndex, count &- done, RLEHybridDecoder.gatherChunk)
                    BitUnpack.unpack(literalStart, available: literalAvailable, first: literalIndex, count: n, width: bitWidth, into: idx)
                    var m: UInt32 = 0
                    for k in 0..<n { m = Swift.max(m, idx[k]) }
                    guard Int(m) < dictCount else { throw indexError(m, dictCount) }
                    for k in 0..<n {
                        (dst + (done &+ k) &* width).copyMemory(from: dict + Int(idx[k]) &* width, byteCount: width)
                    }
                    literalIndex &+= n
                    done &+= n
                } else {
                    try readRun()
                }
            }
        }
    }

    /// Decodes the next `count` indices and appends the dictionary values they select to
    /// `buffer` (`count × dictionary.byteWidth` bytes).
    ///
    /// - Throws: `corrupt` when an index is not below `dictionary.count` or the page holds fewer
    ///   indices.
    /// - Complexity: O(*count*): runs are filled, bit-packed indices gathered.
    public mutating func gather(_ count: Int, from dictionary: FixedWidthDictionary, appendingTo buffer: MutableBuffer) throws(ParquetError) {
        guard count > 0 else { return }
        let base = dictionary.values.baseAddress
        let n = dictionary.count
        switch dictionary.byteWidth {
        case 4 where Int(bitPattern: base) % 4 == 0:
            try buffer.appendValues(count, as: UInt32.self) { (p) throws(ParquetError) in
                try gatherTyped(count, dict: base.assumingMemoryBound(to: UInt32.self), dictCount: n, into: p)
            }
        case 8 where Int(bitPattern: base) % 8 == 0:
            try buffer.appendValues(count, as: UInt64.self) { (p) throws(ParquetError) in
                try gatherTyped(count, dict: base.assumingMemoryBound(to: UInt64.self), dictCount: n, into: p)
            }
        case 16 where Int(bitPattern: base) % 8 == 0:
            try buffer.appendValues(count, as: Bytes16.self) { (p) throws(ParquetError) in
                try gatherTyped(count, dict: base.assumingMemoryBound(to: Bytes16.self), dictCount: n, into: p)
            }
        default:
            let w = dictionary.byteWidth
            let (total, o) = count.multipliedReportingOverflow(by: w)
            guard !o, total <= MutableBuffer.maximumCapacity else {
                throw .limitExceeded(file: "", what: "decoded values bytes", value: Int.max, limit: MutableBuffer.maximumCapacity)
            }
            try buffer.appendValues(total, as: UInt8.self) { (p) throws(ParquetError) in
                try gatherBytes(count, dict: base, width: w, dictCount: n, into: UnsafeMutableRawPointer(p))
            }
        }
    }

    /// Decodes the next `count` indices and appends the byte arrays they select to `output`.
    ///
    /// - Throws: `corrupt` for an index not below `dictionary.count`; `limitExceeded` before the
    ///   output data would pass its byte limit.
    /// - Complexity: O(*count* + bytes copied).
    public mutating func gather(_ count: Int, from dictionary: ByteArrayDictionary, into output: ByteArrayOutput) throws(ParquetError) {
        guard count > 0 else { return }
        let dictCount = dictionary.count
        try withUnsafeTemporaryAllocation(of: UInt32.self, capacity: RLEHybridDecoder.gatherChunk) { (scratch) throws(ParquetError) in
            let idx = scratch.baseAddress!
            var done = 0
            while done < count {
                if repeatRemaining > 0 {
                    let n = Swift.min(repeatRemaining, count &- done)
                    guard Int(repeatValue) < dictCount else { throw indexError(repeatValue, dictCount) }
                    try ByteArrayGather.emitRepeated(Int(repeatValue), n, dictionary, output)
                    repeatRemaining &-= n
                    done &+= n
                } else if literalIndex < literalEnd {
                    let n = Swift.min(literalEnd &- literalIndex, count &- done, RLEHybridDecoder.gatherChunk)
                    BitUnpack.unpack(literalStart, available: literalAvailable, first: literalIndex, count: n, width: bitWidth, into: idx)
                    var m: UInt32 = 0
                    for k in 0..<n { m = Swift.max(m, idx[k]) }
                    guard Int(m) < dictCount else { throw indexError(m, dictCount) }
                    try ByteArrayGather.emit(idx, n, dictionary, output)
                    literalIndex &+= n
                    done &+= n
                } else {
                    try readRun()
                }
            }
        }
    }
}

/// Copies dictionary entries selected by checked indices into Arrow offsets and data.
enum ByteArrayGather {
    /// Appends entry `i` (below the dictionary size) `n` times to `output`: the bytes are
    /// copied once and then doubled, the offsets are an arithmetic progression.
    ///
    /// - Complexity: O(*n* + *n* × the entry's length), with `memcpy` doing the bytes.
    static func emitRepeated(_ i: Int, _ n: Int, _ dictionary: ByteArrayDictionary, _ output: ByteArrayOutput) throws(ParquetError) {
        guard n > 0 else { return }
        let offs = dictionary.offsets.baseAddress.assumingMemoryBound(to: Int32.self)
        let s = Int(offs[i])
        let len = Int(offs[i &+ 1]) &- s
        let (total, overflow) = len.multipliedReportingOverflow(by: n)
        guard !overflow else {
            throw .limitExceeded(file: "", what: "decoded byte array data", value: Int.max, limit: output.dataLimit)
        }
        try output.checkRoom(total)
        let data = output.data
        let dataStart = data.count
        if total > 0 {
            let dst = data.extendUninitialized(by: total)
            dst.copyMemory(from: dictionary.data.baseAddress + s, byteCount: len)
            var filled = len
            while filled < total {
                let k = Swift.min(filled, total &- filled)
                (dst + filled).copyMemory(from: dst, byteCount: k)
                filled &+= k
            }
        }
        let first = output.offsetBase &+ dataStart
        if output.largeOffsets {
            output.offsets.appendValues(n, as: Int64.self) { o in
                for k in 0..<n { o[k] = Int64(first &+ (k &+ 1) &* len) }
            }
        } else {
            // Below Int32.max: checkRoom bounds the data (and so every end offset) for Int32.
            output.offsets.appendValues(n, as: Int32.self) { o in
                let base = Int32(truncatingIfNeeded: first), step = Int32(truncatingIfNeeded: len)
                for k in 0..<n { o[k] = base &+ Int32(truncatingIfNeeded: k &+ 1) &* step }
            }
        }
    }

    /// Bytes that may be read past an entry's start and written past a value's end (the
    /// dictionary's data and the output both have this much slack).
    static let slack = 32

    /// Appends the entries `idx[0..<n]` (all below the dictionary size) to `output`.
    @inline(__always)
    static func emit(_ idx: UnsafeMutablePointer<UInt32>, _ n: Int, _ dictionary: ByteArrayDictionary, _ output: ByteArrayOutput) throws(ParquetError) {
        let offs = dictionary.offsets.baseAddress.assumingMemoryBound(to: Int32.self)
        let src = dictionary.data.baseAddress
        // Entries are below 2^31 bytes, so 512 of them cannot overflow.
        var total = 0
        for k in 0..<n {
            let i = Int(idx[k])
            total &+= Int(offs[i &+ 1]) &- Int(offs[i])
        }
        try output.checkRoom(total)
        let data = output.data
        let dataStart = data.count
        let dst = data.extend(by: total &+ slack)
        var pos = 0
        var end = output.offsetBase &+ dataStart
        let ow = output.largeOffsets ? 8 : 4
        output.offsets.appendValues(n &* ow, as: UInt8.self) { o in
            let out = UnsafeMutableRawPointer(o)
            for k in 0..<n {
                let i = Int(idx[k])
                let s = Int(offs[i])
                let len = Int(offs[i &+ 1]) &- s
                if len <= slack {
                    let d = dst + pos, r = src + s
                    d.storeBytes(of: r.loadUnaligned(as: UInt64.self), as: UInt64.self)
                    d.storeBytes(of: r.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
                    if len > 16 {
                        d.storeBytes(of: r.loadUnaligned(fromByteOffset: 16, as: UInt64.self), toByteOffset: 16, as: UInt64.self)
                        d.storeBytes(of: r.loadUnaligned(fromByteOffset: 24, as: UInt64.self), toByteOffset: 24, as: UInt64.self)
                    }
                } else {
                    (dst + pos).copyMemory(from: src + s, byteCount: len)
                }
                pos &+= len
                end &+= len
                if ow == 8 {
                    out.storeBytes(of: Int64(end), toByteOffset: k &* 8, as: Int64.self)
                } else {
                    out.storeBytes(of: Int32(truncatingIfNeeded: end), toByteOffset: k &* 4, as: Int32.self)
                }
            }
        }
        data.resize(to: dataStart &+ total)
    }
}

/// Sixteen opaque bytes (a FIXED_LEN_BYTE_ARRAY(16) value such as a UUID), copied as a unit.
struct Bytes16: BitwiseCopyable {
    var lo: UInt64
    var hi: UInt64
}
