import Arrow

/// A streaming decoder of the RLE/bit-packed hybrid encoding (Encodings.md, `RLE = 3`): the
/// encoding of definition and repetition levels, dictionary indices and RLE booleans.
///
/// The decoder reads runs lazily: each `decode` call continues where the previous one stopped,
/// so a column reader can take a page's values in several batches. Repeated runs are written with
/// `initialize(repeating:)`; bit-packed runs are unpacked 8 values at a time by width-specialised
/// kernels.
///
/// Hostile input: every run header and value is bounds-checked; a bit-packed run that claims
/// more bytes than remain is cut to the values its bytes hold; a repeated value must fit in the
/// bit width; asking for more values than the data holds throws `corrupt`. Work is bounded by
/// the values requested plus the input size (each run header consumes at least one byte).
///
/// The decoder does not own its input: keep the bytes alive while decoding.
public struct RLEHybridDecoder {
    var cursor: ByteCursor
    /// The bit width of every value (0…32).
    public let bitWidth: Int
    let valueBytes: Int
    var repeatRemaining = 0
    var repeatValue: UInt32 = 0
    var literalStart: UnsafeRawPointer
    var literalAvailable = 0
    var literalIndex = 0
    var literalEnd = 0

    /// A decoder over `data` (the encoded runs, without any length prefix or bit-width byte).
    ///
    /// - Throws: `corrupt` when `bitWidth` is not in 0…32.
    /// - Complexity: O(1).
    public init(_ data: UnsafeRawBufferPointer, bitWidth: Int) throws(ParquetError) {
        guard bitWidth >= 0 && bitWidth <= 32 else {
            throw .corrupt("RLE/bit-packed hybrid: bit width \(bitWidth) is not in 0…32")
        }
        cursor = ByteCursor(data)
        self.bitWidth = bitWidth
        valueBytes = (bitWidth &+ 7) >> 3
        literalStart = cursor.base
    }

    /// A decoder of dictionary indices: a data page body that starts with the 1-byte bit width
    /// (0…32), followed by the runs. An empty body decodes no values.
    ///
    /// - Complexity: O(1).
    public init(dictionaryIndices data: UnsafeRawBufferPointer) throws(ParquetError) {
        var c = ByteCursor(data)
        if c.remaining == 0 {
            try self.init(data, bitWidth: 0)
            return
        }
        let width = Int(try c.readByte("dictionary indices bit width"))
        guard width <= 32 else { throw .corrupt("RLE_DICTIONARY: index bit width \(width) is greater than 32") }
        try self.init(c.rest, bitWidth: width)
    }

    /// A decoder of runs preceded by their 4-byte little-endian length (levels in data page v1,
    /// RLE booleans), and the number of bytes the prefix and runs take in `data`.
    ///
    /// - Throws: `corrupt` when the prefix is missing or the length runs past `data`.
    /// - Complexity: O(1).
    public static func lengthPrefixed(_ data: UnsafeRawBufferPointer, bitWidth: Int) throws(ParquetError) -> (decoder: RLEHybridDecoder, byteCount: Int) {
        var c = ByteCursor(data)
        let length = Int(try c.readUInt32LE("RLE length prefix"))
        guard length <= c.remaining else {
            throw .corrupt("RLE/bit-packed hybrid: length prefix \(length) exceeds the \(c.remaining) bytes that follow")
        }
        let body = UnsafeRawBufferPointer(start: c.pointer, count: length)
        return (try RLEHybridDecoder(body, bitWidth: bitWidth), 4 &+ length)
    }

    /// Bytes of the input not yet consumed by run headers and run bodies.
    public var remainingBytes: Int { cursor.remaining }

    /// Reads the next run header (and the repeated value of an RLE run).
    mutating func readRun() throws(ParquetError) {
        guard cursor.remaining > 0 else {
            throw .corrupt("RLE/bit-packed hybrid: the data ends before all values were read")
        }
        let header = try cursor.readULEB128("RLE run header", maxBits: 32)
        let n = Int(header >> 1)
        if header & 1 == 0 {
            guard cursor.remaining >= valueBytes else {
                throw .corrupt("RLE/bit-packed hybrid: repeated value truncated at offset \(cursor.position)")
            }
            var v: UInt32 = 0
            for k in 0..<valueBytes {
                v |= UInt32(cursor.base.load(fromByteOffset: cursor.position &+ k, as: UInt8.self)) << UInt32(8 &* k)
            }
            cursor.position &+= valueBytes
            if bitWidth < 32 && v >> UInt32(bitWidth) != 0 {
                throw .corrupt("RLE/bit-packed hybrid: repeated value \(v) does not fit in \(bitWidth) bits")
            }
            repeatValue = v
            repeatRemaining = n
        } else {
            // n groups of 8 values, n * bitWidth bytes; cut to what the input holds.
            let wanted = n &* bitWidth
            let bytes = Swift.min(wanted, cursor.remaining)
            literalStart = cursor.pointer
            literalAvailable = cursor.remaining
            literalIndex = 0
            literalEnd = bitWidth == 0 ? n &* 8 : Swift.min(n &* 8, (bytes &* 8) / bitWidth)
            cursor.position &+= bytes
        }
    }

    /// Decodes the next `count` values into `dst` as `T` (values are below 2^`bitWidth`).
    ///
    /// - Complexity: O(*count*) plus the run headers crossed.
    mutating func decode<T: FixedWidthInteger>(into dst: UnsafeMutablePointer<T>, count: Int) throws(ParquetError) {
        var done = 0
        while done < count {
            if repeatRemaining > 0 {
                let n = Swift.min(repeatRemaining, count &- done)
                (dst + done).update(repeating: T(truncatingIfNeeded: repeatValue), count: n)
                done &+= n
                repeatRemaining &-= n
            } else if literalIndex < literalEnd {
                let n = Swift.min(literalEnd &- literalIndex, count &- done)
                BitUnpack.unpack(literalStart, available: literalAvailable, first: literalIndex, count: n, width: bitWidth, into: dst + done)
                literalIndex &+= n
                done &+= n
            } else {
                try readRun()
            }
        }
    }

    /// Decodes the next `values.count` values (dictionary indices or raw values) into `values`.
    ///
    /// - Throws: `corrupt` when the data holds fewer values.
    /// - Complexity: O(*values.count*) plus the run headers crossed.
    public mutating func decode(into values: UnsafeMutableBufferPointer<UInt32>) throws(ParquetError) {
        guard let p = values.baseAddress, values.count > 0 else { return }
        try decode(into: p, count: values.count)
    }

    /// Decodes the next `count` values and appends them to `buffer` as little-endian `UInt32`.
    ///
    /// - Complexity: O(*count*).
    public mutating func decode(_ count: Int, appendingTo buffer: MutableBuffer) throws(ParquetError) {
        try buffer.appendValues(count, as: UInt32.self) { (p) throws(ParquetError) in try decode(into: p, count: count) }
    }

    /// Skips the next `count` values.
    ///
    /// - Throws: `corrupt` when the data holds fewer values.
    /// - Complexity: O(run headers crossed).
    public mutating func skip(_ count: Int) throws(ParquetError) {
        var left = count
        while left > 0 {
            if repeatRemaining > 0 {
                let n = Swift.min(repeatRemaining, left)
                repeatRemaining &-= n
                left &-= n
            } else if literalIndex < literalEnd {
                let n = Swift.min(literalEnd &- literalIndex, left)
                literalIndex &+= n
                left &-= n
            } else {
                try readRun()
            }
        }
    }

    /// Decodes the next `count` values of bit width 1 as booleans, appended to `bitmap`.
    /// Bit-packed runs are copied as bitmaps, repeated runs are filled.
    ///
    /// - Throws: `corrupt` when the bit width is not 1 or the data holds fewer values.
    /// - Complexity: O(*count* / 64) for bit-packed runs at byte-aligned positions, plus the run
    ///   headers crossed.
    public mutating func decodeBooleans(_ count: Int, into bitmap: inout BitmapBuilder) throws(ParquetError) {
        guard bitWidth == 1 else { throw .corrupt("RLE booleans: bit width \(bitWidth), expected 1") }
        var done = 0
        while done < count {
            if repeatRemaining > 0 {
                let n = Swift.min(repeatRemaining, count &- done)
                BitFill.append(repeatValue != 0, count: n, to: &bitmap)
                done &+= n
                repeatRemaining &-= n
            } else if literalIndex < literalEnd {
                let n = Swift.min(literalEnd &- literalIndex, count &- done)
                bitmap.append(bits: literalStart, offset: literalIndex, length: n)
                literalIndex &+= n
                done &+= n
            } else {
                try readRun()
            }
        }
    }
}
