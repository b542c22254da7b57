// A reader of the Thrift compact protocol over untrusted bytes (store.md §11.4).
//
// Every read is bounds-checked against the end of the buffer, every count and length is checked
// against the bytes that remain before anything is allocated, varints are at most 10 bytes, and
// container nesting is at most `ThriftCompactReader.maxDepth`. Every failure is
// `ParquetError.corrupt` with the byte offset where it was detected; no input traps.

/// A cursor over a buffer of Thrift compact protocol bytes.
///
/// The reader does not own its buffer: the memory must stay valid while the reader is used.
/// `baseOffset` is added to positions in error messages, so that a reader over a slice of a file
/// reports file offsets.
public struct ThriftCompactReader {
    /// The deepest container nesting accepted (structs, lists, sets and maps count alike).
    public static let maxDepth = 64

    @usableFromInline let buffer: UnsafeRawBufferPointer
    /// The offset of the next byte to read, relative to the start of `buffer`.
    public private(set) var position: Int
    /// The file offset of `buffer[0]`, used in error messages.
    public let baseOffset: Int
    /// The number of containers currently open.
    public private(set) var depth: Int = 0
    /// The id of the last field read in the innermost open struct (for delta-encoded ids).
    @usableFromInline var lastFieldId: Int16 = 0

    /// A reader over all of `buffer`, starting at its first byte.
    public init(_ buffer: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.buffer = buffer
        self.position = 0
        self.baseOffset = baseOffset
    }

    /// The number of bytes left to read.
    @inline(__always)
    public var remaining: Int { buffer.count - position }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { position >= buffer.count }

    // MARK: Errors

    /// A `corrupt` error located at `position` (relative to the buffer).
    public func corrupt(_ detail: String, at position: Int? = nil) -> ParquetError {
        let p = position ?? self.position
        let (offset, overflow) = baseOffset.addingReportingOverflow(p)
        return .corrupt("Thrift: " + detail, at: "byte offset \(overflow ? p : offset)")
    }

    @usableFromInline
    func truncated(_ what: StaticString) -> ParquetError {
        corrupt("input ends inside \(what)")
    }

    // MARK: Raw bytes and integers

    /// Reads one byte.
    @inline(__always)
    public mutating func readByte() throws(ParquetError) -> UInt8 {
        let p = position
        guard p < buffer.count else { throw truncated("a byte") }
        position = p &+ 1
        return buffer[p]
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes that fits in 64 bits.
    @inline(__always)
    public mutating func readVarint() throws(ParquetError) -> UInt64 {
        let p = position
        if p < buffer.count {
            let b = buffer[p]
            if b < 0x80 {
                position = p &+ 1
                return UInt64(b)
            }
        }
        return try readVarintSlow()
    }

    @usableFromInline
    mutating func readVarintSlow() throws(ParquetError) -> UInt64 {
        let start = position
        var p = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard p < buffer.count else { throw truncated("a varint") }
            let b = buffer[p]
            p &+= 1
            if shift == 63 {
                // The tenth byte may only contribute the top bit.
                guard b <= 1 else { throw corrupt("varint longer than 10 bytes or above 64 bits", at: start) }
                result |= UInt64(b) &<< 63
                position = p
                return result
            }
            result |= UInt64(b & 0x7F) &<< shift
            if b < 0x80 {
                position = p
                return result
            }
            shift &+= 7
        }
    }

    /// Reads a zigzag varint as a 64-bit signed integer.
    @inline(__always)
    public mutating func readI64() throws(ParquetError) -> Int64 {
        let n = try readVarint()
        return Int64(bitPattern: (n &>> 1) ^ (0 &- (n & 1)))
    }

    /// Reads a zigzag varint that must fit in 32 bits.
    @inline(__always)
    public mutating func readI32() throws(ParquetError) -> Int32 {
        let start = position
        let n = try readVarint()
        guard n <= UInt64(UInt32.max) else { throw corrupt("i32 value out of range", at: start) }
        let u = UInt32(truncatingIfNeeded: n)
        return Int32(bitPattern: (u &>> 1) ^ (0 &- (u & 1)))
    }

    /// Reads a zigzag varint that must fit in 16 bits.
    public mutating func readI16() throws(ParquetError) -> Int16 {
        let start = position
        let v = try readI32()
        guard let r = Int16(exactly: v) else { throw corrupt("i16 value \(v) out of range", at: start) }
        return r
    }

    /// Reads a signed byte.
    public mutating func readI8() throws(ParquetError) -> Int8 {
        Int8(bitPattern: try readByte())
    }

    /// Reads an IEEE 754 double (8 bytes, little-endian).
    public mutating func readDouble() throws(ParquetError) -> Double {
        let p = position
        guard buffer.count - p >= 8 else { throw truncated("a double") }
        let bits = buffer.loadUnaligned(fromByteOffset: p, as: UInt64.self)
        position = p &+ 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    /// Reads a boolean list, set or map element (one byte: 1 is true; 0 and 2 are false).
    public mutating func readBoolElement() throws(ParquetError) -> Bool {
        let start = position
        switch try readByte() {
        case 1: return true
        case 0, 2: return false
        case let b: throw corrupt("invalid boolean element \(b)", at: start)
        }
    }

    /// Reads a 16-byte UUID.
    public mutating func readUUID() throws(ParquetError) -> [UInt8] {
        guard remaining >= 16 else { throw truncated("a uuid") }
        return copyBytes(count: 16)
    }

    // MARK: Binary and strings

    /// Reads a binary length prefix and checks that many bytes remain. Returns the start of the
    /// bytes, which are consumed.
    @inline(__always)
    mutating func readBinaryRange() throws(ParquetError) -> Range<Int> {
        let start = position
        let n = try readVarint()
        let left = remaining
        guard n <= UInt64(left) else {
            throw corrupt("binary length \(n) exceeds the \(left) bytes left", at: start)
        }
        let count = Int(truncatingIfNeeded: n)
        let p = position
        position = p &+ count
        return p..<(p &+ count)
    }

    /// Reads a binary value without copying it. The result points into the reader's buffer.
    public mutating func readBinaryView() throws(ParquetError) -> UnsafeRawBufferPointer {
        let r = try readBinaryRange()
        return UnsafeRawBufferPointer(rebasing: buffer[r])
    }

    /// Reads a binary value into a new array.
    public mutating func readBinary() throws(ParquetError) -> [UInt8] {
        let r = try readBinaryRange()
        let saved = position
        position = r.lowerBound
        let out = copyBytes(count: r.count)
        position = saved
        return out
    }

    /// Reads a string. Invalid UTF-8 is repaired (U+FFFD), never an error: readers that need
    /// exact bytes use `readBinary`.
    public mutating func readString() throws(ParquetError) -> String {
        let r = try readBinaryRange()
        if r.isEmpty { return "" }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[r]).assumingMemoryBound(to: UInt8.self)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Copies `count` bytes at `position` (already bounds-checked by the caller) and advances.
    @inline(__always)
    mutating func copyBytes(count: Int) -> [UInt8] {
        let p = position
        position = p &+ count
        return Self.copy(UnsafeRawBufferPointer(rebasing: buffer[p..<(p &+ count)]))
    }

    /// The bytes of `source` in a new array (one allocation and a `memcpy`).
    @inline(__always)
    static func copy(_ source: UnsafeRawBufferPointer) -> [UInt8] {
        let count = source.count
        if count == 0 { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { dest, initialized in
            UnsafeMutableRawBufferPointer(dest).copyMemory(from: source)
            initialized = count
        }
    }

    // MARK: Structs

    /// Opens a struct: checks the nesting depth and starts a new field-id sequence. Pass the
    /// returned value to `endStruct` after the stop field has been read.
    @inline(__always)
    public mutating func beginStruct() throws(ParquetError) -> Int16 {
        try enter()
        let saved = lastFieldId
        lastFieldId = 0
        return saved
    }

    /// Closes a struct opened by `beginStruct`.
    @inline(__always)
    public mutating func endStruct(_ saved: Int16) {
        lastFieldId = saved
        depth &-= 1
    }

    /// Reads the next field header of the innermost open struct, or `nil` at its stop field.
    @inline(__always)
    public mutating func readFieldHeader() throws(ParquetError) -> ThriftFieldHeader? {
        let start = position
        let head = try readByte()
        if head == 0 { return nil }
        let nibble = head & 0x0F
        guard let type = ThriftType(compactNibble: nibble) else {
            throw corrupt("invalid field type \(nibble)", at: start)
        }
        let delta = head &>> 4
        let id: Int16
        if delta != 0 {
            let (sum, overflow) = lastFieldId.addingReportingOverflow(Int16(delta))
            guard !overflow else { throw corrupt("field id overflows i16", at: start) }
            id = sum
        } else {
            id = try readI16()
        }
        lastFieldId = id
        return ThriftFieldHeader(id: id, type: type, boolValue: nibble == 1)
    }

    // MARK: Containers

    /// Enters a container, failing beyond `maxDepth`.
    @inline(__always)
    mutating func enter() throws(ParquetError) {
        guard depth < Self.maxDepth else {
            throw corrupt("nesting deeper than \(Self.maxDepth)")
        }
        depth &+= 1
    }

    /// Reads a list or set header: the element type and the element count. The count is checked
    /// against the remaining bytes (each element takes at least `minimumElementSize` bytes). For
    /// an empty list the element type is not validated and `nil` may be returned for it.
    public mutating func readListHeader() throws(ParquetError) -> (elementType: ThriftType?, count: Int) {
        let start = position
        let head = try readByte()
        var n = UInt64(head &>> 4)
        if n == 15 { n = try readVarint() }
        guard n <= UInt64(Int32.max) else { throw corrupt("list size \(n) out of range", at: start) }
        let count = Int(truncatingIfNeeded: n)
        let nibble = head & 0x0F
        guard let type = ThriftType(compactNibble: nibble) else {
            if count == 0 { return (nil, 0) }
            throw corrupt("invalid list element type \(nibble)", at: start)
        }
        guard count <= remaining / type.minimumElementSize else {
            throw corrupt("list of \(count) \(type.name) elements exceeds the \(remaining) bytes left", at: start)
        }
        return (type, count)
    }

    /// Reads a list header whose elements must be of type `expected` (when non-empty), and
    /// returns the element count.
    public mutating func readListHeader(expecting expected: ThriftType) throws(ParquetError) -> Int {
        let start = position
        let (type, count) = try readListHeader()
        if count > 0 && type != expected {
            throw corrupt("list elements are \(type?.name ?? "invalid"), expected \(expected.name)", at: start)
        }
        return count
    }

    /// Reads a map header: key and value types and the entry count (checked against the
    /// remaining bytes). Types are `nil` for an empty map.
    public mutating func readMapHeader() throws(ParquetError) -> (keyType: ThriftType?, valueType: ThriftType?, count: Int) {
        let start = position
        let n = try readVarint()
        if n == 0 { return (nil, nil, 0) }
        guard n <= UInt64(Int32.max) else { throw corrupt("map size \(n) out of range", at: start) }
        let count = Int(truncatingIfNeeded: n)
        let kv = try readByte()
        guard let k = ThriftType(compactNibble: kv &>> 4), let v = ThriftType(compactNibble: kv & 0x0F) else {
            throw corrupt("invalid map key/value types 0x\(String(kv, radix: 16))", at: start)
        }
        guard count <= remaining / (k.minimumElementSize + v.minimumElementSize) else {
            throw corrupt("map of \(count) entries exceeds the \(remaining) bytes left", at: start)
        }
        return (k, v, count)
    }

    // MARK: Typed lists

    /// Reads a `list<T>` of structs.
    public mutating func readList<T: ThriftStruct>(of _: T.Type) throws(ParquetError) -> [T] {
        let count = try readListHeader(expecting: .struct)
        var out: [T] = []
        out.reserveCapacity(Swift.min(count, 4096))
        for _ in 0..<count { out.append(try T.decode(from: &self)) }
        return out
    }

    /// Reads a `list<i32>`.
    public mutating func readI32List() throws(ParquetError) -> [Int32] {
        let count = try readListHeader(expecting: .i32)
        var out: [Int32] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readI32()) }
        return out
    }

    /// Reads a `list<i64>`.
    public mutating func readI64List() throws(ParquetError) -> [Int64] {
        let count = try readListHeader(expecting: .i64)
        var out: [Int64] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readI64()) }
        return out
    }

    /// Reads a `list<string>`.
    public mutating func readStringList() throws(ParquetError) -> [String] {
        let count = try readListHeader(expecting: .binary)
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readString()) }
        return out
    }

    /// Reads a `list<binary>`.
    public mutating func readBinaryList() throws(ParquetError) -> [[UInt8]] {
        let count = try readListHeader(expecting: .binary)
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readBinary()) }
        return out
    }

    /// Reads a `list<bool>`.
    public mutating func readBoolList() throws(ParquetError) -> [Bool] {
        let count = try readListHeader(expecting: .bool)
        var out: [Bool] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try readBoolElement()) }
        return out
    }

    // MARK: Skipping

    /// Skips the value of a struct field (a boolean field has no value bytes).
    @inline(__always)
    public mutating func skip(_ field: ThriftFieldHeader) throws(ParquetError) {
        if field.type == .bool { return }
        try skip(field.type)
    }

    /// Skips one value of `type` in element context (a boolean element is one byte). Nested
    /// containers are skipped recursively, bounded by `maxDepth`.
    public mutating func skip(_ type: ThriftType) throws(ParquetError) {
        switch type {
        case .bool, .i8:
            _ = try readByte()
        case .i16, .i32, .i64:
            _ = try readVarint()
        case .double:
            try skipBytes(8, "a double")
        case .uuid:
            try skipBytes(16, "a uuid")
        case .binary:
            _ = try readBinaryRange()
        case .list, .set:
            let (elementType, count) = try readListHeader()
            guard let elementType, count > 0 else { return }
            try enter()
            for _ in 0..<count { try skip(elementType) }
            depth &-= 1
        case .map:
            let (k, v, count) = try readMapHeader()
            guard let k, let v, count > 0 else { return }
            try enter()
            for _ in 0..<count {
                try skip(k)
                try skip(v)
            }
            depth &-= 1
        case .struct:
            let saved = try beginStruct()
            while let field = try readFieldHeader() { try skip(field) }
            endStruct(saved)
        }
    }

    @inline(__always)
    mutating func skipBytes(_ n: Int, _ what: StaticString) throws(ParquetError) {
        guard remaining >= n else { throw truncated(what) }
        position &+= n
    }

    // MARK: Required fields

    /// The error for a required field that a struct did not contain.
    public func missing(_ structName: StaticString, _ field: StaticString) -> ParquetError {
        corrupt("\(structName): required field \(field) is missing")
    }

    /// The error for an enum value outside the known range.
    public func invalidEnum(_ name: StaticString, _ value: Int32, at position: Int) -> ParquetError {
        corrupt("invalid \(name) \(value)", at: position)
    }
}
