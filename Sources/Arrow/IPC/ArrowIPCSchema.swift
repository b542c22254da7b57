/// Arrow IPC schema messages: the bytes behind the Parquet `ARROW:schema` key (store.md §9.5).
///
/// An encapsulated message is laid out as
///
/// 1. the continuation marker `0xFFFFFFFF`;
/// 2. an int32 LE metadata size, padded so that 8 + size is a multiple of 8;
/// 3. a FlatBuffers `Message { version: V5, header: Schema, bodyLength: 0 }`, zero-padded to the size.
///
/// The Schema is `{ endianness: Little, fields, custom_metadata }` (the schema metadata, only when
/// non-empty). Every field carries its name, nullability, type, children and custom metadata
/// (the field metadata). A dictionary-encoded field is written as its value type plus a
/// `DictionaryEncoding { id, indexType, isOrdered }`, ids numbered 0, 1, … in depth-first order.
///
/// Decoding accepts that framing and the legacy one (no marker: int32 size, then the
/// FlatBuffer), V4 and V5 metadata, and verifies every byte it reads (``FlatBufferReader``).
/// Types outside ``DataType`` (unions, intervals, views, run-end encoding, decimal32/64/256 …)
/// are `.unsupportedType` errors naming the type and the field; anything malformed is
/// `.invalidData` (`.invalidUTF8` for a string that is not UTF-8). Nothing traps.
public enum ArrowIPCSchema {
    /// The deepest field nesting written or read: top-level fields are at depth 0, so a schema
    /// may nest 60 levels. (The FlatBuffers reader accepts tables 64 deep; a message spends two
    /// levels above its fields and a field up to two below it.)
    public static let maximumNestingDepth =
        IPCFormat.maximumTableDepth - IPCFormat.tablesAboveFields - IPCFormat.tablesBelowField - 1

    /// The encapsulated IPC message of `schema`.
    ///
    /// Throws `.invalidArgument` for a type that cannot be represented (a time32 in
    /// microseconds, a non-positive fixed-size binary width, a decimal precision outside
    /// 1…38, a value beyond int32, a map whose entries are not a two-field struct, a non-integer
    /// dictionary index, nesting deeper than ``maximumNestingDepth``) and `.unsupportedType` for
    /// a dictionary of dictionaries.
    public static func encodeMessage(_ schema: Schema) throws(ArrowError) -> [UInt8] {
        let flatbuffer = try IPCSchemaEncoder.encode(schema)
        let padded = (flatbuffer.count + 7) & ~7
        var out: [UInt8] = []
        out.reserveCapacity(8 + padded)
        appendLE(IPCFormat.continuationMarker, to: &out)
        appendLE(UInt32(truncatingIfNeeded: padded), to: &out)
        out.append(contentsOf: flatbuffer)
        out.append(contentsOf: repeatElement(0, count: padded - flatbuffer.count))
        return out
    }

    /// The schema of an encapsulated IPC message (either framing); trailing bytes after the
    /// metadata are ignored.
    public static func decodeMessage(_ bytes: [UInt8]) throws(ArrowError) -> Schema {
        try IPCSchemaDecoder.decode(try metadata(of: bytes))
    }

    /// The schema of an encapsulated IPC message held in memory the caller owns.
    public static func decodeMessage(_ bytes: UnsafeRawBufferPointer) throws(ArrowError) -> Schema {
        try decodeMessage(Array(bytes))
    }

    /// The standard base64 (RFC 4648, padded) of ``encodeMessage(_:)``: the value of the Parquet
    /// `ARROW:schema` key.
    public static func encodeBase64(_ schema: Schema) throws(ArrowError) -> String {
        Base64.encode(try encodeMessage(schema))
    }

    /// The schema of a base64-encoded IPC message, as found under the Parquet `ARROW:schema` key.
    public static func decodeBase64(_ text: String) throws(ArrowError) -> Schema {
        try decodeMessage(try Base64.decode(text))
    }

    /// The FlatBuffer inside an encapsulated message, after checking the framing.
    static func metadata(of bytes: [UInt8]) throws(ArrowError) -> [UInt8] {
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        guard bytes.count >= 4 else {
            throw ArrowError(.invalidData, "IPC message of \(bytes.count) bytes is too short for its framing")
        }
        var start = 4
        var size = Int32(bitPattern: u32(0))
        if u32(0) == IPCFormat.continuationMarker {
            guard bytes.count >= 8 else {
                throw ArrowError(.invalidData, "IPC message of \(bytes.count) bytes is too short for its framing")
            }
            start = 8
            size = Int32(bitPattern: u32(4))
        }
        guard size != 0 else {
            throw ArrowError(.invalidData, "IPC end-of-stream marker where a schema message was expected")
        }
        guard size > 0 else {
            throw ArrowError(.invalidData, "IPC metadata size \(size) is negative")
        }
        guard Int(size) <= bytes.count - start else {
            throw ArrowError(.invalidData, "IPC metadata size \(size) exceeds the \(bytes.count - start) bytes after the framing")
        }
        return Array(bytes[start..<(start + Int(size))])
    }

    private static func appendLE(_ value: UInt32, to out: inout [UInt8]) {
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
    }
}
