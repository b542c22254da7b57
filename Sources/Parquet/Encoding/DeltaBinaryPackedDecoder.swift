import Arrow

/// A streaming decoder of DELTA_BINARY_PACKED (Encodings.md, `DELTA_BINARY_PACKED = 5`) for
/// INT32 (`U` = `UInt32`) and INT64 (`U` = `UInt64`) values.
///
/// All arithmetic wraps in `U`, so every 32- or 64-bit sequence round-trips whatever its deltas.
/// The header is validated (block size a positive multiple of 128, miniblock count dividing it
/// into multiples of 32 values, value count within the caller's limit); each miniblock's bit width
/// is checked (≤ 32 or ≤ 64) when the miniblock is first used, so the arbitrary widths that
/// writers may leave for unused miniblocks of the last block are ignored. Values are unpacked
/// straight into the output and prefix-summed; no buffer is allocated.
struct DeltaBinaryPackedDecoder<U: FixedWidthInteger & UnsignedInteger & BitwiseCopyable> {
    var cursor: ByteCursor
    let blockSize: Int
    let miniblocksPerBlock: Int
    let valuesPerMiniblock: Int
    /// Values in the stream (the first value included).
    let totalCount: Int
    /// Values returned so far.
    var emitted = 0
    var last: U
    // The current block and miniblock.
    var haveBlock = false
    var minDelta: U = 0
    var widthsOffset = 0
    var miniblockIndex = 0
    var miniblockStart = 0
    var miniblockWidth = 0
    var inMiniblock = 0
    /// Where the header ends (the end of the stream when it holds at most one value).
    let headerEnd: Int

    /// Reads the header.
    ///
    /// - Parameter maxValues: the most values the page may hold; a header declaring more is
    ///   `corrupt`.
    init(_ data: UnsafeRawBufferPointer, maxValues: Int) throws(ParquetError) {
        cursor = ByteCursor(data)
        let block = try cursor.readULEB128("DELTA_BINARY_PACKED block size", maxBits: 32)
        let minis = try cursor.readULEB128("DELTA_BINARY_PACKED miniblock count", maxBits: 32)
        let total = try cursor.readULEB128("DELTA_BINARY_PACKED value count", maxBits: 62)
        let first = try cursor.readZigZag("DELTA_BINARY_PACKED first value")
        guard block > 0, block % 128 == 0 else {
            throw .corrupt("DELTA_BINARY_PACKED: block size \(block) is not a positive multiple of 128")
        }
        guard minis > 0, block % minis == 0, (block / minis) % 32 == 0 else {
            throw .corrupt("DELTA_BINARY_PACKED: \(minis) miniblocks do not split a block of \(block) into multiples of 32 values")
        }
        guard Int(total) <= Swift.max(maxValues, 0) else {
            throw .corrupt("DELTA_BINARY_PACKED: the header declares \(total) values, the page holds at most \(maxValues)")
        }
        blockSize = Int(block)
        miniblocksPerBlock = Int(minis)
        valuesPerMiniblock = Int(block / minis)
        totalCount = Int(total)
        last = U(truncatingIfNeeded: UInt64(bitPattern: first))
        headerEnd = cursor.position
    }

    /// Values not yet decoded.
    var remaining: Int { totalCount &- emitted }

    func shortage(_ count: Int) -> ParquetError {
        .corrupt("DELTA_BINARY_PACKED: \(count) values requested, \(remaining) left in the page")
    }

    /// The byte offset just past the stream, once every value has been decoded: the end of the
    /// last miniblock used, at its full size.
    var endOffset: Int {
        haveBlock ? miniblockStart &+ valuesPerMiniblock / 8 &* miniblockWidth : headerEnd
    }

    /// Moves to the miniblock holding the next delta, reading a block header when needed.
    mutating func enterMiniblock() throws(ParquetError) {
        if haveBlock {
            if inMiniblock < valuesPerMiniblock { return }
            miniblockStart &+= valuesPerMiniblock / 8 &* miniblockWidth
            miniblockIndex &+= 1
            inMiniblock = 0
        }
        if !haveBlock || miniblockIndex == miniblocksPerBlock {
            guard miniblockStart <= cursor.end || !haveBlock else {
                throw .corrupt("DELTA_BINARY_PACKED: a miniblock runs past the page")
            }
            if haveBlock { cursor.position = miniblockStart }
            let md = try cursor.readZigZag("DELTA_BINARY_PACKED min delta")
            minDelta = U(truncatingIfNeeded: UInt64(bitPattern: md))
            widthsOffset = cursor.position
            _ = try cursor.take(miniblocksPerBlock, "DELTA_BINARY_PACKED miniblock bit widths")
            miniblockIndex = 0
            miniblockStart = cursor.position
            inMiniblock = 0
            haveBlock = true
        }
        let w = Int(cursor.base.load(fromByteOffset: widthsOffset &+ miniblockIndex, as: UInt8.self))
        guard w <= U.bitWidth else {
            throw .corrupt("DELTA_BINARY_PACKED: miniblock bit width \(w) exceeds \(U.bitWidth)")
        }
        miniblockWidth = w
    }

    /// Decodes the next `count` values into `dst`.
    ///
    /// - Throws: `corrupt` when the stream holds fewer values or its bytes run out.
    /// - Complexity: O(*count*) plus the block headers crossed.
    mutating func decode(into dst: UnsafeMutablePointer<U>, count: Int) throws(ParquetError) {
        guard count > 0 else { return }
        guard count <= remaining else { throw shortage(count) }
        var out = dst
        var left = count
        if emitted == 0 {
            out[0] = last
            out += 1
            left &-= 1
            emitted = 1
        }
        while left > 0 {
            try enterMiniblock()
            let n = Swift.min(left, valuesPerMiniblock &- inMiniblock)
            let w = miniblockWidth
            let available = cursor.end &- miniblockStart
            // The deltas needed must lie inside the page (the rest of the miniblock may be cut).
            let (bits, o) = (inMiniblock &+ n).multipliedReportingOverflow(by: w)
            guard !o, available >= 0, bits <= available &* 8 else {
                throw .corrupt("DELTA_BINARY_PACKED: miniblock data runs past the page")
            }
            BitUnpack.unpack(cursor.base + miniblockStart, available: available, first: inMiniblock, count: n, width: w, into: out)
            let md = minDelta
            var v = last
            for i in 0..<n {
                v = v &+ md &+ out[i]
                out[i] = v
            }
            last = v
            inMiniblock &+= n
            emitted &+= n
            out += n
            left &-= n
        }
    }

    /// Decodes every remaining value into a new array.
    ///
    /// - Complexity: O(*remaining*).
    mutating func decodeAll(into buffer: MutableBuffer) throws(ParquetError) {
        let n = remaining
        try buffer.appendValues(n, as: U.self) { (p) throws(ParquetError) in try decode(into: p, count: n) }
    }
}
