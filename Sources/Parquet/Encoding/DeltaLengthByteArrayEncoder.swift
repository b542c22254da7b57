import Arrow

/// The DELTA_LENGTH_BYTE_ARRAY encoder (Encodings.md, `DELTA_LENGTH_BYTE_ARRAY = 6`): the value
/// lengths, DELTA_BINARY_PACKED, then all value bytes back to back.
public enum DeltaLengthByteArrayEncoder {
    /// Appends byte arrays given by Arrow `Int32` offsets (`count + 1`) into `data`.
    ///
    /// - Complexity: O(*count* + bytes).
    public static func encode(offsets: UnsafeBufferPointer<Int32>, data: UnsafeRawPointer, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        encodeGeneric(offsets, data, validity, sink)
    }

    /// Appends byte arrays given by Arrow `Int64` offsets.
    ///
    /// - Complexity: O(*count* + bytes).
    public static func encode(offsets: UnsafeBufferPointer<Int64>, data: UnsafeRawPointer, validity: ValidityFilter? = nil, into sink: MutableBuffer) {
        encodeGeneric(offsets, data, validity, sink)
    }

    static func encodeGeneric<O: FixedWidthInteger>(_ offsets: UnsafeBufferPointer<O>, _ data: UnsafeRawPointer, _ validity: ValidityFilter?, _ sink: MutableBuffer) {
        let count = Swift.max(offsets.count &- 1, 0)
        var lengths = [Int32]()
        lengths.reserveCapacity(count)
        ByteArrayRuns.forEachValid(count, validity) { i in
            lengths.append(Int32(truncatingIfNeeded: Int(offsets[i &+ 1]) &- Int(offsets[i])))
        }
        lengths.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: sink) }
        if validity == nil, count > 0 {
            let s = Int(offsets[0])
            sink.append(contentsOf: UnsafeRawBufferPointer(start: data + s, count: Int(offsets[count]) &- s))
        } else if let validity {
            validity.forEachValidRun(count) { start, length in
                let s = Int(offsets[start])
                sink.append(contentsOf: UnsafeRawBufferPointer(start: data + s, count: Int(offsets[start &+ length]) &- s))
            }
        }
    }
}

/// Iteration over the valid positions of a column slice.
enum ByteArrayRuns {
    /// Calls `body(i)` for each valid `i` below `count`, in order.
    @inline(__always)
    static func forEachValid(_ count: Int, _ validity: ValidityFilter?, _ body: (Int) -> Void) {
        if let validity {
            validity.forEachValidRun(count) { start, length in
                for i in start..<(start &+ length) { body(i) }
            }
        } else {
            for i in 0..<count { body(i) }
        }
    }
}
