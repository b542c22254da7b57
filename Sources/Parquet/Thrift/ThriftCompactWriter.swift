// A writer of the Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md).

/// Appends Thrift compact protocol bytes to a growable buffer.
///
/// Struct fields must be written in the order the caller wants them on the wire; field ids are
/// delta-encoded in the short form when they increase by 1–15, and in the long form otherwise.
public struct ThriftCompactWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]
    /// The id of the last field written in the innermost open struct.
    var lastFieldId: Int16 = 0

    /// An empty writer that reserves `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A writer that appends to existing bytes.
    public init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Raw values

    @inline(__always)
    public mutating func writeByte(_ b: UInt8) {
        bytes.append(b)
    }

    /// Writes an unsigned LEB128 varint.
    @inline(__always)
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v &>>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// Writes a zigzag varint.
    @inline(__always)
    public mutating func writeI64(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value &<< 1) ^ (value &>> 63)))
    }

    /// Writes a zigzag varint (at most 5 bytes).
    @inline(__always)
    public mutating func writeI32(_ value: Int32) {
        writeVarint(UInt64(UInt32(bitPattern: (value &<< 1) ^ (value &>> 31))))
    }

    public mutating func writeI16(_ value: Int16) { writeI32(Int32(value)) }

    public mutating func writeI8(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }

    /// Writes a double as 8 little-endian bytes.
    public mutating func writeDouble(_ value: Double) {
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    /// Writes a boolean list, set or map element (1 for true, 0 for false).
    public mutating func writeBoolElement(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Writes a 16-byte UUID (`value` must hold 16 bytes; it is truncated or zero-padded).
    public mutating func writeUUID(_ value: [UInt8]) {
        for i in 0..<16 { bytes.append(i < value.count ? value[i] : 0) }
    }

    /// Writes a length-prefixed binary value.
    public mutating func writeBinary(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a length-prefixed binary value.
    public mutating func writeBinary(_ value: UnsafeRawBufferPointer) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a string as length-prefixed UTF-8.
    public mutating func writeString(_ value: String) {
        var s = value
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    // MARK: Structs

    /// Opens a struct; pass the result to `endStruct`.
    @inline(__always)
    public mutating func beginStruct() -> Int16 {
        let saved = lastFieldId
        lastFieldId = 0
        return saved
    }

    /// Writes the stop field and closes the struct opened by `beginStruct`.
    @inline(__always)
    public mutating func endStruct(_ saved: Int16) {
        bytes.append(0)
        lastFieldId = saved
    }

    /// Writes a field header. For booleans use `writeField(_:_:)` with a `Bool`, which puts the
    /// value in the header.
    @inline(__always)
    public mutating func writeFieldHeader(_ id: Int16, _ type: ThriftType) {
        writeFieldHeader(id, nibble: type.rawValue)
    }

    @inline(__always)
    mutating func writeFieldHeader(_ id: Int16, nibble: UInt8) {
        let (delta, overflow) = id.subtractingReportingOverflow(lastFieldId)
        if !overflow && delta > 0 && delta <= 15 {
            bytes.append(UInt8(truncatingIfNeeded: delta) &<< 4 | nibble)
        } else {
            bytes.append(nibble)
            writeI16(id)
        }
        lastFieldId = id
    }

    // MARK: Fields

    public mutating func writeField(_ id: Int16, _ value: Bool) {
        writeFieldHeader(id, nibble: value ? 1 : 2)
    }

    public mutating func writeField(_ id: Int16, _ value: Int8) {
        writeFieldHeader(id, .i8)
        writeI8(value)
    }

    public mutating func writeField(_ id: Int16, _ value: Int16) {
        writeFieldHeader(id, .i16)
        writeI16(value)
    }

    public mutating func writeField(_ id: Int16, _ value: Int32) {
        writeFieldHeader(id, .i32)
        writeI32(value)
    }

    public mutating func writeField(_ id: Int16, _ value: Int64) {
        writeFieldHeader(id, .i64)
        writeI64(value)
    }

    public mutating func writeField(_ id: Int16, _ value: Double) {
        writeFieldHeader(id, .double)
        writeDouble(value)
    }

    public mutating func writeField(_ id: Int16, _ value: String) {
        writeFieldHeader(id, .binary)
        writeString(value)
    }

    public mutating func writeField(_ id: Int16, _ value: [UInt8]) {
        writeFieldHeader(id, .binary)
        writeBinary(value)
    }

    public mutating func writeField<T: ThriftStruct>(_ id: Int16, _ value: T) {
        writeFieldHeader(id, .struct)
        value.encode(to: &self)
    }

    public mutating func writeField(_ id: Int16, _ value: Bool?) { if let value { writeField(id, value) } }
    public mutating func writeField(_ id: Int16, _ value: Int8?) { if let value { writeField(id, value) } }
    public mutating func writeField(_ id: Int16, _ value: Int16?) { if let value { writeField(id, value) } }
    public mutating func writeField(_ id: Int16, _ value: Int32?) { if let value { writeField(id, value) } }
    public mutating func writeField(_ id: Int16, _ value: Int64?) { if let value { writeField(id, value) } }
    public mutating func writeField(_ id: Int16, _ value: Double?) { if let value { writeField(id, value) } }
    public mutating func writeField(_ id: Int16, _ value: String?) { if let value { writeField(id, value) } }
    public mutating func writeField(_ id: Int16, _ value: [UInt8]?) { if let value { writeField(id, value) } }
    public mutating func writeField<T: ThriftStruct>(_ id: Int16, _ value: T?) { if let value { writeField(id, value) } }

    // MARK: Containers

    /// Writes a list header (short form below 15 elements).
    public mutating func writeListHeader(_ elementType: ThriftType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(truncatingIfNeeded: count) &<< 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(clamping: count))
        }
    }

    /// Writes a set header (encoded as a list header).
    public mutating func writeSetHeader(_ elementType: ThriftType, count: Int) {
        writeListHeader(elementType, count: count)
    }

    /// Writes a map header (a single zero byte for an empty map).
    public mutating func writeMapHeader(key: ThriftType, value: ThriftType, count: Int) {
        writeVarint(UInt64(clamping: count))
        if count > 0 { bytes.append(key.rawValue &<< 4 | value.rawValue) }
    }

    /// Writes a `list<T>` field of structs.
    public mutating func writeListField<T: ThriftStruct>(_ id: Int16, _ values: [T]) {
        writeFieldHeader(id, .list)
        writeListHeader(.struct, count: values.count)
        for v in values { v.encode(to: &self) }
    }

    /// Writes a `list<i32>` field.
    public mutating func writeListField(_ id: Int16, _ values: [Int32]) {
        writeFieldHeader(id, .list)
        writeListHeader(.i32, count: values.count)
        for v in values { writeI32(v) }
    }

    /// Writes a `list<i64>` field.
    public mutating func writeListField(_ id: Int16, _ values: [Int64]) {
        writeFieldHeader(id, .list)
        writeListHeader(.i64, count: values.count)
        for v in values { writeI64(v) }
    }

    /// Writes a `list<string>` field.
    public mutating func writeListField(_ id: Int16, _ values: [String]) {
        writeFieldHeader(id, .list)
        writeListHeader(.binary, count: values.count)
        for v in values { writeString(v) }
    }

    /// Writes a `list<binary>` field.
    public mutating func writeListField(_ id: Int16, _ values: [[UInt8]]) {
        writeFieldHeader(id, .list)
        writeListHeader(.binary, count: values.count)
        for v in values { writeBinary(v) }
    }

    /// Writes a `list<bool>` field.
    public mutating func writeListField(_ id: Int16, _ values: [Bool]) {
        writeFieldHeader(id, .list)
        writeListHeader(.bool, count: values.count)
        for v in values { writeBoolElement(v) }
    }

    /// Writes an optional `list<T>` field of structs (nothing when `nil`).
    public mutating func writeListField<T: ThriftStruct>(_ id: Int16, _ values: [T]?) {
        if let values { writeListField(id, values) }
    }
}
