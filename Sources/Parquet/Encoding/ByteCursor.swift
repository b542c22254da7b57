/// Zero bytes that stand in for the base address of empty input buffers, so that cursors never
/// hold a nil pointer. Never written.
nonisolated(unsafe) let emptyInputBytes: UnsafeRawPointer = {
    let p = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
    p.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
    return UnsafeRawPointer(p)
}()

/// A bounds-checked reading position in untrusted bytes (a page body).
///
/// Every read checks that the bytes exist and throws ``ParquetError/corrupt(file:location:detail:)``
/// otherwise; the position only moves forward, so every loop that reads is bounded by the input.
/// The cursor does not own the bytes: the caller keeps them alive while it is used.
struct ByteCursor {
    /// The first byte of the input.
    let base: UnsafeRawPointer
    /// The offset of the next byte to read.
    var position: Int
    /// The input's size.
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress ?? emptyInputBytes
        position = 0
        end = bytes.baseAddress == nil ? 0 : bytes.count
    }

    /// The bytes not yet read.
    var remaining: Int { end &- position }

    /// The address of the next byte.
    var pointer: UnsafeRawPointer { base + position }

    /// The unread bytes.
    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + position, count: end &- position) }

    func truncated(_ what: StaticString, needed: Int) -> ParquetError {
        .corrupt("\(what): needs \(needed) bytes at offset \(position), only \(remaining) left")
    }

    /// Reads one byte.
    mutating func readByte(_ what: StaticString) throws(ParquetError) -> UInt8 {
        guard position < end else { throw truncated(what, needed: 1) }
        let b = base.load(fromByteOffset: position, as: UInt8.self)
        position &+= 1
        return b
    }

    /// Reads a little-endian 32-bit unsigned integer.
    mutating func readUInt32LE(_ what: StaticString) throws(ParquetError) -> UInt32 {
        guard remaining >= 4 else { throw truncated(what, needed: 4) }
        let v = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        position &+= 4
        return v
    }

    /// Skips `n` bytes (n ≥ 0), returning their start.
    mutating func take(_ n: Int, _ what: StaticString) throws(ParquetError) -> UnsafeRawPointer {
        guard n >= 0, n <= remaining else { throw truncated(what, needed: n) }
        let p = base + position
        position &+= n
        return p
    }

    /// Reads an unsigned LEB128 varint of at most `maxBits` significant bits (at most 10 bytes).
    mutating func readULEB128(_ what: StaticString, maxBits: Int = 64) throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw truncated(what, needed: 1) }
            let b = base.load(fromByteOffset: position, as: UInt8.self)
            position &+= 1
            let payload = UInt64(b & 0x7F)
            if shift >= 64 {
                if payload != 0 { throw .corrupt("\(what): varint overflows 64 bits at offset \(position &- 1)") }
            } else {
                if shift > 0 && payload >> (64 &- shift) != 0 {
                    throw .corrupt("\(what): varint overflows 64 bits at offset \(position &- 1)")
                }
                result |= payload << shift
            }
            if b & 0x80 == 0 { break }
            shift &+= 7
            if shift >= 70 { throw .corrupt("\(what): varint longer than 10 bytes at offset \(position)") }
        }
        if maxBits < 64 && result >> UInt64(maxBits) != 0 {
            throw .corrupt("\(what): varint \(result) exceeds \(maxBits) bits")
        }
        return result
    }

    /// Reads a zigzag-encoded LEB128 varint (a signed 64-bit value).
    mutating func readZigZag(_ what: StaticString) throws(ParquetError) -> Int64 {
        let u = try readULEB128(what)
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }
}
