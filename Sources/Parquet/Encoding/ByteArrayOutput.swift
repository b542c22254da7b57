import Arrow

/// Where decoded BYTE_ARRAY values go: an Arrow offsets buffer (`Int32` or `Int64`) and a data
/// buffer, both appended to.
///
/// For each decoded value the decoder appends its bytes to ``data`` and then one offset,
/// ``offsetBase`` + `data.count`: the caller writes the leading offset (normally 0) once, before
/// the first value of an array, and can continue an array over several pages and calls.
public struct ByteArrayOutput {
    /// Offsets, appended as `Int32` (or `Int64` when ``largeOffsets``).
    public let offsets: MutableBuffer
    /// Value bytes.
    public let data: MutableBuffer
    /// Whether offsets are `Int64` (large_binary / large_utf8) instead of `Int32`.
    public let largeOffsets: Bool
    /// The offset value of byte 0 of ``data``.
    public let offsetBase: Int
    /// The most bytes ``data`` may hold. Decoders throw `limitExceeded` before growing past it
    /// (DELTA_BYTE_ARRAY and dictionary gathers can expand small pages into large outputs).
    public let byteLimit: Int

    /// An output appending to `offsets` and `data`.
    ///
    /// - Parameters:
    ///   - largeOffsets: `Int64` offsets instead of `Int32`.
    ///   - offsetBase: the offset of the first byte of `data` (0 when `data` holds the whole array).
    ///   - byteLimit: the most bytes `data` may hold; with `Int32` offsets, never more than
    ///     `Int32.max - offsetBase`.
    /// - Complexity: O(1).
    public init(offsets: MutableBuffer, data: MutableBuffer, largeOffsets: Bool = false, offsetBase: Int = 0, byteLimit: Int = Int(Int32.max)) {
        self.offsets = offsets
        self.data = data
        self.largeOffsets = largeOffsets
        self.offsetBase = offsetBase
        self.byteLimit = byteLimit
    }

    /// The largest `data.count` allowed.
    var dataLimit: Int {
        let cap = largeOffsets ? MutableBuffer.maximumCapacity : Int(Int32.max) &- Swift.max(offsetBase, 0)
        return Swift.max(0, Swift.min(byteLimit, cap))
    }

    /// Throws `limitExceeded` unless `additional` more data bytes fit.
    func checkRoom(_ additional: Int) throws(ParquetError) {
        let limit = dataLimit
        guard additional >= 0, additional <= limit &- data.count else {
            let total = additional > Int.max &- data.count ? Int.max : data.count &+ additional
            throw .limitExceeded(file: "", what: "decoded byte array data", value: total, limit: limit)
        }
    }

    /// Appends the offset after the current end of ``data``.
    @inline(__always)
    func appendEndOffset() {
        let end = offsetBase &+ data.count
        if largeOffsets { offsets.append(Int64(end)) } else { offsets.append(Int32(truncatingIfNeeded: end)) }
    }

    /// Appends `lengths.count` offsets for values of the given lengths whose bytes were already
    /// appended to ``data`` (ending at its current end).
    func appendOffsets(lengths: UnsafeBufferPointer<Int32>) {
        guard lengths.count > 0 else { return }
        var total = 0
        for l in lengths { total &+= Int(l) }
        var end = offsetBase &+ data.count &- total
        if largeOffsets {
            let p = offsets.extend(by: lengths.count &* 8).assumingMemoryBound(to: Int64.self)
            for i in 0..<lengths.count {
                end &+= Int(lengths[i])
                p[i] = Int64(end)
            }
        } else {
            let p = offsets.extend(by: lengths.count &* 4).assumingMemoryBound(to: Int32.self)
            var e = Int32(truncatingIfNeeded: end)
            for i in 0..<lengths.count {
                e &+= lengths[i]
                p[i] = e
            }
        }
    }
}
