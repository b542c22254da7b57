import Arrow

/// Variable-length integers as Parquet encodings write them: unsigned LEB128 and zigzag.
enum VarInt {
    /// Appends `value` as unsigned LEB128 (1 to 10 bytes).
    ///
    /// - Complexity: O(1).
    @inline(__always)
    static func appendULEB128(_ value: UInt64, to sink: MutableBuffer) {
        var v = value
        while v >= 0x80 {
            sink.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        sink.append(UInt8(truncatingIfNeeded: v))
    }

    /// Appends `value` zigzag-encoded as unsigned LEB128.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    static func appendZigZag(_ value: Int64, to sink: MutableBuffer) {
        appendULEB128(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: sink)
    }
}

extension MutableBuffer {
    /// Grows the written size by `byteCount` bytes and returns the start of the new region, for
    /// decoders that compute their output in place. The region is zero-filled today (the Arrow
    /// buffer API has no uninitialised growth); callers overwrite all of it.
    ///
    /// - Complexity: O(*byteCount*).
    @inline(__always)
    func extend(by byteCount: Int) -> UnsafeMutableRawPointer {
        let start = count
        resize(to: start &+ byteCount)
        return baseAddress + start
    }
}

/// The number of bits needed to represent `value` (0 for 0).
@inline(__always)
func bitWidth(of value: UInt64) -> Int { 64 &- value.leadingZeroBitCount }

extension MutableBuffer {
    /// Appends `count` values of `T` that `body` writes through a typed pointer. When the
    /// buffer's end is not aligned for `T`, `body` writes to an aligned scratch that is copied.
    /// On error the buffer is left as it was.
    ///
    /// - Complexity: O(*count*) plus the work of `body`.
    @inline(__always)
    func appendValues<T: BitwiseCopyable, E: Error>(
        _ count: Int, as: T.Type, _ body: (UnsafeMutablePointer<T>) throws(E) -> Void
    ) throws(E) {
        guard count > 0 else { return }
        let start = self.count
        let bytes = count &* MemoryLayout<T>.stride
        if (Int(bitPattern: baseAddress) &+ start) % MemoryLayout<T>.alignment == 0 {
            let p = extend(by: bytes).assumingMemoryBound(to: T.self)
            do {
                try body(p)
            } catch {
                resize(to: start)
                throw error
            }
        } else {
            let tmp = MutableBuffer(capacity: bytes)
            let p = tmp.extend(by: bytes).assumingMemoryBound(to: T.self)
            try body(p)
            append(contentsOf: UnsafeRawBufferPointer(start: tmp.baseAddress, count: bytes))
        }
    }
}
